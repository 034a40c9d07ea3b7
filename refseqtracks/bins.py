"""The UCSC bin scheme (kent ``binRange.c``, ``hdb.c``) and region queries.

Coordinates are 0-based half-open everywhere in this module.

The bin scheme (kent ``binRange.c``): a feature ``[start, end)`` is put in the smallest bin that
contains it.  The standard scheme has five levels of bins of 128 kb, 1 Mb, 8 Mb, 64 Mb and
512 Mb (``_binFirstShift`` 17, ``_binNextShift`` 3), numbered from the offsets
``585, 73, 9, 1, 0``: finest bins first, so ``(0, 1)`` is bin 585 and a feature that crosses a
64 Mb boundary lands in bin 0.  It covers ends up to 512 Mb (``BINRANGE_MAXEND_512M``).  A
feature that ends beyond 512 Mb uses the extended scheme: six levels (the five above plus 4 Gb)
with offsets ``4681, 585, 73, 9, 1, 0``, each shifted up by ``_binOffsetOldToExtended`` = 4681.
``binFromRange`` picks the standard scheme when ``end <= 512M`` and the extended one otherwise.
C's arithmetic right shift is Python's, so even the degenerate empty range at 0 behaves as
kent's (it fits no bin; kent aborts, we raise).

The query side (kent ``hdb.c`` ``hAddBinToQuery``): a region query visits, at each level, the
range of bins its start and end fall in; with ``end <= 512M`` that is the five standard levels
plus the single extended bin 4681 (where every feature spanning the 512 Mb boundary lives);
with ``end > 512M`` it is the standard levels over ``[start, 512M)`` (when ``start < 512M``)
plus all six extended levels over ``[start, end)``.  Rows are then kept when they truly
overlap: ``start < queryEnd and end > queryStart`` (kent's ``hRangeQuery``).

Which columns are binned: genePred ``(txStart, txEnd)``, BED ``(chromStart, chromEnd)``, PSL
``(tStart, tEnd)``.  :func:`iter_region` reads any of the three, with or without the leading
``bin`` column of a table dump, and yields the lines that overlap a region unchanged.

:class:`TranscriptIndex` is the in-memory counterpart: an interval tree per chromosome
(``intervaltree``) that returns the :class:`~refseqtracks.model.Transcript` objects overlapping
a region, in input order.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Literal, NamedTuple

from refseqtracks.errors import ParseError, RefseqtracksError, UsageError
from refseqtracks.fileio import Source, input_name, open_input
from refseqtracks.model import Transcript

__all__ = [
    "BINRANGE_MAXEND_512M", "BIN_OFFSET_OLD_TO_EXTENDED", "BIN_FIRST_SHIFT", "BIN_NEXT_SHIFT",
    "BIN_OFFSETS", "BIN_OFFSETS_EXTENDED", "BINRANGE_MAXEND_EXTENDED",
    "bin_from_range", "bin_from_range_standard", "bin_from_range_extended",
    "bin_ranges_for_query", "bins_for_range", "overlaps", "TranscriptIndex",
    "Region", "parse_region", "detect_layout", "Layout", "iter_region",
]

BINRANGE_MAXEND_512M = 512 * 1024 * 1024
#: coordinates of the extended scheme are C ints: up to 2 Gb - 1.
BINRANGE_MAXEND_EXTENDED = (1 << 31) - 1
BIN_OFFSET_OLD_TO_EXTENDED = 4681
BIN_FIRST_SHIFT = 17
BIN_NEXT_SHIFT = 3
BIN_OFFSETS = (512 + 64 + 8 + 1, 64 + 8 + 1, 8 + 1, 1, 0)
BIN_OFFSETS_EXTENDED = (4096 + 512 + 64 + 8 + 1, 512 + 64 + 8 + 1, 64 + 8 + 1, 8 + 1, 1, 0)


def _check(start: int, end: int, maxend: int) -> None:
    if start < 0 or end < start or end > maxend:
        raise RefseqtracksError(f"start {start}, end {end} out of range in findBin (max is "
                                f"{'512M' if maxend == BINRANGE_MAXEND_512M else '2Gb'})")


def bin_from_range_standard(start: int, end: int) -> int:
    """The standard-scheme bin of ``[start, end)`` (``end <= 512M``)."""
    _check(start, end, BINRANGE_MAXEND_512M)
    sb = start >> BIN_FIRST_SHIFT
    eb = (end - 1) >> BIN_FIRST_SHIFT
    for off in BIN_OFFSETS:
        if sb == eb:
            return off + sb
        sb >>= BIN_NEXT_SHIFT
        eb >>= BIN_NEXT_SHIFT
    raise RefseqtracksError(f"start {start}, end {end} out of range in findBin (max is 512M)")


def bin_from_range_extended(start: int, end: int) -> int:
    """The extended-scheme bin of ``[start, end)`` (includes the 4681 offset)."""
    _check(start, end, BINRANGE_MAXEND_EXTENDED)
    sb = start >> BIN_FIRST_SHIFT
    eb = (end - 1) >> BIN_FIRST_SHIFT
    for off in BIN_OFFSETS_EXTENDED:
        if sb == eb:
            return BIN_OFFSET_OLD_TO_EXTENDED + off + sb
        sb >>= BIN_NEXT_SHIFT
        eb >>= BIN_NEXT_SHIFT
    raise RefseqtracksError(f"start {start}, end {end} out of range in findBin (max is 2Gb)")


def bin_from_range(start: int, end: int) -> int:
    """kent ``binFromRange``: the bin of the 0-based half-open range ``[start, end)``."""
    if end <= BINRANGE_MAXEND_512M:
        return bin_from_range_standard(start, end)
    return bin_from_range_extended(start, end)


def _level_ranges(start: int, end: int, offsets: tuple[int, ...], base: int) -> list[tuple[int, int]]:
    sb = start >> BIN_FIRST_SHIFT
    eb = (end - 1) >> BIN_FIRST_SHIFT
    out = []
    for off in offsets:
        out.append((base + off + sb, base + off + eb))
        sb >>= BIN_NEXT_SHIFT
        eb >>= BIN_NEXT_SHIFT
    return out


def bin_ranges_for_query(start: int, end: int) -> list[tuple[int, int]]:
    """The inclusive bin ranges a region query visits, in ``hAddBinToQuery`` order.

    A range with ``lo == hi`` is hdb's ``bin=X`` term, the others ``bin>=lo and bin<=hi``.
    """
    if start < 0 or end < start or end > BINRANGE_MAXEND_EXTENDED:
        raise RefseqtracksError(f"query range {start}-{end} is out of range")
    if end <= BINRANGE_MAXEND_512M:
        ranges = _level_ranges(start, end, BIN_OFFSETS, 0)
        ranges.append((BIN_OFFSET_OLD_TO_EXTENDED, BIN_OFFSET_OLD_TO_EXTENDED))
        return ranges
    ranges = []
    if start < BINRANGE_MAXEND_512M:
        ranges += _level_ranges(start, BINRANGE_MAXEND_512M, BIN_OFFSETS, 0)
    ranges += _level_ranges(start, end, BIN_OFFSETS_EXTENDED, BIN_OFFSET_OLD_TO_EXTENDED)
    return ranges


def bins_for_range(start: int, end: int) -> frozenset[int]:
    """Every bin a query of ``[start, end)`` visits (the set form of :func:`bin_ranges_for_query`)."""
    out: set[int] = set()
    for lo, hi in bin_ranges_for_query(start, end):
        out.update(range(lo, hi + 1))
    return frozenset(out)


def overlaps(start: int, end: int, q_start: int, q_end: int) -> bool:
    """kent's range-query test: ``start < qEnd and end > qStart``."""
    return start < q_end and end > q_start


