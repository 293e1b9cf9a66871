"""The topic file: format, merge rules (with property tests), no-op writes and atomicity."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.db import rows, store
from harvester.errors import StoreError
from harvester.models import Paper
from tests.conftest import KEYS, paper


def test_dumps_follows_the_file_contract():
    """UTF-8, 2-space indent, newline at the end, contract key order, newest first then id."""
    papers = [
        paper("2401.00001v1", published=date(2024, 1, 1)),
        paper("2402.00002v1", published=date(2024, 2, 2), title="Über"),
        paper("hep-th/9901001v2", published=date(1999, 1, 1)),
        paper("2401.00009v1", published=date(2024, 1, 1)),
    ]
    data = store.dumps(papers)
    assert data.endswith(b"]\n")
    assert "Über".encode() in data
    records = json.loads(data)
    assert [r["arxiv_id"] for r in records] == [
        "2402.00002v1",
        "2401.00009v1",
        "2401.00001v1",
        "hep-th/9901001v2",
    ]
    assert all(list(r) == KEYS for r in records)
    assert records[0]["updated"] == "2024-02-01T12:00:00Z"
    assert data.decode().splitlines()[1] == "  {"


def test_bytes_depend_only_on_the_set_of_records():
    """Any order of the same records serialises to the same bytes."""
    papers = [paper(f"2401.0000{i}v1") for i in range(5)]
    assert store.dumps(papers) == store.dumps(reversed(papers))


def test_newer_version_replaces_older():
    """v2 replaces v1 of the same paper and counts as updated, not new."""
    merged = store.merge({"2401.00001": paper("2401.00001v1")}, [paper("2401.00001v2", title="B")])
    assert merged.papers["2401.00001"].arxiv_id == "2401.00001v2"
    assert (merged.counts.new, merged.counts.updated) == (0, 1)


def test_older_version_never_replaces_newer():
    """A v1 arriving after v2 is stored leaves v2 in place."""
    stored = {"2401.00001": paper("2401.00001v2")}
    merged = store.merge(stored, [paper("2401.00001v1")])
    assert merged.papers == stored
    assert (
        merged.counts.new,
        merged.counts.updated,
        merged.counts.revised,
        merged.counts.unchanged,
    ) == (0, 0, 0, 1)


@pytest.mark.parametrize(
    ("stored", "arriving", "kept"),
    [
        pytest.param("2401.00001v9", "2401.00001v10", "2401.00001v10", id="v10-replaces-v9"),
        pytest.param("2401.00001v10", "2401.00001v9", "2401.00001v10", id="v9-never-replaces-v10"),
        pytest.param(
            "hep-th/9901001v2", "hep-th/9901001v11", "hep-th/9901001v11", id="old-style-v11"
        ),
    ],
)
def test_versions_compare_as_numbers(stored: str, arriving: str, kept: str):
    """Versions are numbers: v10 is newer than v9, whichever arrives first (issue 12)."""
    old = paper(stored)
    merged = store.merge({old.key: old}, [paper(arriving, title="Arriving")])
    assert merged.papers[old.key].arxiv_id == kept
    assert merged.counts.updated == int(kept == arriving)


def test_version_is_an_int():
    """A record's version is the integer after its id's last "v" (issue 12)."""
    assert paper("2401.00001v10").version == 10
    assert isinstance(paper("math.GT/0309136v9").version, int)
    assert paper("2401.00001v10").version > paper("2401.00001v9").version


def test_nothing_stored_is_dropped():
    """Papers a run did not return stay; new ones are added and counted once."""
    stored = {"2401.00001": paper("2401.00001v1")}
    merged = store.merge(stored, [paper("2401.00002v1"), paper("2401.00002v1")])
    assert set(merged.papers) == {"2401.00001", "2401.00002"}
    assert merged.counts.new == 1


def test_same_version_metadata_change_is_taken():
    """arXiv's newest word on a version (a DOI added later) replaces the stored record."""
    stored = {"2401.00001": paper("2401.00001v1")}
    newer = paper("2401.00001v1").model_copy(update={"doi": "10.1/x"})
    merged = store.merge(stored, [newer])
    assert merged.papers["2401.00001"].doi == "10.1/x"
    assert merged.counts.revised == 1


