"""Column parsers shared by the tab-separated formats (genePred, BED): integers, unsigned
integers and kent's comma lists (``1,2,3,``, trailing comma optional), each failing with a
``path:line: invalid <column> "<text>"`` :class:`ParseError`."""
from __future__ import annotations

from refseqtracks.errors import ParseError

__all__ = ["parse_int", "parse_uint", "parse_int_list"]


def parse_int(text: str, what: str, path, lineno) -> int:
    """A signed integer column."""
    try:
        return int(text)
    except ValueError:
        raise ParseError(path, lineno, f"invalid {what} \"{text}\": expected an integer") from None


def parse_uint(text: str, what: str, path, lineno) -> int:
    """An unsigned integer column."""
    v = parse_int(text, what, path, lineno)
    if v < 0:
        raise ParseError(path, lineno, f"invalid {what} \"{text}\": must not be negative")
    return v


def parse_int_list(text: str, what: str, path, lineno, *, count: int | None = None,
                   count_field: str = "exonCount") -> tuple[int, ...]:
    """A comma list; with ``count``, it must have exactly that many values."""
    parts = text.split(",")
    if parts and parts[-1] == "":
        parts.pop()
    if count is not None and len(parts) != count:
        raise ParseError(path, lineno, f"{what} has {len(parts)} values, {count_field} is {count}")
    return tuple(parse_int(p, what, path, lineno) for p in parts)
