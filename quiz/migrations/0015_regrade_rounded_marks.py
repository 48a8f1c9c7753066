"""Marks to 10 places: regrade, from each answer's snapshot, the marks that 0014
could only widen, and sum each attempt's total again from the exact marks.

Until 0014, AttemptQuestion.mark kept 4 places: a multiple-answer question with
three correct choices, one of them ticked, stored 0.3333 for 1/3, and
Attempt.marks_total summed those rounded marks. The question statistics read both
(issue 17: 45 of 98 figures off Moodle's by 1e-5 to 4e-3).

Every graded answer keeps what grading needs: the question type and the choices
with their `correct` flags as shown (the snapshot), and what was selected. So the
exact mark is computed again, by the rule grading applied (DESIGN.md "Grading";
quiz/attempts/grading.py question_mark). The rule is written out here, frozen,
instead of imported: a migration must mean tomorrow what it means today, whatever
grading.py becomes. A stored mark is replaced only when the regraded mark rounds to
it at 4 places, i.e. it is the same mark, only rounded: a mark that disagrees (a
hand-edited row, a snapshot the rule cannot read) is left exactly as it is, and so
is its attempt's total. Marks of 0 and 1 are exact already and are not read.

The attempts whose marks changed get marks_total = the sum of the exact marks,
rounded once. Scores and pass/fail are not touched: grading always computed them
from the exact fractions.

Reverse: the marks and those totals back to 4 places, as 0013 kept them (the
total summed from the rounded marks, as grading did then). Every row is kept both
ways. Batches by primary key, each read completely before it is written, as 0008.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import migrations

BATCH_SIZE = 1000
EXACT = Decimal("0.0000000001")  # MARK_PLACES in quiz/attempts/grading.py
OLD = Decimal("0.0001")


def _quantize(value: Fraction, places: Decimal) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        places, rounding=ROUND_HALF_UP
    )


def regraded_mark(snapshot, selected) -> Fraction | None:
    """The mark grading gives this answer (the rule as of 0015), or None when the
    snapshot does not say enough to tell."""
    try:
        qtype = snapshot["qtype"]
        correct = {c["id"] for c in snapshot["choices"] if c["correct"]}
        chosen = set(selected or ())
    except (KeyError, TypeError):
        return None
    if not correct:
        return None
    if qtype in ("single", "true_false"):
        return Fraction(1) if chosen == correct else Fraction(0)
    if qtype == "multiple":
        k = len(correct)
        value = Fraction(len(chosen & correct) - len(chosen - correct), k)
        return min(Fraction(1), max(Fraction(0), value))
    return None


def _items_in_batches(AttemptQuestion, db, fields):
    pending = (
        AttemptQuestion.objects.using(db)
        .filter(mark__gt=0, mark__lt=1)
        .only("pk", *fields)
        .order_by("pk")
    )
    last = 0
    while batch := list(pending.filter(pk__gt=last)[:BATCH_SIZE]):
        yield batch
        last = batch[-1].pk


def _totals_again(Attempt, AttemptQuestion, db, attempt_ids, places, exact):
    """marks_total of these finished attempts: the sum of their marks, rounded
    once to `places` (exact: summed as fractions of the regraded marks)."""
    ids = sorted(attempt_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        sums: dict[int, Fraction] = {a: Fraction(0) for a in chunk}
        for attempt_id, mark in (
            AttemptQuestion.objects.using(db)
            .filter(attempt_id__in=chunk, mark__isnull=False)
            .values_list("attempt_id", "mark")
        ):
            sums[attempt_id] += Fraction(exact.get(mark, mark))
        attempts = list(
            Attempt.objects.using(db)
            .filter(pk__in=chunk, state="finished")
            .only("pk", "marks_total")
        )
        for attempt in attempts:
            attempt.marks_total = _quantize(sums[attempt.pk], places)
        Attempt.objects.using(db).bulk_update(
            attempts, ["marks_total"], batch_size=BATCH_SIZE
        )


def forwards(apps, schema_editor):
    Attempt = apps.get_model("quiz", "Attempt")
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")
    db = schema_editor.connection.alias
    changed_attempts: set[int] = set()
    # Rounded value -> exact fraction, for the totals (marks repeat: 1/3, 2/3...).
    exact: dict[Decimal, Fraction] = {}
    for batch in _items_in_batches(
        AttemptQuestion, db, ["attempt_id", "mark", "snapshot", "selected"]
    ):
        changed = []
        for item in batch:
            mark = regraded_mark(item.snapshot, item.selected)
            if mark is None or _quantize(mark, OLD) != item.mark.quantize(OLD):
                continue  # not the same mark rounded: leave it as recorded
            precise = _quantize(mark, EXACT)
            if precise != item.mark:
                item.mark = precise
                changed.append(item)
                changed_attempts.add(item.attempt_id)
                exact[precise] = mark
        AttemptQuestion.objects.using(db).bulk_update(
            changed, ["mark"], batch_size=BATCH_SIZE
        )
    _totals_again(Attempt, AttemptQuestion, db, changed_attempts, EXACT, exact)


def backwards(apps, schema_editor):
    Attempt = apps.get_model("quiz", "Attempt")
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")
    db = schema_editor.connection.alias
    changed_attempts: set[int] = set()
    for batch in _items_in_batches(AttemptQuestion, db, ["attempt_id", "mark"]):
        changed = []
        for item in batch:
            rounded = item.mark.quantize(OLD, rounding=ROUND_HALF_UP)
            if rounded != item.mark:
                item.mark = rounded
                changed.append(item)
                changed_attempts.add(item.attempt_id)
        AttemptQuestion.objects.using(db).bulk_update(
            changed, ["mark"], batch_size=BATCH_SIZE
        )
    _totals_again(Attempt, AttemptQuestion, db, changed_attempts, OLD, {})


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0014_exact_marks"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
