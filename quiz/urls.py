from django.urls import path

from quiz import views, views_certificates

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
]
