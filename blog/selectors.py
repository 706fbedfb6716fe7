"""Blog reads, from the store the domain's mode selects."""

from cutover.factory import repository_for

from .records import BlogPostRecord

DOMAIN = "blog"


def post_by_slug(*, slug: str) -> BlogPostRecord | None:
    return repository_for(DOMAIN).get_post_by_slug(slug.strip())


def published_posts(*, limit: int = 20) -> list[BlogPostRecord]:
    """Published posts, newest publication first."""
    return repository_for(DOMAIN).list_published(limit=limit)
