"""Secrets are never queryable or shown in admin: one rule, applied to every registered model.

A filter in the URL is an oracle: `?password_hash__startswith=$2b$12$a` answers "1 result" or "0 results",
and a view-only user reads a whole hash one character at a time. So for every model admin (the site
below mixes SecretSafeAdmin into every class registered with it, ours, Django's and DRF's alike):
- a field is *unqueryable* when its name is secret (cutover.store.masking, the one list of names) or when
  it holds a whole document that may carry secrets under any key (a JSONField, `legacy_fields`, a
  `..._json` text column);
- a filter, a list filter or an ordering (`?o=`) that reaches an unqueryable field, directly or through
  relations (`?user__password_hash=`), is refused with 400, and search never looks at one;
- a secret field is never shown (not in lists, forms or read-only fields), unless its form field masks
  itself (Django's ReadOnlyPasswordHashField shows only the algorithm); a document field is shown only
  with its secrets masked (as `<name>_masked`).
The site also answers a permission refusal inside the admin's layout, naming the permission
(cutover/templates/admin/permission_refused.html).
"""

import json
import re
from functools import wraps
from typing import Any

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.template.response import TemplateResponse
from django.utils.html import format_html

from cutover.store.masking import MASK, is_secret_key, masked, name_words

MASKED_SUFFIX = "_masked"
_ORDERING_INDEX = re.compile(r"^-?\d+$")


def is_secret_field(field) -> bool:
    siblings = [other.name for other in field.model._meta.get_fields()]
    return is_secret_key(field.name, siblings)


def is_document_field(field) -> bool:
    """A field holding a whole document (or array of them), whose keys no one has vetted."""
    json_text = field.name == "legacy_fields" or name_words(field.name)[-1:] == ["json"]
    return isinstance(field, models.JSONField) or json_text


def unqueryable_field_on(model, path: str) -> str | None:
    """`app.Model.field` when the lookup or ordering `path` reaches a secret or document field, else None."""
    for part in path.lstrip("-").split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None  # a transform or lookup (`startswith`): the field before it was checked
        if getattr(field, "name", None) and (is_secret_field(field) or is_document_field(field)):
            return f"{model._meta.label}.{field.name}"
        if not field.is_relation or field.related_model is None:
            return None
        model = field.related_model
    return None


