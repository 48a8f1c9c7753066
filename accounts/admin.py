from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_mixins import RecordAdminMixin
from accounts.enrollment import EnrollmentError, parse_enrollment_csv, trainees_enroll
from accounts.mail import mail_goes_out, mail_retry
from accounts.models import Cohort, OutgoingMail, ReminderSent, User
from accounts.roles import Role, holders_q

MAX_ENROLL_BYTES = 1024 * 1024


class RowsField(forms.CharField):
    """Pasted CSV rows. A NUL character is left to the parser, which names its
    line; CharField's own check would drop the text with a vaguer message."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v
            for v in self.validators
            if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class EnrollForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("Two columns: name, email (a header line is optional). UTF-8."),
    )
    text = RowsField(
        label=_("…or paste the rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_ENROLL_BYTES:
                raise forms.ValidationError(_("The file is larger than 1 MB."))
            try:
                data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                # exc.object is what was decoded: the bytes after any BOM.
                line = exc.object.count(b"\n", 0, exc.start) + 1
                raise forms.ValidationError(
                    _("line %(n)d: the file is not UTF-8 text; save it as “CSV UTF-8”.")
                    % {"n": line}
                ) from exc
        else:
            data["content"] = data.get("text", "")
        if not data["content"].strip():
            raise forms.ValidationError(_("Upload a file or paste the rows."))
        return data


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "roles",
        "is_active",
    ]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all())) or "-"


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "trainee_count", "supervisor_names", "created_at"]
    search_fields = ["name", "trainees__username", "trainees__last_name"]
    filter_horizontal = ["trainees", "supervisors"]
    readonly_fields = ["enroll_link"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Pick trainees and supervisors from their groups only.
        role = {"trainees": Role.TRAINEE, "supervisors": Role.SUPERVISOR}.get(
            db_field.name
        )
        if role:
            kwargs["queryset"] = User.objects.filter(holders_q(role)).order_by(
                "last_name", "first_name", "username"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("bulk enrolment"))
    def enroll_link(self, obj: Cohort) -> str:
        if not obj.pk:
            return _("Save the cohort first.")
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:accounts_cohort_enroll", args=[obj.pk]),
            _("Enroll trainees from a CSV file"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/enroll/",
                self.admin_site.admin_view(self.enroll_view),
                name="accounts_cohort_enroll",
            ),
            *super().get_urls(),
        ]

    def enroll_view(self, request, pk: int):
        cohort = get_object_or_404(Cohort, pk=pk)
        if not self.has_change_permission(request, cohort):
            raise PermissionDenied
        form = EnrollForm(request.POST or None, request.FILES or None)
        if request.method != "POST":
            return self._enroll_page(request, cohort, form, status=200)
        if not form.is_valid():
            return self._enroll_page(request, cohort, form)
        try:
            rows = parse_enrollment_csv(form.cleaned_data["content"])
            result = trainees_enroll(cohort=cohort, rows=rows)
        except EnrollmentError as exc:
            return self._enroll_page(request, cohort, form, problems=exc.problems)
        self._log_enrolment(request, cohort, result)
        self.message_user(request, enroll_summary(result, cohort), messages.SUCCESS)
        return redirect("admin:accounts_cohort_change", cohort.pk)

    def _log_enrolment(self, request, cohort, result) -> None:
        """In the audit log: an ADDITION for each account the file created, and a
        change of the cohort naming everyone it enrolled."""
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=result.created,
            action_flag=ADDITION,
            change_message=_("Created by an enrolment from CSV into %(cohort)s.")
            % {"cohort": cohort},
        )
        enrolled = [*result.created, *result.existing]
        self.log_change(
            request,
            cohort,
            ngettext(
                "Enrolled %(n)d trainee from CSV: %(names)s.",
                "Enrolled %(n)d trainees from CSV: %(names)s.",
                len(enrolled),
            )
            % {"n": len(enrolled), "names": ", ".join(u.username for u in enrolled)},
        )

    def _enroll_page(self, request, cohort, form, *, problems=(), status=400):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": cohort,
            "title": _("Enroll trainees in %(cohort)s") % {"cohort": cohort},
            "form": form,
            "problems": list(problems),
        }
        return TemplateResponse(
            request, "admin/accounts/cohort/enroll.html", context, status=status
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_trainees=Count("trainees", distinct=True))
            .prefetch_related("supervisors")
        )

    @admin.display(description=_("trainees"), ordering="n_trainees")
    def trainee_count(self, obj: Cohort) -> int:
        return obj.n_trainees

    @admin.display(description=_("supervisors"))
    def supervisor_names(self, obj: Cohort) -> str:
        return ", ".join(s.display_name for s in obj.supervisors.all()) or "-"


class LogAuthorFilter(admin.RelatedOnlyFieldListFilter):
    """The log's "By user" filter: only the authors of entries the viewer may read,
    and a trainee's name to a superuser only (never every account on the site)."""

    def field_choices(self, field, request, model_admin):
        authors = Q(pk__in=model_admin.get_queryset(request).values("user_id"))
        if not request.user.is_superuser:
            trainees = User.objects.filter(holders_q(Role.TRAINEE)).values("pk")
            authors &= ~Q(pk__in=trainees)
        return field.get_choices(
            include_blank=False,
            limit_choices_to=authors,
            ordering=self.field_admin_ordering(field, request, model_admin),
        )


