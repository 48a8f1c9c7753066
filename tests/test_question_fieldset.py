"""The question fieldset escapes everything and gives nothing away."""

from questions.templatetags.question_tags import question_fieldset


def test_texts_are_escaped_and_selected_choices_checked():
    html = question_fieldset(
        number=3,
        stem='<script>alert("x")</script> & "quotes"',
        qtype="multiple",
        choices=[
            {"id": 41, "text": "<b>bold</b>", "correct": True, "feedback": "SECRET"},
            {"id": 42, "text": "O'Brien", "correct": False, "feedback": "SECRET"},
        ],
        field_name="q-3",
        selected=[42],
    )

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "O&#x27;Brien" in html
    assert 'type="checkbox" name="q-3" id="q-3-1" value="1">' in html
    assert 'type="checkbox" name="q-3" id="q-3-2" value="2" checked>' in html
    assert "SECRET" not in html and "41" not in html and "42" not in html
    assert 'aria-describedby="q3-hint"' in html and "Select all that apply." in html


def test_single_answer_questions_use_radio_buttons():
    html = question_fieldset(
        number=1,
        stem="Which?",
        qtype="true_false",
        choices=[{"id": 1, "text": "True"}],
        field_name="q-1",
    )

    assert 'type="radio"' in html and "Select one answer." in html
