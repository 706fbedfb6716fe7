"""The cutover cockpit in admin, through Django's test client: steps with their blockers, a confirmation, audited
shadow reads, override as a danger zone, the lists. tests/browser drives the same pages in Chromium."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from cutover.models import DomainStoreMode, MirrorOutboxEntry, StoreModeChange
from cutover.modes.cache import current_mode
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import CHANGE_PERMISSION, OVERRIDE_PERMISSION, latest_mode_history_id
from cutover.testing import set_store_mode
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)
VIEW_PERMISSION = "cutover.view_domainstoremode"


@pytest.fixture
def url():
    current_mode("dispute")  # the registry creates the row
    return reverse("admin:cutover_domainstoremode_change", args=["dispute"])


def _step_url(domain: str, to_mode: str) -> str:
    return reverse("admin:cutover_domainstoremode_step", args=[domain, to_mode])


def _step(client, domain, to_mode, *, confirm: bool, **fields):
    data = {"from_mode": current_mode(domain).value, "history": latest_mode_history_id(domain), "reason": ""} | fields
    if confirm:
        data["confirm"] = "1"
    return client.post(_step_url(domain, to_mode), data)


def test_advance_goes_through_a_confirmation_and_names_from_and_to(client, url):
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    review = _step(client, "dispute", "dual_mongo_primary", confirm=False, reason="start dual writes")
    page = review.content.decode()
    assert review.status_code == 200 and "Confirm: advance to dual_mongo_primary" in page
    assert "start dual writes" in page and current_mode("dispute") is StoreMode.MONGO  # nothing changed yet
    done = _step(client, "dispute", "dual_mongo_primary", confirm=True, reason="start dual writes")
    assert done.status_code == 302 and done.url == url
    assert current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY
    assert StoreModeChange.objects.get().reason == "start dual writes"
    page = client.get(url).content.decode()
    assert "Dispute: mongo → dual_mongo_primary." in page  # the message names from → to (admin capitalizes it)
    assert "mongo → dual_mongo_primary</td><td>start dual writes" in page  # the recent changes table
    assert LogEntry.objects.get().get_change_message() == "Store mode mongo → dual_mongo_primary: start dual writes"


def test_the_step_page_lists_every_failing_precondition_with_its_command(client):
    set_store_mode("dispute", "dual_mongo_primary")
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    page = client.get(_step_url("dispute", "dual")).content.decode()
    for command in (
        "manage.py store_mode auth --to dual_mongo_primary --user USERNAME --reason &#x27;WHY&#x27;",
        "manage.py backfill auth",
        "manage.py verify marketplace",
        "manage.py store_mode payment --to dual --user USERNAME --reason &#x27;WHY&#x27;",
        "manage.py backfill dispute",
    ):
        assert f"<code>{command}</code>" in page
    assert "`" not in page.split('id="cutover-step"')[1]
    assert "Danger zone" not in page  # no override permission
    refused = _step(client, "dispute", "dual", confirm=True, reason="go (test reason)")
    assert refused.status_code == 200 and "precondition(s) fail (listed above)" in refused.content.decode()
    assert current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY
    assert not StoreModeChange.objects.exists() and not LogEntry.objects.exists()


def test_a_refusal_at_the_service_shows_no_success_and_writes_no_log_entry(client, url):
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    stale = {"from_mode": "mongo", "history": 0, "reason": "go (test reason)", "confirm": "1"}
    set_store_mode("dispute", "mongo")
    response = client.post(_step_url("dispute", "dual_mongo_primary"), stale | {"from_mode": "dual"})
    assert "is in mongo now, not dual" in response.content.decode()
    # The mode moves between the page and the service call: the service refuses, the page says so.
    from cutover import admin_modes

    real = admin_modes.store_mode_change

    def racing(**kwargs):
        set_store_mode("dispute", "dual_mongo_primary")
        return real(**kwargs)

    admin_modes.store_mode_change = racing
    try:
        response = client.post(_step_url("dispute", "dual_mongo_primary"), stale, follow=True)
    finally:
        admin_modes.store_mode_change = real
    page = response.content.decode()
    assert "Refused: dispute stays in mongo" in page and "successfully" not in page
    assert not StoreModeChange.objects.exists() and not LogEntry.objects.exists()


def test_a_step_needs_a_reason(client):
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    response = _step(client, "dispute", "dual_mongo_primary", confirm=True, reason="  ")
    assert "This field is required" in response.content.decode()
    assert current_mode("dispute") is StoreMode.MONGO


def test_view_only_staff_see_no_change_actions_and_get_403(client, url):
    client.force_login(make_user("bob", VIEW_PERMISSION))
    page = client.get(url).content.decode()
    assert client.get(url).status_code == 200
    assert "Advance to dual_mongo_primary" in page and _step_url("dispute", "dual_mongo_primary") not in page
    assert 'name="shadow_read_percent"' not in page
    dashboard = client.get(reverse("admin:cutover_dashboard")).content.decode()
    assert "cutover-summary" in dashboard and "/step/" not in dashboard
    assert client.get(_step_url("dispute", "dual_mongo_primary")).status_code == 403
    assert _step(client, "dispute", "dual_mongo_primary", confirm=True, reason="x (test reason)").status_code == 403
    assert current_mode("dispute") is StoreMode.MONGO


def test_override_is_a_danger_zone_confirmed_and_flagged(client, url):
    set_store_mode("dispute", "dual")
    MirrorOutboxEntry.objects.create(domain="dispute", record_id="b" * 24, target="mongo", status="dead")
    client.force_login(make_user("olga", CHANGE_PERMISSION, OVERRIDE_PERMISSION, "cutover.view_storemodechange"))
    page = client.get(_step_url("dispute", "dual_mongo_primary")).content.decode()
    assert "Danger zone: override" in page and "1 mirror write(s) of dispute to mongo are dead" in page
    review = _step(client, "dispute", "dual_mongo_primary", confirm=False, reason="mongo must lead", override="on")
    assert "You are overriding 1 failing precondition(s)" in review.content.decode()
    done = _step(client, "dispute", "dual_mongo_primary", confirm=True, reason="mongo must lead", override="on")
    assert done.status_code == 302 and current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY
    change = StoreModeChange.objects.get()
    assert change.overridden and "are dead" in change.overridden_refusal
    page = client.get(url).content.decode()
    assert "Dispute: dual → dual_mongo_primary, overriding 1 failed precondition(s); flagged" in page
    assert "⚠ overridden" in page
    audit = reverse("admin:cutover_storemodechange_changelist")
    assert "mongo must lead" in client.get(audit + "?overridden=yes").content.decode()
    assert "mongo must lead" not in client.get(audit + "?overridden=no").content.decode()


def test_override_needs_its_permission(client):
    set_store_mode("dispute", "dual")
    MirrorOutboxEntry.objects.create(domain="dispute", record_id="b" * 24, target="mongo", status="dead")
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    response = _step(client, "dispute", "dual_mongo_primary", confirm=True, reason="x (test reason)", override="on")
    assert f"Overriding needs the permission {OVERRIDE_PERMISSION}" in response.content.decode()
    assert current_mode("dispute") is StoreMode.DUAL


def _shadow(client, url, percent, reason=""):
    return client.post(url, {"shadow_read_percent": percent, "shadow_reason": reason})


def test_shadow_percent_needs_a_reason_and_is_audited(client, url):
    set_store_mode("dispute", "dual_mongo_primary")
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    assert "needs a reason" in _shadow(client, url, 25).content.decode()
    response = _shadow(client, url, 25, "compare a quarter")
    assert response.status_code == 302 and response.url == url
    assert DomainStoreMode.objects.get(domain="dispute").shadow_read_percent == 25
    change = StoreModeChange.objects.get()
    assert (change.kind, change.from_shadow_percent, change.to_shadow_percent) == ("shadow_percent", 0, 25)
    page = client.get(url).content.decode()
    assert "Dispute: shadow reads 0% → 25% (in dual_mongo_primary)." in page  # the message says from → to
    assert "shadow reads 0% → 25% (in dual_mongo_primary)</td>" in page  # the recent changes table
    assert "successfully" not in page
    assert LogEntry.objects.count() == 1
    assert _shadow(client, url, 25, "").status_code == 302  # unchanged: nothing to audit, and it says so
    assert "Nothing changed." in client.get(url).content.decode() and StoreModeChange.objects.count() == 1
    assert LogEntry.objects.count() == 1


@pytest.mark.parametrize(("percent", "message"), [(150, "at most 100"), (-1, "cannot be negative")])
def test_shadow_percent_out_of_range_is_a_clear_error(client, url, percent, message):
    set_store_mode("dispute", "dual")
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    page = _shadow(client, url, percent, "x").content.decode()
    assert message in page and "Constraint" not in page
    assert DomainStoreMode.objects.get(domain="dispute").shadow_read_percent == 0


def test_shadow_percent_is_refused_in_mongo(client, url):
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    page = _shadow(client, url, 10, "x (test reason)").content.decode()
    assert "shadow reads run only in the dual modes, and dispute is in mongo" in page
    assert not StoreModeChange.objects.exists() and not LogEntry.objects.exists()


def test_a_shadow_refusal_inside_save_model_shows_no_success_and_no_log_entry(client, url):
    set_store_mode("dispute", "dual")
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    from cutover import admin_modes

    real = admin_modes.store_mode_set_shadow_percent

    def racing(**kwargs):  # a mode change lands between the form check and the save
        set_store_mode("dispute", "mongo")
        return real(**kwargs)

    admin_modes.store_mode_set_shadow_percent = racing
    try:
        response = client.post(url, {"shadow_read_percent": 10, "shadow_reason": "x (test reason)"}, follow=True)
    finally:
        admin_modes.store_mode_set_shadow_percent = real
    page = response.content.decode()
    assert "Refused: shadow reads run only in the dual modes" in page
    assert "successfully" not in page
    assert not LogEntry.objects.exists() and not StoreModeChange.objects.exists()


def test_the_dashboard_shows_every_domain_with_badge_next_step_and_checklist(client):
    set_store_mode("payment", "dual")
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    page = client.get(reverse("admin:cutover_dashboard")).content.decode()
    for domain in ("auth", "payment", "dispute"):
        assert f'id="domain-{domain}"' in page
    assert '<span class="cutover-badge cutover-mode-dual" title="Dual write, Postgres primary">dual</span>' in page
    assert _step_url("auth", "dual_mongo_primary") in page
    assert reverse("admin:cutover_backfillreject_changelist") + "?domain=payment&amp;status=open" in page
    modes = client.get(reverse("admin:cutover_domainstoremode_changelist")).content.decode()
    assert "Advance to postgres" in modes and "/8 ok" in modes


def test_every_checklist_link_opens_a_filtered_list(client):
    set_store_mode("auth", "dual")
    client.force_login(make_user("root", staff=True, superuser=True))
    from cutover.admin_display import list_url
    from cutover.operations.readiness import domain_readiness

    for item in domain_readiness("auth").checklist:
        response = client.get(list_url(item.list_filter))
        assert response.status_code == 200, item.key
        assert "?e=1" not in response.get("Location", ""), item.key


def test_lists_explain_themselves_when_empty_and_show_every_scheduled_task(client):
    client.force_login(make_user("root", staff=True, superuser=True))
    tasks = client.get(reverse("admin:cutover_scheduledtaskrun_changelist")).content.decode()
    for task in (
        "accounts.purge_expired_telegram_sessions",
        "notifications.purge_old_notifications",
        "cutover.repair_mirror_outbox",
    ):
        assert f'data-task="{task}"' in tasks
    assert "never ran (every 60 s)" in tasks and "LATE" in tasks and "Start exactly one beat" in tasks
    outbox = client.get(reverse("admin:cutover_mirroroutboxentry_changelist")).content.decode()
    assert 'id="empty-explanation"' in outbox


def test_site_header_no_view_site_and_fixed_names(client):
    client.force_login(make_user("root", staff=True, superuser=True))
    index = client.get(reverse("admin:index")).content.decode()
    assert "escrow-cutover administration" in index and "View site" not in index
    assert "Addresss" not in index and ">Addresses<" in index
    assert ">Marketplace users<" in index and reverse("admin:cutover_dashboard") in index


@pytest.mark.parametrize("path", ["admin/css/base.css", "cutover/cockpit.css"])
def test_static_files_are_served_with_debug_off(client, settings, path):
    assert not settings.DEBUG
    response = client.get(f"/static/{path}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_two_admins_confirming_the_same_step_change_the_mode_once(client):
    """The second confirmation was prepared from `mongo`; by then the mode is dual_mongo_primary: refused, not
    applied as another step from wherever the domain is now."""
    current_mode("dispute")
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    first = _step(client, "dispute", "dual_mongo_primary", confirm=True, reason="first (test reason)")
    assert first.status_code == 302
    second = client.post(
        _step_url("dispute", "dual_mongo_primary"),
        {"from_mode": "mongo", "history": 0, "reason": "second (test reason)", "confirm": "1"},
    )
    assert second.status_code == 302  # dual_mongo_primary is no longer a step away: back to the domain page
    assert list(StoreModeChange.objects.values_list("reason", flat=True)) == ["first (test reason)"]
    roll_back = client.post(
        _step_url("dispute", "mongo"),
        {"from_mode": "mongo", "history": 0, "reason": "stale (test reason)", "confirm": "1"},
    )
    assert "is in dual_mongo_primary now, not mongo" in roll_back.content.decode()
    assert current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY and StoreModeChange.objects.count() == 1


def test_bad_step_urls_are_404(client):
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    assert client.get(_step_url("nope", "dual")).status_code == 404
    assert client.get(_step_url("dispute", "sideways")).status_code == 404


def test_reasons_are_shown_escaped(client, url):
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    evil = "<script>alert(1)</script>"
    review = _step(client, "dispute", "dual_mongo_primary", confirm=False, reason=evil)
    assert evil not in review.content.decode()
    _step(client, "dispute", "dual_mongo_primary", confirm=True, reason=evil)
    assert evil not in client.get(url).content.decode()
    assert "&lt;script&gt;" in client.get(url).content.decode()


def test_an_override_with_nothing_to_override_is_an_ordinary_change(client):
    current_mode("dispute")
    client.force_login(make_user("olga", CHANGE_PERMISSION, OVERRIDE_PERMISSION))
    page = client.get(_step_url("dispute", "dual_mongo_primary")).content.decode()
    assert "Danger zone" not in page
    review = _step(client, "dispute", "dual_mongo_primary", confirm=False, reason="x (test reason)", override="on")
    assert "You are overriding" not in review.content.decode()
    _step(client, "dispute", "dual_mongo_primary", confirm=True, reason="x (test reason)", override="on")
    assert not StoreModeChange.objects.get().overridden


def test_an_empty_reject_list_says_what_fills_it(client):
    client.force_login(make_user("root", staff=True, superuser=True))
    page = client.get(reverse("admin:cutover_backfillreject_changelist")).content.decode()
    assert 'id="empty-explanation"' in page and "a later run retries it" in page
