"""Notifications (send, list, mark read), payments (read, update status) and the ledger (balance, a
payment's entries)."""

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger.selectors import ledger_balance, ledger_entries_for_payment
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from payments.selectors import payment_get
from payments.services import payment_update

from . import serializers as s
from .base import body, found, known_id, query
from .records import money_text, record_json


class NotificationList(APIView):
    def get(self, request: Request) -> Response:
        notifications = notification_selectors.notifications_for_user(**query(request, s.NotificationListQuery))
        return Response({"results": record_json(notifications)})

    def post(self, request: Request) -> Response:
        notification = notification_services.notification_send(**body(request, s.NotificationSend))
        return Response(record_json(notification), status=status.HTTP_201_CREATED)


class NotificationRead(APIView):
    def post(self, request: Request, notification_id: str) -> Response:
        notification_id = known_id(notification_id, "notification")
        if notification_selectors.notification_get(notification_id=notification_id) is None:
            return found(None, "notification", notification_id)  # expired ones are gone for callers too
        return Response(record_json(notification_services.notification_mark_read(notification_id=notification_id)))


class PaymentDetail(APIView):
    def get(self, request: Request, payment_id: str) -> Response:
        payment_id = known_id(payment_id, "payment")
        return found(payment_get(payment_id=payment_id), "payment", payment_id)

    def patch(self, request: Request, payment_id: str) -> Response:
        changes = body(request, s.PaymentUpdate)
        return Response(record_json(payment_update(payment_id=known_id(payment_id, "payment"), **changes)))


class PaymentLedgerEntries(APIView):
    def get(self, request: Request, payment_id: str) -> Response:
        payment_id = known_id(payment_id, "payment")
        entries = ledger_entries_for_payment(payment_id=payment_id, **query(request, s.EntriesQuery))
        return Response({"results": record_json(entries)})


class LedgerBalance(APIView):
    def get(self, request: Request) -> Response:
        params = query(request, s.BalanceQuery)
        return Response({**params, "balance": money_text(ledger_balance(**params))})
