from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm


class TraineePasswordResetForm(PasswordResetForm):
    """Django's reset form, also for accounts created without a password yet.

    Bulk enrolment creates trainees with an unusable password and mails them a
    link; when that link has expired, "Forgotten your password?" must still work.
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
