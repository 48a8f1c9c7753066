import pytest

from django.core.management import call_command


@pytest.mark.django_db
def test_no_pending_migrations():
    # Exits non-zero (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


# --- 0008: backfill of Attempt.marks_total and AttemptQuestion.slot -----------------

BEFORE = ("quiz", "0007_certificate_renewal_allowed")
AFTER = ("quiz", "0008_backfill_marks_total_and_slot")


def migrate(targets):
    """Migrate the test database; the historical apps of the state reached."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # reload: the applied set changed
    return executor.loader.project_state(targets).apps


def latest():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def at_0007(transactional_db, monkeypatch):
    """The database as 0007 left it; migrated to the latest state afterwards.
    The migration runs in batches of 2 here, so that several batches are run."""
    import importlib

    backfill = importlib.import_module(
        "quiz.migrations.0008_backfill_marks_total_and_slot"
    )
    monkeypatch.setattr(backfill, "BATCH_SIZE", 2)
    try:
        yield migrate([BEFORE])
    finally:
        migrate(latest())


def test_0008_backfills_marks_total_and_slot_and_keeps_every_row(at_0007):
    from datetime import UTC, datetime
    from decimal import Decimal

    apps = at_0007
    User = apps.get_model("accounts", "User")
    Category = apps.get_model("questions", "Category")
    Question = apps.get_model("questions", "Question")
    Quiz = apps.get_model("quiz", "Quiz")
    Attempt = apps.get_model("quiz", "Attempt")
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")

    category = Category.objects.create(name="Neck", slug="neck")
    questions = [
        Question.objects.create(stem=f"Question {i}?", category=category)
        for i in range(4)
    ]
    quiz = Quiz.objects.create(title="Neck", slug="neck", pass_mark=50)
    finished_at = datetime(2026, 1, 5, 10, tzinfo=UTC)

    def attempt(user, number, marks, *, finished=True, marks_total=None, slots=None):
        row = Attempt.objects.create(
            quiz=quiz,
            user=user,
            number=number,
            pass_mark=50,
            state="finished" if finished else "in_progress",
            score=Decimal(50) if finished else None,
            passed=True if finished else None,
            finished_at=finished_at if finished else None,
            marks_total=marks_total,
        )
        for position, (question, mark) in enumerate(
            zip(questions, marks, strict=False), start=1
        ):
            AttemptQuestion.objects.create(
                attempt=row,
                question=question,
                position=position,
                slot=slots[position - 1] if slots else 0,  # 0: the 0005 default
                snapshot={},
                mark=None if mark is None else Decimal(mark),
            )
        return row

    users = [User.objects.create(username=f"trainee{i}") for i in range(3)]
    old = [
        attempt(users[0], 1, ["1", "0.5", "0", "1"]),
        attempt(users[1], 1, ["0.25", "0.25", "1"]),
        attempt(users[2], 1, ["1", "1", "1", "1"]),
        attempt(users[0], 2, ["0", "0", "0", "0"]),
        attempt(users[1], 2, [None, None, None], finished=False),
    ]
    # Graded after 0005: its total and slots were recorded and are left alone
    # (a shuffled quiz: slots differ from positions).
    new = attempt(
        users[2], 2, ["1", "0", "1", "0"], marks_total=Decimal(2), slots=[3, 1, 4, 2]
    )
    counts_before = (Attempt.objects.count(), AttemptQuestion.objects.count())

    apps = migrate([AFTER])

    Attempt = apps.get_model("quiz", "Attempt")
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")
    assert (Attempt.objects.count(), AttemptQuestion.objects.count()) == counts_before
    totals = dict(Attempt.objects.values_list("pk", "marks_total"))
    assert [totals[a.pk] for a in old] == [
        Decimal("2.5"),
        Decimal("1.5"),
        Decimal(4),
        Decimal(0),
        None,  # in progress: not graded, no total
    ]
    assert totals[new.pk] == 2
    for row in old:  # the in-progress one too: it is graded some day
        pairs = AttemptQuestion.objects.filter(attempt_id=row.pk).values_list(
            "position", "slot"
        )
        assert pairs and all(slot == position for position, slot in pairs)
    assert list(
        AttemptQuestion.objects.filter(attempt_id=new.pk)
        .order_by("position")
        .values_list("slot", flat=True)
    ) == [3, 1, 4, 2]
    assert not AttemptQuestion.objects.filter(slot=0).exists()


def test_0008_reverses_as_a_noop_and_runs_again_harmlessly(at_0007):
    migrate([AFTER])
    migrate([BEFORE])  # RunPython.noop: nothing to undo
    migrate([AFTER])


# --- 0015: marks regraded to 10 places from the snapshots ---------------------------

BEFORE_EXACT = ("quiz", "0014_exact_marks")
AFTER_EXACT = ("quiz", "0015_regrade_rounded_marks")


@pytest.fixture
def at_0014(transactional_db, monkeypatch):
    """The database with 0014's wider columns but marks still rounded to 4
    places; migrated to the latest state afterwards. Batches of 2."""
    import importlib

    regrade = importlib.import_module("quiz.migrations.0015_regrade_rounded_marks")
    monkeypatch.setattr(regrade, "BATCH_SIZE", 2)
    try:
        yield migrate([BEFORE_EXACT])
    finally:
        migrate(latest())


def _snapshot(qtype, correct_ids, wrong_ids):
    choices = [{"id": i, "text": f"c{i}", "correct": True} for i in correct_ids]
    choices += [{"id": i, "text": f"c{i}", "correct": False} for i in wrong_ids]
    return {"qtype": qtype, "stem": "?", "choices": choices, "rules": []}


def _rounded_attempts(apps):
    """Two finished attempts as grading before 0014 stored them, and one in
    progress. Returns {name: attempt} and {name: [items]}."""
    from datetime import UTC, datetime
    from decimal import Decimal

    User = apps.get_model("accounts", "User")
    Category = apps.get_model("questions", "Category")
    Question = apps.get_model("questions", "Question")
    Quiz = apps.get_model("quiz", "Quiz")
    Attempt = apps.get_model("quiz", "Attempt")
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")

    category = Category.objects.create(name="Neck", slug="neck")
    questions = [
        Question.objects.create(stem=f"Question {i}?", category=category)
        for i in range(4)
    ]
    quiz = Quiz.objects.create(title="Neck", slug="neck", pass_mark=50)
    three = _snapshot("multiple", [1, 2, 3], [4])  # k = 3: thirds
    six = _snapshot("multiple", [11, 12, 13, 14, 15, 16], [17])  # sixths
    single = _snapshot("single", [21], [22, 23])
    # (snapshot, selected, mark as stored before 0014)
    graded = {
        "thirds": [
            (three, [1], "0.3333"),  # 1/3
            (three, [1, 2], "0.6667"),  # 2/3
            (single, [21], "1"),
            (six, [11, 12, 13, 14, 15], "0.8333"),  # 5/6
        ],
        # A mark that is not the snapshot's rounded (edited by hand): kept, and so
        # is its attempt's total.
        "edited": [
            (three, [1], "0.5000"),
            (single, [22], "0"),
            (six, [11], "0.1667"),  # 1/6, but the attempt keeps its odd total
            (three, [1, 2, 3], "1"),
        ],
    }
    users = [User.objects.create(username=f"trainee{i}") for i in range(3)]
    attempts, items = {}, {}
    for user, (name, rows) in zip(users, graded.items(), strict=False):
        total = sum(Decimal(mark) for _s, _sel, mark in rows)
        attempts[name] = Attempt.objects.create(
            quiz=quiz,
            user=user,
            number=1,
            pass_mark=50,
            state="finished",
            score=Decimal("70.83"),
            passed=True,
            finished_at=datetime(2026, 1, 5, 10, tzinfo=UTC),
            marks_total=total,
        )
        items[name] = [
            AttemptQuestion.objects.create(
                attempt=attempts[name],
                question=question,
                position=position,
                slot=position,
                snapshot=snapshot,
                selected=selected,
                mark=Decimal(mark),
            )
            for position, (question, (snapshot, selected, mark)) in enumerate(
                zip(questions, rows, strict=True), start=1
            )
        ]
    attempts["open"] = Attempt.objects.create(
        quiz=quiz, user=users[2], number=1, pass_mark=50
    )
    AttemptQuestion.objects.create(
        attempt=attempts["open"],
        question=questions[0],
        position=1,
        slot=1,
        snapshot=three,
        selected=[1],
    )
    return attempts, items


def test_0015_regrades_rounded_marks_from_the_snapshots_and_keeps_every_row(at_0014):
    from decimal import Decimal

    attempts, items = _rounded_attempts(at_0014)
    Attempt = at_0014.get_model("quiz", "Attempt")
    AttemptQuestion = at_0014.get_model("quiz", "AttemptQuestion")
    counts_before = (Attempt.objects.count(), AttemptQuestion.objects.count())
    scores_before = dict(Attempt.objects.values_list("pk", "score"))

    apps = migrate([AFTER_EXACT])

    Attempt = apps.get_model("quiz", "Attempt")
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")
    assert (Attempt.objects.count(), AttemptQuestion.objects.count()) == counts_before
    marks = dict(AttemptQuestion.objects.values_list("pk", "mark"))
    assert [marks[i.pk] for i in items["thirds"]] == [
        Decimal("0.3333333333"),
        Decimal("0.6666666667"),
        Decimal(1),
        Decimal("0.8333333333"),
    ]
    # The total: 1/3 + 2/3 + 1 + 5/6 = 17/6, rounded once (not the sum of the
    # rounded marks, 2.8333333333 either way here, but 0.3333 + 0.6667 + 1 +
    # 0.8333 = 2.8333 before).
    totals = dict(Attempt.objects.values_list("pk", "marks_total"))
    assert totals[attempts["thirds"].pk] == Decimal("2.8333333333")
    # The edited row is kept as it was; 1/6 beside it is regraded, and the total
    # summed again from what is stored: 0.5 + 0 + 1/6 + 1.
    assert [marks[i.pk] for i in items["edited"]] == [
        Decimal("0.5"),
        Decimal(0),
        Decimal("0.1666666667"),
        Decimal(1),
    ]
    assert totals[attempts["edited"].pk] == Decimal("1.6666666667")
    assert totals[attempts["open"].pk] is None
    assert marks[AttemptQuestion.objects.get(attempt_id=attempts["open"].pk).pk] is None
    assert dict(Attempt.objects.values_list("pk", "score")) == scores_before


def test_0015_reverses_to_four_places_and_runs_again(at_0014):
    from decimal import Decimal

    attempts, items = _rounded_attempts(at_0014)
    migrate([AFTER_EXACT])

    apps = migrate([BEFORE_EXACT])

    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")
    Attempt = apps.get_model("quiz", "Attempt")
    marks = dict(AttemptQuestion.objects.values_list("pk", "mark"))
    assert [marks[i.pk] for i in items["thirds"]] == [
        Decimal("0.3333"),
        Decimal("0.6667"),
        Decimal(1),
        Decimal("0.8333"),
    ]
    assert Attempt.objects.get(pk=attempts["thirds"].pk).marks_total == Decimal(
        "2.8333"
    )
    apps = migrate([AFTER_EXACT])
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")
    assert AttemptQuestion.objects.get(pk=items["thirds"][0].pk).mark == Decimal(
        "0.3333333333"
    )


# --- questions 0004: the Russian texts beside the English ones ------------------------

BEFORE_RU = ("questions", "0003_seed_bank_version")
AFTER_RU = ("questions", "0004_russian_texts")


@pytest.fixture
def at_questions_0003(transactional_db):
    """The bank as 0003 left it (no Russian columns); the latest state afterwards."""
    try:
        yield migrate([BEFORE_RU])
    finally:
        migrate(latest())


def test_questions_0004_keeps_every_row_with_empty_russian_texts(at_questions_0003):
    apps = at_questions_0003
    Category = apps.get_model("questions", "Category")
    Rule = apps.get_model("questions", "Rule")
    Question = apps.get_model("questions", "Question")
    Choice = apps.get_model("questions", "Choice")
    category = Category.objects.create(name="Technique", slug="technique")
    Rule.objects.create(code="R-X", title="X", wording="W", passage="P")
    question = Question.objects.create(
        stem="How?", explanation="Because.", category=category
    )
    for n in range(3):
        Choice.objects.create(question=question, text=f"C{n}", feedback=f"F{n}")

    def rows(apps):
        return [
            list(apps.get_model("questions", name).objects.values_list("pk"))
            for name in ["Category", "Rule", "Question", "Choice"]
        ]

    before = rows(apps)

    apps = migrate([AFTER_RU])

    assert rows(apps) == before
    Choice = apps.get_model("questions", "Choice")
    assert set(Choice.objects.values_list("text_ru", "feedback_ru")) == {("", "")}
    assert apps.get_model("questions", "Question").objects.get().stem_ru == ""
    assert apps.get_model("questions", "Rule").objects.get().wording_ru == ""
    assert apps.get_model("questions", "Category").objects.get().name_ru == ""
    assert apps.get_model("questions", "Question").objects.get().stem == "How?"
    # Code that does not know the columns (the release before, during a deploy)
    # still adds rows: the database fills them in empty.
    at_questions_0003.get_model("questions", "Category").objects.create(
        name="Older code", slug="older-code"
    )
    assert (
        apps.get_model("questions", "Category").objects.get(slug="older-code").name_ru
        == ""
    )
    after = rows(apps)

    apps = migrate([BEFORE_RU])  # and back: the columns go, the rows stay
    assert rows(apps) == after
