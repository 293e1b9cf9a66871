"""The change feed: one list over the fewest sets for every topic of a run, merged into
the topics that store the papers, its cursor moved only after a complete list."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from harvester.cli import main
from harvester.config import Topic, load_config
from harvester.db import state, store
from harvester.errors import Interrupted
from harvester.harvest import changes, sets
from harvester.harvest import cursor as feed_cursor
from harvester.harvest.sets import oai_dir
from tests.conftest import RLHF_QUERY, FakeTime, argv, closed_port, paper, tree
from tests.oai_standin import (
    OaiPaper,
    OaiStandin,
    Scripted,
    Version,
    error_document,
    of_record,
    offline,
)
from tests.standin import Reply, Standin

NOW = datetime.now(UTC)


def _progress(cursor: feed_cursor.Cursor | None) -> feed_cursor.Cursor | None:
    """A cursor without the covering sets it keeps: how far the feed has got."""
    return cursor and cursor.model_copy(update={"covering": None, "covered": None})


def _daily(tmp_path: Path) -> tuple[Standin, OaiStandin, Path, Path]:
    config = tmp_path / "queries.toml"
    config.write_text(
        f"[defaults]\nchange_feed = true\n\n[topics.rlhf_code]\nquery = '{RLHF_QUERY}'\n"
    )
    return Standin(), OaiStandin(today=NOW.date()), config, tmp_path / "data"


def test_a_day_of_changes_reaches_a_query_topic(tmp_path: Path):
    """Acceptance 1: 3 DOIs, 2 journal references, 2 new versions and a withdrawal reach
    the file the next day and are named in the report, for 1 query request and
    ceil(8 / 2,500) OAI requests."""
    standin, oai, config, data = _daily(tmp_path)
    with standin, oai:
        flags = [*argv(standin, config), "--oai-url", oai.url]
        assert main(flags) == 0
        assert oai.requests == []  # a first harvest: no feed yet
        stored = store.load(data / "rlhf_code.json")
        oai.add(*(of_record(p) for p in stored.values()))
        keys = sorted(stored)[:8]
        changed = [oai.papers[k] for k in keys]
        oai.add(*(p.changed(NOW, doi=f"10.1000/{i}") for i, p in enumerate(changed[:3])))
        oai.add(*(p.changed(NOW, journal_ref=f"J. {i}") for i, p in enumerate(changed[3:5])))
        oai.add(*(p.new_version(NOW) for p in changed[5:7]))
        oai.add(changed[7].new_version(NOW, withdrawn=True))
        for key in keys[5:7]:  # the query API sees the new versions too
            entry = max((e for e in standin.entries if e.key == key), key=lambda e: e.version)
            title = stored[key].title
            standin.entries.append(entry.new_version(entry.version + 1, title=title, updated=NOW))
        standin.requests.clear()
        report = tmp_path / "report.json"
        assert main([*flags, "--report", str(report)]) == 0
    after = store.load(data / "rlhf_code.json")
    assert [after[k].doi for k in keys[:3]] == ["10.1000/0", "10.1000/1", "10.1000/2"]
    assert [after[k].journal_ref for k in keys[3:5]] == ["J. 0", "J. 1"]
    assert all(after[k].version == stored[k].version + 1 for k in keys[5:8])
    assert after[keys[7]].withdrawn is True
    assert all(after[k].versions is not None for k in keys)
    named = json.loads(report.read_text())["topics"]["rlhf_code"]["changes"]
    kinds = {c["arxiv_id"].rpartition("v")[0]: c["change"] for c in named}
    assert Counter(kinds[k] for k in keys) == {"revised": 5, "updated": 2, "withdrawn": 1}
    assert len(standin.requests) == 1
    assert len(oai.requests) == 1
    assert oai.requests[0]["from"] == f"{NOW.date() - timedelta(days=1)}"
    assert "set" not in oai.requests[0]  # the recordings span cs, math and physics: all of arXiv


def _fed(tmp_path: Path, oai: OaiStandin) -> tuple[list[Topic], Path]:
    """A data directory whose topic `t` stores 30 papers and whose feed cursor is set."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.t]\nquery = "all:x"\nchange_feed = true\n')
    data = tmp_path / "data"
    data.mkdir()
    stored = [paper(f"2401.{n:05d}v1") for n in range(30)]
    store.save(store.path_for(data, "t"), stored)
    feed_cursor.save_cursor(
        oai_dir(data) / "changes.json", feed_cursor.Cursor(last=date(2026, 4, 1))
    )
    day = datetime(2026, 4, 2, 9, tzinfo=UTC)
    oai.add(
        *(of_record(p, modtime=day).changed(day, doi=f"10.1/{i}") for i, p in enumerate(stored))
    )
    return list(load_config(config).topics.values()), data


