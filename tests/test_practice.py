"""Practice: FSRS scheduling through the fsrs package, the practice order, the
pages (immediate feedback, no answer key before answering), misuse, and
isolation from assessment."""

import re
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from unittest import mock

import fsrs
import pytest

from django.urls import reverse
from django.utils import timezone

from questions.models import QuestionType
from quiz.attempts.services import attempt_start, attempt_submit
from quiz.practice import scheduling
from quiz.practice.models import (
    CardState,
    PracticeCard,
    PracticeItem,
    PracticeSession,
    Rating,
)
from quiz.practice.ordering import Candidate, practice_order
from quiz.practice.selectors import streak_of
from quiz.practice.services import (
    AlreadyAnsweredError,
    InvalidPracticeAnswerError,
    practice_answer,
    practice_serve,
    practice_start,
)
from tests.factories import (
    QuizFactory,
    RuleFactory,
    TraineeFactory,
    published_question,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def right_ids(item):
    return [c["id"] for c in item.choices if c["correct"]]


def wrong_ids(item):
    return [next(c["id"] for c in item.choices if not c["correct"])]


def places(item, ids):
    return [str(i) for i, c in enumerate(item.choices, start=1) if c["id"] in ids]


# --- scheduling: the fsrs package's Scheduler, with a fixed clock ---------------


def test_rating_from_the_mark():
    assert scheduling.rating_for(Fraction(0)) == Rating.AGAIN
    assert scheduling.rating_for(Fraction(1, 2)) == Rating.HARD
    assert scheduling.rating_for(Fraction(1)) == Rating.GOOD


def test_review_calls_the_fsrs_scheduler():
    card = PracticeCard(pk=1, due=T0)
    with mock.patch.object(
        scheduling.SCHEDULER, "review_card", wraps=scheduling.SCHEDULER.review_card
    ) as review_card:
        scheduling.review(card, Rating.GOOD, T0)
    review_card.assert_called_once()
    called_card, called_rating = review_card.call_args.args
    assert isinstance(called_card, fsrs.Card) and called_rating == fsrs.Rating.Good


def _answer_on_due(card, ratings):
    """Answer the card each time it falls due; the intervals between reviews."""
    now, intervals = T0, []
    for rating in ratings:
        scheduling.review(card, rating, now)
        intervals.append(card.due - now)
        now = card.due
    return intervals


def test_intervals_grow_after_successive_right_answers():
    card = PracticeCard(pk=1, due=T0)
    intervals = _answer_on_due(card, [Rating.GOOD] * 6)
    # Two learning steps (minutes), then review intervals of days that grow.
    assert intervals[0] < timedelta(hours=1)
    days = intervals[2:]
    assert all(d >= timedelta(days=1) for d in days)
    assert days == sorted(days) and days[-1] > 3 * days[0]
    assert card.state == CardState.REVIEW and card.reps == 6 and card.lapses == 0


def test_a_lapse_resets_the_interval():
    card = PracticeCard(pk=1, due=T0)
    before = _answer_on_due(card, [Rating.GOOD] * 5)[-1]
    after = _answer_on_due(card, [Rating.AGAIN])[-1]
    assert before > timedelta(days=3)
    assert after < timedelta(hours=1)
    assert card.state == CardState.RELEARNING and card.lapses == 1


def test_scheduler_matches_the_package_directly():
    ours = PracticeCard(pk=7, due=T0)
    theirs = fsrs.Card(card_id=7, due=T0)
    now = T0
    for rating in [Rating.GOOD, Rating.GOOD, Rating.HARD, Rating.AGAIN, Rating.GOOD]:
        scheduling.review(ours, rating, now)
        theirs, _log = scheduling.SCHEDULER.review_card(
            theirs, fsrs.Rating(rating), review_datetime=now
        )
        assert ours.due == theirs.due and ours.stability == theirs.stability
        now = ours.due + timedelta(hours=1)


# --- the practice order (pure) ---------------------------------------------------


def c(pk, rules, critical=False, rank=0):
    return Candidate(pk, frozenset(rules), critical, rank or pk)


def test_order_critical_then_missed_then_weak_then_due_then_new():
    now = T0
    past = now - timedelta(days=1)
    candidates = [
        c(1, {10}),  # due, plain
        c(2, {20}),  # due, missed in an exam
        c(3, {30}, critical=True),  # due, critical
        c(4, {40}),  # new, of a weak rule
        c(5, {50}),  # new, rule not practised
        c(6, {10}),  # new, rule practised already: not offered
        c(7, {60}),  # not due yet: not offered
    ]
    due = {1: past, 2: past, 3: past, 7: now + timedelta(days=2)}
    order = practice_order(
        candidates, due=due, now=now, missed_rules={20}, weak_rules={40}
    )
    assert order == [3, 2, 4, 1, 5]


def test_order_longest_overdue_first_within_a_step():
    now = T0
    candidates = [c(1, {1}, True), c(2, {2}, True)]
    due = {1: now - timedelta(days=1), 2: now - timedelta(days=5)}
    assert practice_order(
        candidates, due=due, now=now, missed_rules=set(), weak_rules=set()
    ) == [2, 1]


def test_order_of_one_rule_offers_it_all_and_excludes_what_was_served():
    now = T0
    candidates = [c(1, {1}), c(2, {1}), c(3, {1}), c(4, {2})]
    due = {1: now + timedelta(days=3), 2: now - timedelta(days=1)}
    assert practice_order(
        candidates,
        due=due,
        now=now,
        missed_rules=set(),
        weak_rules=set(),
        rule_id=1,
        exclude={3},
    ) == [2, 1]


def test_streak():
    today = T0.date()
    days = {today, today - timedelta(days=1), today - timedelta(days=3)}
    assert streak_of(days, today) == 2
    assert streak_of(days - {today}, today) == 1  # yesterday's streak still counts
    assert streak_of(set(), today) == 0


# --- services and pages ---------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def bank(db):
    critical = RuleFactory(code="R-CRIT", critical=True)
    plain = RuleFactory(code="R-PLAIN")
    return {
        "critical": critical,
        "plain": plain,
        "questions": [
            published_question(rules=[critical]),
            published_question(rules=[critical], qtype=QuestionType.MULTIPLE),
            published_question(rules=[plain]),
        ],
    }


@pytest.mark.django_db
def test_a_session_serves_critical_first_and_answers_schedule_the_card(bank, trainee):
    session = practice_start(user=trainee, now=T0)
    item = practice_serve(user=trainee, session=session, now=T0)
    assert item.critical
    practice_answer(user=trainee, item_id=item.pk, choice_ids=right_ids(item), now=T0)
    card = PracticeCard.objects.get(pk=item.card_id)
    assert card.reps == 1 and card.due > T0 and card.last_review == T0
    item.refresh_from_db()
    assert item.rating == Rating.GOOD and item.mark == 1


@pytest.mark.django_db
def test_a_replayed_answer_changes_nothing(bank, trainee):
    session = practice_start(user=trainee, now=T0)
    item = practice_serve(user=trainee, session=session, now=T0)
    practice_answer(user=trainee, item_id=item.pk, choice_ids=wrong_ids(item), now=T0)
    card = PracticeCard.objects.get(pk=item.card_id)
    with pytest.raises(AlreadyAnsweredError):
        practice_answer(
            user=trainee, item_id=item.pk, choice_ids=right_ids(item), now=T0
        )
    again = PracticeCard.objects.get(pk=item.card_id)
    assert (again.reps, again.due, again.stability) == (
        card.reps,
        card.due,
        card.stability,
    )


@pytest.mark.django_db
def test_another_trainees_item_is_not_found(bank, trainee):
    session = practice_start(user=trainee, now=T0)
    item = practice_serve(user=trainee, session=session, now=T0)
    with pytest.raises(PracticeItem.DoesNotExist):
        practice_answer(
            user=TraineeFactory(), item_id=item.pk, choice_ids=right_ids(item)
        )


@pytest.mark.django_db
def test_a_choice_of_another_question_is_refused(bank, trainee):
    session = practice_start(user=trainee, now=T0)
    item = practice_serve(user=trainee, session=session, now=T0)
    other = bank["questions"][2].choices.first().pk
    with pytest.raises(InvalidPracticeAnswerError):
        practice_answer(user=trainee, item_id=item.pk, choice_ids=[other], now=T0)
    assert not PracticeCard.objects.get(pk=item.card_id).reps


@pytest.mark.django_db
def test_two_tabs_get_the_same_waiting_question(bank, trainee):
    session = practice_start(user=trainee, now=T0)
    first = practice_serve(user=trainee, session=session, now=T0)
    again = practice_start(user=trainee, now=T0)
    assert again.pk == session.pk
    assert practice_serve(user=trainee, session=again, now=T0).pk == first.pk
    assert PracticeItem.objects.count() == 1


@pytest.mark.django_db
def test_the_question_page_carries_no_answer_key(bank, trainee_client):
    response = trainee_client.post(reverse("quiz:practice"))
    assert response.status_code == 302
    item = PracticeItem.objects.get()
    page = trainee_client.get(response["Location"]).content.decode()
    for choice in item.choices:
        assert choice["text"] in page
        assert choice["feedback"] not in page
    # Each choice posts its place in the order shown, never its id.
    values = re.findall(r'name="answer" id="answer-\d+" value="([^"]*)"', page)
    assert values == [str(i) for i in range(1, len(item.choices) + 1)]
    assert item.snapshot["explanation"] not in page
    assert "rw-choice-correct" not in page


@pytest.mark.django_db
def test_answering_shows_immediate_feedback(bank, trainee_client):
    trainee_client.post(reverse("quiz:practice"))
    item = PracticeItem.objects.get()
    url = reverse("quiz:practice-item", args=[item.pk])
    response = trainee_client.post(url, {"answer": places(item, wrong_ids(item))})
    assert response.status_code == 302 and response["Location"] == url
    page = trainee_client.get(url).content.decode()
    assert "Wrong" in page
    assert item.snapshot["explanation"] in page
    chosen = next(c for c in item.choices if c["id"] in wrong_ids(item))
    assert chosen["feedback"] in page
    assert item.snapshot["rules"][0]["passage"] in page
    assert reverse("quiz:practice-next", args=[item.session_id]) in page


@pytest.mark.django_db
def test_forged_posts_get_4xx_and_change_nothing(bank, trainee_client, trainee):
    trainee_client.post(reverse("quiz:practice"))
    item = PracticeItem.objects.get()
    url = reverse("quiz:practice-item", args=[item.pk])
    assert trainee_client.post(url, {"answer": ["99"]}).status_code == 400
    assert trainee_client.post(url, {"answer": ["x"]}).status_code == 400
    assert trainee_client.post(url, {}).status_code == 400
    assert not PracticeCard.objects.get(pk=item.card_id).reps
    trainee_client.post(url, {"answer": places(item, right_ids(item))})
    reps = PracticeCard.objects.get(pk=item.card_id).reps
    replay = trainee_client.post(url, {"answer": places(item, wrong_ids(item))})
    assert replay.status_code == 409
    assert PracticeCard.objects.get(pk=item.card_id).reps == reps
    # Another trainee: not found, whether answering or moving on.
    trainee_client.force_login(TraineeFactory())
    assert trainee_client.post(url, {"answer": ["1"]}).status_code == 404
    assert trainee_client.get(url).status_code == 404
    next_url = reverse("quiz:practice-next", args=[item.session_id])
    assert trainee_client.post(next_url).status_code == 404


@pytest.mark.django_db
def test_a_whole_session_ends_after_ten_or_when_nothing_is_left(bank, trainee_client):
    response = trainee_client.post(reverse("quiz:practice"))
    served = 0
    while response["Location"] != reverse("quiz:practice"):
        item = PracticeItem.objects.get(pk=response["Location"].split("/")[-2])
        trainee_client.post(
            response["Location"], {"answer": places(item, right_ids(item))}
        )
        served += 1
        response = trainee_client.post(
            reverse("quiz:practice-next", args=[item.session_id])
        )
    # Both critical questions (due: new cards are due at once, and critical),
    # then the new question of the rule not practised yet; the critical cards
    # come back within minutes (learning steps), not in this session.
    assert served == 3
    assert PracticeSession.objects.get().ended_at is not None
    page = trainee_client.get(reverse("quiz:practice")).content.decode()
    assert "Session complete: 3 of 3 right." in page


@pytest.mark.django_db
def test_practice_changes_nothing_assessment_reads(bank, trainee_client, trainee):
    from django.apps import apps

    quiz = QuizFactory(questions=bank["questions"])
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers={})
    assessment = [
        m
        for m in apps.get_app_config("quiz").get_models()
        if "Practice" not in m.__name__
    ] + list(apps.get_app_config("questions").get_models())

    def dump():
        return {m.__name__: list(m.objects.order_by("pk").values()) for m in assessment}

    before = dump()
    response = trainee_client.post(reverse("quiz:practice"))
    while response["Location"] != reverse("quiz:practice"):
        item = PracticeItem.objects.get(pk=response["Location"].split("/")[-2])
        trainee_client.post(
            response["Location"], {"answer": places(item, right_ids(item))}
        )
        response = trainee_client.post(
            reverse("quiz:practice-next", args=[item.session_id])
        )
    assert PracticeItem.objects.filter(answered_at__isnull=False).count() == 3
    assert dump() == before


