"""Benchmark: requests over a simulated week for a 250,000-paper topic, the daily change
feed against a weekly refresh of the whole range.

    python bench/changes.py            # writes its section of bench/RESULTS.md
    python bench/changes.py --quick    # small sizes (the suite runs this)

The change feed's lists are served by the test suite's OAI-PMH stand-in (answering as
arXiv/oaipmh does, 2,500 records a page) and paged by the real client; each day it lists
from the last datestamp less one day, as `harvester.harvest.changes` does. The query API
side is costed by `harvester.harvest.plan`: a daily walk is one request, a refresh of the
whole range is a first harvest.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harvester.harvest.plan import DAILY_REQUESTS, first_harvest_cost  # noqa: E402
from tests.oai_standin import OaiPaper, OaiStandin, Version, offline  # noqa: E402

SECTION = "## Change feed against weekly refresh"


def simulate(*, papers: int, changes_per_day: int, days: int = 7) -> dict[str, int]:
    """Requests of each strategy over `days` days."""
    standin = OaiStandin(today=date(2026, 4, 1))
    client = offline(standin)
    last = date(2026, 4, 1)
    for day in range(1, days + 1):
        today = date(2026, 4, 1) + timedelta(days=day)
        standin.today = today
        moment = datetime(today.year, today.month, today.day, tzinfo=UTC)
        standin.add(
            *(
                OaiPaper(f"26{day:02d}.{n:05d}", (Version(moment),), moment + timedelta(seconds=n))
                for n in range(changes_per_day)
            )
        )
        newest = None
        for page in client.list_records(from_day=last - timedelta(days=1), set_spec="cs"):
            newest = max((r.datestamp for r in page.records), default=newest)
        last = max(last, newest or last)
    refresh = first_harvest_cost(papers, page_size=1000, delay_seconds=3).requests
    return {
        "feed_oai": client.requests,
        "feed_query": days * DAILY_REQUESTS,
        "refresh_query": days * DAILY_REQUESTS + refresh,
        "refresh_once": refresh,
    }


def table(papers: int, changes_per_day: int, found: dict[str, int]) -> str:
    feed = found["feed_oai"] + found["feed_query"]
    # What each strategy adds to the daily walks, which both make.
    extra_feed, extra_refresh = found["feed_oai"], found["refresh_once"]
    return "\n".join(
        [
            SECTION,
            "",
            f"`python bench/changes.py`: a {papers:,}-paper topic, {changes_per_day:,} records "
            "changed a day in its set, 7 days.",
            "",
            "| strategy | query API requests | OAI-PMH requests | total |",
            "|---|---:|---:|---:|",
            f"| change feed, refresh_days = 0 | {found['feed_query']} | {found['feed_oai']} | {feed} |",
            f"| weekly refresh (refresh_days = 7) | {found['refresh_query']} | 0 | "
            f"{found['refresh_query']} |",
            f"| the same papers as a set topic (no walks) | 0 | {found['feed_oai']} | "
            f"{found['feed_oai']} |",
            "",
            f"Beyond the daily walks both make: {extra_feed} OAI requests against "
            f"{extra_refresh} for the refresh, {extra_refresh / max(extra_feed, 1):.0f} x fewer; "
            f"in all, {found['refresh_query'] / feed:.1f} x fewer; as a set topic, "
            f"{found['refresh_query'] / max(extra_feed, 1):.0f} x fewer. Each day lists from the "
            "last datestamp less a day to today: three days of changes.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    # arXiv's cs group: about 600 new papers, 400 new versions and 200 edits a weekday.
    papers, per_day = (250_000, 1_200) if not args.quick else (25_000, 200)
    section = table(papers, per_day, simulate(papers=papers, changes_per_day=per_day))
    text = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    pattern = re.compile(rf"{re.escape(SECTION)}\n.*?(?=\n## |\Z)", re.DOTALL)
    text = pattern.sub(section.rstrip("\n"), text) if SECTION in text else text + "\n" + section
    args.out.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