@pytest.mark.parametrize(
    "stop",
    [
        pytest.param([Reply(status=503)] * 5, id="a-page-that-keeps-failing"),
        pytest.param([lambda _: (_ for _ in ()).throw(Interrupted(2))], id="ctrl-c"),
    ],
)
def test_an_interrupted_list_resumes_from_its_last_page(
    tmp_path: Path, stop: list[Scripted], monkeypatch: pytest.MonkeyPatch
):
    """Acceptance 4: a list cut short keeps the pages it committed and their token; the
    cursor does not move until a later run has listed the rest."""
    monkeypatch.setattr(changes, "BATCH_RECORDS", 1)  # every page merged and committed
    oai = OaiStandin(today=date(2026, 4, 3), limit=10)
    topics, data = _fed(tmp_path, oai)
    oai.script = [None, *stop]
    with pytest.raises(changes.FeedFailed):
        changes.run_feed(topics, client=offline(oai), data_dir=data)
    cursor = feed_cursor.load_cursor(oai_dir(data) / "changes.json")
    assert cursor is not None
    assert cursor.last == date(2026, 4, 1)
    assert cursor.tokens
    assert sum(p.doi is not None for p in store.load(data / "t.json").values()) == 10
    oai.requests.clear()
    result = changes.run_feed(topics, client=offline(oai), data_dir=data)
    assert set(oai.requests[0]) == {"verb", "resumptionToken"}
    assert result.complete
    assert len(oai.requests) == 2
    assert all(p.doi is not None for p in store.load(data / "t.json").values())
    assert _progress(feed_cursor.load_cursor(oai_dir(data) / "changes.json")) == feed_cursor.Cursor(
        last=date(2026, 4, 2)
    )


def test_a_list_that_changed_nothing_before_it_was_cut_short_writes_nothing(tmp_path: Path):
    """A pass cut short after pages that changed no topic leaves the cursor file as it was
    (no token kept): the next run asks the whole list again, from the same day."""
    oai = OaiStandin(today=date(2026, 4, 3), limit=10)
    topics, data = _fed(tmp_path, oai)
    changes.run_feed(topics, client=offline(oai), data_dir=data)
    before = tree(data)
    oai.script = [None, *[Reply(status=503)] * 5]
    with pytest.raises(changes.FeedFailed):
        changes.run_feed(topics, client=offline(oai), data_dir=data)
    assert tree(data) == before
    oai.requests.clear()
    assert changes.run_feed(topics, client=offline(oai), data_dir=data).complete
    assert oai.requests[0]["from"] == "2026-04-01"
    assert tree(data) == before


@pytest.mark.parametrize(
    ("fault", "recovers"),
    [
        pytest.param(Reply(status=503, headers={"Retry-After": "5"}), True, id="503-retry-after"),
        pytest.param(Reply(body=b""), True, id="blank"),
        pytest.param(Reply(body=b"<?xml version='1.0'?><OAI-PMH"), True, id="truncated"),
        pytest.param(Reply(body=error_document("badArgument", "x")), False, id="oai-error"),
    ],
)
def test_a_fault_is_retried_or_reported_and_nothing_is_lost(
    tmp_path: Path, fault: Reply, recovers: bool
):
    """Acceptance 5: transient faults are asked again; an OAI error is reported; either
    way every stored paper stays and the cursor moves only after a complete list."""
    oai = OaiStandin(today=date(2026, 4, 3))
    topics, data = _fed(tmp_path, oai)
    before = store.load(data / "t.json")
    oai.script = [fault]
    if recovers:
        result = changes.run_feed(topics, client=offline(oai), data_dir=data)
        assert result.complete
        assert result.counts["t"].revised == 30
    else:
        with pytest.raises(changes.FeedFailed, match="badArgument"):
            changes.run_feed(topics, client=offline(oai), data_dir=data)
    after = store.load(data / "t.json")
    assert set(after) == set(before)
    moved = feed_cursor.load_cursor(oai_dir(data) / "changes.json")
    assert moved is not None
    assert moved.last == (date(2026, 4, 2) if recovers else date(2026, 4, 1))


def database(data: Path) -> dict[str, tuple[bytes, int]]:
    """The files of a data directory that git keeps: this machine's `.seen` records aside."""
    return {name: v for name, v in tree(data).items() if not name.endswith(".seen")}


