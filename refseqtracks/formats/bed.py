"""BED (3 to 12 columns, plus extra "bedPlus" columns): reader, writer, and kent's genePredToBed.

Format facts (UCSC ``bed.as``): tab- or whitespace-separated, 0-based half-open coordinates.
Columns, in UCSC spelling (:data:`FIELDS`): ``chrom chromStart chromEnd name score strand
thickStart thickEnd itemRgb blockCount blockSizes chromStarts``.  ``blockSizes`` and
``chromStarts`` are comma lists (kent writes a trailing comma: ``10,20,``); ``chromStarts`` are
relative to ``chromStart``.  ``itemRgb`` is ``0`` or ``R,G,B``.  Python attributes of
:class:`BedRecord` are snake_case: ``chrom_start`` ↔ chromStart, ``thick_start`` ↔ thickStart,
``item_rgb`` ↔ itemRgb, ``block_sizes`` ↔ blockSizes, ``chrom_starts`` ↔ chromStarts.

The checks applied to each record are those of kent's BED loader used by ``bedToBigBed``:
numeric fields must be integers, ``chromStart <= chromEnd``, ``thickStart <= thickEnd``,
``blockCount`` must match both lists, blocks must have positive size, be ascending without
overlap, start at ``chromStart`` and end at ``chromEnd``.

kent ``genePredToBed`` (reproduced by :func:`to_bed12`): BED12 with chrom, txStart, txEnd,
name, score (0 unless given), strand, ``thickStart=cdsStart`` and ``thickEnd=cdsEnd`` unchanged
(non-coding transcripts keep whatever equal values the genePred has), itemRgb ``0``, blockCount,
blockSizes and chromStarts with trailing commas.  Only the first 10 genePred columns are read.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import IO, Iterable, Iterator, Union

from refseqtracks.errors import ParseError
from refseqtracks.formats.fields import parse_int, parse_int_list, parse_uint
from refseqtracks.fileio import Source, atomic_output, input_name, open_input, write_lines
from refseqtracks.formats.genepred import format_int_list, parse_genepred_line
from refseqtracks.model import Transcript

__all__ = [
    "FIELDS", "BedRecord", "parse_bed_line", "format_bed_line", "iter_bed", "read_bed",
    "write_bed", "write_bed_to", "to_bed12", "bed12_to_transcript", "genepred_row_to_bed12",
]

#: BED columns in UCSC spelling.
FIELDS = ("chrom", "chromStart", "chromEnd", "name", "score", "strand", "thickStart", "thickEnd",
          "itemRgb", "blockCount", "blockSizes", "chromStarts")


@dataclass(frozen=True, slots=True)
class BedRecord:
    """One BED line; fields beyond those present are ``None``; ``extra`` holds bedPlus columns."""

    chrom: str
    chrom_start: int
    chrom_end: int
    name: str | None = None
    score: int | None = None
    strand: str | None = None
    thick_start: int | None = None
    thick_end: int | None = None
    item_rgb: str | None = None
    block_count: int | None = None
    block_sizes: tuple[int, ...] | None = None
    chrom_starts: tuple[int, ...] | None = None
    extra: tuple[str, ...] = ()

    @property
    def field_count(self) -> int:
        """Number of standard BED columns present (3..12)."""
        vals = (self.name, self.score, self.strand, self.thick_start, self.thick_end,
                self.item_rgb, self.block_count, self.block_sizes, self.chrom_starts)
        n = 3
        for v in vals:
            if v is None:
                break
            n += 1
        return n


def _check_rgb(text: str, path, lineno) -> None:
    parts = text.split(",")
    if len(parts) == 1:
        parse_uint(parts[0], "itemRgb", path, lineno)
        return
    if len(parts) != 3 or not all(p.isdigit() and int(p) <= 255 for p in parts):
        raise ParseError(path, lineno, f"invalid itemRgb \"{text}\": expected R,G,B or a number")


def parse_bed_line(line: str, *, path: object = None, lineno: int | None = None,
                   bed_n: int | None = None, tab: bool = True,
                   allow_1bp_overlap: bool = False) -> BedRecord:
    """Parse and check one BED line.

    ``bed_n`` is the number of standard columns (3..12); columns after it go to ``extra``.
    ``None`` takes every column up to 12 as standard.  ``tab=False`` splits on any whitespace.
    ``allow_1bp_overlap`` lets a block overlap the previous one by one base (bedToBigBed
    ``-allow1bpOverlap``).
    """
    line = line.rstrip("\r\n")
    cols = line.split("\t") if tab else line.split()
    n = len(cols)
    if n < 3:
        raise ParseError(path, lineno, f"expected at least 3 BED columns, got {n}")
    if bed_n is None:
        bed_n = min(n, 12)
    if bed_n < 3 or bed_n > 12:
        raise ParseError(path, lineno, f"BED needs 3 to 12 standard columns, got {bed_n}")
    if n < bed_n:
        raise ParseError(path, lineno, f"expected at least {bed_n} BED columns, got {n}")
    start = parse_uint(cols[1], "chromStart", path, lineno)
    end = parse_uint(cols[2], "chromEnd", path, lineno)
    if start > end:
        raise ParseError(path, lineno, f"chromStart after chromEnd ({start} > {end})")
    vals: list = [None] * 9
    if bed_n > 3:
        vals[0] = cols[3]
    if bed_n > 4:
        vals[1] = parse_int(cols[4], "score", path, lineno)
    if bed_n > 5:
        strand = cols[5]
        if strand not in ("+", "-", "."):
            raise ParseError(path, lineno, f"invalid strand \"{strand}\": expected + - or .")
        vals[2] = strand
    if bed_n > 6:
        vals[3] = parse_uint(cols[6], "thickStart", path, lineno)
    if bed_n > 7:
        vals[4] = ts_end = parse_uint(cols[7], "thickEnd", path, lineno)
        if vals[3] > ts_end:
            raise ParseError(path, lineno, f"thickStart after thickEnd ({vals[3]} > {ts_end})")
    if bed_n > 8:
        _check_rgb(cols[8], path, lineno)
        vals[5] = cols[8]
    if bed_n in (10, 11):
        raise ParseError(path, lineno, f"BED with {bed_n} columns: blockCount, blockSizes and "
                         "chromStarts must come together")
    if bed_n == 12:
        count = parse_uint(cols[9], "blockCount", path, lineno)
        sizes = parse_int_list(cols[10], "blockSizes", path, lineno)
        starts = parse_int_list(cols[11], "chromStarts", path, lineno)
        if len(sizes) != count:
            raise ParseError(path, lineno, f"blockSizes has {len(sizes)} values, blockCount is {count}")
        if len(starts) != count:
            raise ParseError(path, lineno, f"chromStarts has {len(starts)} values, blockCount is {count}")
        _check_blocks(start, end, sizes, starts, path, lineno, 1 if allow_1bp_overlap else 0)
        vals[6], vals[7], vals[8] = count, sizes, starts
    return BedRecord(cols[0], start, end, *vals, extra=tuple(cols[bed_n:]))


def _check_blocks(start: int, end: int, sizes, starts, path, lineno, slack: int = 0) -> None:
    if not sizes:
        raise ParseError(path, lineno, "blockCount must be at least 1")
    prev_end = 0
    for i, (size, rel) in enumerate(zip(sizes, starts)):
        if size <= 0:
            raise ParseError(path, lineno, f"block {i} has size {size}: block ends before it starts")
        if rel < prev_end - slack:
            raise ParseError(path, lineno, "BED blocks must be in ascending order without overlap "
                             f"(block {i} starts at {rel}, previous block ends at {prev_end})")
        prev_end = rel + size
    if starts[0] != 0:
        raise ParseError(path, lineno, f"first block must start at chromStart (chromStarts[0] is {starts[0]})")
    if start + prev_end != end:
        raise ParseError(path, lineno, "BED blocks must span chromStart to chromEnd "
                         f"(chromStart + last block end = {start + prev_end}, chromEnd = {end})")


def format_bed_line(rec: BedRecord) -> str:
    """One BED line (with newline) holding the columns the record has."""
    parts = [rec.chrom, str(rec.chrom_start), str(rec.chrom_end)]
    n = rec.field_count
    if n > 3:
        parts.append(rec.name)
    if n > 4:
        parts.append(str(rec.score))
    if n > 5:
        parts.append(rec.strand)
    if n > 6:
        parts.append(str(rec.thick_start))
    if n > 7:
        parts.append(str(rec.thick_end))
    if n > 8:
        parts.append(rec.item_rgb)
    if n > 9:
        parts += [str(rec.block_count), format_int_list(rec.block_sizes),
                  format_int_list(rec.chrom_starts)]
    parts.extend(rec.extra)
    return "\t".join(parts) + "\n"


def iter_bed(src: Source, *, bed_n: int | None = None, tab: bool = True) -> Iterator[BedRecord]:
    """Lazily read BED records; blank, ``#``, ``track`` and ``browser`` lines are skipped."""
    name = input_name(src)
    f = open_input(src)
    try:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            yield parse_bed_line(line, path=name, lineno=lineno, bed_n=bed_n, tab=tab)
    finally:
        f.close()


