"""End-to-end: a certificate downloaded and verified, a supervisor's reports and CSV."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from quiz.attempts.services import attempt_start, attempt_submit
from quiz.certificates.services import certificate_revoke
from quiz.course import FINAL_EXAM_SLUG
from quiz.models import Certificate, Quiz
from tests.browser.axe import AxeAudit
from tests.browser.test_trainee_flow import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def pass_final_exam(username: str = "trainee") -> Certificate:
    """Pass the final exam through the services (the UI flow has its own test)."""
    trainee = User.objects.get(username=username)
    attempt = attempt_start(quiz=Quiz.objects.get(slug=FINAL_EXAM_SLUG), user=trainee)
    answers = {
        item.position: [c["id"] for c in item.snapshot["choices"] if c["correct"]]
        for item in attempt.items.all()
    }
    attempt_submit(attempt=attempt, user=trainee, answers=answers)
    return Certificate.objects.get(user=trainee)


def test_download_the_certificate_then_verify_it_signed_out(page: Page, demo):
    certificate = pass_final_exam()
    sign_in(page, demo)

    page.goto(f"/attempts/{certificate.attempt_id}/result/")
    expect(page.get_by_role("main")).to_contain_text(
        "You earned a completion certificate."
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    pdf = download.value
    assert (
        pdf.suggested_filename == f"rulewise-certificate-{certificate.display_code}.pdf"
    )
    assert pdf.path().read_bytes()[:5] == b"%PDF-"

    page.goto("/certificates/")
    expect(page.get_by_role("cell", name=certificate.display_code)).to_be_visible()

    # Sign out through the user menu, then check the code as an employer would.
    page.get_by_role("button", name="Ana Costa").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    page.goto("/certificates/verify/")
    page.get_by_label("Certificate code").fill(certificate.display_code.lower())
    page.get_by_role("button", name="Check the certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Valid certificate")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Ana Costa")
    expect(main).to_contain_text("Final exam: safe massage with a cervical hernia")


def fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_verification_at_375_px_valid_expired_revoked(page: Page, demo):
    """A phone-width employer: the link, the form's message, each seal; axe clean."""
    certificate = pass_final_exam()
    url = f"/certificates/verify/{certificate.display_code}/"
    page.set_viewport_size({"width": 375, "height": 740})
    audit = AxeAudit()

    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Verify a certificate").click()
    expect(page).to_have_url(re.compile(r"/certificates/verify/$"))
    page.get_by_label("Certificate code").fill("RW-7KQ4-M2XD-9TPU")
    page.get_by_role("button", name="Check the certificate").click()
    expect(page.get_by_role("main")).to_contain_text(
        "“U” is not used in certificate codes"
    )
    assert fits_the_width(page)
    audit.check(page)

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Valid certificate")
    expect(page.locator(".rw-seal-valid")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Valid until")
    assert fits_the_width(page)
    audit.check(page)

    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=datetime(2024, 1, 1, tzinfo=UTC),
        expires_at=datetime(2025, 3, 4, tzinfo=UTC),
    )
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Expired on 4 March 2025")
    expect(page.locator(".rw-seal-expired")).to_be_visible()
    assert fits_the_width(page)
    audit.check(page)

    certificate.refresh_from_db()
    certificate_revoke(
        certificate=certificate,
        by=User.objects.get(username="instructor"),
        reason="Issued in error",
    )
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoked on")
    expect(page.locator(".rw-seal-revoked")).to_be_visible()
    assert fits_the_width(page)
    audit.check(page)

    assert not audit.failures, "\n\n".join(audit.failures)


def test_supervisor_reads_the_cohort_the_trainee_and_downloads_csv(page: Page, demo):
    pass_final_exam()
    sign_in(page, demo, username="supervisor", name="Sofia Romano")

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Reports"
    ).click()
    page.get_by_role("link", name="Demo cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo cohort")
    row = page.get_by_role("row").filter(has_text="Ana Costa")
    expect(row).to_contain_text("100%")
    expect(page.locator("svg.rw-chart")).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download CSV")).click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["username"] for r in rows] == ["trainee"]
    assert rows[0]["final-exam_passed"] == "yes"
    assert rows[0]["final-exam_certificate"] == "valid"

    row.get_by_role("link", name="Ana Costa").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ana Costa")
    expect(page.get_by_role("heading", name="Rule mastery")).to_be_visible()
    # Scores, the critical rules' mastery, and the other rules' (in a <details>).
    expect(page.locator("svg.rw-chart")).to_have_count(3)
    page.get_by_role(
        "link", name="Final exam: safe massage with a cervical hernia"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passed")
