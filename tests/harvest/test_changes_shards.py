"""The change feed and set topics on a topic stored a year per file: each change reaches
its paper's shard, the topic's own harvest and the next runs read no file they need not,
and a set topic that grows past the limit is cut with nothing lost."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harvester import files
from harvester.cli import main
from harvester.config import Topic, load_config
from harvester.db import rows, seen, shards, state, store
from harvester.db.shards import TopicFiles
from harvester.harvest import changes, feed_merge, sets
from harvester.models import Paper
from harvester.outputs import audit
from tests.conftest import RLHF_QUERY, argv, records, tool, tree
from tests.oai_standin import OaiPaper, OaiStandin, Version, many, of_record, offline
from tests.standin import Standin, synthetic_entries

NOW = datetime.now(UTC)
FIRST = datetime(2023, 1, 2, tzinfo=UTC)
LIMIT = 300_000
"""300 synthetic papers (about 1.7 kB each) pass this; a year of them does not."""


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are cut at `LIMIT` bytes instead of 40 MB."""
    monkeypatch.setattr(shards, "LIMIT_BYTES", LIMIT)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the data files read (parsed or hashed), state files aside."""
    read: list[str] = []
    load, load_rows, read_bytes = store.load, store.load_rows, files.read_bytes

    def note(path: Path) -> None:
        if ".harvest" not in path.parts and path.suffix == ".json":
            read.append(f"{path.parent.name}/{path.name}")

    def counting_load(path: Path) -> dict[str, Paper]:
        note(path)
        return load(path)

    def counting_load_rows(path: Path) -> dict[str, rows.Row]:
        note(path)
        return load_rows(path)

    def counting_read(path: Path, *, links: bool = True) -> bytes:
        note(path)
        return read_bytes(path, links=links)

    monkeypatch.setattr(store, "load", counting_load)
    monkeypatch.setattr(store, "load_rows", counting_load_rows)
    monkeypatch.setattr(files, "read_bytes", counting_read)
    return read


def data_files(data: Path) -> list[str]:
    return sorted(
        str(p.relative_to(data)) for p in data.rglob("*.json") if ".harvest" not in p.parts
    )


def _sharded(tmp_path: Path) -> tuple[Standin, OaiStandin, Path, Path]:
    """A query topic `t` of 300 papers over 2023-2025, fed, and the two stand-ins."""
    config = tmp_path / "queries.toml"
    config.write_text(f"[defaults]\nchange_feed = true\n\n[topics.t]\nquery = '{RLHF_QUERY}'\n")
    standin = Standin(entries=synthetic_entries(300, first=FIRST, step_minutes=3 * 24 * 60))
    return standin, OaiStandin(today=NOW.date()), config, tmp_path / "data"


def _across_years(stored: dict[str, Paper]) -> list[str]:
    """Eight papers, spread over the years: changed below as 3 DOIs, 2 journal
    references, 2 new versions and a withdrawal."""
    by_year: dict[int, list[str]] = {}
    for key in sorted(stored):
        by_year.setdefault(stored[key].published.year, []).append(key)
    chosen = [keys[i] for i in range(3) for keys in by_year.values()]
    return chosen[:8]


def test_a_day_of_changes_reaches_the_shards_of_a_sharded_topic(tmp_path: Path):
    """DOIs, journal references, new versions and a withdrawal reach the year files of
    their papers; no `t.json` appears beside the folder, `check` is valid, the count is
    unchanged, and a second identical run changes no byte."""
    standin, oai, config, data = _sharded(tmp_path)
    with standin, oai:
        flags = [*argv(standin, config), "--oai-url", oai.url]
        assert main(flags) == 0
        assert data_files(data) == ["t/2023.json", "t/2024.json", "t/2025.json"]
        stored = {k: Paper.model_validate(r) for k, r in records(data, "t").items()}
        oai.add(*(of_record(p) for p in stored.values()))
        keys = _across_years(stored)
        assert len({stored[k].published.year for k in keys}) == 3
        changed = [oai.papers[k] for k in keys]
        oai.add(*(p.changed(NOW, doi=f"10.1000/{i}") for i, p in enumerate(changed[:3])))
        oai.add(*(p.changed(NOW, journal_ref=f"J. {i}") for i, p in enumerate(changed[3:5])))
        oai.add(*(p.new_version(NOW) for p in changed[5:7]))
        oai.add(changed[7].new_version(NOW, withdrawn=True))
        for key in keys[5:7]:  # the query API sees the new versions too
            entry = next(e for e in standin.entries if e.key == key)
            title = stored[key].title
            standin.entries.append(entry.new_version(2, title=title, updated=NOW))
        before = tree(data)
        assert main(flags) == 0
        after_run = tree(data)
        assert main(flags) == 0
        assert tree(data) == after_run
    assert data_files(data) == ["t/2023.json", "t/2024.json", "t/2025.json"]
    after = {k: Paper.model_validate(r) for k, r in records(data, "t").items()}
    assert len(after) == 300
    assert [after[k].doi for k in keys[:3]] == ["10.1000/0", "10.1000/1", "10.1000/2"]
    assert [after[k].journal_ref for k in keys[3:5]] == ["J. 0", "J. 1"]
    assert all(after[k].version == 2 for k in keys[5:8])
    assert after[keys[7]].withdrawn is True
    for key in keys:  # each in the file of its year, and only there
        year = f"t/{stored[key].published.year}.json"
        assert key in store.load(data / year)
        assert after_run[year] != before[year]
    changed_files = {n for n in after_run if n in before and after_run[n] != before[n]}
    assert {n for n in changed_files if not n.startswith(".harvest")} == {
        f"t/{y}.json" for y in (2023, 2024, 2025)
    }
    assert tool("check", config) == 0
    counts, problems = audit.check(config, data)
    assert problems == []
    assert {str(p.relative_to(data)): n for p, n in counts.items()} == {
        "t/2023.json": 122,
        "t/2024.json": 122,
        "t/2025.json": 56,
    }


def test_after_the_feed_writes_a_shard_the_topic_harvest_reads_no_data_file(
    tmp_path: Path, reads: list[str]
):
    """A run whose feed rewrote one year file leaves the topic's stamps current: in the
    next run, with nothing new on either interface, no data file is read and no byte
    changes; a day of changes to one year's papers (listed by the feed, or found by the
    topic's harvest) reads only that year's file, and the quiet day after it again none."""
    standin, oai, config, data = _sharded(tmp_path)
    with standin, oai:
        flags = [*argv(standin, config), "--oai-url", oai.url]
        assert main(flags) == 0
        stored = {k: Paper.model_validate(r) for k, r in records(data, "t").items()}
        oai.add(*(of_record(p) for p in stored.values()))
        key = min(k for k, p in stored.items() if p.published.year == 2024)
        oai.add(oai.papers[key].changed(NOW, doi="10.1000/x"))
        reads.clear()
        assert main(flags) == 0
        # The sets that cover the files were found by the first harvest's run (its cursor),
        # so the feed reads only the file it merges into; the topic's harvest trusts the
        # others unread and reads the one the feed wrote.
        assert Counter(reads) == {"t/2024.json": 2}
        assert store.load(data / "t/2024.json")[key].doi == "10.1000/x"
        saved = state.load(state.path_for(data, "t"))
        assert saved is not None
        assert saved.files["t/2024.json"].blob == seen.blob_id((data / "t/2024.json").read_bytes())
        oai.papers = {}  # a list with nothing in it
        before = tree(data)
        reads.clear()
        assert main(flags) == 0
        # The covering sets are kept with the cursor, the stamps current: nothing is read.
        assert reads == []
        assert tree(data) == before
        old = min(k for k, p in stored.items() if p.published.year == 2023)
        oai.add(of_record(stored[old]).changed(NOW, doi="10.1000/y"))
        reads.clear()
        assert main(flags) == 0
        assert Counter(reads) == {"t/2023.json": 2}  # the feed's merge, the harvest's check
        assert store.load(data / "t/2023.json")[old].doi == "10.1000/y"
        oai.papers = {}
        before = tree(data)
        reads.clear()
        assert main(flags) == 0
        assert reads == []
        assert tree(data) == before
        # A new version only the query API sees: the topic's harvest writes its year,
        # read again once after it (the kept sets still cover it); the next day the feed
        # reads nothing, the walk finding the version again (its overlap) reads its year.
        late = max(k for k, p in stored.items() if p.published.year == 2025)
        entry = next(e for e in standin.entries if e.key == late)
        standin.entries.append(entry.new_version(2, title=stored[late].title, updated=NOW))
        reads.clear()
        assert main(flags) == 0
        assert set(reads) == {"t/2025.json"}
        before = tree(data)
        reads.clear()
        assert main(flags) == 0
    assert reads == ["t/2025.json"]
    assert tree(data) == before


def test_a_cursor_of_the_old_shape_is_read_and_its_sets_computed(tmp_path: Path, reads: list[str]):
    """A cursor without covering sets is read: the sets are computed from every file
    once, kept, and the next quiet run reads no data file."""
    standin, oai, config, data = _sharded(tmp_path)
    with standin, oai:
        flags = [*argv(standin, config), "--oai-url", oai.url]
        assert main(flags) == 0
        assert main(flags) == 0
        cursor = data / ".harvest/oai/changes.json"
        shaped = json.loads(cursor.read_bytes())
        assert shaped["covering"] == [""]
        cursor.write_text(json.dumps({"last": shaped["last"]}))
        reads.clear()
        assert main(flags) == 0
        assert sorted(reads) == ["t/2023.json", "t/2024.json", "t/2025.json"]
        assert json.loads(cursor.read_bytes()) == shaped
        reads.clear()
        assert main(flags) == 0
    assert reads == []


def test_a_set_topic_that_grows_past_the_limit_is_cut_and_complete(tmp_path: Path):
    """A set topic whose first listing of 600 papers (2023-2026) passes the limit is stored
    a year per file with every paper; the feed's new papers join their year, and a re-run
    changes no byte."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.lg]\nset = "cs:cs:LG"\n')
    data = tmp_path / "data"
    listed = many(600, days=[NOW.date() - timedelta(days=40)])
    listed = [
        OaiPaper(
            p.paper_id,
            (Version(FIRST + timedelta(days=2 * n)),),
            p.modtime,
            abstract="An abstract. " * 60,
        )
        for n, p in enumerate(listed)
    ]
    with OaiStandin(today=NOW.date(), limit=100) as oai, Standin() as query:
        oai.add(*listed)
        flags = ["--config", str(config), "--data-dir", str(data)]
        flags += ["--api-url", query.url, "--oai-url", oai.url, "--delay", "0"]
        assert main(flags) == 0
        years = Counter(str(p.versions[0].created.year) for p in listed)
        assert data_files(data) == [f"lg/{y}.json" for y in sorted(years)]
        assert {y: len(store.load(data / f"lg/{y}.json")) for y in years} == dict(years)
        fresh = [
            OaiPaper(f"2601.{n:05d}", (Version(NOW - timedelta(hours=n + 1)),), NOW)
            for n in range(3)
        ]
        oai.add(*fresh)
        assert main(flags) == 0
        after_run = tree(data)
        assert main(flags) == 0
        assert tree(data) == after_run
        assert query.requests == []
    assert set(records(data, "lg")) == {p.paper_id for p in [*listed, *fresh]}
    assert f"lg/{NOW.year}.json" in data_files(data)
    assert not (data / "lg.json").exists()
    assert tool("check", config) == 0
    counts, problems = audit.check(config, data)
    assert problems == []
    assert sum(counts.values()) == 603


