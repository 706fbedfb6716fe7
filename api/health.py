"""GET /api/health: for load balancers and people; no authentication, nothing secret. And the API's 404."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cutover.operations.health import health_report


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503, json_dumps_params={"indent": 1})


def no_such_endpoint(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": f"no API endpoint {request.path!r}"}, status=404)
