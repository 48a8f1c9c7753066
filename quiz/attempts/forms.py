"""The forms of the attempt pages: they parse what a page posts, and nothing else
does. They check its shape only; the save service checks it against the
attempt, which it reads once, under the attempt's lock."""

import re

from django import forms
from django.utils.translation import gettext as _

from quiz.attempts.navigation import Navigation

ANSWER_FIELD = re.compile(r"^q-([0-9]{1,4})$")
POSITION = re.compile(r"^[0-9]{1,4}$")
MAX_POSITION = 9999
NOT_UNDERSTOOD = "not_understood"


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
    """One posted page of an attempt, parsed without reading the attempt.

    The page names each question it showed (`shown`, so a question left blank is
    saved as blank) and posts each answer as the choice's place in the order shown
    (`q-<position>` = 1, 2, ...): choice ids never reach the page, they would
    reveal the authoring order. A flag is a checkbox `flag` whose value is the
    question's position; a shown question whose box is not ticked is unflagged.
    Cleaned: `answers` {position: [places]}, `flags` {position: bool} for the
    shown questions, `page` (the page posted from) and `nav` (a Navigation).
    Whether those positions, places and pages exist in the attempt is for the
    save service to say: it reads the attempt once, under its lock.
    """

    nav = forms.CharField(required=False, max_length=20)
    page = forms.IntegerField(min_value=1, max_value=MAX_POSITION, required=False)

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1

    def clean_nav(self) -> Navigation:
        raw = self.cleaned_data.get("nav") or "save"
        if raw in ("next", "prev", "review", "submit"):
            return Navigation(raw)
        target = raw.removeprefix("page-")
        if target != raw and POSITION.match(target):
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
                raise not_understood()
            ticked.add(int(raw))
        return {position: position in ticked for position in shown}

    def _positions(self) -> set[int]:
        positions: set[int] = set()
        for raw in self.data.getlist("shown"):
            if not POSITION.match(raw):
                raise not_understood()
            positions.add(int(raw))
        for key in self.data:
            match = ANSWER_FIELD.match(key)
            if match:
                positions.add(int(match.group(1)))
            elif key.startswith("q-"):
                raise not_understood()
        return positions

    def _answers(self) -> dict[int, list[int]]:
        answers: dict[int, list[int]] = {}
        for position in sorted(self._positions()):
            places = []
            for raw in self.data.getlist(f"q-{position}"):
                if not POSITION.match(raw):
                    raise forms.ValidationError(
                        _("That answer to question %(n)d is not one of its choices.")
                        % {"n": position}
                    )
                places.append(int(raw))
            answers[position] = places
        return answers

    def error_message(self) -> str:
        """The first problem, as the page shows it above the questions."""
        errors = self.non_field_errors()
        if errors:
            return errors[0]
        return _("The form was not understood; nothing was saved.")


def not_understood() -> forms.ValidationError:
    return forms.ValidationError(
        _("The form was not understood; nothing was saved."), code=NOT_UNDERSTOOD
    )
