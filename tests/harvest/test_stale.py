"""Issue #11: a topic that went silent is flagged from its own history."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from harvester.cli import main
from harvester.harvest.stale import RATE_DAYS, assess, assess_days, usual
from tests.conftest import argv
from tests.standin import Standin, synthetic_entries

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def _steady(count: int, *, last: date, every_days: float = 1.0) -> list[date]:
    return [last - timedelta(days=round(i * every_days)) for i in range(count)]


@pytest.mark.parametrize(
    ("published", "now", "stale"),
    [
        pytest.param(_steady(100, last=date(2026, 10, 1)), NOW, True, id="steady-then-silent"),
        pytest.param(_steady(100, last=date(2026, 11, 23)), NOW, False, id="a-day-after"),
        pytest.param(_steady(100, last=date(2026, 11, 18)), NOW, False, id="within-a-week"),
        pytest.param(_steady(3, last=date(2024, 1, 1)), NOW, False, id="three-papers"),
        pytest.param(_steady(9, last=date(2024, 1, 1)), NOW, False, id="nine-papers"),
        pytest.param(_steady(10, last=date(2024, 1, 1)), NOW, True, id="ten-papers"),
        pytest.param([], NOW, False, id="empty"),
    ],
)
def test_assess_flags_only_implausible_silences(published, now, stale):
    """Flagged when no paper in the gap has probability < 0.001 at the topic's rate."""
    assert assess(published, now=now).stale is stale


def test_threshold_follows_the_rate():
    """One paper a day: stale after ln(1000) ≈ 6.9 days, raised to the 7-day floor;
    one a week: after about 48 days."""
    daily = assess(_steady(100, last=date(2026, 11, 1)), now=NOW)
    assert (daily.per_week, daily.stale_after_days, daily.days_silent) == (7.0, 7.0, 23)
    weekly = assess(_steady(30, last=date(2026, 11, 1), every_days=7), now=NOW)
    assert weekly.per_week == 1.0
    assert weekly.stale_after_days == 48.4
    assert weekly.stale is False
    assert weekly.describe() == "nothing new for 23 days, usually about 1 a week"


def test_stale_after_days_overrides_the_estimate():
    """A topic's stale_after_days replaces the estimate, even with little history."""
    history = _steady(3, last=date(2026, 11, 1))
    assert assess(history, now=NOW, stale_after_days=30).stale is False
    silence = assess(history, now=NOW, stale_after_days=20)
    assert silence.stale is True
    assert silence.describe() == "nothing new for 23 days, stale after 20 days (stale_after_days)"


@pytest.mark.parametrize(
    ("per_week", "words"),
    [
        pytest.param(9.2, "about 9 a week", id="weekly"),
        pytest.param(0.5, "about 2 a month", id="monthly"),
        pytest.param(7 * 12 / 365.25, "about 1 a month", id="exactly-one-a-month"),
        pytest.param(0.05, "about 3 a year", id="yearly"),
        pytest.param(0.001, "about 1 a year", id="rarer-still-reads-as-one-a-year"),
    ],
)
def test_usual_rates_in_words(per_week, words):
    """Rates read as a week's, a month's or a year's count, whichever is at least one."""
    assert usual(per_week) == words


def test_a_paper_dated_after_now_is_zero_days_of_silence():
    """A newest paper dated after now (clocks differ) is no silence, never a negative one."""
    silence = assess(_steady(100, last=NOW.date() + timedelta(days=2)), now=NOW)
    assert (silence.days_silent, silence.stale) == (0, False)


def test_rate_and_threshold_are_kept_to_a_tenth():
    """A rate of 7/3 papers a week is reported as 2.3, its threshold to a tenth of a day."""
    silence = assess(_steady(100, last=date(2026, 11, 1), every_days=3), now=NOW)
    assert (silence.per_week, silence.stale_after_days) == (2.3, 20.7)


def test_the_rate_period_excludes_its_first_day():
    """A paper exactly RATE_DAYS before the newest is outside the rate period: nine papers
    inside it are too little history for a rate."""
    last = date(2026, 11, 1)
    inside = [last - timedelta(days=30 * i) for i in range(9)]
    assert assess([*inside, last - timedelta(days=RATE_DAYS)], now=NOW).per_week is None
    assert assess([*inside, last - timedelta(days=RATE_DAYS - 1)], now=NOW).per_week is not None


