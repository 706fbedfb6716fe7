from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only the application's services may write: view them, nothing else."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
