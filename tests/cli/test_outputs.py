"""export, search and site as run from the command line: what they say, what they refuse."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from harvester.cli import main
from harvester.db import store
from harvester.db.counts import Change
from harvester.job.report import Report, TopicReport
from harvester.outputs import feeds
from harvester.outputs.export import ORIGINAL_KEYS
from tests.conftest import one_topic, paper, tree


@pytest.mark.parametrize(
    ("out", "code", "message"),
    [
        pytest.param("export", 0, "Exported 1 topic to {out}: 6 files", id="one-topic"),
        pytest.param(
            "file/export",
            1,
            "ERROR {out}/papers_database.json: cannot write: Not a directory",
            id="under-a-file",
        ),
    ],
)
def test_export_says_what_it_wrote_or_could_not(
    tmp_path: Path, capsys, out: str, code: int, message: str
):
    """One topic is "1 topic"; an output under a regular file cannot be written (issue 16)."""
    config, data = one_topic(tmp_path)
    (config.parent / "file").write_text("x")
    target = config.parent / out
    args = ["export", "--config", str(config), "--data-dir", str(data), "--out", str(target)]
    assert main(args) == code
    captured = capsys.readouterr()
    assert message.replace("{out}", str(target)) in (captured.out + captured.err).splitlines()


def test_site_builds_from_data_and_the_runs_report(tmp_path: Path, capsys):
    """`harvest site --report FILE` writes the site and lists what the run changed."""
    config, data = one_topic(tmp_path)
    store.save(data / "t.json", [paper("2401.00001v1", title="Stored")])
    run = Report(
        started=datetime(2026, 3, 1, 6, 17, tzinfo=UTC),
        seconds=1.0,
        exit_code=0,
        topics={"t": TopicReport(new=1, changes=(Change("2401.00001v1", "Stored", "new"),))},
    )
    (tmp_path / "report.json").write_bytes(run.dumps())
    out = tmp_path / "site"
    args = ["--config", str(config), "--data-dir", str(data), "--out", str(out)]
    assert main(["site", *args, "--report", str(tmp_path / "report.json")]) == 0
    assert capsys.readouterr().out == f"Built the site of 1 topic in {out}: 8 files\n"
    assert "t</a>: 1 new, 0 updated" in (out / "index.html").read_text()
    assert (out / "t" / "feed.xml").is_file()


def test_a_site_in_the_data_directory_is_refused(tmp_path: Path, capsys):
    """`harvest site --out data/site`: exit 2, nothing written, as for export."""
    config, data = one_topic(tmp_path)
    args = ["--config", str(config), "--data-dir", str(data), "--out", str(data / "site")]
    assert main(["site", *args]) == 2
    assert "is inside the data directory" in capsys.readouterr().err
    assert not (data / "site").exists()


def test_search_prints_each_paper_on_one_line_whatever_its_text(tmp_path: Path, capsys):
    """A stored title or name with a line break, an ANSI escape or a bidi override is one
    line of `harvest search`, those characters escaped: no forged line, nothing reaches the
    terminal (issue 16's rule for messages, kept for results)."""
    config, data = one_topic(tmp_path)
    hostile = paper(
        "2401.00001v1", title="line one\nERROR forged \x1b[31mred", authors=["A\u202eB", "C\nD"]
    )
    store.save(data / "t.json", [hostile])
    assert main(["search", "--config", str(config), "--data-dir", str(data), "forged"]) == 0
    out = capsys.readouterr().out
    assert out == (
        "2024-01-01  2401.00001v1  line one ERROR forged \\x1b[31mred  (A\\u202eB, C D; t)\n"
    )


@pytest.mark.parametrize(
    ("tool", "topic", "data_dir", "extra"),
    [
        pytest.param("site", "data", "data", [], id="site-topic-named-as-the-data-dir"),
        pytest.param(
            "export", "t", "parquet", ["--format", "parquet"], id="parquet-into-the-data-dir"
        ),
    ],
)
def test_an_out_whose_subdirectory_is_the_data_directory_is_refused(
    tmp_path: Path, capsys, tool: str, topic: str, data_dir: str, extra: list[str]
):
    """`harvest site --out .` beside a data directory named like a topic (or an export's
    `parquet/` named like it) would write pages into the data directory: exit 2, nothing
    written there, as for an --out inside it."""
    config = tmp_path / "queries.toml"
    config.write_text(f'[topics.{topic}]\nquery = "all:x"\n')
    data = tmp_path / data_dir
    data.mkdir()
    store.save(data / f"{topic}.json", [paper("2401.00001v1")])
    args = ["--config", str(config), "--data-dir", str(data), "--out", str(tmp_path), *extra]
    assert main([tool, *args]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"ERROR --out {tmp_path} would put its {data_dir}/ in the data directory {data}; "
        "put it elsewhere\n"
    )
    assert sorted(p.name for p in data.iterdir()) == [f"{topic}.json"]


@pytest.mark.parametrize(
    ("tool", "extra", "last_line"),
    [
        pytest.param(
            "site",
            ["--out", "{tmp}/site"],
            "Built the site of 1 of 2 topics in {tmp}/site: 8 files (failed: b)",
            id="site",
        ),
        pytest.param("search", [""], None, id="search"),
    ],
)
def test_a_broken_topic_file_is_named_and_the_healthy_ones_still_served(
    tmp_path: Path, capsys, tool: str, extra: list[str], last_line: str | None
):
    """As `export` does (issue 16): one broken data file gets its ERROR line and exit 1,
    and the healthy topics still get their site pages, index and feeds, or search hits;
    the broken topic's own pages from an earlier build are left as they were."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.a]\nquery = "all:a"\n[topics.b]\nquery = "all:b"\n')
    data = tmp_path / "data"
    store.save(data / "a.json", [paper("2401.00001v1", title="Healthy")])
    (data / "b.json").write_text("not json")
    args = ["--config", str(config), "--data-dir", str(data)]
    assert main([tool, *args, *[a.replace("{tmp}", str(tmp_path)) for a in extra]]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines()[0].startswith(f"ERROR {data / 'b.json'}: not valid JSON")
    if tool == "site":
        assert out.splitlines()[-1] == str(last_line).replace("{tmp}", str(tmp_path))
        index = (tmp_path / "site" / "index.html").read_text()
        assert "Healthy" in index
        assert (tmp_path / "site" / "a" / "feed.xml").is_file()
        assert not (tmp_path / "site" / "b").exists()
    else:
        assert out.splitlines() == ["2024-01-01  2401.00001v1  Healthy  (Ada Lovelace; a)"]


@pytest.mark.parametrize(
    ("loop", "code", "message"),
    [
        pytest.param(
            "data",
            1,
            "ERROR {data}: symbolic links in a loop; not a data directory",
            id="data-directory",
        ),
        pytest.param(
            "out", 2, "ERROR --out {out}: symbolic links in a loop; give a real path", id="out"
        ),
    ],
)
def test_export_through_a_loop_of_links_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], loop: str, code: int, message: str
):
    """A data directory or an `--out` whose links go round in a loop is named on one line
    (its exit code), not a RuntimeError's traceback (issue 24)."""
    config, data = one_topic(tmp_path)
    out = tmp_path / "export"
    if loop == "data":
        data = tmp_path / "looped"
        (tmp_path / "other").symlink_to(data)
        data.symlink_to(tmp_path / "other")
    else:
        (tmp_path / "other").symlink_to(out)
        out.symlink_to(tmp_path / "other")
    before = sorted(p.name for p in tmp_path.iterdir())
    args = ["export", "--config", str(config), "--data-dir", str(data), "--out", str(out)]
    assert main(args) == code
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [message.format(data=data, out=out)]
    assert "Traceback" not in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_imported_title_with_a_noncharacter_is_in_the_site_and_the_exports(
    tmp_path: Path, capsys
):
    """`harvest import` takes a title holding U+FFFE as it is, and `harvest site` and
    `harvest export` then make it (issue #24: the site ended in a traceback): the site's
    pages and feeds hold its escape, the exports the text itself."""
    config, data = one_topic(tmp_path)
    record = paper("2401.00001v1", title="Broken \ufffe title").model_dump(mode="json")
    original = {"t": [{k: record[k] for k in ORIGINAL_KEYS}]}
    (tmp_path / "papers_database.json").write_text(json.dumps(original))
    paths = ["--config", str(config), "--data-dir", str(data)]
    assert main(["import", str(tmp_path / "papers_database.json"), *paths]) == 0
    assert main(["site", *paths, "--out", str(tmp_path / "site")]) == 0
    assert main(["export", *paths, "--out", str(tmp_path / "export")]) == 0
    assert capsys.readouterr().err == ""
    feed = etree.fromstring((tmp_path / "site" / "t" / "feed.xml").read_bytes())
    assert feed.findtext(f"{{{feeds.ATOM}}}entry/{{{feeds.ATOM}}}title") == r"Broken \ufffe title"
    assert r"Broken \ufffe title" in (tmp_path / "site" / "t" / "index.html").read_text()
    exported = json.loads((tmp_path / "export" / "papers_database.json").read_text())
    assert exported["t"][0]["title"] == "Broken \ufffe title"


@pytest.mark.parametrize(
    ("name", "mine"),
    [
        pytest.param("index.html", b"<!DOCTYPE html><title>My project</title>\n", id="index"),
        pytest.param("style.css", b"body { color: red }\n", id="style"),
        pytest.param("feed.xml", b"<rss version='2.0'/>\n", id="feed"),
        pytest.param("t/index.html", b"<p>my notes</p>\n", id="topic-page"),
        pytest.param(".nojekyll", b"mine\n", id="nojekyll"),
    ],
)
def test_a_site_over_a_users_files_is_refused_and_writes_nothing(
    tmp_path: Path, capsys, name: str, mine: bytes
):
    """`harvest site --out .` in a repository with its own `index.html` (or style, feed)
    refuses in one line, exit 1, before writing anything (issue #24: they were replaced)."""
    config, data = one_topic(tmp_path)
    store.save(data / "t.json", [paper("2401.00001v1")])
    out = tmp_path / "repo"
    (out / name).parent.mkdir(parents=True)
    (out / name).write_bytes(mine)
    before = tree(out)
    args = ["site", "--config", str(config), "--data-dir", str(data), "--out", str(out)]
    assert main(args) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"ERROR {out}: holds {name}, which no site build wrote; refused "
        "(move it, or choose another --out)"
    ]
    assert tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == [name.split("/", maxsplit=1)[0]]