def test_a_list_that_changes_nothing_changes_no_byte(tmp_path: Path):
    """A pass whose records are all stored as they are leaves every file of the database as
    it was (this machine's `.seen` records aside); the cursor moves for unrelated records
    only once it lags `MAX_LAG_DAYS` behind them."""
    oai = OaiStandin(today=date(2026, 4, 3))
    topics, data = _fed(tmp_path, oai)
    changes.run_feed(topics, client=offline(oai), data_dir=data)
    before = database(data)
    quiet = changes.run_feed(topics, client=offline(oai), data_dir=data)
    assert quiet.listed == 30
    assert database(data) == before
    elsewhere = OaiPaper(
        "2402.00001",
        (Version(datetime(2026, 4, 4, tzinfo=UTC)),),
        datetime(2026, 4, 4, tzinfo=UTC),
        categories="cs.CL",
    )
    oai.add(elsewhere)
    oai.today = date(2026, 4, 5)
    changes.run_feed(topics, client=offline(oai), data_dir=data)
    assert database(data) == before  # 2 days behind the newest: stays
    oai.add(elsewhere.changed(datetime(2026, 4, 5, 6, tzinfo=UTC)))
    changes.run_feed(topics, client=offline(oai), data_dir=data)
    assert _progress(feed_cursor.load_cursor(oai_dir(data) / "changes.json")) == feed_cursor.Cursor(
        last=date(2026, 4, 5)
    )


def test_a_failed_feed_fails_the_run_but_not_the_topics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """An OAI error document is reported on one line and exits 1; the topic is still
    harvested, its file and the cursor stay as they were."""
    standin, oai, config, data = _daily(tmp_path)
    with standin, oai:
        flags = [*argv(standin, config), "--oai-url", oai.url]
        assert main(flags) == 0
        before = (data / "rlhf_code.json").read_bytes()
        cursor = (oai_dir(data) / "changes.json").read_bytes()  # written with the harvest
        oai.script = [Reply(body=error_document("badArgument", "Set does not exist"))]
        capsys.readouterr()
        assert main(flags) == 1
    out, err = capsys.readouterr()
    assert "ERROR changes: OAI-PMH error badArgument" in err
    assert "rlhf_code: 0 new, 0 updated, 0 unchanged, 111 total" in out
    assert (data / "rlhf_code.json").read_bytes() == before
    assert (oai_dir(data) / "changes.json").read_bytes() == cursor


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        pytest.param("127.0.0.1:{port}", "connection refused", id="refused"),
        pytest.param("oaipmh.arxiv.invalid", "name not known", id="no-such-name"),
    ],
)
def test_an_unreachable_oai_host_is_named_in_each_retry_and_the_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], host: str, reason: str
):
    """OAI-PMH unreachable: each retry line and the error say `changes:` and name the host
    plainly, as the query API's do, and none of the feed's requests counts as answered."""
    host = host.replace("{port}", str(closed_port()))
    standin, _, config, _ = _daily(tmp_path)
    with standin:
        flags = [*argv(standin, config), "--oai-url", f"http://{host}/oai"]
        assert main(flags) == 0  # a first harvest: no feed yet
        capsys.readouterr()
        assert main(flags, sleep=FakeTime().sleep) == 1
    out, err = capsys.readouterr()
    warnings = [line.partition("; retrying")[0] for line in err.splitlines() if "WARN" in line]
    assert warnings == [
        f"WARNING changes: OAI-PMH attempt {n} of 5 failed: cannot reach {host}: {reason}"
        for n in range(1, 5)
    ]
    assert f"ERROR changes: cannot reach {host}: {reason}" in err.splitlines()
    assert "6 requests (1 answered)" in out.splitlines()[-1]


def test_a_dry_run_lists_but_writes_nothing(tmp_path: Path):
    """With --dry-run the feed lists and counts, and no file or cursor is written."""
    oai = OaiStandin(today=date(2026, 4, 3))
    topics, data = _fed(tmp_path, oai)
    before = tree(data)
    result = changes.run_feed(topics, client=offline(oai), data_dir=data, dry_run=True)
    assert result.counts["t"].revised == 30
    assert tree(data) == before


@pytest.mark.parametrize(
    ("complete", "expected"),
    [
        pytest.param(
            True, "changes: 2,600 records listed over cs from 2026-03-31 in 2 requests", id="whole"
        ),
        pytest.param(
            False,
            "changes: 2,600 records listed over cs from 2026-03-31 in 2 requests, "
            "then stopped (the next run lists them again)",
            id="cut-short",
        ),
    ],
)
def test_the_feeds_line_says_when_its_list_stopped(complete: bool, expected: str):
    """A list cut short (arXiv unreachable after a page) does not read as a whole one: the
    line after its ERROR says it stopped and the next run asks again."""
    result = changes.FeedResult(
        sets=["cs"],
        from_day=date(2026, 3, 31),
        listed=2600,
        requests=2,
        counts={},
        written=[],
        complete=complete,
    )
    assert changes.describe(result) == expected


