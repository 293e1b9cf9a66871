"""A topic end to end against the stand-in (both of its modes unless one is named):
first harvests in windows, incremental walks, fallbacks and refreshes."""

from __future__ import annotations

import json
import math
import resource
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harvester.arxiv import feed
from harvester.arxiv.paging import fits
from harvester.cli import main
from harvester.config import Topic
from harvester.db import state, store
from harvester.errors import Interrupted
from harvester.harvest.result import Mode, TopicFailed, TopicResult
from harvester.harvest.topic import harvest_topic
from tests.conftest import argv, offline_client, records, tree
from tests.standin import Entry, Reply, Scripted, Standin, empty_page, synthetic_entries

# "Just now": after the watermark a first run sets, whenever the suite runs.
SOON = (datetime.now(UTC) - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def bump(standin: Standin, index: int, title: str, when: datetime = SOON) -> Entry:
    """Serve a new version of entry `index`: its old `published`, a new `updated`."""
    entry = standin.entries[index]
    standin.entries[index] = entry.new_version(entry.version + 1, title=title, updated=when)
    return standin.entries[index]


def at(standin: Standin, topic: Topic, data: Path, now: datetime, **kwargs: Any) -> TopicResult:
    """Harvest `topic` as if it were `now`, through the real client, in process."""
    with offline_client(standin) as client:
        return harvest_topic(topic, client=client, data_dir=data, now=now, **kwargs)


def test_first_run_pages_then_reruns_cost_one_request_and_no_byte(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str]
):
    """A first run costs ceil(N / page) requests per topic; a re-run one request and no byte."""
    data = config.parent / "data"
    assert main(argv(standin, config, "--page-size", "25")) == 0
    assert len(standin.requests) == 2 * math.ceil(111 / 25)
    before = tree(data)
    standin.requests.clear()
    capsys.readouterr()
    assert main(argv(standin, config, "--page-size", "25")) == 0
    assert len(standin.requests) == 2
    assert all(r["sortBy"] == "lastUpdatedDate" for r in standin.requests)
    assert tree(data) == before
    out = capsys.readouterr().out.splitlines()
    assert "0 new, 0 updated" in out[0]
    assert "1 request in" in out[0]
    assert "(incremental, file unchanged)" in out[0]
    assert out[-1].startswith("Harvested 2 topics: 0 new, 0 updated, 0 unchanged; 2 requests in ")


def test_new_papers_and_versions_cost_one_request_and_change_only_them(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str]
):
    """3 new papers and 2 new versions of stored ones: 3 new, 2 updated, one request per
    topic, a diff of exactly those 5 records (issue 9, item 1)."""
    data = config.parent / "data"
    assert main(argv(standin, config, "--page-size", "25")) == 0
    before = records(data)
    template = standin.entries[40]
    added = [template.rewritten(f"2611.1000{i}v1", SOON.replace(minute=i)) for i in range(3)]
    bumped = [bump(standin, 10, "Second thoughts"), bump(standin, 70, "Revised and extended")]
    standin.entries.extend(added)
    standin.requests.clear()
    capsys.readouterr()
    report = config.parent / "report.json"
    assert main(argv(standin, config, "--page-size", "25", "--report", str(report))) == 0
    assert len(standin.requests) == 2
    assert all("lastUpdatedDate:[" not in r["search_query"] for r in standin.requests)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("rlhf_code: 3 new, 2 updated, ")
    assert out[1].startswith("llm_alignment: 3 new, 2 updated, ")
    assert json.loads(report.read_text())["topics"]["rlhf_code"]["mode"] == "incremental"
    after = records(data)
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert changed == {e.key for e in added + bumped}
    assert [after[e.key]["title"] for e in bumped] == ["Second thoughts", "Revised and extended"]
    assert all(after[e.key]["published"] == before[e.key]["published"] for e in bumped)


