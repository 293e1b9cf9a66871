"""Counting the distinct papers of several topics as they stream, in memory bounded by
the ids' ranges rather than by the papers.

A paper in three topics is met three times while the site reads its topics one after
the other. A set of a million ids holds 60+ bytes each; here an id is one bit in a block
of a thousand ids that share all but their last three digits (`2405.01` holds
`2405.01000` to `2405.01999`), so a month of arXiv's 24,000 papers takes about 25 blocks
of 125 bytes, and all of arXiv (old-style ids' months are sparser) about 3 MB.
"""

from __future__ import annotations

BLOCK = 1000
"""Ids a block holds: those that differ only in their last three digits."""


class DistinctIds:
    """The distinct paper ids (without versions) added, counted."""

    def __init__(self) -> None:
        self._blocks: dict[str, bytearray] = {}

    def add(self, key: str) -> None:
        """Count `key` once, however often it is added.

        Raises:
            ValueError: `key` does not end in three digits (every arXiv id does:
                `YYMM.NNNNN`, `archive/YYMMNNN`).
        """
        # The prefix keeps a four-digit `0704.0001` apart from a five-digit `0704.00001`.
        prefix, number = key[:-3], int(key[-3:])
        block = self._blocks.get(prefix)
        if block is None:
            block = self._blocks[prefix] = bytearray(BLOCK // 8)
        block[number >> 3] |= 1 << (number & 7)

    def __len__(self) -> int:
        return sum(int.from_bytes(block).bit_count() for block in self._blocks.values())
