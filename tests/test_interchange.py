"""GIFT, Moodle XML and Aiken with the bank: commands, admin import and export,
round trips."""

import io

import pytest

from django.core.management import CommandError, call_command
from django.urls import reverse

from questions.formats import parse_aiken, parse_gift, parse_moodle_xml
from questions.interchange import (
    import_plan,
    questions_export,
    questions_import,
    to_parsed,
)
from questions.models import Category, Question, QuestionStatus, QuestionType
from questions.services import question_bank_load

pytestmark = pytest.mark.django_db

GIFT = """// rules: R-NO-TWIST
::Twist::May the therapist twist the neck?{FALSE#It can displace the disc.#Right.####No twisting.}

$CATEGORY: Safe technique
::Moves::Which movements are allowed?{
~%50%Smooth
~%50%Gradual
~%-100%Sudden
}

What is 2+2?{#4}
"""


PARSERS = {"gift": parse_gift, "xml": parse_moodle_xml}


def comparable(parsed):
    """What the bank keeps of a question; rule codes travel as Moodle tags."""
    return (
        parsed.qtype,
        parsed.stem,
        parsed.title,
        parsed.general_feedback,
        parsed.category,
        parsed.idnumber,
        tuple(sorted({*parsed.rules, *parsed.tags})),
        tuple((c.text, c.correct, c.feedback) for c in parsed.choices),
    )


@pytest.fixture
def bank(db):
    question_bank_load()


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_export_then_parse_gives_back_the_whole_seed_bank(bank, fmt):
    questions = Question.objects.all()
    originals = [
        comparable(to_parsed(q))
        for q in questions.prefetch_related("choices", "question_rules__rule")
    ]

    result = questions_export(questions=questions, fmt=fmt)
    parsed = PARSERS[fmt](result.text)

    assert result.left_out == []
    assert [comparable(q) for q in parsed.questions] == originals
    assert parsed.skipped == () and parsed.warnings == ()


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_export_then_import_recreates_the_same_questions(bank, instructor, fmt):
    text = questions_export(questions=Question.objects.all(), fmt=fmt).text
    before = {q.idnumber: comparable(to_parsed(q)) for q in Question.objects.all()}
    Question.objects.update(idnumber="")  # free the ID numbers for the copies

    plan = import_plan(text=text, fmt=fmt)
    report = questions_import(plan=plan, author=instructor)

    copies = Question.objects.filter(pk__in=[q.pk for q in report.created])
    assert len(report.created) == len(before)
    assert all(item.notes == [] for item in plan.questions)
    assert all(
        q.status == QuestionStatus.DRAFT and q.author == instructor for q in copies
    )
    assert {q.idnumber: comparable(to_parsed(q)) for q in copies} == before
    assert all(q.publication_problems() == [] for q in copies)


def test_rule_codes_are_written_as_moodle_tags_and_read_back_as_rules(bank):
    question = Question.objects.filter(qtype=QuestionType.MULTIPLE).first()
    codes = [link.rule.code for link in question.question_rules.all()]

    text = questions_export(
        questions=Question.objects.filter(pk=question.pk), fmt="gift"
    ).text

    assert text.splitlines()[2] == "// [id:{}] {}".format(
        question.idnumber, " ".join(f"[tag:{c}]" for c in codes)
    )
    assert "// rules:" not in text and "// idnumber:" not in text
    Question.objects.update(idnumber="")
    lowered = text.replace(codes[0], codes[0].lower())  # Moodle may lower-case tags
    (planned,) = import_plan(text=lowered + "\n", fmt="gift").questions
    assert [rule.code for rule in planned.rules] == codes


def test_tags_that_are_not_rule_codes_are_named_in_the_notes(bank):
    text = "// [tag:neck] [tag:R-NO-TWIST] [tag:R-NOPE]\nTwist the neck?{F}\n"

    (planned,) = import_plan(text=text, fmt="gift").questions

    assert [rule.code for rule in planned.rules] == ["R-NO-TWIST"]
    assert "Unknown rule codes ignored: R-NOPE." in planned.notes
    assert "Tags that are not rule codes ignored: neck." in planned.notes


