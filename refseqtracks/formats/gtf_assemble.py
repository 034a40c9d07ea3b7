"""GTF → genePred: transcripts grouped and built as kent's ``gtfToGenePred`` (v492) does.

Coordinates are 0-based half-open inside (GTF's 1-based closed columns are converted by
:mod:`.gtf_read`).  The rules reproduced:

* lines are grouped by ``transcript_id`` (groups in order of first appearance; a line without
  one belongs to no group); the whole file is read first, as kent's ``gffRead`` does;
* the first line with an attribute column decides whether the file is GTF: it must contain
  ``gene_id`` and either two ``"`` or ``transcript_id``;
* a group's lines are sorted by (seqname, start), later file lines first among equals; the
  group's strand is that of its first sorted line, its chrom and source those of the line that
  created it; every line must share chrom and strand;
* exons come from ``exon``, ``CDS``, ``start_codon``, ``stop_codon`` and UTR features, merging
  features that overlap or abut; a group without such features yields no transcript;
* the CDS spans the ``CDS``, ``start_codon`` and ``stop_codon`` features (the stop codon is
  inside the genePred CDS); with ``implied_stop_after_cds`` and no stop codon it is extended by
  3 exonic bases on the 3' side; non-coding transcripts get ``cdsStart = cdsEnd = txEnd``;
* genePredExt: ``cdsStartStat``/``cdsEndStat`` are ``cmpl`` when the start (resp. stop) codon
  feature is present at that end, else ``incmpl`` (``none`` when non-coding); an exon's frame is
  that of the last ``CDS`` feature in it (genomic order) with a phase, else that of the first
  start/stop codon with one; missing frames are filled in transcription order, continuing from
  the previous coding exon;
* ``name2`` is ``gene_id`` (``gene_name`` with ``gene_name_as_name2``); ``include_version``
  appends ``transcript_version``/``gene_version``;
* the ``-infoOut`` row takes each attribute from the first sorted line that has it.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable, Iterator

from refseqtracks.errors import ConversionError, ParseError
from refseqtracks.fileio import Source, input_name, open_input
from refseqtracks.formats.gtf_read import (parse_gtf_attributes, parse_gtf_coords,
                                           split_gtf_columns)
from refseqtracks.model import Transcript

__all__ = ["GtfLine", "GtfGroup", "GtfFile", "read_gtf_groups", "group_to_transcript",
           "info_row", "INFO_HEADER", "GtfGroupError", "read_gtf_transcripts"]

#: header line of gtfToGenePred's ``-infoOut`` file
INFO_HEADER = ("#transId\tgeneId\tsource\tchrom\tstart\tend\tstrand\tproteinId\tgeneName\t"
               "transcriptName\tgeneType\ttranscriptType\n")

_EXON_FEATURES = frozenset(f.lower() for f in (
    "exon", "CDS", "start_codon", "stop_codon", "UTR", "5UTR", "3UTR", "5'UTR", "3'UTR",
    "five_prime_utr", "three_prime_utr"))
_CDS_FEATURES = frozenset(("cds", "start_codon", "stop_codon"))
_PHASE_TO_FRAME = {"0": 0, "1": 2, "2": 1}

# attribute name -> GtfLine slot (kent gff.c keeps these)
_KEPT = {
    "gene_id": "gene_id", "transcript_id": "transcript_id", "protein_id": "protein_id",
    "gene_name": "gene_name", "transcript_name": "transcript_name",
    "gene_version": "gene_version", "transcript_version": "transcript_version",
    "protein_version": "protein_version", "gene_type": "gene_type", "gene_biotype": "gene_type",
    "transcript_type": "transcript_type", "transcript_biotype": "transcript_type",
}


class GtfGroupError(ConversionError):
    """A transcript group that cannot become a genePred (kent reports and, with -allErrors, skips)."""


@dataclass(slots=True)
class GtfLine:
    """The parts of one GTF line that gtfToGenePred uses (0-based half-open)."""

    seq: str
    source: str
    feature: str
    start: int
    end: int
    score: str
    strand: str
    frame: str
    lineno: int
    gene_id: str | None = None
    transcript_id: str | None = None
    protein_id: str | None = None
    gene_name: str | None = None
    transcript_name: str | None = None
    gene_version: str | None = None
    transcript_version: str | None = None
    protein_version: str | None = None
    gene_type: str | None = None
    transcript_type: str | None = None

    def describe(self) -> str:
        """The line as kent prints it in group errors."""
        try:
            score = f"{float(self.score):f}"
        except ValueError:
            score = "0.000000"
        ids = "" if self.gene_id is None else f'gene_id "{self.gene_id}"; '
        return (f"{self.seq}\t{self.source}\t{self.feature}\t{self.start + 1}\t{self.end}\t{score}\t"
                f"{self.strand}\t{self.frame}\t{ids}transcript_id \"{self.transcript_id}\"; ")


@dataclass(slots=True)
class GtfGroup:
    """The lines of one transcript_id, sorted as kent's gffGroupLines sorts them."""

    name: str
    seq: str
    source: str
    lines: list[GtfLine] = field(default_factory=list)
    strand: str = ""
    start: int = 0
    end: int = 0

    def first(self, attr: str) -> str | None:
        """The first sorted line's value of ``attr`` that is set (kent's saveName)."""
        for ln in self.lines:
            v = getattr(ln, attr)
            if v is not None:
                return v
        return None


