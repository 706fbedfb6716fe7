"""Blog posts in MongoDB, in the legacy document shape."""

from cutover.backends.mongo import MongoBackend

from .base import BlogRepository


class MongoBlogRepository(MongoBackend, BlogRepository):
    pass
