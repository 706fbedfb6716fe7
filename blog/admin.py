from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import BlogPost


@admin.register(BlogPost)
class BlogPostAdmin(ReadOnlyAdmin):
    list_display = ["id", "slug", "title", "author", "is_published", "published_at"]
    list_filter = ["is_published"]
    search_fields = ["id", "slug", "title"]
