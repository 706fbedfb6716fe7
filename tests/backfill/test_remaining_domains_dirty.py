"""Dirty legacy documents of pointtransactions, reviews, blogs, levelconfigs, shopsettings and configs
(the dirty data docs/legacy-collections.md lists for each): each migrates correctly or is a reject naming the
field or the clash, and the run goes on; a verify afterwards counts the rejects, never a silent drop."""

from datetime import UTC, datetime, timedelta

import pytest
from bson import Int64, ObjectId

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from cutover.store.legacy import now_ms
from tests.backfill.conftest import MISSING, postgres_record

AT = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def people(legacy):
    buyer, seller = legacy.user(), legacy.user()
    return buyer, seller, legacy.purchase_request(buyer, seller)


def _insert(legacy, collection: str, doc: dict) -> dict:
    doc = {"_id": ObjectId()} | {key: value for key, value in doc.items() if value is not MISSING}
    legacy.db[collection].insert_one(doc)
    return doc


def _rejects(domain: str) -> dict[str, tuple[str, str]]:
    return {r.record_id: (r.kind, r.reason) for r in BackfillReject.objects.filter(domain=domain)}


def _backfill(*domains: str) -> None:
    for name in ("auth", "marketplace", *domains):
        backfill_domain(name)


def test_point_transactions(legacy, people):
    user = people[0]
    base = {"userId": user["_id"], "points": 10, "reason": "purchase", "createdAt": AT}
    good = {
        "negative": _insert(legacy, "pointtransactions", base | {"points": -25}),
        "int64": _insert(legacy, "pointtransactions", base | {"points": Int64(2**40)}),
        "string id and number": _insert(
            legacy, "pointtransactions", base | {"userId": str(user["_id"]), "points": "7"}
        ),
        "epoch date": _insert(legacy, "pointtransactions", base | {"createdAt": 1709294400000}),
        "no date": _insert(legacy, "pointtransactions", base | {"createdAt": MISSING, "reason": MISSING}),
    }
    bad = {
        "fraction": (_insert(legacy, "pointtransactions", base | {"points": 1.5}), "points: expected an integer"),
        # a double past 2**53 holds no exact integer: refused by the int table before the range is asked
        "too big": (_insert(legacy, "pointtransactions", base | {"points": 1e19}), "points: expected an integer"),
        "no points": (_insert(legacy, "pointtransactions", base | {"points": MISSING}), "points"),
        "orphan": (_insert(legacy, "pointtransactions", base | {"userId": ObjectId()}), "orphan: userId"),
        "odd reference": (
            _insert(legacy, "pointtransactions", base | {"referenceId": "order-12"}),
            "referenceId",
        ),
    }
    _backfill("points")
    assert postgres_record("points", "pointtransactions", good["negative"]["_id"]).points == -25
    assert postgres_record("points", "pointtransactions", good["int64"]["_id"]).points == 2**40
    assert postgres_record("points", "pointtransactions", good["string id and number"]["_id"]).points == 7
    undated = postgres_record("points", "pointtransactions", good["no date"]["_id"])
    assert undated.created_at == good["no date"]["_id"].generation_time and undated.reason == ""
    rejects = _rejects("points")
    for doc, reason in bad.values():
        assert reason in rejects[str(doc["_id"])][1]
    assert set(rejects) == {str(doc["_id"]) for doc, _ in bad.values()}
    parity = verify_domain("points")
    assert not parity.passed  # open rejects: counted, never silently dropped


def test_reviews(legacy, people):
    buyer, seller, request = people
    base = {
        "purchaseRequestId": request["_id"],
        "reviewerId": buyer["_id"],
        "revieweeId": seller["_id"],
        "rating": 5,
        "comment": "Отлично",
        "createdAt": AT,
        "updatedAt": AT,
    }
    first = _insert(legacy, "reviews", base)
    seller_review = _insert(legacy, "reviews", base | {"reviewerId": seller["_id"], "revieweeId": buyer["_id"]})
    as_text = _insert(legacy, "reviews", base | {"rating": "4", "reviewerId": legacy.user()["_id"], "comment": None})
    bad = {
        "duplicate": (_insert(legacy, "reviews", base | {"rating": 1}), "unique_clash"),
        "zero stars": (_insert(legacy, "reviews", base | {"rating": 0}), "bad_value"),
        "six stars": (_insert(legacy, "reviews", base | {"rating": 6}), "bad_value"),
        "half star": (_insert(legacy, "reviews", base | {"rating": 4.5}), "bad_value"),
        "no rating": (_insert(legacy, "reviews", base | {"rating": MISSING}), "bad_value"),
        "orphan request": (_insert(legacy, "reviews", base | {"purchaseRequestId": ObjectId()}), "orphan"),
        "orphan reviewee": (_insert(legacy, "reviews", base | {"revieweeId": ObjectId()}), "orphan"),
    }
    _backfill("review")
    assert postgres_record("review", "reviews", first["_id"]).rating == 5
    assert postgres_record("review", "reviews", seller_review["_id"]) is not None
    assert (
        postgres_record("review", "reviews", as_text["_id"]).rating,
        postgres_record("review", "reviews", as_text["_id"]).comment,
    ) == (4, "")
    rejects = _rejects("review")
    assert {key: rejects[str(doc["_id"])][0] for key, (doc, _) in bad.items()} == {
        key: k for key, (_, k) in bad.items()
    }
    assert "reviews_one_per_request_reviewer" in rejects[str(bad["duplicate"][0]["_id"])][1]
    assert "rating: expected an integer from 1 to 5" in rejects[str(bad["six stars"][0]["_id"])][1]


