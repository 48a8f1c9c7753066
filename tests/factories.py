"""factory_boy factories for the suite. Published questions go through the service."""

import factory
from factory.django import DjangoModelFactory, Password

from accounts.models import Cohort, User
from accounts.roles import Role, role_group
from questions.models import (
    Category,
    Choice,
    Question,
    QuestionRule,
    QuestionStatus,
    QuestionType,
    Rule,
)

PASSWORD = "correct-horse-battery"


def role_hook(default: Role | None) -> factory.PostGeneration:
    """Add the user to a role group after creation (role=... overrides the default)."""

    def add_group(user, create, extracted, **kwargs):
        name = extracted or default
        if create and name:
            user.groups.add(role_group(Role(name)))

    return factory.PostGeneration(add_group)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = Password(PASSWORD)

    role = role_hook(None)  # pass role=Role.X, or use a role factory below


class TraineeFactory(UserFactory):
    username = factory.Sequence(lambda n: f"trainee{n}")
    role = role_hook(Role.TRAINEE)


class InstructorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"instructor{n}")
    is_staff = True
    role = role_hook(Role.INSTRUCTOR)


class SupervisorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"supervisor{n}")
    role = role_hook(Role.SUPERVISOR)


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cohort {n}")

    @factory.post_generation
    def trainees(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainees.add(*extracted)

    @factory.post_generation
    def supervisors(self, create, extracted, **kwargs):
        if create and extracted:
            self.supervisors.add(*extracted)


class RuleFactory(DjangoModelFactory):
    class Meta:
        model = Rule

    code = factory.Sequence(lambda n: f"R-TEST-{n}")
    title = factory.Sequence(lambda n: f"Test rule {n}")
    wording = "All movements during the massage must be gradual and smooth."
    passage = "All movements during the massage must be gradual and smooth."
    critical = False


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


DEFAULT_CHOICES = {
    QuestionType.SINGLE: [
        ("Smoothly", True),
        ("With a sudden twist", False),
        ("Fast", False),
    ],
    QuestionType.MULTIPLE: [
        ("Gradual movements", True),
        ("Smooth movements", True),
        ("Twisting", False),
        ("Sudden jerks", False),
    ],
    QuestionType.TRUE_FALSE: [("True", False), ("False", True)],
}


class QuestionFactory(DjangoModelFactory):
    """A draft question with sensible choices and one rule; see `published_question`."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Question {n}")
    qtype = QuestionType.SINGLE
    stem = factory.Sequence(lambda n: f"How should the therapist move? ({n})")
    explanation = "All movements must be gradual and smooth."
    category = factory.SubFactory(CategoryFactory)
    status = QuestionStatus.DRAFT

    @factory.post_generation
    def choices(self, create, extracted, **kwargs):
        if not create:
            return
        spec = DEFAULT_CHOICES[self.qtype] if extracted is None else extracted
        Choice.objects.bulk_create(
            Choice(
                question=self,
                text=text,
                correct=correct,
                feedback=f"Because: {text}",
                order=i,
            )
            for i, (text, correct) in enumerate(spec, start=1)
        )

    @factory.post_generation
    def rules(self, create, extracted, **kwargs):
        if not create:
            return
        rules = [RuleFactory()] if extracted is None else extracted
        QuestionRule.objects.bulk_create(
            QuestionRule(question=self, rule=r) for r in rules
        )


def published_question(**kwargs) -> Question:
    """A well-formed question published through the service."""
    from questions.services import question_publish

    return question_publish(question=QuestionFactory(**kwargs))


class QuizFactory(DjangoModelFactory):
    """A quiz over a fixed list of published questions (questions=[...] or n_questions)."""

    class Meta:
        model = "quiz.Quiz"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Quiz {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    published = True
    shuffle_choices = False
    pass_mark = 80

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        if not create:
            return
        from quiz.models import QuizQuestion

        questions = extracted
        if questions is None:
            questions = [published_question() for _ in range(kwargs.get("n", 3))]
        QuizQuestion.objects.bulk_create(
            QuizQuestion(quiz=self, question=q, order=i)
            for i, q in enumerate(questions)
        )


def correct_answers(attempt) -> dict[int, list[int]]:
    """{position: ids of the correct choices} for every question of an attempt."""
    return {
        item.position: [c["id"] for c in item.snapshot["choices"] if c["correct"]]
        for item in attempt.items.all()
    }


def wrong_answers(attempt) -> dict[int, list[int]]:
    """{position: [one wrong choice id]} for every question of an attempt."""
    return {
        item.position: [
            next(c["id"] for c in item.snapshot["choices"] if not c["correct"])
        ]
        for item in attempt.items.all()
    }


def as_keys(attempt, answers: dict[int, list[int]]) -> dict[str, list[str]]:
    """POST data for answers given as choice ids: each choice's place as shown."""
    items = {item.position: item for item in attempt.items.all()}
    data: dict[str, list[str]] = {"shown": [str(p) for p in answers]}
    for position, ids in answers.items():
        order = [c["id"] for c in items[position].snapshot["choices"]]
        data[f"q-{position}"] = [str(order.index(i) + 1) for i in ids]
    return data


def passed_attempt_left_overdue(user, *, days_ago: int, validity_months: int):
    """An answered, passing attempt at a certifying quiz with a 10-minute limit,
    started `days_ago` days ago and never submitted: it awaits grading."""
    from datetime import timedelta

    from django.utils import timezone

    from quiz.attempts.services import attempt_save_answers, attempt_start
    from quiz.models import Attempt

    quiz = QuizFactory(
        questions__n=2,
        time_limit_minutes=10,
        certificate_on_pass=True,
        certificate_validity_months=validity_months,
    )
    attempt = attempt_start(quiz=quiz, user=user)
    attempt_save_answers(attempt=attempt, user=user, answers=correct_answers(attempt))
    started = timezone.now() - timedelta(days=days_ago)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=started, deadline=started + timedelta(minutes=10)
    )
    attempt.refresh_from_db()
    return attempt


def take(quiz, user, *, right=True):
    """A finished attempt at the quiz: every answer right, or every one wrong."""
    from quiz.attempts.services import attempt_start, attempt_submit

    attempt = attempt_start(quiz=quiz, user=user)
    answers = correct_answers(attempt) if right else wrong_answers(attempt)
    return attempt_submit(attempt=attempt, user=user, answers=answers).attempt
