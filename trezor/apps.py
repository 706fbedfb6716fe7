from django.apps import AppConfig


class TrezorConfig(AppConfig):
    name = "trezor"
