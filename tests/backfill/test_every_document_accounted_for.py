"""Issue 8, item 4: verify accounts for every document whatever its _id; ids that normalize to one are a
clash; open rejects block the move to dual until resolved or acknowledged (service, CLI, admin)."""

import pytest
from bson import ObjectId
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse

from cutover.backfill.review import ACKNOWLEDGE_PERMISSION, RejectAcknowledgementRefused, backfill_reject_acknowledge
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from cutover.operations.mode_changes import CHANGE_PERMISSION, StoreModeChangeRefused, store_mode_change
from cutover.testing import set_store_mode
from tests.cutover.helpers import make_user

WEIRD = {"weird": 1}


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def _acknowledger(name="ops"):
    return make_user(name, ACKNOWLEDGE_PERMISSION, "cutover.view_backfillreject")


def _acknowledge_all(user, reason="kept out on purpose: test data from 2019"):
    ids = list(BackfillReject.objects.filter(status="open").values_list("pk", flat=True))
    return backfill_reject_acknowledge(reject_ids=ids, user=user, reason=reason)


# --- verify counts every document ----------------------------------------------------------------------------


def test_a_document_with_an_odd_id_fails_verify_and_is_counted(legacy):
    legacy.payment()
    legacy.db.payments.insert_one(legacy.payment() | {"_id": WEIRD})
    legacy.db.payments.insert_one({"_id": 12.5, "amount": 1})
    _parents()
    backfill_domain("payment")
    result = verify_domain("payment")
    assert not result.passed
    counts = result.counts["payments"]
    assert counts["documents"] == legacy.db.payments.count_documents({}) == 4
    assert result.samples["payments"]["unreadable_in_mongo"].keys() == {"{'weird': 1}", "12.5"}


def test_acknowledged_rejects_are_counted_apart_and_verify_passes(legacy):
    legacy.payment()
    legacy.db.payments.insert_one({"_id": WEIRD, "amount": 1})
    bad = legacy.payment(amount="ten")
    _parents()
    backfill_domain("payment")
    assert not verify_domain("payment").passed
    _acknowledge_all(_acknowledger())
    result = verify_domain("payment")
    assert result.passed, result.samples
    assert result.counts["payments"] | {"ranges": 0} == {
        "documents": 3,
        "compared": 1,
        "ranges": 0,
        "ranges_differing": 0,
        "missing_in_postgres": 0,
        "missing_in_mongo": 0,
        "differing": 0,
        "unreadable_in_mongo": 0,
        "id_clashes": 0,
        "render_differs": 0,
        "in_flight": 0,
        "acknowledged": 2,
        "implausible": 0,
    }
    assert sorted(result.samples["payments"]["acknowledged"]) == sorted([str(WEIRD), str(bad["_id"])])


def test_an_acknowledgement_covers_the_document_as_it_was(legacy):
    bad = legacy.payment(amount="ten")
    _parents()
    backfill_domain("payment")
    _acknowledge_all(_acknowledger())
    backfill_domain("payment", restart=True)  # rejected again, unchanged: stays acknowledged
    assert list(BackfillReject.objects.values_list("status", flat=True)) == ["acknowledged"]
    assert verify_domain("payment").passed

    legacy.db.payments.update_one({"_id": bad["_id"]}, {"$set": {"amount": "eleven"}})
    backfill_domain("payment", restart=True)  # a changed document needs a new look
    reject = BackfillReject.objects.get()
    assert (reject.status, reject.acknowledged_by_name, reject.acknowledgement_reason) == ("open", "", "")
    assert not verify_domain("payment").passed


def test_an_acknowledged_document_fixed_later_loads_and_is_resolved(legacy):
    bad = legacy.payment(amount="ten")
    _parents()
    backfill_domain("payment")
    _acknowledge_all(_acknowledger())
    legacy.db.payments.update_one({"_id": bad["_id"]}, {"$set": {"amount": "10"}})
    backfill_domain("payment")
    reject = BackfillReject.objects.get()
    assert reject.status == "resolved" and reject.acknowledged_by_name == "ops"  # the record of who said what stays
    result = verify_domain("payment")
    assert result.passed and result.counts["payments"]["acknowledged"] == 0


@pytest.mark.parametrize(
    "ids",
    [
        pytest.param(lambda x: (ObjectId(x), x), id="ObjectId and its hex string"),
        pytest.param(lambda x: (x, x.upper()), id="hex string in two cases"),
        pytest.param(lambda x: (ObjectId(x), x, x.upper()), id="all three"),
    ],
)
def test_documents_that_normalize_to_one_id_are_an_id_clash(legacy, ids):
    template = legacy.payment()
    legacy.db.payments.delete_one({"_id": template["_id"]})
    clashing = ids(str(ObjectId()))
    for amount, raw in enumerate(clashing, start=1):
        legacy.db.payments.insert_one(template | {"_id": raw, "amount": amount * 100, "status": "pending"})
    _parents()
    backfill_domain("payment")
    result = verify_domain("payment")
    assert not result.passed
    assert result.counts["payments"]["documents"] == len(clashing)
    assert result.samples["payments"]["id_clashes"] == {str(clashing[0]).lower(): sorted(map(repr, clashing))}
    assert result.samples["payments"]["missing_in_mongo"] == []  # the one row is reported as the clash, once


