from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

PAYMENT_DOMAIN = DomainSpec(
    name="payment",
    flag="PAYMENT_STORE",
    port="payments.repositories.base.PaymentRepository",
    depends_on=("auth", "marketplace"),
    demo_seeder="payments.demo.seed_demo_payments",
    mongo_indexes=(
        MongoIndex("payments", (("txHash", 1),), unique=True, partial_filter={"txHash": {"$type": "string"}}),
        MongoIndex("payments", (("purchaseRequestId", 1),)),
    ),
)

DESTINATION_DOMAIN = DomainSpec(
    name="derived_destination",
    flag="REPO_DERIVED_DESTINATION",
    port="payments.repositories.base.DestinationRepository",
    depends_on=("auth", "marketplace", "payment"),
    demo_seeder="payments.demo.seed_demo_destinations",
    mongo_indexes=(
        MongoIndex("deriveddestinations", (("network", 1), ("address", 1)), unique=True),
        MongoIndex("deriveddestinations", (("purchaseRequestId", 1),)),
    ),
)
