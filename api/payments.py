"""Payments (read, update along the payment's state machine) and the ledger (a user's balance, a payment's
entries). Each change is recorded as made by the authenticated user (api.changes)."""

from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import user_get
from ledger.selectors import ledger_balance, ledger_entries_for_payment
from payments.selectors import payment_get
from payments.services import payment_update

from . import serializers as s
from .base import ApiView, existing, found, known_id
from .records import money_text, record_json

VIEW_PAYMENT, VIEW_LEDGER = "payments.view_payment", "ledger.view_ledgerentry"


class PaymentDetail(ApiView):
    required_permissions = {"GET": (VIEW_PAYMENT,), "PATCH": ("payments.change_payment",)}
    body_serializers = {"PATCH": s.PaymentUpdate}

    def get(self, request: Request, payment_id: str) -> Response:
        payment_id = known_id(payment_id, "payment")
        return found(payment_get(payment_id=payment_id), "payment", payment_id)

    def patch(self, request: Request, payment_id: str) -> Response:
        changes = self.body(request)
        payment = payment_update(payment_id=known_id(payment_id, "payment"), **changes)
        return Response(record_json(self.changed(request, action="payment.update", record=payment, changes=changes)))


class PaymentLedgerEntries(ApiView):
    required_permissions = {"GET": (VIEW_PAYMENT, VIEW_LEDGER)}
    query_serializers = {"GET": s.EntriesQuery}

    def get(self, request: Request, payment_id: str) -> Response:
        payment_id = known_id(payment_id, "payment")
        params = self.query(request)
        existing(payment_get(payment_id=payment_id), "payment", payment_id)
        return Response({"results": record_json(ledger_entries_for_payment(payment_id=payment_id, **params))})


class LedgerBalance(ApiView):
    required_permissions = {"GET": (VIEW_LEDGER,)}
    query_serializers = {"GET": s.BalanceQuery}

    def get(self, request: Request) -> Response:
        params = self.query(request)
        existing(user_get(user_id=params["user_id"]), "user", params["user_id"])
        return Response({**params, "balance": money_text(ledger_balance(**params))})
