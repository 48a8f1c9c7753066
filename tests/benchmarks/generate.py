"""Benchmark data: a realistic Rulewise database at scale S, M or L.

Run from the repository root:

    .venv/bin/python tests/benchmarks/generate.py --scale S \\
        --database-url postgres://postgres@127.0.0.1:5432/rulewise_bench_s
    .venv/bin/python tests/benchmarks/generate.py --scale M   # rulewise_bench_m
    .venv/bin/python tests/benchmarks/generate.py --scale L   # rulewise_bench_l
    .venv/bin/python tests/benchmarks/generate.py --scale S \\
        --database-url sqlite:////tmp/rulewise_bench_s.sqlite3

It DROPS and recreates the database named in the URL (PostgreSQL: through the
`postgres` maintenance database; SQLite: deletes the file), migrates, creates the
cache table, runs `seed_demo --force` (103 questions, 6 module quizzes and the
final exam) and then generates, with the ORM's bulk_create in batches (on
PostgreSQL the answers and their rules go through COPY, about 2.3x faster: see
Builder._copy_items; --orm-only uses bulk_create for everything):

    scale  trainees  answers (AttemptQuestion rows)
    S         200    ~20k
    M       2,000    ~200k
    L      20,000    ~2M

Trainees come in cohorts of 500 (one supervisor each; the last cohort takes the
rest). "Cohort 001" has exactly 500 trainees when there are 500 or more (at S it
holds all 200); it is supervised by `bench-supervisor` and contains
`bench-trainee`, whose history is fixed (two attempts at every module, a failed
then a passed final exam with its certificate). A "Regional cohort" holds the
first min(5,000, N) trainees (supervised by `bench-regional`) for the CSV
constant-memory check. Each trainee sits about five quizzes, 1-4 finished
attempts each (the final exam at most 3, stopping at the first pass), spread over
the two years before today; about 4% have an attempt in progress. Answers follow
a simple ability/difficulty model; marks, scores, pass/fail and the critical-rule
gate are computed with quiz.grading exactly as a submit would, on snapshots built
by quiz.snapshots.question_snapshot (three shuffles per question, reused). The first pass
of the final exam issues a certificate (valid 24 months; 1% revoked). Every trainee
also practises: about 70 FSRS cards in review (L: about 1.4M cards), due from a
week ago to two months ahead; a quarter of them (and bench-trainee) with a
finished session of 10 practice answers.

All users' password is `bench-password` (hashed once, the hash reused).
"""

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.common import (  # noqa: E402
    BENCH_PASSWORD,
    BENCH_SUPERVISOR,
    BENCH_TRAINEE,
    DEFAULT_URL,
    REGIONAL_SUPERVISOR,
    STAFF_USER,
    is_postgres,
    postgres_admin_url,
    setup_django,
    sqlite_path,
)

SCALES = {"S": 200, "M": 2_000, "L": 20_000}
COHORT_SIZE = 500
REGIONAL_SIZE = 5_000
BATCH = 5_000
SNAPSHOT_VARIANTS = 3
# Practice (quiz/practice): about 70 FSRS cards per trainee (the L scale:
# 20,000 x 70 = 1.4M cards); a quarter of the trainees also have a session of
# answers (with snapshots, as served), so the practice tables have history too.
PRACTICE_CARDS = 70
PRACTICE_SESSION = 10
PRACTICE_ANSWER_SHARE = 0.25
LAYOUT_POOL = 300
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dara",
    "Emil",
    "Farah",
    "Goran",
    "Hana",
    "Ivo",
    "Jana",
    "Karim",
    "Lea",
    "Marco",
    "Nina",
    "Omar",
    "Petra",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Vito",
    "Wen",
    "Xena",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Costa",
    "Novak",
    "Romano",
    "Petrov",
    "Silva",
    "Meyer",
    "Haddad",
    "Kovac",
    "Rossi",
    "Dubois",
    "Jensen",
    "Okafor",
    "Tanaka",
    "Moreau",
    "Varga",
    "Lindqvist",
    "Nowak",
    "Ferreira",
    "Byrne",
    "Horvat",
]