def test_a_doi_added_without_a_new_version_comes_with_the_next_refresh(
    standin: Standin, tmp_path: Path
):
    """Metadata changed at the same version: no walk sees it, the weekly refresh does, at the
    cost of a first harvest (issue 9, item 2)."""
    topic = Topic(name="t", query="all:x", refresh_days=7)
    data = tmp_path / "data"
    start = datetime(2026, 6, 1, tzinfo=UTC)
    standin.entries = [e for e in standin.entries if e.updated < start - timedelta(days=30)]
    assert at(standin, topic, data, start).mode is Mode.FULL
    standin.entries[3] = standin.entries[3].with_doi("10.1000/added")
    key = standin.entries[3].key
    quiet = at(standin, topic, data, start + timedelta(days=1))
    assert (quiet.mode, quiet.counts.revised, quiet.requests) == (Mode.INCREMENTAL, 0, 1)
    assert records(data, "t")[key]["doi"] != "10.1000/added"
    standin.requests.clear()
    refresh = at(standin, topic, data, start + timedelta(days=7))
    assert (refresh.mode, refresh.counts.revised, refresh.requests) == (
        Mode.REFRESH,
        1,
        5,
    )  # 111 / 25
    assert records(data, "t")[key]["doi"] == "10.1000/added"
    assert at(standin, topic, data, start + timedelta(days=8)).mode is Mode.INCREMENTAL


def test_a_refresh_that_finds_nothing_changes_only_its_date(standin: Standin, tmp_path: Path):
    """A refresh with nothing new writes no data; its state records only when it ran."""
    topic = Topic(name="t", query="all:x", refresh_days=7)
    data = tmp_path / "data"
    start = SOON - timedelta(days=30)
    at(standin, topic, data, start)
    before = tree(data)
    assert at(standin, topic, data, start + timedelta(days=7)).mode is Mode.REFRESH
    after = tree(data)
    assert after["t.json"] == before["t.json"]
    old, new = (json.loads(files[".harvest/t.json"][0]) for files in (before, after))
    assert {k: v for k, v in old.items() if k != "refreshed"} == {
        k: v for k, v in new.items() if k != "refreshed"
    }
    assert new["refreshed"] > old["refreshed"]


def test_full_flag_that_finds_nothing_changes_no_byte(standin: Standin, config: Path):
    """--full harvests the whole range again; with nothing new no file changes, state included."""
    data = config.parent / "data"
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    before = tree(data)
    standin.requests.clear()
    assert main(argv(standin, config, "--topic", "rlhf_code", "--full")) == 0
    assert standin.requests[0]["sortBy"] == "submittedDate"
    assert tree(data) == before


@pytest.mark.parametrize("mode", ["2026", "manual"])
def test_walk_out_of_order_falls_back_and_misses_nothing(
    mode: str, config: Path, capsys: pytest.CaptureFixture[str]
):
    """A server that ignores sortBy: the run still gets every new paper and version, says it
    fell back, and the report's mode says so (issue 9, item 4)."""
    data = config.parent / "data"
    with Standin(mode=mode) as standin:  # type: ignore[arg-type]
        assert main(argv(standin, config, "--topic", "rlhf_code", "--page-size", "25")) == 0
        added = [standin.entries[40].rewritten(f"2611.2000{i}v1", SOON) for i in range(3)]
        standin.entries.extend(added)
        bumped = bump(standin, 50, "Later")
        standin.ignore_sort = True
        report = config.parent / "report.json"
        args = argv(standin, config, "--topic", "rlhf_code", "--page-size", "25")
        assert main([*args, "--report", str(report)]) == 0
    stored = records(data)
    assert {e.key for e in added} <= set(stored)
    assert stored[bumped.key]["arxiv_id"] == bumped.arxiv_id
    assert json.loads(report.read_text())["topics"]["rlhf_code"]["mode"] == "fallback"
    err = capsys.readouterr().err
    assert (
        "WARNING rlhf_code: arXiv returned the walk's results out of order: harvesting it in full instead"
        in err
    )


def test_walk_past_the_paging_limit_falls_back_and_completes(tmp_path: Path):
    """12,000 papers since a topic was last harvested: the walk cannot page that deep, so the
    topic is harvested in full, in windows, and ends complete (issue 9, item 5)."""
    topic = Topic(name="t", query="all:x", refresh_days=0)
    data = tmp_path / "data"
    start = datetime(2026, 6, 1, tzinfo=UTC)  # after every recorded paper
    standin = Standin()
    at(standin, topic, data, start)
    standin.entries += synthetic_entries(12_000, first=start + timedelta(days=1), step_seconds=30)
    standin.requests.clear()
    with offline_client(standin, page_size=1000) as client:
        later = harvest_topic(topic, client=client, data_dir=data, now=start + timedelta(days=10))
    assert later.mode is Mode.FALLBACK
    assert later.counts.new == 12_000
    assert len(records(data, "t")) == len({e.key for e in standin.entries})
    assert all(fits(int(r["start"]), int(r["max_results"])) for r in standin.requests)
    saved = state.load(state.path_for(data, "t"))
    assert saved is not None
    assert saved.complete


