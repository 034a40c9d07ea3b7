"""GTF records: parsing and formatting single lines (the reader half of :mod:`.gtf`).

Format facts (as kent's ``gff.c`` reads GTF): tab-separated; at least 8 columns, the 9th holds
the attributes; ``start``/``end`` are 1-based closed and become 0-based half-open here
(``start - 1``, ``end``); ``strand`` and ``frame`` are single characters (``.`` when unknown).
Attributes are ``name value`` pairs ending with ``;``: a value is either quoted (``"..."`` or
``'...'``, backslash escapes the next character) or a single word, from which one trailing
``;`` is dropped; after a quoted value, everything up to the next ``;`` is skipped.  Lines
starting with ``#`` are comments; blank lines are skipped.

Stricter than kent (which reads leading digits with ``atoi`` and ignores the rest): a start or
end that is not a whole number, an end before the start, more than 9 non-empty columns, or an
attribute without a value are errors reported as ``path:line: message``.
"""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from refseqtracks.errors import ParseError
from refseqtracks.fileio import Source, input_name, open_input

__all__ = ["GtfRecord", "parse_gtf_line", "format_gtf_line", "parse_gtf_attributes", "iter_gtf",
           "read_gtf"]

# fast path for the usual `key "value"` pair; anything else takes the general path
_QUOTED_PAIR = re.compile(r'[ \t\n\r\f\v]*([^ \t\n\r\f\v]+)[ \t\n\r\f\v]+"([^"\\]*)"')
# a whole column of such pairs, each followed by `;` (the last one optionally)
# (names without quotes or `;`, so that the pattern cannot backtrack badly)
_ALL_QUOTED = re.compile(r'(?:\s*[^\s"\';]+\s+"[^"\\]*"\s*;)*(?:\s*[^\s"\';]+\s+"[^"\\]*"\s*;?)?\s*',
                         re.ASCII)
_FIND_PAIRS = re.compile(r'([^\s"\';]+)\s+"([^"\\]*)"', re.ASCII)
_SPACE = " \t\n\r\f\v"


class GtfRecord(NamedTuple):
    """One GTF line; ``start``/``end`` are 0-based half-open.

    Maps to :data:`refseqtracks.formats.gtf.FIELDS`: ``seqname source feature start end score
    strand frame attributes``; ``attributes`` is a tuple of ``(name, value)`` pairs in file order
    (names may repeat).
    """

    seqname: str
    source: str
    feature: str
    start: int
    end: int
    score: str
    strand: str
    frame: str
    attributes: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of attribute ``name``."""
        for k, v in self.attributes:
            if k == name:
                return v
        return default


def parse_gtf_attributes(text: str, *, path: object = None,
                         lineno: int | None = None) -> list[tuple[str, str]]:
    """Split a GTF attribute column into ``(name, value)`` pairs, the way kent's gff.c does."""
    if _ALL_QUOTED.fullmatch(text) is not None:
        return _FIND_PAIRS.findall(text)
    return _parse_attributes_general(text, path, lineno)


