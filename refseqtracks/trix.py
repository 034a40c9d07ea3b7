"""Trix search indexes (kent ``ixIxx``), their inputs (``gpToIx.pl``, ``ncbiRefSeqOtherIxIxx.pl``)
and a small reader that finds items the way the browser's ``searchTrix`` does.

Input of ``ixIxx`` (one line per item): ``itemId<whitespace>free text``.  The text (not the id)
is lower-cased (ASCII only, as C ``tolower``) and cut into words: a word starts with a letter,
digit or ``_``, continues with those or ``.``/``-``, and trailing ``.``/``-`` are not part of it.
Words are numbered from 1 within the line; words of more than 31 characters are skipped (their
number is still used up).

``.ix`` (the word index): one line per distinct word, words sorted bytewise, each line
``word id,wordNo id,wordNo ...`` with the pairs sorted by id (bytewise), then word number.

``.ixx`` (the index into the index): lines of a 5-character prefix (the word's first five
characters, padded with spaces when shorter) immediately followed by the byte offset of a ``.ix``
line as 10 upper-case hex digits.  The first line indexes offset 0.  Then, walking the ``.ix``
lines, whenever the current line starts at least 64 KiB after the last indexed position and its
prefix differs from the last indexed prefix, an entry is written for the first line that has the
current prefix, and the current line becomes the last indexed position.

``gpToIx.pl`` (the input for the gene tracks): for each genePred row ``name`` then, tab-separated,
the name without a trailing ``.N`` version (when different), and, when name2 does not occur in the
name (case-insensitive), name2 and name2 without ``.N``; rows with nothing to add are left out;
then ``sort -u``.  ``ncbiRefSeqOtherIxIxx.pl`` (the input for the Other track): per item name,
the words of its name/gene/GeneID/WormBase/MIM/MGI/miRBase/product/geneSynonym/ID columns
(commas and whitespace split them), made unique, sorted, without the name itself and without
one-character words.
"""
from __future__ import annotations

import bisect
import re
from typing import Iterable, Iterator

from refseqtracks.errors import RefseqtracksError
from refseqtracks.fileio import atomic_output

__all__ = [
    "PREFIX_SIZE", "BIN_SIZE", "MAX_WORD_LENGTH", "index_words", "make_ix", "make_ixx",
    "write_trix", "gp_to_ix_lines", "other_ix_lines", "TrixIndex",
]

PREFIX_SIZE = 5
BIN_SIZE = 64 * 1024
MAX_WORD_LENGTH = 31

# a word: a begin character, then begin characters or . and -, not ending in . or -
_WORD = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_VERSION = re.compile(r"\.[0-9]+$")


def index_words(text: str) -> list[tuple[int, str]]:
    """(word number, word) of one ixIxx text, lower-cased; over-long words are skipped."""
    text = text.translate(_ASCII_LOWER)
    out = []
    for n, m in enumerate(_WORD.finditer(text), 1):
        w = m.group()
        if len(w) <= MAX_WORD_LENGTH:
            out.append((n, w))
    return out


def _bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def make_ix(lines: Iterable[str]) -> str:
    """kent ixIxx's ``.ix`` text from ``itemId text`` lines (blank and ``#`` lines skipped)."""
    words: dict[str, list[tuple[str, int]]] = {}
    for line in lines:
        line = line.rstrip("\r\n")
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split(None, 1)
        item = parts[0]
        text = parts[1] if len(parts) > 1 else ""
        for n, w in index_words(text):
            words.setdefault(w, []).append((item, n))
    out = []
    for w in sorted(words, key=_bytes):
        pos = sorted(words[w], key=lambda p: (_bytes(p[0]), p[1]))
        out.append(w + "".join([f" {i},{n}" for i, n in pos]) + "\n")
    return "".join(out)


def _prefix(word: str, size: int) -> str:
    return word[:size] if len(word) >= size else word + " " * (size - len(word))


def make_ixx(ix_text: str, *, prefix_size: int = PREFIX_SIZE, bin_size: int = BIN_SIZE) -> str:
    """kent ixIxx's ``.ixx`` text for a ``.ix`` text (see the module docstring)."""
    out = []
    pos = 0
    written_pos = 0
    written = last = None
    start_prefix_pos = 0
    for line in ix_text.splitlines(keepends=True):
        word = line.split(None, 1)[0] if line.strip() else ""
        if not word:
            pos += len(_bytes(line))
            continue
        cur = _prefix(word, prefix_size)
        if written is None:
            written = last = cur
            written_pos = pos
            out.append(f"{cur}{pos:010X}\n")
        else:
            if cur != last:
                start_prefix_pos = pos
            if pos - written_pos >= bin_size and cur != written:
                out.append(f"{cur}{start_prefix_pos:010X}\n")
                written_pos = pos
                written = cur
            last = cur
        pos += len(_bytes(line))
    if written is None:
        raise RefseqtracksError("trix index is empty")
    return "".join(out)


