"""The `harvest` command (cli/__init__.py and cli/run.py) end to end, against the stand-in
arXiv on 127.0.0.1: results, summaries, exit codes, one line per error; the tables of every
bad input and every input fuzzing found (issues #3 and #10) and faults of the whole run."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harvester.arxiv import feed
from harvester.cli import main
from harvester.db import store
from tests.conftest import (
    ERROR_FEED_2026,
    ERROR_FEED_LEGACY,
    FIXTURES,
    HTML,
    KEYS,
    RLHF_QUERY,
    TOOLS,
    FakeTime,
    argv,
    closed_port,
    tree,
)
from tests.oai_standin import OaiStandin
from tests.standin import Reply, Standin, error_feed


def run(harvest_bin: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed console script as a user would."""
    env = {k: v for k, v in os.environ.items() if k != "ARXIV_API_URL"}
    return subprocess.run(
        [harvest_bin, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )


def test_end_to_end_writes_contract_file_and_rerun_changes_nothing(
    standin: Standin, config: Path, harvest_bin: str
):
    """A real `harvest` run writes one record per served paper; a re-run leaves bytes and mtime."""
    result = run(
        harvest_bin,
        *argv(standin, config, "--topic", "rlhf_code", "--page-size", "40"),
        cwd=config.parent,
    )
    assert result.returncode == 0, result.stderr
    path = config.parent / "data" / "rlhf_code.json"
    data = path.read_bytes()
    records = json.loads(data)
    assert [r["arxiv_id"] for r in records] == [e.arxiv_id for e in standin.entries]
    assert len(records) == 111
    assert all(list(r) == KEYS for r in records)
    order = [(r["published"], r["arxiv_id"].rsplit("v", 1)[0]) for r in records]
    assert order == sorted(order, reverse=True)
    assert data.endswith(b"}\n]\n")
    assert result.stdout.splitlines()[0].startswith(
        "rlhf_code: 111 new, 0 updated, 0 unchanged, 111 total; 3 requests in "
    )
    assert [r["start"] for r in standin.requests] == ["0", "40", "80"]

    files = sorted(
        p for p in path.parent.rglob("*") if p.is_file() and ".harvest.lock" not in p.name
    )
    assert (
        [str(p.relative_to(path.parent)) for p in files]
        == [
            ".harvest/.gitignore",  # keeps the machine-local .seen records out of git
            ".harvest/rlhf_code.json",  # how far the harvest got: complete, so later runs are incremental
            ".harvest/rlhf_code.seen",  # the files' stat as this machine saw them (not committed)
            "rlhf_code.json",
        ]
    )
    # The .seen record is this machine's cache of the files' stat, which this test changes.
    files = [f for f in files if f.suffix != ".seen"]
    for file in files:
        os.utime(file, (1_000_000, 1_000_000))
    before = {file: file.read_bytes() for file in files}
    again = run(
        harvest_bin,
        *argv(standin, config, "--topic", "rlhf_code", "--page-size", "40"),
        cwd=config.parent,
    )
    assert again.returncode == 0, again.stderr
    assert path.read_bytes() == data
    assert {file: file.read_bytes() for file in files} == before
    assert all(file.stat().st_mtime == 1_000_000 for file in files)
    assert again.stdout.startswith(
        "rlhf_code: 0 new, 0 updated, 0 unchanged, 111 total; 1 request in"
    )
    assert "(incremental, file unchanged)" in again.stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("recording", "reason"),
    [
        pytest.param(ERROR_FEED_LEGACY, "incorrect id format for INVALIDID", id="legacy"),
        pytest.param(ERROR_FEED_2026, "incorrect id format for abc", id="2026"),
    ],
)
def test_error_feed_fails_topic_and_leaves_file(
    standin: Standin, config: Path, harvest_bin: str, recording: Path, reason: str
):
    """arXiv's error feed exits 1 with its reason on one line; the topic's file is untouched."""
    data_dir = config.parent / "data"
    data_dir.mkdir()
    before = b'[\n  {"stale": "but ours"}\n]\n'  # not even valid: proves nothing reads-and-rewrites
    (data_dir / "llm_alignment.json").write_bytes(before)
    (data_dir / "rlhf_code.json").write_bytes(b"[]\n")
    os.utime(data_dir / "rlhf_code.json", (1_000_000, 1_000_000))
    body = recording.read_bytes()
    standin.script = [Reply(status=400, body=body)]
    result = run(harvest_bin, *argv(standin, config, "--topic", "rlhf_code"), cwd=config.parent)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1
    assert errors[0].startswith("ERROR rlhf_code: arXiv rejected the query: " + reason)
    assert "Traceback" not in result.stderr
    assert len(standin.requests) == 1  # never retried
    assert (data_dir / "rlhf_code.json").read_bytes() == b"[]\n"
    assert (data_dir / "rlhf_code.json").stat().st_mtime == 1_000_000
    assert (data_dir / "llm_alignment.json").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(
            ["--topic", "nope"],
            2,
            "ERROR unknown topic 'nope' in {config}; known topics: rlhf_code, llm_alignment",
            id="unknown-topic",
        ),
        pytest.param(
            ["--config", "{bad}"],
            2,
            'ERROR {bad}: topic "llm": unknown key "max_result" (did you mean "max_results"?)',
            id="unknown-key",
        ),
        pytest.param(
            ["--config", "{missing}"],
            2,
            "ERROR {missing}: no such file; harvest init starts a database here, or --config",
            id="no-config",
        ),
        pytest.param(
            ["--page-size", "5000"],
            2,
            "argument --page-size: must be between 1 and 2000: 5000",
            id="page-size",
        ),
        pytest.param(
            ["--delay", "-1"],
            2,
            "argument --delay: must be a finite number, 0 or more: -1",
            id="negative-delay",
        ),
        pytest.param(
            ["--delay", "nan"], 2, "argument --delay: must be a finite number", id="nan-delay"
        ),
        pytest.param(
            ["--delay", "1e300"],
            2,
            "argument --delay: must be at most 3600: 1e300",
            id="delay-past-what-a-sleep-takes",  # issue 24: an OverflowError in the pacer
        ),
        pytest.param(
            ["--api-url", "foo"], 2, "argument --api-url: not an http(s) URL: 'foo'", id="api-url"
        ),
        pytest.param(
            ["--api-url", "http://[::1"], 2, "argument --api-url: not a URL", id="api-url-broken"
        ),
        pytest.param(
            ["--since", "2022-13-01"], 2, "argument --since: not a date like 2022-01-01", id="since"
        ),
    ],
)
def test_usage_and_config_errors_exit_2_without_traceback(
    standin: Standin, config: Path, harvest_bin: str, args: list[str], code: int, message: str
):
    """Usage and config errors exit 2 with one line naming the problem; nothing is fetched."""
    names = {
        "config": str(config),
        "bad": str(FIXTURES / "config" / "unknown_key.toml"),
        "missing": str(config.parent / "absent.toml"),
    }
    command = [
        "--config",
        str(config),
        "--api-url",
        standin.url,
        "--data-dir",
        str(config.parent / "data"),
        *[a.format(**names) for a in args],
    ]
    result = run(harvest_bin, *command, cwd=config.parent)
    assert result.returncode == code
    assert message.format(**names) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert standin.requests == []
    assert not (config.parent / "data").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["serach", "x"], """unknown tool 'serach' (did you mean "search"?)""", id="typo"
        ),
        pytest.param(
            ["-v", "stat"], """unknown tool 'stat' (did you mean "stats"?)""", id="after-v"
        ),
        pytest.param(
            ["rlhf_code"], f"unknown tool 'rlhf_code'; the tools: {', '.join(TOOLS)}", id="far"
        ),
    ],
)
def test_a_first_argument_that_is_no_tool_is_one_line(args: list[str], message: str, capsys):
    """A first argument neither a flag nor a tool: exit 2, one line with the nearest tool (#26)."""
    assert main(args) == 2
    assert capsys.readouterr() == ("", f"harvest: error: {message} (see harvest --help)\n")