def test_70000_papers_7_seconds_apart_all_stored_within_the_request_bound(tmp_path: Path):
    """A first harvest of 70,000 papers submitted 7 s apart (2026 mode) stores all of them,
    no request asks past 10,000 rows, requests <= 1.1 x ceil(70,000 / page) + windows
    (issue 9, item 3)."""
    entries = synthetic_entries(70_000, first=datetime(2026, 1, 1, tzinfo=UTC), step_seconds=7)
    standin = Standin(entries=entries)
    data = tmp_path / "data"
    with offline_client(standin, page_size=1000) as client:
        result = harvest_topic(
            Topic(name="t", query="all:x"),
            client=client,
            data_dir=data,
            now=datetime(2026, 2, 1, tzinfo=UTC),
        )
    assert result.counts.new == 70_000
    stored = records(data, "t")
    assert {r["arxiv_id"] for r in stored.values()} == {e.arxiv_id for e in entries}
    assert all(fits(int(r["start"]), int(r["max_results"])) for r in standin.requests)
    windows = len({r["search_query"] for r in standin.requests})
    assert len(standin.requests) <= 1.1 * math.ceil(70_000 / 1000) + windows


def test_failed_incremental_run_stores_nothing_and_the_next_run_gets_all(
    standin: Standin, config: Path
):
    """An incremental run that fails keeps no half: the next run still finds every paper."""
    data = config.parent / "data"
    args = argv(standin, config, "--page-size", "25", "--topic", "rlhf_code")
    assert main(args) == 0
    before = tree(data)
    added = [
        standin.entries[40].rewritten(f"2611.3{i:04d}v1", SOON - timedelta(minutes=i))
        for i in range(30)
    ]
    standin.entries.extend(added)
    standin.script = [Reply(status=503)] * 5
    assert main(args, sleep=lambda _: None) == 1
    assert tree(data) == before
    assert main(args) == 0
    assert {e.key for e in added} <= set(records(data))


def test_paper_that_stops_matching_stays(standin: Standin, config: Path):
    """A paper arXiv no longer returns for the query stays in the topic's file."""
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    gone = standin.entries.pop(5)
    assert main(argv(standin, config, "--topic", "rlhf_code", "--full")) == 0
    kept = records(config.parent / "data")
    assert gone.key in kept
    assert len(kept) == 111


def test_since_flag_is_one_off_and_changed_query_harvests_in_full(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str]
):
    """--since fetches from that date without touching the state; a new query starts over."""
    data = config.parent / "data"
    assert main(argv(standin, config, "--topic", "rlhf_code", "--since", "2026-01-01")) == 0
    assert "submittedDate:[202601010000 TO " in standin.requests[0]["search_query"]
    assert not (data / ".harvest").exists()
    assert all(str(r["published"]) >= "2026-01-01" for r in records(data).values())
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    saved = state.load(state.path_for(data, "rlhf_code"))
    assert saved is not None
    assert saved.complete
    config.write_text(config.read_text().replace('all:"RLHF"', 'all:"RLAIF"'))
    capsys.readouterr()
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    assert "(full, file unchanged)" in capsys.readouterr().out


def test_topic_since_filters_records_not_the_walk(standin: Standin, tmp_path: Path):
    """The walk asks the topic's query alone; a new version of a paper from before `since`
    is not stored."""
    topic = Topic(name="t", query="all:x", since=datetime(2025, 1, 1, tzinfo=UTC).date())
    data = tmp_path / "data"
    at(standin, topic, data, SOON - timedelta(days=1))
    old = next(i for i, e in enumerate(standin.entries) if e.published.year < 2025)
    bump(standin, old, "Old paper, new version")
    fresh = standin.entries[0].rewritten("2611.40000v1", SOON)
    standin.entries.append(fresh)
    standin.requests.clear()
    result = at(standin, topic, data, SOON)
    assert standin.requests[0]["search_query"] == "all:x"
    assert (result.counts.new, result.counts.updated) == (1, 0)
    assert standin.entries[old].key not in records(data, "t")


