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
