"""The `harvest` command: flags in, lines out, errors mapped to exit codes in one place.

`harvest [flags]` harvests (`run.py`); `harvest export|search|import|stats|check|plan|
init|commit|summary|job|keepalive` are the tools around the data (`tools.py`). Only this package
prints or exits; what its commands share is in `output.py` and `flags.py`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

from harvester.cli import run, tools
from harvester.cli.output import EXIT_FAILED, EXIT_USAGE, Exit
from harvester.net.pacer import Clock, Sleep

__all__ = ["entrypoint", "main"]

# Flags taken before a tool's name as well as after it: `harvest -v stats`.
_LEADING = frozenset({"-v", "-vv", "-vvv", "--verbose"})


def main(argv: Sequence[str], *, sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> int:
    """Run `harvest` with these arguments and return its exit code.

    Args:
        argv: the arguments, without the program name.
        sleep: how to wait, for pacing and retries (tests inject a recorder).
        clock: the monotonic clock the pacer reads (tests inject a fake one).
    """
    argv = list(argv)
    leading = 0
    while leading < len(argv) and argv[leading] in _LEADING:
        leading += 1
    try:
        if leading < len(argv) and argv[leading] in tools.TOOLS:
            name = argv[leading]
            return tools.main(name, [*argv[:leading], *argv[leading + 1 :]], sleep=sleep)
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
