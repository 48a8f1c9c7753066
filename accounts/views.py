"""Account pages that differ from Django's: the password reset, rate-limited;
the user's own preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import throttle
from accounts.forms import PreferencesForm, TraineePasswordResetForm
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


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own settings (reminders on or off)."""
    # An unticked box posts nothing: an empty POST is still a submitted form.
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your preferences are saved."))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})
