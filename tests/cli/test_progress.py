"""Progress while a topic is fetched: a live line on a terminal, INFO lines elsewhere."""

from __future__ import annotations

import io
import logging
import os
import pty
import subprocess
from pathlib import Path

import pytest

from harvester.arxiv.feed import parse
from harvester.cli.progress import Progress
from tests.standin import Standin


def _run_with_stderr_on_a_terminal(args: list[str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.communicate(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_progress_shows_only_on_a_terminal(standin: Standin, config: Path, harvest_bin: str):
    """Pages and papers are drawn live on a terminal, and not at all in a pipe (cron, CI)."""
    args = [
        harvest_bin,
        "--config",
        str(config),
        "--data-dir",
        str(config.parent / "data"),
        "--api-url",
        standin.url,
        "--delay",
        "0",
        "--page-size",
        "50",
        "--topic",
        "rlhf_code",
    ]
    on_terminal = _run_with_stderr_on_a_terminal(args)
    assert "\rrlhf_code: page 1 of 3, 50 papers" in on_terminal
    assert "\rrlhf_code: page 3 of 3, 111 papers" in on_terminal
    piped = subprocess.run([*args, "--full"], capture_output=True, text=True, check=True)
    assert "page 1" not in piped.stderr
    # Nothing but, once the recordings are old enough, the warning that the topic is silent.
    assert all("nothing new for" in line for line in piped.stderr.splitlines())
    verbose = subprocess.run([*args, "--full", "-v"], capture_output=True, text=True, check=True)
    assert "INFO rlhf_code: page 3 of 3, 111 papers" in verbose.stderr


def test_live_line_is_redrawn_in_place_and_cleared():
    """On a terminal each page redraws one line (`page N of M`), cleared when the topic ends."""
    data = Standin()
    stream = io.StringIO()
    progress = Progress(stream, live=True, page_size=50)
    progress.start("rlhf_code")
    for start in (0, 50, 100):
        progress.page(parse(data.feed(start, 50)))
    progress.finish()
    text = stream.getvalue()
    assert text.split("\r")[1:4] == [
        "rlhf_code: page 1 of 3, 50 papers",
        "rlhf_code: page 2 of 3, 100 papers",
        "rlhf_code: page 3 of 3, 111 papers",
    ]
    assert text.endswith("\r" + " " * len("rlhf_code: page 3 of 3, 111 papers") + "\r")


def test_elsewhere_each_page_is_an_info_line(caplog: pytest.LogCaptureFixture):
    """Not on a terminal nothing is drawn; each page is an INFO log line instead."""
    caplog.set_level(logging.INFO, logger="harvester.progress")
    stream = io.StringIO()
    progress = Progress(stream, live=False)
    progress.start("llm_alignment")
    progress.page(parse(Standin().feed(0, 25)))
    progress.finish()
    assert stream.getvalue() == ""
    assert [r.getMessage() for r in caplog.records] == ["llm_alignment: page 1, 25 papers"]