def test_a_paper_first_submitted_on_the_since_day_is_kept(standin: Standin, tmp_path: Path):
    """`since` is included: a paper whose first version is from that very day is stored."""
    first = standin.entries[50]
    topic = Topic(name="t", query="all:x", since=first.published.date())
    at(standin, topic, tmp_path, SOON)
    assert first.key in records(tmp_path, "t")


def test_a_dry_run_writes_neither_records_nor_state(standin: Standin, tmp_path: Path):
    """A dry run counts what it would store and writes nothing: not on a first harvest,
    and not on a walk that finds a new version."""
    topic = Topic(name="t", query="all:x")
    result = at(standin, topic, tmp_path, SOON, dry_run=True)
    assert (result.counts.new, result.written) == (111, False)
    assert list(tmp_path.iterdir()) == []
    at(standin, topic, tmp_path, SOON - timedelta(days=1))
    before = tree(tmp_path)
    bump(standin, 3, "New version")
    result = at(standin, topic, tmp_path, SOON, dry_run=True)
    assert (result.mode, result.counts.updated, result.written) == (Mode.INCREMENTAL, 1, False)
    assert tree(tmp_path) == before


def test_a_one_off_since_run_harvests_its_range_in_full(standin: Standin, tmp_path: Path):
    """A `since` run fetches its whole range whatever the topic's state says, so a DOI
    added at the same version within it is seen (a walk would not be asked for it)."""
    topic = Topic(name="t", query="all:x")
    at(standin, topic, tmp_path, SOON - timedelta(days=1))
    standin.entries[3] = standin.entries[3].with_doi("10.1000/added")
    since = standin.entries[3].published.date()
    result = at(standin, topic, tmp_path, SOON, since=since)
    assert (result.mode, result.counts.revised) == (Mode.SINCE, 1)


def test_a_full_run_of_a_capped_topic_counts_stored_papers_against_the_cap(
    standin: Standin, tmp_path: Path
):
    """`--full` of a topic capped at 30 fetches its 30 newest again, not 30 more."""
    topic = Topic(name="t", query="all:x", max_results=30)
    at(standin, topic, tmp_path, SOON - timedelta(days=1))
    assert len(records(tmp_path, "t")) == 30
    result = at(standin, topic, tmp_path, SOON, full=True)
    assert (result.total, result.counts.new) == (30, 0)


def test_corrupt_state_fails_the_topic_and_leaves_it(standin: Standin, config: Path, capsys):
    """A broken state file fails its topic with the file named; nothing is fetched for it."""
    path = state.path_for(config.parent / "data", "rlhf_code")
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"query": 1}')
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 1
    assert f"ERROR rlhf_code: {path}: invalid harvest state: query:" in capsys.readouterr().err
    assert path.read_bytes() == b'{"query": 1}'
    assert standin.requests == []


