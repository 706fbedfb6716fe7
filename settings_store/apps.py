from django.apps import AppConfig


class SettingsStoreConfig(AppConfig):
    """The legacy app's small settings collections: levels, shop settings and key/value configs
    (three store domains with one legacy flag each, in one app because each is a few rows)."""

    name = "settings_store"
    verbose_name = "Settings store"
