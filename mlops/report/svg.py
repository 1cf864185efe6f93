"""Small inline SVG charts for the monitoring report: pure functions from numbers to markup.

No plotting library: a report page must open without network access and stay small, and
these charts are a few dozen elements each. ``line_chart`` plots series over ordered
categories (batches, windows) with an optional threshold line; ``reliability_chart`` plots
observed rate against mean predicted probability with the diagonal of perfect calibration.

>>> svg = line_chart("psi", ["2026-01", "2026-02"], [Series("psi", [0.1, 0.3], flagged={1})],
...                  threshold=0.2)
>>> svg.startswith("<svg") and "polyline" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

WIDTH, HEIGHT = 360, 170
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 46, 12, 22, 34
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")
ALERT = "#d62728"
MAX_X_LABELS = 8
CHAR_WIDTH = 5.5  # of a tick label's character at 10px, to keep x labels apart


@dataclass(frozen=True)
class Series:
    """Values over the chart's categories (None: no value there); ``flagged``: indices drawn
    as alerts."""

    name: str
    values: Sequence[float | None]
    flagged: set[int] = field(default_factory=set)


def line_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    threshold: float | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """A line chart of ``series`` over ``categories`` with a dashed ``threshold`` line."""
    values = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    bounds = [*values, *([threshold] if threshold is not None else [])]
    low, high = _range(bounds)
    plot_w, plot_h = width - PAD_LEFT - PAD_RIGHT, height - PAD_TOP - PAD_BOTTOM
    n = max(len(categories), 1)

    def x(i: int) -> float:
        return PAD_LEFT + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return PAD_TOP + plot_h * (1 - (v - low) / (high - low))

    parts = [_open(title, width, height), _axes(width, height, low, high, y)]
    widest = max((len(c) for c in categories), default=1)
    fits = max(1, min(MAX_X_LABELS, int(plot_w // (widest * CHAR_WIDTH + 8))))
    step = max(1, math.ceil(len(categories) / fits))
    for i, label in enumerate(categories):
        if i % step == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - PAD_BOTTOM + 14}" text-anchor="middle" '
                f'class="tick">{escape(label)}</text>'
            )
    if threshold is not None:
        ty = y(threshold)
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{ty:.1f}" x2="{width - PAD_RIGHT}" y2="{ty:.1f}" '
            f'stroke="{ALERT}" stroke-dasharray="4 3" class="threshold"/>'
            f'<text x="{width - PAD_RIGHT}" y="{ty - 3:.1f}" text-anchor="end" class="tick" '
            f'fill="{ALERT}">threshold {threshold:.3g}</text>'
        )
    for k, s in enumerate(series):
        color = COLORS[k % len(COLORS)]
        parts += _series(s, color, x, y)
    if len(series) > 1:
        parts += _legend(series, width)
    parts.append("</svg>")
    return "".join(parts)


def reliability_chart(
    bins: Sequence[tuple[float, float, int]], *, title: str = "reliability", size: int = 220
) -> str:
    """Observed rate against mean predicted probability per bin (``(predicted, observed,
    count)``), point area by count, and the diagonal of perfect calibration."""
    left, top = 36, 22
    inner = size - left - 12

    def px(v: float) -> float:
        return left + inner * v

    def py(v: float) -> float:
        return top + inner * (1 - v)

    parts = [
        _open(title, size, size + 10),
        f'<rect x="{left}" y="{top}" width="{inner}" height="{inner}" fill="none" stroke="#999"/>',
        f'<line x1="{px(0)}" y1="{py(0)}" x2="{px(1)}" y2="{py(1)}" stroke="#999" '
        'stroke-dasharray="4 3"/>',
    ]
    for v in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{px(v):.1f}" y="{py(0) + 13:.1f}" text-anchor="middle" '
            f'class="tick">{v:g}</text>'
            f'<text x="{left - 4}" y="{py(v) + 4:.1f}" text-anchor="end" class="tick">{v:g}</text>'
        )
    total = sum(c for _, _, c in bins) or 1
    points = [(px(p), py(o), c) for p, o, c in bins]
    if points:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{COLORS[0]}"/>')
    for x, y, count in points:
        radius = 2 + 6 * math.sqrt(count / total)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{COLORS[0]}" '
            f'fill-opacity="0.6"><title>{count} predictions</title></circle>'
        )
    parts.append(
        f'<text x="{px(0.5):.1f}" y="{py(0) + 26:.1f}" text-anchor="middle" class="tick">'
        "mean predicted (y: observed rate)</text></svg>"
    )
    return "".join(parts)


def _open(title: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<text x="{PAD_LEFT}" y="14" class="chart-title">{escape(title)}</text>'
    )


def _range(values: Sequence[float]) -> tuple[float, float]:
    if not values:
        return 0.0, 1.0
    low, high = min(0.0, *values), max(values)
    if high <= low:
        high = low + 1.0
    return low, high + (high - low) * 0.08


def _axes(width: int, height: int, low: float, high: float, y: Callable[[float], float]) -> str:
    bottom = height - PAD_BOTTOM
    parts = [
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{bottom}" stroke="#999"/>',
        f'<line x1="{PAD_LEFT}" y1="{bottom}" x2="{width - PAD_RIGHT}" y2="{bottom}" '
        'stroke="#999"/>',
    ]
    for k in range(4):
        v = low + (high - low) * k / 3
        parts.append(
            f'<text x="{PAD_LEFT - 4}" y="{y(v) + 3:.1f}" text-anchor="end" class="tick">'
            f"{v:.3g}</text>"
        )
    return "".join(parts)


def _series(
    s: Series, color: str, x: Callable[[int], float], y: Callable[[float], float]
) -> list[str]:
    parts: list[str] = []
    run: list[str] = []
    for i, v in enumerate([*s.values, None]):
        if v is None or not math.isfinite(v):
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" '
                    'stroke-width="1.5"/>'
                )
            run = []
            continue
        run.append(f"{x(i):.1f},{y(v):.1f}")
    for i, v in enumerate(s.values):
        if v is None or not math.isfinite(v):
            continue
        fill = ALERT if i in s.flagged else color
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{fill}">'
            f"<title>{escape(s.name)} {v:.4g}</title></circle>"
        )
    return parts


def _legend(series: Sequence[Series], width: int) -> list[str]:
    parts = []
    x = width - PAD_RIGHT
    for k, s in reversed(list(enumerate(series))):
        x -= 8 + 6 * len(s.name)
        color = COLORS[k % len(COLORS)]
        parts.append(
            f'<rect x="{x}" y="6" width="8" height="8" fill="{color}"/>'
            f'<text x="{x + 10}" y="14" class="tick">{escape(s.name)}</text>'
        )
    return parts
