"""genePred and genePredExt: reader, writer and kent's ``genePredCheck`` rules.

Format facts (kent ``genePred.as`` / ``genePredExt.as``): tab-separated, 0-based half-open
coordinates; columns ``name chrom strand txStart txEnd cdsStart cdsEnd exonCount exonStarts
exonEnds`` then, optionally, ``score name2 cdsStartStat cdsEndStat exonFrames``.  Integer lists
are written with a trailing comma (``100,200,``); ``cdsStart == cdsEnd`` marks a non-coding
transcript; exonFrames are ``-1`` for exons without CDS.  A reader accepts 10 to 15 columns, as
``genePredExtLoad`` does, and remembers which optional columns were present so that the writer
puts back the same columns.  A leading ``bin`` column (table dumps) is recognised with
``bin=True`` or detected with ``bin=None``.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import le as _le, lt as _lt
from typing import IO, Iterable, Iterator

from refseqtracks.errors import ParseError
from refseqtracks.formats.fields import parse_int, parse_int_list, parse_uint
from refseqtracks.fileio import Source, atomic_output, input_name, open_input, write_lines
from refseqtracks.model import CDS_STATS, Transcript

__all__ = [
    "FIELDS", "EXT_FIELDS", "parse_genepred_line", "format_genepred_line", "read_genepred",
    "iter_genepred", "write_genepred", "check_transcript", "format_int_list",
]

#: genePred columns in UCSC spelling.
FIELDS = ("name", "chrom", "strand", "txStart", "txEnd", "cdsStart", "cdsEnd", "exonCount",
          "exonStarts", "exonEnds")
#: the genePredExt columns that follow FIELDS.
EXT_FIELDS = ("score", "name2", "cdsStartStat", "cdsEndStat", "exonFrames")


def format_int_list(values: Iterable[int]) -> str:
    """kent's comma list: every value followed by a comma."""
    values = tuple(values)
    return "%d," * len(values) % values  # (one format for the whole list: half the time of a join)


def _ints(text: str) -> tuple[int, ...]:
    text = text[:-1] if text.endswith(",") else text
    return tuple(map(int, text.split(","))) if text else ()


def parse_genepred_line(line: str, *, path: object = None, lineno: int | None = None,
                        bin: bool | None = False) -> Transcript:
    """Parse one genePred(Ext) line (without or with a leading ``bin`` column)."""
    cols = line.rstrip("\r\n").split("\t")
    if bin is None:
        bin = len(cols) >= 11 and cols[0].isdigit() and cols[3] in ("+", "-", "?", ".") \
            and cols[2] not in ("+", "-")
    if bin:
        cols = cols[1:]
    n = len(cols)
    if 10 <= n <= 15:
        # fast path for well-formed lines; anything odd is re-parsed below for a precise message
        try:
            tx_start, tx_end, cds_start, cds_end, count = (int(cols[3]), int(cols[4]), int(cols[5]),
                                                           int(cols[6]), int(cols[7]))
            starts, ends = _ints(cols[8]), _ints(cols[9])
            frames = _ints(cols[14]) if n > 14 else None
            ok = (len(starts) == count == len(ends) and min(tx_start, tx_end, cds_start, cds_end) >= 0
                  and (frames is None or len(frames) == count)
                  and (n <= 12 or cols[12] in CDS_STATS) and (n <= 13 or cols[13] in CDS_STATS))
            score = int(cols[10]) if n > 10 else None
        except ValueError:
            ok = False
        if ok:
            return Transcript(cols[0], cols[1], cols[2], tx_start, tx_end, cds_start, cds_end, starts,
                              ends, score, cols[11] if n > 11 else None, cols[12] if n > 12 else None,
                              cols[13] if n > 13 else None, frames)
    return _parse_checked(cols, path, lineno)


