"""Progress while a topic is fetched: a live line on a terminal, log lines elsewhere."""

from __future__ import annotations

import logging
from typing import TextIO

from harvester.feed import Page

logger = logging.getLogger("harvester.progress")


class Progress:
    """Counts pages and papers per topic and shows them.

    Args:
        stream: where the live line goes (stderr).
        live: redraw one line in place (a terminal); otherwise each page is an
            INFO log line, seen with -v, so cron mail and CI logs stay plain.
    """

    def __init__(self, stream: TextIO, *, live: bool) -> None:
        self._stream = stream
        self._live = live
        self._topic = ""
        self._pages = self._papers = self._width = 0

    def start(self, topic: str) -> None:
        """A topic begins."""
        self._topic, self._pages, self._papers = topic, 0, 0

    def page(self, page: Page) -> None:
        """A page of the current topic arrived."""
        self._pages += 1
        self._papers += len(page.papers)
        line = f"{self._topic}: page {self._pages}, {self._papers} papers"
        if self._live:
            self._width = max(self._width, len(line))
            self._stream.write(f"\r{line.ljust(self._width)}")
            self._stream.flush()
        else:
            logger.info("%s", line)

    def finish(self) -> None:
        """The topic ended: clear the live line so results print on a clean line."""
        if self._live and self._width:
            self._stream.write(f"\r{' ' * self._width}\r")
            self._stream.flush()
        self._width = 0
