"""GFF3 alignment features (``match``/``cDNA_match`` with ``Target``/``Gap``) to PSL (kent ``gff3ToPsl``).

kent's orientation is kept: the GFF3 ``seqid`` (column 1, the genome in NCBI's files) becomes
the PSL *query* and the ``Target`` sequence the PSL *target*, so ``querySizes`` are the
genome's sizes and ``targetSizes`` the RNA sizes; doNcbiRefSeq.pl swaps them afterwards with
``pslSwap``.  Every feature line becomes one PSL row (the lines of one alignment ID stay separate
rows; ``simpleChain`` joins them downstream).

Conversion of one line ``seqid .. start end . strand . Target=tid tstart tend [tstrand];Gap=...``
(1-based closed in GFF3, 0-based half-open here):

* strand = GFF3 strand + Target strand (``+`` when absent), e.g. ``-+``;
* ``qStart = start - 1``, ``qEnd = end``, ``tStart = tstart - 1``, ``tEnd = tend``;
* the ``Gap`` CIGAR (``M``/``I``/``D`` with lengths, space separated; one ``M`` over the whole
  range when absent) is walked in PSL block order, i.e. from the strand-specific start of both
  sequences: ``M`` makes a block, ``D`` skips query bases (a query insert), ``I`` skips target
  bases (a target insert);
* ``matches`` = aligned bases; mismatch, repeat and N counts are 0.

Errors (kent's words where known): a CIGAR whose query (``M``+``D``) or target (``M``+``I``)
length differs from the feature's ranges ("CIGAR query length does not match specified query
range seqid:start-end"); a query not in ``querySizes``; a target not in ``targetSizes`` unless
``-dropT`` (then the alignment is dropped).
"""
from __future__ import annotations

from typing import Iterator

from refseqtracks.errors import ParseError
from refseqtracks.fileio import Source, atomic_output, write_lines
from refseqtracks.formats.psl import Psl, format_psl_line
from refseqtracks.gff3 import _strtol
from refseqtracks.sizes import read_chrom_sizes

__all__ = ["USAGE", "feature_to_psl", "iter_gff3_psl", "gff3_to_psl"]

USAGE = """gff3ToPsl - convert a GFF3 CIGAR file to a PSL file
usage:
   gff3ToPsl [options] queryChromSizes targetChomSizes inGff3 out.psl
arguments:
   queryChromSizes file with query (main coordinates) chromosome sizes.
   targetChromSizes file with target (Target attribute) chromosome sizes.
   inGff3     GFF3 formatted file with Gap attribute in match records
   out.psl    PSL formatted output
options:
   -dropT     ignore target sequences that are not in targetChromSizes
"""


def _cigar(text: str, path: str, lineno: int) -> list[tuple[str, int]]:
    ops: list[tuple[str, int]] = []
    for word in text.split():
        op, num = word[:1], word[1:]
        if op not in ("M", "I", "D") or not num.isdigit():
            raise ParseError(path, lineno, f"invalid or unsupported Gap (CIGAR) operation \"{word}\"")
        ops.append((op, int(num)))
    return ops


