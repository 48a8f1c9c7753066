"""Small server-rendered SVG charts: readable at a glance, accessible, no JavaScript.

Each chart is an <svg role="img"> with a <title> and a <desc> that says in words
what it shows; pages also give the numbers in a table next to it.

The drawings have no viewBox, so nothing is scaled: one user unit is one CSS
pixel and text keeps its size (12 px or more) on a phone and on a desktop.
Vertical positions are in pixels (a chart is as tall as its rows need); horizontal
ones in percent of the chart's width, so bars and time axes stretch with the page
while labels do not. Labels are wrapped on the server to a length that fits the
narrowest card (about 300 px at 375 px), never cut.
"""

import textwrap
from collections.abc import Sequence
from datetime import datetime

from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quiz.rounding import whole_percent


def _escape(value):
    return value if isinstance(value, int | float) else conditional_escape(value)


def format_html(template: str, *args, **kwargs) -> SafeString:
    """Like Django's format_html, but numbers keep their format specs (e.g. {:.1f})."""
    return mark_safe(
        template.format(
            *map(_escape, args),
            **{key: _escape(value) for key, value in kwargs.items()},
        )
    )


TEAL = "#0f5f5c"
RED = "#b02a37"
GREY = "#5c6b6b"
INK = "#263232"
TRACK = "#e6ecec"
PALETTE = ["#0f5f5c", "#9a5b00", "#4b3f99", "#b02a37", "#2f6f2f", "#5c5c5c"]

# Text sizes in CSS pixels (never scaled: see the module's docstring).
TEXT_PX = 13  # labels and values
SMALL_PX = 12  # axes and notes
LINE_PX = 17  # one line of a wrapped label
# Characters per line of a label. At 13 px the widest common sans-serif (DejaVu
# Sans) needs about 9 px for a capital, 7 for a lower-case letter; 30 of them plus
# a value ("100%") fit the ~300 px a chart has in a card on a 375 px phone.
LABEL_CHARS = 30
LEGEND_CHARS = 36
# Markers for the lines of the score chart: a shape as well as a colour, so that
# the lines tell apart without colour vision (paths around the point 0,0).
MARKERS = [
    '<circle r="4.5"/>',
    '<path d="M-4-4h8v8h-8z"/>',
    '<path d="M0-5.5 5.5 0 0 5.5-5.5 0z"/>',
    '<path d="M0-5.5 5 4h-10z"/>',
]


def wrap(label: str, width: int = LABEL_CHARS) -> list[str]:
    """A label in lines of at most `width` characters (long words are broken)."""
    return textwrap.wrap(label, width, break_on_hyphens=True) or [""]


def _lines(lines: Sequence[str], *, x: str, y: float, size: int = TEXT_PX) -> str:
    """One <text> of several lines (<tspan>s), the first baseline at y."""
    spans = "".join(
        format_html(
            '<tspan x="{}" dy="{}">{}</tspan>', x, 0 if i == 0 else LINE_PX, line
        )
        for i, line in enumerate(lines)
    )
    return format_html(
        '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
        x,
        y,
        size,
        INK,
        mark_safe(spans),
    )


def _svg(
    height: float,
    title: str,
    desc: str,
    body: str,
    uid: str,
    kind: str,
) -> SafeString:
    return format_html(
        '<svg class="rw-chart" data-chart="{kind}" id="{uid}" width="100%" height="{h}" '
        'role="img" aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{uid}-t">{title}</title><desc id="{uid}-d">{desc}</desc>{body}</svg>',
        kind=kind,
        h=round(height),
        uid=uid,
        title=title,
        desc=desc,
        body=mark_safe(body),
    )


