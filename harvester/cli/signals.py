"""SIGINT and SIGTERM as an exception, so that a run stopped by either ends cleanly.

GitHub cancels a job with SIGINT, then SIGTERM; cron and systemd stop with SIGTERM.
Python's default turns SIGINT into a KeyboardInterrupt traceback and lets SIGTERM
kill the process on the spot, with no summary line and no report.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from harvester.errors import Interrupted

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def interrupting() -> Iterator[Callable[[], None]]:
    """While inside, SIGINT and SIGTERM raise `Interrupted`; calling the yielded
    function makes them ignored instead, for the run's last steps."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None  # only the main thread may handle signals
        return
    armed = True

    def handler(signal_number: int, frame: FrameType | None) -> None:
        if armed:
            raise Interrupted(signal_number)

    def disarm() -> None:
        nonlocal armed
        armed = False

    previous = {number: signal.signal(number, handler) for number in _STOP_SIGNALS}
    try:
        yield disarm
    finally:
        for number, handling in previous.items():
            signal.signal(number, handling)