def _parse_attributes_general(text: str, path: object, lineno: int | None) -> list[tuple[str, str]]:
    """kent's parseGtfEnd, step by step (any quoting, unquoted values, stray text)."""
    pairs: list[tuple[str, str]] = []
    n = len(text)
    pos = 0
    match = _QUOTED_PAIR.match
    while pos < n:
        m = match(text, pos)
        if m is not None:
            pairs.append((m.group(1), m.group(2)))
            semi = text.find(";", m.end())
            pos = n if semi < 0 else semi + 1
            continue
        while pos < n and text[pos] in _SPACE:
            pos += 1
        if pos >= n:
            break
        j = pos
        while j < n and text[j] not in _SPACE:
            j += 1
        name = text[pos:j]
        pos = j
        while pos < n and text[pos] in _SPACE:
            pos += 1
        if pos >= n:
            raise ParseError(path, lineno, f"attribute \"{name}\" has no value")
        quote = text[pos]
        if quote in "\"'":
            buf = []
            k = pos + 1
            while k < n and text[k] != quote:
                if text[k] == "\\" and k + 1 < n:
                    k += 1
                buf.append(text[k])
                k += 1
            if k >= n:
                raise ParseError(path, lineno, f"unterminated quoted value of attribute \"{name}\"")
            value = "".join(buf)
            pos = k + 1
            got_semi = False
        else:
            j = pos
            while j < n and text[j] not in _SPACE:
                j += 1
            value = text[pos:j]
            pos = j
            got_semi = value.endswith(";")
            if got_semi:
                value = value[:-1]
            if not value:
                raise ParseError(path, lineno, f"empty value for attribute \"{name}\"")
        if not got_semi:
            semi = text.find(";", pos)
            pos = n if semi < 0 else semi + 1
        pairs.append((name, value))
    return pairs


def _coord(text: str, what: str, path: object, lineno: int | None) -> int:
    if not text.isdigit() or not text.isascii():
        raise ParseError(path, lineno, f"invalid {what} \"{text}\": expected a positive integer")
    return int(text)


def split_gtf_columns(line: str, *, path: object = None, lineno: int | None = None) -> list[str]:
    """The tab-separated columns of a GTF line (8 or 9; trailing empty columns dropped)."""
    cols = line.rstrip("\r\n").split("\t")
    while len(cols) > 9 and cols[-1] == "":
        cols.pop()
    if len(cols) < 8 or len(cols) > 9:
        raise ParseError(path, lineno, f"expected 8 or 9 tab-separated GTF columns, got {len(cols)}")
    return cols


def parse_gtf_coords(cols: list[str], *, path: object = None,
                     lineno: int | None = None) -> tuple[int, int]:
    """0-based half-open ``(start, end)`` from the 1-based closed GTF columns 4 and 5."""
    start = _coord(cols[3], "start", path, lineno)
    end = _coord(cols[4], "end", path, lineno)
    if end < start:
        raise ParseError(path, lineno, f"end {end} is before start {start}")
    return start - 1, end


def parse_gtf_line(line: str, *, path: object = None, lineno: int | None = None) -> GtfRecord:
    """Parse one GTF line (not a comment) into a :class:`GtfRecord`."""
    cols = split_gtf_columns(line, path=path, lineno=lineno)
    start, end = parse_gtf_coords(cols, path=path, lineno=lineno)
    attrs = tuple(parse_gtf_attributes(cols[8], path=path, lineno=lineno)) if len(cols) > 8 else ()
    return GtfRecord(cols[0], cols[1], cols[2], start, end, cols[5], cols[6], cols[7], attrs)


def _quote(value: str) -> str:
    if "\\" in value or '"' in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{value}"'


def format_gtf_line(rec: GtfRecord) -> str:
    """One GTF line (with newline); values are quoted, ``"`` and ``\\`` escaped."""
    attrs = " ".join([f"{k} {_quote(v)};" for k, v in rec.attributes])
    return (f"{rec.seqname}\t{rec.source}\t{rec.feature}\t{rec.start + 1}\t{rec.end}\t{rec.score}\t"
            f"{rec.strand}\t{rec.frame}\t{attrs}\n")


def iter_gtf(src: Source) -> Iterator[GtfRecord]:
    """Lazily read GTF records; ``#`` comment lines and blank lines are skipped."""
    name = input_name(src)
    f = open_input(src)
    try:
        for lineno, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            yield parse_gtf_line(line, path=name, lineno=lineno)
    finally:
        f.close()


def read_gtf(src: Source) -> list[GtfRecord]:
    """Read a whole GTF file as records (see :func:`refseqtracks.formats.gtf_assemble.read_gtf_transcripts`
    for transcripts grouped as gtfToGenePred does)."""
    return list(iter_gtf(src))