def test_verify_still_passes_a_clean_domain_with_string_ids(legacy):
    payment = legacy.payment()
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy.db.payments.insert_one(payment | {"_id": str(payment["_id"])})
    legacy.payment()
    _parents()
    backfill_domain("payment")
    result = verify_domain("payment", range_size=1)
    assert result.passed, result.samples
    assert result.counts["payments"]["documents"] == result.counts["payments"]["compared"] == 2


# --- open rejects block dual -----------------------------------------------------------------------------------


def test_open_rejects_block_the_move_to_dual_until_acknowledged(legacy):
    changer = make_user("lead", CHANGE_PERMISSION)
    legacy.payment()
    legacy.db.payments.insert_one({"_id": WEIRD, "amount": 1})
    legacy.payment(amount="ten")
    _parents()
    set_store_mode("auth", "dual")
    set_store_mode("marketplace", "dual")
    store_mode_change(domain="payment", to_mode="dual_mongo_primary", user=changer, reason="start dual writes")
    backfill_domain("payment")
    verify_domain("payment")
    with pytest.raises(StoreModeChangeRefused) as refusal:
        store_mode_change(domain="payment", to_mode="dual", user=changer, reason="postgres leads")
    assert "2 open backfill reject(s) of payment (2 in payments) are missing from Postgres" in str(refusal.value)
    assert "manage.py backfill_rejects --domain payment --acknowledge ID" in str(refusal.value)
    assert "manage.py backfill payment" in str(refusal.value)

    _acknowledge_all(_acknowledger())
    verify_domain("payment")
    assert store_mode_change(domain="payment", to_mode="dual", user=changer, reason="postgres leads").to_mode == "dual"


def test_a_dry_run_reject_never_blocks_nor_a_resolved_one(legacy):
    changer = make_user("lead", CHANGE_PERMISSION)
    payment = legacy.payment(amount="ten")
    _parents()
    set_store_mode("auth", "dual")
    set_store_mode("marketplace", "dual")
    set_store_mode("payment", "dual_mongo_primary")
    backfill_domain("payment")
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"amount": "10"}})
    backfill_domain("payment")
    backfill_domain("payment", dry_run=True)
    assert list(BackfillReject.objects.values_list("status", flat=True)) == ["resolved"]
    verify_domain("payment")
    assert (
        store_mode_change(domain="payment", to_mode="dual", user=changer, reason="go (test reason)").to_mode == "dual"
    )


# --- the acknowledgement service, its CLI and its admin action --------------------------------------------------


@pytest.fixture
def two_rejects(legacy):
    legacy.payment(amount="ten")
    legacy.db.payments.insert_one({"_id": WEIRD, "amount": 1})
    _parents()
    backfill_domain("payment")
    return list(BackfillReject.objects.order_by("pk"))


def test_acknowledging_records_who_when_and_why(two_rejects):
    user = _acknowledger()
    done = backfill_reject_acknowledge(reject_ids=[r.pk for r in two_rejects], user=user, reason="  legacy junk  ")
    assert len(done) == 2
    for reject in BackfillReject.objects.all():
        assert (reject.status, reject.acknowledged_by, reject.acknowledged_by_name) == ("acknowledged", user, "ops")
        assert reject.acknowledgement_reason == "legacy junk" and reject.acknowledged_at is not None


@pytest.mark.parametrize(
    ("perms", "reason", "ids", "message"),
    [
        ((), "why it may stay out", None, "lacks the permission cutover.acknowledge_backfillreject"),
        ((ACKNOWLEDGE_PERMISSION,), "  ", None, "needs a reason"),
        ((ACKNOWLEDGE_PERMISSION,), "why it may stay out", [], "name at least one reject"),
        ((ACKNOWLEDGE_PERMISSION,), "why it may stay out", "one unknown", "no backfill reject with id 999999"),
    ],
)
def test_acknowledging_refuses_and_changes_nothing(two_rejects, perms, reason, ids, message):
    user = make_user("someone", *perms)
    known = [r.pk for r in two_rejects]
    ids = {None: known, "one unknown": [*known, 999999]}.get(ids, ids) if not isinstance(ids, list) else ids
    with pytest.raises(RejectAcknowledgementRefused, match=message):
        backfill_reject_acknowledge(reject_ids=ids, user=user, reason=reason)
    assert set(BackfillReject.objects.values_list("status", flat=True)) == {"open"}  # all or none


def test_only_open_rejects_can_be_acknowledged(two_rejects):
    user = _acknowledger()
    backfill_reject_acknowledge(reject_ids=[two_rejects[0].pk], user=user, reason="first (test reason)")
    with pytest.raises(RejectAcknowledgementRefused, match=rf"#{two_rejects[0].pk} .* is acknowledged"):
        backfill_reject_acknowledge(reject_ids=[r.pk for r in two_rejects], user=user, reason="again (test reason)")
    assert BackfillReject.objects.get(pk=two_rejects[1].pk).status == "open"


