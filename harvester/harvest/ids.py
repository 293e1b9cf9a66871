"""Paper ids held compactly, and the month each id names.

`harvest verify` holds every id a topic stores while arXiv lists the topic's ids: all
of arXiv is 2.9 million ids, 250 MB as a set of strings. Held here as one sorted array
of 8-byte codes, with a byte per id marking those listed, they take 26 MB.

An id names the month it was given in: `2405.01234` (new style, since April 2007) is
May 2024, `hep-th/9901001` (old style) January 1999. arXiv gives an id when a paper is
submitted, so that is the month of its first version (but for the hours around
midnight of a month's end, between UTC and arXiv's own clock).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable

# An old-style id's code: this bit, its archive's number, its seven digits (YYMMNNN).
_OLD = 1 << 62
_DIGITS = 10**7


def month_of(key: str) -> str:
    """The month an id names, `YYYY-MM`: `2405.01234` -> `2024-05`, `hep-th/9901001` ->
    `1999-01` (old-style ids run from 1991 to March 2007)."""
    digits = key.rpartition("/")[2]
    year, month = int(digits[:2]), digits[2:4]
    century = 1900 if "/" in key and year >= 91 else 2000
    return f"{century + year}-{month}"


class IdIndex:
    """A fixed set of paper ids (without versions), each of which can be marked.

    Args:
        keys: the ids; repeats are held once.
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self._archives: dict[str, int] = {}
        self._names: list[str] = []
        codes = array("q", sorted({self._code(k) for k in keys}))
        self._codes = codes
        self._marked = bytearray(len(codes))

    def __len__(self) -> int:
        return len(self._codes)

    def _code(self, key: str) -> int:
        """A number for `key`, unique among the ids of one index."""
        archive, _, digits = key.rpartition("/")
        if not archive:  # YYMM.NNNNN: the number of a five-digit id can pass 9,999
            month, _, number = key.partition(".")
            return int(month) * 100_000 + int(number)
        index = self._archives.setdefault(archive, len(self._archives))
        if index == len(self._names):
            self._names.append(archive)
        return _OLD + index * _DIGITS + int(digits)

    def _key(self, code: int) -> str:
        if code & _OLD:
            index, digits = divmod(code & ~_OLD, _DIGITS)
            return f"{self._names[index]}/{digits:07d}"
        month, number = divmod(code, 100_000)
        # Four-digit numbers until December 2014 (1412.9999), five from January 2015.
        return f"{month:04d}.{number:05d}" if month >= 1501 else f"{month:04d}.{number:04d}"

    def _find(self, key: str) -> int:
        """The position of `key`, or -1 when it is not held."""
        archive = key.rpartition("/")[0]
        if archive and archive not in self._archives:
            return -1
        code = self._code(key)
        at = bisect.bisect_left(self._codes, code)
        return at if at < len(self._codes) and self._codes[at] == code else -1

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) >= 0

    def mark(self, key: str) -> bool:
        """Mark `key` as seen; returns whether it is held."""
        at = self._find(key)
        if at >= 0:
            self._marked[at] = 1
        return at >= 0

    def unmarked(self) -> list[str]:
        """The ids held and never marked, in code order."""
        return [self._key(c) for c, m in zip(self._codes, self._marked, strict=True) if not m]