@pytest.mark.parametrize(
    ("stored", "arriving", "kept"),
    [
        pytest.param("2401.00001v2", "2401.00001v2", "Stored", id="same-version-keeps-stored"),
        pytest.param("2401.00001v1", "2401.00001v2", "Arriving", id="newer-version-wins"),
        pytest.param("2401.00001v2", "2401.00001v1", "Stored", id="older-version-loses"),
    ],
)
def test_ties_keep_stored_keeps_the_stored_record_of_the_same_version(
    stored: str, arriving: str, kept: str
):
    """With `ties_keep_stored` (an import), a record of the stored version changes nothing;
    a newer version still replaces it."""
    old = paper(stored, title="Stored")
    merged = store.merge({old.key: old}, [paper(arriving, title="Arriving")], ties_keep_stored=True)
    assert merged.papers[old.key].title == kept
    assert (merged.counts.updated, merged.counts.revised) == (int(kept == "Arriving"), 0)


def test_ties_keep_stored_still_lets_a_later_fetched_record_win():
    """A paper not stored yet and fetched twice at one version keeps the later record."""
    fetched = [paper("2401.00002v1", title="First"), paper("2401.00002v1", title="Later")]
    merged = store.merge({}, fetched, ties_keep_stored=True)
    assert merged.papers["2401.00002"].title == "Later"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b'[{"title": ', "not valid JSON at line 1 column 12", id="truncated"),
        pytest.param(
            b'{"rlhf_code": []}', "expected a JSON array of records, found dict", id="not-array"
        ),
        pytest.param(b'[{"title": "x"}]', "record 0: authors: Field required", id="missing-key"),
        pytest.param(b"\xff\xfe[]", "not UTF-8 at byte 0", id="not-utf8"),
    ],
)
def test_load_rejects_bad_files_with_position(tmp_path: Path, content: bytes, message: str):
    """A corrupt data file raises StoreError naming the file and the position."""
    path = tmp_path / "t.json"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message) as caught:
        store.load(path)
    assert str(path) in str(caught.value)


def test_load_rejects_duplicate_papers(tmp_path: Path):
    """Two records of one paper (v1 and v2) in a file is corruption, reported by index."""
    path = tmp_path / "t.json"
    path.write_bytes(
        store.dumps([paper("2401.00001v2")])[:-3]
        + b",\n"
        + store.dumps([paper("2401.00001v1")])[2:]
    )
    with pytest.raises(StoreError, match=r"record 1: paper 2401.00001 is also record 0"):
        store.load(path)


def test_time_without_zone_in_a_file_is_utc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An `updated` without Z is read as UTC, whatever the machine's time zone."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        record = json.loads(store.dumps([paper("2401.00001v1")]))
        record[0]["updated"] = "2024-02-01T12:00:00"
        path = tmp_path / "t.json"
        path.write_text(json.dumps(record))
        assert store.load(path)["2401.00001"].updated == datetime(2024, 2, 1, 12, 0, tzinfo=UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("block", [7, 64, 1000, 1 << 20])
def test_load_by_blocks_reads_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
):
    """Reading a file a block at a time, whatever the block size, gives every record once."""
    monkeypatch.setattr(store, "_BLOCK_BYTES", block)
    papers = [paper(f"2401.{i:05d}v1", title=f"T {i} }},\\n  {{") for i in range(40)]
    path = tmp_path / "t.json"
    store.save(path, papers)
    assert store.load(path) == {p.key: p for p in papers}