def test_blogs(legacy, people):
    author = people[0]
    base = {
        "slug": "hello",
        "title": "Hello",
        "body": "…",
        "authorId": author["_id"],
        "tags": ["news", "мир"],
        "isPublished": True,
        "publishedAt": AT,
        "createdAt": AT,
        "updatedAt": AT,
    }
    hello = _insert(legacy, "blogs", base)
    draft = _insert(
        legacy, "blogs", base | {"slug": "draft", "isPublished": "false", "publishedAt": None, "tags": None}
    )
    iso = _insert(legacy, "blogs", base | {"slug": "iso", "publishedAt": "2024-03-02T10:00:00Z", "isPublished": 1})
    bad = {
        "duplicate slug": (_insert(legacy, "blogs", base | {"title": "Again"}), "unique_clash", "slug"),
        "published, no date": (
            _insert(legacy, "blogs", base | {"slug": "undated", "publishedAt": MISSING}),
            "bad_value",
            "blog_posts_published_has_date",
        ),
        "tags not an array": (_insert(legacy, "blogs", base | {"slug": "t1", "tags": "news"}), "bad_value", "tags"),
        "a tag not a string": (
            _insert(legacy, "blogs", base | {"slug": "t2", "tags": ["a", 3]}),
            "bad_value",
            "tags[1]",
        ),
        "no slug": (_insert(legacy, "blogs", base | {"slug": MISSING}), "bad_value", "slug"),
        "orphan author": (_insert(legacy, "blogs", base | {"slug": "o", "authorId": ObjectId()}), "orphan", "authorId"),
    }
    _backfill("blog")
    assert postgres_record("blog", "blogs", hello["_id"]).tags == ["news", "мир"]
    unpublished = postgres_record("blog", "blogs", draft["_id"])
    assert (unpublished.is_published, unpublished.published_at, unpublished.tags) == (False, None, [])
    assert postgres_record("blog", "blogs", iso["_id"]).published_at == datetime(2024, 3, 2, 10, tzinfo=UTC)
    rejects = _rejects("blog")
    for name, (doc, kind, words) in bad.items():
        assert rejects[str(doc["_id"])][0] == kind, name
        assert words in rejects[str(doc["_id"])][1], name


def test_settings_collections(legacy, people):
    seller = people[1]
    level = _insert(
        legacy, "levelconfigs", {"level": 2, "name": "Trader", "minPoints": 100, "perks": ["x", {"b": 1, "a": 2.0}]}
    )
    no_perks = _insert(legacy, "levelconfigs", {"level": 1, "name": "New", "minPoints": MISSING, "perks": None})
    bad_levels = {
        "duplicate level": _insert(legacy, "levelconfigs", {"level": 2, "name": "Again", "minPoints": 5}),
        "perks not an array": _insert(legacy, "levelconfigs", {"level": 3, "name": "X", "perks": "fast"}),
        "negative level": _insert(legacy, "levelconfigs", {"level": -1, "name": "X"}),
    }
    shop = _insert(legacy, "shopsettings", {"sellerId": seller["_id"], "shopName": "Cards", "isOpen": "true"})
    bad_shops = {
        "second shop": _insert(legacy, "shopsettings", {"sellerId": seller["_id"], "shopName": "Twin"}),
        "orphan seller": _insert(legacy, "shopsettings", {"sellerId": ObjectId(), "shopName": "Gone"}),
        "no name": _insert(legacy, "shopsettings", {"sellerId": people[0]["_id"]}),
    }
    null_config = _insert(legacy, "configs", {"key": "a", "value": None})
    no_value = _insert(legacy, "configs", {"key": "b"})
    bad_configs = {
        "duplicate key": _insert(legacy, "configs", {"key": "a", "value": 1}),
        "lookalike wrapper": _insert(legacy, "configs", {"key": "c", "value": {"$oid": "not-an-id"}}),
        "no key": _insert(legacy, "configs", {"value": 1}),
    }
    _backfill("shop_settings", "level_config", "config")
    assert postgres_record("level_config", "levelconfigs", level["_id"]).perks == ["x", {"b": 1, "a": 2.0}]
    assert postgres_record("level_config", "levelconfigs", no_perks["_id"]).perks_json == "[]"
    assert postgres_record("shop_settings", "shopsettings", shop["_id"]).is_open is True
    assert postgres_record("config", "configs", null_config["_id"]).value_json == "null"
    assert postgres_record("config", "configs", no_value["_id"]).value_json is None
    for domain, bad in (("level_config", bad_levels), ("shop_settings", bad_shops), ("config", bad_configs)):
        assert set(_rejects(domain)) == {str(doc["_id"]) for doc in bad.values()}, domain
    assert _rejects("config")[str(bad_configs["duplicate key"]["_id"])][0] == "unique_clash"
    assert _rejects("shop_settings")[str(bad_shops["second shop"]["_id"])][0] == "unique_clash"


def test_unknown_fields_and_string_ids_survive_a_write_back(legacy, people):
    """Lossless: a config document with unknown keys and a string _id, changed in `dual`, keeps both."""
    from cutover.testing import set_store_mode
    from settings_store.services import config_set

    oid = ObjectId()
    legacy.db.configs.insert_one(
        {"_id": str(oid), "key": "k", "value": {"b": 1, "a": [1.0, None]}, "note": "kept", "__v": Int64(0)}
    )
    _backfill("config")
    set_store_mode("config", "dual")
    config_set(key="k", value={"b": 2, "a": [1.0, None]})
    doc = legacy.db.configs.find_one({"_id": str(oid)})
    assert (doc["note"], type(doc["__v"]), list(doc["value"])) == ("kept", Int64, ["b", "a"])
    assert doc["value"] == {"b": 2, "a": [1.0, None]} and isinstance(doc["value"]["a"][0], float)
    assert doc["updatedAt"] > now_ms() - timedelta(minutes=1)
    assert verify_domain("config").passed
