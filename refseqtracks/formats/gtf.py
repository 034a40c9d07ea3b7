"""GTF: reader and writer (kent ``genePredToGtf`` output, ``gffRead`` input conventions).

The line reader lives in :mod:`.gtf_read` and the gtfToGenePred grouping in
:mod:`.gtf_assemble`; both are re-exported here where they are public.

Format facts: nine tab-separated columns, ``seqname source feature start end score strand frame
attributes`` (UCSC spelling in :data:`FIELDS`); ``start``/``end`` are 1-based and closed, so
this module is where GTF's coordinates become 0-based half-open (``start - 1``, ``end``) and
back.  The *frame* column holds what GFF3 calls the phase (``0``, ``1``, ``2`` or ``.``).
Attributes are ``name "value";`` pairs separated by ``;`` (kent also accepts unquoted values).
Lines starting with ``#`` are comments.

Writer (kent ``genePredToGtf`` v492), per genePred in input order:

* the transcript name is made unique: the 2nd, 3rd ... record with a name already seen is
  called ``NAME_2``, ``NAME_3`` ... (:class:`GtfWriter` keeps that state);
* attributes ``gene_id "<name2, or name if name2 is empty>"; transcript_id "<name>";
  exon_number "<n>"; exon_id "<name>.<n>";`` and `` gene_name "<name2>";`` when name2 is not
  empty; the ``transcript`` row has no exon attributes (hence the double space before
  ``gene_name``); ``exon_number`` counts exons 5'→3' (``exonCount - i`` on ``-``);
* rows: ``transcript``, then per exon in genomic order ``exon``, and when the transcript is
  coding, ``5UTR``/``3UTR`` (``-utr``) and ``CDS`` (frame → phase: 0→0, 1→2, 2→1); then
  ``start_codon`` and ``stop_codon`` (split codons give two rows, the second with the phase of
  the bases in the first piece); score ``.``;
* the stop codon is excluded from the CDS (moved back over introns) when it is complete; the UTR
  rows keep the original cdsStart/cdsEnd, so the stop codon lies in no CDS or UTR row; when the
  CDS then becomes empty no CDS or UTR rows are written at all;
* codons are found by :func:`refseqtracks.frames.find_first_codon` /
  :func:`~refseqtracks.frames.find_last_codon` from the exonFrames (or computed frames), and
  ``-honorCdsStat`` drops a codon whose side is not ``cmpl`` (genePredExt input only);
* when the genomically first codon is split over two exons, kent labels its two rows with each
  other's exon numbers; this is reproduced.
"""
from __future__ import annotations

from typing import IO, Iterable, Iterator

from refseqtracks.errors import ConversionError
from refseqtracks.fileio import Source, atomic_output
from refseqtracks.formats.gtf_assemble import read_gtf_transcripts
from refseqtracks.formats.gtf_read import (GtfRecord, format_gtf_line, iter_gtf,
                                           parse_gtf_attributes, parse_gtf_line, read_gtf)
from refseqtracks.frames import (CodonLoc, calc_exon_frames, find_first_codon, find_last_codon,
                                 move_pos)
from refseqtracks.model import Transcript

__all__ = [
    "FIELDS", "GtfRecord", "parse_gtf_line", "format_gtf_line", "parse_gtf_attributes",
    "iter_gtf", "read_gtf", "GtfWriter", "to_gtf_lines", "write_gtf", "write_gtf_to",
    "iter_gtf_lines", "read_gtf_transcripts",
]

#: GTF columns in UCSC spelling.
FIELDS = ("seqname", "source", "feature", "start", "end", "score", "strand", "frame", "attributes")

_PHASE = {-1: ".", 0: "0", 1: "2", 2: "1"}


def _phase(frame: int) -> str:
    """kent's frame → phase character (negative: ``.``; any frame > 2 prints like 2)."""
    return "." if frame < 0 else "0" if frame == 0 else "2" if frame == 1 else "1"


