from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.http import attachment_header
from questions.formats import FormatError
from questions.interchange import (
    EXTENSIONS,
    FORMATS,
    MEDIA_TYPES,
    ImportRefusedError,
    decode_upload,
    ensure_import_size,
    import_plan,
    questions_export,
    questions_import,
)
from questions.models import (
    Category,
    Choice,
    Question,
    QuestionRule,
    QuestionStatus,
    Rule,
)
from questions.services import (
    bank_change_problems,
    question_item_statistics,
    question_publish,
    questions_publish,
    questions_unpublish,
)
from questions.translation import SOURCE_LANGUAGE, bank_language
from questions.translation_interchange import (
    TranslationPlan,
    translation_import,
    translation_plan,
)
from questions.validation import ChoiceData, question_problems

# The languages of an import or an export: the English makes questions, another
# language gives existing ones their texts (questions/translation_interchange.py).
INTERCHANGE_LANGUAGES = [
    (SOURCE_LANGUAGE, _("English")),
    ("ru", _("Russian")),
]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "critical", "question_count", "order"]
    list_filter = ["critical"]
    list_editable = ["order"]
    search_fields = ["code", "title", "wording", "passage", "title_ru", "wording_ru"]
    ordering = ["-critical", "order", "code"]
    # The English and the Russian text side by side (questions/translation.py).
    fieldsets = [
        (None, {"fields": ["code", "critical", "order"]}),
        (
            _("Texts"),
            {"fields": [("title", "title_ru"), ("wording", "wording_ru"), "passage"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(n_questions=Count("question_rules"))
        )

    @admin.display(description=_("questions"), ordering="n_questions")
    def question_count(self, obj: Rule) -> int:
        return obj.n_questions


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "question_count", "published_count", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description", "name_ru", "description_ru"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "name_ru"),
                    "slug",
                    ("description", "description_ru"),
                    "order",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_questions=Count("questions"),
                n_published=Count(
                    "questions", filter=Q(questions__status=QuestionStatus.PUBLISHED)
                ),
            )
        )

    @admin.display(description=_("questions"), ordering="n_questions")
    def question_count(self, obj: Category) -> int:
        return obj.n_questions

    @admin.display(description=_("published"), ordering="n_published")
    def published_count(self, obj: Category) -> int:
        return obj.n_published


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """Checks the whole question, with the choices and rules as submitted, before
    anything is saved (question_publish checks what is stored)."""

    def submitted_rule_count(self) -> int:
        """The rules posted with the question, read by the question form's own
        field (a rule that does not exist is that form's error, not counted)."""
        field = QuestionAdminForm.base_fields["rules_tested"]
        try:
            return len(field.clean(self.data.getlist("rules_tested")))
        except ValidationError:
            return 0

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        question = self.instance
        if question.status != QuestionStatus.PUBLISHED:
            return
        choices = [
            ChoiceData(
                text=form.cleaned_data.get("text", ""),
                correct=bool(form.cleaned_data.get("correct")),
                text_ru=form.cleaned_data.get("text_ru", ""),
                feedback=form.cleaned_data.get("feedback", ""),
                feedback_ru=form.cleaned_data.get("feedback_ru", ""),
            )
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("text", "").strip()
        ]
        rule_count = self.submitted_rule_count()
        problems = question_problems(
            qtype=question.qtype,
            stem=question.stem,
            choices=choices,
            rule_count=rule_count,
            explanation=question.explanation,
            stem_ru=question.stem_ru,
            explanation_ru=question.explanation_ru,
        )
        if problems:
            raise ValidationError(
                [_("This question cannot be published as it stands:")] + problems
            )


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    # Each text with its Russian version beside it.
    fields = ["order", "text", "text_ru", "correct", "feedback", "feedback_ru"]
    extra = 0
    min_num = 2
    formfield_overrides = {
        # Keep feedback compact in the tabular inline.
        Choice._meta.get_field("feedback").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 30})
        }
    }

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 2


