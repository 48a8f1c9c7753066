"""Certificate pages: the holder's list and PDF, and the public verification."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import throttle
from accounts.http import attachment_header, too_many_requests
from accounts.net import client_address
from quiz.certificates.codes import code_problem, normalise_code
from quiz.certificates.pdf import CertificateData, render_certificate
from quiz.certificates.services import verification_url
from quiz.models import Certificate


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    certificates = Certificate.objects.filter(user=request.user).select_related("quiz")
    return render(request, "quiz/certificate_list.html", {"certificates": certificates})


@login_required
@never_cache
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    stored = normalise_code(code)
    if stored is None:
        raise Http404
    # Scoped lookup: anyone who may not download it gets the same 404.
    certificate = get_object_or_404(
        Certificate.objects.visible_to(request.user).select_related("user"),
        code=stored,
    )
    # In the holder's preferred language, else the reader's.
    with translation.override(certificate.user.language or translation.get_language()):
        return _certificate_pdf(certificate)


def _certificate_pdf(certificate: Certificate) -> HttpResponse:
    data = CertificateData(
        holder_name=certificate.holder_name,
        quiz_title=certificate.quiz_title,
        issued_on=timezone.localdate(certificate.issued_at),
        score=f"{number_format(certificate.score.normalize())}%",
        code=certificate.display_code,
        verify_url=verification_url(certificate),
        expires_on=timezone.localdate(certificate.expires_at)
        if certificate.expires_at
        else None,
        revoked_on=timezone.localdate(certificate.revoked_at)
        if certificate.revoked_at
        else None,
    )
    response = HttpResponse(render_certificate(data), content_type="application/pdf")
    response["Content-Disposition"] = attachment_header(
        f"rulewise-certificate-{certificate.display_code}.pdf"
    )
    return response


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Certificate code"),
        max_length=64,
        help_text=_(
            "As printed on the certificate, e.g. RW-7KQ4-M2XD-9TPA-…; dashes and case do not matter."
        ),
    )

    def clean_code(self) -> str:
        problem = code_problem(self.cleaned_data["code"])
        if problem is not None:
            raise forms.ValidationError(problem)
        code = normalise_code(self.cleaned_data["code"])
        assert code is not None  # code_problem said it is a code
        return code


def _throttle_key(request: HttpRequest) -> str:
    return f"verify-miss:{client_address(request)}"


def _throttled(request: HttpRequest) -> bool:
    misses = throttle.hits(
        _throttle_key(request), settings.CERTIFICATE_VERIFY_WINDOW_SECONDS
    )
    return misses >= settings.CERTIFICATE_VERIFY_MAX_MISSES


def _count_miss(request: HttpRequest) -> int:
    """Count a wrong code; the count in this window, this one included."""
    return throttle.hit(
        _throttle_key(request), settings.CERTIFICATE_VERIFY_WINDOW_SECONDS
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return too_many_requests(
        request,
        "quiz/certificate_throttled.html",
        window_seconds=settings.CERTIFICATE_VERIFY_WINDOW_SECONDS,
    )


@require_GET
def certificate_verify_form(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("quiz:certificate-verify", form.cleaned_data["code"])
    status = 400 if form.is_bound else 200
    return render(
        request, "quiz/certificate_verify_form.html", {"form": form}, status=status
    )


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    if _throttled(request):
        return _too_many(request)
    stored = normalise_code(code)
    certificate = (
        Certificate.objects.filter(code=stored)
        .only(
            "code", "holder_name", "quiz_title", "issued_at", "expires_at", "revoked_at"
        )
        .first()
        if stored
        else None
    )
    if certificate is None:
        # Counted before answering: of many wrong codes sent at once, exactly
        # CERTIFICATE_VERIFY_MAX_MISSES are told "not found".
        if _count_miss(request) > settings.CERTIFICATE_VERIFY_MAX_MISSES:
            return _too_many(request)
        return render(
            request,
            "quiz/certificate_verify_missing.html",
            {"form": VerifyForm(initial={"code": code[:64]})},
            status=404,
        )
    return render(request, "quiz/certificate_verify.html", {"certificate": certificate})