def test_a_set_topic_the_feed_pushes_past_the_limit_is_cut_and_complete(tmp_path: Path):
    """A set topic of 100 papers in one file takes 150 new ones from the feed, passes the
    limit in that run and is cut a year per file with all 250; a re-run changes no byte."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.lg]\nset = "cs:cs:LG"\n')
    data = tmp_path / "data"
    old = NOW - timedelta(days=40)
    papers = [
        OaiPaper(
            f"2301.{n:05d}",
            (Version(FIRST + timedelta(days=5 * n)),),
            old if n < 100 else NOW,
            abstract="An abstract. " * 60,
        )
        for n in range(250)
    ]
    with OaiStandin(today=NOW.date(), limit=100) as oai, Standin() as query:
        oai.add(*papers[:100])
        flags = ["--config", str(config), "--data-dir", str(data)]
        flags += ["--api-url", query.url, "--oai-url", oai.url, "--delay", "0"]
        assert main(flags) == 0
        assert data_files(data) == ["lg.json"]
        oai.add(*papers[100:])
        assert main(flags) == 0
        after_run = tree(data)
        assert main(flags) == 0
        assert tree(data) == after_run
    years = Counter(str(p.versions[0].created.year) for p in papers)
    assert data_files(data) == [f"lg/{y}.json" for y in sorted(years)]
    assert {y: len(store.load(data / f"lg/{y}.json")) for y in years} == dict(years)
    assert tool("check", config) == 0


def test_a_set_topic_keeps_its_files_stamps_so_a_quiet_run_reads_none(
    tmp_path: Path, reads: list[str]
):
    """A set topic's state keeps its files' stamps, as a query topic's does: after its
    first listing, and after the feed writes one of its years, a quiet run reads no data
    file; a file edited by hand is noticed (read, then trusted again)."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.lg]\nset = "cs:cs:LG"\n')
    data = tmp_path / "data"
    listed = [
        OaiPaper(
            p.paper_id, (Version(FIRST + timedelta(days=2 * n)),), p.modtime, abstract="A. " * 250
        )
        for n, p in enumerate(many(400, days=[NOW.date() - timedelta(days=40)]))
    ]
    with OaiStandin(today=NOW.date(), limit=100) as oai, Standin() as query:
        oai.add(*listed)
        flags = ["--config", str(config), "--data-dir", str(data)]
        flags += ["--api-url", query.url, "--oai-url", oai.url, "--delay", "0"]
        assert main(flags) == 0
        assert len(data_files(data)) > 1
        saved = sets.load_state(sets.state_path(data, "lg"))
        assert saved is not None
        assert set(saved.files) == set(data_files(data))
        reads.clear()
        assert main(flags) == 0
        assert reads == []
        oai.add(listed[0].changed(NOW, doi="10.1000/x"))
        assert main(flags) == 0
        assert store.load(data / "lg/2023.json")[listed[0].paper_id].doi == "10.1000/x"
        oai.papers = {}  # a list with nothing in it
        reads.clear()
        assert main(flags) == 0
        assert reads == []
        edited = data / data_files(data)[-1]
        edited.write_text(edited.read_text().replace('"doi": null', '"doi": "10.1/h"', 1))
        reads.clear()
        assert main(flags) == 0
        assert reads == [str(edited.relative_to(data))]
        reads.clear()
        assert main(flags) == 0
        assert reads == []


