"""Demo data for a first run: the standard course (quiz/course.py), demo users
with a known password and their cohort. Never on a real site: load_course there."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Cohort
from accounts.roles import Role, role_group
from quiz.course import FINAL_EXAM_SLUG, course_load
from quiz.models import Assignment, Quiz

DEMO_COHORT = "Demo cohort"
DEMO_USERS = {
    "trainee": {"first_name": "Ana", "last_name": "Costa", "role": Role.TRAINEE},
    "instructor": {
        "first_name": "Ivan",
        "last_name": "Petrov",
        "role": Role.INSTRUCTOR,
    },
    "supervisor": {
        "first_name": "Sofia",
        "last_name": "Romano",
        "role": Role.SUPERVISOR,
    },
}


@dataclass
class DemoReport:
    users_created: int
    questions_created: int
    quizzes_created: int
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def demo_seed(*, password: str) -> DemoReport:
    """The course (what is missing of it), then the demo users and their cohort."""
    course = course_load()
    users, users_created = _demo_users(password)
    cohort, _created = Cohort.objects.get_or_create(
        name=DEMO_COHORT,
        defaults={"description": "Trainees of the demo training school."},
    )
    cohort.trainees.add(users["trainee"])
    cohort.supervisors.add(users["supervisor"])
    _demo_programme(cohort)
    return DemoReport(
        users_created=users_created,
        questions_created=course.questions_created,
        quizzes_created=course.quizzes_created,
        skipped=course.skipped,
        notes=course.notes,
    )


# The demo cohort's programme: the first module due in 3 days (the trainee's
# dashboard says "Due in 3 days"), the final exam due in 3 weeks, closing in 2
# months. Dates are set when the assignment is made, never moved by a re-run.
DEMO_PROGRAMME = [(None, 3, None), (FINAL_EXAM_SLUG, 21, 60)]


def _demo_programme(cohort: Cohort) -> None:
    now = timezone.now()
    first_module = Quiz.objects.published().filter(slug__startswith="module-")
    for slug, due_days, close_days in DEMO_PROGRAMME:
        quiz = (
            Quiz.objects.published().filter(slug=slug).first()
            if slug
            else first_module.order_by("order", "pk").first()
        )
        if quiz is None:
            continue
        Assignment.objects.get_or_create(
            quiz=quiz,
            cohort=cohort,
            defaults={
                "due_at": now + timedelta(days=due_days),
                "closes_at": now + timedelta(days=close_days) if close_days else None,
            },
        )


def _demo_users(password: str):
    User = get_user_model()
    users, created_count = {}, 0
    for username, spec in DEMO_USERS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "email": f"{username}@example.com",
            },
        )
        user.is_staff = spec["role"] == Role.INSTRUCTOR
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.add(role_group(spec["role"]))
        users[username] = user
        created_count += created
    return users, created_count
