"""Issue #10: faults of the whole run, stalling connections and signals end a run cleanly."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from harvester.cli import main
from tests.conftest import RLHF_QUERY
from tests.standin import Reply, Standin
from tests.test_faults import Sleeps, argv, snapshot

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


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_api_stops_the_run_after_one_topic(
    five_topics: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Connection refused, 5 topics: exit 1 after one topic's retries; the other 4 not tried."""
    report = tmp_path / "report.json"
    api = f"http://127.0.0.1:{closed_port()}/api/query"
    sleeps = Sleeps()
    args = ["--config", str(five_topics), "--data-dir", str(tmp_path / "data"), "--api-url", api]
    assert main([*args, "--report", str(report)], sleep=sleeps) == 1
    topics = json.loads(report.read_bytes())["topics"]
    assert topics["rlhf_code"]["requests"] == 5  # one topic's attempts, no more
    assert topics["rlhf_code"]["error"].startswith("ConnectError: ")
    for name in FIVE_TOPICS[1:]:
        assert topics[name]["requests"] == 0
        assert topics[name]["error"].startswith("not tried: rlhf_code met a fault of the whole run")
    assert len(sleeps.waits) == 4 + 4  # 4 pacer waits and 4 backoffs: one topic's budget
    out, err = capsys.readouterr()
    assert [line for line in out.splitlines() if "not tried (" in line] == [
        f"{name}: not tried (rlhf_code met a fault of the whole run: {topics['rlhf_code']['error']})"
        for name in FIVE_TOPICS[1:]
    ]
    assert out.splitlines()[-1].startswith(
        "Harvested 0 of 5 topics (failed: rlhf_code; not tried: llm_alignment, code_synthesis, "
    )
    errors = [line for line in err.splitlines() if line.startswith("ERROR")]
    assert errors == [f"ERROR rlhf_code: {topics['rlhf_code']['error']}"]
    assert errors[0].endswith("(page at offset 0)")
    assert api not in err  # the URL only with -v


def test_throttling_that_outlasts_the_retries_stops_the_run(
    standin: Standin, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """429 on every attempt of the first topic: the second is not tried; -v shows the URL."""
    standin.script = [Reply(status=429, body=b"Rate exceeded.")] * 5
    assert main([*argv(standin, config, tmp_path / "data"), "-v"], sleep=Sleeps()) == 1
    assert len(standin.requests) == 5
    out, err = capsys.readouterr()
    assert "llm_alignment: not tried (rlhf_code met a fault of the whole run: HTTP 429" in out
    error = next(line for line in err.splitlines() if line.startswith("ERROR rlhf_code"))
    assert error.startswith("ERROR rlhf_code: HTTP 429 (page at offset 0) (http://127.0.0.1:")


def test_rate_exceeded_with_status_200_is_throttling(
    standin: Standin, config: Path, tmp_path: Path
):
    """arXiv's `Rate exceeded.` body sent with a 200 is backed off as a 429, then retried."""
    standin.script = [Reply(status=200, body=b"Rate exceeded.\n")]
    sleeps = Sleeps()
    args = [*argv(standin, config, tmp_path / "data"), "--topic", "rlhf_code"]
    assert main(args, sleep=sleeps) == 0
    assert 15 <= max(sleeps.waits) <= 20


@pytest.mark.parametrize("head", [True, False], ids=["headers-trickle", "body-trickles"])
def test_a_trickling_response_fails_at_its_deadline_and_is_retried(
    standin: Standin, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], head: bool
):
    """A server sending one byte a second is cut off at the request's deadline and asked again."""
    standin.script = [Reply(body=standin.feed(0, 10), trickle_seconds=1.0, trickle_head=head)]
    args = [*argv(standin, config, tmp_path / "data"), "--topic", "rlhf_code", "--timeout", "1"]
    started = time.monotonic()
    assert main(args, sleep=Sleeps()) == 0
    assert time.monotonic() - started < 3
    assert len(standin.requests) == 2
    err = capsys.readouterr().err
    assert "attempt 1 of 5 failed: no complete response within 1 s (page at offset 0)" in err


def test_a_connection_that_always_trickles_ends_the_run(
    standin: Standin, config: Path, tmp_path: Path
):
    """Every attempt trickling: the topic fails after its attempts, each cut at the deadline."""
    standin.script = [Reply(body=standin.feed(0, 10), trickle_seconds=1.0)] * 5
    args = [*argv(standin, config, tmp_path / "data"), "--topic", "rlhf_code", "--timeout", "0.5"]
    started = time.monotonic()
    assert main(args, sleep=Sleeps()) == 1
    assert time.monotonic() - started < 5
    assert len(standin.requests) == 5


@pytest.mark.parametrize(
    ("signal_number", "code"),
    [
        pytest.param(signal.SIGINT, 130, id="SIGINT"),
        pytest.param(signal.SIGTERM, 143, id="SIGTERM"),
    ],
)
def test_a_signal_ends_the_run_cleanly(
    config: Path, tmp_path: Path, harvest_bin: str, signal_number: int, code: int
):
    """A signal during a request: its exit code, a summary line, a report, no traceback."""
    asked, release = threading.Event(), threading.Event()

    def held(params: dict[str, str]) -> Reply:
        asked.set()
        release.wait(timeout=30)
        return Reply(status=503)

    data, report = tmp_path / "data", tmp_path / "report.json"
    data.mkdir()
    (data / "rlhf_code.json").write_bytes(b"[]\n")
    before = snapshot(data)
    with Standin(script=[held]) as standin:
        args = [harvest_bin, *argv(standin, config, data), "--report", str(report)]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert asked.wait(timeout=30)
            proc.send_signal(signal_number)
            out, err = proc.communicate(timeout=30)
        finally:
            release.set()
            proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    name = signal.Signals(signal_number).name
    assert out.splitlines()[-1].startswith(
        f"Interrupted by {name}. Harvested 0 of 2 topics (failed: rlhf_code; "
        "not tried: llm_alignment): "
    )
    saved = json.loads(report.read_bytes())
    assert saved["exit_code"] == code
    assert saved["topics"]["rlhf_code"]["error"] == "interrupted"
    assert saved["topics"]["llm_alignment"]["error"] == "not tried: interrupted"
    assert snapshot(data) == before
    assert list(data.glob(".*.tmp")) == []