class TranscriptIndex:
    """Transcripts indexed by chromosome for overlap queries (interval trees).

    ``index.overlapping(chrom, start, end)`` returns the transcripts whose ``[txStart, txEnd)``
    overlaps ``[start, end)`` (``txStart < end and txEnd > start``), in the order they were added.
    """

    def __init__(self, transcripts: Iterable[Transcript] = ()):
        self._trees: dict[str, object] = {}
        self._empty: dict[str, list[tuple[int, Transcript]]] = {}
        self._n = 0
        for tx in transcripts:
            self.add(tx)

    def add(self, tx: Transcript) -> None:
        """Add one transcript."""
        from intervaltree import IntervalTree

        if tx.tx_end > tx.tx_start:
            tree = self._trees.get(tx.chrom)
            if tree is None:
                tree = self._trees[tx.chrom] = IntervalTree()
            tree.addi(tx.tx_start, tx.tx_end, (self._n, tx))
        else:  # interval trees refuse empty intervals; kent's test still applies to them
            self._empty.setdefault(tx.chrom, []).append((self._n, tx))
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def chroms(self) -> list[str]:
        """Chromosomes that have at least one transcript."""
        return sorted(set(self._trees) | set(self._empty))

    def overlapping(self, chrom: str, start: int, end: int) -> list[Transcript]:
        """Transcripts on ``chrom`` overlapping ``[start, end)``, in insertion order."""
        hits: list[tuple[int, Transcript]] = []
        tree = self._trees.get(chrom)
        if tree is not None and end > start:
            hits = [iv.data for iv in tree.overlap(start, end)]
        elif tree is not None:  # an empty query interval: kent's test, done by hand
            hits = [iv.data for iv in tree.at(start) if overlaps(iv.begin, iv.end, start, end)]
        for item in self._empty.get(chrom, ()):
            if overlaps(item[1].tx_start, item[1].tx_end, start, end):
                hits.append(item)
        hits.sort(key=lambda h: h[0])
        return [tx for _, tx in hits]