def test_load_by_blocks_still_says_where_a_record_is_bad(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A bad record deep in a large file is named by its index, as for a small one."""
    monkeypatch.setattr(store, "_BLOCK_BYTES", 100)
    records = json.loads(store.dumps(paper(f"2401.{i:05d}v1") for i in range(30)))
    records[17]["authors"] = "one"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(records, indent=2) + "\n")
    with pytest.raises(StoreError, match="record 17: authors: Input should be a valid list"):
        store.load(path)


def test_merge_lists_each_change_once_newest_first():
    """A merge names new, updated and revised papers once each, newest first; none unchanged."""
    stored = {
        p.key: p for p in [paper("2401.00001v1"), paper("2401.00002v1"), paper("2401.00003v1")]
    }
    fetched = [
        paper("2401.00001v2"),
        paper("2401.00002v1", doi="10.1/x"),
        paper("2401.00003v1"),
        paper("2402.00004v1", published=date(2024, 2, 1)),
        paper("2402.00004v1", published=date(2024, 2, 1)),
    ]
    merged = store.merge(stored, fetched)
    assert [(c.arxiv_id, c.change) for c in merged.counts.changes] == [
        ("2402.00004v1", "new"),
        ("2401.00002v1", "revised"),
        ("2401.00001v2", "updated"),
    ]
    assert (
        merged.counts.new,
        merged.counts.updated,
        merged.counts.revised,
        merged.counts.unchanged,
    ) == (1, 1, 1, 1)


# Property tests (hypothesis): the merge is idempotent, lossless, order-free, byte-stable.
IDS = ["2401.00001", "2401.00002", "2312.11456", "hep-th/9901001", "math.GT/0309136"]
VERSIONS = range(1, 5)
text = st.text(st.characters(codec="utf-8"), max_size=40)


def record(key: str, version: int, title: str = "") -> Paper:
    """The one record arXiv would give for this paper at this version."""
    return paper(
        f"{key}v{version}",
        title=title or f"{key} at v{version}",
        published=date(2024, 1, 1 + IDS.index(key)),
        updated=datetime(2024, 2, version, tzinfo=UTC),
    )


papers = st.builds(record, st.sampled_from(IDS), st.sampled_from(VERSIONS))
batches = st.lists(papers, max_size=20)
stored_sets = batches.map(lambda b: store.merge({}, b).papers)


@given(stored_sets, batches)
def test_merging_a_batch_twice_equals_merging_it_once(stored: dict[str, Paper], batch: list[Paper]):
    """Merging the same batch again changes nothing."""
    once = store.merge(stored, batch).papers
    assert store.merge(once, batch).papers == once


@given(stored_sets, batches)
def test_no_stored_paper_is_ever_dropped(stored: dict[str, Paper], batch: list[Paper]):
    """Every stored paper is still there after a merge, at the same or a newer version."""
    merged = store.merge(stored, batch).papers
    for key, kept in stored.items():
        assert merged[key].version >= kept.version


@given(batches, st.randoms(use_true_random=False))
def test_newest_version_wins_whatever_the_order(batch: list[Paper], rng):
    """The result is the newest version of each paper, in whatever order they arrive."""
    shuffled = list(batch)
    rng.shuffle(shuffled)
    one, other = store.merge({}, batch).papers, store.merge({}, shuffled).papers
    assert one == other
    for arrived in batch:
        assert one[arrived.key].version == max(p.version for p in batch if p.key == arrived.key)


@given(batches, batches)
def test_arrival_split_across_runs_gives_the_same_file(first: list[Paper], second: list[Paper]):
    """Two runs in either order end with the same bytes as one run with everything."""
    together = store.dumps(store.merge({}, first + second).papers.values())
    a_then_b = store.merge(store.merge({}, first).papers, second).papers
    b_then_a = store.merge(store.merge({}, second).papers, first).papers
    assert store.dumps(a_then_b.values()) == together == store.dumps(b_then_a.values())


@given(st.lists(st.tuples(st.sampled_from(IDS), text), max_size=5, unique_by=lambda t: t[0]))
def test_serialise_load_serialise_is_byte_stable(titles: list[tuple[str, str]]):
    """Any records, any Unicode: dump, load and dump again give the same bytes."""
    data = store.dumps(record(key, 1, title) for key, title in titles)
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.json"
        path.write_bytes(data)
        assert store.dumps(store.load(path).values()) == data


@given(stored_sets, st.sampled_from(IDS), text)
def test_same_version_arriving_later_wins(stored: dict[str, Paper], key: str, title: str):
    """arXiv's latest word on a version replaces the stored record of that version."""
    version = stored[key].version if key in stored else 1
    fresh = record(key, version, title)
    merged = store.merge(stored, [fresh])
    assert merged.papers[key] == fresh
    changed = key in stored and stored[key] != fresh
    assert merged.counts.revised == int(changed)


@given(
    st.lists(st.tuples(st.sampled_from(IDS), text), max_size=5, unique_by=lambda t: t[0]),
    st.integers(1, 3),
)
def test_file_bytes_are_json_dumps_with_two_space_indent(
    titles: list[tuple[str, str]], per_piece: int
):
    """The file is exactly json.dumps(indent=2, ensure_ascii=False) plus a newline, in any pieces."""
    papers = [record(key, 1, title) for key, title in titles]
    ordered = sorted(papers, key=Paper.sort_key, reverse=True)
    expected = json.dumps(
        [p.model_dump(mode="json") for p in ordered], indent=2, ensure_ascii=False
    )
    assert b"".join(store.pieces(papers, records_per_piece=per_piece)) == expected.encode() + b"\n"


def test_a_query_record_does_not_erase_what_oai_said():
    """Merging the query API's record of a version keeps the stored license, withdrawal
    and versions (the query API says none of them)."""
    told = paper("2401.00001v1", license="http://x/by", withdrawn=False, versions=[])
    merged = store.merge({told.key: told}, [paper("2401.00001v1")])
    assert merged.papers[told.key] == told
    assert merged.counts.unchanged == 1


@pytest.mark.parametrize("block", [100, 1000, 8 * 1024 * 1024])
def test_load_rows_reads_what_load_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
):
    """A file read as rows, a block at a time, holds each record of `load` once, and its
    rows write the same bytes again; a file in another layout of JSON is read too."""
    monkeypatch.setattr(store, "_BLOCK_BYTES", block)
    papers = [paper(f"2401.{i:05d}v1", title=f"T {i} }},\\n  {{") for i in range(40)]
    path = tmp_path / "t.json"
    store.save(path, papers)
    read = store.load_rows(path)
    assert {k: r.paper() for k, r in read.items()} == store.load(path)
    assert b"".join(rows.row_pieces(read.values())) == path.read_bytes()
    path.write_text(json.dumps(json.loads(path.read_bytes())))  # one line, no indent
    assert b"".join(rows.row_pieces(store.load_rows(path).values())) == store.dumps(papers)


