from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.views import healthz

admin.site.site_header = _("Rulewise administration")
admin.site.site_title = _("Rulewise admin")
admin.site.index_title = _("Question bank and training records")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("quiz.urls")),
]