def test_aiken_round_trip_of_single_and_true_false_questions(bank):
    questions = Question.objects.exclude(qtype=QuestionType.MULTIPLE)
    result = questions_export(questions=Question.objects.all(), fmt="aiken")

    parsed = parse_aiken(result.text)

    assert (
        len(result.left_out)
        == Question.objects.filter(qtype=QuestionType.MULTIPLE).count()
    )
    assert [
        (q.qtype, q.stem, [(c.text, c.correct) for c in q.choices])
        for q in parsed.questions
    ] == [
        (q.qtype, q.stem, [(c.text, c.correct) for c in q.choices.all()])
        for q in questions
    ]


# --- the commands --------------------------------------------------------------------------------


def test_import_command_imports_drafts_and_prints_a_summary(tmp_path, bank):
    path = tmp_path / "q.gift"
    path.write_text(GIFT, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_questions",
        str(path),
        "--format",
        "gift",
        "--category",
        "Imported",
        stdout=out,
        stderr=err,
    )

    assert (
        "Imported 2 questions as drafts (1 multiple, 1 true_false); 1 skipped."
        in out.getvalue()
    )
    assert f"{path}:11: skipped numerical" in err.getvalue()
    twist = Question.objects.get(title="Twist")
    assert twist.status == QuestionStatus.DRAFT
    assert twist.category.name == "Imported"
    assert [r.code for r in twist.rules.all()] == ["R-NO-TWIST"]
    assert Question.objects.get(title="Moves").category.name == "Safe technique"


def test_import_command_dry_run_saves_nothing(tmp_path, bank):
    path = tmp_path / "q.gift"
    path.write_text(GIFT, encoding="utf-8")
    before = Question.objects.count()
    out = io.StringIO()

    call_command(
        "import_questions",
        str(path),
        "--format",
        "gift",
        "--dry-run",
        stdout=out,
        stderr=io.StringIO(),
    )

    assert "would import 2 questions" in out.getvalue()
    assert Question.objects.count() == before


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        ("Question?{=yes ~no\n", "gift", ":1: "),
        ("Good?{=a ~b}\n\nBad?{=a =b ~c}\n", "gift", ":3: "),
        ("What?\nA. one\nB. two\n", "aiken", ":1: "),
    ],
)
def test_import_command_names_file_and_line_and_saves_nothing(
    tmp_path, content, fmt, message
):
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_questions", str(path), "--format", fmt, stderr=io.StringIO()
        )

    assert str(excinfo.value).startswith(f"{path}{message}")
    assert not Question.objects.exists()


def test_import_command_refuses_missing_large_and_non_utf8_files(tmp_path, settings):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_questions", str(tmp_path / "nope.txt"), "--format", "gift")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Zoë?{T}".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_questions", str(latin), "--format", "gift")
    settings.QUESTION_IMPORT_MAX_BYTES = 10
    big = tmp_path / "big.txt"
    big.write_text("A long question?{T}", encoding="utf-8")
    with pytest.raises(CommandError, match="larger than"):
        call_command("import_questions", str(big), "--format", "gift")


def test_import_refuses_too_many_questions(tmp_path, settings):
    settings.QUESTION_IMPORT_MAX_QUESTIONS = 1
    path = tmp_path / "two.gift"
    path.write_text("One?{T}\n\nTwo?{F}\n", encoding="utf-8")

    with pytest.raises(CommandError, match="at most 1"):
        call_command("import_questions", str(path), "--format", "gift")


def test_export_command_writes_to_stdout_and_filters_by_category(bank):
    out = io.StringIO()
    category = Category.objects.get(slug="home-massage")

    call_command(
        "export_questions", "--format", "gift", "--category", category.name, stdout=out
    )

    parsed = parse_gift(out.getvalue())
    assert len(parsed.questions) == category.questions.count()
    assert {q.category for q in parsed.questions} == {category.name}
    with pytest.raises(CommandError, match="No category"):
        call_command("export_questions", "--format", "gift", "--category", "Nope")


# --- the admin -----------------------------------------------------------------------------------


def import_url():
    return reverse("admin:questions_question_import")


def test_admin_import_previews_then_confirms(instructor_client, instructor, bank):
    before = Question.objects.count()

    preview = instructor_client.post(
        import_url(),
        {"format": "gift", "category": "Imported", "pasted": GIFT, "preview": "1"},
    )

    html = preview.content.decode()
    assert preview.status_code == 200
    assert "2 questions will be created as drafts" in html
    assert "line 11: numerical" in html
    assert Question.objects.count() == before

    confirm = instructor_client.post(
        import_url(),
        {"format": "gift", "category": "Imported", "pasted": GIFT, "confirm": "1"},
    )

    assert confirm.status_code == 302
    assert Question.objects.count() == before + 2
    assert Question.objects.get(title="Twist").author == instructor


