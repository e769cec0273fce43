"""Bar charts as inline SVG: the same markup in the console page, the HTML file and the
PDF (WeasyPrint draws SVG), with no chart library and no script. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

WIDTH = 640
BAR_H = 22
GAP = 8
LABEL_W = 170
VALUE_W = 90
COLORS = ("#1f5fa8", "#3f7fc4", "#6a9fd6", "#94bde6", "#bcd6f0")
ALERT = "#c0392b"


def bar_chart(
    title: str,
    items: Sequence[tuple[str, float | int | Decimal, str]],
    *,
    alert_at: float | None = None,
    chart_id: str = "chart",
) -> str:
    """Horizontal bars: (label, value, shown value text) per item, longest bar = the
    largest value. Bars whose value exceeds ``alert_at`` are drawn in the alert colour,
    with a dashed line at the threshold."""
    top = 28
    height = top + max(1, len(items)) * (BAR_H + GAP) + 8
    span = WIDTH - LABEL_W - VALUE_W
    biggest = max([float(v) for _, v, _ in items] + [alert_at or 0.0, 1e-9])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="chart" '
        f'role="img" aria-label="{escape(title)}" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, '
        f'sans-serif" font-size="13">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="0" y="{top + 14}" fill="#666">—</text>')
    for i, (label, value, shown) in enumerate(items):
        y = top + i * (BAR_H + GAP)
        w = max(1.0, span * float(value) / biggest) if float(value) > 0 else 0.0
        over = alert_at is not None and float(value) > alert_at
        color = ALERT if over else COLORS[min(i, len(COLORS) - 1)]
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR_H - 6}" text-anchor="end">{escape(label)}</text>'
        )
        parts.append(
            f'<rect class="bar" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" '
            f'fill="{color}"><title>{escape(label)} {escape(shown)}</title></rect>'
        )
        parts.append(f'<text x="{LABEL_W + w + 6:.1f}" y="{y + BAR_H - 6}">{escape(shown)}</text>')
    if alert_at is not None and items:
        x = LABEL_W + span * alert_at / biggest
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 4}" '
            f'stroke="{ALERT}" stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
