"""The level_config, shop_settings and config ports, in every store mode."""

import pytest

from cutover.modes.registry import domain_spec
from settings_store.selectors import config_value, configs, level_for_points, levels, open_shops, shop_of_seller
from settings_store.services import (
    InvalidSettingInput,
    config_delete,
    config_set,
    level_put,
    level_remove,
    shop_save,
    shop_set_open,
)
from tests.contract.conftest import assert_stores_follow_mode
from tests.factories import a_user


def _gone_everywhere(domain: str, collection: str, record_id: str) -> None:
    for backend in domain_spec(domain).backends().values():
        assert backend.get_snapshot(collection, record_id) is None


def test_levels_by_points(repo_of):
    repo = repo_of("level_config")
    one = repo.put_level(level=1, name="Newcomer", min_points=0, perks_json="[]")
    two = repo.put_level(level=2, name="Trader", min_points=100, perks_json='["Lower fees"]')
    three = repo.put_level(level=3, name="Elite", min_points=500, perks_json='[{"b": 1, "a": 2.0}]')
    assert repo.put_level(level=2, name="Trader", min_points=100, perks_json='["Lower fees"]') == two
    two = repo.put_level(level=2, name="Trader", min_points=150, perks_json='["Lower fees"]')
    assert [r.level for r in repo.list_levels()] == [1, 2, 3]
    assert repo.level_for_points(149) == one and repo.level_for_points(150) == two
    assert repo.level_for_points(10**9) == three and repo.level_for_points(-5) is None
    assert three.perks == [{"b": 1, "a": 2.0}]
    assert_stores_follow_mode("level_config", repo.mode, [one, two, three])
    assert repo.remove_level(3) == [three] and repo.remove_level(3) == []
    _gone_everywhere("level_config", "levelconfigs", three.id)


def test_level_services(mode):
    with pytest.raises(InvalidSettingInput):
        level_put(level=-1, name="x", min_points=0)
    with pytest.raises(InvalidSettingInput, match="array"):
        level_put(level=1, name="x", min_points=0, perks={"not": "a list"})
    level_put(level=1, name="One", min_points=0, perks=["a", {"z": 1, "y": None}])
    assert levels()[0].perks == ["a", {"z": 1, "y": None}]
    assert level_for_points(points=3).name == "One"
    assert [r.level for r in level_remove(level=1)] == [1] and levels() == []


def test_one_shop_per_seller_opened_and_closed(repo_of):
    repo = repo_of("shop_settings")
    seller, other = a_user(), a_user()
    shop = repo.save_shop(seller_id=seller.id, shop_name="Cards", description="Gift cards")
    renamed = repo.save_shop(seller_id=seller.id, shop_name="Cards & Keys", description="Gift cards")
    assert renamed.id == shop.id and renamed.shop_name == "Cards & Keys"
    theirs = repo.save_shop(seller_id=other.id, shop_name="Alpha", logo_url="https://cdn.example.com/a.png")
    closed = repo.set_shop_open(seller.id, is_open=False)
    assert repo.set_shop_open(seller.id, is_open=False) == closed
    assert repo.list_open_shops() == [theirs]
    assert repo.get_shop(seller.id) == closed
    with pytest.raises(LookupError):
        repo.set_shop_open(a_user().id, is_open=True)
    assert_stores_follow_mode("shop_settings", repo.mode, [closed, theirs])


def test_shop_services(mode):
    seller = a_user()
    with pytest.raises(InvalidSettingInput, match="logoUrl"):
        shop_save(seller_id=seller.id, shop_name="S", logo_url="javascript:alert(1)")
    shop_save(seller_id=seller.id, shop_name=" S ", logo_url="  ")
    assert shop_of_seller(seller_id=seller.id).shop_name == "S"
    assert shop_of_seller(seller_id=seller.id).logo_url is None
    shop_set_open(seller_id=seller.id, is_open=False)
    assert open_shops() == []


def test_configs_keep_any_json_value(repo_of):
    repo = repo_of("config")
    fee = repo.set_config(key="fee", value_json="1.5", description="Fee, percent")
    nothing = repo.set_config(key="undecided", value_json="null")
    nested = repo.set_config(key="limits", value_json='{"z": [1, 1.0, true, null], "a": {"b": "é"}}')
    assert repo.set_config(key="fee", value_json="1.5") == fee  # same value, description kept: nothing changed
    fee = repo.set_config(key="fee", value_json="2.5")
    assert fee.value == 2.5 and fee.description == "Fee, percent"
    assert [c.key for c in repo.list_configs()] == ["fee", "limits", "undecided"]
    assert repo.get_config("undecided").value_json == "null"
    assert_stores_follow_mode("config", repo.mode, [fee, nothing, nested])
    assert repo.delete_config("fee") == [fee] and repo.delete_config("fee") == []
    _gone_everywhere("config", "configs", fee.id)


def test_config_services_round_trip_every_json_type(mode):
    values = {
        "int": 1,
        "float": 1.0,
        "big": 10**18,
        "tiny": 1e-300,
        "null": None,
        "bool": False,
        "text": "ünïcode ✓",
        "array": [3, 2.5, [None, {}], "x"],
        "object": {"z": 1, "a": {"y": [], "b": 0.0}},
    }
    for key, value in values.items():
        config_set(key=key, value=value)
    for key, value in values.items():
        got = config_value(key=key, default="MISSING")
        assert got == value and type(got) is type(value), key
        assert repr(got) == repr(value), key  # key order and float spelling too
    assert config_value(key="absent", default="MISSING") == "MISSING"
    assert len(configs()) == len(values)
    for bad in (" spaced ", "", 5):
        with pytest.raises(InvalidSettingInput):
            config_set(key=bad, value=1)
    with pytest.raises(InvalidSettingInput):
        config_set(key="weird", value={"$oid": "not an id"})
    assert [c.key for c in config_delete(key="int")] == ["int"]
