from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from quiz.models import Attempt, AttemptQuestion, Quiz, QuizDraw, QuizQuestion


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    autocomplete_fields = ["question"]
    fields = ["order", "question"]
    extra = 0


class QuizDrawInline(admin.TabularInline):
    model = QuizDraw
    fields = ["order", "count", "category", "rule"]
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
    inlines = [QuizQuestionInline, QuizDrawInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "published", "order"]}),
        (
            _("Questions and display"),
            {"fields": ["layout", "shuffle_questions", "shuffle_choices"]},
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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("draws", "quiz_questions")

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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class DeferredForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, **inner)
                # Checked in save_related, once the inlines are saved.
                self.instance._defer_publication_check = True

        return DeferredForm

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        quiz = form.instance
        if quiz.published:
            problems = quiz.publication_problems()
            if problems:
                quiz.published = False
                quiz.save(update_fields=["published"])
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
class AttemptAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
