"""GET /metrics for Prometheus, and the middleware that times each request per store mode.

prometheus_client (pinned in requirements.txt): the official, well-kept client, whose multiprocess mode
sums the counters of every gunicorn worker and celery process; django-prometheus would add per-view and
per-model metrics we do not need. The cutover's state is read from the database at scrape time
(cutover.operations.metrics); what processes count (cutover.mirror.counters, the latency histogram here)
is summed over the files in PROMETHEUS_MULTIPROC_DIR when it is set (README, "Metrics").

Who may scrape (README): a request bearing `Authorization: Bearer <METRICS_TOKEN>` (when set), one from an
address in METRICS_ALLOWED_IPS (addresses or networks), or an active staff user's session. Anyone else gets
401 (no credentials) or 403.
"""

import hmac
import ipaddress
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest

from cutover.mirror.counters import counted_registry, modes_noted, start_noting_modes
from cutover.operations.metrics import CutoverCollector

REQUEST_SECONDS = Histogram(
    "escrow_http_request_duration_seconds",
    "Request latency, per domain and the store mode the request used it in (none: no domain).",
    ["domain", "mode"],
)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    state = CollectorRegistry()
    state.register(CutoverCollector())
    return HttpResponse(generate_latest(counted_registry()) + generate_latest(state), content_type=CONTENT_TYPE_LATEST)


def _refusal(request: HttpRequest) -> HttpResponse | None:
    header = request.headers.get("Authorization", "")
    token = settings.METRICS_TOKEN
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return None
    if _allowed_address(request.META.get("REMOTE_ADDR", "")):
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return None
    if header or (user is not None and user.is_authenticated):
        return HttpResponse("not allowed to read the metrics\n", status=403, content_type="text/plain")
    answer = HttpResponse(
        "metrics need METRICS_TOKEN as a bearer token, an address in METRICS_ALLOWED_IPS or a staff login\n",
        status=401,
        content_type="text/plain",
    )
    answer["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return answer


def _allowed_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS)


class RequestLatencyMiddleware:
    """Times each request and files it under every domain (and its store mode) the request built a repository
    for: latency per store, as LaunchDarkly's migration view shows it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token, started = start_noting_modes(), time.perf_counter()
        try:
            return self.get_response(request)
        finally:
            seconds = time.perf_counter() - started
            for domain, mode in (modes_noted(token) or {"none": "none"}).items():
                REQUEST_SECONDS.labels(domain, mode).observe(seconds)
