"""Issue #4: incremental and complete, against the stand-in arXiv and its limits."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harvester import state, store
from harvester.cli import main
from harvester.client import ArxivClient
from harvester.config import Topic
from harvester.harvest import TopicFailed, harvest_topic
from harvester.pacer import Pacer
from tests.standin import MAX_OFFSET, Entry, Reply, Scripted, Standin, synthetic_entries

# "Just now": after the watermark a first run sets, whenever the suite runs.
SOON = (datetime.now(UTC) - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def argv(standin: Standin, config: Path, *extra: str) -> list[str]:
    return [
        "--config", str(config), "--data-dir", str(config.parent / "data"),
        "--api-url", standin.url, "--delay", "0", *extra,
    ]  # fmt: skip


def tree(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `directory` (lock files aside) with its bytes and mtime."""
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and ".harvest.lock" not in p.name
    }


def records(config: Path, topic: str = "rlhf_code") -> dict[str, dict[str, Any]]:
    path = config.parent / "data" / f"{topic}.json"
    return {r["arxiv_id"].rsplit("v", 1)[0]: r for r in json.loads(path.read_bytes())}


def test_first_run_pages_then_reruns_cost_one_request_and_no_byte(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str]
):
    """A first run costs ceil(N / page) requests per topic; a re-run one request and no byte."""
    assert main(argv(standin, config, "--page-size", "25")) == 0
    assert len(standin.requests) == 2 * math.ceil(111 / 25)
    before = tree(config.parent / "data")
    standin.requests.clear()
    capsys.readouterr()
    assert main(argv(standin, config, "--page-size", "25")) == 0
    assert len(standin.requests) == 2
    assert all("lastUpdatedDate:[" in r["search_query"] for r in standin.requests)
    assert all(r["sortBy"] == "lastUpdatedDate" for r in standin.requests)
    assert tree(config.parent / "data") == before
    out = capsys.readouterr().out.splitlines()
    assert "0 new, 0 updated" in out[0]
    assert "1 request in" in out[0]
    assert "(incremental, file unchanged)" in out[0]
    assert out[-1].startswith("Harvested 2 topics: 0 new, 0 updated, 0 unchanged; 2 requests in ")


def test_new_papers_and_versions_cost_one_request_and_change_only_them(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str]
):
    """3 new papers and 2 new versions: one request per topic, a diff of exactly 5 records."""
    assert main(argv(standin, config, "--page-size", "25")) == 0
    before = records(config)
    template = standin.entries[40]
    added = [template.rewritten(f"2611.1000{i}v1", SOON.replace(minute=i)) for i in range(3)]
    bumped = {10: "Second thoughts", 70: "Revised and extended"}
    for index, title in bumped.items():
        entry = standin.entries[index]
        version = int(entry.arxiv_id.rsplit("v", 1)[1]) + 1
        standin.entries[index] = entry.new_version(version, title=title, updated=SOON)
    standin.entries.extend(added)
    standin.requests.clear()
    capsys.readouterr()
    assert main(argv(standin, config, "--page-size", "25")) == 0
    assert len(standin.requests) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("rlhf_code: 3 new, 2 updated, ")
    assert out[1].startswith("llm_alignment: 3 new, 2 updated, ")
    after = records(config)
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert changed == {e.key for e in added} | {standin.entries[i].key for i in bumped}
    assert all(after[standin.entries[i].key]["title"] == bumped[i] for i in bumped)
    assert all(
        after[standin.entries[i].key]["updated"] == f"{SOON:%Y-%m-%dT%H:%M:%SZ}" for i in bumped
    )


def test_results_in_the_wrong_order_fall_back_and_miss_nothing(
    config: Path, capsys: pytest.CaptureFixture[str]
):
    """A server that ignores sortBy still yields every paper; the log says it fell back."""
    with Standin(ignore_sort=True) as standin:
        assert main(argv(standin, config, "--page-size", "25", "--topic", "rlhf_code")) == 0
        assert set(records(config)) == {e.key for e in standin.entries}
    err = capsys.readouterr().err
    assert "WARNING submittedDate 1991-01-01 00:00 to " in err
    assert "arXiv returned results out of order; fell back to fetching it in windows" in err


