"""Every endpoint under /api/. Each view declares the permissions it needs (api.permissions); the permission
matrix test walks this list, so a new endpoint without a declaration fails it."""

from django.urls import path, re_path

from . import auth, disputes, docs, notifications, payments
from .health import health, no_such_endpoint

urlpatterns = [
    path("health", health, name="api-health"),
    path("auth/token", auth.TokenLogin.as_view(), name="api-token"),
    path("auth/logout", auth.TokenLogout.as_view(), name="api-logout"),
    path("auth/logout-all", auth.TokenLogoutAll.as_view(), name="api-logout-all"),
    path("schema/", docs.SchemaView.as_view(), name="api-schema"),
    path("docs/", docs.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("disputes", disputes.DisputeList.as_view(), name="api-disputes"),
    path("disputes/<str:dispute_id>", disputes.DisputeDetail.as_view(), name="api-dispute"),
    path("disputes/<str:dispute_id>/status", disputes.DisputeStatus.as_view(), name="api-dispute-status"),
    path("disputes/<str:dispute_id>/assign", disputes.DisputeAssign.as_view(), name="api-dispute-assign"),
    path("disputes/<str:dispute_id>/resolve", disputes.DisputeResolve.as_view(), name="api-dispute-resolve"),
    path("notifications", notifications.NotificationList.as_view(), name="api-notifications"),
    path(
        "notifications/<str:notification_id>/read",
        notifications.NotificationRead.as_view(),
        name="api-notification-read",
    ),
    path("payments/<str:payment_id>", payments.PaymentDetail.as_view(), name="api-payment"),
    path(
        "payments/<str:payment_id>/ledger-entries", payments.PaymentLedgerEntries.as_view(), name="api-payment-ledger"
    ),
    path("ledger/balance", payments.LedgerBalance.as_view(), name="api-ledger-balance"),
    re_path(r"^.*$", no_such_endpoint),  # a JSON 404 under /api/, not the site's HTML page
]