def read_bed(src: Source, *, bed_n: int | None = None, tab: bool = True) -> list[BedRecord]:
    """Read a whole BED file."""
    return list(iter_bed(src, bed_n=bed_n, tab=tab))


def to_bed12(tx: Transcript, *, score: int = 0, fill_space: bool = False, chrom: str | None = None) -> str:
    """kent genePredToBed: the BED12 line (with newline) of one transcript (``chrom``: its
    sequence name when not ``tx.chrom``, a renamed record's)."""
    start = tx.tx_start
    name = tx.name.replace(" ", "_") if fill_space else tx.name
    starts = tx.exon_starts
    sizes = format_int_list(map(operator.sub, tx.exon_ends, starts))
    rel = format_int_list([s - start for s in starts])
    return (f"{tx.chrom if chrom is None else chrom}\t{start}\t{tx.tx_end}\t{name}\t{score}\t{tx.strand}\t{tx.cds_start}\t"
            f"{tx.cds_end}\t0\t{len(starts)}\t{sizes}\t{rel}\n")


def bed12_to_transcript(rec: BedRecord) -> Transcript:
    """A BED12 record back as a (10-column) Transcript: thick range = CDS, blocks = exons."""
    if rec.block_sizes is None:
        raise ValueError("bed12_to_transcript needs a BED12 record")
    starts = tuple(rec.chrom_start + r for r in rec.chrom_starts)
    ends = tuple(s + z for s, z in zip(starts, rec.block_sizes))
    return Transcript(rec.name, rec.chrom, rec.strand, rec.chrom_start, rec.chrom_end,
                      rec.thick_start, rec.thick_end, starts, ends)


