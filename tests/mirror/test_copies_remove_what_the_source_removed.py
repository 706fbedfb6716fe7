"""A copy toward Mongo carries removals too: a value Postgres cleared is gone from the document, and an
array Postgres shortened is shortened in Mongo (not merged with what Mongo had)."""

import dataclasses

import pytest
from bson import ObjectId

from blog.records import BlogPostRecord
from cutover.mirror.copy import mirror_record
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.store.legacy import new_id, next_moment, now_ms
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database
from tests.factories import a_payment, a_user, put_everywhere
from trezor.records import DerivedAddress, TrezorAccountRecord


@pytest.fixture
def dual(db):
    for domain in ("payment", "blog"):
        set_store_mode(domain, StoreMode.DUAL)


def test_an_optional_value_cleared_in_postgres_is_gone_from_the_mongo_document(dual):
    payment = a_payment()
    with_hash = dataclasses.replace(payment, tx_hash="0xabc", updated_at=next_moment(payment.updated_at))
    put_everywhere("payment", with_hash)
    cleared = dataclasses.replace(with_hash, tx_hash=None, updated_at=next_moment(with_hash.updated_at))
    domain_spec("payment").backends()["postgres"].put_snapshot(cleared)
    mirror_record("payment", "payments", payment.id, "mongo")
    document = mongo_database().payments.find_one({"_id": ObjectId(payment.id)})
    assert document.get("txHash") is None
    assert domain_spec("payment").backends()["mongo"].get_snapshot("payments", payment.id) == cleared


def test_an_array_shortened_in_postgres_is_shortened_in_mongo(dual):
    at = now_ms()
    post = put_everywhere(
        "blog",
        BlogPostRecord(
            id=new_id(),
            slug=f"s-{new_id()}",
            title="t",
            body="b",
            author_id=a_user().id,
            tags=["a", "b", "c"],
            is_published=False,
            published_at=None,
            created_at=at,
            updated_at=at,
        ),
    )
    shortened = dataclasses.replace(post, tags=["a"], updated_at=next_moment(post.updated_at))
    domain_spec("blog").backends()["postgres"].put_snapshot(shortened)
    mirror_record("blog", "blogs", post.id, "mongo")
    assert mongo_database().blogs.find_one({"_id": ObjectId(post.id)})["tags"] == ["a"]


@pytest.mark.parametrize("kept", [0, 1, 2], ids=["emptied", "shortened_to_one", "shortened_to_two"])
def test_an_embedded_array_shortened_in_postgres_is_shortened_in_mongo(db, kept):
    set_store_mode("trezor", StoreMode.DUAL)
    at = now_ms()
    addresses = tuple(
        DerivedAddress(index=index, address=f"T{index}{new_id()}", path=f"m/44'/195'/0'/0/{index}", used_at=None)
        for index in range(3)
    )
    account = put_everywhere(
        "trezor",
        TrezorAccountRecord(
            id=new_id(),
            user_id=a_user().id,
            label="l",
            xpub=f"xpub{new_id()}",
            network="tron",
            account_index=0,
            derived_addresses=addresses,
            created_at=at,
            updated_at=at,
        ),
    )
    shortened = dataclasses.replace(account, derived_addresses=addresses[:kept], updated_at=next_moment(at))
    domain_spec("trezor").backends()["postgres"].put_snapshot(shortened)
    mirror_record("trezor", "trezoraccounts", account.id, "mongo")
    document = mongo_database().trezoraccounts.find_one({"_id": ObjectId(account.id)})
    assert [element["address"] for element in document["derivedAddresses"]] == [a.address for a in addresses[:kept]]
    assert domain_spec("trezor").backends()["mongo"].get_snapshot("trezoraccounts", account.id) == shortened
