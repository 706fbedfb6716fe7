"""What a hostile operator would try on the settings domains: roll a domain back from `postgres` (a reverse
run) after values Python cannot tell apart were written, and two processes writing one new key at once."""

import threading

import bson
import pytest
from bson import ObjectId
from django.core.management import call_command
from django.db import connection

from cutover.backfill.verify import verify_domain
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database
from settings_store.models import Config
from settings_store.selectors import config_value
from settings_store.services import config_set, shop_save
from tests.factories import a_user

pytestmark = pytest.mark.django_db(transaction=True)

TRICKY = {"one-int": 1, "one-float": 1.0, "true": True, "order": {"b": 1, "a": 2}, "null": None, "neg-zero": -0.0}


def test_a_reverse_run_brings_mongo_back_exactly_before_a_rollback():
    set_store_mode("config", "postgres")
    for key, value in TRICKY.items():
        config_set(key=key, value=value)
    assert mongo_database().configs.count_documents({}) == 0  # postgres mode: Mongo left behind
    set_store_mode("config", "dual")
    call_command("backfill", "--reverse", "config")
    for key, value in TRICKY.items():
        doc = mongo_database().configs.find_one({"key": key})
        assert bson.encode({"v": doc["value"]}) == bson.encode({"v": value}), key
    assert verify_domain("config").passed
    mongo_database().configs.update_one({"key": "one-float"}, {"$set": {"value": 1}})  # 1.0 -> 1: == would miss it
    parity = verify_domain("config")
    assert not parity.passed


def test_two_writers_of_one_new_key_make_one_row():
    set_store_mode("config", "dual")
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def write(value: int) -> None:
        try:
            barrier.wait(timeout=10)
            config_set(key="race", value=value)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Config.objects.filter(key="race").count() == 1
    assert mongo_database().configs.count_documents({"key": "race"}) == 1
    assert config_value(key="race") in (1, 2)
    assert verify_domain("config").passed


def test_a_shop_for_an_unknown_seller_is_refused_by_postgres_in_dual():
    set_store_mode("shop_settings", "dual")
    with pytest.raises(Exception, match="foreign key|seller"):
        shop_save(seller_id=str(ObjectId()), shop_name="Ghost")
    assert mongo_database().shopsettings.count_documents({}) == 0  # the primary refused: nothing mirrored
    shop_save(seller_id=a_user().id, shop_name="Real")
    assert domain_spec("shop_settings").backends()["mongo"].database.shopsettings.count_documents({}) == 1
