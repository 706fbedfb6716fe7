from dataclasses import dataclass
from datetime import datetime

from cutover.store.records import LegacyShape


@dataclass(frozen=True)
class BlogPostRecord(LegacyShape):
    id: str
    slug: str
    title: str
    body: str
    author_id: str
    tags: list[str]
    is_published: bool
    published_at: datetime | None  # set on first publication, kept when a post is unpublished
    created_at: datetime
    updated_at: datetime
