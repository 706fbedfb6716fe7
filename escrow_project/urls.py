from django.contrib import admin
from django.urls import include, path

from api.metrics import metrics

# The admin is the cutover's cockpit: say which project it is, and show no "View site" (there is no site).
admin.site.site_header = "escrow-cutover administration"
admin.site.site_title = "escrow-cutover"
admin.site.index_title = "Cutover and escrow data"
admin.site.site_url = None
admin.site.index_template = "admin/escrow_index.html"  # the cutover dashboard link first

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("metrics", metrics, name="metrics"),  # Prometheus (api/metrics.py says who may read it)
]
