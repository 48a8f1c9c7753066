"""Bounds on the dates a course can have, shared by the quiz and its programme
(quiz/models.py, quiz/programme/models.py): an absurd year is a form error,
never an overflow in date arithmetic."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def validate_course_date(value) -> None:
    """A date a course can have: between 2000 and 2100."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Choose a date between %(first)d and %(last)d."),
            code="out_of_range",
            params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )
