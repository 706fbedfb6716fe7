"""The one place blog field names are translated (docs/legacy-collections.md: blogs)."""

from cutover.store.extra_kinds import STRING_LIST
from cutover.store.recordmap import BOOL, DATETIME, OBJECT_ID, TEXT, Field, RecordMap

from ..records import BlogPostRecord

BLOG_POST = RecordMap(
    BlogPostRecord,
    collection="blogs",
    model="blog.BlogPost",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("slug", "slug", TEXT),
        Field("title", "title", TEXT),
        Field("body", "body", TEXT, default=""),
        Field("author_id", "authorId", OBJECT_ID),
        Field("tags", "tags", STRING_LIST, default=[]),
        Field("is_published", "isPublished", BOOL, default=False),
        Field("published_at", "publishedAt", DATETIME, optional=True),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

MAPS = (BLOG_POST,)
