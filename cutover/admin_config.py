"""Django admin with the project's site (INSTALLED_APPS names this instead of django.contrib.admin), so
that every model admin, registered by any app, follows cutover.admin_secrets' rule."""

from django.contrib.admin.apps import AdminConfig


class SecretSafeAdminConfig(AdminConfig):
    default_site = "cutover.admin_secrets.SecretSafeAdminSite"