# --- query counts: constant whatever the trainee's history -----------------------

AUTH = 2  # session, the user with their permissions: any signed-in page


def history(trainee, n_rules):
    """n_rules rules with two questions each, every question practised once."""
    for _ in range(n_rules):
        rule = RuleFactory(critical=True)
        for _ in range(2):
            published_question(rules=[rule])
    session = practice_start(user=trainee, now=T0)
    while (item := practice_serve(user=trainee, session=session, now=T0)) is not None:
        practice_answer(
            user=trainee, item_id=item.pk, choice_ids=wrong_ids(item), now=T0
        )
        if item.position == 10:
            session = practice_start(user=trainee, now=T0)
    return session


@pytest.mark.django_db
@pytest.mark.parametrize("n_rules", [2, 12])
def test_practice_pages_run_a_fixed_number_of_queries(
    trainee_client, trainee, n_rules, django_assert_num_queries
):
    history(trainee, n_rules)
    # AUTH + due today + the streak's days + the open session
    with django_assert_num_queries(AUTH + 3):
        assert trainee_client.get(reverse("quiz:practice")).status_code == 200
    response = trainee_client.post(reverse("quiz:practice"))
    item = PracticeItem.objects.get(pk=response["Location"].split("/")[-2])
    url = reverse("quiz:practice-item", args=[item.pk])
    # AUTH + the item with its session and rule
    with django_assert_num_queries(AUTH + 1):
        assert trainee_client.get(url).status_code == 200
    # AUTH + the item (the form's) + savepoint, the item and card locked, the
    # card's update, the item's update, release
    with django_assert_num_queries(AUTH + 6):
        response = trainee_client.post(url, {"answer": places(item, right_ids(item))})
    assert response.status_code == 302
    with django_assert_num_queries(AUTH + 1):
        assert "Why:" in trainee_client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("n_rules", [2, 12])
