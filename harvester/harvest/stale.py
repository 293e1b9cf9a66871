"""A topic that went silent: is the time since its newest paper plausible for its rate?

A query can stop matching without failing (a renamed category, a typo that still
parses): every run succeeds and finds nothing, which looks exactly like a quiet
week. Each topic's own history tells the two apart.

The test: papers of a topic arrive roughly as a Poisson process. Its rate λ (papers
per day) is estimated from the `published` dates of its papers in the `RATE_DAYS`
days up to its newest one: (n - 1) / span, the n papers marking n - 1 gaps. The
probability of no paper at all in `gap` days is then exp(-λ·gap); a topic is flagged
when that falls below `P_SILENT` (1 in 1,000), i.e. when

    gap > ln(1 / P_SILENT) / λ ≈ 6.9 / λ days,

and never within `MIN_GAP_DAYS` (arXiv announces a submission up to four days late
over weekends and holidays, and real topics come in bursts). A topic with fewer than
`MIN_PAPERS` papers in that period has too little history and is never flagged. A
topic's `stale_after_days` replaces the computed threshold (it still needs one paper
to count from).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

P_SILENT = 0.001
"""Flag a silence whose probability at the topic's rate is below this."""
MIN_PAPERS = 10
"""Papers of history (in the rate period) needed to estimate a rate at all."""
RATE_DAYS = 365
"""The rate is measured over this many days up to the newest paper."""
MIN_GAP_DAYS = 7
"""Never flag a silence shorter than this."""


@dataclass(frozen=True)
class Silence:
    """How long a topic has been silent, and whether that is implausible.

    Attributes:
        newest: the `published` date of its newest paper; None for an empty topic.
        days_silent: whole days from `newest` to now; None for an empty topic.
        per_week: its usual rate, papers per week; None with too little history.
        stale_after_days: the silence it is flagged after (computed, or the topic's
            `stale_after_days`); None when it cannot be flagged.
        stale: whether `days_silent` is past `stale_after_days`.
    """

    newest: date | None = None
    days_silent: int | None = None
    per_week: float | None = None
    stale_after_days: float | None = None
    stale: bool = False

    def describe(self) -> str:
        """The silence in words: `nothing new for 23 days, usually about 9 a week`."""
        said = f"nothing new for {self.days_silent} days"
        if self.per_week is not None:
            return f"{said}, usually {usual(self.per_week)}"
        if self.stale_after_days is not None:
            return f"{said}, stale after {self.stale_after_days:g} days (stale_after_days)"
        return said  # a report read back may lack both figures


def usual(per_week: float) -> str:
    """A rate in words: `about 9 a week`, `about 3 a month`, `about 5 a year`."""
    if per_week >= 1:
        return f"about {round(per_week)} a week"
    per_month = per_week * 365.25 / 12 / 7
    if per_month >= 1:
        return f"about {round(per_month)} a month"
    return f"about {max(1, round(per_week * 365.25 / 7))} a year"


def assess(
    published: Iterable[date], *, now: datetime, stale_after_days: int | None = None
) -> Silence:
    """Judge a topic's silence from the `published` dates of its papers.

    Args:
        published: the dates of the topic's papers, in any order.
        now: the current time.
        stale_after_days: the topic's own threshold, replacing the computed one.
    """
    return assess_days(Counter(published), now=now, stale_after_days=stale_after_days)


def assess_days(
    per_day: Mapping[date, int], *, now: datetime, stale_after_days: int | None = None
) -> Silence:
    """`assess`, from the topic's papers counted per `published` day (the database keeps
    these counts, so a large topic is judged without a date per paper)."""
    days = {day: count for day, count in per_day.items() if count > 0}
    if not days:
        return Silence()
    newest = max(days)
    days_silent = max(0, (now.date() - newest).days)
    # Counted back from `newest` by difference: `newest - RATE_DAYS` overflows for year 1.
    recent = {d: n for d, n in days.items() if newest - d < timedelta(days=RATE_DAYS)}
    papers = sum(recent.values())
    span_days = (newest - min(recent)).days
    per_day_rate = (papers - 1) / span_days if span_days else None
    enough = papers >= MIN_PAPERS and per_day_rate is not None
    per_week = per_day_rate * 7 if enough and per_day_rate is not None else None
    threshold: float | None = float(stale_after_days) if stale_after_days else None
    if threshold is None and per_day_rate is not None and enough:
        threshold = max(float(MIN_GAP_DAYS), math.log(1 / P_SILENT) / per_day_rate)
    return Silence(
        newest=newest,
        days_silent=days_silent,
        per_week=None if per_week is None else round(per_week, 1),
        stale_after_days=None if threshold is None else round(threshold, 1),
        stale=threshold is not None and days_silent > threshold,
    )