def log(message: str) -> None:
    print(message, flush=True)


def recreate_database(database_url: str) -> None:
    if is_postgres(database_url):
        import psycopg

        admin_url, name = postgres_admin_url(database_url)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return
    path = sqlite_path(database_url)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


class Bank:
    """Questions, snapshots, answer patterns and question layouts, built once."""

    def __init__(self, rng: random.Random) -> None:
        from questions.models import Question
        from quiz.attempts.grading import question_mark
        from quiz.models import Quiz
        from quiz.selection import select_question_ids
        from quiz.snapshots import question_snapshot

        self.quizzes = list(Quiz.objects.published().order_by("order", "pk"))
        self.final = next(q for q in self.quizzes if q.certificate_on_pass)
        self.modules = [q for q in self.quizzes if q is not self.final]
        questions = (
            Question.objects.select_related("category")
            .prefetch_related("choices", "rules")
            .order_by("pk")
        )
        self.snapshots: dict[int, list[dict]] = {}
        self.plain: dict[int, dict] = {}
        self.critical: dict[int, bool] = {}
        self.rules: dict[int, list[int]] = {}
        self.difficulty: dict[int, float] = {}
        # (selected ids, exact mark) for the right answer and some wrong ones
        self.right: dict[int, tuple[list[int], Fraction]] = {}
        self.wrong: dict[int, list[tuple[list[int], Fraction]]] = {}
        for question in questions:
            pk = question.pk
            parts = (question, list(question.choices.all()), list(question.rules.all()))
            self.plain[pk] = question_snapshot(*parts, rng, False)
            self.snapshots[pk] = [
                question_snapshot(*parts, rng, True) for _ in range(SNAPSHOT_VARIANTS)
            ]
            snap = self.plain[pk]
            self.critical[pk] = any(rule["critical"] for rule in snap["rules"])
            self.rules[pk] = [rule["id"] for rule in snap["rules"]]
            # Safety rules are drilled hardest: their questions come out easier.
            self.difficulty[pk] = rng.gauss(-0.8 if self.critical[pk] else 0, 0.8)
            ids = [c["id"] for c in snap["choices"]]
            correct = {c["id"] for c in snap["choices"] if c["correct"]}
            wrong_ids = [i for i in ids if i not in correct]
            self.right[pk] = (sorted(correct), Fraction(1))
            patterns: list[list[int]] = [[w] for w in wrong_ids]
            if snap["qtype"] == "multiple":
                ordered = sorted(correct)
                if len(ordered) > 1:
                    patterns += [[c for c in ordered if c != drop] for drop in ordered]
                patterns += [sorted([*ordered, w]) for w in wrong_ids]
                patterns += [sorted([ordered[0], w]) for w in wrong_ids]
            self.wrong[pk] = [
                (p, m)
                for p in patterns
                if (m := question_mark(snap["qtype"], correct, set(p))) < 1
            ]
        self.layouts: dict[int, list[list[tuple[int, int]]]] = {}
        for quiz in self.quizzes:
            varies = quiz.shuffle_questions or quiz.draws.exists()
            self.layouts[quiz.pk] = [
                select_question_ids(quiz, rng)
                for _ in range(LAYOUT_POOL if varies else 1)
            ]

    def snapshot(self, quiz, pk: int, rng: random.Random) -> dict:
        if quiz.shuffle_choices:
            return rng.choice(self.snapshots[pk])
        return self.plain[pk]