def bar_chart(
    bars: Sequence[tuple[str, float | None, bool]],
    *,
    title: str,
    uid: str,
    threshold: float | None = None,
    threshold_label: str | None = None,
    flagged_label: str | None = None,
    empty: str | None = None,
) -> SafeString:
    """Horizontal bars of percentages, each under its label (wrapped, never cut).

    Flagged bars are red (and say `flagged_label` in the description); `threshold`
    marks a value on every bar, explained under the chart by `threshold_label`; a
    bar without a value says `empty`."""
    empty = empty or _("no answers yet")
    parts = []
    described = []
    top = 4.0
    for label, value, flagged in bars:
        lines = wrap(label)
        # 2 px in: a capital's ink may start left of its box (DejaVu's "T").
        parts.append(_lines(lines, x="2", y=top + TEXT_PX))
        bar_y = top + len(lines) * LINE_PX + 2
        if value is None:
            parts.append(
                format_html(
                    '<text x="2" y="{}" font-size="{}" fill="{}">{}</text>',
                    bar_y + SMALL_PX,
                    SMALL_PX,
                    GREY,
                    empty,
                )
            )
            described.append(f"{label}: {empty}")
        else:
            shown = whole_percent(value)
            parts.append(
                format_html(
                    '<text x="100%" y="{}" font-size="{}" font-weight="600" '
                    'text-anchor="end" fill="{}">{}%</text>'
                    '<rect x="0" y="{}" width="100%" height="14" rx="2" fill="{}"/>'
                    '<rect x="0" y="{}" width="{:.1f}%" height="14" rx="2" fill="{}"/>',
                    top + TEXT_PX,
                    TEXT_PX,
                    INK,
                    shown,
                    bar_y,
                    TRACK,
                    bar_y,
                    max(0.0, min(100.0, value)),
                    RED if flagged else TEAL,
                )
            )
            if threshold is not None:
                parts.append(
                    format_html(
                        '<line x1="{x:.1f}%" y1="{y1}" x2="{x:.1f}%" y2="{y2}" '
                        'stroke="{c}" stroke-width="2"/>',
                        x=threshold,
                        y1=bar_y - 3,
                        y2=bar_y + 17,
                        c=INK,
                    )
                )
            described.append(
                f"{label}: {shown}%"
                + (f" ({flagged_label})" if flagged and flagged_label else "")
            )
        top = bar_y + 14 + 14
    if threshold is not None and threshold_label and bars:
        # The note's mark ends where the threshold is; its words run away from it.
        anchor, dx = ("end", -6) if threshold >= 50 else ("start", 6)
        parts.append(
            format_html(
                '<line x1="{x:.1f}%" y1="{y1}" x2="{x:.1f}%" y2="{y2}" stroke="{c}" '
                'stroke-width="2"/>'
                '<text x="{x:.1f}%" dx="{dx}" y="{ty}" font-size="{s}" '
                'text-anchor="{a}" fill="{c}">{t}</text>',
                x=threshold,
                y1=top - 4,
                y2=top + 12,
                dx=dx,
                ty=top + 9,
                s=SMALL_PX,
                a=anchor,
                c=INK,
                t=threshold_label,
            )
        )
        top += 18
    return _svg(
        top,
        title,
        "; ".join(described) or _("No data."),
        "".join(parts),
        uid,
        "bars",
    )


def histogram(
    bins: Sequence[int], *, title: str, uid: str, pass_mark: float | None = None
) -> SafeString:
    """How many attempts scored in each band of 10% (bins: ten counts)."""
    height, plot_top, plot_h = 210, 40, 140
    base = plot_top + plot_h
    most = max(bins) or 1
    parts = [
        format_html(
            '<line x1="0" y1="{y}" x2="100%" y2="{y}" stroke="{c}"/>', y=base, c=GREY
        )
    ]
    for i, count in enumerate(bins):
        h = plot_h * count / most
        parts.append(
            format_html(
                '<rect x="{:.1f}%" y="{:.1f}" width="8.6%" height="{:.1f}" fill="{}"/>',
                i * 10 + 0.7,
                base - h,
                h,
                TEAL,
            )
        )
        if count:
            parts.append(
                format_html(
                    '<text x="{}%" y="{:.1f}" font-size="{}" text-anchor="middle" '
                    'fill="{}">{}</text>',
                    i * 10 + 5,
                    base - h - 5,
                    SMALL_PX,
                    INK,
                    count,
                )
            )
    # Every other band's edge: ten labels of "90–100" do not fit a phone.
    for edge in range(0, 101, 20):
        anchor = {0: "start", 100: "end"}.get(edge, "middle")
        parts.append(
            format_html(
                '<line x1="{x}%" y1="{y}" x2="{x}%" y2="{y2}" stroke="{c}"/>'
                '<text x="{x}%" y="{ty}" font-size="{s}" text-anchor="{a}" '
                'fill="{ink}">{edge}%</text>',
                x=edge,
                y=base,
                y2=base + 4,
                ty=base + 18,
                s=SMALL_PX,
                a=anchor,
                c=GREY,
                ink=INK,
                edge=edge,
            )
        )
    if pass_mark is not None:
        anchor, dx = ("end", -5) if pass_mark >= 50 else ("start", 5)
        parts.append(
            format_html(
                '<line x1="{x:.1f}%" y1="4" x2="{x:.1f}%" y2="{y}" stroke="{c}" '
                'stroke-width="2" stroke-dasharray="5 3"/>'
                '<text x="{x:.1f}%" dx="{dx}" y="16" font-size="{s}" '
                'text-anchor="{a}" fill="{c}">{t}</text>',
                x=pass_mark,
                y=base,
                dx=dx,
                s=SMALL_PX,
                a=anchor,
                c=RED,
                t=_("pass mark %(mark)s%%") % {"mark": whole_percent(pass_mark)},
            )
        )
    spread = "; ".join(f"{i * 10}-{i * 10 + 10}%: {n}" for i, n in enumerate(bins))
    total = sum(bins)
    desc = (
        ngettext("%(spread)s. %(n)d attempt.", "%(spread)s. %(n)d attempts.", total)
        % {"spread": spread, "n": total}
        if total
        else _("%(spread)s. No attempts.") % {"spread": spread}
    )
    return _svg(height, title, desc, "".join(parts), uid, "histogram")


