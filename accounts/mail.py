"""Whether the site can send mail: pages that mail someone say what happened."""

from django.conf import settings
from django.core import checks

SENDING_BACKENDS = {"django.core.mail.backends.smtp.EmailBackend"}


def mail_goes_out() -> bool:
    """True when mail leaves the server (SMTP), not printed to the console or kept
    in memory (tests)."""
    return settings.EMAIL_BACKEND in SENDING_BACKENDS or (
        settings.EMAIL_BACKEND.endswith(".locmem.EmailBackend")
    )


@checks.register(checks.Tags.compatibility, deploy=True)
def check_mail_configured(app_configs=None, **kwargs):
    """`check --deploy`: a production site with no mail server loses every mail."""
    if settings.EMAIL_BACKEND.endswith(".console.EmailBackend"):
        return [
            checks.Warning(
                "EMAIL_HOST is not set: password resets, enrolment links and "
                "certificate notices are printed to the console, not sent.",
                hint="Set EMAIL_HOST (and EMAIL_HOST_USER/PASSWORD) to an SMTP server.",
                id="rulewise.W001",
            )
        ]
    return []