def test_max_results_caps_the_first_harvest_but_never_drops_updates(
    standin: Standin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A capped topic is its newest N papers; later runs take every update, however many."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.rlhf_code]\nquery = "all:rl"\nmax_results = 20\n')
    assert main(argv(standin, config)) == 0
    assert set(records(tmp_path / "data")) == {e.key for e in standin.entries[:20]}
    added = [
        standin.entries[40].rewritten(f"2611.2{i:04d}v1", SOON - timedelta(minutes=i))
        for i in range(30)
    ]
    standin.entries.extend(added)
    capsys.readouterr()
    assert main(argv(standin, config)) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 30 new")
    assert {e.key for e in added} <= set(records(tmp_path / "data"))


def test_empty_topic_reruns_change_no_byte(standin: Standin, config: Path):
    """A topic with no papers yet costs one request a run and never rewrites its state."""
    data = config.parent / "data"
    standin.entries = []
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    before = tree(data)
    assert json.loads(before["rlhf_code.json"][0]) == []
    standin.requests.clear()
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    assert len(standin.requests) == 1
    assert tree(data) == before


def test_a_first_harvest_that_fetches_nothing_leaves_no_state(standin: Standin, config: Path):
    """A first harvest failing at its first page fails the topic and leaves no state file,
    which would be news in `git status` with nothing to resume (#26)."""
    standin.script = [Reply(status=503)] * 5
    args = argv(standin, config, "--topic", "rlhf_code")
    assert main(args, sleep=lambda _: None) == 1
    assert not state.path_for(config.parent / "data", "rlhf_code").exists()
    assert main(args) == 0
    assert state.load(state.path_for(config.parent / "data", "rlhf_code")) is not None


def test_failed_first_harvest_keeps_and_reports_what_it_committed(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str]
):
    """Papers committed before a failure stay written, and the run's report says so."""
    standin.script = [None, None, *[Reply(status=503)] * 5]
    report = config.parent / "report.json"
    args = argv(
        standin, config, "--page-size", "25", "--topic", "rlhf_code", "--report", str(report)
    )
    assert main(args, sleep=lambda _: None) == 0  # a deep failing page cuts its window
    assert len(records(config.parent / "data")) == 111
    standin.script = [*[None] * 1, *[Reply(status=404)]]
    (config.parent / "data" / "rlhf_code.json").unlink()
    (state.path_for(config.parent / "data", "rlhf_code")).unlink()
    assert main(args, sleep=lambda _: None) == 1
    topic = json.loads(report.read_text())["topics"]["rlhf_code"]
    assert topic["written"] is True
    assert topic["new"] == len(records(config.parent / "data")) == 25
    assert topic["error"].startswith("HTTP 404")
    assert "rlhf_code: failed after 2 requests (25 new papers written)" in capsys.readouterr().out


def test_one_off_since_run_does_not_move_the_watermark(standin: Standin, config: Path, capsys):
    """After a --since run, a new version of an older paper is still found by the next run."""
    args = argv(standin, config, "--topic", "rlhf_code")
    assert main(args) == 0
    state_file = state.path_for(config.parent / "data", "rlhf_code")
    before = state_file.read_bytes()
    assert main([*args, "--since", "2026-04-01"]) == 0
    assert state_file.read_bytes() == before
    bump(standin, 60, "Later")
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 0 new, 1 updated")


def test_first_harvest_resumed_weeks_later_misses_nothing_submitted_meanwhile(
    standin: Standin, tmp_path: Path
):
    """Papers that appear while an interrupted first harvest waits are caught afterwards."""
    topic = Topic(name="t", query="all:x", refresh_days=0)
    data = tmp_path / "data"
    first_try = datetime(2026, 6, 1, tzinfo=UTC)
    standin.entries = [e for e in standin.entries if e.updated < first_try]
    standin.script = [None, None, *[Reply(status=404)]]
    with offline_client(standin) as client, pytest.raises(TopicFailed):
        harvest_topic(topic, client=client, data_dir=data, now=first_try)
    interrupted = state.load(state.path_for(data, "t"))
    assert interrupted is not None
    assert interrupted.done
    assert not interrupted.complete
    meanwhile = standin.entries[5].rewritten("2606.99999v1", first_try + timedelta(days=10))
    standin.entries.append(meanwhile)
    assert at(standin, topic, data, first_try + timedelta(days=40)).mode is Mode.RESUMED
    assert at(standin, topic, data, first_try + timedelta(days=41)).mode is Mode.INCREMENTAL
    stored = json.loads((data / "t.json").read_bytes())
    assert meanwhile.arxiv_id in {r["arxiv_id"] for r in stored}
    assert len(stored) == len(standin.entries)


def test_resumed_capped_harvest_stops_at_the_cap(standin: Standin, tmp_path: Path):
    """A capped first harvest that is interrupted and resumed ends with the cap, not more."""
    topic = Topic(name="t", query="all:x", max_results=60)
    data = tmp_path / "data"
    script: list[Scripted] = [None, None]
    standin.script = [*script, Reply(status=404)]
    with offline_client(standin) as client, pytest.raises(TopicFailed):
        harvest_topic(topic, client=client, data_dir=data, now=SOON)
    assert len(json.loads((data / "t.json").read_bytes())) == 50
    at(standin, topic, data, SOON)
    assert len(json.loads((data / "t.json").read_bytes())) == 60


