"""Demo data for a first run: the seed bank, demo users and a cohort."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Cohort
from accounts.roles import Role
from questions.services import question_bank_load

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


@transaction.atomic
def demo_seed(*, password: str) -> DemoReport:
    """Create (or bring back to shape) the demo users, cohort and content."""
    bank = question_bank_load()
    User = get_user_model()
    users = {}
    created_count = 0
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
        user.groups.add(Group.objects.get(name=spec["role"]))
        users[username] = user
        created_count += created
    cohort, _ = Cohort.objects.get_or_create(
        name=DEMO_COHORT,
        defaults={"description": "Trainees of the demo training school."},
    )
    cohort.trainees.add(users["trainee"])
    cohort.supervisors.add(users["supervisor"])
    return DemoReport(
        users_created=created_count, questions_created=bank.questions_created
    )
