"""SIGINT and SIGTERM end a run cleanly: a summary line, a report, no traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from harvester.cli.signals import interrupting
from harvester.errors import Interrupted
from tests.conftest import argv, tree
from tests.standin import Reply, Standin


@pytest.mark.parametrize(
    "signal_number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"]
)
def test_a_stop_signal_raises_interrupted_until_disarmed(signal_number: int):
    """Inside, the signal raises Interrupted naming it; once disarmed it is ignored; after,
    the previous handler is back."""
    previous = signal.getsignal(signal_number)
    with interrupting() as disarm:
        with pytest.raises(Interrupted) as caught:
            os.kill(os.getpid(), signal_number)
        assert caught.value.signal_number == signal_number
        disarm()
        os.kill(os.getpid(), signal_number)  # ignored: the run's last steps go on
    assert signal.getsignal(signal_number) == previous


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
    before = tree(data, deep=False)
    with Standin(script=[held]) as standin:
        args = [harvest_bin, *argv(standin, config, data_dir=data), "--report", str(report)]
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
    assert tree(data, deep=False) == before
    assert list(data.glob(".*.tmp")) == []
