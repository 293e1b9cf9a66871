"""Exports for readers: every format, byte-stable, chosen with --format and --topic."""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string
from markdown_it import MarkdownIt

from harvester.cli import main
from harvester.config import load_config
from harvester.db import shards, state, store
from harvester.errors import StoreError
from harvester.outputs import export, owned, parquet, sqlite
from harvester.outputs.export import markdown
from tests.conftest import HOSTILE_DOIS, TWO_DOIS, argv, paper, tool, tree
from tests.outputs import whole
from tests.standin import Standin


def test_exports_are_byte_identical_and_bibtex_parses(standin: Standin, config: Path):
    """Two exports of the same data are identical; the BibTeX has one entry per paper."""
    assert main(argv(standin, config)) == 0
    first, second = config.parent / "one", config.parent / "two"
    assert tool("export", config, "--out", str(first)) == 0
    assert tool("export", config, "--out", str(second)) == 0
    files = sorted(p.name for p in first.iterdir() if p.name != owned.RECORD)
    assert files == [
        "llm_alignment.bib",
        "llm_alignment.csl.json",
        "llm_alignment.md",
        "metadata.json",
        "papers.db",
        "papers_database.json",
        "rlhf_code.bib",
        "rlhf_code.csl.json",
        "rlhf_code.md",
    ]
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    library = parse_string((first / "rlhf_code.bib").read_text())
    assert library.failed_blocks == []
    assert len(library.entries) == 111
    keys = {e.key for e in library.entries}
    assert len(keys) == 111
    assert "arXiv:astro-ph/9812133" in keys
    markdown = (first / "rlhf_code.md").read_text()
    years = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert years == sorted(years, reverse=True)
    assert markdown.count("\n- **") == 111


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param(
            ["--format", "csl"], ["llm_alignment.csl.json", "rlhf_code.csl.json"], id="csl"
        ),
        pytest.param(
            ["--format", "sqlite", "--format", "json"],
            ["metadata.json", "papers.db", "papers_database.json"],
            id="two-formats",
        ),
        pytest.param(
            ["--topic", "rlhf_code", "--format", "bibtex"], ["rlhf_code.bib"], id="one-topic"
        ),
        pytest.param(
            ["--topic", "llm_alignment", "--format", "parquet"],
            ["parquet/topic=llm_alignment"],
            id="parquet-one-topic",
        ),
    ],
)
def test_format_and_topic_choose_what_is_written(
    standin: Standin, config: Path, capsys, extra, expected
):
    """--format picks the formats and --topic the topics; nothing else is written."""
    assert main(argv(standin, config)) == 0
    out = config.parent / "out"
    capsys.readouterr()
    assert tool("export", config, "--out", str(out), *extra) == 0
    top = sorted(p.name for p in out.iterdir() if p.name not in {"parquet", owned.RECORD})
    partitions = sorted(f"parquet/{p.name}" for p in out.glob("parquet/*"))
    assert top + partitions == expected
    assert capsys.readouterr().out.startswith(
        "Exported 1 topic" if "--topic" in extra else "Exported 2 topics"
    )


def test_topic_limits_papers_db_and_the_original_database(standin: Standin, config: Path):
    """--topic rlhf_code leaves llm_alignment out of papers.db and papers_database.json."""
    assert main(argv(standin, config)) == 0
    out = config.parent / "out"
    assert (
        tool(
            "export",
            config,
            "--out",
            str(out),
            "--topic",
            "rlhf_code",
            "--format",
            "sqlite",
            "--format",
            "json",
        )
        == 0
    )
    assert list(json.loads((out / "papers_database.json").read_text())) == ["rlhf_code"]
    with sqlite3.connect(out / "papers.db") as db:
        assert db.execute("SELECT name FROM topics").fetchall() == [("rlhf_code",)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(["--topic", "rlhf"], "unknown topic 'rlhf'", id="unknown-topic"),
        pytest.param(["--format", "pdf"], "invalid choice: 'pdf'", id="unknown-format"),
    ],
)
def test_export_usage_errors_exit_2(config: Path, capsys, extra, message):
    """An unknown topic or format is a usage error: exit 2, nothing written."""
    out = config.parent / "out"
    (config.parent / "data").mkdir()  # none at all is refused first
    assert tool("export", config, "--out", str(out), *extra) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def _two_topics(tmp_path: Path, names: tuple[str, str] = ("a", "b")) -> tuple[Path, Path]:
    """A topics file with two topics and a data directory holding one paper for each."""
    config = tmp_path / "queries.toml"
    config.write_text("".join(f"[topics.{n}]\nquery = 'all:x'\n" for n in names))
    data = tmp_path / "data"
    data.mkdir()
    for index, name in enumerate(names):
        store.save(store.path_for(data, name), [paper(f"2401.0000{index}v1")])
    return config, data