def test_rules_reader_and_next_run_a_fixed_number_of_queries(
    trainee_client, trainee, n_rules, django_assert_num_queries
):
    history(trainee, n_rules)
    # AUTH + the rules and the latest quiz answers per rule (rule_mastery, 2) +
    # practice: cards with rules, latest practice answers, totals, streak (4)
    with django_assert_num_queries(AUTH + 6):
        assert trainee_client.get(reverse("quiz:rule-list")).status_code == 200
    code = PracticeCard.objects.first().question.rules.first().code
    with django_assert_num_queries(AUTH + 6):
        assert (
            trainee_client.get(reverse("quiz:rule-detail", args=[code])).status_code
            == 200
        )
    # AUTH + the session + savepoint, the session locked, its items; the next
    # question: cards, the rules' mastery (2), the session's questions, the bank,
    # the missed rules; the question, its choices and rules; the card (every
    # question has one by now: a get; a new card adds a savepoint, an insert and
    # a release); the item; release
    session = practice_start(user=trainee)
    item = practice_serve(user=trainee, session=session)
    practice_answer(user=trainee, item_id=item.pk, choice_ids=right_ids(item))
    with django_assert_num_queries(AUTH + 1 + 3 + 6 + 3 + 1 + 1 + 1):
        response = trainee_client.post(reverse("quiz:practice-next", args=[session.pk]))
    assert response.status_code == 302


