"""`harvest plan` says what each topic's harvests cost, one request per topic (issue #11)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.cli import main
from tests.conftest import ERROR_FEED_2026
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
    return main(
        [
            "plan",
            "--config",
            str(config),
            "--data-dir",
            str(config.parent / "data"),
            "--api-url",
            standin.url,
            "--delay",
            "0",
            *extra,
        ]
    )


def test_plan_costs_each_topic_with_one_request(standin: Standin, config: Path, capsys):
    """A small topic, one past 10,000 results, and a rejected query (exit 1): one request
    each, none with max_results=0."""
    assert _plan(standin, config) == 1
    out, err = capsys.readouterr()
    data = config.parent / "data"
    small = len(standin.matching("submittedDate:[202605100000 TO 209901010000]"))
    assert 100 < small < 200
    assert out.splitlines() == [
        f"small: {small} results (since 2026-05-10); first harvest 1 request, at least 0 s "
        f"at 0 s apart; daily run 1 request; {data / 'small.json'} exists",
        "big: 12,000 results (since 2025-01-01); first harvest 7 requests in 2 windows, at "
        f"least 0 s at 0 s apart; daily run 1 request; no {data / 'big.json'} yet",
        "Planned 2 of 3 topics: first harvests 8 requests (at least 0 s); daily runs 2 requests",
    ]
    assert err == "ERROR bad: arXiv rejected the query: incorrect id format for abc\n"
    assert len(standin.requests) == 3
    assert [r["max_results"] for r in standin.requests] == ["1", "1", "1"]
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
