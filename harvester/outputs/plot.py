"""The papers-per-month plot of the site's index: an inline SVG, seen without a script.

One bar per month from the topic's first paper to the site's date, drawn as a single
path so that decades of months stay a few kilobytes; its `<title>` and `aria-label`
say in words what it shows, for a screen reader and a pointer's tooltip.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from markupsafe import Markup, escape

WIDTH = 240
HEIGHT = 40


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
    """The bars of `counts` (from `per_month`) as an inline SVG element.

    Args:
        counts: papers per month, oldest first.
        label: what is plotted, such as the topic's name.
    """
    if not counts:
        return Markup("")
    peak_month = max(counts, key=lambda m: (counts[m], m))
    peak = counts[peak_month]
    span = f"{next(iter(counts))} to {next(reversed(counts))}"
    words = (
        f"{label}: papers per month, {span}; "
        f"most {peak:,} in {peak_month}, {counts[next(reversed(counts))]:,} in the last month"
    )
    step = WIDTH / len(counts)
    bars = []
    for index, count in enumerate(counts.values()):
        if count:
            height = max(1.0, HEIGHT * count / peak)
            bars.append(
                f"M{index * step:.2f} {HEIGHT - height:.2f}h{max(step - 0.4, 0.6):.2f}"
                f"V{HEIGHT}H{index * step:.2f}z"
            )
    return Markup(
        '<svg class="plot" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{words}" preserveAspectRatio="none"><title>{words}</title>'
        '<path fill="currentColor" d="{d}"/></svg>'
    ).format(w=WIDTH, h=HEIGHT, words=escape(words), d="".join(bars))