def write_trix(lines: Iterable[str], ix_path, ixx_path) -> int:
    """Write ``.ix`` and ``.ixx`` from ixIxx input lines; returns the number of words."""
    ix = make_ix(lines)
    ixx = make_ixx(ix)
    with atomic_output(ix_path) as f:
        f.write(ix)
    with atomic_output(ixx_path) as f:
        f.write(ixx)
    return ix.count("\n")


def _c_sorted_unique(lines: Iterable[str]) -> list[str]:
    return sorted(set(lines), key=_bytes)


def gp_to_ix_lines(rows: Iterable[tuple[str, str | None]]) -> list[str]:
    """``gpToIx.pl | sort -u`` for (name, name2) pairs of genePred rows (lines end in newline)."""
    out = []
    for item, name2 in rows:
        name = item
        extra: list[str] = []
        if "|" in name:  # NCBI "gi|...|mrna.X" names: the third part
            parts = name.split("|")
            if len(parts) > 2:
                name = parts[2]
                if name.startswith("mrna") and len(name) > 4:
                    name = name[5:]
                extra.append(name)
        base = _VERSION.sub("", name)
        if base != name and base:
            extra.append(base)
        if name2 is not None and name2.lower() not in name.lower():
            extra.append(name2)
            base2 = _VERSION.sub("", name2)
            if base2 != name2 and base2:
                extra.append(base2)
        text = "\t".join(extra)
        if text:
            out.append(f"{item}\t{text}\n")
    return _c_sorted_unique(out)


def other_ix_lines(items: Iterable[tuple[str, Iterable[str]]]) -> list[str]:
    """``ncbiRefSeqOtherIxIxx.pl`` for (item name, indexed column values) pairs."""
    words: dict[str, set[str]] = {}
    for name, values in items:
        got = words.setdefault(name, set())
        for v in values:
            got.update(v.replace(",", "\t").split())
    out = []
    for name in sorted(words, key=_bytes):
        others = [w for w in sorted(words[name], key=_bytes) if w != name and len(w) > 1]
        out.append(f"{name}\t{' '.join(others)}\n")
    return out


class TrixIndex:
    """A ``.ix``/``.ixx`` pair opened for searching (the whole ``.ix`` is read into memory)."""

    def __init__(self, ix_path, ixx_path=None):
        with open(ix_path, "rb") as f:
            self._ix = f.read()
        self._marks: list[tuple[bytes, int]] = []
        if ixx_path is not None:
            with open(ixx_path, "rb") as f:
                for raw in f.read().splitlines():
                    if len(raw) < PREFIX_SIZE + 10:
                        raise RefseqtracksError(f"{ixx_path}: bad .ixx line {raw!r}")
                    self._marks.append((raw[:PREFIX_SIZE], int(raw[PREFIX_SIZE:PREFIX_SIZE + 10], 16)))
        if not self._marks:
            self._marks = [(b"", 0)]

    def _lines_from(self, word: bytes) -> Iterator[bytes]:
        key = word[:PREFIX_SIZE].ljust(PREFIX_SIZE, b" ") if len(word) < PREFIX_SIZE \
            else word[:PREFIX_SIZE]
        # last mark whose prefix sorts at or before the key (a short word's padding sorts low)
        ix = bisect.bisect_right([m[0] for m in self._marks], key) - 1
        start = self._marks[max(ix, 0)][1]
        for line in self._ix[start:].splitlines():
            yield line

    def lookup(self, word: str) -> dict[str, list[int]]:
        """Items whose indexed words start with ``word`` (case-insensitive): id → word numbers."""
        want = _bytes(word.translate(_ASCII_LOWER))
        found: dict[str, list[int]] = {}
        for line in self._lines_from(want):
            head, _, rest = line.partition(b" ")
            if head.startswith(want):
                for pair in rest.split():
                    item, _, n = pair.rpartition(b",")
                    found.setdefault(item.decode("utf-8", "surrogateescape"), []).append(int(n))
            elif head > want:
                break
        return found

    def search(self, query: str) -> list[str]:
        """Item ids matching every word of ``query`` (word prefixes, as trixSearch), sorted."""
        result: set[str] | None = None
        for _, word in index_words(query):
            ids = set(self.lookup(word))
            result = ids if result is None else result & ids
        return sorted(result or (), key=_bytes)
