"""The one exception tree of refseqtracks.

Every error that a user's input can cause is a :class:`RefseqtracksError`; the CLI prints
it as one line (``path:line: message``) and exits non-zero.  Anything else escaping the
library is a bug in refseqtracks.
"""
from __future__ import annotations

__all__ = ["RefseqtracksError", "ParseError", "ConversionError", "UsageError", "format_location"]


def format_location(path: object, line: int | None) -> str:
    """``path:line`` as kent prints it (``path`` alone when the line is unknown)."""
    if path is None:
        return ""
    return f"{path}:{line}" if line else f"{path}"


class RefseqtracksError(Exception):
    """Root of every error refseqtracks raises for bad input or options."""


class ParseError(RefseqtracksError, ValueError):
    """Malformed input at a known place: prints as ``path:line: message``."""

    def __init__(self, path: object, line: int | None, message: str, *, feature_id: str | None = None):
        self.path = path
        self.line = line
        self.message = message
        self.feature_id = feature_id
        super().__init__(self._text())

    def _text(self) -> str:
        loc = format_location(self.path, self.line)
        return f"{loc}: {self.message}" if loc else self.message


class ConversionError(RefseqtracksError):
    """Input that parses but cannot be converted (e.g. an invalid transcript)."""


class UsageError(RefseqtracksError):
    """Bad command-line usage or option values."""
