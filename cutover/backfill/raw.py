"""A batch of documents as the server sent it: concatenated BSON, decoded only where it is read.

pymongo's `find_raw_batches` hands a reply over as these bytes; decoding them is most of a backfill's
Python time (an ObjectId, a Decimal128 and a tz-aware datetime each cost a Python call), so a batch is
passed to a worker process as bytes and decoded there (cutover.backfill.workers). Here, in the loading
process, only what the keyset and the bookkeeping need is decoded: the last document (the next batch's
`after`), and any document a reject must store."""

from collections.abc import Iterator, Sequence
from functools import cached_property

import bson


class RawBatch(Sequence):
    def __init__(self, raw: bytes, codec_options: bson.CodecOptions):
        self.raw, self.codec_options = raw, codec_options
        self._starts = _document_starts(raw)

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, index: int) -> dict:
        if index in (-1, len(self._starts) - 1):
            return self._last
        return self._decode(self._starts[index])

    def __iter__(self) -> Iterator[dict]:
        return iter(bson.decode_all(self.raw, self.codec_options))

    @cached_property
    def _last(self) -> dict:
        return self._decode(self._starts[-1])

    def _decode(self, start: int) -> dict:
        end = start + int.from_bytes(self.raw[start : start + 4], "little")
        return bson.decode(self.raw[start:end], self.codec_options)


def _document_starts(raw: bytes) -> list[int]:
    """Where each document begins: each starts with its own length (int32, little-endian)."""
    starts, position = [], 0
    while position < len(raw):
        starts.append(position)
        length = int.from_bytes(raw[position : position + 4], "little")
        if length < 5 or position + length > len(raw):
            raise ValueError(f"not a sequence of BSON documents: a length of {length} at byte {position}")
        position += length
    return starts
