"""SIGINT and SIGTERM as an exception, so that a run stopped by either ends cleanly.

GitHub cancels a job with SIGINT, then SIGTERM; cron and systemd stop with SIGTERM.
Python's default turns SIGINT into a KeyboardInterrupt traceback and lets SIGTERM
kill the process on the spot, with no summary line and no report.

The first stop signal decides the run's exit code (130 or 143), and its report says
the same: a second one (GitHub's SIGTERM after its SIGINT) is ignored while the run
stops, and, in the `harvest` process, until it exits (`hold_until_exit`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from harvester.errors import Interrupted

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_held = False


def hold_until_exit() -> None:
    """Once a run has disarmed its handling, keep ignoring stop signals instead of giving
    them back to their previous handlers (which would let a late SIGTERM kill the
    process after its report was written). For the process that ends with the run."""
    global _held  # noqa: PLW0603 - one switch for the whole process, set by entrypoint
    _held = True


@contextmanager
def interrupting() -> Iterator[Callable[[], None]]:
    """While inside, the first SIGINT or SIGTERM raises `Interrupted`, and any after it
    are ignored; calling the yielded function makes them all ignored, for the run's
    last steps."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None  # only the main thread may handle signals
        return
    armed = True

    def handler(signal_number: int, frame: FrameType | None) -> None:
        nonlocal armed
        if armed:
            armed = False  # the run is stopping: a second signal must not cut that short
            raise Interrupted(signal_number)

    def disarm() -> None:
        nonlocal armed
        armed = False

    previous = {number: signal.signal(number, handler) for number in _STOP_SIGNALS}
    try:
        yield disarm
    finally:
        for number, handling in previous.items():
            signal.signal(number, signal.SIG_IGN if _held and not armed else handling)
