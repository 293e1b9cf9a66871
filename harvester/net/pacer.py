"""Politeness: the starts of any two requests of a run at least `delay_seconds` apart.

arXiv's terms of use (https://info.arxiv.org/help/api/tou.html) ask for no more than
one request every 3 seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_DELAY_SECONDS = 3.0

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class Pacer:
    """Keeps the starts of any two requests at least `delay_seconds` apart.

    One pacer is shared by every request of a run, so the limit holds across
    topics and across retries. The default of 3 s is arXiv's terms of use.
    """

    def __init__(
        self,
        *,
        delay_seconds: float = DEFAULT_DELAY_SECONDS,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.delay_seconds = delay_seconds
        self._clock = clock
        self._sleep = sleep
        self._last_start: float | None = None

    def wait(self) -> None:
        """Block until a request may start, and record that it starts now."""
        if self._last_start is not None:
            remaining = self._last_start + self.delay_seconds - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last_start = self._clock()