def _parse_checked(cols: list[str], path: object, lineno: int | None) -> Transcript:
    """The slow path: validates every column and raises a ParseError naming the first problem."""
    n = len(cols)
    if n < 10 or n > 15:
        raise ParseError(path, lineno, f"expected 10 to 15 genePred columns, got {n}")
    tx_start = parse_uint(cols[3], "txStart", path, lineno)
    tx_end = parse_uint(cols[4], "txEnd", path, lineno)
    cds_start = parse_uint(cols[5], "cdsStart", path, lineno)
    cds_end = parse_uint(cols[6], "cdsEnd", path, lineno)
    count = parse_uint(cols[7], "exonCount", path, lineno)
    starts = parse_int_list(cols[8], "exonStarts", path, lineno, count=count)
    ends = parse_int_list(cols[9], "exonEnds", path, lineno, count=count)
    score = name2 = ss = es = frames = None
    if n > 10:
        score = parse_int(cols[10], "score", path, lineno)
    if n > 11:
        name2 = cols[11]
    if n > 12:
        ss = cols[12]
        if ss not in CDS_STATS:
            raise ParseError(path, lineno, f"invalid cdsStartStat \"{ss}\"")
    if n > 13:
        es = cols[13]
        if es not in CDS_STATS:
            raise ParseError(path, lineno, f"invalid cdsEndStat \"{es}\"")
    if n > 14:
        frames = parse_int_list(cols[14], "exonFrames", path, lineno, count=count)
    return Transcript(cols[0], cols[1], cols[2], tx_start, tx_end, cds_start, cds_end, starts, ends,
                      score, name2, ss, es, frames)


def format_genepred_line(tx: Transcript, *, ext: bool | None = None) -> str:
    """One genePred line (with newline).

    ``ext=None`` writes exactly the optional columns the transcript has; ``True`` writes all 15
    (absent values as kent's defaults), ``False`` only the first 10.
    """
    parts = [tx.name, tx.chrom, tx.strand, str(tx.tx_start), str(tx.tx_end), str(tx.cds_start),
             str(tx.cds_end), str(len(tx.exon_starts)), format_int_list(tx.exon_starts),
             format_int_list(tx.exon_ends)]
    if ext is None:
        opt = [tx.score, tx.name2, tx.cds_start_stat, tx.cds_end_stat, tx.exon_frames]
        last = max((i for i, v in enumerate(opt) if v is not None), default=-1)
        if last >= 0:
            parts += _ext_cols(tx)[: last + 1]
    elif ext:
        parts += _ext_cols(tx)
    return "\t".join(parts) + "\n"


def _ext_cols(tx: Transcript) -> list[str]:
    frames = tx.exon_frames if tx.exon_frames is not None else (-1,) * len(tx.exon_starts)
    return [str(tx.score or 0), tx.name2 or "", tx.cds_start_stat or "none", tx.cds_end_stat or "none",
            format_int_list(frames)]


def iter_genepred(src: Source, *, bin: bool | None = None) -> Iterator[Transcript]:
    """Lazily read genePred(Ext) records; blank and ``#`` lines are skipped."""
    name = input_name(src)
    f = open_input(src)
    try:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            yield parse_genepred_line(line, path=name, lineno=lineno, bin=bin)
    finally:
        f.close()


def read_genepred(src: Source, *, bin: bool | None = None) -> list[Transcript]:
    """Read a whole genePred(Ext) file."""
    return list(iter_genepred(src, bin=bin))


def write_genepred(transcripts: Iterable[Transcript], dest, *, ext: bool | None = None,
                   bin: bool = False) -> int:
    """Write genePred lines atomically to ``dest``; returns the number written."""
    n = 0
    with atomic_output(dest) as out:
        n = write_genepred_to(transcripts, out, ext=ext, bin=bin)
    return n


def write_genepred_to(transcripts: Iterable[Transcript], out: IO[str], *, ext: bool | None = None,
                      bin: bool = False) -> int:
    """Write genePred lines to an open text file."""
    if not bin:
        return write_lines(out, (format_genepred_line(tx, ext=ext) for tx in transcripts))
    from refseqtracks.bins import bin_from_range
    return write_lines(out, (f"{bin_from_range(tx.tx_start, tx.tx_end)}\t{format_genepred_line(tx, ext=ext)}"
                             for tx in transcripts))


def check_transcript(tx: Transcript, *, chrom_size: int | None = None) -> list[str]:
    """kent's genePredCheck: the list of problems (empty when the transcript is valid).

    Exon indexes in the messages are 0-based, as kent prints them.
    """
    if _valid(tx, chrom_size):
        return []
    return _problems(tx, chrom_size)