@dataclass(slots=True)
class GtfFile:
    """A whole GTF file: its groups in order of first appearance."""

    path: str
    is_gtf: bool
    groups: list[GtfGroup]


def read_gtf_groups(src: Source, *, warn: Callable[[str], None] | None = None) -> GtfFile:
    """Read a GTF file and group its lines by transcript_id (kent gffRead + gffGroupLines)."""
    if warn is None:
        warn = _stderr_warn
    path = input_name(src)
    groups: dict[str, GtfGroup] = {}
    type_known = False
    is_gtf = False
    kept = _KEPT
    intern = sys.intern
    with open_input(src) as f:
        for lineno, text in enumerate(f, 1):
            if text.startswith("#") or not text.strip():
                continue
            cols = split_gtf_columns(text, path=path, lineno=lineno)
            start, end = parse_gtf_coords(cols, path=path, lineno=lineno)
            if len(cols) < 9:
                continue  # kent keeps such lines outside any group
            attrs = cols[8]
            if not type_known:
                type_known = True
                is_gtf = "gene_id" in attrs and (attrs.count('"') >= 2 or "transcript_id" in attrs)
            if not is_gtf:
                continue
            found: dict[str, str] = {}
            for k, v in parse_gtf_attributes(attrs, path=path, lineno=lineno):
                slot = kept.get(k)
                if slot is not None:
                    if slot not in found:
                        found[slot] = intern(v)
                elif k == "exon_number" and not v[:1].isdigit():
                    raise ParseError(path, lineno, f"expecting a number after exon_number, got \"{v}\"")
            # few distinct seq/source/feature/score values: share them (memory, as kent's hashes)
            ln = GtfLine(intern(cols[0]), intern(cols[1]), intern(cols[2]), start, end,
                         intern(cols[5]), cols[6][:1], cols[7][:1], lineno, **found)
            tid = ln.transcript_id
            if tid is None:
                if ln.gene_id is None:
                    warn(f"No gene_id or transcript_id line {lineno} of {path}")
                continue
            g = groups.get(tid)
            if g is None:
                g = groups[tid] = GtfGroup(tid, ln.seq, ln.source)
            g.lines.append(ln)
    for g in groups.values():
        g.lines.reverse()
        g.lines.sort(key=_line_key)
        g.strand = g.lines[0].strand
        g.start = min(ln.start for ln in g.lines)
        g.end = max(ln.end for ln in g.lines)
    return GtfFile(path, is_gtf, list(groups.values()))


def _line_key(ln: GtfLine) -> tuple[str, int]:
    return (ln.seq, ln.start)


def _stderr_warn(msg: str) -> None:
    sys.stderr.write(msg + "\n")


def _check_group(g: GtfGroup) -> None:
    for ln in g.lines:
        if ln.seq != g.seq or ln.strand != g.strand:
            raise GtfGroupError(
                f"invalid gffGroup detected on line: {ln.describe()}\n"
                f"GFF/GTF group {g.name} on {g.seq}{g.strand}, this line is on {ln.seq}{ln.strand}, "
                "all group members must be on same seq and strand")


def group_to_transcript(g: GtfGroup, *, ext: bool = False, implied_stop_after_cds: bool = False,
                        gene_name_as_name2: bool = False,
                        include_version: bool = False) -> Transcript | None:
    """One group as a genePred (kent genePredFromGroupedGtf); None when it has no exon features.

    Raises :class:`GtfGroupError` for a group whose lines are on different chroms or strands.
    """
    starts: list[int] = []
    ends: list[int] = []
    exon_frames: list[int] = []
    # frame candidates per exon: (start of feature, frame)
    cds_start = cds_end = None
    have_start = have_stop = False
    plus = g.strand == "+"
    for ln in g.lines:
        feat = ln.feature.lower()
        if feat not in _EXON_FEATURES:
            continue
        if not starts or ln.start > ends[-1]:
            starts.append(ln.start)
            ends.append(ln.end)
            exon_frames.append(-1)
        elif ln.end > ends[-1]:
            ends[-1] = ln.end
        if feat in _CDS_FEATURES:
            if cds_start is None or ln.start < cds_start:
                cds_start = ln.start
            if cds_end is None or ln.end > cds_end:
                cds_end = ln.end
            if feat == "start_codon":
                have_start = True
            elif feat == "stop_codon":
                have_stop = True
            fr = _PHASE_TO_FRAME.get(ln.frame)
            # kent: every CDS line sets its exon's frame (the last one wins, even when features
            # were merged); a codon line only sets a frame still missing
            if fr is not None and (feat == "cds" or exon_frames[-1] < 0):
                exon_frames[-1] = fr
    if not starts:
        return None
    _check_group(g)
    tx_start, tx_end = starts[0], ends[-1]
    coding = cds_start is not None
    if not coding:
        cds_start = cds_end = tx_end
    elif implied_stop_after_cds and not have_stop:
        if plus:
            cds_end = _implied_stop_move(starts, ends, cds_end, 1)
        else:
            cds_start = _implied_stop_move(starts, ends, cds_start, -1)
    name = g.name
    if include_version:
        tv = g.first("transcript_version")
        if tv is not None:
            name = f"{name}.{tv}"
    tx = Transcript(name, g.seq, g.strand, tx_start, tx_end, cds_start, cds_end, tuple(starts),
                    tuple(ends))
    if not ext:
        return tx
    if gene_name_as_name2:
        name2 = g.first("gene_name") or ""
    else:
        name2 = g.first("gene_id") or ""
        if include_version and name2:
            gv = g.first("gene_version")
            if gv is not None:
                name2 = f"{name2}.{gv}"
    if coding:
        five, three = ("cmpl" if have_start else "incmpl"), ("cmpl" if have_stop else "incmpl")
        ss, es = (five, three) if plus else (three, five)
        frames = _fill_frames(tx, exon_frames)
    else:
        ss = es = "none"
        frames = [-1] * len(starts)
    return Transcript(name, g.seq, g.strand, tx_start, tx_end, cds_start, cds_end, tuple(starts),
                      tuple(ends), 0, name2, ss, es, tuple(frames))


