"""A server-rendered SVG chart of coverage per month, stacked by tone (no JavaScript)."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from app.press.models import Tone

WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP = 32, 28, 12
# Colors keep 3:1 contrast against the white card and differ in lightness, not hue alone.
COLORS = {Tone.positive: "#1d6b3a", Tone.neutral: "#7a8480", Tone.negative: "#b0400f"}


def coverage_svg(months: list[tuple[date, dict]]) -> Markup:
    """Stacked bars, one per month; a table beside it carries the same numbers in text."""
    peak = max([sum(c.values()) for _, c in months] + [1])
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(months), 1)
    bar = slot * 0.6
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="coverage-chart-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="coverage-chart-title">Coverage per month by tone, last '
        f'{len(months)} months</title>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#5b6663"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11" '
        f'fill="#1d2321">{peak}</text>',
        f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end" font-size="11" '
        'fill="#1d2321">0</text>',
    ]
    for i, (month, counts) in enumerate(months):
        x = LEFT + i * slot + (slot - bar) / 2
        y = HEIGHT - BOTTOM
        for tone in Tone:
            n = counts.get(tone, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{COLORS[tone]}"><title>{escape(month.strftime("%b %Y"))}: {n} '
                f'{tone.value}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
            f'font-size="11" fill="#1d2321">{escape(month.strftime("%b"))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every interpolated value is ours or escaped)
