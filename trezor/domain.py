from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

TREZOR_DOMAIN = DomainSpec(
    name="trezor",
    flag="REPO_TREZOR",
    port="trezor.repositories.base.TrezorRepository",
    depends_on=("auth",),
    demo_seeder="trezor.demo.seed_demo_trezor",
    mongo_indexes=(
        MongoIndex("trezoraccounts", (("xpub", 1),), unique=True),
        MongoIndex("trezoraccounts", (("userId", 1),)),
    ),
)