def test_a_harvest_failing_twice_counts_every_paper_it_fetched(standin: Standin, tmp_path: Path):
    """A capped first harvest that fails, resumes and fails again keeps the count of both
    runs, so the cap holds for the run that finishes it."""
    topic = Topic(name="t", query="all:x", max_results=100)
    for script in ([None, None, Reply(status=404)], [None, Reply(status=404)]):
        standin.script = list(script)
        with pytest.raises(TopicFailed):
            at(standin, topic, tmp_path, SOON)
    saved = state.load(state.path_for(tmp_path, "t"))
    assert saved is not None
    assert saved.fetched == len(records(tmp_path, "t")) > 50


def test_a_walk_reads_back_from_the_last_watermark(standin: Standin, tmp_path: Path):
    """After a walk that found something, the next walks down to that run's start less
    the lookback, not to the first harvest's."""
    topic = Topic(name="t", query="all:x", refresh_days=0)
    start = SOON - timedelta(days=20)
    standin.entries = [e for e in standin.entries if e.updated < start - timedelta(days=30)]
    at(standin, topic, tmp_path, start)
    bump(standin, 5, "Early", when=start + timedelta(days=2))
    bump(standin, 6, "Late", when=start + timedelta(days=10))
    assert at(standin, topic, tmp_path, start + timedelta(days=10, hours=1)).counts.updated == 2
    later = at(standin, topic, tmp_path, start + timedelta(days=11))
    assert (later.mode, later.counts.unchanged) == (Mode.INCREMENTAL, 1)  # "Late" alone


def test_a_fallback_that_finds_something_moves_the_watermark(standin: Standin, tmp_path: Path):
    """A walk out of order is redone in full; when that finds something the state is that
    of a complete harvest begun now, so the next walk starts from here."""
    topic = Topic(name="t", query="all:x", refresh_days=0)
    start = SOON - timedelta(days=20)
    at(standin, topic, tmp_path, start)
    bump(standin, 5, "Later")
    standin.ignore_sort = True
    now = start + timedelta(days=10, minutes=30)
    result = at(standin, topic, tmp_path, now)
    assert (result.mode, result.counts.updated) == (Mode.FALLBACK, 1)
    saved = state.load(state.path_for(tmp_path, "t"))
    assert saved is not None
    assert (saved.complete, saved.watermark) == (True, now)


@pytest.fixture(scope="module")
def papers_45000() -> list[Entry]:
    """45,000 papers submitted 7 seconds apart."""
    return synthetic_entries(45_000, first=datetime(2026, 1, 1, tzinfo=UTC), step_seconds=7)


def _limit_file_size() -> None:
    # A real EFBIG: CPython ignores SIGXFSZ, so the write fails instead of killing us.
    # 20 MB: a topic's files stay under 40 MB (shards), so a lower limit is hit.
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000_000, 20_000_000))


def _during_second_write(data: Path, process: subprocess.Popen[bytes]) -> bool:
    """Wait until a topic file exists and a later write of one is under way."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        temps = [p for p in data.rglob(".t*.json.*.tmp") if ".harvest" not in p.parts]
        exists = (data / "t.json").exists() or (data / "t").is_dir()
        try:
            if exists and temps and temps[0].stat().st_size > 1_000_000:
                return True
        except FileNotFoundError:  # renamed into place between the listing and the stat
            pass
        time.sleep(0.002)
    return False


@pytest.mark.parametrize("stop", ["file-size-limit", "SIGINT", "SIGKILL"])
def test_a_write_that_fails_or_is_stopped_loses_no_paper(
    stop: str, papers_45000: list[Entry], tmp_path: Path, harvest_bin: str
):
    """A first harvest of 45,000 papers whose later write fails (a real EFBIG) or is stopped
    (SIGINT, SIGKILL): plain re-runs end with all 45,000 (issue 10, item 2)."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.t]\nquery = "cat:cs.LG"\n')
    data = tmp_path / "data"
    with Standin(entries=papers_45000) as standin:
        args = [harvest_bin, *argv(standin, config, "--page-size", "2000")]
        limit = _limit_file_size if stop == "file-size-limit" else None
        # preexec_fn: the limit must hold in the child alone, before it runs.
        out = subprocess.PIPE
        process = subprocess.Popen(args, stdout=out, stderr=out, preexec_fn=limit)  # noqa: PLW1509
        if stop != "file-size-limit":
            assert _during_second_write(data, process)
            process.send_signal(getattr(signal, stop))
        _, err = process.communicate(timeout=120)
        assert process.returncode != 0
        if stop == "file-size-limit":
            assert b"File too large" in err
        stored = len(records(data, "t"))
        assert 0 < stored < 45_000
        assert main(argv(standin, config, "--page-size", "2000")) == 0
    assert len(records(data, "t")) == 45_000
    assert not list(data.rglob(".*.tmp"))


