from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.forms import TraineePasswordResetForm
from config.views import healthz

admin.site.site_header = _("Rulewise administration")
admin.site.site_title = _("Rulewise admin")
admin.site.index_title = _("Question bank and training records")

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before Django's auth URLs: the reset form that also reaches new trainees.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=TraineePasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("quiz.urls")),
]