def test_admin_import_with_an_error_shows_the_line_and_saves_nothing(instructor_client):
    response = instructor_client.post(
        import_url(),
        {"format": "gift", "pasted": "Good?{=a ~b}\n\nBad?{=a", "confirm": "1"},
    )

    assert response.status_code == 400
    assert "line 3" in response.content.decode()
    assert not Question.objects.exists()


def test_admin_import_upload_and_empty_form(instructor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    empty = instructor_client.post(import_url(), {"format": "aiken"})
    upload = SimpleUploadedFile(
        "q.txt", b"\xef\xbb\xbfIs it?\nA. Yes\nB. No\nANSWER: A\n"
    )
    uploaded = instructor_client.post(
        import_url(), {"format": "aiken", "upload": upload, "confirm": "1"}
    )

    assert empty.status_code == 400 and "Choose a file" in empty.content.decode()
    assert uploaded.status_code == 302
    assert Question.objects.get().stem == "Is it?"


def test_admin_import_never_renders_html_from_the_file(instructor_client):
    evil = "[html]<script>alert(1)</script><b>Bold</b> question?{T}"

    html = instructor_client.post(
        import_url(), {"format": "gift", "pasted": evil, "preview": "1"}
    ).content.decode()

    assert "<script>alert(1)</script>" not in html


def test_admin_import_page_needs_add_permission(instructor_client, supervisor):
    from django.test import Client

    other = Client()
    other.force_login(supervisor)

    assert instructor_client.get(import_url()).status_code == 200
    response = other.get(import_url())  # not staff: sent to the admin login
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_export_actions_download_the_selection(instructor_client, bank):
    ids = list(Question.objects.values_list("pk", flat=True)[:5])
    url = reverse("admin:questions_question_changelist")

    gift = instructor_client.post(
        url, {"action": "export_gift", "_selected_action": ids}
    )
    aiken = instructor_client.post(
        url, {"action": "export_aiken", "_selected_action": ids}
    )

    assert gift["Content-Disposition"].endswith('.gift.txt"')
    assert len(parse_gift(gift.content.decode()).questions) == 5
    assert aiken.status_code in (200, 302)


@pytest.fixture
def broken_draft(bank):
    """A draft single-answer question with no right choice yet (an import keeps
    such questions as drafts with notes)."""
    question = Question.objects.filter(qtype=QuestionType.SINGLE).first()
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.DRAFT)
    question.choices.update(correct=False)
    return question


def test_admin_gift_export_leaves_out_a_malformed_draft_and_says_so(
    instructor_client, broken_draft
):
    others = list(
        Question.objects.exclude(pk=broken_draft.pk).values_list("pk", flat=True)[:4]
    )
    url = reverse("admin:questions_question_changelist")

    response = instructor_client.post(
        url, {"action": "export_gift", "_selected_action": [broken_draft.pk, *others]}
    )

    assert response.status_code == 200
    parsed = parse_gift(response.content.decode())
    assert len(parsed.questions) == 4
    assert broken_draft.stem not in {q.stem for q in parsed.questions}
    warnings = [
        str(m)
        for m in response.wsgi_request._messages  # noqa: SLF001
    ]
    assert any(
        "Left out" in m and broken_draft.idnumber in m and "right" in m
        for m in warnings
    )


def test_export_command_writes_the_rest_and_lists_a_malformed_draft(broken_draft):
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 malformed draft"):
        call_command("export_questions", "--format", "gift", stdout=out, stderr=err)

    assert len(parse_gift(out.getvalue()).questions) == Question.objects.count() - 1
    assert f"left out: {broken_draft.idnumber}" in err.getvalue()


def test_a_long_id_number_that_matches_a_stored_one_when_cut_is_imported_without_it(
    bank, instructor
):
    stored = Question.objects.first()
    Question.objects.filter(pk=stored.pk).update(idnumber="X" * 100)
    text = f"// idnumber: {'X' * 120}\nMay the therapist twist the neck?{{FALSE}}\n"

    plan = import_plan(text=text, fmt="gift", default_category="Imported")
    report = questions_import(plan=plan, author=instructor)

    (created,) = report.created
    assert created.idnumber == ""
    assert any("already used" in note for note in plan.questions[0].notes)


