"""The schema and its reading page (Swagger UI, its files served by the app from drf-spectacular-sidecar: no CDN;
not Redoc, whose page loads web fonts from elsewhere). Any staff account may read them."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


class SchemaView(SpectacularAPIView):
    required_permissions = {"GET": ()}


class SwaggerView(SpectacularSwaggerView):
    required_permissions = {"GET": ()}
