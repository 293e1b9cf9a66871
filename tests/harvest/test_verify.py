"""The windows a query topic is counted in: year by year of first submission, a year
month by month."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from harvester.arxiv.windows import Window
from harvester.config import Topic
from harvester.harvest.verify import count_windows, months_of

NOW = datetime(2026, 3, 14, 9, 30, 15, tzinfo=UTC)


def _clauses(topic: Topic, days: list[date]) -> list[str]:
    return [w.clause() for w in count_windows(topic, Counter(days), now=NOW)]


def test_a_topic_is_counted_a_year_at_a_time_from_its_oldest_paper_to_now():
    """From `since` to the year of the oldest stored paper is one window, then one per
    year, the last ending at now (floored to the minute)."""
    topic = Topic(name="t", query="all:x", since=date(2022, 1, 1))
    assert _clauses(topic, [date(2024, 12, 9), date(2026, 2, 1)]) == [
        "submittedDate:[202201010000 TO 202401010000]",
        "submittedDate:[202401010000 TO 202501010000]",
        "submittedDate:[202501010000 TO 202601010000]",
        "submittedDate:[202601010000 TO 202603140930]",
    ]


def test_a_topic_without_since_is_counted_from_arxivs_start():
    """Without `since`, the window before the oldest paper's year starts before arXiv's."""
    topic = Topic(name="t", query="all:x")
    assert _clauses(topic, [date(2026, 3, 2)]) == [
        "submittedDate:[199101010000 TO 202601010000]",
        "submittedDate:[202601010000 TO 202603140930]",
    ]


def test_a_capped_topic_is_counted_from_the_day_after_its_oldest_paper():
    """A topic that kept only its newest papers holds all from the day after its oldest
    stored one (the cap cut that day part way); with nothing stored, nothing is counted."""
    topic = Topic(name="t", query="all:x", max_results=10)
    assert _clauses(topic, [date(2025, 12, 30), date(2026, 3, 1)]) == [
        "submittedDate:[202512310000 TO 202601010000]",
        "submittedDate:[202601010000 TO 202603140930]",
    ]
    assert _clauses(topic, []) == []


def test_a_year_is_cut_at_each_first_of_a_month():
    """A window's months: cut at each month's first minute, the last ending where it does."""
    window = Window(datetime(2025, 11, 20, tzinfo=UTC), NOW)
    assert [m.clause() for m in months_of(window)] == [
        "submittedDate:[202511200000 TO 202512010000]",
        "submittedDate:[202512010000 TO 202601010000]",
        "submittedDate:[202601010000 TO 202602010000]",
        "submittedDate:[202602010000 TO 202603010000]",
        "submittedDate:[202603010000 TO 202603140930]",
    ]
