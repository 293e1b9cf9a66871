"""The `harvest` command: flags in, lines out, errors mapped to exit codes in one place.

`harvest [flags]` harvests (`run.py`); `harvest job` is the scheduled refresh (`job.py`);
`harvest export|import|stats|check|commit|summary|keepalive`
are the tools around the data (`tools.py`). Only this package prints or exits.

Exit codes (DESIGN.md): 0 every requested topic harvested; 1 at least one topic
failed (the others were still written); 2 usage or config error (nothing fetched).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from harvester.errors import ConfigError, HarvestError, UsageError
from harvester.pacer import Clock, Sleep

logger = logging.getLogger("harvester")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Exit(Exception):
    """Stop the command with this exit code (raised after the message is printed)."""

    def __init__(self, code: int) -> None:
        self.code = code


def main(argv: Sequence[str], *, sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> int:
    """Run `harvest` with these arguments and return its exit code.

    Args:
        argv: the arguments, without the program name.
        sleep: how to wait, for pacing and retries (tests inject a recorder).
        clock: the monotonic clock the pacer reads (tests inject a fake one).
    """
    # Imported here: the command modules import this module's helpers.
    from harvester.cli import run, tools  # noqa: PLC0415

    try:
        if argv and argv[0] in tools.COMMANDS:
            return tools.main(argv[0], argv[1:])
        return run.main(argv, sleep=sleep, clock=clock)
    except SystemExit as exc:  # argparse has printed the usage error or the help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except Exit as exit_:
        return exit_.code


def entrypoint() -> None:
    """The console script `harvest`."""
    try:
        code = main(sys.argv[1:])
    except KeyboardInterrupt:
        # Ctrl-C before the run could catch it (while Python starts, say): no traceback.
        code = 128 + 2
    except BrokenPipeError:
        # The reader went away (`harvest stats | head`): stop quietly, as Unix tools do,
        # and keep Python from complaining while it flushes stdout on the way out.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_FAILED
    sys.exit(code)


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


def error(message: str, exc: BaseException, *, verbose: int) -> None:
    """An error line, on stderr; under -v its traceback first."""
    if verbose:
        logger.error("traceback of the error below", exc_info=exc)
    print(f"ERROR {message}", file=sys.stderr, flush=True)


def setup_logging(verbose: int, *, quiet: bool) -> None:
    """Log to stderr: warnings by default, progress with -v, requests with -vv."""
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger("harvester")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
