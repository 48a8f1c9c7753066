"""Bulk enrolment of trainees from a CSV file (name, email): parse, then enroll."""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.mail import mail_queue_many
from accounts.models import Cohort, OutgoingMail
from accounts.roles import Role, role_group, role_groups

MAX_ROWS = 5000
EMAIL_MAX_LENGTH = 254  # the User model's field
# Values per lookup query. An IN list of this many is fine everywhere; an OR of
# this many LIKEs stays well below SQLite's expression depth limit of 1000,
# which one OR over every row of a 1,200-row file went past.
BATCH = 500


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


def _batches(values: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    """Consecutive slices of *values*, *size* at most each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def parse_enrollment_csv(text: str) -> list[EnrollRow]:
    """Rows of (name, email); a header line is optional. Raises EnrollmentError."""
    text = text.lstrip("\ufeff")
    rows: list[EnrollRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    # No name or address holds a NUL, and PostgreSQL cannot store one in text.
    nul_lines = [
        _(
            "line %(n)d: contains a NUL character (a zero byte), which no name or"
            " email address has; save the file as “CSV UTF-8”."
        )
        % {"n": number}
        for number, line in enumerate(text.split("\n"), start=1)
        if "\x00" in line
    ]
    if nul_lines:
        raise EnrollmentError(nul_lines)
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
        if len(email) > EMAIL_MAX_LENGTH:
            problems.append(
                _("line %(n)d: the email address is longer than %(max)d characters.")
                % {"n": index, "max": EMAIL_MAX_LENGTH}
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


def _username_base(email: str) -> str:
    return slugify(email.split("@")[0])[:140] or "trainee"


def _unique_username(email: str, taken: set[str]) -> str:
    base = _username_base(email)
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
        trainee_group = role_group(Role.TRAINEE)
        is_trainee = Exists(
            User.groups.through.objects.filter(
                user=OuterRef("pk"), group__in=role_groups(Role.TRAINEE)
            )
        )
        existing = {}
        for emails in _batches(sorted({row.email.lower() for row in rows})):
            for user in User.objects.annotate(
                email_lower=Lower("email"), is_trainee=is_trainee
            ).filter(email_lower__in=emails):
                existing[user.email.lower()] = user
        problems = [
            _("line %(n)d: %(e)s belongs to an account that is not a trainee.")
            % {"n": row.line, "e": row.email}
            for row in rows
            if row.email.lower() in existing
            and not existing[row.email.lower()].is_trainee
        ]
        if problems:
            raise EnrollmentError(problems)
        # Every existing username that starts like one we may make (john, john2…).
        bases = sorted(
            {
                _username_base(row.email)
                for row in rows
                if row.email.lower() not in existing
            }
        )
        taken: set[str] = set()
        for batch in _batches(bases):
            prefix_match = Q()
            for base in batch:
                prefix_match |= Q(username__startswith=base)
            taken.update(
                User.objects.filter(prefix_match).values_list("username", flat=True)
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
            try:
                # No uniqueness queries, one per row: the username is free by
                # construction (taken holds every one it could collide with).
                user.full_clean(exclude=["password"], validate_unique=False)
            except ValidationError as exc:
                raise EnrollmentError(
                    [
                        _("line %(n)d: %(problem)s")
                        % {"n": row.line, "problem": " ".join(exc.messages)}
                    ]
                ) from exc
            created.append(user)
        User.objects.bulk_create(created, batch_size=BATCH)
        # bulk_create sets pks on PostgreSQL and SQLite 3.35+.
        trainee_group.user_set.add(*created)
        cohort.trainees.add(*created, *existing.values())
        # Queued with the accounts: each is sent by the task worker, retried
        # while the mail server refuses it, and none is lost if it is down.
        mail_queue_many([_welcome(user, cohort) for user in created])
    return EnrollResult(created=created, existing=list(existing.values()))


def _welcome(user, cohort: Cohort) -> OutgoingMail:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )
    return OutgoingMail(
        to=[user.email],
        subject=_("Your Rulewise training account"),
        body=render_to_string(
            "accounts/email/enrolled.txt",
            {"user": user, "cohort": cohort, "link": link},
        ),
        sensitive=True,
    )
