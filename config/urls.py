from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.language import set_language
from accounts.views import PasswordResetView
from config.views import favicon, healthz

handler500 = "config.views.server_error"

admin.site.site_header = _("Rulewise administration")
admin.site.site_title = _("Rulewise admin")
admin.site.index_title = _("Question bank and training records")

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before Django's auth URLs: the reset form that also reaches new trainees.
    path(
        "accounts/password_reset/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # The header's language switch (Django's set_language: POST, CSRF).
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("", include("quiz.urls")),
]
