from django.urls import path

from quiz import views, views_certificates, views_reports

app_name = "quiz"

urlpatterns = [
    path("", views.home, name="home"),
    path("quizzes/", views.quiz_list, name="quiz-list"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz-detail"),
    path("quizzes/<slug:slug>/start/", views.quiz_start, name="quiz-start"),
    path("attempts/", views.attempt_history, name="attempt-history"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt-detail"),
    path("attempts/<int:pk>/submit/", views.attempt_submit_view, name="attempt-submit"),
    path("attempts/<int:pk>/result/", views.attempt_result, name="attempt-result"),
    path("certificates/", views_certificates.certificate_list, name="certificate-list"),
    path(
        "certificates/verify/",
        views_certificates.certificate_verify_form,
        name="certificate-verify-form",
    ),
    path(
        "certificates/verify/<str:code>/",
        views_certificates.certificate_verify,
        name="certificate-verify",
    ),
    path(
        "certificates/<str:code>/pdf/",
        views_certificates.certificate_pdf,
        name="certificate-pdf",
    ),
    path("reports/", views_reports.reports_index, name="reports"),
    path(
        "reports/cohorts/<int:pk>/", views_reports.cohort_report, name="report-cohort"
    ),
    path(
        "reports/trainees/<int:pk>/",
        views_reports.trainee_report,
        name="report-trainee",
    ),
    path(
        "reports/attempts/<int:pk>/",
        views_reports.attempt_review,
        name="report-attempt",
    ),
    path("reports/questions/", views_reports.question_stats, name="report-questions"),
]
