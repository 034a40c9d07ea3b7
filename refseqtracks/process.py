"""The process's own settings: ending with the parent process, keeping freed memory.

Both are Linux/glibc calls made through :mod:`ctypes` (no compiled extension of ours); elsewhere
they do nothing.
"""
from __future__ import annotations

import os
import signal

__all__ = ["end_with_parent", "keep_freed_memory"]


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