def feature_to_psl(feat, q_sizes: dict[str, int], t_sizes: dict[str, int], *,
                   drop_t: bool = False) -> Psl | None:
    """One GFF3 alignment feature as a PSL row (None when ``drop_t`` drops it)."""
    path, lineno = feat.path, feat.lineno
    target = feat.attrs.get("Target")
    if not target:
        raise ParseError(path, lineno, f"{feat.type} feature has no Target attribute")
    words = target[0].split()
    t_name = words[0]
    # the reader has checked the numbers as kent does (C strtol, base 0: 0x10 and 010 too)
    t_start = _strtol(words[1]) if len(words) >= 3 else None
    t_end = _strtol(words[2]) if len(words) >= 3 else None
    if t_start is None or t_end is None:
        raise ParseError(path, lineno, f"invalid Target attribute \"{target[0]}\"")
    t_start -= 1
    t_strand = words[3] if len(words) > 3 else "+"
    if t_strand not in ("+", "-"):
        t_strand = "+"
    q_strand = feat.strand if feat.strand in ("+", "-") else "+"
    q_name = feat.seqid
    q_size = q_sizes.get(q_name)
    if q_size is None:
        raise ParseError(path, lineno, f"query sequence {q_name} not found in query sizes")
    t_size = t_sizes.get(t_name)
    if t_size is None:
        if drop_t:
            return None
        raise ParseError(path, lineno, f"target sequence {t_name} not found in target sizes")
    q_start, q_end = feat.start, feat.end
    gap = feat.attrs.get("Gap")
    ops = _cigar(gap[0], path, lineno) if gap else [("M", q_end - q_start)]
    q_len = sum(n for op, n in ops if op != "I")
    t_len = sum(n for op, n in ops if op != "D")
    if q_len != q_end - q_start:
        raise ParseError(path, lineno, "CIGAR query length does not match specified query range "
                         f"{q_name}:{q_start}-{q_end}")
    if t_len != t_end - t_start:
        raise ParseError(path, lineno, "CIGAR target length does not match specified target "
                         f"range {t_name}:{t_start}-{t_end}")
    q = q_size - q_end if q_strand == "-" else q_start
    t = t_size - t_end if t_strand == "-" else t_start
    sizes: list[int] = []
    qs: list[int] = []
    ts: list[int] = []
    for op, n in ops:
        if op == "M":
            if n == 0:
                continue
            if sizes and qs[-1] + sizes[-1] == q and ts[-1] + sizes[-1] == t:
                sizes[-1] += n
            else:
                sizes.append(n)
                qs.append(q)
                ts.append(t)
            q += n
            t += n
        elif op == "D":
            q += n
        else:
            t += n
    # inserts are the gaps between blocks; leading and trailing gaps only trim the ranges
    q_ins = q_ins_bases = t_ins = t_ins_bases = 0
    for i in range(1, len(sizes)):
        dq = qs[i] - (qs[i - 1] + sizes[i - 1])
        dt = ts[i] - (ts[i - 1] + sizes[i - 1])
        if dq:
            q_ins += 1
            q_ins_bases += dq
        if dt:
            t_ins += 1
            t_ins_bases += dt
    if sizes:
        q_lo, q_hi = qs[0], qs[-1] + sizes[-1]
        t_lo, t_hi = ts[0], ts[-1] + sizes[-1]
        if q_strand == "-":
            q_lo, q_hi = q_size - q_hi, q_size - q_lo
        if t_strand == "-":
            t_lo, t_hi = t_size - t_hi, t_size - t_lo
        q_start, q_end, t_start, t_end = q_lo, q_hi, t_lo, t_hi
    matches = sum(sizes)
    return Psl(matches, 0, 0, 0, q_ins, q_ins_bases, t_ins, t_ins_bases, q_strand + t_strand,
               q_name, q_size, q_start, q_end, t_name, t_size, t_start, t_end, len(sizes),
               tuple(sizes), tuple(qs), tuple(ts), lineno)


def iter_gff3_psl(src: Source, q_sizes: dict[str, int], t_sizes: dict[str, int], *,
                  drop_t: bool = False) -> Iterator[Psl]:
    """PSL rows for every alignment feature of a GFF3 file, in file order."""
    from refseqtracks.gff3 import iter_gff3_features

    for feat in iter_gff3_features(src):
        p = feature_to_psl(feat, q_sizes, t_sizes, drop_t=drop_t)
        if p is not None:
            yield p


def gff3_to_psl(src: Source, dest: Source, *, q_sizes: Source, t_sizes: Source,
                drop_t: bool = False) -> int:
    """kent ``gff3ToPsl``: convert ``src`` to PSL in ``dest``; returns the rows written."""
    qs = read_chrom_sizes(q_sizes)
    ts = read_chrom_sizes(t_sizes)
    with atomic_output(dest) as out:
        return write_lines(out, (format_psl_line(p) for p in iter_gff3_psl(src, qs, ts, drop_t=drop_t)))

