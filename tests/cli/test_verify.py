"""`harvest verify` against both stand-ins over HTTP: papers taken out of a topic's files
by hand are named, `--repair` puts them back and changes nothing else, and the requests
are what `harvest plan` says; for a query topic, a set topic and a sharded topic."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harvester.cli import main
from harvester.db import shards, verified
from tests.conftest import tree
from tests.oai_standin import OaiPaper, OaiStandin, Version
from tests.standin import Standin, synthetic_entries

QUERY_TOPIC = "[topics.rl]\nquery = 'all:\"reinforcement learning\"'\nsince = 2022-01-01\n"
SET_TOPIC = '[topics.lg]\nset = "cs:cs:LG"\n'


@pytest.fixture
def standins() -> Iterator[tuple[Standin, OaiStandin]]:
    """The query API's stand-in (its recorded papers) and OAI-PMH's (120 papers of cs.LG
    over 2023-2026, each last changed two to four days before today: a harvest's change
    feed asks from its cursor (the day before its first harvest), so lists none of them)."""
    chooser = random.Random(25)
    today = datetime.now(UTC).date()
    papers = []
    for number in range(120):
        created = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=chooser.randrange(1150))
        day = today - timedelta(days=2 + number % 3)
        changed = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        key = f"{created:%y%m}.{number:05d}"
        papers.append(OaiPaper(key, (Version(created),), changed, categories="cs.LG"))
    with Standin() as query, OaiStandin(today=today) as oai:
        oai.add(*papers)
        yield query, oai


def _flags(root: Path, query: Standin, oai: OaiStandin) -> list[str]:
    return [
        "--config",
        str(root / "queries.toml"),
        "--data-dir",
        str(root / "data"),
        "--api-url",
        query.url,
        "--oai-url",
        oai.url,
        "--delay",
        "0",
    ]


def _verify(flags: list[str], *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = main(["verify", *flags, "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def _planned(flags: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    assert main(["plan", *flags, "--json"]) == 0
    (topic,) = json.loads(capsys.readouterr().out)["topics"]
    return int(topic["verify"]["requests"])


def _take_out(path: Path, count: int) -> list[dict[str, Any]]:
    """Remove `count` records from the middle of a topic file, as one would by hand."""
    records = json.loads(path.read_bytes())
    taken = records[2 : 2 + count]
    del records[2 : 2 + count]
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return list(taken)


def _keys(records: list[dict[str, Any]]) -> list[str]:
    return sorted(r["arxiv_id"].rsplit("v", 1)[0] for r in records)


def _data_files(data: Path) -> dict[str, bytes]:
    """The topic files' bytes, by path (the harvest state left out)."""
    return {k: v for k, (v, _) in tree(data).items() if not k.startswith(".harvest")}