def test_paging_without_the_order_check_would_have_missed_papers():
    """The stand-in's wrong order really does lose papers to plain paging (the test has teeth)."""
    standin = Standin(ignore_sort=True)
    seen = {e.key for start in range(0, 111, 25) for e in standin.matching()[start : start + 25]}
    assert len(seen) < 111


def test_paper_that_stops_matching_stays(standin: Standin, config: Path):
    """A paper arXiv no longer returns for the query stays in the topic's file."""
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    gone = standin.entries.pop(5)
    assert main(argv(standin, config, "--topic", "rlhf_code", "--full")) == 0
    kept = records(config)
    assert gone.key in kept
    assert len(kept) == 111


def test_since_flag_is_one_off_and_changed_query_harvests_in_full(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str]
):
    """--since fetches from that date without touching the state; a new query starts over."""
    assert main(argv(standin, config, "--topic", "rlhf_code", "--since", "2026-01-01")) == 0
    assert "submittedDate:[202601010000 TO " in standin.requests[0]["search_query"]
    assert not (config.parent / "data" / ".harvest").exists()
    assert all(str(r["published"]) >= "2026-01-01" for r in records(config).values())
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    saved = state.load(state.path_for(config.parent / "data", "rlhf_code"))
    assert saved is not None
    assert saved.complete
    config.write_text(config.read_text().replace('all:"RLHF"', 'all:"RLAIF"'))
    capsys.readouterr()
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    assert "(full, file unchanged)" in capsys.readouterr().out


def test_corrupt_state_fails_the_topic_and_leaves_it(standin: Standin, config: Path, capsys):
    """A broken state file fails its topic with the file named; nothing is fetched for it."""
    path = state.path_for(config.parent / "data", "rlhf_code")
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"query": 1}')
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 1
    assert f"ERROR rlhf_code: {path}: invalid harvest state: query:" in capsys.readouterr().err
    assert path.read_bytes() == b'{"query": 1}'
    assert standin.requests == []


@pytest.fixture(scope="module")
def big() -> list[Entry]:
    """70,000 papers made from the recorded ones, one every 30 minutes from 2022 on."""
    return synthetic_entries(70_000, first=datetime(2022, 1, 1, tzinfo=UTC), step_minutes=30)


def _windows_asked(requests: list[dict[str, str]]) -> list[str]:
    return [r["search_query"].rsplit("submittedDate:", 1)[1] for r in requests]


