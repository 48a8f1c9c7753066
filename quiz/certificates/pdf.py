"""The certificate as an A4 landscape PDF: plain data in, bytes out (no ORM)."""

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Frame, KeepInFrame, Paragraph
from reportlab.platypus.flowables import HRFlowable

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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


def _one_line_size(
    text: str, font: str, size: float, floor: float, width: float
) -> float:
    """The largest size from `size` down to `floor` at which text fits one line."""
    while size > floor and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _style(name: str, font: str, size: float, color, space_before: float = 0, indent=0):
    return ParagraphStyle(
        name,
        fontName=font,
        fontSize=size,
        leading=size * 1.2,
        alignment=TA_CENTER,
        textColor=color,
        spaceBefore=space_before,
        leftIndent=indent,
        rightIndent=indent,
        splitLongWords=True,  # a 300-letter word still wraps
    )


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads markup: a name like "A & <B>" is printed as it is spelt.
    return Paragraph(escape(text), style)


# The middle block is MIDDLE_WIDTH wide (the description's one line needs it);
# the name and the title keep NAME_INDENT clear on each side within it.
MIDDLE_WIDTH = landscape(A4)[0] - 60 * mm
NAME_INDENT = 15 * mm


def _middle(data: CertificateData, name_size: float, title_size: float):
    """Name, rule, quiz title, description and any revocation: the wrapping part."""
    story: list[Flowable] = [
        _paragraph(
            data.holder_name,
            _style("holder", SERIF_BOLD_ITALIC, name_size, TEAL, indent=NAME_INDENT),
        ),
        HRFlowable(
            width=160 * mm,
            thickness=0.8,
            color=TEAL,
            lineCap="butt",
            spaceBefore=1.5 * mm,
            spaceAfter=6.75 * mm,
        ),
        _paragraph(_("has passed"), _style("passed", SANS, 12, MUTED)),
        _paragraph(
            data.quiz_title,
            _style(
                "title",
                SANS_BOLD,
                title_size,
                INK,
                space_before=3.8 * mm,
                indent=NAME_INDENT,
            ),
        ),
        _paragraph(
            _(
                "on the safety rules for massage with a cervical disc hernia, "
                "every safety-critical question answered correctly"
            ),
            _style("description", SANS, 11, MUTED, space_before=3.85 * mm),
        ),
    ]
    if data.revoked_on:
        story.append(
            _paragraph(
                _("REVOKED on %(date)s: this certificate is not valid.")
                % {"date": _date(data.revoked_on)},
                _style("revoked", SANS_BOLD, 12, RED, space_before=7 * mm),
            )
        )
    return story


def _height(story: list[Flowable], width: float) -> float:
    return sum(
        flowable.wrap(width, 10_000)[1]
        + flowable.getSpaceBefore()
        + flowable.getSpaceAfter()
        for flowable in story
    )


def _fitted_middle(data: CertificateData, width: float, height: float):
    """The middle at the largest type that fits: a name or title that fits one line
    at a smaller size is set on one line; longer ones wrap, then shrink together."""
    line = width - 2 * NAME_INDENT
    name_size = _one_line_size(data.holder_name, SERIF_BOLD_ITALIC, 32, 18, line)
    title_size = _one_line_size(data.quiz_title, SANS_BOLD, 18, 12, line)
    story = _middle(data, name_size, title_size)
    while _height(story, width) > height and name_size > 10:
        name_size, title_size = max(10, name_size - 2), max(9, title_size - 1)
        story = _middle(data, name_size, title_size)
    # Whatever is left over (only in the extremes) is scaled down as a whole.
    return KeepInFrame(
        width, height, story, mode="shrink", hAlign="CENTER", vAlign="TOP"
    )


def _date(value: date) -> str:
    """ "2 December 2026", "2 декабря 2026": the month's name in the active
    language (E: the form a date takes, genitive in Russian)."""
    return date_format(value, "j E Y")


def render_certificate(data: CertificateData) -> bytes:
    """Draw the certificate in the active language (the caller chooses it: the
    holder's); a revoked one is marked across the page."""
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(_("Certificate %(code)s") % {"code": data.code})
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
    pdf.setFillColor(TEAL)
    pdf.setFont(SANS_BOLD, 14)
    pdf.drawCentredString(centre, height - 38 * mm, "RULEWISE")
    pdf.setFont(SERIF_BOLD, 34)
    pdf.setFillColor(INK)
    pdf.drawCentredString(centre, height - 56 * mm, _("Certificate of Completion"))
    pdf.setFont(SANS, 12)
    pdf.setFillColor(MUTED)
    pdf.drawCentredString(centre, height - 70 * mm, _("This certifies that"))

    # The name and the quiz title wrap and shrink to fit between the heading and
    # the details: both may be hundreds of characters long (holder_name, quiz_title).
    top, bottom = height - 74.7 * mm, 68 * mm  # the QR code's top is at 64 mm
    frame = Frame(
        (width - MIDDLE_WIDTH) / 2,
        bottom,
        MIDDLE_WIDTH,
        top - bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    frame.addFromList([_fitted_middle(data, MIDDLE_WIDTH, top - bottom)], pdf)

    # Details, bottom left.
    left, y = 30 * mm, 58 * mm
    details = [
        (_("Date"), _date(data.issued_on)),
        (_("Score"), data.score),
        (
            _("Valid until"),
            _date(data.expires_on) if data.expires_on else _("Does not expire"),
        ),
        (_("Certificate code"), data.code),
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
    pdf.drawString(left, y - 1 * mm, _("Verify at %(url)s") % {"url": data.verify_url})

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
    pdf.drawCentredString(width - 30 * mm - qr_size / 2, 23 * mm, _("Scan to verify"))

    if data.revoked_on:
        pdf.saveState()
        pdf.setFillColor(RED)
        pdf.setFillAlpha(0.18)
        pdf.translate(centre, height / 2)
        pdf.rotate(20)
        pdf.setFont(SANS_BOLD, 110)
        pdf.drawCentredString(0, -30, pgettext("certificate stamp", "REVOKED"))
        pdf.restoreState()

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