def _set_topic_over_years(tmp_path: Path) -> tuple[OaiStandin, list[Topic], Path]:
    """A set topic `lg` of 300 papers first published 2023-2025 (a file a year), harvested."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.lg]\nset = "cs:cs:LG"\n')
    oai = OaiStandin(today=NOW.date())
    step = timedelta(days=3)
    oai.add(
        *(
            OaiPaper(
                f"{(FIRST + n * step):%y%m}.{n:05d}",
                (Version(FIRST + n * step),),
                FIRST + n * step,
                abstract="A sentence of an abstract. " * 40,
            )
            for n in range(300)
        )
    )
    topics = list(load_config(config).topics.values())
    data = tmp_path / "data"
    sets.harvest_set(topics[0], client=offline(oai), data_dir=data)
    assert data_files(data) == ["lg/2023.json", "lg/2024.json", "lg/2025.json"]
    return oai, topics, data


def _writes(monkeypatch: pytest.MonkeyPatch, events: list[str]) -> None:
    """Record each data file read as rows (`read NAME`) and written (`write NAME`)."""
    load_rows, write = store.load_rows, files.write

    def reading(path: Path) -> dict[str, rows.Row]:
        events.append(f"read {path.name}")
        return load_rows(path)

    def writing(path: Path, data: object) -> bool:
        if ".harvest" not in path.parts:
            events.append(f"write {path.name}")
        return write(path, data)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "load_rows", reading)
    monkeypatch.setattr(files, "write", writing)


def test_a_day_listed_over_several_pages_writes_each_file_it_touches_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Twenty-five DOIs in 2023 and 2025 papers, listed over three pages, are merged as one
    batch: each of the two files is read and written once, the 2024 file not at all."""
    oai, topics, data = _set_topic_over_years(tmp_path)
    keys = [k for k in sorted(oai.papers) if k.startswith(("23", "25"))][::7][:25]
    oai.add(*(oai.papers[k].changed(NOW, doi=f"10.1/{i}") for i, k in enumerate(keys)))
    oai.limit = 10
    events: list[str] = []
    _writes(monkeypatch, events)
    feed = changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    assert feed.requests == 3
    assert sorted(events) == [
        "read 2023.json",
        "read 2025.json",
        "write 2023.json",
        "write 2025.json",
    ]
    stored = TopicFiles(data, "lg").load()
    assert sum(p.doi is not None for p in stored.values()) == 25
    assert len(stored) == 300


