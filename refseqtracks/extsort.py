"""Sorting more lines than should sit in memory: sorted runs spilled to temporary files, merged.

Why: the build's sorted outputs (the link table by id, the PSL by target and start, the
Other BED by chrom and start) hold a row per transcript or alignment, which for human RefSeq is
hundreds of megabytes as Python objects.  ``sort`` does the same with its temporary files;
the standard library has the pieces (``marshal`` for fast run files through
:mod:`refseqtracks.batchfile`, ``heapq.merge``), so no
package is needed.

Items are ``(key, text)``; keys are anything ``marshal`` can write and ``<`` can compare (tuples
of bytes, str and int).  The order is stable: items with equal keys come out in the order they
were added, as with ``sort -s``; kent's pipeline runs ``sort`` without ``-s``, whose last-resort
comparison of whole lines the caller makes part of the key where it matters.

A sorter can hand its items to a sorter in another process (:meth:`ExternalSorter.dump_run`,
:meth:`ExternalSorter.add_run`): the build makes the NCBI alignment rows in a child process.

Public API: :class:`ExternalSorter`.
"""
from __future__ import annotations

import heapq
import tempfile
from typing import IO, Any, Iterator

from refseqtracks.batchfile import dump_batch, iter_items

__all__ = ["ExternalSorter"]

#: items kept in memory before a sorted run is written out
DEFAULT_LIMIT = 100_000


class ExternalSorter:
    """Collects ``(key, text)`` items and hands the texts back in key order.

    At most ``limit`` items are held in memory; each full batch is sorted and written to an
    anonymous temporary file (deleted on :meth:`close` or when iteration ends).
    """

    def __init__(self, *, limit: int = DEFAULT_LIMIT, tmpdir: str | None = None):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.tmpdir = tmpdir
        self._items: list[tuple[Any, int, str]] = []
        self._runs: list[IO[bytes]] = []
        self._seq = 0
        self.count = 0

    def add(self, key: Any, text: str) -> None:
        """Add one item."""
        self._items.append((key, self._seq, text))
        self._seq += 1
        self.count += 1
        if len(self._items) >= self.limit:
            self._spill()

    def _spill(self) -> None:
        items = self._items
        items.sort()
        f = tempfile.TemporaryFile(dir=self.tmpdir)
        for i in range(0, len(items), 1024):  # batches: one marshal call per 1024 items
            dump_batch(items[i:i + 1024], f)
        f.seek(0)
        self._runs.append(f)
        self._items = []

    @staticmethod
    def _read_run(f: IO[bytes]) -> Iterator[tuple[Any, int, str]]:
        return iter_items(f)

    def __iter__(self) -> Iterator[str]:
        """The texts in key order (once); the run files are removed afterwards."""
        for item in self.sorted_items():
            yield item[2]

    def sorted_items(self) -> Iterator[tuple[Any, int, Any]]:
        """The items ``(key, sequence number, text)`` in key order (once); the run files are
        removed afterwards."""
        try:
            yield from self._sorted_items()
        finally:
            self.close()

    def _sorted_items(self) -> Iterator[tuple[Any, int, str]]:
        items = self._items
        items.sort()
        self._items = []
        if not self._runs:
            return iter(items)
        return heapq.merge(items, *(self._read_run(f) for f in self._runs))

    def dump_run(self, f: IO[bytes], *, batch_size: int = 1024) -> int:
        """Write every item, in order, to ``f`` as one run for :meth:`add_run` (in another
        process, say); returns how many.  The sorter is empty afterwards.  A merge holds one
        batch (``batch_size`` items) of every run it reads: small runs that are merged many at a
        time take small batches."""
        n = 0
        batch: list = []
        try:
            for item in self._sorted_items():
                batch.append(item)
                if len(batch) >= batch_size:
                    dump_batch(batch, f)
                    n += len(batch)
                    batch = []
            if batch:
                dump_batch(batch, f)
                n += len(batch)
        finally:
            self.close()
        return n

    def merge_runs(self) -> None:
        """Merge everything held into one run (its sorted order kept): the later merge then
        reads one file instead of many (the build does it while it waits for other work)."""
        if len(self._runs) + (1 if self._items else 0) <= 1:
            return
        f = tempfile.TemporaryFile(dir=self.tmpdir)
        try:
            self.dump_run(f)  # (which empties the sorter and drops its old runs)
        except BaseException:
            f.close()
            raise
        f.seek(0)
        self._runs = [f]

    def add_run(self, f: IO[bytes], count: int) -> None:
        """Adopt a run written by :meth:`dump_run` (``count`` items, ``f`` at its start); the
        sorter closes ``f`` when done."""
        self._runs.append(f)
        self.count += count

    def rewind(self) -> None:
        """Put every run back at its start (a forked process read them through the same file
        descriptors, whose positions the two processes share)."""
        for f in self._runs:
            f.seek(0)

    def close(self) -> None:
        """Drop the runs and anything still held."""
        for f in self._runs:
            f.close()
        self._runs = []
        self._items = []

    def __enter__(self) -> ExternalSorter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