def test_new_version_replaces_old_record(standin: Standin, config: Path, capsys):
    """A paper served as v1 and then as v2 ends as one record with v2's id, title and updated."""
    first = standin.entries[0]
    assert first.arxiv_id.endswith("v1")
    recent = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # after the first run
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    standin.entries[0] = first.new_version(2, title="A Better   Title\n  for v2", updated=recent)
    capsys.readouterr()
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 0 new, 1 updated, 0 unchanged, 111 total")
    records = json.loads((config.parent / "data" / "rlhf_code.json").read_text())
    base = first.key
    mine = [r for r in records if r["arxiv_id"].startswith(base)]
    assert len(mine) == 1
    assert mine[0]["arxiv_id"] == f"{base}v2"
    assert mine[0]["title"] == "A Better Title for v2"
    assert mine[0]["updated"] == f"{recent:%Y-%m-%dT%H:%M:%SZ}"
    assert mine[0]["url"] == f"https://arxiv.org/abs/{base}v2"


@pytest.mark.parametrize(
    ("extra", "label", "summary"),
    [
        pytest.param(
            ["--dry-run"], "(full, dry run, not written)", "Harvested 1 topic:", id="full"
        ),
        pytest.param(
            ["--since", "2025-01-01", "--dry-run"],
            "(since 2025-01-01, dry run, not written)",
            "Harvested 1 topic:",
            id="since",
        ),
    ],
)
def test_a_one_topic_line_says_what_ran(
    standin: Standin, config: Path, capsys, extra: list[str], label: str, summary: str
):
    """A one-off --since is labelled with its date, not as a full harvest (issue 16)."""
    assert main([*argv(standin, config, "--topic", "rlhf_code"), *extra]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(label)
    assert out[1].startswith(summary)


def test_all_topics_summary_and_dry_run(standin: Standin, config: Path, capsys):
    """Without --topic every topic runs; --dry-run reports the same counts and writes nothing."""
    args = argv(standin, config)
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("rlhf_code: 111 new, 0 updated, 0 unchanged, 111 total; 1 request in")
    assert out[0].endswith("(full, dry run, not written)")
    assert out[1].startswith("llm_alignment: 111 new")
    assert out[2].startswith("Harvested 2 topics: 222 new, 0 updated, 0 unchanged; 2 requests in ")
    assert not (config.parent / "data").exists()
    assert main(args) == 0
    assert sorted(p.name for p in (config.parent / "data").glob("*.json")) == [
        "llm_alignment.json",
        "rlhf_code.json",
    ]


def test_since_limits_the_query_and_the_records(standin: Standin, tmp_path: Path):
    """A topic's since is sent as a submittedDate range and older papers are not stored."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.recent]\nquery = "all:testing"\nsince = 2026-01-01\n')
    assert main(argv(standin, config)) == 0
    query = standin.requests[0]["search_query"]
    assert query.startswith("(all:testing) AND submittedDate:[202601010000 TO ")
    records = json.loads((tmp_path / "data" / "recent.json").read_text())
    assert records
    assert all(r["published"] >= "2026-01-01" for r in records)


def test_python_dash_m_runs_the_cli():
    """`python -m harvester --version` runs the same CLI."""
    result = subprocess.run(
        [sys.executable, "-m", "harvester", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("harvest ")


def test_data_dir_that_is_a_file_is_one_line(standin: Standin, config: Path, capsys):
    """A data directory that cannot be one fails with one line, no traceback."""
    not_a_dir = config.parent / "file"
    not_a_dir.write_text("x")
    code = main(["--config", str(config), "--data-dir", str(not_a_dir), "--api-url", standin.url])
    err = capsys.readouterr().err
    assert code == 1
    assert err == f"ERROR {not_a_dir}: cannot use as data directory: File exists\n"


def test_quiet_prints_nothing_when_nothing_changed(standin: Standin, config: Path, capsys):
    """-q is silent on a run with nothing new and exits 0; it still reports changes."""
    args = argv(standin, config, "--topic", "rlhf_code")
    assert main([*args, "-q", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 111 new")  # a dry run's changes count
    assert main([*args, "-q"]) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 111 new")
    assert main([*args, "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def test_verbose_logs_progress_and_tracebacks(standin: Standin, config: Path, capsys):
    """-v logs progress; a failing topic's error then comes with its traceback."""
    standin.script = [Reply(status=404)]
    assert main([*argv(standin, config, "--topic", "rlhf_code"), "-v"]) == 1
    err = capsys.readouterr().err
    assert "INFO rlhf_code: full harvest of 1991-01-01 00:00 to " in err
    assert "Traceback (most recent call last)" in err
    assert "harvester.errors.FetchError: HTTP 404" in err


def test_api_url_from_environment(standin: Standin, config: Path, harvest_bin: str):
    """ARXIV_API_URL is the endpoint when --api-url is not given."""
    args = [
        harvest_bin,
        "--config",
        str(config),
        "--data-dir",
        str(config.parent / "d"),
        "--delay",
        "0",
        "--topic",
        "rlhf_code",
    ]
    env = {**os.environ, "ARXIV_API_URL": standin.url}
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(standin.requests) == 1


def test_delay_spaces_requests_across_topics_in_a_run(standin: Standin, config: Path):
    """With --delay 3, request starts of the whole run, across topics, are 3 s apart."""
    time = FakeTime()
    starts: list[float] = []

    def serve(params: dict[str, str]) -> Reply:
        starts.append(time.now)
        return Reply(body=standin.feed(int(params["start"]), int(params["max_results"])))

    standin.script = [serve] * 6
    args = argv(standin, config, "--delay", "3", "--page-size", "40")  # the last --delay counts
    assert main(args, sleep=time.sleep, clock=time.clock) == 0
    assert len(starts) == 6  # three pages for each of the two topics
    assert [b - a for a, b in itertools.pairwise(starts)] == [3.0] * 5


def test_closed_pipe_ends_quietly(config: Path, harvest_bin: str):
    """A reader that goes away (`harvest stats | head`) gets no traceback, just exit code 1."""
    args = [harvest_bin, "stats", "--config", str(config), "--data-dir", str(config.parent)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()  # before anything is written
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert err == b""


# Faults of the whole run and faults that outlast the retries (issue #10).
def test_fault_outlasting_retries_fails_only_that_topic(
    standin: Standin, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A topic whose fault outlasts the retries fails alone: exit 1, its file as it was."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "rlhf_code.json").write_bytes(b"[]\n")
    before = tree(data, deep=False)
    standin.script = [Reply(status=503)] * 5
    assert main(argv(standin, config, data_dir=data), sleep=FakeTime().sleep) == 1
    assert tree(data, deep=False)["rlhf_code.json"] == before["rlhf_code.json"]
    assert len(json.loads((data / "llm_alignment.json").read_bytes())) == 111
    out, err = capsys.readouterr()
    assert "rlhf_code: failed after 5 requests" in out
    assert "llm_alignment: 111 new" in out
    assert out.splitlines()[-1].startswith("Harvested 1 of 2 topics (failed: rlhf_code)")
    errors = [line for line in err.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1
    assert errors[0] == "ERROR rlhf_code: HTTP 503 (page at offset 0)"  # the URL only with -v


FIVE_TOPICS = ["rlhf_code", "llm_alignment", "code_synthesis", "llm_reasoning", "alphaco_related"]


@pytest.fixture
def five_topics(tmp_path: Path) -> Path:
    """A topics file with the five starting topics (all served the same by the stand-in)."""
    path = tmp_path / "five.toml"
    path.write_text(
        "".join(f"[topics.{name}]\nquery = '{RLHF_QUERY}'\n\n" for name in FIVE_TOPICS),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        pytest.param("127.0.0.1:{port}", "connection refused", id="refused"),
        # RFC 6761: resolvers answer names under .invalid NXDOMAIN themselves, offline.
        pytest.param("export.arxiv.invalid", "name not known", id="no-such-name"),
    ],
)
def test_unreachable_api_stops_the_run_after_one_topic(
    five_topics: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], host: str, reason: str
):
    """arXiv unreachable, 5 topics: exit 1 after one topic's retries, each retry line and the
    error naming the topic and the host plainly, no request counted as answered (issue 16)."""
    report = tmp_path / "report.json"
    host = host.replace("{port}", str(closed_port()))
    api = f"http://{host}/api/query"
    fake = FakeTime()
    args = ["--config", str(five_topics), "--data-dir", str(tmp_path / "data"), "--api-url", api]
    assert main([*args, "--report", str(report)], sleep=fake.sleep) == 1
    topics = json.loads(report.read_bytes())["topics"]
    assert topics["rlhf_code"]["requests"] == 5  # one topic's attempts, no more
    assert topics["rlhf_code"]["error"] == f"cannot reach {host}: {reason}"
    for name in FIVE_TOPICS[1:]:
        assert topics[name]["requests"] == 0
        assert topics[name]["error"].startswith("not tried: rlhf_code met a fault of the whole run")
    assert len(fake.sleeps) == 4 + 4  # 4 pacer waits and 4 backoffs: one topic's budget
    out, err = capsys.readouterr()
    assert [line for line in out.splitlines() if "not tried (" in line] == [
        f"{name}: not tried (rlhf_code met a fault of the whole run: {topics['rlhf_code']['error']})"
        for name in FIVE_TOPICS[1:]
    ]
    assert "rlhf_code: failed after 5 requests (none answered)" in out.splitlines()
    last = out.splitlines()[-1]
    assert last.startswith(
        "Harvested 0 of 5 topics (failed: rlhf_code; not tried: llm_alignment, code_synthesis, "
    )
    assert "; 5 requests (none answered) in " in last
    warnings = [line for line in err.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 4
    for number, line in enumerate(warnings, 1):
        assert line.startswith(
            f"WARNING rlhf_code: attempt {number} of 5 failed: cannot reach {host}: {reason}; "
            "retrying in "
        )
    errors = [line for line in err.splitlines() if line.startswith("ERROR")]
    assert errors == [f"ERROR rlhf_code: cannot reach {host}: {reason}"]
    assert api not in err  # the URL only with -v


def test_throttling_that_outlasts_the_retries_stops_the_run(
    standin: Standin, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """429 on every attempt of the first topic: the second is not tried; -v shows the URL."""
    standin.script = [Reply(status=429, body=b"Rate exceeded.")] * 5
    assert (
        main([*argv(standin, config, data_dir=tmp_path / "data"), "-v"], sleep=FakeTime().sleep)
        == 1
    )
    assert len(standin.requests) == 5
    out, err = capsys.readouterr()
    assert "llm_alignment: not tried (rlhf_code met a fault of the whole run: HTTP 429" in out
    error = next(line for line in err.splitlines() if line.startswith("ERROR rlhf_code"))
    assert error.startswith("ERROR rlhf_code: HTTP 429 (page at offset 0) (http://127.0.0.1:")


# Every bad input ends in one line, its exit code and no file changed (issue #3).
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    b'<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    b'<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    b'<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>'
)


GOOD_PAPERS = Standin().entries[:3]


def _good_file() -> bytes:
    return store.dumps(feed.parse(Standin(entries=GOOD_PAPERS).feed(0, 10)).papers)


def _records(*edits: dict[str, object]) -> bytes:
    records = json.loads(_good_file())
    return json.dumps([{**records[i], **edit} for i, edit in enumerate(edits)]).encode()


GOOD = _good_file()


TRUNCATED = Standin().feed(0, 10)[:4000]


NO_TOTAL = (
    Standin().feed(0, 10).replace(b"<opensearch:totalResults>111</opensearch:totalResults>", b"")
)


BAD_INPUTS = [
    # Configs: exit 2, nothing fetched, nothing touched.
    pytest.param(
        {"config": "unknown_key.toml"},
        2,
        'unknown key "max_result" (did you mean',
        id="cfg-unknown-key",
    ),
    pytest.param(
        {"config": "bad_syntax.toml"},
        2,
        "not valid TOML: Illegal character '\\n' (at line 2",
        id="cfg-syntax",
    ),
    pytest.param(
        {"config": "bad_topic_name.toml"},
        2,
        'topic name "LLM-Alignment" must match',
        id="cfg-topic-name",
    ),
    pytest.param(
        {"config": "empty_query.toml"}, 2, "query must be a non-empty string", id="cfg-empty-query"
    ),
    pytest.param(
        {"config": "bad_date.toml"}, 2, "since must be a date like 2022-01-01", id="cfg-bad-date"
    ),
    pytest.param(
        {"config": "bad_date_bare.toml"},
        2,
        'topic "llm": since must be a date like 2022-01-01 (got 2022-13-01: month must be in 1..12',
        id="cfg-bare-bad-date",
    ),
    pytest.param(
        {"config": "bad_default_date.toml"},
        2,
        "[defaults]: since must be a date like 2022-01-01 (got 2022-02-30: day is out of range",
        id="cfg-bad-default-date",
    ),
    pytest.param(
        {"config": "unknown_table.toml"},
        2,
        'unknown key "topic" (did you mean "topics"?)',
        id="cfg-unknown-table",
    ),
    pytest.param({"topic": "nope"}, 2, "unknown topic 'nope'", id="unknown-topic"),
    # Data files: the topic fails before any request, the file stays as it was.
    pytest.param(
        {"data": GOOD[:200]},
        1,
        "rlhf_code.json: not valid JSON at line 7 column 7",
        id="data-truncated",
    ),
    pytest.param(
        {"data": b'{"rlhf_code": []}\n'},
        1,
        "expected a JSON array of records, found dict",
        id="data-not-array",
    ),
    pytest.param(
        {"data": _records({"authors": None})},
        1,
        "record 0: authors: Input should be a valid list",
        id="data-bad-field",
    ),
    pytest.param(
        {"data": _records({}, {"arxiv_id": "not-an-id"})},
        1,
        "record 1: arxiv_id: Value error, not a versioned arXiv id",
        id="data-bad-id",
    ),
    pytest.param(
        {"data": GOOD[:-3] + b",\n" + GOOD[2:]},
        1,
        "record 3: paper 2604.03438 is also record 0",
        id="data-duplicate",
    ),
    pytest.param({"data": b"\xef\xbb\xbf\xff[]"}, 1, "not UTF-8 at byte 3", id="data-not-utf8"),
    # arXiv bodies: refused or retried, then the topic fails and nothing is written.
    pytest.param({"reply": Reply(body=BOMB)}, 1, "response refused: ", id="body-billion-laughs"),
    pytest.param(
        {"reply": Reply(status=400, body=ERROR_FEED_LEGACY.read_bytes())},
        1,
        "arXiv rejected the query: incorrect id format for INVALIDID",
        id="body-error-feed-legacy",
    ),
    pytest.param(
        {"reply": Reply(status=400, body=ERROR_FEED_2026.read_bytes())},
        1,
        "arXiv rejected the query: incorrect id format for abc",
        id="body-error-feed-2026",
    ),
    pytest.param(
        {"reply": Reply(body=HTML), "times": 5},
        1,
        "response is not an Atom feed (root element 'html')",
        id="body-html",
    ),
    pytest.param(
        {"reply": Reply(body=TRUNCATED), "times": 5},
        1,
        "response is not well-formed XML",
        id="body-truncated",
    ),
    pytest.param(
        {"reply": Reply(body=NO_TOTAL), "times": 5},
        1,
        "feed has no valid opensearch:totalResults",
        id="body-no-total",
    ),
    pytest.param(
        {"reply": Reply(status=404, body=b"Not Found")},
        1,
        "HTTP 404 (page at offset 0)",
        id="body-404",
    ),
]


@pytest.mark.parametrize(("case", "code", "message"), BAD_INPUTS)
def test_bad_input_gets_one_line_the_right_code_and_changes_no_file(
    standin: Standin,
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: dict[str, object],
    code: int,
    message: str,
):
    """Each bad input exits with its code and one ERROR line saying what and where; no file moves."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "rlhf_code.json").write_bytes(case.get("data", GOOD))  # type: ignore[arg-type]
    (data / "llm_alignment.json").write_bytes(GOOD)
    if "config" in case:
        config = FIXTURES / "config" / str(case["config"])
    if "reply" in case:
        standin.script = [case["reply"]] * int(case.get("times", 1))  # type: ignore[list-item, call-overload]
    before = tree(data, deep=False)
    topic = str(case.get("topic", "rlhf_code"))
    exit_code = main(
        [*argv(standin, config, data_dir=data), "--topic", topic], sleep=FakeTime().sleep
    )
    err = capsys.readouterr().err
    assert exit_code == code
    errors = [line for line in err.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, err
    assert message in errors[0]
    assert "Traceback" not in err
    assert tree(data, deep=False) == before
    if code == 2 or "data" in case:
        assert standin.requests == []
    assert len(standin.requests) == int(case.get("times", 1 if "reply" in case else 0))  # type: ignore[call-overload]


# Every input fuzzing found ends in one line, the right exit code, no file touched (issue #10).
# Each case prepares the fault for real (a feed served on 127.0.0.1, a file, a FIFO, a
# symlink to a device) in a data directory whose two topic files are already populated.
OTHER = "llm_alignment"


def with_entry(arxiv_id: str, stamp: str) -> bytes:
    """A page of the stored papers and one more, whose id and `<published>` are these."""
    template = GOOD_PAPERS[0]
    xml = template.xml.replace(template.arxiv_id.encode(), b"2301.00001v1")
    xml = re.sub(rb"<published>[^<]*</published>", f"<published>{stamp}</published>".encode(), xml)
    xml = xml.replace(b"2301.00001v1", arxiv_id.encode())
    odd = replace(template, xml=xml, arxiv_id="2301.00001v1")
    return Standin(entries=[*GOOD_PAPERS, odd]).feed(0, 10)


def redirect_loop() -> list[Reply]:
    """A redirect to itself, for as many requests as httpx follows (20) and one more."""
    return [Reply(status=302, headers={"Location": "/api/query?loop=1"})] * 21


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    return path


QUERY = "query = 'cat:cs.LG'\n"
TWO = f"[topics.rlhf_code]\n{QUERY}\n[topics.{OTHER}]\n{QUERY}"
NAIVE_STATE = (
    '{"query": "cat:cs.LG", "since": null, "until": "2026-01-02T00:00:00", "complete": true,'
    ' "watermark": "2026-01-01T00:00:00"}'
)

Setup = Callable[[Path, Path], None]


def data_file(content: bytes) -> Setup:
    def setup(data: Path, tmp_path: Path) -> None:
        (data / "rlhf_code.json").write_bytes(content)

    return setup


def device(data: Path, tmp_path: Path) -> None:
    (data / "rlhf_code.json").unlink()
    (data / "rlhf_code.json").symlink_to("/dev/zero")


def fifo(data: Path, tmp_path: Path) -> None:
    (data / "rlhf_code.json").unlink()
    os.mkfifo(data / "rlhf_code.json")


def full_disk_lock(data: Path, tmp_path: Path) -> None:
    (data / ".harvest.lock.owner").symlink_to("/dev/full")  # writing it fails with ENOSPC


def naive_state(data: Path, tmp_path: Path) -> None:
    (data / ".harvest").mkdir()
    (data / ".harvest" / "rlhf_code.json").write_text(NAIVE_STATE, encoding="utf-8")


def report_fifo(data: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "report")


def report_device(data: Path, tmp_path: Path) -> None:
    (tmp_path / "report").symlink_to("/dev/null")


DEEP = b"[" * 100_000 + b"]" * 100_000


def state_file(text: str) -> Setup:
    def setup(data: Path, tmp_path: Path) -> None:
        (data / ".harvest").mkdir()
        (data / ".harvest" / "rlhf_code.json").write_text(text, encoding="utf-8")

    return setup


def state_with(**times: object) -> Setup:
    """A complete state of rlhf_code (query and since as in TWO) with these timestamps."""
    fields = {
        "query": "cat:cs.LG",
        "since": None,
        "complete": True,
        "until": "2026-01-02T00:00:00Z",
    }
    return state_file(json.dumps(fields | times))


def lock_directory(data: Path, tmp_path: Path) -> None:
    (data / ".harvest.lock").mkdir()


def lock_owner_directory(data: Path, tmp_path: Path) -> None:
    (data / ".harvest.lock.owner").mkdir()


def lock_loop(data: Path, tmp_path: Path) -> None:
    (data / ".harvest.lock").symlink_to(".harvest.lock")  # cannot be opened, even by root


def data_symlink(data: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere.json").write_bytes(GOOD)
    (data / "rlhf_code.json").unlink()
    (data / "rlhf_code.json").symlink_to(tmp_path / "elsewhere.json")


HUGE_TOTAL = (
    Standin(entries=GOOD_PAPERS)
    .feed(0, 10)
    .replace(b">3</opensearch:totalResults>", b">" + b"9" * 400 + b"</opensearch:totalResults>")
)

# Each case: config text, setup of the data dir, scripted replies, extra flags; then the
# exit code, the one line it must print (an ERROR; a WARNING for a skipped entry; None
# for nothing), and whether the other topic must still have run.
CASES = [
    pytest.param(
        TWO,
        None,
        [Reply(body=with_entry("2301.00001v1", "0001-01-01T00:00:00+01:00"))],
        [],
        0,
        "rlhf_code: Skipping entry 2301.00001v1: no valid <published>",
        True,
        id="feed-year-1",
    ),
    pytest.param(
        TWO,
        None,
        [Reply(body=with_entry("2301.00001v1", "9999-12-31T23:59:59-01:00"))],
        [],
        0,
        "rlhf_code: Skipping entry 2301.00001v1: no valid <published>",
        True,
        id="feed-year-9999",
    ),
    pytest.param(
        TWO,
        None,
        [Reply(body=with_entry("2301.00001v" + "9" * 5000, "2023-01-02T00:00:00Z"))],
        [],
        0,
        "rlhf_code: Skipping entry with id 'http://arxiv.org/abs/2301.00001v99999",
        True,
        id="feed-version-5000-digits",
    ),
    pytest.param(
        TWO,
        None,
        [Reply(body=b"plain text", headers={"Content-Encoding": "gzip"})] * 5,
        [],
        1,
        "rlhf_code: DecodingError: ",
        True,
        id="content-encoding-lie",
    ),
    pytest.param(
        TWO, None, redirect_loop(), [], 1, "rlhf_code: TooManyRedirects: ", True, id="redirect-loop"
    ),
    pytest.param(
        TWO,
        full_disk_lock,
        [],
        [],
        1,
        "cannot write the lock's owner file: No space left on device",
        False,
        id="lock-disk-full",
    ),
    pytest.param(
        TWO,
        data_file(DEEP),
        [],
        [],
        1,
        "rlhf_code.json: nested too deeply",
        True,
        id="data-deep-nesting",
    ),
    pytest.param(
        TWO, device, [], [], 1, "rlhf_code.json: not a regular file", True, id="data-dev-zero"
    ),
    pytest.param(TWO, fifo, [], [], 1, "rlhf_code.json: not a regular file", True, id="data-fifo"),
    pytest.param(
        TWO.replace("'cat:cs.LG'", "'all:x'"),
        naive_state,
        [],
        [],
        0,
        None,
        True,
        id="state-naive-timestamp",
    ),
    pytest.param(
        TWO + "x = " + "[" * 3000 + "]" * 3000 + "\n",
        None,
        [],
        [],
        2,
        "nested too deeply",
        False,
        id="cfg-3000-deep",
    ),
    pytest.param(
        TWO + f"[topics.long]\nquery = '{'x' * 65_000}'\n",
        None,
        [],
        [],
        2,
        'topic "long": query must be a non-empty string of at most 4000 characters',
        False,
        id="cfg-65kB-query",
    ),
    pytest.param(
        TWO + "[defaults]\nlookback_days = 1000000\n",
        None,
        [],
        [],
        2,
        "[defaults]: lookback_days must be a whole number of days, 0 to 3650",
        False,
        id="cfg-lookback-1000000",
    ),
    pytest.param(
        TWO + f"[topics.{'a' * 300}]\n{QUERY}",
        None,
        [],
        [],
        2,
        "must be at most 100 characters",
        False,
        id="cfg-long-name",
    ),
    pytest.param(
        TWO,
        report_fifo,
        [],
        ["--report", "{tmp}/report"],
        2,
        "/report: not a regular file",
        False,
        id="report-fifo",
    ),
    pytest.param(
        TWO,
        report_device,
        [],
        ["--report", "{tmp}/report"],
        2,
        "/report: not a regular file",
        False,
        id="report-device",
    ),
    pytest.param(
        TWO,
        None,
        [],
        ["--report", "{tmp}/data/rlhf_code.json"],
        2,
        "inside the data directory or the topics file",
        False,
        id="report-over-a-topic-file",
    ),
    pytest.param(
        TWO,
        None,
        [],
        ["--report", "{tmp}/data/.harvest/rlhf_code.json"],
        2,
        "inside the data directory",
        False,
        id="report-over-a-state-file",
    ),
    pytest.param(
        TWO,
        None,
        [],
        ["--report", "{tmp}/fuzz.toml"],
        2,
        "inside the data directory or the topics file",
        False,
        id="report-over-the-config",
    ),
    pytest.param(
        TWO,
        None,
        [Reply(status=400, body=error_feed("bad \u009b31m query\u2028ERROR forged \u202eevil"))],
        [],
        1,
        "rlhf_code: arXiv rejected the query: bad \\x9b31m query ERROR forged \\u202eevil",
        True,
        id="error-feed-with-terminal-controls",
    ),
    pytest.param(
        TWO,
        None,
        [],
        ["--config", "{tmp}/fifo"],
        2,
        "fifo: not a regular file",
        False,
        id="config-fifo",
    ),
    pytest.param(
        TWO,
        None,
        [],
        ["--config", "/dev/zero"],
        2,
        "/dev/zero: not a regular file",
        False,
        id="config-dev-zero",
    ),
    # Issue #16.
    pytest.param(
        TWO,
        state_with(until="0001-01-01T00:00:00Z"),
        [],
        [],
        1,
        "invalid harvest state: until: Value error, must be a time from the year 1000 to 9000",
        True,
        id="state-until-year-1",
    ),
    pytest.param(
        TWO,
        state_with(watermark="0001-01-01T00:00:00Z"),
        [],
        [],
        1,
        "invalid harvest state: watermark: Value error, must be a time from the year 1000",
        True,
        id="state-watermark-year-1",
    ),
    pytest.param(
        TWO,
        state_with(
            complete=False,
            done=[["0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z"]],
        ),
        [],
        [],
        1,
        "invalid harvest state: done.0.0: Value error, must be a time from the year 1000",
        True,
        id="state-done-year-1",
    ),
    pytest.param(
        TWO,
        data_file(_records({"updated": "0001-01-01T00:00:00+01:00"})),
        [],
        [],
        1,
        "rlhf_code.json: record 0: updated: Value error, a time that cannot be expressed in UTC",
        True,
        id="data-updated-year-1-offset",
    ),
    pytest.param(
        TWO,
        data_file(b"[" * 5000 + b"]" * 5000),
        [],
        [],
        1,
        "rlhf_code.json: nested too deeply",
        True,
        id="data-5000-deep",
    ),
    pytest.param(
        TWO,
        data_file(b"[" + b"9" * 5000 + b"]"),
        [],
        [],
        1,
        "rlhf_code.json: not valid JSON: Exceeds the limit (4300 digits)",
        True,
        id="data-number-5000-digits",
    ),
    pytest.param(
        TWO,
        lock_directory,
        [],
        [],
        1,
        ".harvest.lock: cannot use the lock: Is a directory",
        False,
        id="lock-a-directory",
    ),
    pytest.param(
        TWO,
        lock_owner_directory,
        [],
        [],
        1,
        ".harvest.lock.owner: cannot write the lock's owner file: Is a directory",
        False,
        id="lock-owner-a-directory",
    ),
    pytest.param(
        TWO,
        lock_loop,
        [],
        [],
        1,
        ".harvest.lock: cannot use the lock: Too many levels of symbolic links",
        False,
        id="lock-unopenable",
    ),
    pytest.param(
        TWO,
        data_symlink,
        [],
        [],
        1,
        "rlhf_code.json: a symbolic link; refused",
        True,
        id="data-symlink",
    ),
    pytest.param(
        TWO,
        None,
        [Reply(body=HUGE_TOTAL)] * 5,
        [],
        1,
        "rlhf_code: feed has no valid opensearch:totalResults (got '99999",
        True,
        id="feed-total-400-digits",
    ),
]


@pytest.mark.parametrize(
    ("config", "setup", "replies", "extra", "code", "message", "other_runs"), CASES
)
def test_fuzzed_input_gets_one_line_its_exit_code_and_touches_no_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    config: str,
    setup: Setup | None,
    replies: list[Reply],
    extra: list[str],
    code: int,
    message: str | None,
    other_runs: bool,
):
    """Each finding: one ERROR line (or one WARNING), its exit code, no traceback, no file changed."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "rlhf_code.json").write_bytes(GOOD)
    (data / f"{OTHER}.json").write_bytes(GOOD)
    if setup is not None:
        setup(data, tmp_path)
    os.mkfifo(tmp_path / "fifo")
    before = tree(data, deep=False)
    path = write_config(tmp_path, config)
    with Standin(entries=list(GOOD_PAPERS), script=list(replies)) as standin:
        flags = [flag.replace("{tmp}", str(tmp_path)) for flag in extra]
        exit_code = main([*argv(standin, path, data_dir=data), *flags], sleep=FakeTime().sleep)
    out, err = capsys.readouterr()
    assert exit_code == code, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert all(line.startswith(("ERROR ", "WARNING ")) for line in lines), err
    errors = [line for line in lines if line.startswith("ERROR")]
    if message is None:
        assert lines == []
    elif code == 0:
        assert len(lines) == 1, err
        assert lines[0].startswith(f"WARNING {message}")
    else:
        assert len(errors) == 1, err
        assert message in errors[0]
    assert tree(data, deep=False) == before
    if code == 2:
        assert standin.requests == []
    ran = f"{OTHER}: 0 new, 0 updated, 3 unchanged, 3 total" in out
    assert ran == other_runs, out


CURSOR_WAY_OUT = "remove this file and the next run lists again from the topics' first harvests"


@pytest.mark.parametrize(
    ("cursor", "problem"),
    [
        pytest.param(b"{", "invalid change feed cursor: ", id="not-json"),
        pytest.param(b'{"last": "0001-01-01"}', "invalid change feed cursor: last: ", id="year-1"),
        pytest.param(
            b'{"last": "9999-12-31"}', "invalid change feed cursor: last: ", id="year-9999"
        ),
        pytest.param(
            b'{"last": "2026-11-30", "tokens": {"": "' + b"x" * 100_000 + b'"}}',
            "invalid change feed cursor: tokens.: ",
            id="token-of-100-kB",
        ),
        pytest.param(
            b'{"last": "2030-01-01"}',
            "the cursor's last day 2030-01-01 is after today; ",
            id="in-the-future",
        ),
        pytest.param(None, "cannot read: Not a directory", id="oai-is-a-file"),
    ],
)
def test_a_feed_state_that_cannot_work_fails_the_feed_not_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cursor: bytes | None, problem: str
):
    """A cursor the feed cannot use (invalid, years it cannot compute in, a token no URL
    holds, a day after today) or an `oai/` that is a file is the feed's failure: one line
    naming the file and what to remove, the topic still harvested, the report written,
    exit 1; no file changed but the topic's own (issue 24)."""
    config = tmp_path / "queries.toml"
    config.write_text(
        f"[defaults]\nchange_feed = true\n\n[topics.rlhf_code]\nquery = '{RLHF_QUERY}'\n"
    )
    data, report = tmp_path / "data", tmp_path / "report.json"
    with Standin() as standin, OaiStandin(today=datetime.now(UTC).date()) as oai:
        flags = [*argv(standin, config), "--oai-url", oai.url]
        assert main(flags) == 0
        state_dir = data / ".harvest"
        where = state_dir / "oai" / "changes.json"
        if cursor is None:
            shutil.rmtree(state_dir / "oai")  # the first run wrote the cursor there
            (state_dir / "oai").write_text("not a directory\n")
        else:
            where.parent.mkdir(parents=True, exist_ok=True)
            where.write_bytes(cursor)
        before = tree(data)
        capsys.readouterr()
        assert main([*flags, "--report", str(report)]) == 1
    out, err = capsys.readouterr()
    [line] = [e for e in err.splitlines() if e.startswith("ERROR")]
    assert line.startswith(f"ERROR changes: {where}: {problem}")
    assert line.endswith(f"{CURSOR_WAY_OUT}; not listed" if cursor else "; not listed")
    assert "Traceback" not in err
    assert oai.requests == []
    assert "rlhf_code: 0 new, 0 updated, 0 unchanged, 111 total" in out
    assert json.loads(report.read_text())["exit_code"] == 1
    assert {n: b for n, (b, _) in tree(data).items() if not n.startswith(".harvest")} == {
        n: b for n, (b, _) in before.items() if not n.startswith(".harvest")
    }
    kept = {"oai", "oai/changes.json"}
    assert {n: before[n][0] for n in before if n.removeprefix(".harvest/") in kept} == {
        n: b for n, (b, _) in tree(data).items() if n.removeprefix(".harvest/") in kept
    }