class GtfWriter:
    """Turns transcripts into GTF lines, keeping genePredToGtf's name-uniqueness state."""

    __slots__ = ("source", "utr", "honor_cds_stat", "add_comments", "_seen")

    def __init__(self, *, source: str, utr: bool = False, honor_cds_stat: bool = False,
                 add_comments: bool = False):
        self.source = source
        self.utr = utr
        self.honor_cds_stat = honor_cds_stat
        self.add_comments = add_comments
        self._seen: dict[str, int] = {}

    def unique_name(self, name: str) -> str:
        """``name`` the first time, then ``name_2``, ``name_3`` ... (kent findUniqueName)."""
        n = self._seen.get(name)
        if n is None:
            self._seen[name] = 1
            return name
        n += 1
        self._seen[name] = n
        return f"{name}_{n}"

    def lines(self, tx: Transcript) -> list[str]:
        """The GTF lines (with newlines) for one transcript."""
        return to_gtf_lines(tx, source=self.source, utr=self.utr,
                            honor_cds_stat=self.honor_cds_stat, add_comments=self.add_comments,
                            name=self.unique_name(tx.name))


def to_gtf_lines(tx: Transcript, *, source: str, utr: bool = False, honor_cds_stat: bool = False,
                 add_comments: bool = False, name: str | None = None, chrom: str | None = None) -> list[str]:
    """GTF lines for one transcript, exactly as genePredToGtf writes them.

    ``name`` overrides the transcript_id (a :class:`GtfWriter` passes the uniquified name);
    ``chrom`` the sequence name (a renamed record's).
    """
    if chrom is None:
        chrom = tx.chrom
    if name is None:
        name = tx.name
    name2 = tx.name2
    strand = tx.strand[:1]
    starts, ends = tx.exon_starts, tx.exon_ends
    n = len(starts)
    frames = tx.exon_frames if tx.exon_frames is not None else calc_exon_frames(tx)
    cds_start0, cds_end0 = tx.cds_start, tx.cds_end
    first = last = None
    if cds_start0 < cds_end0:
        has_stat = tx.cds_start_stat is not None
        if not (honor_cds_stat and has_stat and tx.cds_start_stat != "cmpl"):
            first = find_first_codon(tx, frames)
        if not (honor_cds_stat and has_stat and tx.cds_end_stat != "cmpl"):
            last = find_last_codon(tx, frames)
    cds_start, cds_end = cds_start0, cds_end0
    try:
        if strand == "+" and last is not None:
            cds_end = move_pos(tx, cds_end0, -3)
        if strand == "-" and first is not None:
            cds_start = move_pos(tx, cds_start0, 3)
    except ValueError as ex:
        raise ConversionError(str(ex)) from None

    head = f"{chrom}\t{source}\t"
    gene_id = name2 if name2 else name
    tail_gn = f' gene_name "{name2}";\n' if name2 else "\n"
    ids = f'\t{strand}\t'
    attr0 = f'gene_id "{gene_id}"; transcript_id "{name}"; '
    minus = strand == "-"
    # per-exon attribute strings, built once
    exon_attrs = [f'{attr0}exon_number "{k}"; exon_id "{name}.{k}";{tail_gn}'
                  for k in ((n - i for i in range(n)) if minus else range(1, n + 1))]

    out: list[str] = []
    if add_comments:
        out.append(f"###\n# {tx.name} {chrom}:{tx.tx_start}-{tx.tx_end} ({tx.strand}) "
                   f"CDS: {cds_start0}-{cds_end0}\n#\n")
    out.append(f"{head}transcript\t{tx.tx_start + 1}\t{tx.tx_end}\t.{ids}.\t{attr0}{tail_gn}")
    coding = cds_start < cds_end
    utr5, utr3 = ("5UTR", "3UTR") if strand == "+" else ("3UTR", "5UTR")
    append = out.append
    exon_pre = f"{head}exon\t"
    cds_pre = f"{head}CDS\t"
    utr5_pre = f"{head}{utr5}\t"
    utr3_pre = f"{head}{utr3}\t"
    dot_ids = f".{ids}"
    row_mid = f"{dot_ids}.\t"
    phases = _PHASE
    for i in range(n):
        s = starts[i]
        e = ends[i]
        a = exon_attrs[i]
        append(f"{exon_pre}{s + 1}\t{e}\t{row_mid}{a}")
        if not coding:
            continue
        if utr and s < cds_start0:
            append(f"{utr5_pre}{s + 1}\t{e if e < cds_start0 else cds_start0}\t{row_mid}{a}")
        if cds_start < e and cds_end > s:
            f = frames[i]
            append(f"{cds_pre}{(s if s > cds_start else cds_start) + 1}\t"
                   f"{e if e < cds_end else cds_end}\t{dot_ids}"
                   f"{phases[f] if -1 <= f <= 2 else _phase(f)}\t{a}")
        if utr and e > cds_end0:
            append(f"{utr3_pre}{(s if s > cds_end0 else cds_end0) + 1}\t{e}\t{row_mid}{a}")
    # (kind, codon, is the genomically first codon)
    codons = ((("start_codon", first, True), ("stop_codon", last, False)) if strand == "+"
              else (("start_codon", last, False), ("stop_codon", first, True)))
    for kind, codon, is_first in codons:
        if codon is not None:
            _codon_rows(out, head, ids, kind, codon, exon_attrs, swap=is_first)
    return out


