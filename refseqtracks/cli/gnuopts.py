"""argparse for the commands with ordinary ``--option`` syntax (build, convert, hub ...).

argparse would print its usage and ``sys.exit(2)`` on a bad command line; our commands raise
:class:`UsageError` instead, so the CLI prints one message with the usage line and exits non-zero
like every other error.
"""
from __future__ import annotations

import argparse

from refseqtracks.errors import UsageError

__all__ = ["ArgumentParser"]


class ArgumentParser(argparse.ArgumentParser):
    """An ``argparse.ArgumentParser`` whose errors are :class:`UsageError`."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}\n{self.format_usage().rstrip()}")
