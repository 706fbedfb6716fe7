"""Blog writes, through whichever store(s) the domain's mode selects."""

import re

from cutover.factory import repository_for

from .records import BlogPostRecord

DOMAIN = "blog"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class InvalidPostInput(ValueError):
    pass


def _tags(tags: list[str] | None) -> list[str] | None:
    if tags is None:
        return None
    if isinstance(tags, str) or not all(isinstance(tag, str) and tag.strip() for tag in tags):
        raise InvalidPostInput(f"tags are a list of non-empty strings, got {tags!r}")
    return list(dict.fromkeys(tag.strip() for tag in tags))  # in the order given, without repeats


def post_create(*, slug: str, title: str, body: str, author_id: str, tags: list[str] | None = None) -> BlogPostRecord:
    slug = slug.strip()
    if not SLUG.match(slug):
        raise InvalidPostInput(f"a slug is lowercase letters and digits joined by single hyphens, got {slug!r}")
    if not title.strip():
        raise InvalidPostInput("a post needs a title")
    return repository_for(DOMAIN).create_post(
        slug=slug, title=title.strip(), body=body, author_id=author_id, tags=_tags(tags) or []
    )


def post_edit(
    *, post_id: str, title: str | None = None, body: str | None = None, tags: list[str] | None = None
) -> BlogPostRecord:
    if title is not None and not title.strip():
        raise InvalidPostInput("a post needs a title")
    return repository_for(DOMAIN).edit_post(
        post_id, title=None if title is None else title.strip(), body=body, tags=_tags(tags)
    )


def post_publish(*, post_id: str) -> BlogPostRecord:
    return repository_for(DOMAIN).publish_post(post_id)


def post_unpublish(*, post_id: str) -> BlogPostRecord:
    return repository_for(DOMAIN).unpublish_post(post_id)
