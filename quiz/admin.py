from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_mixins import RecordAdminMixin
from accounts.models import User
from accounts.roles import Role, holders_q
from quiz.certificates.services import certificate_allow_renewal, certificate_revoke
from quiz.models import (
    Assignment,
    Attempt,
    AttemptQuestion,
    Certificate,
    Override,
    Quiz,
    QuizDraw,
    QuizQuestion,
)
from quiz.programme.services import override_grant
from quiz.selection import quiz_total
from quiz.services import quiz_save_published_or_draft


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    autocomplete_fields = ["question"]
    fields = ["order", "question"]
    extra = 0


class QuizDrawInline(admin.TabularInline):
    model = QuizDraw
    fields = ["order", "count", "category", "rule"]
    extra = 0


class AssignmentInline(admin.TabularInline):
    """The cohorts the quiz is assigned to, each with its dates."""

    model = Assignment
    fields = ["cohort", "opens_at", "due_at", "closes_at"]
    extra = 0


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "published",
        "question_source",
        "pass_mark",
        "time_limit_minutes",
        "max_attempts",
        "grading_method",
        "certificate_on_pass",
    ]
    list_filter = ["published", "certificate_on_pass", "grading_method", "layout"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuizQuestionInline, QuizDrawInline, AssignmentInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "description",
                    "published",
                    "assigned_only",
                    "order",
                ]
            },
        ),
        (
            _("Questions and display"),
            {
                "fields": [
                    "question_total",
                    "layout",
                    "shuffle_questions",
                    "shuffle_choices",
                ]
            },
        ),
        (
            _("Grading"),
            {
                "fields": [
                    "pass_mark",
                    "grading_method",
                    "time_limit_minutes",
                    "max_attempts",
                    "review",
                    "closes_at",
                ]
            },
        ),
        (
            _("Certificate"),
            {"fields": ["certificate_on_pass", "certificate_validity_months"]},
        ),
    ]

    readonly_fields = ["question_total"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("draws", "quiz_questions")

    @admin.display(description=_("In each attempt"))
    def question_total(self, obj: Quiz | None) -> str:
        if obj is None or obj.pk is None:
            return _("Counted once the quiz is saved.")
        total = quiz_total(obj)
        summary = ngettext("%(n)d question", "%(n)d questions", total.questions) % {
            "n": total.questions
        }
        if total.critical_rules:
            summary += " · " + _(
                "covers %(covered)d of %(all)d safety-critical rules"
            ) % {"covered": len(total.covered), "all": len(total.critical_rules)}
        missing = ", ".join(f"{rule.code} ({rule.title})" for rule in total.missing)
        return format_html(
            '<span class="rw-quiz-total">{}</span>{}',
            summary,
            format_html(
                '<span class="rw-quiz-total-missing">{} {}</span>',
                _("Not asked in every attempt:"),
                missing,
            )
            if missing
            else "",
        )

    @admin.display(description=_("questions"))
    def question_source(self, obj: Quiz) -> str:
        fixed = len(obj.quiz_questions.all())
        drawn = sum(draw.count for draw in obj.draws.all())
        parts = []
        if fixed:
            parts.append(_("%(n)d fixed") % {"n": fixed})
        if drawn:
            parts.append(_("%(n)d drawn") % {"n": drawn})
        return ", ".join(parts) or "-"

    def save_model(self, request, obj: Quiz, form, change: bool) -> None:
        if not form.initial.get("published"):
            # Published by save_related through the service, once the inlines
            # (the quiz's questions) are saved too.
            obj.published = False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        problems = quiz_save_published_or_draft(
            quiz=form.instance, published=form.cleaned_data.get("published", False)
        )
        if problems:
            self.message_user(
                request,
                _("The quiz was saved but not published: %(problems)s")
                % {"problems": " ".join(problems)},
                messages.WARNING,
            )


class AttemptQuestionInline(admin.TabularInline):
    model = AttemptQuestion
    fields = ["position", "question", "critical", "selected", "mark", "fully_correct"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Training records: readable by staff, never edited or deleted here."""

    list_display = [
        "quiz",
        "user",
        "number",
        "state",
        "score",
        "passed",
        "failed_critical",
        "started_at",
        "finished_at",
    ]
    list_filter = ["state", "passed", "failed_critical", "quiz"]
    search_fields = ["user__username", "user__last_name", "quiz__title"]
    list_select_related = ["quiz", "user"]
    date_hierarchy = "started_at"
    inlines = [AttemptQuestionInline]
    readonly_fields = [f.name for f in Attempt._meta.fields]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text=_("Kept with the certificate and shown to staff."),
    )


@admin.register(Certificate)
class CertificateAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Certificates are issued by grading, revoked here with a reason, never deleted."""

    list_display = [
        "display_code",
        "holder_name",
        "quiz_title",
        "issued_at",
        "expires_at",
        "status_label",
        "revoked_by",
    ]
    list_filter = ["quiz", "issued_at", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = [
        "code",
        "holder_name",
        "user__username",
        "user__email",
        "quiz_title",
    ]
    list_select_related = ["revoked_by"]
    readonly_fields = [
        "display_code",
        "user",
        "quiz",
        "attempt",
        "holder_name",
        "quiz_title",
        "score",
        "issued_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "renewal_allowed_at",
        "renewal_allowed_by",
    ]
    fields = readonly_fields
    actions = ["revoke_selected", "allow_renewal_selected"]

    @admin.display(description=_("code"), ordering="code")
    def display_code(self, obj: Certificate) -> str:
        return obj.display_code

    @admin.display(description=_("status"))
    def status_label(self, obj: Certificate) -> str:
        return {"valid": _("Valid"), "expired": _("Expired"), "revoked": _("Revoked")}[
            obj.status
        ]

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("quiz.revoke_certificate")

    @admin.action(
        description=_("Revoke selected certificates…"), permissions=["revoke"]
    )
    def revoke_selected(self, request, queryset):
        form = RevokeForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return self._revoke_form(request, queryset, form)
        reason = form.cleaned_data["reason"]
        revoked = self._each(
            request,
            queryset,
            lambda c: certificate_revoke(certificate=c, by=request.user, reason=reason),
            log=_("Revoked: %(reason)s") % {"reason": reason},
        )
        if revoked:
            self.message_user(
                request,
                ngettext(
                    "%(n)d certificate revoked.", "%(n)d certificates revoked.", revoked
                )
                % {"n": revoked},
                messages.SUCCESS,
            )
        return None

    def _revoke_form(self, request, queryset, form) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/quiz/certificate/revoke.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Revoke certificates"),
                "certificates": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description=_("Allow a new certificate for the selected revoked certificates"),
        permissions=["revoke"],
    )
    def allow_renewal_selected(self, request, queryset):
        """Lift the block a revocation puts on a new certificate; it stays revoked."""
        allowed = self._each(
            request,
            queryset,
            lambda c: certificate_allow_renewal(certificate=c, by=request.user),
            log=_(
                "Allowed a new certificate after the revocation "
                "(the revocation stays on record)."
            ),
        )
        if allowed:
            self.message_user(
                request,
                ngettext(
                    "%(n)d revoked certificate may now be replaced by a new pass.",
                    "%(n)d revoked certificates may now be replaced by a new pass.",
                    allowed,
                )
                % {"n": allowed},
                messages.SUCCESS,
            )

    def _each(self, request, queryset, service, *, log: str) -> int:
        """Apply `service` to each selected certificate: each change goes in the
        audit log, each refusal is shown with its reason. How many changed."""
        done = 0
        for certificate in queryset:
            try:
                service(certificate)
            except ValidationError as exc:
                self.message_user(
                    request,
                    f"{certificate.display_code}: {' '.join(exc.messages)}",
                    messages.WARNING,
                )
                continue
            self.log_change(request, certificate, log)
            done += 1
        return done


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    """One trainee's exception on a quiz, granted through override_grant, which
    records who granted what and why in the audit log."""

    list_display = [
        "user",
        "quiz",
        "extra_attempts",
        "extra_minutes",
        "due_at",
        "closes_at",
        "granted_by",
        "granted_at",
    ]
    list_filter = ["quiz"]
    list_select_related = ["user", "quiz", "granted_by"]
    search_fields = ["user__username", "user__last_name", "quiz__title", "reason"]
    fields = [
        "quiz",
        "user",
        "extra_attempts",
        "extra_minutes",
        "due_at",
        "closes_at",
        "reason",
        "granted_by",
        "granted_at",
    ]
    readonly_fields = ["granted_by", "granted_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # the same trainee and quiz; another is a new grant
            return [*self.readonly_fields, "quiz", "user"]
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(holders_q(Role.TRAINEE))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj: Override, form, change: bool) -> None:
        saved = override_grant(
            quiz=obj.quiz,
            trainee=obj.user,
            granted_by=request.user,
            reason=obj.reason,
            extra_attempts=obj.extra_attempts,
            extra_minutes=obj.extra_minutes,
            due_at=obj.due_at,
            closes_at=obj.closes_at,
        )
        obj.pk, obj.granted_by, obj.granted_at = (
            saved.pk,
            saved.granted_by,
            saved.granted_at,
        )

    # override_grant wrote the audit entry, with the reason: not a second one.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None
