"""GET /api/health: for load balancers and people; no authentication, nothing secret. And the API's 404."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cutover.operations.health import health_report

from .permissions import PUBLIC


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503, json_dumps_params={"indent": 1})


health.required_permissions = {"GET": PUBLIC}  # load balancers call it without an account


def no_such_endpoint(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": f"no API endpoint {request.path!r}"}, status=404)


no_such_endpoint.required_permissions = {method: PUBLIC for method in ("GET", "POST", "PUT", "PATCH", "DELETE")}
