from decimal import Decimal
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from questions.templatetags.question_tags import question_fieldset
from quiz.attempts.progress import ProgressStatus

register = template.Library()


@register.inclusion_tag("includes/_status_badge.html")
def status_badge(status: ProgressStatus) -> dict:
    """A trainee's progress on a quiz as a badge: its label and colour."""
    status = ProgressStatus(status)
    return {"css": status.css, "text": status.label}


@register.filter
def percent(value) -> str:
    """A score as '83%' or '83.33%'; an em dash when there is none."""
    if value is None or value == "":
        return "—"
    value = Decimal(value).normalize()
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    return f"{text}%"


@register.inclusion_tag("includes/_certificate_badge.html")
def certificate_badge(certificate) -> dict:
    return {"status": certificate.status}


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes (rounded up), for "try again in N minutes"."""
    seconds = value.total_seconds() if hasattr(value, "total_seconds") else float(value)
    return max(1, int(-(-seconds // 60)))


@register.simple_tag
def attempt_questions(shown, *, total: int, numbered: bool) -> SafeString:
    """The questions of an attempt page, as the trainee answers them.

    For each question: the hidden `shown` marker (which questions the form
    covered), its place ("Question 3 of 18") when several share the page, and its
    fieldset. Python rather than a template loop, for the reason question_fieldset
    gives: a page of 50 questions was 50 loop bodies of variable lookups,
    translations and number formatting, the bulk of the page's time.
    """
    parts = []
    for item in shown:
        position = int(item.position)
        parts.append(f'<input type="hidden" name="shown" value="{position}">')
        if numbered:
            place = _("Question %(k)s of %(n)s") % {"k": position, "n": total}
            parts.append(
                f'<p class="small text-body-secondary mb-1">{escape(place)}</p>'
            )
        parts.append(
            question_fieldset(
                number=position,
                stem=item.snapshot["stem"],
                qtype=item.qtype,
                choices=item.choices,
                field_name=item.field_name,
                selected=item.selected,
            )
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - escaped above and in question_fieldset