def _round_trip(
    root: Path, flags: list[str], file: Path, capsys: pytest.CaptureFixture[str], *, months: bool
) -> None:
    """Harvest, take 3 out of `file`, verify (named, exit 1), repair (exit 0, every data
    file as harvested), verify again (complete, exit 0); a verify's requests are the
    plan's, and (with `months`: a query topic's) a count of each month of a year that
    differs and a listing of each month that differs."""
    assert main(flags) == 0
    capsys.readouterr()
    harvested = _data_files(root / "data")
    planned = _planned(flags, capsys)
    code, complete = _verify(flags, capsys=capsys)
    assert code == 0
    assert complete["topics"][0]["requests"] == planned
    assert complete["topics"][0]["missing"] == []

    taken = _take_out(file, 3)
    code, found = _verify(flags, capsys=capsys)
    assert code == 1
    (topic,) = found["topics"]
    assert sorted(topic["missing"]) == _keys(taken)
    assert topic["unlisted"] == []
    now = datetime.now(UTC)
    years = {int(r["published"][:4]) for r in taken}
    counts = sum(12 if year < now.year else now.month for year in years)
    listing = counts + len({r["published"][:7] for r in taken}) if months else 0
    assert topic["requests"] == planned + listing
    assert topic["listed"] == complete["topics"][0]["listed"]
    assert topic["stored"] == topic["listed"] - 3

    code, repaired = _verify(flags, "--repair", capsys=capsys)
    assert code == 0
    assert repaired["topics"][0]["repaired"] == 3
    assert _data_files(root / "data") == harvested

    assert main(["verify", *flags]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{topic['topic']}: complete, ")
    record = verified.load(root / "data").topics[topic["topic"]]
    assert (record.missing, record.repaired) == (0, 0)


def test_a_query_topic_missing_three_papers_is_named_and_repaired(
    tmp_path: Path, standins: tuple[Standin, OaiStandin], capsys: pytest.CaptureFixture[str]
):
    """A query topic with 3 papers taken out: their ids, exit 1; `--repair` stores them and
    the file is as harvested; then complete, exit 0. A verify counts each year (the
    plan's figure), each month of a year that differs, and lists each month that differs."""
    (tmp_path / "queries.toml").write_text(QUERY_TOPIC)
    flags = _flags(tmp_path, *standins)
    _round_trip(tmp_path, flags, tmp_path / "data" / "rl.json", capsys, months=True)


def test_a_set_topic_missing_three_papers_is_named_and_repaired(
    tmp_path: Path, standins: tuple[Standin, OaiStandin], capsys: pytest.CaptureFixture[str]
):
    """A set topic with 3 papers taken out: named by ListIdentifiers (one request: the
    plan's), and repaired from the records of the days they last changed on."""
    (tmp_path / "queries.toml").write_text(SET_TOPIC)
    flags = _flags(tmp_path, *standins)
    _round_trip(tmp_path, flags, tmp_path / "data" / "lg.json", capsys, months=False)
    assert standins[1].requests[-1]["verb"] == "ListIdentifiers"
    days = [r for r in standins[1].requests if r.get("until")]
    assert days
    assert all(r["from"] == r["until"] for r in days)


def test_a_sharded_topic_missing_three_papers_is_named_and_repaired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    """A query topic stored a year per file, 3 papers taken out of one year: named, and
    repaired into that year's file alone."""
    monkeypatch.setattr(shards, "LIMIT_BYTES", 800_000)
    # Not on whole hours: a paper submitted at the first second of a month is counted in
    # both windows that share that minute, and its month is listed to find out.
    first = datetime(2023, 1, 1, 0, 7, tzinfo=UTC)
    entries = synthetic_entries(900, first=first, step_minutes=1801)
    (tmp_path / "queries.toml").write_text(QUERY_TOPIC)
    with Standin(entries=entries) as query, OaiStandin(today=datetime.now(UTC).date()) as oai:
        flags = _flags(tmp_path, query, oai)
        _round_trip(tmp_path, flags, tmp_path / "data" / "rl" / "2023.json", capsys, months=True)
        assert sorted(p.name for p in (tmp_path / "data" / "rl").iterdir()) == [
            "2023.json",
            "2024.json",
            "2025.json",
            "2026.json",
        ]


def test_verify_prints_a_line_per_topic_naming_what_is_missing(
    tmp_path: Path, standins: tuple[Standin, OaiStandin], capsys: pytest.CaptureFixture[str]
):
    """Without --json: one line per topic, the missing ids by month, and the summary."""
    (tmp_path / "queries.toml").write_text(SET_TOPIC)
    flags = _flags(tmp_path, *standins)
    assert main(flags) == 0
    (taken,) = _keys(_take_out(tmp_path / "data" / "lg.json", 1))
    capsys.readouterr()
    assert main(["verify", *flags]) == 1
    first, summary = capsys.readouterr().out.splitlines()
    month = f"20{taken[:2]}-{taken[2:4]}"
    assert first == f"lg: 1 missing of 120 papers arXiv lists, in {month}: {taken}"
    assert summary.startswith("Verified 1 topic: 0 complete, 1 topic missing papers; 1 request")


def test_a_topic_not_harvested_in_full_is_not_verified(
    tmp_path: Path, standins: tuple[Standin, OaiStandin], capsys: pytest.CaptureFixture[str]
):
    """Before a topic's first harvest is complete everything would be missing: it is not
    verified (exit 1, one line), and nothing is asked of arXiv."""
    (tmp_path / "queries.toml").write_text(QUERY_TOPIC)
    (tmp_path / "data").mkdir()  # none at all is refused before the config is read
    query, oai = standins
    assert main(["verify", *_flags(tmp_path, query, oai)]) == 1
    captured = capsys.readouterr()
    assert captured.err == "ERROR rl: not verified: its first harvest is not complete\n"
    assert query.requests == oai.requests == []
    assert not verified.path_for(tmp_path / "data").exists()


def test_stored_papers_arxiv_no_longer_lists_are_named_not_removed(
    tmp_path: Path, standins: tuple[Standin, OaiStandin], capsys: pytest.CaptureFixture[str]
):
    """A paper that left the set is named as no longer listed, kept, and does not make
    the topic incomplete (exit 0)."""
    (tmp_path / "queries.toml").write_text(SET_TOPIC)
    query, oai = standins
    flags = _flags(tmp_path, query, oai)
    assert main(flags) == 0
    capsys.readouterr()
    gone = sorted(oai.papers)[0]
    oai.papers[gone] = oai.papers[gone].changed(oai.papers[gone].modtime, categories="math.CO")
    before = _data_files(tmp_path / "data")
    code, found = _verify(flags, "--repair", capsys=capsys)
    assert code == 0
    assert found["topics"][0]["unlisted"] == [gone]
    assert _data_files(tmp_path / "data") == before


def test_a_damaged_record_of_verifications_costs_no_request(
    tmp_path: Path, standins: tuple[Standin, OaiStandin], capsys: pytest.CaptureFixture[str]
):
    """A damaged `verify/found.json` is one error line naming it, exit 1, before any
    request, and is left as it was."""
    (tmp_path / "queries.toml").write_text(SET_TOPIC)
    query, oai = standins
    flags = _flags(tmp_path, query, oai)
    assert main(flags) == 0
    record = verified.path_for(tmp_path / "data")
    record.parent.mkdir()
    record.write_text("{")
    asked = len(oai.requests)
    capsys.readouterr()
    assert main(["verify", *flags]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR {record}: invalid verification record: ")
    assert err.count("\n") == 1
    assert len(oai.requests) == asked
    assert record.read_text() == "{"


def test_a_harvest_with_verify_repairs_and_says_so_in_its_report(
    tmp_path: Path, standins: tuple[Standin, OaiStandin], capsys: pytest.CaptureFixture[str]
):
    """`harvest --verify` verifies each topic after its harvest, stores what is missing,
    and its report counts the repaired papers (so the job's commit names them)."""
    (tmp_path / "queries.toml").write_text(SET_TOPIC)
    flags = _flags(tmp_path, *standins)
    assert main(flags) == 0
    harvested = _data_files(tmp_path / "data")
    taken = _keys(_take_out(tmp_path / "data" / "lg.json", 3))
    capsys.readouterr()
    report = tmp_path / "report.json"
    assert main([*flags, "--verify", "--report", str(report)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("lg: 3 missing of 120 papers arXiv lists") for line in lines)
    assert _data_files(tmp_path / "data") == harvested
    ran = json.loads(report.read_bytes())["topics"]["lg"]
    assert (ran["missing"], ran["repaired"], ran["new"], ran["written"]) == (3, 3, 3, True)
    assert sorted(c["arxiv_id"].rsplit("v", 1)[0] for c in ran["changes"]) == taken


@pytest.mark.parametrize("other", ["--dry-run", "--since=2024-01-01"])
def test_verify_is_refused_beside_a_run_that_keeps_nothing(
    tmp_path: Path,
    standins: tuple[Standin, OaiStandin],
    capsys: pytest.CaptureFixture[str],
    other: str,
):
    """`--verify` with `--dry-run` or `--since` is a usage error, exit 2, nothing asked."""
    (tmp_path / "queries.toml").write_text(SET_TOPIC)
    assert main([*_flags(tmp_path, *standins), "--verify", other]) == 2
    assert "--verify repairs what is missing" in capsys.readouterr().err
    assert standins[1].requests == []
