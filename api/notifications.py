"""Notifications: send, list a user's, mark one read. Each change is recorded as made by the authenticated user."""

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import user_get
from notifications import selectors, services

from . import serializers as s
from .base import ApiView, existing, known_id
from .records import record_json


class NotificationList(ApiView):
    success_codes = {"POST": 201}
    required_permissions = {"GET": ("notifications.view_notification",), "POST": ("notifications.add_notification",)}
    query_serializers = {"GET": s.NotificationListQuery}
    body_serializers = {"POST": s.NotificationSend}

    def get(self, request: Request) -> Response:
        params = self.query(request)
        existing(user_get(user_id=params["user_id"]), "user", params["user_id"])
        return Response({"results": record_json(selectors.notifications_for_user(**params))})

    def post(self, request: Request) -> Response:
        message = self.body(request)
        notification = services.notification_send(**message)
        self.changed(request, action="notification.send", record=notification, changes=message)
        return Response(record_json(notification), status=status.HTTP_201_CREATED)


class NotificationRead(ApiView):
    required_permissions = {"POST": ("notifications.change_notification",)}
    body_serializers = {"POST": s.NoInput}

    def post(self, request: Request, notification_id: str) -> Response:
        notification_id = known_id(notification_id, "notification")
        self.body(request)  # no body, or an empty object
        # Expired ones are gone for callers too, even before the purge deletes them.
        existing(selectors.notification_get(notification_id=notification_id), "notification", notification_id)
        notification = services.notification_mark_read(notification_id=notification_id)
        return Response(record_json(self.changed(request, action="notification.read", record=notification, changes={})))