def test_a_site_is_rebuilt_over_the_site_it_built(tmp_path: Path, capsys):
    """What a build wrote is its own to replace: a second build over it succeeds."""
    config, data = one_topic(tmp_path)
    store.save(data / "t.json", [paper("2401.00001v1")])
    args = ["site", "--config", str(config), "--data-dir", str(data), "--out", str(tmp_path / "s")]
    assert main(args) == 0
    store.save(data / "t.json", [paper("2401.00002v1"), paper("2401.00001v1")])
    assert main(args) == 0
    assert "2401.00002v1" in (tmp_path / "s" / "t" / "index.html").read_text()


def test_a_site_is_not_written_through_a_linked_directory(tmp_path: Path, capsys):
    """`site/t -> elsewhere` is refused in one line, exit 1, and nothing is written there
    or anywhere in the site (issue #24: the pages went through the link)."""
    config, data = one_topic(tmp_path)
    store.save(data / "t.json", [paper("2401.00001v1")])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "site"
    out.mkdir()
    (out / "t").symlink_to(elsewhere)
    args = ["site", "--config", str(config), "--data-dir", str(data), "--out", str(out)]
    assert main(args) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"ERROR {out}: holds t, a symbolic link; refused (the site would be written through it)"
    ]
    assert list(elsewhere.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["t"]
