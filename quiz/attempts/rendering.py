"""The questions of an attempt page, rendered once and kept.

An attempt's snapshot never changes after it starts, so the markup of a page's
questions is the same on every request: it is kept (per attempt, page and
language) in the "render" cache as escaped HTML pieces with a marker where a
choice is ticked or a question flagged, and the trainee's saved answers and
flags, read from the database on every request, are filled in. Nothing kept can
show an answer: the pieces hold none.

The "render" cache is per process memory by default and Redis when REDIS_URL
is set (config/settings.py): a database cache would cost a query per page, the
price of the rendering it saves.
"""

from html import escape

from django.conf import settings
from django.core.cache import caches
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from questions.templatetags.question_tags import fieldset_parts, fieldset_words

RENDER_CACHE = "render"
KEEP_FOR = 6 * 60 * 60  # seconds: longer than any sitting
# Part of every key: bump it when the markup below or in fieldset_parts changes,
# so a shared cache never serves one release's markup to the next.
MARKUP_VERSION = 1

Parts = list[str | tuple[str, int]]


def fingerprint(attempt, shown: list) -> tuple:
    """What makes kept markup this page's: the questions' row ids and the
    attempt's start, to the microsecond. Checked after the page's query, so
    markup kept for an attempt id that came back (a restored database beside a
    live Redis, a test's rolled-back rows) is never shown for another attempt."""
    return (attempt.started_at.isoformat(), *(item.pk for item in shown))


def _cache():
    """The "render" cache; the default one where settings name no such cache
    (a test's own CACHES, say)."""
    return caches[RENDER_CACHE if RENDER_CACHE in settings.CACHES else "default"]


def _key(attempt_id: int, page: int) -> str:
    return f"attempt-page:v{MARKUP_VERSION}:{attempt_id}:{page}:{get_language()}"


def kept(attempt_id: int, page: int) -> tuple[tuple, Parts] | None:
    """The page's questions as kept (with their fingerprint), or None: then
    render_questions needs the snapshots of the questions shown."""
    return _cache().get(_key(attempt_id, page))


def render_questions(
    attempt, page: int, shown: list, *, total: int, kept_page=None
) -> SafeString:
    """The page's questions with the trainee's saved answers and flags."""
    if kept_page is None:
        kept_page = kept(attempt.pk, page)
    mark = fingerprint(attempt, shown)
    if kept_page is not None and kept_page[0] == mark:
        parts = kept_page[1]
    else:
        load_snapshots(shown)
        parts = _parts(shown, total)
        _cache().set(_key(attempt.pk, page), (mark, parts), KEEP_FOR)
    chosen = {choice for item in shown for choice in item.selected}
    flagged = {int(item.position) for item in shown if item.flagged}
    html = "".join(
        part
        if isinstance(part, str)
        else (
            " checked"
            if (part[1] in chosen if part[0] == "checked" else part[1] in flagged)
            else ""
        )
        for part in parts
    )
    return mark_safe(html)  # noqa: S308 - the parts are escaped where they are made


def load_snapshots(shown: list) -> None:
    """The snapshots of questions read without them (one query), for the rare
    page whose kept markup turned out not to be its own."""
    missing = [item for item in shown if "snapshot" in item.get_deferred_fields()]
    if missing:
        model = type(missing[0])
        found = dict(
            model.objects.filter(pk__in=[item.pk for item in missing]).values_list(
                "pk", "snapshot"
            )
        )
        for item in missing:
            item.snapshot = found[item.pk]


def _parts(shown: list, total: int) -> Parts:
    """For each question: the hidden `shown` marker (which questions the form
    covered), its place ("Question 3 of 18"), the flag toggle (a checkbox the
    page styles as a button, so it works without JavaScript) and its fieldset."""
    flag_on, flag_off = escape(_("Flagged")), escape(_("Flag for review"))
    place_of, which_of = _("Question %(k)s of %(n)s"), _("question %(k)s")
    words = fieldset_words()
    parts: Parts = []
    for item in shown:
        position = int(item.position)
        place = escape(place_of % {"k": position, "n": total})
        which = escape(which_of % {"k": position})
        parts.append(
            f'<section class="rw-attempt-question" id="question-{position}" '
            f'aria-labelledby="question-{position}-place">'
            f'<input type="hidden" name="shown" value="{position}">'
            '<div class="d-flex justify-content-between align-items-center gap-2 mb-2">'
            f'<p class="small text-body-secondary mb-0" id="question-{position}-place">'
            f"{place}</p>"
            f'<span class="rw-flag"><input type="checkbox" class="btn-check" '
            f'name="flag" value="{position}" id="flag-{position}" '
            f'autocomplete="off"'
        )
        parts.append(("flagged", position))
        parts.append(
            ">"
            f'<label class="btn btn-sm btn-outline-danger" for="flag-{position}">'
            f'<span aria-hidden="true">&#9873;</span> '
            f'<span class="rw-flag-off">{flag_off}</span>'
            f'<span class="rw-flag-on">{flag_on}</span>'
            f'<span class="visually-hidden"> ({which})</span></label></span>'
            "</div>\n"
        )
        parts.extend(
            fieldset_parts(
                number=position,
                stem=item.snapshot["stem"],
                qtype=item.qtype,
                choices=item.choices,
                field_name=item.field_name,
                words=words,
            )
        )
        parts.append("\n</section>\n")
    return parts
