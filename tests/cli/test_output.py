"""The CLI's shared output: one error line per failure and the exit code its kind maps to."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from harvester.cli.output import (
    EXIT_FAILED,
    EXIT_USAGE,
    Exit,
    about,
    handle_errors,
    out,
    setup_logging,
)
from harvester.errors import ConfigError, FetchError, HarvestError, StoreError, UsageError


@pytest.mark.parametrize(
    ("error", "code"),
    [
        pytest.param(UsageError("unknown topic"), EXIT_USAGE, id="usage"),
        pytest.param(ConfigError(Path("q.toml"), "bad key"), EXIT_USAGE, id="config"),
        pytest.param(StoreError(Path("d/t.json"), "bad"), EXIT_FAILED, id="store"),
        pytest.param(FetchError("HTTP 503", url="http://h/q?start=0"), EXIT_FAILED, id="fetch"),
    ],
)
def test_errors_become_one_line_and_their_exit_code(
    error: HarvestError, code: int, capsys: pytest.CaptureFixture[str]
):
    """Usage and config errors exit 2, every other HarvestError 1, with one ERROR line."""
    with pytest.raises(Exit) as stopped, handle_errors(verbose=0):
        raise error
    assert stopped.value.code == code
    err = capsys.readouterr().err
    assert err == f"ERROR {error}\n"


def test_verbose_adds_the_traceback(capsys: pytest.CaptureFixture[str]):
    """Under -v the error's traceback comes before its line."""
    setup_logging(1, quiet=False)
    with pytest.raises(Exit), handle_errors(verbose=1):
        raise StoreError(Path("x.json"), "bad")
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().endswith("ERROR x.json: bad")


def test_other_exceptions_are_not_swallowed():
    """A bug is not turned into an error line: it propagates with its traceback."""
    with pytest.raises(ZeroDivisionError), handle_errors(verbose=0):
        _ = 1 / 0


def test_out_writes_a_line_to_stdout(capsys: pytest.CaptureFixture[str]):
    """Results go to stdout, one line each."""
    out("rlhf_code: 3 new")
    assert capsys.readouterr() == ("rlhf_code: 3 new\n", "")


def test_log_lines_within_a_topic_name_it(capsys: pytest.CaptureFixture[str]):
    """A WARNING logged about a topic names it, once, whoever logs it (issue 16)."""
    setup_logging(0, quiet=False)
    log = logging.getLogger("harvester.arxiv.client")
    with about("rlhf_code"):
        log.warning("attempt %d of %d failed", 1, 5)
        log.warning("rlhf_code: already named")
    log.warning("outside")
    assert capsys.readouterr().err.splitlines() == [
        "WARNING rlhf_code: attempt 1 of 5 failed",
        "WARNING rlhf_code: already named",
        "WARNING outside",
    ]
