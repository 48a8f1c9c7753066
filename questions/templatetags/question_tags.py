from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from questions.translation import translated

register = template.Library()


@register.filter
def in_language(obj, field: str) -> str:
    """A rule's, category's, question's or choice's `field` in the active
    language, English where it has no translation (questions/translation.py).
    For live rows only: a snapshot is already in the language it was shown in."""
    return translated(obj, field, get_language())


def fieldset_words() -> dict[str, str]:
    """The fieldset's words in the active language: a page of many questions
    translates them once and passes them to each question_fieldset()."""
    return {
        "multiple": _("Select all that apply."),
        "single": _("Select one answer."),
        "label": _("Question %(n)s:"),
    }


@register.simple_tag
def question_fieldset(
    *, number, stem, qtype, choices, field_name, selected=None, words=None
) -> SafeString:
    """A question as a trainee answers it: no correct flags, no feedback, and no
    choice ids either (they tell the authoring order): each choice posts its place
    in the order shown, which the attempt stored.

    Python rather than a template include: the attempt page renders dozens of
    these, and this is its hot path. Every text is escaped with html.escape
    (quotes included), which is what Django's escape does, without its lazy
    wrapper on each of hundreds of calls.
    """
    chosen = set(selected or ())
    parts = fieldset_parts(
        number=number,
        stem=stem,
        qtype=qtype,
        choices=choices,
        field_name=field_name,
        words=words or fieldset_words(),
    )
    html = "".join(
        part if isinstance(part, str) else (" checked" if part[1] in chosen else "")
        for part in parts
    )
    return mark_safe(html)  # noqa: S308 - every dynamic part is escaped in fieldset_parts


def fieldset_parts(
    *, number, stem, qtype, choices, field_name, words
) -> list[str | tuple[str, int]]:
    """The fieldset as escaped HTML pieces and, where a choice is ticked or not,
    ("checked", choice id): the same markup for every trainee's answers, so a
    page can keep it and fill in the answers on each request."""
    input_type = "checkbox" if qtype == "multiple" else "radio"
    hint = words["multiple"] if qtype == "multiple" else words["single"]
    name = escape(str(field_name))
    n = escape(str(number))
    parts: list[str | tuple[str, int]] = [
        f'<fieldset class="rw-question mb-4" aria-describedby="q{n}-hint">\n'
        f'  <legend class="rw-stem"><span class="visually-hidden">'
        f"{escape(words['label'] % {'n': number})} </span>{escape(str(stem))}</legend>\n"
        f'  <p id="q{n}-hint" class="form-text mt-0 mb-2">{escape(hint)}</p>'
    ]
    for place, choice in enumerate(choices, start=1):
        choice_id, text = (
            (choice["id"], choice["text"])
            if isinstance(choice, dict)
            else (choice.pk, choice.text)
        )
        parts.append(
            '\n  <div class="form-check">\n'
            f'    <input class="form-check-input" type="{input_type}" name="{name}" '
            f'id="{name}-{place}" value="{place}"'
        )
        parts.append(("checked", choice_id))
        parts.append(
            ">\n"
            f'    <label class="form-check-label w-100" for="{name}-{place}">'
            f"{escape(str(text))}</label>\n"
            "  </div>"
        )
    parts.append("\n</fieldset>")
    return parts
