"""Chats in admin: read views of the Postgres rows (edits go through the services and the store
mode), and the chats whose Mongo document reached the 16 MB limit (their mirror was dead-lettered)."""

from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import Chat, ChatMessage, ChatParticipant, OversizedChat


class ParticipantInline(admin.TabularInline):
    model = ChatParticipant
    extra = 0
    can_delete = False
    readonly_fields = ["user_id", "last_message_at", "read_through"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Chat)
class ChatAdmin(ReadOnlyAdmin):
    list_display = ["id", "purchase_request", "last_message_at", "created_at"]
    search_fields = ["id"]
    inlines = [ParticipantInline]


@admin.register(ChatMessage)
class ChatMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "chat", "sender_id", "created_at"]
    search_fields = ["id", "chat__id"]
    list_select_related = False
    show_full_result_count = False  # tens of millions of rows: no COUNT(*) per page


@admin.register(OversizedChat)
class OversizedChatAdmin(ReadOnlyAdmin):
    """Mirror entries of chat messages that Mongo refused because the chat document would pass 16 MB."""

    list_display = ["record_id", "last_error", "updated_at"]
    search_fields = ["record_id", "last_error"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(domain="chat", status="dead", last_error__contains="document_too_large")
        )