def test_70000_papers_through_windows_resuming_after_a_kill(
    big: list[Entry], tmp_path: Path, harvest_bin: str
):
    """Past the 30,000 cap by windows; killed mid-way and re-run, no finished window is refetched."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.broad]\nquery = "cat:cs.LG"\nsince = 2022-01-01\n')
    data = tmp_path / "data"
    page = 2000
    reached, never = threading.Event(), threading.Event()

    def hang(params: dict[str, str]) -> Reply:
        reached.set()
        never.wait(timeout=60)
        return Reply(status=503)

    script: list[Scripted] = [None] * 20
    with Standin(entries=big, script=[*script, hang]) as standin:
        args = [harvest_bin, *argv(standin, config, "--page-size", str(page))]
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert reached.wait(timeout=120)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        never.set()
        first_run = list(standin.requests)
        interrupted = state.load(state.path_for(data, "broad"))
        assert interrupted is not None
        assert not interrupted.complete
        assert len(interrupted.done) >= 1
        stored_then = len(json.loads((data / "broad.json").read_bytes()))
        assert 0 < stored_then < 70_000

        standin.requests.clear()
        assert main(argv(standin, config, "--page-size", str(page))) == 0
        second_run = list(standin.requests)

    finished = {
        f"[{start:%Y%m%d%H%M} TO " for start, _ in interrupted.done
    }  # the windows the killed run completed
    assert not any(asked.startswith(tuple(finished)) for asked in _windows_asked(second_run))
    final = json.loads((data / "broad.json").read_bytes())
    assert len(final) == 70_000
    assert {r["arxiv_id"] for r in final} == {e.arxiv_id for e in big}
    assert all(int(r["start"]) < MAX_OFFSET for r in first_run + second_run)
    assert all(int(r["max_results"]) <= page for r in first_run + second_run)
    saved = state.load(state.path_for(data, "broad"))
    assert saved is not None
    assert saved.complete

    # The request count: one per page, plus one per window that had to be split.
    fetched_pages = math.ceil(70_000 / page)
    total = len(first_run) - 1 + len(second_run)  # the hung request returned nothing
    windows = len(set(_windows_asked(first_run + second_run)))
    assert total <= 1.1 * (fetched_pages + windows)


def _new_papers(standin: Standin, count: int) -> list[Entry]:
    """`count` new papers, one a minute up to SOON, made from a recorded one."""
    template = standin.entries[40]
    return [
        template.rewritten(f"2611.2{i:04d}v1", SOON - timedelta(minutes=i)) for i in range(count)
    ]


def test_failed_incremental_run_stores_nothing_and_the_next_run_gets_all(
    standin: Standin, config: Path
):
    """A split incremental run that fails keeps no half: the next run still finds every paper."""
    args = argv(standin, config, "--page-size", "25", "--topic", "rlhf_code")
    assert main(args) == 0
    before = (config.parent / "data" / "rlhf_code.json").read_bytes()
    added = _new_papers(standin, 30)
    standin.entries.extend(added)
    standin.ignore_sort = True  # forces the fallback into windows ...
    script: list[Scripted] = [None] * 3
    standin.script = script + [Reply(status=503)] * 30  # ... of which a later one fails
    assert main(args, sleep=lambda _: None) == 1
    assert (config.parent / "data" / "rlhf_code.json").read_bytes() == before
    standin.ignore_sort = False
    standin.script = []
    assert main(args) == 0
    assert {e.key for e in added} <= set(records(config))


def test_max_results_caps_the_first_harvest_but_never_drops_updates(
    standin: Standin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A capped topic is its newest N papers; later runs take every update, however many."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.rlhf_code]\nquery = "all:rl"\nmax_results = 20\n')
    assert main(argv(standin, config)) == 0
    assert len(records(config)) == 20
    assert set(records(config)) == {e.key for e in standin.entries[:20]}
    added = _new_papers(standin, 30)
    standin.entries.extend(added)
    capsys.readouterr()
    assert main(argv(standin, config)) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 30 new")
    assert {e.key for e in added} <= set(records(config))


def test_empty_topic_reruns_change_no_byte(standin: Standin, config: Path):
    """A topic with no papers yet costs one request a run and never rewrites its state."""
    standin.entries = []
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    before = tree(config.parent / "data")
    assert json.loads(before["rlhf_code.json"][0]) == []
    standin.requests.clear()
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    assert len(standin.requests) == 1
    assert "lastUpdatedDate:[" in standin.requests[0]["search_query"]
    assert tree(config.parent / "data") == before


def test_failed_first_harvest_reports_the_windows_it_wrote(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str]
):
    """Windows finished before a failure stay written, and the run's report says so."""
    standin.ignore_sort = True
    script: list[Scripted] = [None] * 9  # a full run takes 13 requests
    standin.script = script + [Reply(status=503)] * 60
    report = config.parent / "report.json"
    args = argv(
        standin, config, "--page-size", "25", "--topic", "rlhf_code", "--report", str(report)
    )
    assert main(args, sleep=lambda _: None) == 1
    stored = records(config)
    assert 0 < len(stored) < 111
    topic = json.loads(report.read_text())["topics"]["rlhf_code"]
    assert topic["written"] is True
    assert topic["new"] == len(stored)
    assert topic["error"].startswith("HTTP 503")
    assert "rlhf_code: failed after " in capsys.readouterr().out


