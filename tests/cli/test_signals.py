"""SIGINT and SIGTERM end a run cleanly: a summary line, a report, no traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
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


def test_a_second_stop_signal_is_ignored_while_the_run_stops():
    """After the first signal raised Interrupted, a second one (SIGTERM after SIGINT) raises
    nothing: the first decides the exit code (#16)."""
    with interrupting():
        with pytest.raises(Interrupted) as caught:
            os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)  # ignored: the run is already stopping
    assert caught.value.signal_number == signal.SIGINT


# Runs `harvest` as its console script does, with a hook: `Interrupt` sends this process
# SIGINT when the module TRIGGER is first imported; `hold` keeps the process, after its
# run, waiting for a line on stdin, so a signal can be sent while it exits.
_HARNESS = """
import atexit, os, signal, sys

TRIGGER = {trigger!r}

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == TRIGGER:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

def hold():
    print("EXITING", file=sys.stderr, flush=True)
    sys.stdin.readline()

if TRIGGER:
    sys.meta_path.insert(0, Interrupt())
else:
    atexit.register(hold)
sys.argv = ["harvest", *sys.argv[1:]]
from harvester.cli import entrypoint
entrypoint()
"""


@pytest.mark.parametrize(
    "trigger",
    ["importlib.metadata", "pydantic", "httpx", "harvester.cli.run", "harvester.config"],
    ids=str,
)
def test_ctrl_c_while_modules_import_prints_no_traceback(trigger: str, tmp_path: Path):
    """SIGINT while `harvest` imports its modules: exit 130, nothing but the shell's silence (#16)."""
    script = _HARNESS.format(trigger=trigger)
    done = subprocess.run(
        [sys.executable, "-c", script, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 130, done.stdout + done.stderr
    assert done.stderr == ""
    assert done.stdout == ""


def test_a_sigterm_after_sigint_does_not_change_the_exit_code(config: Path, tmp_path: Path):
    """SIGINT stops the run; a SIGTERM while the process exits, after its report: the exit code
    is still 130, as the report says (#16)."""
    asked, release = threading.Event(), threading.Event()

    def held(params: dict[str, str]) -> Reply:
        asked.set()
        release.wait(timeout=30)
        return Reply(status=503)

    data, report = tmp_path / "data", tmp_path / "report.json"
    data.mkdir()
    script = _HARNESS.format(trigger="")
    with Standin(script=[held]) as standin:
        args = [sys.executable, "-c", script, *argv(standin, config, data_dir=data)]
        proc = subprocess.Popen(
            [*args, "--report", str(report)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None
        assert proc.stderr is not None
        try:
            assert asked.wait(timeout=30)
            proc.send_signal(signal.SIGINT)
            for line in proc.stderr:  # until the run is over and the process exits
                if line == "EXITING\n":
                    break
            proc.send_signal(signal.SIGTERM)
            proc.stdin.write("\n")
            proc.stdin.flush()
            proc.wait(timeout=30)
        finally:
            release.set()
            proc.kill()
            proc.communicate()
    assert json.loads(report.read_bytes())["exit_code"] == 130
    assert proc.returncode == 130
