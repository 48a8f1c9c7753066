"""Backfill what 0005 added without values: Attempt.marks_total and AttemptQuestion.slot.

0005_attempt_slot_and_marks_total added both columns to existing tables, leaving
marks_total NULL on every attempt graded before it and slot 0 on every attempt
question started before it. The question statistics read both: a NULL total made
"rest of the attempt" (marks_total - mark) NULL, and slot 0 put every question of
an old attempt in one slot, which distorts Cronbach's alpha (one "item" instead of
one per question).

marks_total: for a finished attempt it is, by definition (attempt grading in
quiz/attempts/services.py), the sum of its questions' marks, so it is computed
exactly. Attempts still in progress keep NULL: grading sets it.

slot: attempt_start gives each question its 1-based place in the quiz's own order
(fixed questions, then the draws) *before* shuffling, and position is its place
*after* the optional shuffle. So slot = position is exact for every attempt at a
quiz that does not shuffle its questions, and it is the best value available for
the others: the pre-shuffle order was never stored (the shuffle's random state is
gone), and rebuilding it from the quiz's current questions and draws would be
wrong for any quiz edited since. slot = position still gives each question of an
attempt its own slot, 1..n, the same range new attempts use. Only slot 0 is
touched: no attempt started since 0005 has it (slots start at 1).

Runs in batches (keyset pagination on the primary key, bulk_update with
batch_size) so that it finishes, without holding everything in memory, on tables
with millions of answers. Each batch is read completely before it is written: a
QuerySet.iterator() kept open while the same table is updated is not isolated on
SQLite. Running it twice changes nothing.
"""

from django.db import migrations
from django.db.models import Sum

BATCH_SIZE = 1000


def backfill_marks_total(apps, schema_editor):
    Attempt = apps.get_model("quiz", "Attempt")
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")
    db = schema_editor.connection.alias
    pending = (
        Attempt.objects.using(db)
        .filter(state="finished", marks_total__isnull=True)
        .only("pk")
        .order_by("pk")
    )
    last = 0
    while batch := list(pending.filter(pk__gt=last)[:BATCH_SIZE]):
        # The sums of this batch's id range only (read from the attempt index):
        # every answer is summed once over the whole run.
        totals = dict(
            AttemptQuestion.objects.using(db)
            .filter(attempt_id__gt=last, attempt_id__lte=batch[-1].pk)
            .values("attempt_id")
            .annotate(total=Sum("mark"))
            .values_list("attempt_id", "total")
            .order_by()
        )
        for attempt in batch:
            # An attempt without a marked question has a total of 0.
            attempt.marks_total = totals.get(attempt.pk) or 0
        Attempt.objects.using(db).bulk_update(
            batch, ["marks_total"], batch_size=BATCH_SIZE
        )
        last = batch[-1].pk


def backfill_slot(apps, schema_editor):
    AttemptQuestion = apps.get_model("quiz", "AttemptQuestion")
    db = schema_editor.connection.alias
    pending = (
        AttemptQuestion.objects.using(db)
        .filter(slot=0)
        .only("pk", "position")
        .order_by("pk")
    )
    last = 0
    while batch := list(pending.filter(pk__gt=last)[:BATCH_SIZE]):
        for item in batch:
            item.slot = item.position
        AttemptQuestion.objects.using(db).bulk_update(
            batch, ["slot"], batch_size=BATCH_SIZE
        )
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0007_certificate_renewal_allowed"),
    ]

    # Reversing leaves the backfilled values in place (RunPython.noop): they are
    # correct under the schema of 0005-0007 too, and NULL / 0 cannot be told apart
    # from values that were recorded, so "undoing" would destroy real data.
    operations = [
        migrations.RunPython(backfill_marks_total, migrations.RunPython.noop),
        migrations.RunPython(backfill_slot, migrations.RunPython.noop),
    ]
