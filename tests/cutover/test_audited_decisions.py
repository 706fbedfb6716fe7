"""One audited decision (cutover.audit) for every operator action: permission, a reason of at least
CUTOVER_MIN_REASON_LENGTH characters, who and when. And the admin says what a refused user lacks.

The finding: a one-character reason ("x") was accepted for a mode change, an acknowledgement and a
requeue; a step URL opened without the permission gave a bare "403 Forbidden"; Django's own
change_domainstoremode permission did nothing and the admin never said so."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from cutover.audit import min_reason_length
from cutover.backfill.review import (
    ACKNOWLEDGE_PERMISSION,
    RejectAcknowledgementRefused,
    backfill_reject_acknowledge,
)
from cutover.models import BackfillReject, MirrorOutboxEntry, OutboxRequeue, StoreModeChange
from cutover.modes.cache import current_mode
from cutover.operations.mode_changes import (
    CHANGE_PERMISSION,
    StoreModeChangeRefused,
    store_mode_change,
    store_mode_set_shadow_percent,
)
from cutover.operations.requeue import REQUEUE_PERMISSION, RequeueRefused, outbox_requeue_dead
from cutover.testing import set_store_mode
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db
DEFAULT_MINIMUM = 10  # README and settings.py say so


def _reject() -> BackfillReject:
    record_id = f"{BackfillReject.objects.count():024x}"
    return BackfillReject.objects.create(
        domain="payment", collection="payments", record_id=record_id, kind="bad_value", reason="bad", document={}
    )


def _dead() -> MirrorOutboxEntry:
    return MirrorOutboxEntry.objects.create(
        domain="dispute", collection="disputes", record_id="b" * 24, target="mongo", status="dead", attempts=12
    )


def _decide(kind: str, reason: str, name: str = "lead"):
    """Take one decision of `kind` with `reason`, as a user (`name`) holding its permission."""
    if kind == "mode change":
        user = make_user(name, CHANGE_PERMISSION)
        return store_mode_change(domain="dispute", to_mode="dual_mongo_primary", user=user, reason=reason)
    if kind == "shadow percent":
        set_store_mode("dispute", "dual")
        user = make_user(name, CHANGE_PERMISSION)
        return store_mode_set_shadow_percent(domain="dispute", percent=5, user=user, reason=reason)
    if kind == "acknowledgement":
        user = make_user(name, ACKNOWLEDGE_PERMISSION)
        return backfill_reject_acknowledge(reject_ids=[_reject().pk], user=user, reason=reason)
    user = make_user(name, REQUEUE_PERMISSION)
    return outbox_requeue_dead(user=user, reason=reason, entry_ids=[_dead().pk])


KINDS = ["mode change", "shadow percent", "acknowledgement", "requeue"]
REFUSED = (StoreModeChangeRefused, RejectAcknowledgementRefused, RequeueRefused)


def _nothing_recorded() -> bool:
    acknowledged = BackfillReject.objects.exclude(status="open").exists()
    return not (StoreModeChange.objects.exists() or OutboxRequeue.objects.exists() or acknowledged)


def test_the_default_minimum_is_ten_characters():
    assert min_reason_length() == DEFAULT_MINIMUM


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reason", ["x", "  x  ", "nine char", " " * 12 + "nine char" + " " * 12])
def test_a_reason_one_character_short_is_refused_and_nothing_changes(kind, reason):
    with pytest.raises(REFUSED, match=f"needs a reason of at least {DEFAULT_MINIMUM} characters"):
        _decide(kind, reason)
    assert _nothing_recorded() and current_mode("dispute").value in ("mongo", "dual")


@pytest.mark.parametrize("kind", KINDS)
def test_a_reason_of_exactly_the_minimum_is_kept_stripped_with_who_and_when(kind):
    _decide(kind, "  ten chars!  ")
    kept = {
        "mode change": lambda: StoreModeChange.objects.values_list("reason", "changed_by_name").get(),
        "shadow percent": lambda: StoreModeChange.objects.values_list("reason", "changed_by_name").get(),
        "acknowledgement": lambda: BackfillReject.objects.values_list(
            "acknowledgement_reason", "acknowledged_by_name"
        ).get(),
        "requeue": lambda: OutboxRequeue.objects.values_list("reason", "requested_by_name").get(),
    }[kind]()
    assert kept == ("ten chars!", "lead")


@pytest.mark.parametrize("kind", KINDS)
def test_the_minimum_is_one_setting_for_every_decision(kind, settings):
    settings.CUTOVER_MIN_REASON_LENGTH = 40
    with pytest.raises(REFUSED, match="needs a reason of at least 40 characters, .*; got 39"):
        _decide(kind, "y" * 39)
    settings.CUTOVER_MIN_REASON_LENGTH = 0  # never below one character
    with pytest.raises(REFUSED, match="at least 1 characters"):
        _decide(kind, "   ", name="lead2")


@pytest.fixture
def viewer_client(client):
    client.force_login(make_user("viewer", "cutover.view_domainstoremode"))
    return client


def test_a_step_refused_for_a_lack_of_permission_is_a_page_of_the_admin_naming_it(viewer_client):
    current_mode("dispute")
    response = viewer_client.get(reverse("admin:cutover_domainstoremode_step", args=["dispute", "dual_mongo_primary"]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "escrow-cutover administration" in page  # the admin's header, not a bare "403 Forbidden"
    assert "Changing a store mode needs the permission cutover.change_store_mode" in page


def test_djangos_own_refusals_name_the_permission_too(client):
    client.force_login(make_user("nobody-in-particular"))
    response = client.get(reverse("admin:cutover_storemodechange_changelist"))
    page = response.content.decode()
    assert response.status_code == 403 and "escrow-cutover administration" in page
    assert "cutover.view_storemodechange" in page


def test_store_modes_have_one_permission_model_and_the_page_says_it(viewer_client):
    codenames = set(Permission.objects.filter(content_type__model="domainstoremode").values_list("codename", flat=True))
    assert codenames == {"view_domainstoremode", "change_store_mode", "override_store_mode_guard"}
    current_mode("dispute")
    page = viewer_client.get(reverse("admin:cutover_domainstoremode_change", args=["dispute"])).content.decode()
    assert "need the permission cutover.change_store_mode" in page and "cutover.override_store_mode_guard" in page


@pytest.mark.parametrize(
    ("model", "action", "perm", "make"),
    [
        ("backfillreject", "acknowledge", ACKNOWLEDGE_PERMISSION, _reject),
        ("mirroroutboxentry", "requeue_dead", REQUEUE_PERMISSION, _dead),
    ],
)
def test_both_list_actions_ask_for_the_reason_on_one_page_and_refuse_a_short_one(client, model, action, perm, make):
    client.force_login(make_user("ops", perm, f"cutover.view_{model}"))
    row = make()
    url = reverse(f"admin:cutover_{model}_changelist")
    selected = {"action": action, ACTION_CHECKBOX_NAME: [row.pk]}
    asked = client.post(url, selected)
    assert [t.name for t in asked.templates][0] == "admin/cutover/decision_confirm.html"
    refused = client.post(url, selected | {"apply": "1", "reason": "x"})
    assert "at least 10 characters" in refused.content.decode()
    assert _nothing_recorded()
    client.post(url, selected | {"apply": "1", "reason": "the cause is fixed"})
    assert not _nothing_recorded()


def test_the_step_form_refuses_a_short_reason_before_the_confirmation(client):
    client.force_login(make_user("lead", CHANGE_PERMISSION))
    url = reverse("admin:cutover_domainstoremode_step", args=["dispute", "dual_mongo_primary"])
    response = client.post(url, {"from_mode": current_mode("dispute").value, "reason": "x"})
    assert "at least 10 characters" in response.content.decode()
    assert "confirm-button" not in response.content.decode() and not StoreModeChange.objects.exists()