def genepred_row_to_bed12(cols: list[str], *, path: object = None, lineno: int | None = None,
                          score: int = 0, fill_space: bool = False) -> str:
    """genePredToBed on already-split genePred columns (only the first 10 are used)."""
    if len(cols) < 10:
        raise ParseError(path, lineno, f"expected at least 10 genePred columns, got {len(cols)}")
    try:  # fast path; anything unusual goes through the full parser for its message
        start, end, cds_start, cds_end, count = (int(cols[3]), int(cols[4]), int(cols[5]),
                                                 int(cols[6]), int(cols[7]))
        starts = cols[8].split(",")
        ends = cols[9].split(",")
        if starts and starts[-1] == "":
            starts.pop()
        if ends and ends[-1] == "":
            ends.pop()
        if min(start, end, cds_start, cds_end, count) < 0 or len(starts) != count \
                or len(ends) != count:
            raise ValueError
        istarts = [int(x) for x in starts]
        sizes = "".join([f"{int(e) - s}," for s, e in zip(istarts, ends)])
    except ValueError:
        tx = parse_genepred_line("\t".join(cols[:10]), path=path, lineno=lineno)
        return to_bed12(tx, score=score, fill_space=fill_space)
    name = cols[0].replace(" ", "_") if fill_space else cols[0]
    rel = "".join([f"{s - start}," for s in istarts])
    return (f"{cols[1]}\t{start}\t{end}\t{name}\t{score}\t{cols[2]}\t{cds_start}\t{cds_end}\t0\t"
            f"{count}\t{sizes}\t{rel}\n")


BedLike = Union[BedRecord, Transcript]


def write_bed_to(records: Iterable[BedLike], out: IO[str], *, score: int = 0) -> int:
    """Write BED lines (Transcripts become BED12 via :func:`to_bed12`) to an open file."""
    return write_lines(out, (to_bed12(rec, score=score) if isinstance(rec, Transcript) else format_bed_line(rec)
                             for rec in records))


def write_bed(records: Iterable[BedLike], dest, *, score: int = 0) -> int:
    """Write BED lines atomically to ``dest``; returns the number written."""
    with atomic_output(dest) as out:
        return write_bed_to(records, out, score=score)