class QuestionAdminForm(forms.ModelForm):
    rules_tested = forms.ModelMultipleChoiceField(
        queryset=Rule.objects.all(),
        required=False,
        widget=FilteredSelectMultiple(_("rules"), is_stacked=False),
        label=_("Rules tested"),
        help_text=_("Every question cites at least one rule of the source text."),
    )

    class Meta:
        model = Question
        fields = [
            "title",
            "idnumber",
            "qtype",
            "category",
            "stem",
            "stem_ru",
            "explanation",
            "explanation_ru",
            "status",
        ]
        widgets = {
            "stem": forms.Textarea(attrs={"rows": 4, "cols": 50}),
            "stem_ru": forms.Textarea(attrs={"rows": 4, "cols": 50}),
            "explanation": forms.Textarea(attrs={"rows": 3, "cols": 50}),
            "explanation_ru": forms.Textarea(attrs={"rows": 3, "cols": 50}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["rules_tested"].initial = list(self.instance.rules.all())

    def clean(self):
        cleaned_data = super().clean()
        for problem in self._published_quiz_problems(cleaned_data):
            self.add_error(None, problem)
        return cleaned_data

    def _published_quiz_problems(self, cleaned_data) -> list[str]:
        """Would the new status, category or rules leave a published quiz unable to
        assemble its questions?"""
        question = self.instance
        status, category = cleaned_data.get("status"), cleaned_data.get("category")
        rules = cleaned_data.get("rules_tested")
        if question.pk is None or status is None or category is None or rules is None:
            return []  # a new question is in no quiz; field errors come first
        # as stored: __init__ loaded them as the field's initial value
        stored_rules = {rule.pk for rule in self.fields["rules_tested"].initial}
        if (status, category.pk, {rule.pk for rule in rules}) == (
            question.status,
            question.category_id,
            stored_rules,
        ):
            return []  # texts and choices only: what quizzes draw is unchanged

        def change() -> None:
            Question.objects.filter(pk=question.pk).update(
                status=status, category=category
            )
            QuestionRule.objects.filter(question=question).exclude(
                rule__in=rules
            ).delete()
            QuestionRule.objects.bulk_create(
                [QuestionRule(question=question, rule=rule) for rule in rules],
                ignore_conflicts=True,
            )

        return bank_change_problems(
            [question],
            change,
            category_ids=[category.pk],
            rule_ids=[rule.pk for rule in rules],
        )


class ImportForm(forms.Form):
    format = forms.ChoiceField(choices=list(FORMATS.items()), label=_("Format"))
    language = forms.ChoiceField(
        choices=INTERCHANGE_LANGUAGES,
        initial=SOURCE_LANGUAGE,
        required=False,  # none said: the English, as before the choice existed
        label=_("Language of the texts"),
        help_text=_(
            "English: the file's questions are added as drafts. Russian: the file "
            "is a translation; each question gets the Russian texts of the file's "
            "question with its ID number, and nothing is created."
        ),
    )
    category = forms.CharField(
        label=_("Default category"),
        required=False,
        max_length=120,
        help_text=_("For questions the file does not place in a category."),
    )
    upload = forms.FileField(label=_("File"), required=False)
    pasted = forms.CharField(
        label=_("…or paste the questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
    )
    # The uploaded file's name, kept through the confirmation step (which posts
    # the file's text) for the audit log.
    source_name = forms.CharField(
        required=False, max_length=255, widget=forms.HiddenInput
    )

    def clean(self):
        data = super().clean()
        if not data.get("upload") and not (data.get("pasted") or "").strip():
            raise ValidationError(_("Choose a file or paste the questions."))
        return data

    def text(self) -> str:
        upload = self.cleaned_data.get("upload")
        if upload:
            # Refuse a large file before reading it into memory.
            ensure_import_size(upload.size)
            return decode_upload(upload.read())
        return self.cleaned_data["pasted"]

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or SOURCE_LANGUAGE

    @property
    def translating(self) -> bool:
        return self.cleaned_data["language"] != SOURCE_LANGUAGE

    def plan(self):
        """What importing the file would create (or, for a translation, change),
        or ImportRefusedError saying why nothing can be (a parse error names its
        line)."""
        try:
            self.read_text = self.text()
            if self.translating:
                return translation_plan(
                    text=self.read_text,
                    fmt=self.cleaned_data["format"],
                    language=self.cleaned_data["language"],
                )
            return import_plan(
                text=self.read_text,
                fmt=self.cleaned_data["format"],
                default_category=self.cleaned_data["category"],
            )
        except FormatError as exc:
            raise ImportRefusedError(
                _("Nothing was imported. %(problem)s") % {"problem": exc}
            ) from exc

    def to_confirm(self) -> "ImportForm":
        """The same import again, as text, for the confirmation step."""
        return ImportForm(
            initial={
                "format": self.cleaned_data["format"],
                "language": self.cleaned_data["language"],
                "category": self.cleaned_data["category"],
                "pasted": self.read_text,
                "source_name": self.file_name(),
            }
        )

    def file_name(self) -> str:
        """The name of the file imported, or "" for pasted questions."""
        upload = self.cleaned_data.get("upload")
        return upload.name if upload else self.cleaned_data.get("source_name", "")

    def log_messages(self, n_questions: int) -> tuple[str, str]:
        """What the audit log says of each question, and of each category, the
        import created: which file (or pasted text), which format, how many."""
        name = self.file_name()
        source = f"“{name}”" if name else _("pasted text")
        values = {
            "source": source,
            "format": FORMATS[self.cleaned_data["format"]],
            "n": n_questions,
        }
        question = ngettext(
            "Imported from %(source)s (%(format)s; %(n)d question in this import).",
            "Imported from %(source)s (%(format)s; %(n)d questions in this import).",
            n_questions,
        )
        category = _("Created by an import from %(source)s (%(format)s).")
        return question % values, category % values

    def translation_log_message(self) -> str:
        """What the audit log says of each question and category a translation
        import changed."""
        name = self.file_name()
        return _("Russian texts imported from %(source)s (%(format)s).") % {
            "source": f"“{name}”" if name else _("pasted text"),
            "format": FORMATS[self.cleaned_data["format"]],
        }


class ExportActionForm(ActionForm):
    """The changelist's action bar, with the language the export actions write."""

    language = forms.ChoiceField(
        choices=INTERCHANGE_LANGUAGES,
        initial=SOURCE_LANGUAGE,
        required=False,
        label=_("Export in:"),
    )


def import_summary(report) -> str:
    """What an import created, for the message after it."""
    return ngettext(
        "%(n)d question imported as a draft (%(types)s); "
        "%(skipped)d skipped. Review and publish it.",
        "%(n)d questions imported as drafts (%(types)s); "
        "%(skipped)d skipped. Review and publish them.",
        len(report.created),
    ) % {
        "n": len(report.created),
        "types": ", ".join(f"{n} {t}" for t, n in sorted(report.by_type.items()))
        or "-",
        "skipped": report.skipped,
    }


class CriticalFilter(admin.SimpleListFilter):
    title = _("safety-critical")
    parameter_name = "critical"

    def lookups(self, request, model_admin):
        return [("yes", _("Tests a critical rule")), ("no", _("No critical rule"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_critical=True)
        if self.value() == "no":
            return queryset.filter(is_critical=False)
        return queryset


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline]
    # What an instructor scans for first comes first, so it stays in view at
    # 1280 px beside the navigation and the filters (tests/browser/
    # test_admin_layout.py); the rest wraps. Category and rules are filters too.
    list_display = [
        "id",
        "__str__",
        "type_label",
        "status",
        "critical_flag",
        "facility",
        "discrimination",
        "category",
        "rule_codes",
        "preview_link",
    ]
    list_display_links = ["id", "__str__"]
    list_filter = ["qtype", "status", "category", CriticalFilter, "rules"]
    search_fields = ["stem", "stem_ru", "title", "idnumber", "choices__text"]
    list_select_related = ["category", "author"]
    list_per_page = 50
    readonly_fields = ["author", "created_at", "updated_at", "published_at"]
    actions = [
        "publish_selected",
        "unpublish_selected",
        "export_gift",
        "export_xml",
        "export_aiken",
    ]
    change_list_template = "admin/questions/question/change_list.html"
    action_form = ExportActionForm
    fieldsets = [
        (None, {"fields": ["title", "idnumber", "qtype", "category", "status"]}),
        (
            _("Question"),
            {
                # The English and the Russian text side by side.
                "fields": [
                    ("stem", "stem_ru"),
                    ("explanation", "explanation_ru"),
                    "rules_tested",
                ]
            },
        ),
        (
            _("History"),
            {
                "classes": ["collapse"],
                "fields": ["author", "created_at", "updated_at", "published_at"],
            },
        ),
    ]

    def get_queryset(self, request):
        return Question.objects.for_admin_list()

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # One grouped query for the questions on this page.
        stats = question_item_statistics([q.pk for q in changelist.result_list])
        for question in changelist.result_list:
            question.item_stats = stats.get(question.pk)
        return changelist

    @admin.display(description=_("facility"))
    def facility(self, obj) -> str:
        stats = getattr(obj, "item_stats", None)
        return (
            "-" if not stats or stats[1] is None else f"{stats[1]:.0f}% (n={stats[0]})"
        )

    # Pooled over every quiz that asked the question, so not Moodle's per-quiz
    # index: the note above the list says so (a header that long pushed the
    # columns out of view); the question statistics report gives it per quiz.
    @admin.display(description=_("discrimination"))
    def discrimination(self, obj) -> str:
        stats = getattr(obj, "item_stats", None)
        return "-" if not stats or stats[2] is None else f"{stats[2]:.0f}%"

    @admin.display(description=_("type"), ordering="qtype")
    def type_label(self, obj: Question) -> str:
        # Short labels keep the list readable; the form shows the full ones.
        return {
            "single": _("One answer"),
            "multiple": _("Several answers"),
            "true_false": _("True/false"),
        }.get(obj.qtype, obj.qtype)

    @admin.display(description=_("rules"))
    def rule_codes(self, obj: Question) -> str:
        # One code a line: a code breaks at its hyphens only when it must.
        codes = [(rule.code,) for rule in obj.rules.all()]
        return format_html_join(mark_safe("<br>"), "{}", codes) or "-"

    @admin.display(description=_("critical"), boolean=True, ordering="is_critical")
    def critical_flag(self, obj: Question) -> bool:
        return obj.is_critical

    @admin.display(description=_("preview"))
    def preview_link(self, obj: Question) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:questions_question_preview", args=[obj.pk]),
            _("Preview"),
        )

    def get_deleted_objects(self, objs, request):
        """Django's list of what a delete takes, plus the published quizzes it would
        leave unable to assemble (a draw run short): those refuse the delete, as
        protected objects do. Deleting takes questions out of the draws as
        retiring does, so that is what is tried."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        ids = [question.pk for question in objs]
        problems = bank_change_problems(
            list(objs),
            lambda: Question.objects.filter(pk__in=ids).update(
                status=QuestionStatus.DRAFT
            ),
        )
        return deleted, counts, perms_needed, [*protected, *problems]

    def save_model(self, request, obj: Question, form, change: bool) -> None:
        if obj.author_id is None:
            obj.author = request.user
        if form.initial.get("status") != QuestionStatus.PUBLISHED:
            # Not published yet: stored as a draft until its choices and rules are
            # saved too; save_related then publishes it through the service.
            obj.status = QuestionStatus.DRAFT
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        question = form.instance
        question.rules.set(form.cleaned_data.get("rules_tested") or [])
        if form.cleaned_data.get("status") == QuestionStatus.PUBLISHED:
            # The formset checked the submitted data; the service checks what was
            # saved, inside the admin's transaction.
            form.instance = question_publish(question=question)

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="questions_question_preview",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="questions_question_import",
            ),
        ]
        return custom + urls

    def preview_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        question = get_object_or_404(
            Question.objects.select_related("category").prefetch_related(
                "choices", "rules"
            ),
            pk=pk,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "question": question,
            "problems": question.publication_problems(),
            "title": _("Preview: %(question)s") % {"question": question},
        }
        return TemplateResponse(request, "questions/question_preview.html", context)

    def import_view(self, request):
        """Upload or paste, see what would be created and skipped, then confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method != "POST":
            return self._import_page(request, form)
        if not form.is_valid():
            return self._import_page(request, form, status=400)
        if form.translating and not self.has_change_permission(request):
            raise PermissionDenied  # a translation changes questions, published too
        try:
            plan = form.plan()
        except ImportRefusedError as exc:
            return self._import_page(request, form, error=str(exc), status=400)
        if "confirm" not in request.POST or (form.translating and not plan.ok):
            return self._import_page(
                request,
                form.to_confirm(),
                plan=plan,
                status=400 if form.translating and not plan.ok else 200,
            )
        if form.translating:
            return self._import_translation(request, form, plan)
        report = questions_import(plan=plan, author=request.user)
        self._log_import(request, report, form)
        self.message_user(request, import_summary(report), messages.SUCCESS)
        return redirect(
            reverse("admin:questions_question_changelist") + "?status__exact=draft"
        )

    def _import_translation(self, request, form, plan):
        """Write a translation the instructor confirmed, and log each change."""
        changed = translation_import(plan=plan)
        message = form.translation_log_message()
        for objects in [changed, list(plan.category_names)]:
            if objects:
                LogEntry.objects.log_actions(
                    user_id=request.user.pk,
                    queryset=objects,
                    action_flag=CHANGE,
                    change_message=message,
                )
        self.message_user(
            request,
            ngettext(
                "Russian texts imported: %(n)d question changed, %(same)d unchanged.",
                "Russian texts imported: %(n)d questions changed, %(same)d unchanged.",
                len(changed),
            )
            % {"n": len(changed), "same": len(plan.items) - len(changed)},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:questions_question_changelist"))

    def _log_import(self, request, report, form) -> None:
        """An ADDITION in the audit log for each question and category created."""
        question_message, category_message = form.log_messages(len(report.created))
        for objects, message in [
            (report.created, question_message),
            (report.categories_created, category_message),
        ]:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=objects,
                action_flag=ADDITION,
                change_message=message,
            )

    def _import_page(self, request, form, *, plan=None, error="", status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import questions"),
            "form": form,
            "plan": plan,
            "translating": isinstance(plan, TranslationPlan),
            "error": error,
        }
        return TemplateResponse(
            request, "admin/questions/question/import.html", context, status=status
        )

    def _export(self, request, queryset, fmt: str):
        # The action bar's form is valid when an action runs (Django checks it).
        language = bank_language(request.POST.get("language"))
        result = questions_export(questions=queryset, fmt=fmt, language=language)
        for line in result.left_out:
            self.message_user(
                request, _("Left out: %(q)s") % {"q": line}, messages.WARNING
            )
        if result.in_english:
            self.message_user(
                request,
                _("Written in English, having no Russian translation: %(q)s.")
                % {"q": ", ".join(result.in_english)},
                messages.WARNING,
            )
        if not result.text:
            self.message_user(
                request, _("Nothing to export in this format."), messages.WARNING
            )
            return None
        response = HttpResponse(result.text, content_type=MEDIA_TYPES[fmt])
        response["Content-Disposition"] = attachment_header(
            "rulewise-questions."
            + ("" if language == SOURCE_LANGUAGE else f"{language}.")
            + EXTENSIONS[fmt]
        )
        return response

    @admin.action(description=_("Export selected as GIFT"), permissions=["view"])
    def export_gift(self, request, queryset):
        return self._export(request, queryset, "gift")

    @admin.action(description=_("Export selected as Moodle XML"), permissions=["view"])
    def export_xml(self, request, queryset):
        return self._export(request, queryset, "xml")

    @admin.action(description=_("Export selected as Aiken"), permissions=["view"])
    def export_aiken(self, request, queryset):
        return self._export(request, queryset, "aiken")

    @admin.action(description=_("Publish selected questions"), permissions=["change"])
    def publish_selected(self, request, queryset) -> None:
        result = questions_publish(questions=list(queryset))
        for question in result.changed:
            self.log_change(request, question, _("Published (bulk action)."))
        self._report(
            request,
            result,
            lambda n: ngettext(
                "%(n)d question published.", "%(n)d questions published.", n
            ),
            _("Not published:"),
        )

    @admin.action(
        description=_("Retire selected questions to draft"), permissions=["change"]
    )
    def unpublish_selected(self, request, queryset) -> None:
        result = questions_unpublish(questions=list(queryset))
        for question in result.changed:
            self.log_change(request, question, _("Retired to draft (bulk action)."))
        self._report(
            request,
            result,
            lambda n: ngettext(
                "%(n)d question retired to draft.",
                "%(n)d questions retired to draft.",
                n,
            ),
            _("Not retired:"),
        )

    def _report(self, request, result, done, refused) -> None:
        """`done(n)`: the whole sentence for n questions changed (each language
        agrees the verb with the number its own way)."""
        if result.changed:
            self.message_user(
                request,
                done(len(result.changed)) % {"n": len(result.changed)},
                messages.SUCCESS,
            )
        if result.unchanged:
            self.message_user(
                request,
                ngettext(
                    "%(n)d question was already in that state.",
                    "%(n)d questions were already in that state.",
                    len(result.unchanged),
                )
                % {"n": len(result.unchanged)},
                messages.INFO,
            )
        for question, problems in result.failed:
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>: {}',
                    refused,
                    reverse("admin:questions_question_change", args=[question.pk]),
                    str(question),
                    format_html_join(" ", "{}", ((problem,) for problem in problems)),
                ),
                messages.ERROR,
            )