@pytest.mark.parametrize(
    ("out", "names"),
    [
        pytest.param("data", ("a", "b"), id="the-data-directory"),
        pytest.param("data/export", ("a", "b"), id="inside-it"),
        pytest.param("data/../data/.", ("a", "b"), id="the-same-by-another-path"),
        pytest.param("data", ("papers_database", "b"), id="over-a-topic-file"),
    ],
)
def test_an_out_directory_in_the_data_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, names: tuple[str, str]
):
    """`--out` that is or is inside the data directory (issue #16): exit 2, one line, and
    no file of the data directory touched, as `--report` there is refused."""
    config, data = _two_topics(tmp_path, names)
    before = tree(data)
    assert tool("export", config, "--out", str(tmp_path / out)) == 2
    assert capsys.readouterr().err == (
        f"ERROR --out {tmp_path / out} is inside the data directory {data}; put it elsewhere\n"
    )
    assert tree(data) == before


def test_a_broken_topic_file_is_named_and_the_healthy_ones_exported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """One topic file that is not JSON (issue #16): the other topic is exported, the broken
    one named on one line and left out, exit 1."""
    config, data = _two_topics(tmp_path)
    (data / "a.json").write_text("not json")
    out_dir = tmp_path / "export"
    assert tool("export", config, "--out", str(out_dir)) == 1
    out, err = capsys.readouterr()
    assert err == (
        f"ERROR {data / 'a.json'}: not valid JSON at line 1 column 1: Expecting value; "
        "not exported\n"
    )
    assert out == f"Exported 1 of 2 topics to {out_dir}: 6 files (failed: a)\n"
    assert sorted(p.name for p in out_dir.iterdir() if p.name != owned.RECORD) == [
        "b.bib",
        "b.csl.json",
        "b.md",
        "metadata.json",
        "papers.db",
        "papers_database.json",
    ]
    assert list(json.loads((out_dir / "papers_database.json").read_bytes())) == ["b"]


def test_export_takes_topic(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """`--topic` exports just that topic, as the other tools take it (issue #16)."""
    config, _ = _two_topics(tmp_path)
    out_dir = tmp_path / "export"
    assert tool("export", config, "--out", str(out_dir), "--topic", "b") == 0
    assert capsys.readouterr().out == f"Exported 1 topic to {out_dir}: 6 files\n"
    assert list(json.loads((out_dir / "papers_database.json").read_bytes())) == ["b"]
    assert tool("export", config, "--out", str(out_dir), "--topic", "c") == 2


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"title": "Two\nlines"}, "- **Two lines**: Ada Lovelace · ", id="newline-in-title"
        ),
        pytest.param(
            {"title": "A\r\n## forged heading\x00\x1b[2J"},
            "- **A \\#\\# forged heading\\\\x00\\\\x1b\\[2J**: Ada Lovelace · ",
            id="controls-in-title",
        ),
        pytest.param(
            {"authors": ["Ada\nLovelace", "B\u2028C"]},
            "- **T**: Ada Lovelace, B C · ",
            id="line-breaks-in-authors",
        ),
    ],
)
def test_the_digest_keeps_one_line_per_paper(fields: dict[str, object], expected: str):
    """Titles and names with line breaks or control characters (issue #16) stay on the
    paper's one line of the Markdown digest, escaped."""
    text = markdown("t", [paper("2401.00001v1", **fields)])
    entries = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(entries) == 1
    assert entries[0].startswith(expected)
    assert text.splitlines()[4:] == ["## 2024", "", entries[0]]  # no line but the paper's


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("https://arxiv.org/abs/2401.00001v1) [x](javascript:alert(1)", id="paren"),
    ],
)
def test_the_digest_links_no_script_and_no_forged_link(url: str):
    """A record's `url` that is no web address is linked to its arXiv page instead, and one
    with `)` cannot close the link to add one of its own (as the site does)."""
    text = markdown("t", [paper("2401.00001v1", url=url)])
    assert "](javascript" not in text.replace("\\", "")
    assert "](https://arxiv.org/abs/2401.00001v1" in text


