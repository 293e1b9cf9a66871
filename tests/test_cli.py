"""The `harvest` command end to end, against the stand-in arXiv on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harvester.cli import main
from tests.conftest import FIXTURES
from tests.standin import Reply, Standin

KEYS = [
    "title", "authors", "summary", "arxiv_id", "published", "categories", "url", "pdf_url",
    "updated", "primary_category", "comment", "journal_ref", "doi",
]  # fmt: skip


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


def harvest_args(standin: Standin, config: Path, *extra: str) -> list[str]:
    return [
        "--topic", "rlhf_code", "--config", str(config), "--data-dir", str(config.parent / "data"),
        "--api-url", standin.url, "--delay", "0", *extra,
    ]  # fmt: skip


def test_end_to_end_writes_contract_file_and_rerun_changes_nothing(
    standin: Standin, config: Path, harvest_bin: str
):
    """A real `harvest` run writes one record per served paper; a re-run leaves bytes and mtime."""
    result = run(
        harvest_bin, *harvest_args(standin, config, "--page-size", "40"), cwd=config.parent
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
            ".harvest/rlhf_code.json",  # how far the harvest got: complete, so later runs are incremental
            "rlhf_code.json",
        ]
    )
    for file in files:
        os.utime(file, (1_000_000, 1_000_000))
    before = {file: file.read_bytes() for file in files}
    again = run(harvest_bin, *harvest_args(standin, config, "--page-size", "40"), cwd=config.parent)
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
        pytest.param(
            "pubs-pubs__idlist_INVALIDID.xml", "incorrect id format for INVALIDID", id="legacy"
        ),
        pytest.param(
            "lukasschwab-arxiv.py__id_abc_s0_m100.xml", "incorrect id format for abc", id="2026"
        ),
    ],
)
def test_error_feed_fails_topic_and_leaves_file(
    standin: Standin, config: Path, harvest_bin: str, recording: str, reason: str
):
    """arXiv's error feed exits 1 with its reason on one line; the topic's file is untouched."""
    data_dir = config.parent / "data"
    data_dir.mkdir()
    before = b'[\n  {"stale": "but ours"}\n]\n'  # not even valid: proves nothing reads-and-rewrites
    (data_dir / "llm_alignment.json").write_bytes(before)
    (data_dir / "rlhf_code.json").write_bytes(b"[]\n")
    os.utime(data_dir / "rlhf_code.json", (1_000_000, 1_000_000))
    body = (FIXTURES / "arxiv" / recording).read_bytes()
    standin.script = [Reply(status=400, body=body)]
    result = run(harvest_bin, *harvest_args(standin, config), cwd=config.parent)
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
            "ERROR {missing}: cannot read: No such file or directory",
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
    argv = ["--config", str(config), "--api-url", standin.url, "--data-dir",
            str(config.parent / "data"), *[a.format(**names) for a in args]]  # fmt: skip
    result = run(harvest_bin, *argv, cwd=config.parent)
    assert result.returncode == code
    assert message.format(**names) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert standin.requests == []
    assert not (config.parent / "data").exists()


def test_new_version_replaces_old_record(standin: Standin, config: Path, capsys):
    """A paper served as v1 and then as v2 ends as one record with v2's id, title and updated."""
    first = standin.entries[0]
    assert first.arxiv_id.endswith("v1")
    recent = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # after the first run
    assert main(harvest_args(standin, config)) == 0
    standin.entries[0] = first.new_version(2, title="A Better   Title\n  for v2", updated=recent)
    capsys.readouterr()
    assert main(harvest_args(standin, config)) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 0 new, 1 updated, 0 unchanged, 111 total")
    records = json.loads((config.parent / "data" / "rlhf_code.json").read_text())
    base = first.key
    mine = [r for r in records if r["arxiv_id"].startswith(base)]
    assert len(mine) == 1
    assert mine[0]["arxiv_id"] == f"{base}v2"
    assert mine[0]["title"] == "A Better Title for v2"
    assert mine[0]["updated"] == f"{recent:%Y-%m-%dT%H:%M:%SZ}"
    assert mine[0]["url"] == f"https://arxiv.org/abs/{base}v2"


def test_all_topics_summary_and_dry_run(standin: Standin, config: Path, capsys):
    """Without --topic every topic runs; --dry-run reports the same counts and writes nothing."""
    argv = ["--config", str(config), "--data-dir", str(config.parent / "data"),
            "--api-url", standin.url, "--delay", "0"]  # fmt: skip
    assert main([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("rlhf_code: 111 new, 0 updated, 0 unchanged, 111 total; 1 request in")
    assert out[0].endswith("(full, dry run, not written)")
    assert out[1].startswith("llm_alignment: 111 new")
    assert out[2].startswith("Harvested 2 topics: 222 new, 0 updated, 0 unchanged; 2 requests in ")
    assert not (config.parent / "data").exists()
    assert main(argv) == 0
    assert sorted(p.name for p in (config.parent / "data").glob("*.json")) == [
        "llm_alignment.json", "rlhf_code.json",
    ]  # fmt: skip


def test_since_limits_the_query_and_the_records(standin: Standin, tmp_path: Path):
    """A topic's since is sent as a submittedDate range and older papers are not stored."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.recent]\nquery = "all:testing"\nsince = 2026-01-01\n')
    assert main(["--config", str(config), "--data-dir", str(tmp_path / "data"),
                 "--api-url", standin.url, "--delay", "0"]) == 0  # fmt: skip
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
    args = harvest_args(standin, config)
    assert main([*args, "-q", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 111 new")  # a dry run's changes count
    assert main([*args, "-q"]) == 0
    assert capsys.readouterr().out.startswith("rlhf_code: 111 new")
    assert main([*args, "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def test_verbose_logs_progress_and_tracebacks(standin: Standin, config: Path, capsys):
    """-v logs progress; a failing topic's error then comes with its traceback."""
    standin.script = [Reply(status=404)]
    assert main([*harvest_args(standin, config), "-v"]) == 1
    err = capsys.readouterr().err
    assert "INFO rlhf_code: full harvest of 1991-01-01 00:00 to " in err
    assert "Traceback (most recent call last)" in err
    assert "harvester.errors.FetchError: HTTP 404" in err


def test_api_url_from_environment(standin: Standin, config: Path, harvest_bin: str):
    """ARXIV_API_URL is the endpoint when --api-url is not given."""
    args = [harvest_bin, "--config", str(config), "--data-dir", str(config.parent / "d"),
            "--delay", "0", "--topic", "rlhf_code"]  # fmt: skip
    env = {**os.environ, "ARXIV_API_URL": standin.url}
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(standin.requests) == 1


def test_delay_spaces_requests_across_topics_in_a_run(standin: Standin, config: Path):
    """With --delay 3, request starts of the whole run, across topics, are 3 s apart."""
    now = [0.0]
    starts: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def serve(params: dict[str, str]) -> Reply:
        starts.append(now[0])
        return Reply(body=standin.feed(int(params["start"]), int(params["max_results"])))

    standin.script = [serve] * 6
    argv = ["--config", str(config), "--data-dir", str(config.parent / "data"),
            "--api-url", standin.url, "--delay", "3", "--page-size", "40"]  # fmt: skip
    assert main(argv, sleep=sleep, clock=lambda: now[0]) == 0
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
