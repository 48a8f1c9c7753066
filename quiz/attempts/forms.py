"""The forms of the attempt pages: they parse what a page posts, and nothing else
does (the services receive choice ids, already checked against the attempt)."""

import re
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _

ANSWER_FIELD = re.compile(r"^q-([0-9]{1,4})$")
POSITION = re.compile(r"^[0-9]{1,4}$")
NOT_UNDERSTOOD = "not_understood"


@dataclass(frozen=True)
class Navigation:
    """Where the trainee asked to go after saving: an action and, for "page", where."""

    action: str  # save, next, prev, page, review, submit
    page: int | None = None

    def target(self, page: int, pages: int) -> int | None:
        """The page this sends the trainee to from `page`; None for the summary
        page and the result (review, submit)."""
        if self.action in ("review", "submit"):
            return None
        return {
            "next": min(page + 1, pages),
            "prev": max(page - 1, 1),
            "page": self.page,
        }.get(self.action, page)


class PageForm(forms.Form):
    """Which page of an attempt to show (?page=N); when none is asked, the page
    the trainee was last sent to (`resume`), so "Resume" opens where they were."""

    def __init__(self, data, *, pages: int, resume: int = 1):
        super().__init__(data)
        self.resume = min(max(resume, 1), pages)
        self.fields["page"] = forms.IntegerField(
            min_value=1, max_value=pages, required=False
        )

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or self.resume


class AttemptPageForm(forms.Form):
    """One posted page of an attempt.

    The page names each question it showed (`shown`, so a question left blank is
    saved as blank) and posts each answer as the choice's place in the order shown
    (`q-<position>` = 1, 2, ...): choice ids never reach the page, they would
    reveal the authoring order. A flag is a checkbox `flag` whose value is the
    question's position; a shown question whose box is not ticked is unflagged.
    Cleaned: `answers` {position: [choice ids]}, `flags` {position: bool} for
    the shown questions, `page` (the page posted from) and `nav` (a Navigation).
    """

    nav = forms.CharField(required=False, max_length=20)

    def __init__(self, data, *, items, pages: int):
        super().__init__(data)
        self.items = {item.position: item for item in items}
        self.pages = pages
        self.fields["page"] = forms.IntegerField(
            min_value=1, max_value=pages, required=False
        )

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1

    def clean_nav(self) -> Navigation:
        raw = self.cleaned_data.get("nav") or "save"
        if raw in ("next", "prev", "review", "submit"):
            return Navigation(raw)
        target = raw.removeprefix("page-")
        if target != raw and POSITION.match(target) and 1 <= int(target) <= self.pages:
            return Navigation("page", int(target))
        return Navigation("save")

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["answers"] = self._answers()
        cleaned["flags"] = self._flags()
        return cleaned

    def _flags(self) -> dict[int, bool]:
        shown = {int(raw) for raw in self.data.getlist("shown")}
        ticked: set[int] = set()
        for raw in self.data.getlist("flag"):
            if not POSITION.match(raw) or int(raw) not in shown:
                raise forms.ValidationError(
                    _("The form was not understood; nothing was saved."),
                    code=NOT_UNDERSTOOD,
                )
            ticked.add(int(raw))
        return {position: position in ticked for position in shown}

    def _positions(self) -> set[int]:
        positions: set[int] = set()
        for raw in self.data.getlist("shown"):
            if not POSITION.match(raw):
                raise forms.ValidationError(
                    _("The form was not understood; nothing was saved."),
                    code=NOT_UNDERSTOOD,
                )
            positions.add(int(raw))
        for key in self.data:
            match = ANSWER_FIELD.match(key)
            if match:
                positions.add(int(match.group(1)))
            elif key.startswith("q-"):
                raise forms.ValidationError(
                    _("The form was not understood; nothing was saved."),
                    code=NOT_UNDERSTOOD,
                )
        return positions

    def _answers(self) -> dict[int, list[int]]:
        answers: dict[int, list[int]] = {}
        for position in sorted(self._positions()):
            item = self.items.get(position)
            if item is None:
                raise forms.ValidationError(
                    _("Question %(n)s is not part of this attempt.") % {"n": position}
                )
            ids: list[int] = []
            for raw in self.data.getlist(f"q-{position}"):
                index = int(raw) if POSITION.match(raw) else 0
                if not 1 <= index <= len(item.choices):
                    raise forms.ValidationError(
                        _("That answer to question %(n)d is not one of its choices.")
                        % {"n": position}
                    )
                choice_id = item.choices[index - 1]["id"]
                if choice_id not in ids:
                    ids.append(choice_id)
            if item.qtype != "multiple" and len(ids) > 1:
                raise forms.ValidationError(
                    _("Question %(n)d takes a single answer.") % {"n": position}
                )
            answers[position] = ids
        return answers

    def error_message(self) -> str:
        """The first problem, as the page shows it above the questions."""
        errors = self.non_field_errors()
        if errors:
            return errors[0]
        return _("The form was not understood; nothing was saved.")