def test_a_saved_token_the_server_refuses_is_dropped_and_the_set_listed_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """A garbage token in the cursor, answered badResumptionToken, is dropped with a
    warning and its set listed again from the cursor's day: the pass completes and the
    next run sends no token, rather than failing every day (issue 24)."""
    oai = OaiStandin(today=date(2026, 4, 3))
    topics, data = _fed(tmp_path, oai)
    path = oai_dir(data) / "changes.json"
    changes.run_feed(topics, client=offline(oai), data_dir=data)
    saved = feed_cursor.load_cursor(path)
    assert saved is not None
    assert saved.covering is not None
    [wanted] = saved.covering
    feed_cursor.save_cursor(path, saved.model_copy(update={"tokens": {wanted: "garbage"}}))
    oai.requests.clear()
    result = changes.run_feed(topics, client=offline(oai), data_dir=data)
    assert result.complete
    assert oai.requests[0] == {"verb": "ListRecords", "resumptionToken": "garbage"}
    assert "resumptionToken" not in oai.requests[1]
    assert oai.requests[1]["from"] == f"{saved.last - timedelta(days=1)}"
    after = feed_cursor.load_cursor(path)
    assert after is not None
    assert after.tokens == {}
    where = wanted or "all of arXiv"
    assert caplog.messages == [
        f"the server refused the saved resumption token of {where} (badResumptionToken); "
        f"listing it again from {saved.last - timedelta(days=1)}"
    ]


def test_a_listed_record_never_moves_a_stored_papers_published(tmp_path: Path):
    """A record whose v1 date is not the stored `published` (another year's) is merged
    onto the stored paper, which keeps its `published`, once (issue 24)."""
    oai = OaiStandin(today=date(2026, 4, 3))
    topics, data = _fed(tmp_path, oai)
    stored = store.load(data / "t.json")
    key = sorted(stored)[0]
    moved = oai.papers[key]
    other = datetime(2019, 5, 6, 7, tzinfo=UTC)
    oai.add(replace(moved, versions=(Version(other), *moved.versions[1:])))
    result = changes.run_feed(topics, client=offline(oai), data_dir=data)
    after = store.load(data / "t.json")
    assert after[key].published == stored[key].published
    assert after[key].doi is not None
    assert set(after) == set(stored)
    assert result.counts["t"].new == 0


def test_a_set_topic_of_an_archive_takes_a_new_paper_of_its_categories(tmp_path: Path):
    """A set topic of `cs` takes a new paper whose header lists it as `cs:cs:LG`."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.cs]\nset = "cs"\n')
    topics = list(load_config(config).topics.values())
    data = tmp_path / "data"
    oai = OaiStandin(today=NOW.date())
    first = NOW - timedelta(days=3)
    oai.add(OaiPaper("2401.00001", (Version(first),), first, categories="cs.LG"))
    sets.harvest_set(topics[0], client=offline(oai), data_dir=data)
    oai.add(OaiPaper("2401.00002", (Version(NOW),), NOW, categories="cs.LG"))
    result = changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    assert result.counts["cs"].new == 1
    assert set(store.load(data / "cs.json")) == {"2401.00001", "2401.00002"}


@pytest.mark.parametrize(
    ("authors", "names"),
    [
        pytest.param(
            "Ada Lovelace and Charles Babbage",
            ["Ada Lovelace", "Charles Babbage"],
            id="an-author-added",
        ),
        # arXiv's names: the initials spaced (`_tidy_name`), no affiliation, no suffix.
        pytest.param(
            "A.A. Lovelace Jr (Analytical Society)", ["A. A. Lovelace"], id="as-arxiv-serves-them"
        ),
    ],
)
def test_a_listed_change_takes_the_listed_author_names(
    tmp_path: Path, authors: str, names: list[str]
):
    """A listed record replaces the stored one's author names too, since OAI-PMH's are
    read as the names arXiv's query API serves."""
    oai = OaiStandin(today=date(2026, 4, 3))
    topics, data = _fed(tmp_path, oai)
    key = "2401.00000"
    oai.add(oai.papers[key].changed(datetime(2026, 4, 2, 10, tzinfo=UTC), authors=authors))
    changes.run_feed(topics, client=offline(oai), data_dir=data)
    after = store.load(data / "t.json")[key]
    assert (after.doi, after.authors) == ("10.1/0", names)


