from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from cutover.store.fields import LegacyShapeColumns, ObjectIdField


class BlogPost(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    slug = models.TextField(unique=True)
    title = models.TextField()
    body = models.TextField(blank=True)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    tags = ArrayField(models.TextField(), default=list, blank=True)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "blog_posts"
        constraints = [
            # "Newest first" orders by publication date: a published post without one would have no place
            # in the list (a legacy document like that is a reject: give it a publishedAt and rerun).
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False), name="blog_posts_published_has_date"
            ),
        ]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"], condition=Q(is_published=True), name="blog_posts_published_idx"
            )
        ]

    def __str__(self) -> str:
        return self.slug
