from cutover.registry import DomainSpec, MongoIndex

BLOG_DOMAIN = DomainSpec(
    name="blog",
    collections=("blogs",),
    models=("blog.BlogPost",),
    port="blog.repositories.base.BlogRepository",
    mongo_repository="blog.repositories.mongo.MongoBlogRepository",
    postgres_repository="blog.repositories.postgres.PostgresBlogRepository",
    depends_on=("auth",),
    demo_seeder="blog.demo.seed_demo_posts",
    mongo_indexes=(
        MongoIndex("blogs", (("slug", 1),), unique=True),
        MongoIndex("blogs", (("isPublished", 1), ("publishedAt", -1))),
    ),
)