def test_a_batch_spread_over_many_files_holds_a_few_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Changes in every year, merged within a budget of one file's bytes, read and write
    the files one after the other: never two read before the first is written."""
    oai, topics, data = _set_topic_over_years(tmp_path)
    keys = sorted(oai.papers)[::50]
    oai.add(*(oai.papers[k].changed(NOW, journal_ref=f"J. {i}") for i, k in enumerate(keys)))
    monkeypatch.setattr(feed_merge, "BATCH_FILE_BYTES", 1)
    events: list[str] = []
    _writes(monkeypatch, events)
    changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    assert events == [
        f"{verb} {year}.json" for year in (2023, 2024, 2025) for verb in ("read", "write")
    ]


def test_the_day_after_a_day_of_changes_reads_no_data_file(tmp_path: Path, reads: list[str]):
    """The next day's list brings the day before's changes again (it starts a day early):
    remembered as merged, they are passed over without reading a file; without the
    memory (another machine), they are read and change nothing; edited again, merged."""
    oai, topics, data = _set_topic_over_years(tmp_path)
    keys = sorted(oai.papers)[::40]
    oai.add(*(oai.papers[k].changed(NOW, doi=f"10.1/{i}") for i, k in enumerate(keys)))
    changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    reads.clear()
    before = tree(data)
    oai.next_day()
    quiet = changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    assert (quiet.listed, quiet.requests) == (len(keys), 1)
    assert reads == []
    assert tree(data) == before
    (data / ".harvest" / "oai" / "changes.seen").unlink()
    changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    assert sorted(set(reads)) == ["lg/2023.json", "lg/2024.json", "lg/2025.json"]
    edited = oai.papers[keys[0]].changed(NOW + timedelta(days=1), journal_ref="J. 1")
    oai.add(edited)
    again = changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    assert again.counts["lg"].revised == 1
    assert TopicFiles(data, "lg").load()[keys[0]].journal_ref == "J. 1"


def test_a_set_topic_trusts_unread_the_files_the_feed_wrote(tmp_path: Path, reads: list[str]):
    """After the change feed rewrote two of a set topic's files, its state stamps them as
    they are now: the topic's own harvest in the same run reads no file again."""
    oai, topics, data = _set_topic_over_years(tmp_path)
    keys = [k for k in sorted(oai.papers) if k.startswith(("23", "25"))][::30]
    oai.add(*(oai.papers[k].changed(NOW, doi=f"10.1/{i}") for i, k in enumerate(keys)))
    changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    reads.clear()
    assert sets.harvest_set(topics[0], client=offline(oai), data_dir=data).requests == 0
    assert reads == []


def test_a_listed_v1_date_of_another_year_finds_the_paper_where_it_is_stored(tmp_path: Path):
    """A record of a stored 2023 paper whose v1 date arXiv now gives in 2024 is looked up in
    the file its id's month names too: merged there (revised, its `published` kept), not
    filed a second time in 2024's file."""
    oai, topics, data = _set_topic_over_years(tmp_path)
    key = next(k for k in sorted(oai.papers) if k.startswith("2303"))
    moved = oai.papers[key]
    later = datetime(2024, 6, 1, tzinfo=UTC)
    oai.add(replace(moved, versions=(Version(later),), modtime=NOW, doi="10.1/moved"))
    feed = changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    assert (feed.counts["lg"].new, feed.counts["lg"].revised) == (0, 1)
    stored = TopicFiles(data, "lg")
    keys = [p.key for p in stored.each()]
    assert len(keys) == len(set(keys)) == 300
    kept = store.load(data / "lg" / "2023.json")[key]
    assert (kept.doi, kept.published) == ("10.1/moved", moved.versions[0].created.date())
