"""The certificate as an A4 landscape PDF: plain data in, bytes out (no ORM)."""

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

# Embedded DejaVu fonts: the PDF base fonts only know Latin-1, and trainees are
# called Łukasz, Ольга or Nguyễn. Registered once per process.
FONT_DIR = Path(__file__).resolve().parent / "fonts"
SANS, SANS_BOLD, SERIF_BOLD, SERIF_BOLD_ITALIC = (
    "RW-Sans",
    "RW-Sans-Bold",
    "RW-Serif-Bold",
    "RW-Serif-BoldItalic",
)
for _name, _file in [
    (SANS, "DejaVuSans.ttf"),
    (SANS_BOLD, "DejaVuSans-Bold.ttf"),
    (SERIF_BOLD, "DejaVuSerif-Bold.ttf"),
    (SERIF_BOLD_ITALIC, "DejaVuSerif-BoldItalic.ttf"),
]:
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_name, str(FONT_DIR / _file)))

TEAL = colors.HexColor("#0f5f5c")
TEAL_LIGHT = colors.HexColor("#e6f2f1")
INK = colors.HexColor("#1f2a2a")
MUTED = colors.HexColor("#4b5a5a")
RED = colors.HexColor("#b02a37")


@dataclass(frozen=True)
class CertificateData:
    holder_name: str
    quiz_title: str
    issued_on: date
    score: str
    code: str
    verify_url: str
    expires_on: date | None = None
    revoked_on: date | None = None


def qr_png(url: str) -> bytes:
    """The verification URL as a QR code (PNG), readable by any phone camera."""
    image = qrcode.make(url, error_correction=ERROR_CORRECT_M, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _fit(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest font size up to `size` at which text fits the width."""
    while size > 8 and pdf.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def render_certificate(data: CertificateData) -> bytes:
    """Draw the certificate; a revoked one is marked across the page."""
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Certificate {data.code}")
    pdf.setAuthor("Rulewise")
    pdf.setSubject(data.quiz_title)

    # Frame: a soft band and a double rule.
    pdf.setFillColor(TEAL_LIGHT)
    pdf.rect(0, 0, width, height, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm, stroke=0, fill=1)
    pdf.setStrokeColor(TEAL)
    pdf.setLineWidth(2.5)
    pdf.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(19 * mm, 19 * mm, width - 38 * mm, height - 38 * mm)

    centre = width / 2
    text_width = width - 90 * mm
    pdf.setFillColor(TEAL)
    pdf.setFont(SANS_BOLD, 14)
    pdf.drawCentredString(centre, height - 38 * mm, "RULEWISE")
    pdf.setFont(SERIF_BOLD, 34)
    pdf.setFillColor(INK)
    pdf.drawCentredString(centre, height - 56 * mm, "Certificate of Completion")
    pdf.setFont(SANS, 12)
    pdf.setFillColor(MUTED)
    pdf.drawCentredString(centre, height - 70 * mm, "This certifies that")

    size = _fit(pdf, data.holder_name, SERIF_BOLD_ITALIC, 32, text_width)
    pdf.setFont(SERIF_BOLD_ITALIC, size)
    pdf.setFillColor(TEAL)
    pdf.drawCentredString(centre, height - 86 * mm, data.holder_name)
    pdf.setStrokeColor(TEAL)
    pdf.line(centre - 80 * mm, height - 90 * mm, centre + 80 * mm, height - 90 * mm)

    pdf.setFont(SANS, 12)
    pdf.setFillColor(MUTED)
    pdf.drawCentredString(centre, height - 101 * mm, "has passed")
    size = _fit(pdf, data.quiz_title, SANS_BOLD, 18, text_width)
    pdf.setFont(SANS_BOLD, size)
    pdf.setFillColor(INK)
    pdf.drawCentredString(centre, height - 112 * mm, data.quiz_title)
    pdf.setFont(SANS, 11)
    pdf.setFillColor(MUTED)
    pdf.drawCentredString(
        centre,
        height - 121 * mm,
        "on the safety rules for massage with a cervical disc hernia, "
        "every safety-critical question answered correctly",
    )

    # Details, bottom left.
    left, y = 30 * mm, 58 * mm
    details = [
        ("Date", _date(data.issued_on)),
        ("Score", data.score),
        (
            "Valid until",
            _date(data.expires_on) if data.expires_on else "Does not expire",
        ),
        ("Certificate code", data.code),
    ]
    for label, value in details:
        pdf.setFont(SANS, 9)
        pdf.setFillColor(MUTED)
        pdf.drawString(left, y, label.upper())
        pdf.setFont(SANS_BOLD, 11)
        pdf.setFillColor(INK)
        pdf.drawString(left + 38 * mm, y, value)
        y -= 7 * mm
    pdf.setFont(SANS, 8.5)
    pdf.setFillColor(MUTED)
    pdf.drawString(left, y - 1 * mm, f"Verify at {data.verify_url}")

    # QR code of the verification URL, bottom right.
    qr_size = 38 * mm
    pdf.drawImage(
        ImageReader(io.BytesIO(qr_png(data.verify_url))),
        width - 30 * mm - qr_size,
        26 * mm,
        qr_size,
        qr_size,
    )
    pdf.setFont(SANS, 8)
    pdf.drawCentredString(width - 30 * mm - qr_size / 2, 23 * mm, "Scan to verify")

    if data.revoked_on:
        pdf.saveState()
        pdf.setFillColor(RED)
        pdf.setFillAlpha(0.18)
        pdf.translate(centre, height / 2)
        pdf.rotate(20)
        pdf.setFont(SANS_BOLD, 110)
        pdf.drawCentredString(0, -30, "REVOKED")
        pdf.restoreState()
        pdf.setFillColor(RED)
        pdf.setFont(SANS_BOLD, 12)
        pdf.drawCentredString(
            centre,
            height - 134 * mm,
            f"REVOKED on {_date(data.revoked_on)}: this certificate is not valid.",
        )

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
