from django.contrib import admin

COCKPIT_CSS = "cutover/cockpit.css"  # badges, checklist marks, the danger zone


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only the application's services may write: view them, nothing else."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ExplainedList(ReadOnlyAdmin):
    """A read-only list that says, when it is empty, why and what fills it."""

    empty_explanation = ""
    change_list_template = "admin/cutover/change_list.html"

    class Media:
        css = {"all": [COCKPIT_CSS]}

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"empty_explanation": self.empty_explanation, **(extra_context or {})})
