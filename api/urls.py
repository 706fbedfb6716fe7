from django.urls import path, re_path
from rest_framework.authtoken.views import obtain_auth_token

from . import disputes, money
from .health import health, no_such_endpoint

urlpatterns = [
    path("health", health, name="api-health"),
    path("auth/token", obtain_auth_token, name="api-token"),
    path("disputes", disputes.DisputeList.as_view(), name="api-disputes"),
    path("disputes/<str:dispute_id>", disputes.DisputeDetail.as_view(), name="api-dispute"),
    path("disputes/<str:dispute_id>/status", disputes.DisputeStatus.as_view(), name="api-dispute-status"),
    path("disputes/<str:dispute_id>/assign", disputes.DisputeAssign.as_view(), name="api-dispute-assign"),
    path("disputes/<str:dispute_id>/resolve", disputes.DisputeResolve.as_view(), name="api-dispute-resolve"),
    path("notifications", money.NotificationList.as_view(), name="api-notifications"),
    path("notifications/<str:notification_id>/read", money.NotificationRead.as_view(), name="api-notification-read"),
    path("payments/<str:payment_id>", money.PaymentDetail.as_view(), name="api-payment"),
    path("payments/<str:payment_id>/ledger-entries", money.PaymentLedgerEntries.as_view(), name="api-payment-ledger"),
    path("ledger/balance", money.LedgerBalance.as_view(), name="api-ledger-balance"),
    re_path(r"^.*$", no_such_endpoint),  # a JSON 404 under /api/, not the site's HTML page
]