def test_a_category_name_with_a_slash_survives_export_and_import(bank, instructor):
    category = Category.objects.create(name="Neck/Shoulders", slug="neck-shoulders")
    Question.objects.filter(pk=Question.objects.first().pk).update(category=category)
    exported = questions_export(
        questions=Question.objects.filter(category=category), fmt="gift"
    )
    names_before = set(Category.objects.values_list("name", flat=True))

    plan = import_plan(text=exported.text, fmt="gift")
    report = questions_import(plan=plan, author=instructor)

    assert {q.category.name for q in report.created} == {"Neck/Shoulders"}
    assert set(Category.objects.values_list("name", flat=True)) == names_before


# --- Moodle XML ------------------------------------------------------------------------------

XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Safe technique</text></category>
  </question>
  <question type="truefalse">
    <name><text>Twist</text></name>
    <questiontext format="html"><text>May the therapist twist the neck?</text></questiontext>
    <answer fraction="0"><text>true</text><feedback><text>It can displace the disc.</text></feedback></answer>
    <answer fraction="100"><text>false</text><feedback><text>Right.</text></feedback></answer>
    <tags><tag><text>R-NO-TWIST</text></tag></tags>
  </question>
  <question type="shortanswer">
    <name><text>Short</text></name>
  </question>
</quiz>
"""


def test_import_command_reads_moodle_xml(tmp_path, bank):
    path = tmp_path / "q.xml"
    path.write_text(XML, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_questions", str(path), "--format", "xml", stdout=out, stderr=err
    )

    assert "Imported 1 question as drafts (1 true_false); 1 skipped." in out.getvalue()
    assert f"{path}:13: skipped shortanswer" in err.getvalue()
    twist = Question.objects.get(title="Twist")
    assert twist.category.name == "Safe technique"
    assert [r.code for r in twist.rules.all()] == ["R-NO-TWIST"]
    assert [(c.text, c.correct, c.feedback) for c in twist.choices.all()] == [
        ("True", False, "It can displace the disc."),
        ("False", True, "Right."),
    ]


def test_import_command_names_the_line_of_bad_xml_and_saves_nothing(tmp_path, bank):
    path = tmp_path / "bad.xml"
    path.write_text(XML[:300], encoding="utf-8")  # cut short
    before = Question.objects.count()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_questions", str(path), "--format", "xml")

    assert str(excinfo.value).startswith(f"{path}:")
    assert "not well-formed XML" in str(excinfo.value)
    assert Question.objects.count() == before


def test_export_command_writes_moodle_xml(bank):
    out = io.StringIO()

    call_command("export_questions", "--format", "xml", stdout=out)

    parsed = parse_moodle_xml(out.getvalue())
    assert len(parsed.questions) == Question.objects.count()


def test_xml_export_command_lists_a_malformed_draft_and_exits_1(broken_draft):
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 malformed draft left out of the Moodle"):
        call_command("export_questions", "--format", "xml", stdout=out, stderr=err)

    assert len(parse_moodle_xml(out.getvalue()).questions) == (
        Question.objects.count() - 1
    )
    assert f"left out: {broken_draft.idnumber}" in err.getvalue()


def test_admin_exports_and_imports_moodle_xml(instructor_client, bank):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ids = list(Question.objects.values_list("pk", flat=True)[:5])
    url = reverse("admin:questions_question_changelist")

    exported = instructor_client.post(
        url, {"action": "export_xml", "_selected_action": ids}
    )

    assert exported["Content-Type"] == "application/xml; charset=utf-8"
    assert exported["Content-Disposition"].endswith('.xml"')
    assert len(parse_moodle_xml(exported.content.decode()).questions) == 5
    Question.objects.update(idnumber="")
    before = Question.objects.count()
    upload = SimpleUploadedFile("bank.xml", exported.content)
    imported = instructor_client.post(
        import_url(), {"format": "xml", "upload": upload, "confirm": "1"}
    )
    assert imported.status_code == 302
    assert Question.objects.count() == before + 5


def test_admin_import_refuses_an_entity_bomb_with_a_clear_message(instructor_client):
    from tests.formats.test_moodle_xml import BILLION_LAUGHS

    response = instructor_client.post(
        import_url(), {"format": "xml", "pasted": BILLION_LAUGHS, "preview": "1"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "line 2" in html and "entity expansion" in html
    assert not Question.objects.exists()
