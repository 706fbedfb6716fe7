"""The blog port: write and publish posts, read one by slug, list the published ones newest first."""

from cutover.store.legacy import new_id, now_ms
from cutover.store.ports import StoreRepository, revised

from ..records import BlogPostRecord
from . import mapping


class BlogRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset({"create_post", "edit_post", "publish_post", "unpublish_post"})
    READ_METHODS = frozenset({"get_post", "get_post_by_slug", "list_published"})

    def create_post(
        self, *, slug: str, title: str, body: str, author_id: str, tags: list[str] | None = None
    ) -> BlogPostRecord:
        self._refuse_taken(f"blogs: slug {slug!r}", lambda store: store.get_post_by_slug(slug))
        at = now_ms()
        post = BlogPostRecord(
            id=new_id(),
            slug=slug,
            title=title,
            body=body,
            author_id=author_id,
            tags=list(tags or []),
            is_published=False,
            published_at=None,
            created_at=at,
            updated_at=at,
        )
        self._insert(post)
        return post

    def edit_post(
        self, post_id: str, *, title: str | None = None, body: str | None = None, tags: list[str] | None = None
    ) -> BlogPostRecord:
        changes = {k: v for k, v in (("title", title), ("body", body), ("tags", tags)) if v is not None}
        return self._update(BlogPostRecord, post_id, lambda post: _changed(post, changes))

    def publish_post(self, post_id: str) -> BlogPostRecord:
        """Publishing again keeps the first publication date (the post keeps its place in the list)."""
        return self._update(
            BlogPostRecord,
            post_id,
            lambda post: _changed(post, {"is_published": True, "published_at": post.published_at or now_ms()}),
        )

    def unpublish_post(self, post_id: str) -> BlogPostRecord:
        return self._update(BlogPostRecord, post_id, lambda post: _changed(post, {"is_published": False}))

    def get_post(self, post_id: str) -> BlogPostRecord | None:
        return self._get(BlogPostRecord, post_id)

    def get_post_by_slug(self, slug: str) -> BlogPostRecord | None:
        return self._find_one(BlogPostRecord, {"slug": slug})

    def list_published(self, *, limit: int = 20) -> list[BlogPostRecord]:
        return self._find(BlogPostRecord, {"is_published": True}, order=("-published_at", "-id"), limit=limit)


def _changed(post: BlogPostRecord, changes: dict) -> BlogPostRecord:
    """Unchanged values change nothing (no new updatedAt, nothing mirrored)."""
    if all(getattr(post, name) == value for name, value in changes.items()):
        return post
    return revised(post, **changes)
