"""`harvest plan` says what each topic's harvests cost, one request per topic (issue #11)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.cli import main
from tests.conftest import ERROR_FEED_2026, FakeTime, argv
from tests.standin import Reply, Standin, synthetic_entries

CONFIG = """\
[topics.small]
query = "all:small"
since = 2026-05-10

[topics.big]
query = "all:big"
since = 2025-01-01

[topics.bad]
query = "all:(bad"
"""


@pytest.fixture(scope="module")
def standin() -> Iterator[Standin]:
    """12,000 papers, one an hour from 2025-01-01 (to 2026-05-15)."""
    entries = synthetic_entries(12_000, first=datetime(2025, 1, 1, tzinfo=UTC), step_minutes=60)
    with Standin(entries=entries) as server:
        yield server


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "queries.toml"
    path.write_text(CONFIG)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "small.json").write_text("[]\n")
    return path


def _plan(standin: Standin, config: Path, *extra: str) -> int:
    standin.requests.clear()
    standin.script = [None, None, Reply(status=400, body=ERROR_FEED_2026.read_bytes())]
    return main(["plan", *argv(standin, config, *extra)])


def _newest_ids(standin: Standin, query: str) -> list[str]:
    return [e.arxiv_id for e in standin.matching(query, sort_by="submittedDate")[:3]]


def test_plan_costs_each_topic_with_one_request(standin: Standin, config: Path, capsys):
    """A small topic, one past 10,000 results, and a rejected query (exit 1): one request
    each, none with max_results=0, and each planned topic's three newest papers below it."""
    assert _plan(standin, config) == 1
    out, err = capsys.readouterr()
    data = config.parent / "data"
    small = len(standin.matching("submittedDate:[202605100000 TO 209901010000]"))
    assert 100 < small < 200
    lines = out.splitlines()
    newest = [line for line in lines if line.startswith("  ")]
    assert [line.split()[1] for line in newest] == [
        *_newest_ids(standin, "submittedDate:[202605100000 TO 209901010000]"),
        *_newest_ids(standin, "submittedDate:[202501010000 TO 209901010000]"),
    ]
    assert all(line.split()[0] >= "2026-05-10" for line in newest[:3])
    assert [line for line in lines if not line.startswith("  ")] == [
        f"small: {small} results (since 2026-05-10); first harvest 1 request, at least 0 s "
        f"at 0 s apart; daily run 1 request; verify 1 request; {data / 'small.json'} exists",
        "big: 12,000 results (since 2025-01-01); first harvest 7 requests in 2 windows, at "
        "least 0 s at 0 s apart; daily run 1 request; verify 2 requests; "
        f"no {data / 'big.json'} yet",
        "Planned 2 of 3 topics (failed: bad): first harvests 8 requests (at least 0 s); "
        "daily runs 2 requests; verify 3 requests (at least 0 s)",
    ]
    assert err == "ERROR bad: arXiv rejected the query: incorrect id format for abc\n"
    assert len(standin.requests) == 3
    assert [r["max_results"] for r in standin.requests] == ["3", "3", "3"]
    assert {(r["sortBy"], r["sortOrder"]) for r in standin.requests} == {
        ("submittedDate", "descending")
    }
    assert standin.requests[0]["search_query"].startswith(
        "(all:small) AND submittedDate:[202605100000 TO "
    )
    assert standin.requests[2]["search_query"].startswith(
        "(all:(bad) AND submittedDate:[199101010000 TO "
    )
    assert not data.joinpath("big.json").exists()


def test_plan_as_json(standin: Standin, config: Path, capsys):
    """--json prints the same plan as one JSON document."""
    assert _plan(standin, config, "--json", "--page-size", "2000") == 1
    plan = json.loads(capsys.readouterr().out)
    assert plan["exit_code"] == 1
    small, big, bad = plan["topics"]
    assert big["results"] == 12_000
    assert big["first_harvest"] == {"requests": 7, "windows": 2, "seconds": 0.0}
    assert big["daily_run"] == {"requests": 1, "windows": 1, "seconds": 0.0}
    assert (small["data_file_exists"], big["data_file_exists"]) == (True, False)
    assert bad["error"] == "arXiv rejected the query: incorrect id format for abc"
    assert bad["results"] is None
    assert bad["newest"] == []
    assert [p["arxiv_id"] for p in big["newest"]] == _newest_ids(
        standin, "submittedDate:[202501010000 TO 209901010000]"
    )
    assert set(big["newest"][0]) == {"published", "arxiv_id", "title"}
    assert len(standin.requests) == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--topic", "smal"],
            "unknown topic 'smal' (did you mean \"small\"?)",
            id="near-miss-topic",
        ),
        pytest.param(["--page-size", "0"], "must be between 1 and 2000", id="page-size"),
    ],
)
def test_plan_usage_errors_fetch_nothing(standin: Standin, config: Path, capsys, argv, message):
    """A usage error exits 2 with one line and sends no request."""
    assert _plan(standin, config, *argv) == 2
    assert message in capsys.readouterr().err
    assert standin.requests == []


