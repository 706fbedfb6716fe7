from cutover.registry import DomainSpec, MongoIndex

PAYMENT_DOMAIN = DomainSpec(
    name="payment",
    collections=("payments",),
    models=("payments.Payment",),
    port="payments.repositories.base.PaymentRepository",
    mongo_repository="payments.repositories.mongo.MongoPaymentRepository",
    postgres_repository="payments.repositories.postgres.PostgresPaymentRepository",
    depends_on=("auth", "marketplace"),
    demo_seeder="payments.demo.seed_demo_payments",
    mongo_indexes=(
        MongoIndex("payments", (("txHash", 1),), unique=True, partial_filter={"txHash": {"$type": "string"}}),
        MongoIndex("payments", (("purchaseRequestId", 1),)),
    ),
)

DESTINATION_DOMAIN = DomainSpec(
    name="derived_destination",
    collections=("deriveddestinations",),
    models=("payments.DerivedDestination",),
    port="payments.repositories.base.DestinationRepository",
    mongo_repository="payments.repositories.mongo.MongoDestinationRepository",
    postgres_repository="payments.repositories.postgres.PostgresDestinationRepository",
    depends_on=("auth", "marketplace", "payment"),
    demo_seeder="payments.demo.seed_demo_destinations",
    mongo_indexes=(
        MongoIndex("deriveddestinations", (("network", 1), ("address", 1)), unique=True),
        MongoIndex("deriveddestinations", (("purchaseRequestId", 1),)),
    ),
)
