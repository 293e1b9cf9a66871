"""The papers-per-month plot of the site's index: an inline SVG, seen without a script.

One bar per month from the topic's first paper to the site's date, drawn as a single
path so that decades of months stay a few kilobytes, over labelled axes read without
hovering: the first and last months under the bars, 0 and the most papers in a month
beside them. Its `<title>` and `aria-label` say in words what it shows, for a screen
reader and a pointer's tooltip (an image's labels are not read out one by one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from markupsafe import Markup, escape

WIDTH = 240
HEIGHT = 72
"""The plot's size in its own units: at the index's 15rem (240 px) a unit is a pixel."""
FONT = 11
"""The labels' size in those units: 11 px on a wide screen, larger on a phone's full width."""
TOP = 6
BASE = HEIGHT - 16
"""The bars stand on `BASE`, the tallest reaching `TOP`; the months' labels go below."""
DIGIT = 6.5
"""About the width of a digit at `FONT` in a system font: the counts' column is sized by it."""


def months(first: date, last: date) -> list[str]:
    """Every month from `first` to `last`, both included, as `YYYY-MM`."""
    found = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def per_month(published: Iterable[date], *, until: date) -> dict[str, int]:
    """Papers per month (`YYYY-MM`), every month up to `until` present, none before the first."""
    counts = Counter(f"{d.year:04d}-{d.month:02d}" for d in published)
    if not counts:
        return {}
    first = date.fromisoformat(min(counts) + "-01")
    return {m: counts.get(m, 0) for m in months(first, max(until, first))}


def svg(counts: dict[str, int], *, label: str) -> Markup:
    """The bars of `counts` (from `per_month`) as an inline SVG element, with its axes.

    Args:
        counts: papers per month, oldest first.
        label: what is plotted, such as the topic's name.
    """
    if not counts:
        return Markup("")
    first, last = next(iter(counts)), next(reversed(counts))
    peak_month = max(counts, key=lambda m: (counts[m], m))
    peak = counts[peak_month]
    words = (
        f"{label}: papers per month, {first} to {last}; "
        f"most {peak:,} in {peak_month}, {counts[last]:,} in the last month"
    )
    left = len(f"{peak:,}") * DIGIT + 6  # the widest count, right-aligned, and a gap
    return Markup(
        '<svg class="plot" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{words}"><title>{words}</title>'
        '<path fill="currentColor" d="{d}"/>{axes}</svg>'
    ).format(
        w=WIDTH,
        h=HEIGHT,
        words=escape(words),
        d=_bars(counts, left),
        axes=_axes(left, peak, first, last),
    )


def _bars(counts: dict[str, int], left: float) -> str:
    """One path of a bar per month with papers, from `left` to the plot's right edge."""
    peak = max(counts.values())
    step = (WIDTH - left) / len(counts)
    bars = []
    for index, count in enumerate(counts.values()):
        if count:
            height = max(1.0, (BASE - TOP) * count / peak)
            x = left + index * step
            bars.append(f"M{x:.2f} {BASE - height:.2f}h{max(step - 0.4, 0.6):.2f}V{BASE}H{x:.2f}z")
    return "".join(bars)


def _axes(left: float, peak: int, first: str, last: str) -> Markup:
    """The axes' lines and labels: counts 0 and `peak` at the left, months `first` and
    `last` (one label when they are the same month) below."""
    months_shown = Markup('<text x="{x}" y="{y}">{m}</text>').format(
        x=f"{left:.2f}", y=HEIGHT - 3, m=first
    )
    if last != first:
        months_shown += Markup('<text x="{x}" y="{y}" text-anchor="end">{m}</text>').format(
            x=WIDTH, y=HEIGHT - 3, m=last
        )
    return Markup(
        '<path class="axis" fill="none" stroke="currentColor" d="M{x} {top}V{base}H{w}"/>'
        '<g class="labels" fill="currentColor" font-size="{font}">'
        '<text x="{tx}" y="{peak_y}" text-anchor="end">{peak}</text>'
        '<text x="{tx}" y="{base}" text-anchor="end">0</text>{months}</g>'
    ).format(
        x=f"{left - 0.5:.2f}",
        top=TOP,
        base=BASE,
        w=WIDTH,
        font=FONT,
        tx=f"{left - 4:.2f}",
        peak_y=TOP + FONT - 2,  # the label's top at the tallest bar's
        peak=f"{peak:,}",
        months=months_shown,
    )
