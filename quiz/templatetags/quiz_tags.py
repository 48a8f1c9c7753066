from decimal import Decimal
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from questions.templatetags.question_tags import fieldset_words, question_fieldset
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
def attempt_questions(shown, *, total: int) -> SafeString:
    """The questions of an attempt page, as the trainee answers them.

    For each question: the hidden `shown` marker (which questions the form
    covered), its place ("Question 3 of 18"), the flag toggle (a checkbox the
    page styles as a button, so it works without JavaScript) and its fieldset.
    Python rather than a template loop, for the reason question_fieldset gives:
    a page of 50 questions was 50 loop bodies of variable lookups, translations
    and number formatting, the bulk of the page's time.
    """
    flag_on, flag_off = escape(_("Flagged")), escape(_("Flag for review"))
    place_of, which_of = _("Question %(k)s of %(n)s"), _("question %(k)s")
    words = fieldset_words()
    parts = []
    for item in shown:
        position = int(item.position)
        place = escape(place_of % {"k": position, "n": total})
        which = escape(which_of % {"k": position})
        checked = " checked" if item.flagged else ""
        parts.append(
            f'<section class="rw-attempt-question" id="question-{position}" '
            f'aria-labelledby="question-{position}-place">'
            f'<input type="hidden" name="shown" value="{position}">'
            '<div class="d-flex justify-content-between align-items-center gap-2 mb-2">'
            f'<p class="small text-body-secondary mb-0" id="question-{position}-place">'
            f"{place}</p>"
            f'<span class="rw-flag"><input type="checkbox" class="btn-check" '
            f'name="flag" value="{position}" id="flag-{position}" '
            f'autocomplete="off"{checked}>'
            f'<label class="btn btn-sm btn-outline-danger" for="flag-{position}">'
            f'<span aria-hidden="true">&#9873;</span> '
            f'<span class="rw-flag-off">{flag_off}</span>'
            f'<span class="rw-flag-on">{flag_on}</span>'
            f'<span class="visually-hidden"> ({which})</span></label></span>'
            "</div>"
        )
        parts.append(
            question_fieldset(
                number=position,
                stem=item.snapshot["stem"],
                qtype=item.qtype,
                choices=item.choices,
                field_name=item.field_name,
                selected=item.selected,
                words=words,
            )
        )
        parts.append("</section>")
    return mark_safe("\n".join(parts))  # noqa: S308 - escaped above and in question_fieldset


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
