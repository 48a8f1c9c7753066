"""Demo data for a first run: the standard course (quiz/course.py), demo users
with a known password and their cohort. Never on a real site: load_course there."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Cohort
from accounts.roles import Role, role_group
from quiz.course import course_load

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
    return DemoReport(
        users_created=users_created,
        questions_created=course.questions_created,
        quizzes_created=course.quizzes_created,
        skipped=course.skipped,
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
