"""What a practice page posts: the answer to one served question, as the places
of the chosen choices in the order shown (never choice ids, as for attempts)."""

from django import forms
from django.utils.translation import gettext as _

from quiz.practice.models import PracticeItem

FIELD = "answer"
PLACE_MAX_DIGITS = 3


class PracticeAnswerForm(forms.Form):
    """Cleaned: `choice_ids`, the ids of the chosen choices of this item."""

    def __init__(self, data, *, item: PracticeItem):
        super().__init__(data)
        self.item = item

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        raw = self.data.getlist(FIELD)
        if not raw:
            raise forms.ValidationError(_("Choose an answer first."), code="empty")
        choices = self.item.choices
        ids: list[int] = []
        for value in raw:
            place = (
                int(value) if value.isdigit() and len(value) <= PLACE_MAX_DIGITS else 0
            )
            if not 1 <= place <= len(choices):
                raise forms.ValidationError(
                    _("That answer is not one of this question's choices."),
                    code="not_a_choice",
                )
            if choices[place - 1]["id"] not in ids:
                ids.append(choices[place - 1]["id"])
        if self.item.qtype != "multiple" and len(ids) > 1:
            raise forms.ValidationError(
                _("This question takes a single answer."), code="single"
            )
        cleaned["choice_ids"] = ids
        return cleaned

    def error_message(self) -> str:
        errors = self.non_field_errors()
        return errors[0] if errors else _("The form was not understood.")
