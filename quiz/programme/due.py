"""Where a trainee stands against a due date: pure, no database."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# "Due in 3 days": how close a due date must be for the page to say so.
DUE_SOON = timedelta(days=3)


class DueState(models.TextChoices):
    NONE = "none", _("No due date")
    UPCOMING = "upcoming", _("Due")
    SOON = "soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    MET = "met", _("Passed")

    @property
    def css(self) -> str:
        return {
            DueState.SOON: "text-bg-warning",
            DueState.OVERDUE: "text-bg-danger",
        }.get(self, "text-bg-light border")


@dataclass(frozen=True)
class Due:
    at: datetime | None
    state: DueState
    days: int = 0  # whole days left (rounded up), for "due in 3 days"

    @property
    def label(self) -> str:
        if self.state is DueState.SOON:
            return ngettext("Due in %(n)d day", "Due in %(n)d days", self.days) % {
                "n": self.days
            }
        return str(self.state.label)


def due_of(*, due_at: datetime | None, passed: bool, now: datetime) -> Due:
    """A pass meets the due date; otherwise overdue once it is past, soon within
    DUE_SOON."""
    if due_at is None:
        return Due(at=None, state=DueState.NONE)
    if passed:
        return Due(at=due_at, state=DueState.MET)
    left = due_at - now
    if left <= timedelta(0):
        return Due(at=due_at, state=DueState.OVERDUE)
    days = int(-(-left // timedelta(days=1)))  # rounded up: 2.5 days left is 3
    state = DueState.SOON if left <= DUE_SOON else DueState.UPCOMING
    return Due(at=due_at, state=state, days=days)
