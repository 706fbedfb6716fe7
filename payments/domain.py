from cutover.registry import DomainSpec

PAYMENT_DOMAIN = DomainSpec(
    name="payment",
    collections=("payments",),
    models=("payments.Payment",),
    port="payments.repositories.base.PaymentRepository",
    mongo_repository="payments.repositories.mongo.MongoPaymentRepository",
    postgres_repository="payments.repositories.postgres.PostgresPaymentRepository",
    depends_on=("auth", "marketplace"),
    demo_seeder="payments.demo.seed_demo_payments",
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
)