@pytest.mark.parametrize(
    ("stale_after_days", "stale"),
    [
        pytest.param(22, True, id="a-day-past"),
        pytest.param(23, False, id="exactly-the-threshold"),
    ],
)
def test_a_silence_of_exactly_the_threshold_is_not_stale(stale_after_days: int, stale: bool):
    """Stale means silent longer than the threshold: 23 days of silence at 23 is not yet."""
    silence = assess(_steady(3, last=date(2026, 11, 1)), now=NOW, stale_after_days=stale_after_days)
    assert (silence.days_silent, silence.stale) == (23, stale)


def _harvest(standin: Standin, tmp_path: Path, *extra: str) -> int:
    report = tmp_path / "report.json"
    return main(argv(standin, tmp_path / "queries.toml", "--report", str(report), *extra))


def _serve(tmp_path: Path, *, count: int, days_ago: int, toml: str = "") -> Standin:
    """A topic with `count` papers, one every 12 hours, the newest `days_ago` days old."""
    (tmp_path / "queries.toml").write_text(f'[topics.llm_alignment]\nquery = "all:dpo"\n{toml}')
    last = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=days_ago)
    first = last - timedelta(hours=12 * (count - 1))
    return Standin(entries=synthetic_entries(count, first=first, step_minutes=720))


def test_silent_topic_warns_reports_and_shows(tmp_path: Path, capsys):
    """Steady history, 40 days of silence: warning, report, summary and stats all say so;
    exit 0, or 1 with --fail-on-stale."""
    with _serve(tmp_path, count=100, days_ago=40) as standin:
        assert _harvest(standin, tmp_path) == 0
        err = capsys.readouterr().err
        assert err == (
            "WARNING llm_alignment: nothing new for 40 days, usually about 14 a week: "
            "check the query\n"
        )
        topic = json.loads((tmp_path / "report.json").read_text())["topics"]["llm_alignment"]
        assert (topic["stale"], topic["days_silent"]) == (True, 40)
        assert topic["per_week"] == pytest.approx(14, abs=0.3)  # dates are whole days
        assert topic["stale_after_days"] == 7.0
        assert main(["summary", str(tmp_path / "report.json")]) == 0
        out = capsys.readouterr().out
        assert "| written (stale) |" in out
        assert "**Stale:** llm_alignment: nothing new for 40 days, usually about 14 a week" in out
        assert (
            main(
                [
                    "stats",
                    "--config",
                    str(tmp_path / "queries.toml"),
                    "--data-dir",
                    str(tmp_path / "data"),
                ]
            )
            == 0
        )
        assert (
            "; STALE: nothing new for 40 days, usually about 14 a week" in capsys.readouterr().out
        )
        assert _harvest(standin, tmp_path, "--fail-on-stale", "-q") == 1
        assert "nothing new for 40 days" in capsys.readouterr().err
        assert json.loads((tmp_path / "report.json").read_text())["exit_code"] == 1


@pytest.mark.parametrize(
    ("count", "days_ago", "toml"),
    [
        pytest.param(100, 1, "", id="a-day-after-its-last-paper"),
        pytest.param(3, 400, "", id="three-papers-of-history"),
        pytest.param(100, 40, "stale_after_days = 60\n", id="stale-after-days-60"),
    ],
)
def test_topics_not_flagged(tmp_path: Path, capsys, count, days_ago, toml):
    """No warning and exit 0, even with --fail-on-stale, for a topic that is not silent."""
    with _serve(tmp_path, count=count, days_ago=days_ago, toml=toml) as standin:
        assert _harvest(standin, tmp_path, "--fail-on-stale") == 0
    assert "WARNING" not in capsys.readouterr().err
    topic = json.loads((tmp_path / "report.json").read_text())["topics"]["llm_alignment"]
    assert topic["stale"] is False


def test_counts_per_day_judge_as_the_dates_do():
    """`assess_days` on papers counted per day gives what `assess` gives on their dates."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    dates = [date(2025, 1, 1) + timedelta(days=3 * i) for i in range(200)] * 2
    assert assess_days(Counter(dates), now=now) == assess(dates, now=now)
    assert assess_days({}, now=now) == assess([], now=now)
