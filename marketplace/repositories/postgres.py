"""The marketplace in PostgreSQL."""

from cutover.backends.postgres import PostgresBackend

from .base import MarketplaceRepository


class PostgresMarketplaceRepository(PostgresBackend, MarketplaceRepository):
    MODELS = {
        "categories": "marketplace.Category",
        "selleroffers": "marketplace.SellerOffer",
        "purchaserequests": "marketplace.PurchaseRequest",
        "requesttemplates": "marketplace.RequestTemplate",
    }
