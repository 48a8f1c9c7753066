from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

STATUS_LABELS = {
    "not_started": ("text-bg-light border", "Not started"),
    "in_progress": ("text-bg-info", "In progress"),
    "passed": ("text-bg-success", "Passed"),
    "failed": ("text-bg-warning", "Not passed yet"),
}


@register.inclusion_tag("includes/_status_badge.html")
def status_badge(label: str) -> dict:
    css, text = STATUS_LABELS[label]
    return {"css": css, "text": _(text)}


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