@pytest.mark.django_db
def test_rules_reader_for_a_supervisor_reads_the_rules_only(
    supervisor_client, bank, django_assert_num_queries
):
    # AUTH + the rules
    with django_assert_num_queries(AUTH + 1):
        page = supervisor_client.get(reverse("quiz:rule-list")).content.decode()
    assert "Practise this rule" not in page and "R-CRIT" in page


# --- what comes first, from the database ---------------------------------------


@pytest.mark.django_db
def test_a_rule_missed_in_a_quiz_comes_before_other_new_questions(trainee):
    from quiz.practice.selectors import next_question_id

    plain = [published_question(rules=[RuleFactory()]) for _ in range(3)]
    missed = plain[2]
    quiz = QuizFactory(questions=[missed])
    attempt = attempt_start(quiz=quiz, user=trainee)
    wrong = [c.pk for c in missed.choices.filter(correct=False)[:1]]
    attempt_submit(
        attempt=attempt, user=trainee, answers={attempt.items.get().position: wrong}
    )
    session = practice_start(user=trainee)
    # Under 80% mastery (0 of 1 right) and new: before the other new questions,
    # which come in the bank's order.
    assert next_question_id(user=trainee, session=session) == missed.pk


@pytest.mark.django_db
def test_a_quiz_that_hides_its_answers_does_not_steer_practice(trainee):
    from quiz.practice.selectors import missed_rule_ids, next_question_id

    plain = [published_question(rules=[RuleFactory()]) for _ in range(3)]
    missed = plain[2]
    quiz = QuizFactory(questions=[missed], review="never")
    attempt = attempt_start(quiz=quiz, user=trainee)
    wrong = [c.pk for c in missed.choices.filter(correct=False)[:1]]
    attempt_submit(
        attempt=attempt, user=trainee, answers={attempt.items.get().position: wrong}
    )
    assert missed_rule_ids(user=trainee) == set()
    session = practice_start(user=trainee)
    assert next_question_id(user=trainee, session=session) == plain[0].pk