def test_plan_config_error_exits_2(standin: Standin, config: Path, capsys):
    """A broken queries.toml is a config error: exit 2, nothing asked of arXiv."""
    config.write_text(CONFIG.replace("query", "qeury", 1))
    assert _plan(standin, config) == 2
    assert 'unknown key "qeury" (did you mean "query"?)' in capsys.readouterr().err
    assert standin.requests == []


def test_plan_retry_lines_name_the_topic(tmp_path: Path, capsys):
    """arXiv unreachable: each retry WARNING of `plan` names the topic and the host (issue 16)."""
    config = tmp_path / "q.toml"
    config.write_text('[topics.small]\nquery = "all:small"\n')
    api = "http://export.arxiv.invalid/api/query"
    args = ["plan", "--config", str(config), "--data-dir", str(tmp_path), "--api-url", api]
    assert main(args, sleep=FakeTime().sleep) == 1
    warnings = [line for line in capsys.readouterr().err.splitlines() if "WARNING" in line]
    assert len(warnings) == 4
    assert all(
        line.startswith(f"WARNING small: attempt {number} of 5 failed: cannot reach ")
        for number, line in enumerate(warnings, 1)
    )


FIVE = ["rlhf_code", "llm_alignment", "code_synthesis", "llm_reasoning", "alphaco_related"]


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "json_flag", [pytest.param([], id="lines"), pytest.param(["--json"], id="json")]
)
def test_unreachable_arxiv_stops_the_plan_after_one_topic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], json_flag: list[str]
):
    """Connection refused, 5 topics, default delay: one topic's 5 attempts (4 retry lines,
    under 60 s of waits), the other 4 not tried with the cause, exit 1 (issue #16)."""
    config = tmp_path / "five.toml"
    config.write_text("".join(f"[topics.{name}]\nquery = 'all:x'\n" for name in FIVE))
    fake = FakeTime()
    api = f"http://127.0.0.1:{_closed_port()}/api/query"
    args = ["plan", "--config", str(config), "--data-dir", str(tmp_path / "data"), "--api-url", api]
    assert main([*args, *json_flag], sleep=fake.sleep) == 1
    out, err = capsys.readouterr()
    retries = [line for line in err.splitlines() if line.startswith("WARNING")]
    assert len(retries) == 4  # 5 attempts: one topic's retry budget, no more
    assert sum(fake.sleeps) < 60
    cause = "rlhf_code met a fault of the whole run: cannot reach 127.0.0.1:"
    if json_flag:
        plans = json.loads(out)["topics"]
        assert plans[0]["error"].startswith("cannot reach 127.0.0.1:")
        assert [p["tried"] for p in plans] == [True] + [False] * 4
        assert all(p["error"].startswith(f"not tried: {cause}") for p in plans[1:])
        return
    assert [line for line in err.splitlines() if line.startswith("ERROR")] == [
        next(line for line in err.splitlines() if line.startswith("ERROR rlhf_code: cannot reach "))
    ]
    lines = out.splitlines()
    assert [line.partition(":")[0] for line in lines[:-1]] == FIVE[1:]
    assert all(
        line.startswith(f"{name}: not tried: {cause}")
        for name, line in zip(FIVE[1:], lines, strict=False)
    )
    assert lines[-1] == (
        "Planned 0 of 5 topics (failed: rlhf_code; not tried: llm_alignment, code_synthesis, "
        "llm_reasoning, alphaco_related)"
    )


HUGE_TOTAL = (
    Standin(entries=synthetic_entries(1, first=datetime(2026, 5, 11, tzinfo=UTC), step_minutes=1))
    .feed(0, 1)
    .replace(b">1</opensearch:totalResults>", b">" + b"9" * 400 + b"</opensearch:totalResults>")
)