def _date(moment: datetime) -> str:
    """A day as the tables beside the charts write it, in the site's time zone."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATE_FORMAT")


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[datetime, float]]]],
    *,
    title: str,
    uid: str,
) -> SafeString:
    """Score (0-100%) over time, one line per quiz; the first and last day on the
    time axis, a legend of the quizzes under it."""
    plot_top, plot_h = 12, 150
    base = plot_top + plot_h
    # The y axis' labels take the left 15% (47 px at 375 px: "100%" is 34 px).
    left, right = 15.0, 97.0
    moments = [moment for _, points in series for moment, _ in points]
    parts = [
        format_html(
            '<line x1="{l}%" y1="{b}" x2="100%" y2="{b}" stroke="{c}"/>',
            l=left,
            b=base,
            c=GREY,
        )
    ]
    for tick in (0, 50, 100):
        y = base - plot_h * tick / 100
        parts.append(
            format_html(
                '<line x1="{l}%" y1="{y}" x2="100%" y2="{y}" stroke="{c}" '
                'stroke-dasharray="2 4"/>'
                '<text x="{l}%" dx="-6" y="{ty}" font-size="{s}" text-anchor="end" '
                'fill="{ink}">{t}%</text>',
                l=left,
                y=y,
                ty=y + 4,
                s=SMALL_PX,
                c=GREY,
                ink=INK,
                t=tick,
            )
        )
    defs = "".join(
        format_html('<g id="{}-m{}">{}</g>', uid, i, mark_safe(marker))
        for i, marker in enumerate(MARKERS)
    )
    parts.append(f"<defs>{defs}</defs>")
    described = []
    legend_top = base + 28
    if moments:
        start, end = min(moments), max(moments)
        span = (end - start).total_seconds()

        def x_of(moment: datetime) -> float:
            share = (moment - start).total_seconds() / span if span else 0.5
            return left + (right - left) * share

        first, last = _date(start), _date(end)
        if first == last:
            dates = [(x_of(start), "middle", first)]
        else:
            dates = [(left, "start", first), (right, "end", last)]
        for x, anchor, text in dates:
            parts.append(
                format_html(
                    '<text x="{:.1f}%" y="{}" font-size="{}" text-anchor="{}" '
                    'fill="{}">{}</text>',
                    x,
                    base + 18,
                    SMALL_PX,
                    anchor,
                    INK,
                    text,
                )
            )
        for index, (label, points) in enumerate(series):
            colour = PALETTE[index % len(PALETTE)]
            marker = f"#{uid}-m{index % len(MARKERS)}"
            coords = [
                (x_of(moment), base - plot_h * score / 100) for moment, score in points
            ]
            parts.extend(
                format_html(
                    '<line x1="{:.2f}%" y1="{:.1f}" x2="{:.2f}%" y2="{:.1f}" '
                    'stroke="{}" stroke-width="2"/>',
                    x1,
                    y1,
                    x2,
                    y2,
                    colour,
                )
                for (x1, y1), (x2, y2) in zip(coords, coords[1:], strict=False)
            )
            parts.extend(
                format_html(
                    '<use href="{}" x="{:.2f}%" y="{:.1f}" fill="{}"/>',
                    marker,
                    x,
                    y,
                    colour,
                )
                for x, y in coords
            )
            lines = wrap(label, LEGEND_CHARS)
            parts.append(
                format_html(
                    '<use href="{}" x="7" y="{}" fill="{}"/>',
                    marker,
                    legend_top + 8,
                    colour,
                )
            )
            parts.append(_lines(lines, x="20", y=legend_top + TEXT_PX))
            legend_top += len(lines) * LINE_PX + 6
            described.append(
                f"{label}: "
                + ", ".join(
                    f"{_date(moment)} {whole_percent(score)}%"
                    for moment, score in points
                )
            )
    return _svg(
        legend_top,
        title,
        "; ".join(described) or _("No finished attempts yet."),
        "".join(parts),
        uid,
        "line",
    )


def position_chart(
    positions: Sequence[tuple[int, float | None, float | None, bool]],
    *,
    title: str,
    uid: str,
) -> SafeString:
    """Facility and discrimination index by question position, as Moodle's
    report draws them: two panels of vertical bars sharing the positions (not
    told apart by colour alone: each panel is named). positions: (slot,
    facility %, discrimination %, flagged). The facility panel runs 0-100%, the
    discrimination one -100% to 100% round a zero line; a negative
    discrimination is red and goes down. Position numbers under the bars (every
    fifth when there are more than 10)."""
    left, right = 15.0, 99.0
    n = len(positions)
    step = (right - left) / n if n else 0.0
    bar = step * 0.7
    # Position numbers: all of them up to 10 (two digits need ~15 px, and at
    # 375 px twenty positions have ~12 px each), else 1, 5, 10... and the last.
    every = 1 if n <= 10 else 5
    labelled = [i for i in range(n) if i == 0 or (i + 1) % every == 0]
    if labelled and n - 1 - labelled[-1] >= 3:
        labelled.append(n - 1)
    parts: list[str] = []
    top = 4.0
    described = []

    def panel(name: str, top: float, height: float, lo: int, hi: int, pick) -> float:
        """One panel from `top`, its name above; returns where it ends."""
        parts.append(_lines([name], x="2", y=top + TEXT_PX))
        # Below the name, with room for the top tick's label ("100%").
        top += LINE_PX + 12
        zero = top + height * hi / (hi - lo)
        for tick in sorted({lo, 0, hi}):
            y = top + height * (hi - tick) / (hi - lo)
            parts.append(
                format_html(
                    '<line x1="{l}%" y1="{y:.1f}" x2="100%" y2="{y:.1f}" stroke="{c}" '
                    '{dash}/><text x="{l}%" dx="-6" y="{ty:.1f}" font-size="{s}" '
                    'text-anchor="end" fill="{ink}">{t}%</text>',
                    l=left,
                    y=y,
                    ty=y + 4,
                    c=GREY,
                    dash=mark_safe("" if tick == 0 else 'stroke-dasharray="2 4" '),
                    s=SMALL_PX,
                    ink=INK,
                    t=tick,
                )
            )
        for i, point in enumerate(positions):
            value = pick(point)
            if value is None:
                continue
            clipped = max(lo, min(hi, value))
            h = height * abs(clipped) / (hi - lo)
            parts.append(
                format_html(
                    '<rect x="{:.2f}%" y="{:.1f}" width="{:.2f}%" height="{:.1f}" '
                    'fill="{}"/>',
                    left + i * step + (step - bar) / 2,
                    zero - h if clipped >= 0 else zero,
                    bar,
                    max(h, 1.0),
                    RED if value < 0 or point[3] else TEAL,
                )
            )
        return top + height

    end = panel(_("Facility"), top, 110, 0, 100, lambda p: p[1])
    end = panel(_("Discrimination index"), end + 10, 140, -100, 100, lambda p: p[2])
    for i in labelled:
        slot = positions[i][0]
        parts.append(
            format_html(
                '<text x="{:.2f}%" y="{:.1f}" font-size="{}" text-anchor="middle" '
                'fill="{}">{}</text>',
                left + i * step + step / 2,
                end + 16,
                SMALL_PX,
                INK,
                slot,
            )
        )
    parts.append(
        format_html(
            '<text x="100%" y="{:.1f}" font-size="{}" text-anchor="end" '
            'fill="{}">{}</text>',
            end + 34,
            SMALL_PX,
            GREY,
            _("question position"),
        )
    )
    for slot, facility, discrimination, flagged in positions:
        described.append(
            _("position %(slot)s: facility %(facility)s, discrimination %(disc)s")
            % {
                "slot": slot,
                "facility": "—" if facility is None else f"{whole_percent(facility)}%",
                "disc": "—"
                if discrimination is None
                else f"{whole_percent(discrimination)}%",
            }
            + (f" ({_('flagged')})" if flagged else "")
        )
    return _svg(
        end + 40,
        title,
        "; ".join(described) or _("No data."),
        "".join(parts),
        uid,
        "positions",
    )
