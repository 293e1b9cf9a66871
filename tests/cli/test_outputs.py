"""export, search and site as run from the command line: what they say, what they refuse."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.cli import main
from harvester.db import store
from harvester.db.counts import Change
from harvester.job.report import Report, TopicReport
from tests.conftest import one_topic, paper


@pytest.mark.parametrize(
    ("out", "code", "message"),
    [
        pytest.param("export", 0, "Exported 1 topic to {out}: 5 files", id="one-topic"),
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