def test_a_window_that_grows_while_it_is_paged_loses_no_paper(tmp_path: Path):
    """A paper announced between two pages of a window pushes the others down a page: the
    window is paged to its new count and every paper is stored."""
    now = datetime(2026, 6, 1, tzinfo=UTC)
    old = synthetic_entries(50, first=now - timedelta(days=10), step_minutes=7)
    late = old[0].rewritten("2606.90000v1", now - timedelta(hours=1))
    standin = Standin(entries=list(old))

    def grow(params: dict[str, str]) -> Reply:
        standin.entries.append(late)
        return standin.reply(params)

    standin.script = [None, grow]
    at(standin, Topic(name="t", query="all:x"), tmp_path, now)
    assert {e.key for e in old} <= set(records(tmp_path, "t"))


def test_a_first_harvest_left_by_the_previous_version_resumes_without_a_gap(tmp_path: Path):
    """Spans written as `[start, end)` by the previous version are read as done up to the
    minute before `end`, so the papers of that minute's last 59 seconds are fetched."""
    now = datetime(2026, 6, 1, tzinfo=UTC)
    b = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
    a, c = b - timedelta(days=1), b + timedelta(days=1)
    entries = synthetic_entries(40, first=b - timedelta(minutes=20), step_seconds=40)
    standin = Standin(entries=list(entries))
    minute = timedelta(minutes=1)
    done_then = {
        e.key for e in entries if a <= e.published <= b - minute or b <= e.published <= c - minute
    }
    old_state = {
        "query": "all:x",
        "since": None,
        "until": (now + timedelta(days=1)).isoformat(),
        "complete": False,
        "done": [[a.isoformat(), b.isoformat()], [b.isoformat(), c.isoformat()]],
        "fetched": len(done_then),
        "watermark": now.isoformat(),
    }
    path = state.path_for(tmp_path, "t")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(old_state))
    papers = feed.parse(standin.feed(0, 100, "all:x")).papers
    store.save(store.path_for(tmp_path, "t"), [p for p in papers if p.key in done_then])
    assert at(standin, Topic(name="t", query="all:x"), tmp_path, now).mode is Mode.RESUMED
    assert set(records(tmp_path, "t")) == {e.key for e in entries}


def test_a_walk_cut_short_by_an_empty_page_is_not_trusted(tmp_path: Path):
    """An empty page where an earlier one promised more fails the run (after retries) and
    leaves the watermark, so the next run still gets every paper."""
    start = datetime(2026, 6, 1, tzinfo=UTC)
    standin = Standin(
        entries=synthetic_entries(30, first=start - timedelta(days=60), step_minutes=60)
    )
    topic = Topic(name="t", query="all:x", refresh_days=0)
    at(standin, topic, tmp_path, start)
    before = state.load(state.path_for(tmp_path, "t"))
    new = [
        e.rewritten(f"2606.8{i:04d}v1", e.published)
        for i, e in enumerate(
            synthetic_entries(250, first=start + timedelta(days=1), step_seconds=60)
        )
    ]
    standin.entries.extend(new)
    standin.script = [None, *[empty_page(0, start=25)] * 5]
    with pytest.raises(TopicFailed, match="empty page at offset 25"):
        at(standin, topic, tmp_path, start + timedelta(days=5))
    assert state.load(state.path_for(tmp_path, "t")) == before
    at(standin, topic, tmp_path, start + timedelta(days=6))
    assert {e.key for e in new} <= set(records(tmp_path, "t"))


