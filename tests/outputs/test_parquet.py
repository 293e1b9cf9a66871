"""Parquet by topic and year: DuckDB reads back the papers the JSON files hold."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pyarrow
import pyarrow.parquet
import pytest

from harvester.cli import main
from harvester.errors import MissingExtra, StoreError
from harvester.outputs import parquet
from tests.conftest import HOSTILE_DOIS, TWO_DOIS, argv, paper, tool
from tests.standin import Standin


def test_duckdb_reads_back_the_same_papers(standin: Standin, config: Path):
    """Every record of every topic comes back from the partitioned dataset, field by field."""
    assert main(argv(standin, config)) == 0
    out = config.parent / "out"
    assert tool("export", config, "--out", str(out), "--format", "parquet") == 0
    data = config.parent / "data"
    con = duckdb.connect()
    for topic in ("rlhf_code", "llm_alignment"):
        records = json.loads((data / f"{topic}.json").read_text())
        got = con.execute(
            "SELECT arxiv_id, title, authors, summary, strftime(published, '%Y-%m-%d'),"
            " categories, url, pdf_url, strftime(updated, '%Y-%m-%dT%H:%M:%SZ'),"
            " primary_category, comment, journal_ref, doi, year"
            " FROM read_parquet(?, hive_partitioning = true)"
            " WHERE topic = ? ORDER BY published DESC, id DESC",
            [f"{out}/parquet/**/*.parquet", topic],
        ).fetchall()
        expected = [
            (
                *(r[k] for k in ("arxiv_id", "title", "authors", "summary", "published")),
                *(r[k] for k in ("categories", "url", "pdf_url", "updated", "primary_category")),
                *(r[k] for k in ("comment", "journal_ref", "doi")),
                int(r["published"][:4]),
            )
            for r in records
        ]
        assert [tuple(row) for row in got] == expected
    years = {p.name for p in out.glob("parquet/topic=rlhf_code/year=*")}
    assert "year=1998" in years
    assert len(years) > 5


def test_dois_are_a_list_column_beside_arxivs_doi_field(tmp_path: Path):
    """The dataset keeps `doi` as arXiv gives it and adds `dois`, a list<string> of its
    DOIs in order, [] for none, as pyarrow and DuckDB read it back (issue 25)."""
    papers = [
        paper("0704.0471v1", doi=TWO_DOIS),
        paper("0704.1586v1", doi=HOSTILE_DOIS),
        paper("2401.00001v1", doi="10.1086/307221"),
        paper("2401.00002v1"),
    ]
    (written,) = parquet.write(tmp_path / "parquet", {"a": papers})
    read = pyarrow.parquet.read_table(written)
    assert read.schema.field("dois").type == pyarrow.list_(pyarrow.string())
    expected = [(p.key, p.doi, p.dois) for p in sorted(papers, key=lambda p: p.key, reverse=True)]
    rows = read.select(["id", "doi", "dois"]).to_pylist()  # newest first: here, by id
    assert [(r["id"], r["doi"], r["dois"]) for r in rows] == expected
    got = duckdb.execute(
        "SELECT id, doi, dois FROM read_parquet(?) ORDER BY id DESC", [str(written)]
    ).fetchall()
    assert got == expected
    second = duckdb.execute(
        "SELECT dois[2] FROM read_parquet(?) WHERE len(dois) > 1 ORDER BY id", [str(written)]
    ).fetchall()
    assert second == [("10.1103/PhysRevC.76.039902",), ("10.1000/x)y}z",)]


def test_a_second_export_replaces_the_dataset(tmp_path: Path):
    """A topic gone from the export is gone from the dataset; no temp directory stays."""
    out = tmp_path / "parquet"
    parquet.write(out, {"a": [paper("2401.00001v1")], "b": [paper("2401.00002v1")]})
    written = parquet.write(out, {"a": [paper("2401.00001v2")]})
    assert written == [out / "topic=a" / "year=2024" / "part-0.parquet"]
    assert [p.name for p in tmp_path.iterdir()] == ["parquet"]
    (row,) = duckdb.execute("SELECT arxiv_id FROM read_parquet(?)", [str(written[0])]).fetchall()
    assert row == ("2401.00001v2",)


def test_without_pyarrow_the_error_says_how_to_install_it(tmp_path: Path, monkeypatch):
    """With pyarrow not importable, the export fails saying `pip install ...[parquet]`."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` now raises
    with pytest.raises(MissingExtra, match=r'pip install "arxiv-harvester\[parquet\]"'):
        parquet.write(tmp_path / "parquet", {"a": [paper("2401.00001v1")]})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("mine", "message"),
    [
        pytest.param(
            {"notes.txt": b"mine"},
            "holds notes.txt, which no export wrote; refused (move it, or choose another --out)",
            id="a-file-of-the-users-inside",
        ),
        pytest.param(
            {"topic=t/year=2024/part-0.parquet": b"x", "other/data.csv": b"mine"},
            "holds other/data.csv, which no export wrote; refused (move it, or choose another "
            "--out)",
            id="beside-an-earlier-export",
        ),
    ],
)
def test_a_parquet_directory_holding_other_files_is_not_replaced(
    tmp_path: Path, mine: dict[str, bytes], message: str
):
    """The export replaces `parquet/` whole; one holding files it did not write (a user's
    own datasets under an --out they chose) is refused and left exactly as it was."""
    out = tmp_path / "parquet"
    for name, data in mine.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    with pytest.raises(StoreError) as caught:
        parquet.write(out, {"t": [paper("2401.00001v1")]})
    assert str(caught.value) == f"{out}: {message}"
    assert {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()} == mine
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parquet"]


def test_a_regular_file_named_parquet_is_not_moved_aside(tmp_path: Path):
    """A file where `parquet/` goes is refused, not renamed to `.parquet.old` out of sight."""
    (tmp_path / "parquet").write_text("mine\n")
    with pytest.raises(StoreError, match="not a directory; refused"):
        parquet.write(tmp_path / "parquet", {"t": [paper("2401.00001v1")]})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parquet"]
    assert (tmp_path / "parquet").read_text() == "mine\n"


def test_a_parquet_link_is_not_replaced_by_a_dataset(tmp_path: Path):
    """A `parquet/` that is a link to a directory elsewhere (empty, even) is refused: the
    link stays, nothing is written where it points."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "parquet").symlink_to(elsewhere)
    with pytest.raises(StoreError, match="a symbolic link"):
        parquet.write(out / "parquet", {"t": [paper("2401.00001v1")]})
    assert (out / "parquet").is_symlink()
    assert list(elsewhere.iterdir()) == []


def test_a_dataset_that_fails_while_it_is_made_leaves_the_old_one_whole(tmp_path: Path):
    """An export that fails while its new dataset is made (papers added, not committed)
    leaves the old `parquet/` exactly as it was, and no temp directory beside it."""
    out = tmp_path / "parquet"
    parquet.write(out, {"t": [paper("2401.00001v1"), paper("2301.00002v1")]})
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def make_and_fail() -> None:
        with parquet.Dataset(out) as made:
            made.add("t", paper("2402.00003v1"))
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        make_and_fail()
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parquet"]
