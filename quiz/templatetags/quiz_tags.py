from decimal import Decimal
from html import escape

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from quiz.attempts.progress import ProgressStatus

register = template.Library()


@register.inclusion_tag("includes/_status_badge.html")
def status_badge(status: ProgressStatus) -> dict:
    """A trainee's progress on a quiz as a badge: its label and colour."""
    status = ProgressStatus(status)
    return {"css": status.css, "text": status.label}


@register.filter
def percent(value) -> str:
    """A score as '83%' or '83.33%' ('83,33%' in Russian: the active language's
    decimal mark); an em dash when there is none."""
    if value is None or value == "":
        return "—"
    value = Decimal(value).normalize()
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    return f"{number_format(Decimal(text))}%"


@register.inclusion_tag("includes/_certificate_badge.html")
def certificate_badge(certificate) -> dict:
    return {"status": certificate.status}


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes (rounded up), for "try again in N minutes"."""
    seconds = value.total_seconds() if hasattr(value, "total_seconds") else float(value)
    return max(1, int(-(-seconds // 60)))


@register.simple_tag
def attempt_navigator(items, *, page: int, one_per_page: bool) -> SafeString:
    """Moodle's quiz navigation: a button per question, showing which are
    answered, flagged and current. With a page per question each button saves
    the page and opens that question (a submit button of the attempt form);
    with all questions on one page it is a link to the question."""
    answered, unanswered = _("answered"), _("not answered")
    flagged_word = _("flagged")
    parts = []
    for item in items:
        position = int(item.position)
        state = [answered if item.selected else unanswered]
        css = ["rw-qbtn", "rw-qbtn-answered" if item.selected else ""]
        if item.flagged:
            state.append(flagged_word)
            css.append("rw-qbtn-flagged")
        current = one_per_page and position == page
        if current:
            css.append("rw-qbtn-current")
        label = f'{position}<span class="visually-hidden"> ({escape(", ".join(state))})</span>'
        classes = " ".join(c for c in css if c)
        data = f'class="{classes}" data-position="{position}"'
        if one_per_page:
            aria = ' aria-current="step"' if current else ""
            parts.append(
                f'<button type="submit" name="nav" value="page-{position}" '
                f"{data}{aria}>{label}</button>"
            )
        else:
            parts.append(f'<a href="#question-{position}" {data}>{label}</a>')
    return mark_safe("".join(parts))  # noqa: S308 - only numbers and escaped words
