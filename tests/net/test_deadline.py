"""Each request's overall deadline: a connection that trickles is cut off at it and retried."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harvester.cli import main
from harvester.net.deadline import Deadline
from tests.conftest import FakeTime, argv
from tests.standin import Reply, Standin


def test_deadline_passes_only_after_its_seconds_and_clears():
    """A started deadline bounds each wait by what is left, passes at its time, and clears."""
    fake = FakeTime()
    deadline = Deadline(clock=fake.clock)
    assert deadline.bound(60, TimeoutError) == 60  # no deadline: the timeout as given
    deadline.start(10)
    fake.sleep(4)
    assert deadline.bound(60, TimeoutError) == 6
    assert deadline.bound(None, TimeoutError) == 6
    assert not deadline.passed
    fake.sleep(6)
    assert deadline.passed
    with pytest.raises(TimeoutError):
        deadline.bound(60, TimeoutError)
    deadline.clear()
    assert not deadline.passed


@pytest.mark.parametrize("head", [True, False], ids=["headers-trickle", "body-trickles"])
def test_a_trickling_response_fails_at_its_deadline_and_is_retried(
    standin: Standin, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], head: bool
):
    """A server sending one byte a second is cut off at the request's deadline and asked again."""
    standin.script = [Reply(body=standin.feed(0, 10), trickle_seconds=1.0, trickle_head=head)]
    args = [*argv(standin, config), "--topic", "rlhf_code", "--timeout", "1"]
    started = time.monotonic()
    assert main(args, sleep=FakeTime().sleep) == 0
    assert time.monotonic() - started < 3
    assert len(standin.requests) == 2
    err = capsys.readouterr().err
    assert "attempt 1 of 5 failed: no complete response within 1 s (page at offset 0)" in err


def test_a_connection_that_always_trickles_ends_the_run(
    standin: Standin, config: Path, tmp_path: Path
):
    """Every attempt trickling: the topic fails after its attempts, each cut at the deadline."""
    standin.script = [Reply(body=standin.feed(0, 10), trickle_seconds=1.0)] * 5
    args = [*argv(standin, config), "--topic", "rlhf_code", "--timeout", "0.5"]
    started = time.monotonic()
    assert main(args, sleep=FakeTime().sleep) == 1
    assert time.monotonic() - started < 5
    assert len(standin.requests) == 5