@pytest.mark.django_db
def test_rules_reader_shows_the_passage_and_both_masteries(bank, trainee_client):
    trainee_client.post(reverse("quiz:practice"))
    item = PracticeItem.objects.get()
    trainee_client.post(
        reverse("quiz:practice-item", args=[item.pk]),
        {"answer": places(item, right_ids(item))},
    )
    page = trainee_client.get(reverse("quiz:rule-detail", args=["R-CRIT"]))
    html = page.content.decode()
    assert "<mark>" in html and bank["critical"].passage in html
    assert "Exam mastery" in html and "no quiz answers yet" in html
    assert "Practice mastery" in html and "100%" in html
    assert reverse("quiz:practice-rule", args=["R-CRIT"]) in html
    assert (
        trainee_client.get(reverse("quiz:rule-detail", args=["R-NONE"])).status_code
        == 404
    )


@pytest.mark.django_db
def test_practising_one_rule_serves_only_its_questions(bank, trainee_client):
    response = trainee_client.post(reverse("quiz:practice-rule", args=["R-PLAIN"]))
    item = PracticeItem.objects.get(pk=response["Location"].split("/")[-2])
    assert item.card.question_id == bank["questions"][2].pk
    assert item.session.rule == bank["plain"]


@pytest.mark.django_db
def test_supervisor_sees_practice_activity_on_the_trainee_report(
    bank, trainee, cohort, supervisor_client
):
    session = practice_start(user=trainee)
    item = practice_serve(user=trainee, session=session)
    practice_answer(user=trainee, item_id=item.pk, choice_ids=wrong_ids(item))
    html = supervisor_client.get(
        reverse("quiz:report-trainee", args=[trainee.pk])
    ).content.decode()
    assert "Practice" in html and "Estimated retention" in html
    assert "R-CRIT" in html


@pytest.mark.django_db
def test_dashboard_shows_due_today_and_the_streak(bank, trainee, trainee_client):
    session = practice_start(user=trainee)
    item = practice_serve(user=trainee, session=session)
    practice_answer(user=trainee, item_id=item.pk, choice_ids=wrong_ids(item))
    html = trainee_client.get(reverse("quiz:home")).content.decode()
    # A wrong answer comes back within minutes: due today.
    assert "1 question due today" in html and "a streak of 1 day" in html


@pytest.mark.django_db
def test_a_retired_question_is_never_due_again(bank, trainee):
    from questions.services import question_unpublish
    from quiz.practice.selectors import practice_glance

    session = practice_start(user=trainee)
    item = practice_serve(user=trainee, session=session)
    practice_answer(user=trainee, item_id=item.pk, choice_ids=wrong_ids(item))
    later = timezone.now() + timedelta(hours=1)
    assert practice_glance(user=trainee, now=later).due_today == 1
    question_unpublish(question=item.card.question)
    assert practice_glance(user=trainee, now=later).due_today == 0
    # The answer stays, as it was served.
    item.refresh_from_db()
    assert item.is_answered and item.snapshot["stem"] == item.card.question.stem


@pytest.mark.django_db
@pytest.mark.parametrize("n_rules", [2, 12])
def test_dashboard_queries_with_practice(
    trainee_client, trainee, n_rules, django_assert_num_queries
):
    history(trainee, n_rules)
    QuizFactory(questions__n=2)
    # AUTH + quizzes + the trainee's attempts (a GET grades no overdue attempt:
    # the task queue and cron do) + the rules and the latest answers per rule
    # (mastery) + practice: due today and the streak's days
    with django_assert_num_queries(AUTH + 2 + 2 + 2):
        html = trainee_client.get(reverse("quiz:home")).content.decode()
    assert "questions due today" in html


@pytest.mark.django_db
def test_choices_are_shuffled_when_served(bank, trainee):
    import random

    orders = set()
    for seed in range(8):
        session = practice_start(user=trainee)
        item = practice_serve(user=trainee, session=session, rng=random.Random(seed))
        assert item.card.question_id == bank["questions"][0].pk
        orders.add(tuple(c["id"] for c in item.choices))
        PracticeItem.objects.filter(pk=item.pk).delete()
        PracticeSession.objects.filter(pk=session.pk).delete()
    assert len(orders) > 1