@pytest.mark.parametrize(
    "json_flag", [pytest.param([], id="lines"), pytest.param(["--json"], id="json")]
)
def test_a_count_of_400_digits_fails_that_topic_in_one_line(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str], json_flag: list[str]
):
    """A totalResults of 400 digits (issue #16): that topic fails on one line, the rest are
    planned, exit 1; with --json the plan is still printed."""
    standin.requests.clear()
    standin.script = [Reply(body=HUGE_TOTAL)] * 5
    args = ["plan", "--config", str(config), "--data-dir", str(config.parent / "data")]
    code = main(
        [
            *args,
            "--api-url",
            standin.url,
            "--delay",
            "0",
            "--topic",
            "small",
            "--topic",
            "big",
            *json_flag,
        ],
        sleep=FakeTime().sleep,
    )
    assert code == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("ERROR")]
    if json_flag:
        small, big = json.loads(out)["topics"]
        assert small["error"].startswith("feed has no valid opensearch:totalResults (got '9999")
        assert big["results"] == 12_000
        assert errors == []
    else:
        assert len(errors) == 1
        assert errors[0].startswith("ERROR small: feed has no valid opensearch:totalResults")
        assert out.splitlines()[0].startswith("big: 12,000 results")


def test_a_data_directory_it_may_not_search_is_one_line(capsys: pytest.CaptureFixture[str]):
    """A data directory the user may not search (issue #16): one line naming the file, exit 1,
    nothing asked of arXiv. Root may search anything, so as root the plan runs with the
    effective user id of nobody, in a directory nobody can reach."""
    base = Path(tempfile.mkdtemp(prefix="harvest-plan-"))  # pytest's tmp_path is root's alone
    base.chmod(0o755)
    config = base / "queries.toml"
    config.write_text("[topics.t]\nquery = 'all:x'\n")
    data = base / "data"
    data.mkdir()
    data.chmod(0)  # not even its owner may search it
    api = f"http://127.0.0.1:{_closed_port()}/api/query"
    root = os.geteuid() == 0
    try:
        if root:
            os.seteuid(65534)
        code = main(["plan", "--config", str(config), "--data-dir", str(data), "--api-url", api])
    finally:
        if root:
            os.seteuid(0)
        data.chmod(0o755)
        shutil.rmtree(base)
    out, err = capsys.readouterr()
    assert code == 1
    assert err == f"ERROR {data / 't.json'}: cannot look for it: Permission denied\n"
    assert out == ""


def test_plan_sizes_a_set_topic_for_oai(standin: Standin, tmp_path: Path, capsys):
    """A set topic is sized by its set's search and costed in OAI-PMH pages of 2,500."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.cl]\nset = "cs:cs:CL"\nsince = 2025-01-01\n')
    standin.requests.clear()
    flags = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert main(["plan", *flags, "--api-url", standin.url, "--delay", "0"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(
        "cl: 12,000 results (since 2025-01-01); first harvest 5 OAI-PMH requests,"
    )
    assert standin.requests[0]["search_query"].startswith(
        "(cat:cs.CL OR cat:cmp-lg) AND submittedDate:"
    )


def test_a_newest_title_with_control_characters_stays_on_its_line(
    config: Path, capsys: pytest.CaptureFixture[str]
):
    """A title arXiv sends with a C1 control (`\\x9b`, a terminal's CSI) or a bidi override
    is printed on its one line with those characters escaped (issue 16's rule for what
    quotes a server)."""
    one = Standin(
        entries=synthetic_entries(1, first=datetime(2026, 5, 11, tzinfo=UTC), step_minutes=1)
    )
    body = re.sub(
        rb"(<entry .*?<title>)[^<]*",
        "\\1Evil\x9b31m \u202ekcatta".encode(),
        one.feed(0, 1),
        count=1,
        flags=re.DOTALL,
    )
    with Standin(entries=[]) as server:
        server.script = [Reply(body=body)]
        args = ["plan", "--config", str(config), "--data-dir", str(config.parent / "data")]
        assert main([*args, "--api-url", server.url, "--topic", "small", "--delay", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].endswith("  Evil\\x9b31m \\u202ekcatta")


def test_plan_of_the_whole_archive_asks_nothing_and_gives_the_floor(
    standin: Standin, tmp_path: Path, capsys
):
    """All of arXiv is costed without a request: about 2.9 million records, so at least
    ceil(N / 2,500) OAI-PMH requests and the hours they take at --delay."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.arxiv]\nset = "*"\n')
    standin.requests.clear()
    flags = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert main(["plan", *flags, "--api-url", standin.url, "--delay", "3"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("arxiv: 2,900,000 results (all time; about, as of 2026: ")
    assert "first harvest 1,160 OAI-PMH requests, at least 58 min at 3 s apart" in line
    assert standin.requests == []
