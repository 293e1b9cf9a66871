"""The tools around the data (`harvest export|search|site|import|stats|check|init|...`): each
parses its own flags and reports an error as one line with its exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harvester.cli import main
from harvester.db import store
from tests.conftest import SEED, TOOLS, one_topic, paper

POSITIONAL = {"import": ["db.json"], "summary": ["report.json"], "search": ["words"]}


@pytest.mark.parametrize("tool", [pytest.param(None, id="harvest"), *TOOLS])
def test_an_unknown_flag_is_one_line_naming_the_command_and_its_help(tool: str | None, capsys):
    """A flag the harvest or a tool does not know: exit 2 and one line, no usage block (#26)."""
    command = [] if tool is None else [tool, *POSITIONAL.get(tool, [])]
    prog = "harvest" if tool is None else f"harvest {tool}"
    assert main([*command, "--bogus"]) == 2
    assert capsys.readouterr().err == (
        f"{prog}: error: unrecognized arguments: --bogus (see {prog} --help)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["summary", "{tmp}/missing.json"],
            "{tmp}/missing.json: cannot read: No such file or directory",
            id="summary-missing",
        ),
        pytest.param(
            ["summary", "{tmp}/other.json"],
            "{tmp}/other.json: not a harvest report: started: Field required",
            id="summary-not-a-report",
        ),
        pytest.param(
            ["commit", "--report", "{tmp}/missing.json"],
            "{tmp}/missing.json: cannot read: No such file or directory",
            id="commit-missing",
        ),
    ],
)
def test_a_bad_report_is_one_error_line(tmp_path: Path, capsys, args: list[str], message: str):
    """A report that is missing or not a report: exit 1 and one ERROR line naming the file."""
    (tmp_path / "other.json").write_text('{"x": 1}\n')
    assert main([arg.replace("{tmp}", str(tmp_path)) for arg in args]) == 1
    assert capsys.readouterr().err == f"ERROR {message.replace('{tmp}', str(tmp_path))}\n"


def test_import_of_a_missing_file_writes_nothing(config: Path, capsys):
    """`harvest import` of a file that is not there: exit 1 naming it, no data directory."""
    missing = SEED.parent / "absent.json"
    data = config.parent / "data"
    assert main(["import", str(missing), "--config", str(config), "--data-dir", str(data)]) == 1
    assert capsys.readouterr().err.startswith(f"ERROR {missing}: cannot read")
    assert not (data / "rlhf_code.json").exists()


def test_verbosity_before_the_tool_name_is_the_tools(tmp_path: Path, capsys):
    """`harvest -v stats` is `harvest stats -v`: the tool runs, and -v shows tracebacks."""
    config, data = one_topic(tmp_path)
    (data / "t.json").write_text("not json")
    args = ["--config", str(config), "--data-dir", str(data)]
    assert main(["-v", "stats", *args]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.splitlines()[-1].startswith(f"ERROR {data / 't.json'}: not valid JSON")


def test_the_harvest_help_lists_every_tool_once(capsys):
    """`harvest --help` ends with each tool and its one-line summary, made from the registry."""
    assert main(["--help"]) == 0
    help_text = capsys.readouterr().out
    listed = [line.split()[1] for line in help_text.splitlines() if line.startswith("  harvest ")]
    assert listed == list(TOOLS)


@pytest.mark.parametrize(
    ("tool", "where", "message"),
    [
        pytest.param("commit", "nope", "not a directory: {where}", id="commit-missing"),
        pytest.param("commit", "a-file", "not a directory: {where}", id="commit-file"),
        pytest.param("job", "nope", "not a directory: {where}", id="job-missing"),
    ],
)
def test_a_repo_that_is_no_directory_is_a_usage_error(
    tmp_path: Path, capsys, tool: str, where: str, message: str
):
    """`--repo nope` says what is wrong with it (not "git is not installed"), exit 2 (#16)."""
    (tmp_path / "a-file").write_text("x\n")
    repo = str(tmp_path / where)
    assert main([tool, "--repo", repo]) == 2
    assert capsys.readouterr().err == (
        f"harvest {tool}: error: argument --repo: {message.format(where=repo)} "
        f"(see harvest {tool} --help)\n"
    )


def _record(**fields: object) -> str:
    """A topic file of one record of `t`, with these fields, in the file format."""
    record = json.loads(store.dumps([paper("2401.00001v1")]))[0]
    return json.dumps([record | fields], indent=2, ensure_ascii=False) + "\n"


STATE = '{"query": "all:x", "since": null, "complete": true, "until": "2026-01-02T00:00:00Z"'


# Every data or state file fuzzing found (issue #16), read by `check` and `stats`: one line
# naming the file and what is wrong, exit 1, no traceback; a valid oddity is shown as usual.
@pytest.mark.parametrize("command", ["check", "stats"])
@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        pytest.param(
            ".harvest/t.json",
            STATE.replace("2026-01-02", "0001-01-01") + "}",
            "invalid harvest state: until: Value error, must be a time from the year 1000 to 9000",
            id="state-until-year-1",
        ),
        pytest.param(
            ".harvest/t.json",
            STATE + ', "watermark": "0001-01-01T00:00:00"}',
            "invalid harvest state: watermark: Value error, must be a time from the year 1000",
            id="state-watermark-year-1",
        ),
        pytest.param(
            ".harvest/t.json",
            STATE + ', "done": [["0001-01-01T00:00:00Z", "0001-01-01T00:01:00Z"]]}',
            "invalid harvest state: done.0.0: Value error, must be a time from the year 1000",
            id="state-done-year-1",
        ),
        pytest.param(
            "t.json",
            _record(updated="0001-01-01T00:00:00+01:00"),
            "record 0: updated: Value error, a time that cannot be expressed in UTC",
            id="data-updated-year-1-offset",
        ),
        pytest.param(
            "t.json",
            "[" * 5000 + "]" * 5000,
            "nested too deeply to be a topic file",
            id="data-5000-deep",
        ),
        pytest.param(
            "t.json",
            "[" + "9" * 5000 + "]",
            "not valid JSON: Exceeds the limit (4300 digits) for integer string conversion",
            id="data-number-5000-digits",
        ),
        pytest.param(
            "t.json",
            _record(arxiv_id="\uff12\uff14\uff10\uff11.00001v1"),
            "record 0: arxiv_id: Value error, not a versioned arXiv id",
            id="data-fullwidth-digits-id",
        ),
        pytest.param("t.json", _record(published="0001-01-01"), None, id="data-published-year-1"),
    ],
)
def test_a_hostile_data_or_state_file_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    file: str,
    content: str,
    message: str | None,
):
    """`check` and `stats` on a file fuzzing found: one ERROR line naming it, exit 1."""
    config, data = one_topic(tmp_path)
    (data / ".harvest").mkdir()
    (data / file).write_text(content, encoding="utf-8")
    code = main([command, "--config", str(config), "--data-dir", str(data)])
    out, err = capsys.readouterr()
    if message is None:  # valid, however odd: shown as any other
        assert (code, err) == (0, "")
        assert out
        return
    assert code == 1
    assert err == f"ERROR {data / file}: {message}{err.partition(message)[2]}"
    assert err.count("\n") == 1