@admin.register(LogEntry)
class AuditLogAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Who changed what in the admin, and when: read-only, kept for good."""

    list_display = [
        "action_time",
        "user",
        "content_type",
        "object_repr",
        "action_flag",
        "summary",
    ]
    list_filter = ["action_flag", "content_type", ("user", LogAuthorFilter)]
    search_fields = ["object_repr", "change_message", "user__username"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        if request.user.is_superuser:
            return entries
        # Instructors see the bank's history, not changes to accounts and groups.
        return entries.exclude(content_type__app_label__in=["auth", "accounts", "axes"])

    @admin.display(description=_("change"))
    def summary(self, obj: LogEntry) -> str:
        return obj.get_change_message()


def enroll_summary(result, cohort) -> str:
    """What an enrolment did, for the message after it: it says that links are
    on their way only when mail leaves the server (they are queued, then sent
    and retried by the worker: accounts/mail.py)."""
    if mail_goes_out():
        created = ngettext(
            "%(new)d new trainee account created; a mail with a link to set a "
            "password is queued (Outgoing mail shows when it leaves)",
            "%(new)d new trainee accounts created; a mail with a link to set a "
            "password is queued for each (Outgoing mail shows when they leave)",
            len(result.created),
        ) % {"new": len(result.created)}
    else:
        created = ngettext(
            "%(new)d new trainee account created, but no link was e-mailed: no "
            "mail server is set up (EMAIL_HOST), so the trainee should use "
            "“Forgotten your password?” once it is",
            "%(new)d new trainee accounts created, but no links were e-mailed: no "
            "mail server is set up (EMAIL_HOST), so the trainees should use "
            "“Forgotten your password?” once it is",
            len(result.created),
        ) % {"new": len(result.created)}
    added = ngettext(
        "%(old)d existing trainee added to %(cohort)s.",
        "%(old)d existing trainees added to %(cohort)s.",
        len(result.existing),
    ) % {"old": len(result.existing), "cohort": cohort}
    return f"{created}; {added}"


@admin.register(OutgoingMail)
class OutgoingMailAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Every mail the site queued: sent, waiting (with its next try) or given up
    on (with the last error). A mail given up on can be tried again."""

    list_display = ["created_at", "subject", "recipients", "status", "attempts"]
    list_filter = ["status"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    readonly_fields = [
        "to",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    exclude = ["html_body", "sensitive"]

    @admin.display(description=_("recipients"))
    def recipients(self, obj: OutgoingMail) -> str:
        return ", ".join(obj.to)

    @admin.action(description=_("Try the selected mail again"))
    def retry(self, request, queryset) -> None:
        count = mail_retry(mail_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)d mail queued again.", "%(n)d mails queued again.", count)
            % {"n": count},
            messages.SUCCESS,
        )


@admin.register(ReminderSent)
class ReminderSentAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "reason", "about", "on"]
    list_filter = ["reason"]
    search_fields = ["user__username", "user__email", "about"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
