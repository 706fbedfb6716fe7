"""Audited decisions in admin (cutover.audit): the reason field every decision form uses, and the one
intermediate page of the list actions that take a decision (acknowledge rejects, requeue dead entries)."""

from django import forms
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from cutover.audit import reason_refusal


def _long_enough(reason: str) -> None:
    refusal = reason_refusal(reason)
    if refusal:
        raise ValidationError(refusal)


class ReasonField(forms.CharField):
    """The reason of an audited decision: the minimum length is read when the form is checked (a setting)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "cols": 80}))
        super().__init__(validators=[_long_enough], **kwargs)


class DecisionForm(forms.Form):
    reason = ReasonField()

    def __init__(self, *args, reason_help: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = reason_help


def decision_page(model_admin, request, *, form, action: str, title: str, explanation: str, items, submit: str):
    """The page a list action shows before it decides: what it does, the rows it acts on (`items`: pairs of
    primary key and a line describing the row), and the reason."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "explanation": explanation,
        "items": list(items),
        "form": form,
        "action": action,
        "submit": submit,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/cutover/decision_confirm.html", context)
