from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from accounts.mail import mail_queue


class TraineePasswordResetForm(PasswordResetForm):
    """Django's reset form, also for accounts created without a password yet.

    Bulk enrolment creates trainees with an unusable password and mails them a
    link; when that link has expired, "Forgotten your password?" must still work.
    The mail goes through the task queue: a slow mail server never holds the page.
    """

    def get_users(self, email):
        User = get_user_model()
        email_field = User.get_email_field_name()
        candidates = User._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        return (
            user
            for user in candidates
            if getattr(user, email_field, "").lower() == email.lower()
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name is not None
            else ""
        )
        mail_queue(
            to=[to_email],
            subject=loader.render_to_string(subject_template_name, context),
            body=loader.render_to_string(email_template_name, context),
            html_body=html,
            sensitive=True,  # the link resets the password
        )


class PreferencesForm(forms.ModelForm):
    """What a signed-in user chooses for themself: whether reminders are sent, and
    the language of the site after signing in."""

    class Meta:
        model = get_user_model()
        fields = ["reminders_enabled", "language"]