class SecretSafeAdmin(ModelAdmin):
    """Mixed into every registered ModelAdmin by SecretSafeAdminSite (see the module docstring)."""

    # --- never queryable ----------------------------------------------------------------------------------

    def lookup_allowed(self, lookup, value, request=None):
        if unqueryable_field_on(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        return [name for name in super().get_search_fields(request) if not self._unqueryable(name.lstrip("^=@"))]

    def get_ordering(self, request):
        return [name for name in super().get_ordering(request) or () if not self._unqueryable(str(name))]

    def get_sortable_by(self, request):
        return [name for name in super().get_sortable_by(request) if not self._unqueryable(str(name))]

    def get_list_filter(self, request):
        return [item for item in super().get_list_filter(request) if not self._unqueryable_filter(item)]

    def changelist_view(self, request, extra_context=None):
        for part in request.GET.get(ORDER_VAR, "").split("."):
            if part and not _ORDERING_INDEX.match(part) and self._unqueryable(part):
                raise DisallowedModelAdminLookup(f"Ordering by {self._unqueryable(part)} is not allowed: it is secret")
        return super().changelist_view(request, extra_context)

    # --- never shown (documents only masked) --------------------------------------------------------------

    def get_list_display(self, request):
        return self._shown(super().get_list_display(request))

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *self._hidden_fields()]

    def get_fields(self, request, obj=None):
        return self._shown(super().get_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": self._shown(options.get("fields", ()))})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        documents = [f"{field.name}{MASKED_SUFFIX}" for field in self._document_fields()]
        declared = [name for name in self._shown(super().get_readonly_fields(request, obj)) if name not in documents]
        return [*declared, *documents]

    def __getattr__(self, name: str):
        field = name.removesuffix(MASKED_SUFFIX)
        if name.endswith(MASKED_SUFFIX) and field in {f.name for f in self._document_fields()}:
            return _masked_display(field, self.model._meta.get_field(field).verbose_name)
        raise AttributeError(name)

    # --- helpers ------------------------------------------------------------------------------------------

    def _unqueryable(self, path: str) -> str | None:
        return unqueryable_field_on(self.model, path)

    def _unqueryable_filter(self, item) -> bool:
        name = item[0] if isinstance(item, list | tuple) else item
        return isinstance(name, str) and bool(self._unqueryable(name))

    def _document_fields(self) -> list:
        return [f for f in self.model._meta.concrete_fields if is_document_field(f) and not is_secret_field(f)]

    def _hidden_fields(self) -> list[str]:
        """Model fields the forms leave out: the secret ones (unless masked by their form) and documents."""
        secret = [f.name for f in self.model._meta.concrete_fields if is_secret_field(f) and not self._masks(f.name)]
        return [*secret, *(f.name for f in self._document_fields())]

    def _masks(self, name: str) -> bool:
        """Whether the admin's form shows this field masked itself (auth's password summary)."""
        form_field = getattr(self.form, "base_fields", {}).get(name)
        return type(form_field).__name__ == "ReadOnlyPasswordHashField"

    def _shown(self, names) -> list:
        """`names` (of a list, form or fieldset) without secret fields, with documents as their masked display."""
        hidden = set(self._hidden_fields())
        documents = {f.name for f in self._document_fields()}
        shown = []
        for name in names:
            if isinstance(name, list | tuple):  # fields on one line of a fieldset
                shown.append(tuple(self._shown(name)))
            elif name in documents:
                shown.append(f"{name}{MASKED_SUFFIX}")
            elif name not in hidden:
                shown.append(name)
        return shown


def _masked_display(field: str, label: str):
    def display(obj) -> str:
        value = getattr(obj, field)
        if isinstance(value, str):  # legacy_fields and `_json` columns hold JSON text
            try:
                value = json.loads(value)
            except ValueError:
                value = MASK  # unreadable: nothing in it is shown
        if _names_a_secret(obj):
            value = MASK if value not in (None, "") else value
        text = json.dumps(masked(value), indent=2, sort_keys=True, ensure_ascii=False, default=str)
        return format_html("<pre>{}</pre>", text)

    display.short_description = f"{label} (secrets masked)"
    return display


def _names_a_secret(obj: Any) -> bool:
    """A key/value row (a config entry) whose key names a secret: its value is that secret."""
    return any(is_secret_key(getattr(obj, name, None)) for name in ("key", "name"))


class SecretSafeAdminSite(AdminSite):
    """The project's admin site (escrow_project.settings: cutover.apps.CutoverAdminConfig): every model
    admin registered with it is a SecretSafeAdmin, and a permission refusal is a page of the admin."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, SecretSafeAdmin):
            module = {"__module__": admin_class.__module__}
            admin_class = type(admin_class.__name__, (SecretSafeAdmin, admin_class), module)
        return super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        return super().admin_view(self._refusals_in_layout(view), cacheable)

    def _refusals_in_layout(self, view):
        @wraps(view)
        def refusing_in_layout(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as refusal:
                return self.permission_refused(request, str(refusal) or _needed_permission(request))

        return refusing_in_layout

    def permission_refused(self, request, needed: str) -> TemplateResponse:
        context = {**self.each_context(request), "title": "Permission refused", "needed": needed}
        return TemplateResponse(request, "admin/permission_refused.html", context, status=403)


_MODEL_VIEW = re.compile(r"^(?P<app>[a-z0-9_]+)_(?P<model>[a-z0-9]+)_(?P<view>changelist|change|add|delete|history)$")


def _needed_permission(request) -> str:
    """What Django's own model views needed, from the URL's name (they refuse without saying)."""
    match = request.resolver_match and _MODEL_VIEW.match(request.resolver_match.url_name or "")
    if not match:
        return "This page needs a permission your account does not have."
    app, model, view = match["app"], match["model"], match["view"]
    if view in ("changelist", "change", "history"):
        return f"This page needs the permission {app}.view_{model} or {app}.change_{model}."
    return f"This page needs the permission {app}.{view}_{model}."