# Hostile arguments to the tools issue 19 added (issue 16's rule: one line, the right exit
# code, no traceback, no file changed). `{tmp}` is the test's directory; `--config` and
# `--data-dir` follow the tool's name unless it is `init`.
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(
            ["search", "\udcff"],
            2,
            "argument TEXT: not UTF-8 text: '\\udcff'",
            id="search-not-utf8",
        ),
        pytest.param(
            ["search", "x", "--author", "a\udcfe"],
            2,
            "argument --author: not UTF-8 text: 'a\\udcfe'",
            id="search-author-not-utf8",
        ),
        pytest.param(
            ["export", "--out", ""], 2, "argument --out: an empty path", id="export-out-empty"
        ),
        pytest.param(
            ["site", "--out", ""], 2, "argument --out: an empty path", id="site-out-empty"
        ),
        pytest.param(
            ["site", "--report", ""], 2, "argument --report: an empty path", id="site-report-empty"
        ),
        pytest.param(["search", "x", "--db", ""], 2, "argument --db: an empty path", id="db-empty"),
        pytest.param(["init", ""], 2, "argument DIR: an empty path", id="init-empty"),
    ],
)
def test_a_hostile_argument_to_a_tool_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
):
    """Each case: its exit code, one line on stderr saying what is wrong, the data unchanged."""
    monkeypatch.chdir(tmp_path)  # an empty path is `.`: what it writes stays in the test's
    config, data = one_topic(tmp_path)
    store.save(data / "t.json", [paper("2401.00001v1")])
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    paths = [] if args[0] == "init" else ["--config", str(config), "--data-dir", str(data)]
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    assert main([*argv[:1], *paths, *argv[1:]]) == code
    prog = f"harvest {args[0]}"
    assert capsys.readouterr().err == (
        f"{prog}: error: {message.replace('{tmp}', str(tmp_path))} (see {prog} --help)\n"
    )
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.usefixtures("from_an_index")  # init refuses the tests' editable install
@pytest.mark.parametrize("tool", ["init", "export", "site"])
def test_a_path_with_a_line_break_stays_on_its_result_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, tool: str
):
    """A directory named `a<newline>b` is written as given, and named as `a\\nb` on the
    tool's lines: every result line is one line."""
    monkeypatch.chdir(tmp_path)
    config, data = one_topic(tmp_path)
    store.save(data / "t.json", [paper("2401.00001v1")])
    paths = [] if tool == "init" else ["--config", str(config), "--data-dir", str(data), "--out"]
    assert main([tool, *paths, "a\nb"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (tmp_path / "a\nb").is_dir()
    assert all("a\\nb" in line for line in lines), lines
