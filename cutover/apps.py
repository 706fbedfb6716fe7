import decimal
import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger("cutover")


class CutoverConfig(AppConfig):
    name = "cutover"
    verbose_name = "Cutover"

    def ready(self) -> None:
        from escrow_project.mongo import mongo_store_label

        # Money is exact: amounts have up to 13 integer and 18 decimal digits, more than Decimal's default
        # 28-digit precision, so sums and balances would round. Threads started later copy DefaultContext.
        decimal.DefaultContext.prec = decimal.getcontext().prec = 60

        postgres = "embedded (" + str(settings.DATA_DIR / "pg") + ")" if settings.EMBEDDED_POSTGRES else "DATABASE_URL"
        mongo = "embedded (" + mongo_store_label() + ")" if settings.EMBEDDED_MONGO else mongo_store_label()
        if settings.MONGO_CONNECT_MODE == "disabled":
            mongo = "none (disabled)"
        logger.info("stores: postgres=%s mongo=%s mongo_connect_mode=%s", postgres, mongo, settings.MONGO_CONNECT_MODE)
        from .mongo_usage import require_mongo_at_startup

        require_mongo_at_startup()  # MONGO_CONNECT_MODE=required: no process starts without Mongo
