"""The schema and its reading pages (Swagger UI and Redoc, their files served by the app from
drf-spectacular-sidecar: no CDN). Any staff account that may use the API may read them."""

from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView


class SchemaView(SpectacularAPIView):
    required_permissions = {"GET": ()}


class SwaggerView(SpectacularSwaggerView):
    required_permissions = {"GET": ()}


class RedocView(SpectacularRedocView):
    required_permissions = {"GET": ()}
