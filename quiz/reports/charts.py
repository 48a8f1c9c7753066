"""Small server-rendered SVG charts: readable at a glance, accessible, no JavaScript.

Each chart is an <svg role="img"> with a <title> and a <desc> that says in words
what it shows; pages also give the numbers in a table next to it.
"""

from collections.abc import Sequence
from datetime import datetime

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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
GREY = "#6c7a7a"
PALETTE = ["#0f5f5c", "#9a5b00", "#4b3f99", "#b02a37", "#2f6f2f", "#5c5c5c"]


def _svg(
    width: int, height: int, title: str, desc: str, body: SafeString, uid: str
) -> SafeString:
    return format_html(
        '<svg class="rw-chart" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{uid}-t">{title}</title><desc id="{uid}-d">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        uid=uid,
        title=title,
        desc=desc,
        body=body,
    )


def bar_chart(
    bars: Sequence[tuple[str, float | None, bool]],
    *,
    title: str,
    uid: str,
    threshold: float | None = None,
) -> SafeString:
    """Horizontal bars of percentages; flagged bars in red, a dashed threshold line."""
    row, label_w, bar_w = 26, 300, 300
    height = row * len(bars) + 30
    parts = []
    described = []
    for i, (label, value, flagged) in enumerate(bars):
        y = 10 + i * row
        short = label if len(label) <= 44 else label[:43] + "…"
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#263232">{}</text>',
                label_w - 8,
                y + 14,
                short,
            )
        )
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="16" fill="#e6ecec"/>',
                label_w,
                y + 2,
                bar_w,
            )
        )
        if value is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" fill="{}">no answers yet</text>',
                    label_w + 6,
                    y + 14,
                    GREY,
                )
            )
            described.append(f"{label}: no data")
            continue
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{:.1f}" height="16" fill="{}"/>',
                label_w,
                y + 2,
                bar_w * max(0.0, min(100.0, value)) / 100,
                RED if flagged else TEAL,
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" fill="#263232">{}%</text>',
                label_w + bar_w + 6,
                y + 14,
                whole_percent(value),
            )
        )
        described.append(f"{label}: {whole_percent(value)}%")
    if threshold is not None:
        x = label_w + bar_w * threshold / 100
        parts.append(
            format_html(
                '<line x1="{x}" y1="6" x2="{x}" y2="{y2}" stroke="{c}" stroke-dasharray="4 3"/>'
                '<text x="{x}" y="{ty}" font-size="11" text-anchor="middle" fill="{c}">{t}%</text>',
                x=f"{x:.1f}",
                y2=height - 18,
                ty=height - 4,
                c=GREY,
                t=whole_percent(threshold),
            )
        )
    return _svg(
        label_w + bar_w + 50,
        height,
        title,
        "; ".join(described) or "No data.",
        mark_safe("".join(parts)),
        uid,
    )


def histogram(
    bins: Sequence[int], *, title: str, uid: str, pass_mark: float | None = None
) -> SafeString:
    """How many attempts scored in each band of 10% (bins: ten counts)."""
    width, height, left, bottom = 520, 220, 40, 30
    plot_w, plot_h = width - left - 10, height - bottom - 20
    top = max(bins) or 1
    bar = plot_w / 10
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
            left,
            height - bottom,
            width - 10,
            height - bottom,
            GREY,
        )
    ]
    for i, count in enumerate(bins):
        h = plot_h * count / top
        x = left + i * bar
        parts.append(
            format_html(
                '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"/>',
                x + 2,
                height - bottom - h,
                bar - 4,
                h,
                TEAL,
            )
        )
        if count:
            parts.append(
                format_html(
                    '<text x="{:.1f}" y="{:.1f}" font-size="11" text-anchor="middle" fill="#263232">{}</text>',
                    x + bar / 2,
                    height - bottom - h - 4,
                    count,
                )
            )
        parts.append(
            format_html(
                '<text x="{:.1f}" y="{}" font-size="10" text-anchor="middle" fill="#263232">{}</text>',
                x + bar / 2,
                height - bottom + 14,
                f"{i * 10}–{i * 10 + 10}",
            )
        )
    if pass_mark is not None:
        x = left + plot_w * pass_mark / 100
        parts.append(
            format_html(
                '<line x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{y}" stroke="{c}" stroke-dasharray="4 3"/>'
                '<text x="{x:.1f}" y="10" font-size="10" text-anchor="middle" fill="{c}">pass</text>',
                x=x,
                y=height - bottom,
                c=RED,
            )
        )
    desc = "; ".join(f"{i * 10}-{i * 10 + 10}%: {n}" for i, n in enumerate(bins)) + (
        f". {sum(bins)} attempts." if sum(bins) else " No attempts."
    )
    return _svg(width, height, title, desc, mark_safe("".join(parts)), uid)


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[datetime, float]]]],
    *,
    title: str,
    uid: str,
) -> SafeString:
    """Score (0-100%) over time, one line per quiz."""
    width, height, left, bottom = 560, 240, 40, 30
    plot_w, plot_h = width - left - 150, height - bottom - 20
    moments = [moment for _, points in series for moment, _ in points]
    parts = [
        format_html(
            '<line x1="{l}" y1="10" x2="{l}" y2="{b}" stroke="{c}"/>'
            '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="{c}"/>',
            l=left,
            b=height - bottom,
            r=left + plot_w,
            c=GREY,
        )
    ]
    for tick in (0, 50, 100):
        y = height - bottom - plot_h * tick / 100
        parts.append(
            format_html(
                '<text x="{}" y="{:.1f}" font-size="10" text-anchor="end" fill="#263232">{}%</text>',
                left - 4,
                y + 3,
                tick,
            )
        )
    described = []
    if moments:
        start, end = min(moments), max(moments)
        span = (end - start).total_seconds() or 1.0
        for index, (label, points) in enumerate(series):
            colour = PALETTE[index % len(PALETTE)]
            coords = [
                (
                    left
                    + plot_w
                    * (
                        (moment - start).total_seconds() / span
                        if len(moments) > 1
                        else 0.5
                    ),
                    height - bottom - plot_h * score / 100,
                )
                for moment, score in points
            ]
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
                    " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
                    colour,
                )
            )
            parts.append(
                "".join(
                    format_html(
                        '<circle cx="{:.1f}" cy="{:.1f}" r="3.5" fill="{}"/>',
                        x,
                        y,
                        colour,
                    )
                    for x, y in coords
                )
            )
            ly = 20 + index * 16
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="11" fill="#263232">{}</text>',
                    left + plot_w + 12,
                    ly - 9,
                    colour,
                    left + plot_w + 26,
                    ly,
                    label if len(label) <= 20 else label[:19] + "…",
                )
            )
            described.append(
                f"{label}: "
                + ", ".join(
                    f"{moment:%d %b %Y} {whole_percent(score)}%"
                    for moment, score in points
                )
            )
    return _svg(
        width,
        height,
        title,
        "; ".join(described) or "No finished attempts yet.",
        mark_safe("".join(parts)),
        uid,
    )