def test_load_rows_refuses_what_load_refuses(tmp_path: Path):
    """A duplicate paper or a bad record is named where it is, as `load` names it."""
    path = tmp_path / "t.json"
    records = json.loads(store.dumps([paper("2401.00001v1"), paper("2401.00002v1")]))
    path.write_text(json.dumps([*records, records[0]], indent=2) + "\n")
    with pytest.raises(StoreError, match=r"record 2: paper 2401\.00002 is also record 0"):
        store.load_rows(path)
    records[1]["authors"] = "one"
    path.write_text(json.dumps(records, indent=2) + "\n")
    with pytest.raises(StoreError, match="record 1: authors: Input should be a valid list"):
        store.load_rows(path)
    assert store.load_rows(tmp_path / "missing.json") == {}


def test_outcome_looks_up_only_the_fetched_papers():
    """A merge into stored records made on demand asks for those of fetched papers only,
    and hands on only the records that change a byte."""
    stored = {p.key: p for p in (paper(f"2401.{i:05d}v1") for i in range(50))}
    asked: list[str] = []

    class Counting(dict[str, Paper]):
        def get(self, key: str, default: object = None) -> Paper | None:  # type: ignore[override]
            asked.append(key)
            return super().get(key)

    fetched = [paper("2401.00003v2"), paper("2401.00007v1"), paper("2402.00001v1")]
    won, counts = store.outcome(Counting(stored), fetched)
    assert set(asked) == {"2401.00003", "2401.00007", "2402.00001"}
    assert set(won) == {"2401.00003", "2402.00001"}  # v1 of 00007 is the stored one
    assert (counts.new, counts.updated, counts.unchanged) == (1, 1, 1)


def test_stream_hands_on_the_records_in_file_order_and_names_one_out_of_it(tmp_path: Path):
    """`stream` gives a file's records as it holds them, newest first; a record out of that
    order (a hand-edited file, which `load` would sort) is a StoreError naming it."""
    path = tmp_path / "t.json"
    papers = [paper(f"2401.{n:05d}v1", published=date(2024, 1, 1 + n)) for n in range(5)]
    store.save(path, papers)
    assert [p.key for p in store.stream(path)] == [p.key for p in reversed(papers)]
    records = json.loads(path.read_text())
    records[1], records[3] = records[3], records[1]
    path.write_text(json.dumps(records, indent=2) + "\n")
    with pytest.raises(StoreError, match="record 2: out of order"):
        list(store.stream(path))
    assert list(store.stream(tmp_path / "missing.json")) == []


def test_load_refuses_a_topic_file_that_is_a_link(tmp_path: Path):
    """A topic file that is a symbolic link is refused, not followed out of the data directory."""
    elsewhere = tmp_path / "elsewhere.json"
    store.save(elsewhere, [paper("2401.00001v1")])
    (tmp_path / "t.json").symlink_to(elsewhere)
    with pytest.raises(StoreError, match="symbolic link"):
        store.load(tmp_path / "t.json")
    with pytest.raises(StoreError, match="symbolic link"):
        store.load_rows(tmp_path / "t.json")


def test_load_refuses_a_file_past_the_largest_topic_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A file larger than `MAX_FILE_BYTES` is refused before it is read."""
    path = tmp_path / "t.json"
    store.save(path, [paper("2401.00001v1")])
    monkeypatch.setattr(store, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(StoreError, match="larger than"):
        store.load(path)
