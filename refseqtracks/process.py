"""The process's own settings: ending with the parent process, keeping freed memory.

The first two are Linux/glibc calls made through :mod:`ctypes` (no compiled extension of ours);
elsewhere they do nothing.  :func:`keep_object_arenas` does for CPython's own small-object
allocator what :func:`keep_freed_memory` does for the C allocator.
"""
from __future__ import annotations

import os
import signal

__all__ = ["end_with_parent", "keep_freed_memory", "keep_object_arenas"]

#: what :func:`keep_object_arenas` keeps (alive as long as the process)
_KEPT: list = []


def end_with_parent(parent: int) -> None:
    """In a forked child: be sent SIGTERM when the process ``parent`` ends, however it ends
    (Linux: ``PR_SET_PDEATHSIG``), so that a killed command leaves no child behind waiting for
    work or holding its standard error open; exits at once if ``parent`` is already gone.
    Elsewhere: nothing."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # (1: PR_SET_PDEATHSIG)
    except (OSError, AttributeError):  # not Linux: nothing to ask for
        return
    if os.getppid() != parent:  # (it ended before that took effect)
        os._exit(1)


def keep_freed_memory() -> None:
    """Have the C allocator keep freed memory for reuse (glibc ``mallopt``) instead of giving it
    back to the system and faulting it in again page by page.  A worker of a run in pieces frees
    all of a piece before the next one; given back, that memory cost a third of the workers'
    system time in fresh pages.  Peak memory grows a little (human scale: 97 to 116 MB for
    ``gff3ToGenePred``).  Elsewhere: nothing."""
    try:
        import ctypes
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: the top of the heap is not given back
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks up to 32 MB come from the heap as well


def keep_object_arenas(nbytes: int = 32 << 20) -> None:
    """Keep about ``nbytes`` of CPython's small-object memory (its 1 MB *arenas*) for the life of
    the process, instead of having it handed back and faulted in again page by page each time it
    is all freed: a worker of a run in pieces frees all of a piece before the next one, and
    what CPython gives back it gets from the system afresh (two thirds of a ``gff3ToGenePred``
    worker's page faults, about 30 MB per piece).

    How: small objects (512-byte blocks) filling ``nbytes`` are made, and one of them is kept
    for every 256 KB of addresses they took; the rest are freed.  An arena holding a live
    object is never given back, and its free pools serve objects of any size before a new
    arena is taken.  With another allocator (``PYTHONMALLOC``, another Python) this only keeps
    a little memory."""
    blocks = [bytes(470) for _ in range(nbytes >> 9)]  # (470 bytes of data: a 512-byte block)
    kept: dict[int, bytes] = {}
    for b in blocks:
        kept.setdefault(id(b) >> 18, b)
    _KEPT.extend(kept.values())