def _links(text: str) -> list[tuple[str, str]]:
    """Each link of a Markdown text as CommonMark reads it: its text and its target."""
    links: list[tuple[str, str]] = []
    inside: list[str] | None = None
    for token in (t for block in MarkdownIt().parse(text) for t in block.children or []):
        if token.type == "link_open":
            href, inside = str(token.attrs["href"]), []
        elif token.type == "link_close" and inside is not None:
            links.append(("".join(inside), href))
            inside = None
        elif inside is not None:
            inside.append(token.content)
    return links


@pytest.mark.parametrize(
    ("doi", "links"),
    [
        pytest.param(
            TWO_DOIS,
            [
                ("10.1103/PhysRevC.76.024606", "https://doi.org/10.1103/PhysRevC.76.024606"),
                ("10.1103/PhysRevC.76.039902", "https://doi.org/10.1103/PhysRevC.76.039902"),
            ],
            id="arxiv-0704.0471",
        ),
        pytest.param(
            HOSTILE_DOIS,
            [
                ('10.1000/a"b<c', "https://doi.org/10.1000/a%22b%3Cc"),
                ("10.1000/x)y}z", "https://doi.org/10.1000/x%29y%7Dz"),
            ],
            id="hostile",
        ),
        pytest.param(
            "10.1/a]b(c", [("10.1/a]b(c", "https://doi.org/10.1/a%5Db%28c")], id="bracket"
        ),
    ],
)
def test_the_digest_links_each_doi(doi: str, links: list[tuple[str, str]]):
    """Each DOI of a paper is a link of its own on the paper's line (issue 25), its text
    the DOI and its target doi.org's page of it, whatever `)`, `]` or `<` it holds."""
    text = markdown("t", [paper("0704.0471v1", doi=doi)])
    assert _links(text) == [("0704.0471v1", "https://arxiv.org/abs/0704.0471v1"), *links]
    assert len([line for line in text.splitlines() if line.startswith("- ")]) == 1


def test_a_paper_without_a_doi_has_none_in_the_digest():
    """No DOI, no `DOI` on the paper's line."""
    assert "DOI" not in markdown("t", [paper("2401.00001v1")])


def _stamp(data: Path, names: list[str]) -> None:
    """Harvest states stamping each topic's files, as a harvest leaves them."""
    for name in names:
        files = shards.TopicFiles(data, name)
        files.verify({})
        done = state.TopicState(
            query=f"all:{name}", since=None, until=datetime(2026, 1, 2, tzinfo=UTC), complete=True
        )
        state.save(state.path_for(data, name), done.with_files(files.stamps))


