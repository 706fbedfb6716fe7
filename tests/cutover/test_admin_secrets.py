"""No secret is queryable or shown in admin, for every registered model (cutover.admin_secrets).

The oracle this closes: `?password_hash__startswith=$2b$12$a` answered "1 result" / "0 results", so a
view-only user read a bcrypt hash in 1,786 requests and a reset-code hash in 550."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from accounts.models import TelegramSession, TempVerification, User
from cutover.admin_secrets import (
    SecretSafeAdmin,
    SecretSafeAdminSite,
    is_document_field,
    is_secret_field,
    unqueryable_field_on,
)
from settings_store.models import Config
from tests.cutover.helpers import make_user

BCRYPT = "$2b$12$" + "Q" * 53
CODE_HASH = "9f" * 32
INIT_DATA_HASH = "ab" * 32
AT = datetime(2026, 1, 1, tzinfo=UTC)


def _unqueryable_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if is_secret_field(f) or is_document_field(f)]


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
UNQUERYABLE = [(model, name) for model, _ in REGISTRY for name in _unqueryable_fields(model)]


def test_every_model_admin_is_secret_safe():
    """Registered by any app (ours, Django's auth, knox's tokens): the site mixes the rule in."""
    assert isinstance(admin.site, SecretSafeAdminSite)
    assert [m._meta.label for m, a in REGISTRY if not isinstance(a, SecretSafeAdmin)] == []


def test_the_walk_covers_the_secrets_the_finding_named():
    labels = {f"{model._meta.label}.{name}" for model, name in UNQUERYABLE}
    assert {
        "accounts.User.password_hash",
        "accounts.User.legacy_fields",
        "accounts.TempVerification.code_hash",
        "accounts.TelegramSession.init_data_hash",
        "auth.User.password",
        "cutover.BackfillReject.document",
        "settings_store.Config.value_json",
    } <= labels
    assert "settings_store.Config.key" not in labels  # a config's name, beside its value
    assert "knox.AuthToken.token_key" in labels  # an API token's key: its first characters, how it is found


@pytest.fixture
def superuser_client(client, db):
    client.force_login(make_user("root", superuser=True))  # even a superuser: the rule is not a permission
    return client


@pytest.mark.parametrize(("model", "name"), UNQUERYABLE, ids=[f"{m._meta.label}.{n}" for m, n in UNQUERYABLE])
def test_every_secret_or_document_field_refuses_filter_and_ordering(superuser_client, model, name):
    url = _changelist(model)
    for query in (
        {f"{name}__startswith": "$2b$"},
        {f"{name}__contains": "a"},
        {name: "x"},
        {f"{name}__isnull": "False"},
        {"o": name},
        {"o": f"1.-{name}"},
    ):
        response = superuser_client.get(url, query)
        assert response.status_code == 400, (url, query, response.status_code)


def _relations_to_secrets():
    """`user__password_hash` and the like: every relation of a registered model to a model with secrets."""
    paths = []
    for model, _ in REGISTRY:
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model and not field.auto_created:
                paths += [(model, f"{field.name}__{n}") for n in _unqueryable_fields(field.related_model)]
    return paths


RELATED = _relations_to_secrets()


@pytest.mark.parametrize(("model", "path"), RELATED, ids=[f"{m._meta.label}.{p}" for m, p in RELATED])
def test_a_secret_is_not_reached_through_a_relation(superuser_client, model, path):
    assert superuser_client.get(_changelist(model), {f"{path}__startswith": "$"}).status_code == 400
    assert unqueryable_field_on(model, path)


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=[m._meta.label for m, _ in REGISTRY])
def test_search_ordering_and_columns_never_name_a_secret(rf, model, model_admin, db):
    request = rf.get("/")
    request.user = make_user("root", superuser=True)
    named = [
        *model_admin.get_search_fields(request),
        *(str(name) for name in model_admin.get_ordering(request)),
        *(str(name) for name in model_admin.get_sortable_by(request)),
        *(item for item in model_admin.get_list_display(request) if isinstance(item, str)),
        *(item[0] if isinstance(item, tuple) else item for item in model_admin.get_list_filter(request)),
    ]
    reached = [name for name in named if isinstance(name, str) and unqueryable_field_on(model, name.lstrip("^=@"))]
    assert reached == []


def _secret_rows():
    user = User.objects.create(
        id="a" * 24, email="holder@example.com", password_hash=BCRYPT, role="user", created_at=AT, updated_at=AT
    )
    later = datetime.now(UTC) + timedelta(hours=1)
    common = {"user": user, "expires_at": later, "created_at": AT}
    verification = TempVerification.objects.create(
        id="b" * 24, email=user.email, code_hash=CODE_HASH, purpose="password_reset", **common
    )
    session = TelegramSession.objects.create(
        id="c" * 24, telegram_user_id=7, init_data_hash=INIT_DATA_HASH, auth_date=AT, **common
    )
    return user, verification, session


def test_the_oracle_of_the_finding_is_closed_for_a_view_only_user(client, db):
    _secret_rows()
    perms = [f"accounts.view_{name}" for name in ("user", "tempverification", "telegramsession")]
    client.force_login(make_user("viewer", *perms))
    for model, lookup, prefix in (
        (User, "password_hash__startswith", "$2b$12$Q"),
        (TempVerification, "code_hash__startswith", "9f"),
        (TelegramSession, "init_data_hash__startswith", "ab"),
        (User, "legacy_fields__contains", "x"),
    ):
        assert client.get(_changelist(model), {lookup: prefix}).status_code == 400, lookup
        assert client.get(_changelist(model), {lookup: "no such prefix"}).status_code == 400, lookup


def test_a_view_only_user_sees_no_secret_on_any_page(client, db):
    user, verification, session = _secret_rows()
    perms = [f"accounts.view_{name}" for name in ("user", "tempverification", "telegramsession")]
    client.force_login(make_user("viewer", *perms))
    for row, secret in ((user, BCRYPT), (verification, CODE_HASH), (session, INIT_DATA_HASH)):
        for url in (
            _changelist(type(row)),
            reverse(f"admin:accounts_{type(row)._meta.model_name}_change", args=[row.pk]),
        ):
            page = client.get(url).content.decode()
            assert secret not in page and secret[:20] not in page, url
    page = client.get(reverse("admin:accounts_telegramsession_change", args=[session.pk])).content.decode()
    assert "telegram_user_id" in page or "Telegram user id" in page  # the rest of the row is still shown


def test_a_config_whose_key_names_a_secret_shows_its_value_masked(client, db):
    common = {"created_at": AT, "updated_at": AT}
    secret = Config.objects.create(id="d" * 24, key="stripeSecretKey", value_json='"sk_live_abc"', **common)
    ordinary = Config.objects.create(id="e" * 24, key="siteName", value_json='{"title": "Escrow"}', **common)
    client.force_login(make_user("viewer", "settings_store.view_config"))
    listing = client.get(_changelist(Config)).content.decode()
    assert "sk_live_abc" not in listing and "stripeSecretKey" in listing and "Escrow" in listing
    for row in (secret, ordinary):
        page = client.get(reverse("admin:settings_store_config_change", args=[row.pk])).content.decode()
        assert "sk_live_abc" not in page


class _Planted(admin.ModelAdmin):
    """A new admin that names secrets everywhere, as a careless change might."""

    list_display = ["email", "password_hash", "legacy_fields"]
    list_filter = ["role", "password_hash"]
    search_fields = ["email", "password_hash", "=legacy_fields"]
    ordering = ["-password_hash", "email"]


def test_a_new_admin_cannot_escape_the_rule(rf, db):
    site = SecretSafeAdminSite(name="planted")
    site.register(User, _Planted)
    planted = site._registry[User]
    request = rf.get("/")
    request.user = make_user("root", superuser=True)
    assert isinstance(planted, SecretSafeAdmin)
    assert planted.get_search_fields(request) == ["email"]
    assert planted.get_ordering(request) == ["email"]
    assert planted.get_list_filter(request) == ["role"]
    assert planted.get_list_display(request) == ["email", "legacy_fields_masked"]
    assert not planted.lookup_allowed("password_hash__startswith", "$2b", request)
    assert planted.lookup_allowed("email__startswith", "a", request)


def test_an_ordinary_field_still_filters_and_orders(superuser_client):
    _secret_rows()
    response = superuser_client.get(_changelist(User), {"email__startswith": "holder", "o": "1"})
    assert response.status_code == 200 and "holder@example.com" in response.content.decode()


def test_a_plain_model_admin_on_another_model_is_wrapped_too():
    class Note(models.Model):
        session_token = models.CharField(max_length=10)

        class Meta:
            app_label = "cutover"

        def __str__(self) -> str:
            return "note"

    site = SecretSafeAdminSite(name="notes")
    site.register(Note)
    assert isinstance(site._registry[Note], SecretSafeAdmin)
    assert unqueryable_field_on(Note, "session_token__exact") == "cutover.Note.session_token"