class Builder:
    """Builds unsaved rows with explicit primary keys, flushed in batches."""

    def __init__(
        self, bank: Bank, rng: random.Random, now, instructor_id: int, use_copy: bool
    ):
        from quiz.models import Attempt, AttemptQuestion, AttemptQuestionRule

        self.bank, self.rng, self.now = bank, rng, now
        self.instructor_id = instructor_id
        self.next_attempt = (
            Attempt.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        self.next_item = (
            AttemptQuestion.objects.order_by("-pk").values_list("pk", flat=True).first()
            or 0
        ) + 1
        self.next_item_rule = (
            AttemptQuestionRule.objects.order_by("-pk")
            .values_list("pk", flat=True)
            .first()
            or 0
        ) + 1
        self.attempts: list = []
        self.items: list = []
        self.item_rules: list = []
        self.certificates: list = []
        self.codes: set[str] = set()
        self.totals: Counter = Counter()
        self.use_copy = use_copy
        self.dumped: dict[int, str] = {}  # id(snapshot dict) -> its JSON
        self.cards: list = []
        self.practice_sessions: list = []
        self.practice_items: list = []
        self.next_card = self.next_practice_session = self.next_practice_item = 1

    # --- one attempt ------------------------------------------------------------

    def attempt(
        self,
        *,
        user,
        quiz,
        number: int,
        started_at,
        ability: float,
        finished: bool = True,
        force: str | None = None,
    ):
        """An attempt with its items (answered per the ability model, or forced)."""
        from quiz.attempts.grading import GradedItem, attempt_grade, mark_decimal
        from quiz.models import (
            Attempt,
            AttemptQuestion,
            AttemptQuestionRule,
            AttemptState,
        )

        rng, bank = self.rng, self.bank
        layout = rng.choice(bank.layouts[quiz.pk])
        final = quiz.certificate_on_pass
        duration = timedelta(
            minutes=rng.uniform(8, 29) if final else rng.uniform(3, 20)
        )
        deadline = started_at + quiz.time_limit if quiz.time_limit else None
        timed_out = bool(finished and final and rng.random() < 0.03)
        finished_at = None
        if finished:
            finished_at = deadline if timed_out else started_at + duration
        attempt = Attempt(
            pk=self.next_attempt,
            quiz_id=quiz.pk,
            user_id=user.pk,
            number=number,
            state=AttemptState.FINISHED if finished else AttemptState.IN_PROGRESS,
            started_at=started_at,
            deadline=deadline,
            finished_at=finished_at,
            pass_mark=quiz.pass_mark,
            timed_out=timed_out,
        )
        self.next_attempt += 1
        graded = []
        n = len(layout)
        answer_until = n if finished else rng.randrange(0, n)
        first_critical = True
        for position, (slot, pk) in enumerate(layout, start=1):
            snapshot = bank.snapshot(quiz, pk, rng)
            if force == "pass":
                right = True
            elif force == "fail":
                # wrong on the first critical question: the safety gate fails it
                right = not (bank.critical[pk] and first_critical)
                first_critical = first_critical and not bank.critical[pk]
            else:
                logit = 1.4 * (ability - bank.difficulty[pk]) + 0.5 * (number - 1)
                right = rng.random() < 1 / (1 + math.exp(-logit))
            answered = position <= answer_until and (force or rng.random() > 0.01)
            if not answered:
                selected, mark = [], Fraction(0)
            elif right:
                selected, mark = bank.right[pk]
            else:
                selected, mark = rng.choice(bank.wrong[pk])
            item = AttemptQuestion(
                pk=self.next_item,
                attempt_id=attempt.pk,
                question_id=pk,
                position=position,
                slot=slot,
                snapshot=snapshot,
                critical=bank.critical[pk],
                selected=list(selected),
                answered_at=(
                    started_at + duration * position / (n + 1) if selected else None
                ),
            )
            self.next_item += 1
            if finished:
                item.mark = mark_decimal(mark)
                item.fully_correct = mark == 1
                graded.append(GradedItem(mark=mark, critical=bank.critical[pk]))
            self.items.append(item)
            for rule_id in bank.rules[pk]:
                self.item_rules.append(
                    AttemptQuestionRule(
                        pk=self.next_item_rule, item_id=item.pk, rule_id=rule_id
                    )
                )
                self.next_item_rule += 1
        if finished:
            grade = attempt_grade(graded, quiz.pass_mark)
            attempt.score = grade.score_decimal
            attempt.passed = grade.passed
            attempt.failed_critical = grade.failed_critical
            attempt.marks_total = grade.marks_total_decimal
            self.totals["finished"] += 1
            self.totals["passed"] += bool(grade.passed)
        else:
            self.totals["in_progress"] += 1
        self.totals["answers"] += n
        self.attempts.append(attempt)
        return attempt

    def certificate(self, user, quiz, attempt) -> None:
        from quiz.certificates.codes import code_generate
        from quiz.certificates.services import add_months
        from quiz.models import Certificate

        code = code_generate()
        while code in self.codes:
            code = code_generate()
        self.codes.add(code)
        issued = attempt.finished_at
        certificate = Certificate(
            code=code,
            user_id=user.pk,
            quiz_id=quiz.pk,
            attempt_id=attempt.pk,
            holder_name=f"{user.first_name} {user.last_name}".strip() or user.username,
            quiz_title=quiz.title,
            score=attempt.score,
            issued_at=issued,
            expires_at=(
                add_months(issued, quiz.certificate_validity_months)
                if quiz.certificate_validity_months
                else None
            ),
        )
        if self.rng.random() < 0.01 and user.username != BENCH_TRAINEE:
            certificate.revoked_at = min(
                self.now, issued + timedelta(days=self.rng.uniform(1, 60))
            )
            certificate.revoked_by_id = self.instructor_id
            certificate.revoke_reason = "Benchmark data: revoked for a reason."
        self.certificates.append(certificate)
        self.totals["certificates"] += 1

    # --- one trainee's history ------------------------------------------------------

    def history(self, user, window_start, window_end) -> None:
        rng, bank = self.rng, self.bank
        ability = rng.gauss(1.9, 0.9)
        span = (window_end - window_start).total_seconds()

        def moment(lo: float, hi: float):
            return window_start + timedelta(seconds=span * rng.uniform(lo, hi))

        used: Counter = Counter()  # attempts per quiz id
        passed_final = False
        for quiz in bank.modules:
            if rng.random() < 0.75:
                n = rng.choices([1, 2, 3, 4], [50, 28, 14, 8])[0]
                times = sorted(moment(0, 0.75) for _ in range(n))
                for number, started in enumerate(times, start=1):
                    self.attempt(
                        user=user,
                        quiz=quiz,
                        number=number,
                        started_at=started,
                        ability=ability,
                    )
                used[quiz.pk] = n
        final = bank.final
        if rng.random() < 0.55:
            n = rng.choices([1, 2, 3], [60, 28, 12])[0]
            times = sorted(moment(0.6, 1.0) for _ in range(n))
            for number, started in enumerate(times, start=1):
                attempt = self.attempt(
                    user=user,
                    quiz=final,
                    number=number,
                    started_at=started,
                    ability=ability,
                )
                used[final.pk] = number
                if attempt.passed:
                    self.certificate(user, final, attempt)
                    passed_final = True
                    break
        if rng.random() < 0.04:
            quiz = rng.choice(bank.quizzes)
            if quiz is not final or (
                not passed_final and used[final.pk] < (final.max_attempts or 99)
            ):
                self._open(user, quiz, used[quiz.pk] + 1, ability)

    def _open(self, user, quiz, number: int, ability: float) -> None:
        """An attempt in progress, started in the last three days (final: abandoned)."""
        started = self.now - timedelta(hours=self.rng.uniform(1, 72))
        self.attempt(
            user=user,
            quiz=quiz,
            number=number,
            started_at=started,
            ability=ability,
            finished=False,
        )

    def bench_history(self, user, window_start) -> None:
        """bench-trainee: every module twice, the final exam failed then passed."""
        day = timedelta(days=1)
        start = window_start
        for quiz in self.bank.modules:
            for number in (1, 2):
                start += day * 3
                self.attempt(
                    user=user, quiz=quiz, number=number, started_at=start, ability=1.5
                )
        start += day * 5
        self.attempt(
            user=user,
            quiz=self.bank.final,
            number=1,
            started_at=start,
            ability=1.5,
            force="fail",
        )
        start += day * 4
        passed = self.attempt(
            user=user,
            quiz=self.bank.final,
            number=2,
            started_at=start,
            ability=1.5,
            force="pass",
        )
        self.certificate(user, self.bank.final, passed)

    # --- one trainee's practice -----------------------------------------------------

    def practice(self, user, *, answers: bool) -> None:
        """About PRACTICE_CARDS FSRS cards (one per question practised) in review,
        their last reviews over the past two months and their due dates from a
        week ago to two months ahead; with `answers`, a finished session of
        PRACTICE_SESSION answers from yesterday."""
        from quiz.practice.models import (
            CardState,
            PracticeCard,
            PracticeItem,
            PracticeSession,
            Rating,
        )

        rng, bank, now = self.rng, self.bank, self.now
        questions = list(bank.plain)
        k = min(len(questions), max(1, round(rng.gauss(PRACTICE_CARDS, 4))))
        cards = []
        for question_id in rng.sample(questions, k):
            stability = rng.uniform(0.5, 60)
            last = now - timedelta(days=rng.uniform(0, 60))
            due = min(
                now + timedelta(days=60),
                max(now - timedelta(days=7), last + timedelta(days=stability)),
            )
            card = PracticeCard(
                pk=self.next_card,
                user_id=user.pk,
                question_id=question_id,
                state=CardState.REVIEW,
                step=None,
                stability=stability,
                difficulty=rng.uniform(2, 8),
                due=due,
                last_review=last,
                reps=rng.randint(1, 8),
                lapses=rng.choice([0, 0, 0, 1, 2]),
                created_at=last - timedelta(days=rng.uniform(0, 30)),
            )
            self.next_card += 1
            cards.append(card)
        self.cards += cards
        self.totals["practice_cards"] += len(cards)
        if not answers:
            return
        started = now - timedelta(days=1, hours=rng.uniform(0, 12))
        session = PracticeSession(
            pk=self.next_practice_session,
            user_id=user.pk,
            size=PRACTICE_SESSION,
            started_at=started,
            ended_at=started + timedelta(minutes=15),
        )
        self.next_practice_session += 1
        self.practice_sessions.append(session)
        for position, card in enumerate(cards[:PRACTICE_SESSION], start=1):
            right = rng.random() < 0.75
            selected, mark = (
                bank.right[card.question_id]
                if right
                else rng.choice(bank.wrong[card.question_id])
            )
            at = started + timedelta(minutes=position)
            self.practice_items.append(
                PracticeItem(
                    pk=self.next_practice_item,
                    session_id=session.pk,
                    card_id=card.pk,
                    position=position,
                    snapshot=bank.plain[card.question_id],
                    critical=bank.critical[card.question_id],
                    served_at=at,
                    selected=selected,
                    answered_at=at,
                    mark=to_decimal_mark(mark),
                    rating=Rating.GOOD
                    if mark == 1
                    else Rating.HARD
                    if mark
                    else Rating.AGAIN,
                )
            )
            self.next_practice_item += 1
        self.totals["practice_answers"] += min(len(cards), PRACTICE_SESSION)

    # --- writing ----------------------------------------------------------------------

    def flush(self) -> None:
        from quiz.models import (
            Attempt,
            AttemptQuestion,
            AttemptQuestionRule,
            Certificate,
        )

        Attempt.objects.bulk_create(self.attempts, batch_size=BATCH)
        if self.use_copy:
            self._copy_items()
        else:
            AttemptQuestion.objects.bulk_create(self.items, batch_size=BATCH)
            AttemptQuestionRule.objects.bulk_create(self.item_rules, batch_size=BATCH)
        Certificate.objects.bulk_create(self.certificates, batch_size=BATCH)
        self.totals["item_rules"] += len(self.item_rules)
        self.attempts, self.items, self.item_rules, self.certificates = [], [], [], []
        self._flush_practice()

    def _flush_practice(self) -> None:
        from quiz.practice.models import PracticeCard, PracticeItem, PracticeSession

        PracticeCard.objects.bulk_create(self.cards, batch_size=BATCH)
        PracticeSession.objects.bulk_create(self.practice_sessions, batch_size=BATCH)
        PracticeItem.objects.bulk_create(self.practice_items, batch_size=BATCH)
        self.cards, self.practice_sessions, self.practice_items = [], [], []

    def _copy_items(self) -> None:
        """PostgreSQL only: the two big tables through COPY, snapshots dumped once.

        bulk_create is the default elsewhere; here it spends most of its time in
        psycopg escaping every ~1.5 kB snapshot into the UNNEST array (a regex
        callback per quote), which COPY of pre-dumped JSON avoids.
        """
        from django.db import connection

        from quiz.models import AttemptQuestion, AttemptQuestionRule

        fields = [
            "id",
            "attempt_id",
            "question_id",
            "position",
            "slot",
            "snapshot",
            "critical",
            "selected",
            "answered_at",
            "mark",
            "fully_correct",
        ]
        dumped = self.dumped
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            table = AttemptQuestion._meta.db_table
            with raw.copy(f"COPY {table} ({', '.join(fields)}) FROM STDIN") as copy:
                for item in self.items:
                    key = id(item.snapshot)
                    snapshot = dumped.get(key)
                    if snapshot is None:
                        snapshot = dumped[key] = json.dumps(item.snapshot)
                    copy.write_row(
                        (
                            item.pk,
                            item.attempt_id,
                            item.question_id,
                            item.position,
                            item.slot,
                            snapshot,
                            item.critical,
                            json.dumps(item.selected),
                            item.answered_at,
                            item.mark,
                            item.fully_correct,
                        )
                    )
            table = AttemptQuestionRule._meta.db_table
            with raw.copy(f"COPY {table} (id, item_id, rule_id) FROM STDIN") as copy:
                for row in self.item_rules:
                    copy.write_row((row.pk, row.item_id, row.rule_id))


def to_decimal_mark(mark: Fraction) -> Decimal:
    from quiz.attempts.grading import to_decimal

    return to_decimal(mark, "0.0001")


def make_users(specs: list[dict], password_hash: str, group, now) -> list:
    """Create users in bulk (one password hash for all); returns them with pks."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.objects.bulk_create(
        [
            User(
                username=spec["username"],
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                email=f"{spec['username']}@example.com",
                password=password_hash,
                is_active=True,
                date_joined=spec.get("date_joined", now),
            )
            for spec in specs
        ],
        batch_size=BATCH,
    )
    users = list(User.objects.filter(username__in=[s["username"] for s in specs]))
    users.sort(key=lambda u: u.username)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users],
        batch_size=BATCH,
    )
    return users


def generate(n_trainees: int, seed: int, use_copy: bool) -> Counter:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Cohort
    from accounts.roles import Role

    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    User = get_user_model()
    password_hash = make_password(BENCH_PASSWORD)
    trainee_group = Group.objects.get(name=Role.TRAINEE)
    supervisor_group = Group.objects.get(name=Role.SUPERVISOR)
    instructor = User.objects.get(username=STAFF_USER)
    bank = Bank(rng)
    builder = Builder(
        bank, rng, now, instructor.pk, use_copy and connection.vendor == "postgresql"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")

    sizes = [COHORT_SIZE] * (n_trainees // COHORT_SIZE)
    if n_trainees % COHORT_SIZE:
        sizes.append(n_trainees % COHORT_SIZE)
    regional_ids: list[int] = []
    cohort_through = Cohort.trainees.through
    started = time.perf_counter()
    serial = 0
    for index, size in enumerate(sizes, start=1):
        with transaction.atomic():
            # Each cohort trains within its own ~6 months of the last two years.
            window_start = now - timedelta(days=rng.uniform(200, 730))
            window_end = min(
                now - timedelta(days=1), window_start + timedelta(days=180)
            )
            specs = []
            for _ in range(size):
                serial += 1
                specs.append(
                    {
                        "username": f"trainee-{serial:06d}",
                        "first_name": rng.choice(FIRST_NAMES),
                        "last_name": rng.choice(LAST_NAMES),
                        "date_joined": window_start,
                    }
                )
            if index == 1:
                specs[-1]["username"] = BENCH_TRAINEE
                specs[-1].update(first_name="Bench", last_name="Trainee")
            users = make_users(specs, password_hash, trainee_group, now)
            supervisor_name = (
                BENCH_SUPERVISOR if index == 1 else f"supervisor-{index:03d}"
            )
            [supervisor] = make_users(
                [
                    {
                        "username": supervisor_name,
                        "first_name": "Supervisor",
                        "last_name": f"{index:03d}",
                    }
                ],
                password_hash,
                supervisor_group,
                now,
            )
            cohort = Cohort.objects.create(
                name=f"Cohort {index:03d}",
                description=f"Benchmark cohort of {size} trainees.",
            )
            cohort_through.objects.bulk_create(
                [cohort_through(cohort_id=cohort.pk, user_id=u.pk) for u in users],
                batch_size=BATCH,
            )
            cohort.supervisors.add(supervisor)
            if len(regional_ids) < REGIONAL_SIZE:
                regional_ids += [u.pk for u in users][
                    : REGIONAL_SIZE - len(regional_ids)
                ]
            for user in users:
                if user.username == BENCH_TRAINEE:
                    builder.bench_history(user, window_start)
                else:
                    builder.history(user, window_start, window_end)
                builder.practice(
                    user,
                    answers=user.username == BENCH_TRAINEE
                    or rng.random() < PRACTICE_ANSWER_SHARE,
                )
            builder.flush()
        elapsed = time.perf_counter() - started
        log(
            f"  cohort {index}/{len(sizes)}: {serial} trainees, "
            f"{builder.totals['answers']:,} answers, {elapsed:.0f} s "
            f"({builder.totals['answers'] / max(elapsed, 1e-9):,.0f} answers/s)"
        )

    with transaction.atomic():
        [regional_supervisor] = make_users(
            [
                {
                    "username": REGIONAL_SUPERVISOR,
                    "first_name": "Regional",
                    "last_name": "Supervisor",
                }
            ],
            password_hash,
            supervisor_group,
            now,
        )
        regional = Cohort.objects.create(
            name="Regional cohort",
            description=f"The first {len(regional_ids)} trainees, across cohorts.",
        )
        cohort_through.objects.bulk_create(
            [cohort_through(cohort_id=regional.pk, user_id=pk) for pk in regional_ids],
            batch_size=BATCH,
        )
        regional.supervisors.add(regional_supervisor)
        programme(bank, regional, regional_ids, instructor, rng, now, builder)
    builder.totals["trainees"] = serial
    builder.totals["cohorts"] = len(sizes)
    builder.totals["regional"] = len(regional_ids)
    return builder.totals


def programme(bank, regional, regional_ids, instructor, rng, now, builder) -> None:
    """A programme over every cohort, for the needs-attention list: each cohort
    has the final exam and the first module assigned (an assigned quiz is seen
    by its cohorts only, so all of them get it). The regional cohort's final
    exam is due in 5 days (many have not started it) and its first module is
    overdue (for those who have not passed it); the other cohorts' dates are
    weeks away. Overrides for 2% of the regional trainees (an extra attempt,
    a later due date), as supervisors grant them. The demo cohort's assignments
    (seed_demo) are replaced: the benchmark's trainees are not in it."""
    from accounts.models import Cohort
    from quiz.models import Assignment, Override

    Assignment.objects.all().delete()
    rows = []
    for cohort in Cohort.objects.all():
        soon = cohort.pk == regional.pk
        rows += [
            Assignment(
                quiz=bank.final,
                cohort=cohort,
                due_at=now + timedelta(days=5 if soon else 40),
                closes_at=now + timedelta(days=60),
            ),
            Assignment(
                quiz=bank.modules[0],
                cohort=cohort,
                due_at=now + timedelta(days=-3 if soon else 30),
            ),
        ]
    Assignment.objects.bulk_create(rows)
    chosen = rng.sample(regional_ids, len(regional_ids) // 50)
    Override.objects.bulk_create(
        [
            Override(
                quiz=bank.final,
                user_id=pk,
                extra_attempts=1,
                due_at=now + timedelta(days=30),
                reason="Benchmark: a later due date",
                granted_by=instructor,
            )
            for pk in chosen
        ],
        batch_size=BATCH,
    )
    builder.totals["assignments"] = len(rows)
    builder.totals["overrides"] = len(chosen)


def finish_database() -> None:
    """Sequences past the explicit ids; fresh planner statistics (as autovacuum would)."""
    from django.core.management.color import no_style
    from django.db import connection

    from quiz.models import (
        Attempt,
        AttemptQuestion,
        AttemptQuestionRule,
        Certificate,
        PracticeCard,
        PracticeItem,
        PracticeSession,
    )

    models = [
        Attempt,
        AttemptQuestion,
        AttemptQuestionRule,
        Certificate,
        PracticeCard,
        PracticeSession,
        PracticeItem,
    ]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def database_size() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return cursor.fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(SCALES), required=True)
    parser.add_argument(
        "--database-url",
        help="default: " + DEFAULT_URL.format(scale="<scale, lower case>"),
    )
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument(
        "--trainees", type=int, help="override the scale's number of trainees"
    )
    parser.add_argument(
        "--orm-only",
        action="store_true",
        help="bulk_create everything, also on PostgreSQL (default there: COPY for "
        "the answers and their rules, about 3x faster)",
    )
    args = parser.parse_args()
    url = args.database_url or DEFAULT_URL.format(scale=args.scale.lower())
    n_trainees = args.trainees or SCALES[args.scale]
    t0 = time.perf_counter()
    log(f"scale {args.scale}: {n_trainees:,} trainees into {url} (recreated)")
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo", force=True, password=BENCH_PASSWORD, verbosity=0)
    t1 = time.perf_counter()
    log(f"schema and seed_demo: {t1 - t0:.1f} s")
    totals = generate(n_trainees, args.seed, not args.orm_only)
    t2 = time.perf_counter()
    log(f"generated in {t2 - t1:.1f} s; sequences and VACUUM ANALYZE ...")
    finish_database()
    t3 = time.perf_counter()
    log(
        f"done: {totals['trainees']:,} trainees in {totals['cohorts']} cohorts "
        f"(+ regional cohort of {totals['regional']:,}), "
        f"{totals['finished']:,} finished attempts ({totals['passed']:,} passed), "
        f"{totals['in_progress']:,} in progress, {totals['answers']:,} answers, "
        f"{totals['item_rules']:,} answer-rule rows, {totals['certificates']:,} certificates, "
        f"{totals['practice_cards']:,} practice cards, "
        f"{totals['practice_answers']:,} practice answers"
    )
    size = database_size()
    log(
        f"time: total {t3 - t0:.1f} s (seed {t1 - t0:.1f}, generate {t2 - t1:.1f}, "
        f"vacuum/analyze {t3 - t2:.1f})" + (f"; database size {size}" if size else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
