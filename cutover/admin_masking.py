"""Admin for rows that keep legacy data (rejects, shadow mismatches, verify results): the stored JSON is
shown with its secrets masked (cutover.store.masking), and no filter may look inside it, since a filter such as
`?document__passwordHash__startswith=$2b$12$a` would reveal a secret one guess at a time."""

import json

from django.contrib.admin.options import ModelAdmin
from django.db.models.constants import LOOKUP_SEP
from django.utils.html import format_html

from cutover.store.masking import masked


class MaskedLegacyDataAdmin(ModelAdmin):
    """`masked_json_fields` are shown masked (as `<name>_masked`) and never filtered on."""

    masked_json_fields: tuple[str, ...] = ()

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *self.masked_json_fields]

    def get_readonly_fields(self, request, obj=None):
        shown = [f"{name}_masked" for name in self.masked_json_fields]
        return [*super().get_readonly_fields(request, obj), *shown]

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP, 1)[0] in self.masked_json_fields:
            return False
        return super().lookup_allowed(lookup, value, request)

    def __getattr__(self, name: str):
        field = name.removesuffix("_masked")
        if name.endswith("_masked") and field in type(self).masked_json_fields:
            return _masked_display(field, self.model._meta.get_field(field).verbose_name)
        raise AttributeError(name)


def _masked_display(field: str, label: str):
    def display(obj) -> str:
        text = json.dumps(masked(getattr(obj, field)), indent=2, sort_keys=True, ensure_ascii=False, default=str)
        return format_html("<pre>{}</pre>", text)

    display.short_description = f"{label} (secrets masked)"
    return display
