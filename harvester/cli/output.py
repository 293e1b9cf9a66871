"""What every command of the CLI shares: printing results and errors, logging, and the
one place where the error tree becomes exit codes.

Exit codes (DESIGN.md): 0 every requested topic harvested; 1 at least one topic
failed (the others were still written); 2 usage or config error (nothing fetched).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from harvester.errors import ConfigError, HarvestError, UsageError, one_line
from harvester.models import flat_line

logger = logging.getLogger("harvester")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_topic: ContextVar[str | None] = ContextVar("topic", default=None)


@contextmanager
def about(topic: str) -> Iterator[None]:
    """Name `topic` in every log line logged within (a retry's WARNING says whose page
    failed; the client serving every topic does not know)."""
    token = _topic.set(topic)
    try:
        yield
    finally:
        _topic.reset(token)


def _name_topic(record: logging.LogRecord) -> bool:
    """Prefix a record with the topic it was logged about, unless it names it already."""
    topic = _topic.get()
    if topic is not None and not record.getMessage().startswith(f"{topic}:"):
        record.msg, record.args = f"{topic}: {record.getMessage()}", None
    return True


class Exit(Exception):
    """Stop the command with this exit code (raised after the message is printed)."""

    def __init__(self, code: int) -> None:
        self.code = code


@contextmanager
def handle_errors(*, verbose: int) -> Iterator[None]:
    """Turn the error tree into one line on stderr and the matching exit code."""
    try:
        yield
    except (UsageError, ConfigError) as exc:
        error(str(exc), exc, verbose=verbose)
        raise Exit(EXIT_USAGE) from None
    except HarvestError as exc:
        error(str(exc), exc, verbose=verbose)
        raise Exit(EXIT_FAILED) from None


def out(line: str) -> None:
    """A result line, on stdout."""
    print(line, flush=True)


def shown(text: str) -> str:
    """Stored or received text (a title, a name) as part of one result line: line breaks
    as spaces, other control characters and bidirectional overrides as their escapes, so
    that a record can neither break a line of output nor drive the terminal."""
    return one_line(flat_line(text))


def error(message: str, exc: BaseException, *, verbose: int) -> None:
    """An error line, on stderr; under -v its traceback first.

    One line whatever it quotes: the quoting layer escapes what it quotes
    (`errors.one_line`), and this is the last guard for anything that slipped past.
    """
    if verbose:
        logger.error("traceback of the error below", exc_info=exc)
    print(f"ERROR {one_line(message)}", file=sys.stderr, flush=True)


def setup_logging(verbose: int, *, quiet: bool) -> None:
    """Log to stderr: warnings by default, progress with -v, requests with -vv."""
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(_name_topic)
    root = logging.getLogger("harvester")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