def test_a_new_version_listed_brings_its_author_names(tmp_path: Path):
    """A new version the feed lists replaces the stored record with its own author list."""
    oai = OaiStandin(today=date(2026, 4, 3))
    topics, data = _fed(tmp_path, oai)
    key = "2401.00000"
    when = datetime(2026, 4, 2, 10, tzinfo=UTC)
    oai.add(
        oai.papers[key].new_version(when).changed(when, authors="Ada Lovelace and Mary Somerville")
    )
    changes.run_feed(topics, client=offline(oai), data_dir=data)
    after = store.load(data / "t.json")[key]
    assert (after.arxiv_id, after.authors) == ("2401.00000v2", ["Ada Lovelace", "Mary Somerville"])


def test_the_first_list_starts_from_the_oldest_first_harvest(tmp_path: Path):
    """Without a cursor, the feed lists from the day before the earliest first harvest of its topics."""
    config = tmp_path / "queries.toml"
    config.write_text(
        '[defaults]\nchange_feed = true\n\n[topics.a]\nquery = "all:a"\n\n'
        '[topics.b]\nquery = "all:b"\n'
    )
    topics = list(load_config(config).topics.values())
    data = tmp_path / "data"
    for topic, day in zip(topics, [date(2026, 3, 25), date(2026, 3, 20)], strict=True):
        store.save(store.path_for(data, topic.name), [paper("2401.00001v1")])
        began = datetime.combine(day, datetime.min.time(), UTC)
        state.save(
            state.path_for(data, topic.name),
            state.TopicState(
                query=topic.query, since=None, until=began, complete=True, refreshed=began
            ),
        )
    oai = OaiStandin(today=date(2026, 4, 3))
    assert changes.fed(topics, data) == topics
    result = changes.run_feed(topics, client=offline(oai), data_dir=data)
    assert result.from_day == date(2026, 3, 19)
    assert oai.requests[0]["from"] == "2026-03-19"


def test_a_change_to_a_paper_published_on_the_since_day_is_merged(tmp_path: Path):
    """A topic's `since` day is included: a listed change of a paper published that day is merged."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.t]\nquery = "all:x"\nchange_feed = true\nsince = 2024-02-01\n')
    topics = list(load_config(config).topics.values())
    data = tmp_path / "data"
    stored = paper("2402.00001v1", published=date(2024, 2, 1))  # v1 at `updated`
    store.save(store.path_for(data, "t"), [stored])
    feed_cursor.save_cursor(
        oai_dir(data) / "changes.json", feed_cursor.Cursor(last=date(2026, 4, 1))
    )
    oai = OaiStandin(today=date(2026, 4, 3))
    day = datetime(2026, 4, 2, 9, tzinfo=UTC)
    oai.add(of_record(stored, modtime=day).changed(day, doi="10.1/since"))
    result = changes.run_feed(topics, client=offline(oai), data_dir=data)
    assert result.counts["t"].revised == 1
    assert store.load(data / "t.json")["2402.00001"].doi == "10.1/since"


def test_a_listed_change_of_categories_is_taken(tmp_path: Path):
    """A listed record with another set of categories (a new cross-list) replaces the stored ones."""
    oai = OaiStandin(today=date(2026, 4, 3))
    topics, data = _fed(tmp_path, oai)
    key = "2401.00001"
    when = datetime(2026, 4, 2, 10, tzinfo=UTC)
    oai.add(oai.papers[key].changed(when, categories="cs.LG cs.CL"))
    changes.run_feed(topics, client=offline(oai), data_dir=data)
    after = store.load(data / "t.json")[key]
    assert (after.categories, after.primary_category) == (["cs.LG", "cs.CL"], "cs.LG")


def test_a_list_cut_short_page_by_page_that_changed_nothing_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Merged a page at a time (not remembered as merged), a pass cut short after pages
    that changed nothing still saves no cursor."""
    monkeypatch.setattr(changes, "BATCH_RECORDS", 1)
    oai = OaiStandin(today=date(2026, 4, 3), limit=10)
    topics, data = _fed(tmp_path, oai)
    changes.run_feed(topics, client=offline(oai), data_dir=data)
    (oai_dir(data) / "changes.seen").unlink()  # another machine: the pages are merged again
    before = tree(data)
    oai.script = [None, *[Reply(status=503)] * 5]
    with pytest.raises(changes.FeedFailed):
        changes.run_feed(topics, client=offline(oai), data_dir=data)
    assert tree(data) == before