def _codon_rows(out: list[str], head: str, ids: str, kind: str, codon: CodonLoc,
                exon_attrs: list[str], *, swap: bool) -> None:
    """One row per codon piece; ``swap``: label the pieces with each other's exon (kent does
    this for the genomically first codon)."""
    ex1, ex2 = codon.exon1, codon.exon2
    if swap and codon.is_split:
        ex1, ex2 = ex2, ex1
    out.append(f"{head}{kind}\t{codon.start1 + 1}\t{codon.end1}\t.{ids}0\t{exon_attrs[ex1]}")
    if codon.is_split:
        phase = _PHASE[(codon.end1 - codon.start1) % 3]
        out.append(f"{head}{kind}\t{codon.start2 + 1}\t{codon.end2}\t.{ids}{phase}\t"
                   f"{exon_attrs[ex2]}")


def write_gtf_to(transcripts: Iterable[Transcript], out: IO[str], *, source: str,
                 utr: bool = False, honor_cds_stat: bool = False,
                 add_comments: bool = False) -> int:
    """Write genePredToGtf lines for ``transcripts`` to an open text file; returns the count."""
    w = GtfWriter(source=source, utr=utr, honor_cds_stat=honor_cds_stat,
                  add_comments=add_comments)
    buf: list[str] = []
    count = 0
    for tx in transcripts:
        buf += w.lines(tx)
        count += 1
        if len(buf) >= 16384:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    return count


def write_gtf(transcripts: Iterable[Transcript], dest: Source, *, source: str,
              utr: bool = False, honor_cds_stat: bool = False, add_comments: bool = False) -> int:
    """Write ``transcripts`` as GTF to ``dest`` atomically; returns the number of transcripts."""
    with atomic_output(dest) as out:
        return write_gtf_to(transcripts, out, source=source, utr=utr,
                            honor_cds_stat=honor_cds_stat, add_comments=add_comments)


def iter_gtf_lines(transcripts: Iterable[Transcript], *, source: str, utr: bool = False,
                   honor_cds_stat: bool = False) -> Iterator[str]:
    """Lazily yield GTF lines for ``transcripts`` (one writer, shared name state)."""
    w = GtfWriter(source=source, utr=utr, honor_cds_stat=honor_cds_stat)
    for tx in transcripts:
        yield from w.lines(tx)