def _implied_stop_move(starts: list[int], ends: list[int], pos: int, step: int) -> int:
    """Move a CDS end ``pos`` 3 exonic bases outwards (``step`` +1: cdsEnd, -1: cdsStart),
    skipping introns; beyond the last exon the move continues in a straight line."""
    n = len(starts)
    need = 3
    if step > 0:
        i = next((k for k in range(n) if starts[k] < pos <= ends[k]), None)
        while i is not None and i < n:
            avail = ends[i] - pos
            if avail >= need:
                return pos + need
            need -= avail
            i += 1
            if i < n:
                pos = starts[i]
            else:
                pos = ends[-1]
        return pos + need
    i = next((k for k in range(n) if starts[k] <= pos < ends[k]), None)
    while i is not None and i >= 0:
        avail = pos - starts[i]
        if avail >= need:
            return pos - need
        need -= avail
        i -= 1
        pos = ends[i] if i >= 0 else starts[0]
    return pos - need


def _fill_frames(tx: Transcript, frames: list[int]) -> list[int]:
    """Frames of coding exons without one, continuing from the previous coding exon."""
    n = len(frames)
    order = range(n) if tx.strand != "-" else range(n - 1, -1, -1)
    out = list(frames)
    prev_frame = None
    prev_len = 0
    cs, ce = tx.cds_start, tx.cds_end
    for i in order:
        s = max(tx.exon_starts[i], cs)
        e = min(tx.exon_ends[i], ce)
        if s >= e:
            out[i] = -1
            continue
        if out[i] < 0:
            out[i] = 0 if prev_frame is None else (prev_frame + prev_len) % 3
        prev_frame, prev_len = out[i], e - s
    return out


def info_row(g: GtfGroup, *, include_version: bool = False) -> str:
    """gtfToGenePred's ``-infoOut`` line for a group."""
    first = g.first
    gene_id = first("gene_id")
    protein_id = first("protein_id")
    tid = g.name
    if include_version:
        gv, tv, pv = first("gene_version"), first("transcript_version"), first("protein_version")
        if gene_id is not None and gv is not None:
            gene_id = f"{gene_id}.{gv}"
        if tv is not None:
            tid = f"{tid}.{tv}"
        if protein_id is not None and pv is not None:
            protein_id = f"{protein_id}.{pv}"
    return "\t".join((tid, gene_id or "", g.source, g.seq, str(g.start), str(g.end), g.strand,
                      protein_id or "", first("gene_name") or "", first("transcript_name") or "",
                      first("gene_type") or "", first("transcript_type") or "")) + "\n"


def read_gtf_transcripts(src: Source, *, ext: bool = True, ignore_groups_without_exons: bool = True,
                         **options: bool) -> Iterator[Transcript]:
    """Transcripts of a GTF file as gtfToGenePred builds them (groups in file order)."""
    gtf = read_gtf_groups(src)
    if not gtf.is_gtf:
        raise ConversionError(f"{gtf.path} doesn't appear to be a GTF file "
                              "(GFF not supported by this program)")
    for g in gtf.groups:
        tx = group_to_transcript(g, ext=ext, **options)
        if tx is None:
            if not ignore_groups_without_exons:
                raise GtfGroupError(no_exons_message(g))
            continue
        yield tx


def no_exons_message(g: GtfGroup) -> str:
    """kent's message for a group without exon features."""
    return (f"no exons defined for group {g.name}, feature {g.lines[0].feature} "
            "(perhaps try -ignoreGroupsWithoutExons)")
