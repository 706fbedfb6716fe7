import decimal
import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger("cutover")


def _refuse_flags_no_domain_claims() -> None:
    """A legacy flag set for a domain that is not registered would be silently ignored: an operator
    could believe the domain moved. Refuse to start instead, naming it."""
    from django.core.exceptions import ImproperlyConfigured

    from cutover.modes.registry import domain_names, domain_of_flag

    orphans = [flag for flag in settings.CUTOVER_FLAG_MODES if domain_of_flag(flag) is None]
    if orphans:
        raise ImproperlyConfigured(
            f"{', '.join(orphans)} set, but no registered store domain has that flag "
            f"(registered: {', '.join(domain_names())}); unset it or register its domain"
        )


class CutoverConfig(AppConfig):
    name = "cutover"
    verbose_name = "Cutover"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from escrow_project.db_roles import grant_runtime_role_after_migrate
        from escrow_project.mongo import mongo_store_label

        post_migrate.connect(grant_runtime_role_after_migrate, sender=self, dispatch_uid="cutover.runtime_role_grants")

        # Money is exact: amounts have up to 13 integer and 18 decimal digits, more than Decimal's default
        # 28-digit precision, so sums and balances would round. Threads started later copy DefaultContext.
        decimal.DefaultContext.prec = decimal.getcontext().prec = 60

        postgres = "embedded (" + str(settings.DATA_DIR / "pg") + ")" if settings.EMBEDDED_POSTGRES else "DATABASE_URL"
        mongo = "embedded (" + mongo_store_label() + ")" if settings.EMBEDDED_MONGO else mongo_store_label()
        _refuse_flags_no_domain_claims()
        if settings.MONGO_CONNECT_MODE == "disabled":
            mongo = "none (disabled)"
        logger.info("stores: postgres=%s mongo=%s mongo_connect_mode=%s", postgres, mongo, settings.MONGO_CONNECT_MODE)
        from cutover.modes.mongo_usage import require_mongo_at_startup

        require_mongo_at_startup()  # MONGO_CONNECT_MODE=required: no process starts without Mongo
