from django.urls import path

from quiz import views
from quiz.attempts import views as attempt_views
from quiz.certificates import views as certificate_views
from quiz.practice import views as practice_views
from quiz.programme import views as programme_views
from quiz.reports import views as report_views

app_name = "quiz"

urlpatterns = [
    path("", views.home, name="home"),
    path("quizzes/", views.quiz_list, name="quiz-list"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz-detail"),
    path("quizzes/<slug:slug>/start/", views.quiz_start, name="quiz-start"),
    path("attempts/", attempt_views.attempt_history, name="attempt-history"),
    path("attempts/<int:pk>/", attempt_views.attempt_detail, name="attempt-detail"),
    path(
        "attempts/<int:pk>/submit/",
        attempt_views.attempt_submit_view,
        name="attempt-submit",
    ),
    path(
        "attempts/<int:pk>/result/",
        attempt_views.attempt_result,
        name="attempt-result",
    ),
    path("certificates/", certificate_views.certificate_list, name="certificate-list"),
    path(
        "certificates/verify/",
        certificate_views.certificate_verify_form,
        name="certificate-verify-form",
    ),
    path(
        "certificates/verify/<str:code>/",
        certificate_views.certificate_verify,
        name="certificate-verify",
    ),
    path(
        "certificates/<str:code>/pdf/",
        certificate_views.certificate_pdf,
        name="certificate-pdf",
    ),
    path("reports/", report_views.reports_index, name="reports"),
    path("reports/cohorts/<int:pk>/", report_views.cohort_report, name="report-cohort"),
    path(
        "reports/trainees/<int:pk>/",
        report_views.trainee_report,
        name="report-trainee",
    ),
    path(
        "reports/trainees/<int:pk>/override/",
        programme_views.override_grant_view,
        name="override-grant",
    ),
    path(
        "reports/trainees/<int:pk>/remind/",
        programme_views.attention_remind_view,
        name="attention-remind",
    ),
    path(
        "reports/attempts/<int:pk>/",
        report_views.attempt_review,
        name="report-attempt",
    ),
    path("reports/attention/", report_views.attention, name="report-attention"),
    path("rules/", practice_views.rule_list, name="rule-list"),
    path("rules/<str:code>/", practice_views.rule_detail, name="rule-detail"),
    path("practice/", practice_views.practice_home, name="practice"),
    path(
        "practice/rules/<str:code>/",
        practice_views.practice_rule,
        name="practice-rule",
    ),
    path(
        "practice/questions/<int:pk>/",
        practice_views.practice_item,
        name="practice-item",
    ),
    path(
        "practice/sessions/<int:pk>/next/",
        practice_views.practice_next,
        name="practice-next",
    ),
    path(
        "practice/sessions/<int:pk>/end/",
        practice_views.practice_end,
        name="practice-end",
    ),
    path("reports/questions/", report_views.question_stats, name="report-questions"),
]