def _valid(tx: Transcript, chrom_size: int | None) -> bool:
    """True when :func:`_problems` finds nothing, tested on whole lists at once (False: maybe
    something, for :func:`_problems` to say)."""
    start, end, cds_start, cds_end = tx.tx_start, tx.tx_end, tx.cds_start, tx.cds_end
    starts, ends, frames = tx.exon_starts, tx.exon_ends, tx.exon_frames
    n = len(starts)
    if (tx.strand not in ("+", "-") or not start < end or (chrom_size is not None and end > chrom_size)
            or n == 0 or len(ends) != n or starts[0] != start or ends[-1] != end
            or not all(map(_lt, starts, ends)) or not all(map(_le, ends, starts[1:]))):
        return False
    # (the exons are in order, apart, inside the transcript)
    if cds_start == cds_end:
        return frames is None or (len(frames) == n and frames.count(-1) == n)
    if not start <= cds_start < cds_end <= end:
        return False
    first = bisect_right(ends, cds_start)  # the exon holding cdsStart, and the one holding cdsEnd
    last = bisect_left(ends, cds_end)
    if first == n or starts[first] > cds_start or last == n or starts[last] >= cds_end:
        return False
    if frames is None:
        return True
    # the CDS exons (first..last) have a frame 0-2, the others -1
    return (len(frames) == n and min(frames) >= -1 and max(frames) <= 2
            and frames.count(-1) == n - (last - first + 1) and -1 not in frames[first:last + 1])


def _problems(tx: Transcript, chrom_size: int | None) -> list[str]:
    """:func:`check_transcript`, exon by exon."""
    errs: list[str] = []
    name, chrom = tx.name, tx.chrom
    if tx.strand not in ("+", "-"):
        errs.append(f"{name} has invalid strand: \"{tx.strand}\"")
    if tx.tx_start >= tx.tx_end:
        errs.append(f"{name} txStart {tx.tx_start} >= txEnd {tx.tx_end}")
    if chrom_size is not None and tx.tx_end > chrom_size:
        errs.append(f"{name} txEnd {tx.tx_end} > chromSize {chrom_size}")
    coding = tx.cds_start != tx.cds_end
    if coding:
        if tx.cds_start > tx.cds_end:
            errs.append(f"{name} cdsStart {tx.cds_start} > cdsEnd {tx.cds_end}")
        if tx.cds_start < tx.tx_start or tx.cds_start > tx.tx_end:
            errs.append(f"{name} cdsStart {tx.cds_start} not in tx {tx.tx_start}-{tx.tx_end}")
        if tx.cds_end < tx.tx_start or tx.cds_end > tx.tx_end:
            errs.append(f"{name} cdsEnd {tx.cds_end} not in tx {tx.tx_start}-{tx.tx_end}")
    n = len(tx.exon_starts)
    if n == 0:
        errs.append(f"{name} has no exons")
    if len(tx.exon_ends) != n:
        errs.append(f"{name} exonStarts and exonEnds differ in length")
        return errs
    frames = tx.exon_frames
    if frames is not None and len(frames) != n:
        errs.append(f"{name} exonFrames has {len(frames)} values, exonCount is {n}")
        frames = None
    cds_start_in = cds_end_in = False
    prev_end = None
    prev = None
    for i, (s, e) in enumerate(zip(tx.exon_starts, tx.exon_ends)):
        if s >= e:
            errs.append(f"{name} exon {i} start {s} >= end {e}")
        if s < tx.tx_start:
            errs.append(f"{name} exon {i} start {s} < txStart {tx.tx_start}")
        if e > tx.tx_end:
            errs.append(f"{name} exon {i} end {e} > txEnd {tx.tx_end}")
        if prev_end is not None and s < prev_end:
            errs.append(f"{name} exon {i} ({chrom}:{s}-{e}) overlaps previous exon "
                        f"({chrom}:{prev[0]}-{prev[1]})")
        if coding:
            if s <= tx.cds_start < e:
                cds_start_in = True
            if s < tx.cds_end <= e:
                cds_end_in = True
        if frames is not None:
            f = frames[i]
            if f < -1 or f > 2:
                errs.append(f"{name} exon {i} frame {f} invalid")
            elif coding and s < tx.cds_end and e > tx.cds_start:
                if f == -1:
                    errs.append(f"{name} no exonFrame on CDS exon {i}")
            elif f != -1:
                errs.append(f"{name} exonFrame on non-CDS exon {i}")
        prev_end = e
        prev = (s, e)
    if n:
        if tx.exon_starts[0] != tx.tx_start:
            errs.append(f"{name} first exon start {tx.exon_starts[0]} != txStart {tx.tx_start}")
        if tx.exon_ends[-1] != tx.tx_end:
            errs.append(f"{name} last exon end {tx.exon_ends[-1]} != txEnd {tx.tx_end}")
    if coding and tx.cds_start <= tx.cds_end:
        if not cds_start_in:
            errs.append(f"{name} cdsStart {tx.cds_start} not in an exon")
        if not cds_end_in:
            errs.append(f"{name} cdsEnd {tx.cds_end} not in an exon")
    return errs
