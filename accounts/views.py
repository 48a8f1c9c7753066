"""Account pages that differ from Django's: the password reset, rate-limited."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from accounts import throttle
from accounts.forms import TraineePasswordResetForm
from accounts.http import too_many_requests
from accounts.net import client_address


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, limited per address (a 429 with Retry-After) and per
    e-mail (past the limit no mail is sent, and the page says what it always
    says, so the limit tells nobody whether an account exists)."""

    form_class = TraineePasswordResetForm

    def form_valid(self, form) -> HttpResponse:
        seconds = settings.PASSWORD_RESET_WINDOW_SECONDS
        sent_from = throttle.hit(
            f"reset-address:{client_address(self.request)}", seconds
        )
        if sent_from > settings.PASSWORD_RESET_MAX_PER_ADDRESS:
            return too_many_requests(
                self.request,
                "registration/password_reset_throttled.html",
                window_seconds=seconds,
            )
        email = form.cleaned_data["email"].lower()
        sent_to = throttle.hit(f"reset-email:{email}", seconds)
        if sent_to > settings.PASSWORD_RESET_MAX_PER_EMAIL:
            return super(auth_views.PasswordResetView, self).form_valid(form)
        return super().form_valid(form)