# --- region queries over files -----------------------------------------------------------------

class Region(NamedTuple):
    """A query region: 0-based half-open; ``end`` None means to the end of the chromosome."""

    chrom: str
    start: int
    end: int | None


def parse_region(text: str, *, zero_based: bool = False) -> Region:
    """Parse ``chrom``, ``chrom:start-end`` or ``chrom:pos``.

    By default positions are the genome browser's: 1-based, both ends included, commas allowed
    (``chr1:1,001-2,000`` is ``[1000, 2000)``).  With ``zero_based`` they are taken as 0-based
    half-open (``chr1:1000-2000``).
    """
    chrom, colon, span = text.rpartition(":")
    if not colon:
        if not text:
            raise UsageError("empty region")
        return Region(text, 0, None)
    if not chrom:
        raise UsageError(f"invalid region \"{text}\": no chromosome")
    span = span.replace(",", "")
    a, dash, b = span.partition("-")
    try:
        s = int(a)
        e = int(b) if dash else s
    except ValueError:
        raise UsageError(f"invalid region \"{text}\": expected chrom:start-end") from None
    if not zero_based:
        s -= 1
    if s < 0 or e < s:
        raise UsageError(f"invalid region \"{text}\": start must be >= {0 if zero_based else 1} "
                         "and not after end")
    return Region(chrom, s, e)


class Layout(NamedTuple):
    """Where the chromosome, start and end columns of a file are, after the optional bin."""

    kind: Literal["genePred", "bed", "psl"]
    bin: bool
    chrom_col: int
    start_col: int
    end_col: int
    min_cols: int


_STRANDS = ("+", "-", ".", "?")
_PSL_STRANDS = ("+", "-", "++", "+-", "-+", "--")


def _looks_genepred(cols: list[str]) -> bool:
    return (10 <= len(cols) <= 15 and cols[2] in _STRANDS and cols[3].isdigit()
            and cols[4].isdigit() and cols[7].isdigit())


def _looks_psl(cols: list[str]) -> bool:
    # 21 columns, or 23 for pslx (query and target sequences added)
    return (len(cols) in (21, 23) and cols[8] in _PSL_STRANDS and cols[15].isdigit()
            and cols[16].isdigit())


