from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

BLOG_DOMAIN = DomainSpec(
    name="blog",
    flag="BLOG_STORE",
    port="blog.repositories.base.BlogRepository",
    depends_on=("auth",),
    demo_seeder="blog.demo.seed_demo_posts",
    mongo_indexes=(
        MongoIndex("blogs", (("slug", 1),), unique=True),
        MongoIndex("blogs", (("isPublished", 1), ("publishedAt", -1))),
    ),
)