def test_one_off_since_run_does_not_move_the_watermark(standin: Standin, config: Path, capsys):
    """After a --since run, a new version of an older paper is still found by the next run."""
    args = argv(standin, config, "--topic", "rlhf_code")
    assert main(args) == 0
    state_file = state.path_for(config.parent / "data", "rlhf_code")
    before = state_file.read_bytes()
    assert main([*args, "--since", "2026-04-01"]) == 0
    assert state_file.read_bytes() == before
    old = standin.entries[60]
    version = int(old.arxiv_id.rsplit("v", 1)[1]) + 1
    standin.entries[60] = old.new_version(version, title="Later", updated=SOON)
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 0 new, 1 updated")


def _harvest_at(standin: Standin, topic: Topic, data: Path, now: datetime, **kwargs: Any) -> None:
    pacer = Pacer(delay_seconds=0)
    with ArxivClient(
        api_url=standin.url, pacer=pacer, page_size=25, sleep=lambda _: None
    ) as client:
        harvest_topic(topic, client=client, data_dir=data, now=now, **kwargs)


def test_first_harvest_resumed_weeks_later_misses_nothing_submitted_meanwhile(
    standin: Standin, tmp_path: Path
):
    """Papers that appear while an interrupted first harvest waits are caught afterwards."""
    topic = Topic(name="t", query="all:x")
    data = tmp_path / "data"
    first_try = datetime(2026, 6, 1, tzinfo=UTC)
    standin.entries = [e for e in standin.entries if e.updated < first_try]
    standin.ignore_sort = True  # windows, so that the first try finishes some before failing
    script: list[Scripted] = [None] * 9
    standin.script = script + [Reply(status=503)] * 60
    with pytest.raises(TopicFailed):
        _harvest_at(standin, topic, data, first_try)
    interrupted = state.load(state.path_for(data, "t"))
    assert interrupted is not None
    assert interrupted.done
    assert not interrupted.complete
    meanwhile = standin.entries[5].rewritten("2606.99999v1", first_try + timedelta(days=10))
    standin.entries.append(meanwhile)
    standin.script = []
    _harvest_at(standin, topic, data, first_try + timedelta(days=40))  # resumes and completes
    _harvest_at(standin, topic, data, first_try + timedelta(days=41))  # incremental
    stored = json.loads((data / "t.json").read_bytes())
    assert meanwhile.arxiv_id in {r["arxiv_id"] for r in stored}
    assert len(stored) == len(standin.entries)


def test_resumed_capped_harvest_stops_at_the_cap(standin: Standin, tmp_path: Path):
    """A capped first harvest that is interrupted and resumed ends with the cap, not more."""
    topic = Topic(name="t", query="all:x", max_results=30)
    data = tmp_path / "data"
    standin.ignore_sort = True
    script: list[Scripted] = [None] * 5  # the 5th request finishes a window of 22 papers
    standin.script = script + [Reply(status=503)] * 60
    with pytest.raises(TopicFailed):
        _harvest_at(standin, topic, data, SOON)
    assert 0 < len(json.loads((data / "t.json").read_bytes())) < 30
    standin.script = []
    _harvest_at(standin, topic, data, SOON)
    assert len(json.loads((data / "t.json").read_bytes())) == 30


def test_first_harvest_writes_windows_in_batches(
    standin: Standin, config: Path, monkeypatch: pytest.MonkeyPatch
):
    """Many small windows make one write of the topic file, not one per window."""
    saves: list[int] = []
    real_save = store.save

    def counting_save(path: Path, papers: Any) -> bool:
        saves.append(1)
        return real_save(path, papers)

    monkeypatch.setattr(store, "save", counting_save)
    standin.ignore_sort = True  # falls back to one-page windows: several of them
    assert main(argv(standin, config, "--page-size", "25", "--topic", "rlhf_code")) == 0
    assert len(standin.requests) > 5
    assert len(saves) == 1
    assert len(records(config)) == 111
