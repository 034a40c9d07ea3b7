"""Batches of Python values in a temporary file, written and read back in order.

Why: ``marshal`` is the fastest way the standard library has to put plain values (tuples,
lists, str, bytes, int) in a file and get them back, but ``marshal.load`` on a file object
reads it a few bytes at a time (a method call per string): about four times slower than
``marshal.loads`` on the bytes.  Here each batch is written with its length in front, so it
is read back with one ``read`` and ``marshal.loads``.  Files are private to one run (the
sorter's runs, a build's spills), so the format is ours: an 8-byte little-endian length, then
the marshal data.

Public API: :func:`dump_batch`, :func:`iter_batches`, :func:`iter_items`.
"""
from __future__ import annotations

import marshal
from typing import IO, Any, Iterator

__all__ = ["dump_batch", "iter_batches", "iter_items"]


def dump_batch(value: Any, f: IO[bytes]) -> None:
    """Write one value (a batch) to ``f``."""
    blob = marshal.dumps(value)
    f.write(len(blob).to_bytes(8, "little"))
    f.write(blob)


def iter_batches(f: IO[bytes]) -> Iterator[Any]:
    """The values written by :func:`dump_batch`, from the current position to the end of ``f``."""
    read, loads = f.read, marshal.loads
    while True:
        head = read(8)
        if not head:
            return
        if len(head) != 8:
            raise EOFError("a batch file ends inside a batch length")
        size = int.from_bytes(head, "little")
        blob = read(size)
        if len(blob) != size:
            raise EOFError("a batch file ends inside a batch")
        yield loads(blob)


def iter_items(f: IO[bytes]) -> Iterator[Any]:
    """The items of the batches (lists or tuples) of ``f``, in order."""
    for batch in iter_batches(f):
        yield from batch