def _looks_bed(cols: list[str]) -> bool:
    return len(cols) >= 3 and cols[1].isdigit() and cols[2].isdigit()


def detect_layout(cols: list[str], *, kind: str | None = None, bin: bool | None = None) -> Layout | None:
    """Guess the layout from one data row (or check the forced ``kind``/``bin``)."""
    candidates = []
    for has_bin in ((False, True) if bin is None else (bin,)):
        body = cols[1:] if has_bin else cols
        if has_bin and not (cols and cols[0].isdigit()):
            continue
        b = int(has_bin)
        if kind in (None, "psl") and _looks_psl(body):
            candidates.append(Layout("psl", has_bin, 13 + b, 15 + b, 16 + b, 21 + b))
        if kind in (None, "genePred") and _looks_genepred(body):
            candidates.append(Layout("genePred", has_bin, 1 + b, 3 + b, 4 + b, 10 + b))
        if kind in (None, "bed") and _looks_bed(body):
            candidates.append(Layout("bed", has_bin, 0 + b, 1 + b, 2 + b, 3 + b))
    if not candidates:
        return None
    if bin is None:
        # a bin column is only believed when its value is the bin of the row's own range
        for lay in candidates:
            if lay.bin and _bin_matches(cols, lay):
                return lay
        plain = [c for c in candidates if not c.bin]
        if plain:
            return plain[0]
    return candidates[0]


def _bin_matches(cols: list[str], lay: Layout) -> bool:
    try:
        return int(cols[0]) == bin_from_range(int(cols[lay.start_col]), int(cols[lay.end_col]))
    except (ValueError, RefseqtracksError):
        return False


def _skip_line(line: str) -> bool:
    return (not line.strip() or line[0] == "#" or line.startswith(("track", "browser", "psLayout",
                                                                   "match\t", "   ", "-----")))


def iter_region(src: Source, region: Region, *, kind: str | None = None,
                bin: bool | None = None) -> Iterator[str]:
    """Yield the lines of a genePred/BED/PSL file that overlap ``region``, unchanged.

    ``kind`` (``genePred``, ``bed``, ``psl``) and ``bin`` (leading bin column or not) are
    detected from the first data row unless given.  Rows with a bin column are pre-selected by
    the bins the query visits, as a database does, then tested for overlap.
    """
    name = input_name(src)
    f = open_input(src)
    lay: Layout | None = None
    wanted: frozenset[int] | None = None
    chrom, q_start = region.chrom, region.start
    q_end = region.end
    try:
        for lineno, line in enumerate(f, 1):
            if _skip_line(line):
                continue
            cols = line.rstrip("\r\n").split("\t")
            if lay is None:
                lay = detect_layout(cols, kind=kind, bin=bin)
                if lay is None:
                    what = kind or "genePred, BED or PSL"
                    raise ParseError(name, lineno, f"not a {what} row{' with a bin column' if bin else ''}")
                if lay.bin and q_end is not None:
                    wanted = bins_for_range(q_start, q_end)
            if len(cols) < lay.min_cols:
                raise ParseError(name, lineno, f"expected at least {lay.min_cols} {lay.kind} columns, "
                                               f"got {len(cols)}")
            if cols[lay.chrom_col] != chrom:
                continue
            try:
                s = int(cols[lay.start_col])
                e = int(cols[lay.end_col])
            except ValueError:
                raise ParseError(name, lineno, f"invalid {lay.kind} start/end "
                                               f"\"{cols[lay.start_col]}\"/\"{cols[lay.end_col]}\"") from None
            if wanted is not None:
                try:
                    if int(cols[0]) not in wanted:
                        continue
                except ValueError:
                    raise ParseError(name, lineno, f"invalid bin \"{cols[0]}\"") from None
            if q_end is None or overlaps(s, e, q_start, q_end):
                yield line if line.endswith("\n") else line + "\n"
    finally:
        f.close()