def test_the_cli_lists_and_acknowledges(two_rejects, capsys):
    _acknowledger("alice")
    call_command("backfill_rejects", "--domain", "payment")
    out = capsys.readouterr().out
    assert f"#{two_rejects[0].pk} payment payments/" in out and "2 open reject(s) of payment" in out
    call_command(
        "backfill_rejects", "--acknowledge", str(two_rejects[0].pk), "--user", "alice", "--reason", "test order"
    )
    assert f"acknowledged #{two_rejects[0].pk}" in capsys.readouterr().out
    call_command("backfill_rejects", "--status", "acknowledged")
    assert "1 acknowledged reject(s)" in capsys.readouterr().out
    assert BackfillReject.objects.get(pk=two_rejects[0].pk).acknowledged_by_name == "alice"


def test_the_cli_refuses_to_acknowledge_another_domains_reject(two_rejects):
    _acknowledger("alice")
    argv = [
        "--acknowledge",
        str(two_rejects[0].pk),
        "--user",
        "alice",
        "--reason",
        "x (test reason)",
        "--domain",
        "auth",
    ]
    with pytest.raises(CommandError, match=rf"refused: #{two_rejects[0].pk} is a reject of payment, not of auth"):
        call_command("backfill_rejects", *argv)
    assert BackfillReject.objects.get(pk=two_rejects[0].pk).status == "open"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--acknowledge", "1", "--reason", "x (test reason)"], "acknowledging needs --user USERNAME"),
        (["--acknowledge", "1", "--user", "nobody", "--reason", "x (test reason)"], "no user named 'nobody'"),
        (
            ["--acknowledge", "999999", "--user", "alice", "--reason", "x (test reason)"],
            "refused: no backfill reject with id 999999",
        ),
        (
            ["--acknowledge", "1", "--user", "alice"],
            r"refused: acknowledging a reject \(why .* needs a reason of at least 10",
        ),
        (["--domain", "paymnt"], "unknown store domain 'paymnt'"),
        (["--limit", "0"], "argument --limit: expected a whole number of at least 1, got 0"),
    ],
)
def test_the_cli_refuses_with_a_message(transactional_db, argv, message):
    _acknowledger("alice")
    with pytest.raises(CommandError, match=message):
        call_command("backfill_rejects", *argv)


def test_the_admin_action_asks_for_a_reason_then_acknowledges_and_logs(two_rejects, client):
    user = _acknowledger()
    client.force_login(user)
    url = reverse("admin:cutover_backfillreject_changelist")
    selected = {"action": "acknowledge", "_selected_action": [r.pk for r in two_rejects]}
    page = client.post(url, selected)
    assert page.status_code == 200 and b"Acknowledge 2 reject(s)" in page.content  # the intermediate page
    assert set(BackfillReject.objects.values_list("status", flat=True)) == {"open"}

    empty = client.post(url, selected | {"apply": "1", "reason": ""})
    assert empty.status_code == 200 and b"This field is required" in empty.content

    done = client.post(url, selected | {"apply": "1", "reason": "duplicates of 2019 test orders"}, follow=True)
    assert b"Acknowledged 2 reject(s)" in done.content
    assert set(BackfillReject.objects.values_list("acknowledgement_reason", flat=True)) == {
        "duplicates of 2019 test orders"
    }
    logged = LogEntry.objects.filter(user=user, object_id__in=[str(r.pk) for r in two_rejects])
    assert logged.count() == 2 and "duplicates of 2019" in logged.first().change_message


def test_the_admin_action_needs_the_permission(two_rejects, client):
    client.force_login(make_user("viewer", "cutover.view_backfillreject"))
    url = reverse("admin:cutover_backfillreject_changelist")
    assert b'value="acknowledge"' not in client.get(url).content
    client.post(
        url,
        {"action": "acknowledge", "_selected_action": [two_rejects[0].pk], "apply": "1", "reason": "x (test reason)"},
    )
    assert set(BackfillReject.objects.values_list("status", flat=True)) == {"open"}


def test_a_long_string_id_gets_its_own_reject_and_can_be_acknowledged(legacy):
    long_ids = ["x" * 300 + "a", "x" * 300 + "b"]  # the same first 200 characters
    for odd in long_ids:
        legacy.db.payments.insert_one({"_id": odd, "amount": 1})
    run = backfill_domain("payment")
    assert (run.status, run.summary["payments"]["rejected"]) == ("finished", 2)
    record_ids = set(BackfillReject.objects.values_list("record_id", flat=True))
    assert len(record_ids) == 2 and all(len(record_id) <= 200 for record_id in record_ids)
    backfill_domain("payment", restart=True)  # rejected again: the same two rejects, not two more
    assert BackfillReject.objects.count() == 2
    _acknowledge_all(_acknowledger())
    result = verify_domain("payment")
    assert result.passed and result.counts["payments"]["acknowledged"] == 2


def test_a_nul_byte_in_a_string_id_is_escaped_in_the_reject_id():
    from cutover.backfill.rejects import storable_record_id

    assert storable_record_id("nul\x00byte") == "nul\\x00byte"
