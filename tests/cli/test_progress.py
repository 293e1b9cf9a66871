"""Progress while a topic is fetched: a live line on a terminal, INFO lines elsewhere."""

from __future__ import annotations

import io
import itertools
import logging
import os
import pty
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.arxiv.feed import parse
from harvester.arxiv.windows import FIRST_DAY, Window
from harvester.cli.progress import Progress
from harvester.harvest.backfill import Backfill
from tests.conftest import argv, offline_client
from tests.standin import Standin, synthetic_entries

WHOLE = Window(FIRST_DAY, datetime(2027, 1, 1, tzinfo=UTC))


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
    args = [harvest_bin, *argv(standin, config, "--page-size", "50", "--topic", "rlhf_code")]
    on_terminal = _run_with_stderr_on_a_terminal(args)
    assert "\rrlhf_code: 50 of 111 papers, window 1991-01-01 00:00 to " in on_terminal
    assert re.search(r"\rrlhf_code: 100 of 111 papers, window [^,]*, about \d+ s left", on_terminal)
    assert "\rrlhf_code: 111 of 111 papers, window 1991-01-01 00:00 to " in on_terminal
    piped = subprocess.run([*args, "--full"], capture_output=True, text=True, check=True)
    assert "papers, window" not in piped.stderr
    # Nothing but, once the recordings are old enough, the warning that the topic is silent.
    assert all("nothing new for" in line for line in piped.stderr.splitlines())
    verbose = subprocess.run([*args, "--full", "-v"], capture_output=True, text=True, check=True)
    assert "INFO rlhf_code: 111 of 111 papers, window 1991-01-01 00:00 to " in verbose.stderr


JANUARY = "all:x AND submittedDate:[202401010000 TO 202402010000]"


def test_live_line_is_redrawn_in_place_and_cleared():
    """On a terminal each page redraws one line (papers of the whole count, the window, the
    time left at the pace so far), cleared when the topic ends."""
    data = Standin()
    stream = io.StringIO()
    progress = Progress(stream, live=True, clock=itertools.count(0, 30).__next__)
    progress.start("rlhf_code")
    for start in (0, 50, 100):
        progress.page(JANUARY, parse(data.feed(start, 50)))
    progress.finish()
    text = stream.getvalue()
    window = "window 2024-01-01 00:00 to 2024-02-01 00:00"
    last = f"rlhf_code: 111 of 111 papers, {window}"
    assert text.split("\r")[1:4] == [
        f"rlhf_code: 50 of 111 papers, {window}",
        f"rlhf_code: 100 of 111 papers, {window}, about 7 s left",
        last + " " * len(", about 7 s left"),
    ]
    assert text.endswith("\r" + " " * len(last + ", about 7 s left") + "\r")


def test_elsewhere_each_page_is_an_info_line(caplog: pytest.LogCaptureFixture):
    """Not on a terminal nothing is drawn; each page is an INFO log line instead; a walk
    (no window) counts papers and pages only."""
    caplog.set_level(logging.INFO, logger="harvester.progress")
    stream = io.StringIO()
    progress = Progress(stream, live=False)
    progress.start("llm_alignment")
    progress.page("all:x", parse(Standin().feed(0, 25)))
    progress.finish()
    assert stream.getvalue() == ""
    assert [r.getMessage() for r in caplog.records] == ["llm_alignment: 25 papers, page 1"]


def test_a_windowed_first_harvest_keeps_its_total(caplog: pytest.LogCaptureFixture):
    """25,000 papers fetched in windows: every line counts against the first page's 25,000,
    names its window, and the papers only grow (issue 16: `page 1 of 20`, then `2 of 9`)."""
    caplog.set_level(logging.INFO, logger="harvester.progress")
    entries = synthetic_entries(25_000, first=datetime(2024, 1, 1, tzinfo=UTC), step_seconds=7)
    progress = Progress(io.StringIO(), live=False, clock=itertools.count(0, 3).__next__)
    progress.start("big")
    with offline_client(Standin(entries=entries), page_size=1000, on_page=progress.page) as client:
        Backfill(client, "all:x", commit=lambda *_: None).run([WHOLE])
    lines = [r.getMessage() for r in caplog.records]
    shown = [
        re.fullmatch(r"big: ([\d,]+) of 25,000 papers, window ([^,]+)(, about .* left)?", line)
        for line in lines
    ]
    assert all(shown), lines
    papers = [int(m.group(1).replace(",", "")) for m in shown if m]
    assert papers == sorted(papers)
    assert papers[-1] == 25_000
    assert len({m.group(2) for m in shown if m}) >= 4
    assert all(m.group(3) for m in shown[2:-1] if m)  # the pace is known from new papers on