@pytest.mark.parametrize(
    "stamped", [pytest.param(False, id="files-read"), pytest.param(True, id="stamps-trusted")]
)
def test_the_streamed_export_has_the_bytes_of_the_whole_topic_export(tmp_path: Path, stamped: bool):
    """Every format, read a file at a time, is byte for byte what loading each topic whole
    made: a sharded topic mid-switch (a paper in a year's and a month's file), a one-file
    topic sharing papers with it at other versions, and an empty topic."""
    config = whole.database(tmp_path)
    data = tmp_path / "data"
    if stamped:
        _stamp(data, list(config.topics))
    done = export.export(config, data, tmp_path / "new", formats=list(export.FORMATS))
    whole.export(config, data, tmp_path / "old")
    assert done.failed == []
    new, old = whole.tree(tmp_path / "new"), whole.tree(tmp_path / "old")
    assert sorted(new) == sorted(old)
    assert [name for name in new if new[name] != old[name]] == []
    assert sorted(p.relative_to(tmp_path / "new").as_posix() for p in done.files) == sorted(new)
    assert json.loads(new["papers_database.json"])["big"][0]["arxiv_id"] == "2212.02399v1"


def _many_files(data: Path, files: int, per_file: int) -> int:
    """A topic of `files` day files of `per_file` papers each; the largest file's size."""
    for day in range(files):
        published = date(2024, 1, 1) + timedelta(days=day)
        papers = [
            paper(
                f"24{day % 12 + 1:02d}.{day * per_file + n:05d}v1",
                published=published,
                summary=f"Abstract {day} {n} " * 60,
                authors=[f"Author {day} {n}", "Ada Lovelace"],
            )
            for n in range(per_file)
        ]
        store.save(data / "t" / f"{published:%Y-%m-%d}.json", papers)
    return max(p.stat().st_size for p in (data / "t").iterdir())


def _peak(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_export_holds_about_one_file_not_the_topic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Exporting a topic of 40 files in every format, the Python heap's peak stays under
    the reader's block (a fixed 8 MiB buffer) and a few times the largest file, while
    holding the topic, as the whole-topic path did, takes many times that. The fixed
    batches (SQLite's inserts, a Parquet row group) are set to a file's papers."""
    largest = _many_files(tmp_path / "data", files=40, per_file=200)
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 200)
    monkeypatch.setattr(sqlite, "_BATCH", 200)
    config = tmp_path / "queries.toml"
    config.write_text("[topics.t]\nquery = 'all:t'\n")
    loaded = load_config(config)
    formats = list(export.FORMATS)
    export.export(loaded, tmp_path / "data", tmp_path / "warm", formats=formats)  # imports
    streamed = _peak(
        lambda: export.export(loaded, tmp_path / "data", tmp_path / "out", formats=formats)
    )
    held = _peak(lambda: export.load_topics(loaded, tmp_path / "data"))
    assert streamed < store._BLOCK_BYTES + 6 * largest
    assert held > 40 * largest
    assert whole.tree(tmp_path / "out") == whole.tree(tmp_path / "warm")


def test_an_export_failing_part_way_leaves_every_old_output(tmp_path: Path):
    """A topic's file that cannot be written (a directory in its place) fails the export,
    refused before anything is made: no output is replaced, no temp file stays."""
    config = whole.database(tmp_path, papers=300)
    data, out = tmp_path / "data", tmp_path / "out"
    formats = list(export.FORMATS)
    export.export(config, data, out, formats=formats)
    store.save(
        data / "small.json", [*store.load(data / "small.json").values(), paper("2601.00001v1")]
    )
    (out / "empty.bib").unlink()
    (out / "empty.bib").mkdir()
    before = whole.tree(out)
    with pytest.raises(StoreError, match=r"empty\.bib: not a regular file"):
        export.export(config, data, out, formats=formats)
    assert whole.tree(out) == before
    assert sorted(p.name for p in out.rglob(".*")) == [owned.RECORD]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out", "queries.toml"]


def test_an_export_under_a_regular_file_fails_and_writes_nothing(tmp_path: Path):
    """An --out under a regular file cannot be made: one error, nothing written."""
    config = whole.database(tmp_path, papers=100)
    (tmp_path / "file").write_text("mine\n")
    with pytest.raises(StoreError, match="cannot write: Not a directory"):
        export.export(config, tmp_path / "data", tmp_path / "file" / "out")
    assert (tmp_path / "file").read_text() == "mine\n"
