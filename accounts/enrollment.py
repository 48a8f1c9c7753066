"""Bulk enrolment of trainees from a CSV file (name, email): parse, then enroll."""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Cohort
from accounts.roles import Role

MAX_ROWS = 5000


@dataclass(frozen=True)
class EnrollRow:
    line: int
    first_name: str
    last_name: str
    email: str


class EnrollmentError(ValueError):
    """The file has problems; `problems` lists them as "line N: ..." strings."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_enrollment_csv(text: str) -> list[EnrollRow]:
    """Rows of (name, email); a header line is optional. Raises EnrollmentError."""
    text = text.lstrip("\ufeff")
    rows: list[EnrollRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise EnrollmentError(
            [_("The file is not valid CSV: %(e)s") % {"e": exc}]
        ) from exc
    for index, record in enumerate(records, start=1):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if index == 1 and [c.lower() for c in cells[:2]] == ["name", "email"]:
            continue
        if len(cells) != 2:
            problems.append(
                _("line %(n)d: expected 2 columns (name, email), found %(k)d.")
                % {"n": index, "k": len(cells)}
            )
            continue
        name, email = cells
        if not name:
            problems.append(_("line %(n)d: the name is empty.") % {"n": index})
        if len(name) > 150:
            problems.append(_("line %(n)d: the name is too long.") % {"n": index})
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _("line %(n)d: “%(e)s” is not an email address.")
                % {"n": index, "e": email[:80]}
            )
            continue
        key = email.lower()
        if key in seen:
            problems.append(
                _("line %(n)d: %(e)s is already on line %(m)d.")
                % {"n": index, "e": email, "m": seen[key]}
            )
            continue
        seen[key] = index
        first, _sep, last = name.partition(" ")
        rows.append(EnrollRow(index, first[:150], last[:150], email))
        if len(rows) > MAX_ROWS:
            raise EnrollmentError(
                [_("More than %(n)d trainees in one file.") % {"n": MAX_ROWS}]
            )
    if problems:
        raise EnrollmentError(problems)
    if not rows:
        raise EnrollmentError([_("The file has no trainee in it.")])
    return rows


@dataclass
class EnrollResult:
    created: list
    existing: list


def _unique_username(email: str, taken: set[str]) -> str:
    base = slugify(email.split("@")[0])[:140] or "trainee"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


def trainees_enroll(*, cohort: Cohort, rows: list[EnrollRow]) -> EnrollResult:
    """Create the missing accounts, add everyone to the cohort, mail the new ones."""
    User = get_user_model()
    with transaction.atomic():
        trainee_group = Group.objects.get(name=Role.TRAINEE)
        existing = {
            user.email.lower(): user
            for user in User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=[row.email.lower() for row in rows])
            .prefetch_related("groups")
        }
        problems = [
            _("line %(n)d: %(e)s belongs to an account that is not a trainee.")
            % {"n": row.line, "e": row.email}
            for row in rows
            if row.email.lower() in existing
            and not any(
                g.name == Role.TRAINEE for g in existing[row.email.lower()].groups.all()
            )
        ]
        if problems:
            raise EnrollmentError(problems)
        taken = set(
            User.objects.filter(
                username__in=[slugify(r.email.split("@")[0])[:140] for r in rows]
            ).values_list("username", flat=True)
        )
        created = []
        for row in rows:
            if row.email.lower() in existing:
                continue
            user = User(
                username=_unique_username(row.email, taken),
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
            )
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            created.append(user)
        User.objects.bulk_create(created)
        # bulk_create sets pks on PostgreSQL and SQLite 3.35+.
        trainee_group.user_set.add(*created)
        cohort.trainees.add(*created, *existing.values())
        transaction.on_commit(lambda: [_send_welcome(user, cohort) for user in created])
    return EnrollResult(created=created, existing=list(existing.values()))


def _send_welcome(user, cohort: Cohort) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )
    send_mail(
        subject=_("Your Rulewise training account"),
        message=render_to_string(
            "accounts/email/enrolled.txt",
            {"user": user, "cohort": cohort, "link": link},
        ),
        from_email=None,
        recipient_list=[user.email],
    )
