"""The `harvest` command: flags in, lines out, errors mapped to exit codes in one place.

`harvest [flags]` harvests (`run.py`); `harvest export|search|import|stats|check|plan|
init|commit|summary|job|keepalive` are the tools around the data (`tools.py`). Only this package
prints or exits; what its commands share is in `output.py` and `flags.py`.

This module imports nothing heavy: the console script imports it before `entrypoint`
can catch a Ctrl-C, so the rest is imported inside, where it can.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    from harvester.cli import run, tools  # noqa: PLC0415 - see the module docstring
    from harvester.cli.output import EXIT_USAGE, Exit  # noqa: PLC0415

    argv = list(argv)
    leading = 0
    while leading < len(argv) and argv[leading] in _LEADING:
        leading += 1
    try:
        # The harvest takes no positional argument: a first one that is not a flag names a
        # tool (`harvest --topic x` starts with a flag, its value follows it).
        if leading < len(argv) and not argv[leading].startswith("-"):
            name = argv[leading]
            if name not in tools.TOOLS:
                run.parser().error(tools.unknown(name))
            return tools.main(name, [*argv[:leading], *argv[leading + 1 :]], sleep=sleep)
        return run.main(argv, sleep=sleep, clock=clock)
    except SystemExit as exc:  # argparse has printed the usage error or the help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except Exit as exit_:
        return exit_.code


def entrypoint() -> None:
    """The console script `harvest`."""
    try:
        from harvester.cli import signals  # noqa: PLC0415 - see the module docstring

        # This process ends with the run: once the run has disarmed its signal handling
        # to write its summary and report, a late SIGTERM must not kill it with a code
        # other than the one the report says.
        signals.hold_until_exit()
        code = main(sys.argv[1:])
    except KeyboardInterrupt:
        # Ctrl-C before the run could catch it (while modules import, say): no traceback.
        code = 128 + 2
    except BrokenPipeError:
        # The reader went away (`harvest stats | head`): stop quietly, as Unix tools do,
        # and keep Python from complaining while it flushes stdout on the way out.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