def _capped_fallbacks(tmp_path: Path, pick: Callable[[list[Entry]], Entry]) -> Entry:
    """A topic capped at its newest 5 of 20 papers; then a new version of the paper `pick`
    chooses and a new paper, which three fallbacks (arXiv ignoring `sortBy`) meet, then
    a walk that can be trusted. The paper given a new version."""
    start = datetime(2026, 6, 1, tzinfo=UTC)
    base = synthetic_entries(20, first=start - timedelta(days=60), step_minutes=60)
    standin = Standin(entries=list(base))
    topic = Topic(name="t", query="all:x", max_results=5, refresh_days=0, lookback_days=1)
    at(standin, topic, tmp_path, start)
    chosen = pick(base)
    standin.entries[standin.entries.index(chosen)] = chosen.new_version(
        2, title="V2", updated=start + timedelta(hours=2)
    )
    standin.entries.append(base[0].rewritten("2606.60000v1", start + timedelta(hours=3)))
    standin.ignore_sort = True
    for day in range(1, 4):
        assert at(standin, topic, tmp_path, start + timedelta(days=day)).mode is Mode.FALLBACK
    standin.ignore_sort = False
    assert at(standin, topic, tmp_path, start + timedelta(days=5)).mode is Mode.INCREMENTAL
    return chosen


def test_a_capped_topics_fallback_keeps_the_watermark_for_older_updates(tmp_path: Path):
    """A capped topic's fallback fetches only its newest papers; the watermark stays, so
    the next walk that can be trusted still finds a new version of an older paper."""
    newest = _capped_fallbacks(tmp_path, lambda base: max(base, key=lambda e: e.published))
    assert records(tmp_path, "t")[newest.key]["title"] == "V2"


def test_a_one_off_since_never_widens_the_topics_range(standin: Standin, tmp_path: Path):
    """`--since` earlier than the topic's `since` stores nothing from before the topic's."""
    topic = Topic(name="t", query="all:x", since=datetime(2025, 1, 1, tzinfo=UTC).date())
    at(standin, topic, tmp_path, SOON, since=datetime(2010, 1, 1, tzinfo=UTC).date())
    assert all(r["published"] >= "2025-01-01" for r in records(tmp_path, "t").values())


def test_an_interrupted_first_harvest_counts_what_it_wrote(tmp_path: Path):
    """Ctrl-C in the middle of a first harvest: the papers fetched so far are written and
    the failure carries their count, for the topic's line and the report."""
    standin = Standin()

    def interrupt(params: dict[str, str]) -> Reply:
        raise Interrupted(signal.SIGINT)

    standin.script = [None, None, interrupt]
    with pytest.raises(TopicFailed) as failed:
        at(standin, Topic(name="t", query="all:x"), tmp_path, SOON)
    assert isinstance(failed.value.cause, Interrupted)
    assert failed.value.result.written
    assert failed.value.result.counts.new == len(records(tmp_path, "t")) == 50


def test_a_watermark_ahead_of_now_is_read_as_now(standin: Standin, tmp_path: Path):
    """A state whose watermark is in the future (a fast clock) still walks back from now,
    so a new version submitted today is found."""
    topic = Topic(name="t", query="all:x", refresh_days=0)
    at(standin, topic, tmp_path, SOON - timedelta(days=1))
    path = state.path_for(tmp_path, "t")
    saved = state.load(path)
    assert saved is not None
    state.save(path, saved.model_copy(update={"watermark": SOON + timedelta(days=365)}))
    bumped = bump(standin, 3, "Today's version")
    assert at(standin, topic, tmp_path, SOON + timedelta(hours=1)).counts.updated == 1
    assert records(tmp_path, "t")[bumped.key]["title"] == "Today's version"


def test_a_capped_fallback_leaves_the_watermark_where_an_older_papers_update_is_found(
    tmp_path: Path,
):
    """An update of an older paper, below the newest `max_results` a capped fallback
    fetches, is found by the next walk that can be trusted: the fallbacks left the
    watermark where it was (moved, that walk's cutoff would pass the update)."""
    oldest = _capped_fallbacks(tmp_path, lambda base: min(base, key=lambda e: e.published))
    assert records(tmp_path, "t")[oldest.key]["title"] == "V2"
