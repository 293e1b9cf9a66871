"""Progress while a topic is fetched: a live line on a terminal, log lines elsewhere."""

from __future__ import annotations

import logging
import math
from typing import TextIO

from harvester.arxiv.feed import Page

logger = logging.getLogger("harvester.progress")


class Progress:
    """Counts pages and papers per topic and shows them.

    Args:
        stream: where the live line goes (stderr).
        live: redraw one line in place (a terminal); otherwise each page is an
            INFO log line, seen with -v, so cron mail and CI logs stay plain.
        page_size: results asked for per request, to tell how many pages a query
            takes (`page 3 of 10`); None shows only the page number.
    """

    def __init__(self, stream: TextIO, *, live: bool, page_size: int | None = None) -> None:
        self._stream = stream
        self._live = live
        self._page_size = page_size
        self._topic = ""
        self._pages = self._papers = self._width = 0
        self._of: int | None = None

    def start(self, topic: str) -> None:
        """A topic begins."""
        self._topic, self._pages, self._papers, self._of = topic, 0, 0, None

    def page(self, page: Page) -> None:
        """A page of the current topic arrived."""
        if page.start_index == 0 and self._page_size:
            # A query's first page says how many it has; a topic fetched in windows
            # makes one query per window, so the total grows as windows start.
            self._of = self._pages + max(1, math.ceil(page.total_results / self._page_size))
        self._pages += 1
        self._papers += len(page.papers)
        of = f" of {self._of}" if self._of is not None and self._of >= self._pages else ""
        line = f"{self._topic}: page {self._pages}{of}, {self._papers} papers"
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
