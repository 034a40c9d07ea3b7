"""``-repairNcbi``: convert the RefSeq annotation shapes kent's gff3ToGenePred cannot.

Coordinates are 0-based half-open.  kent v492 is reproduced by default; these repairs run only
when asked for, on transcripts kent's genePredCheck rejects (or that run past the end of a
circular sequence), and each one is reported as a :class:`Repair`.

Shapes repaired (all RefSeq/GenBank facts, seen in real files):

* **CDS rows directly under a gene** (no exon rows; ``-refseqHacks`` makes the gene itself the
  transcript and its CDS rows the exons).  When a gene holds several CDSs (alternative starts in
  *E. coli*, pp1a/pp1ab in SARS-CoV-2, GP/ssGP in ebolaviruses, large/middle/small S in
  hepatitis B) kent overlaps them in one transcript and drops it.  Here the rows are grouped into
  *paths*, one per protein: the parts of one CDS share an ``ID`` (discontinuous feature); mature
  peptide rows (``gbkey=Prot``, one row per peptide as Nextclade writes them) that abut in
  transcription order chain into the polyprotein they come from, branching where two peptides
  start at the same base (pp1a ends with nsp11, pp1ab goes on with nsp12).
* **Overlapping or gapped CDS parts** (``exception=ribosomal slippage``, ``RNA editing``,
  frameshifted pseudogenes): each part becomes an exon; a part overlapping the previous one in
  genomic order has its start moved to the previous end and, on '+', its frame advanced by the
  distance -- kent's own arithmetic for exons holding several CDS blocks.  On '-' the trimmed
  bases are the 3' end of the 5' part, so no frame changes (as in kent).  The re-read bases are
  then implied by the frames (``walk_codons(..., slippage=True)`` reads them twice).  Parts that
  abut with a continuing frame are one exon.
* **Genes crossing the origin of a circular sequence** (``Is_circular=true`` on the ``region``
  row; NCBI writes such a feature with an end beyond the sequence length, e.g. 2307..4805 on a
  3182-base hepatitis B genome).  The transcript is cut at the origin into two genePred records
  with the same name: ``[start, size)`` and ``[0, end - size)``.  Each exon's frame is carried
  across the cut in transcription order, and the CDS end lying at the cut is ``incmpl`` (the
  record really does stop mid-CDS there).  A browser shows the gene as two pieces, one at each
  end of the sequence, both found by the name; every record fits the chromosome size, so
  bedToBigBed takes it.  (One record with wrapped exons would make a genome-wide "intron" and
  put the 3' piece first in genomic order, which every CDS walker would translate wrongly.)

Naming: a repair that yields one transcript keeps kent's name.  When several come out, each is
named by the ``protein_id`` its rows share (the RefSeq/GenBank protein accession), else the
``Name`` they share, else kent's name for the first and ``NAME_2``, ``NAME_3`` ... for the rest,
longest CDS first.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from refseqtracks.formats.genepred import check_transcript
from refseqtracks.model import Transcript

__all__ = ["CdsPart", "Repair", "RepairKind", "SPLIT_CDS", "OVERLAP", "ORIGIN", "repair_transcript",
           "cds_paths", "transcript_from_parts",
           "split_at_origin", "CircularSeqs", "scan_circular_seqs"]

_PHASE_TO_FRAME = {0: 0, 1: 2, 2: 1}

#: the kinds of :class:`Repair`, as printed.
RepairKind = str
SPLIT_CDS = "several-cds"
OVERLAP = "frameshifted-cds"
ORIGIN = "origin-crossing"
#: more alternative paths than this through one gene's CDS rows is not a shape we know.
MAX_PATHS = 64


@dataclass(frozen=True)
class CdsPart:
    """One GFF3 ``CDS`` row: 0-based half-open ``start``/``end``, ``phase`` (0-2 or None)."""

    start: int
    end: int
    phase: int | None
    id: str | None = None
    attrs: Mapping[str, Sequence[str]] = field(default_factory=dict, compare=False)
    lineno: int = 0

    @classmethod
    def of(cls, feat: Any) -> "CdsPart":
        """From anything with ``start end phase attrs`` (a GffFeature or the converter's Ann)."""
        attrs = feat.attrs
        ids = attrs.get("ID")
        inner = getattr(feat, "feat", feat)
        return cls(feat.start, feat.end, feat.phase, ids[0] if ids else None, attrs,
                   getattr(inner, "lineno", 0))

    def attr(self, tag: str) -> str | None:
        v = self.attrs.get(tag)
        return v[0] if v else None


@dataclass(frozen=True)
class Repair:
    """One repair: which transcript, what kind, where in the GFF3 and what changed."""

    name: str
    kind: RepairKind
    path: str
    line: int
    detail: str

    def message(self) -> str:
        """The one-line warning the converter prints."""
        where = f"{self.path}:{self.line}" if self.line else (self.path or "-")
        return f"Warning: repaired {self.name} ({self.kind}) at {where}: {self.detail}"


# -- CDS rows → paths (one per protein) --------------------------------------------------------
def _tx_order(parts: Sequence[CdsPart], strand: str) -> list[CdsPart]:
    if strand == "-":
        return sorted(parts, key=lambda p: (-p.end, -p.start))
    return sorted(parts, key=lambda p: (p.start, p.end))


def cds_paths(parts: Sequence[CdsPart], strand: str) -> list[list[CdsPart]] | None:
    """The CDS rows of one gene grouped into proteins, each in transcription order.

    Rows sharing an ``ID`` follow each other; mature peptide rows (``gbkey=Prot``) with
    different IDs follow each other when the second starts where the first ends (in
    transcription order).  Every maximal chain is one path.  None when there are more than
    :data:`MAX_PATHS` (a shape this module does not know).
    """
    order = _tx_order(parts, strand)
    n = len(order)
    minus = strand == "-"
    nxt: list[list[int]] = [[] for _ in range(n)]
    has_in = [False] * n
    last_of_id: dict[str, int] = {}
    for j, p in enumerate(order):
        if p.id is not None:
            i = last_of_id.get(p.id)
            if i is not None:
                nxt[i].append(j)
                has_in[j] = True
            last_of_id[p.id] = j
    for i, a in enumerate(order):
        if a.attr("gbkey") != "Prot":
            continue
        a3 = a.start if minus else a.end
        for j, b in enumerate(order):
            if j == i or b.id == a.id or b.attr("gbkey") != "Prot":
                continue
            if (b.end if minus else b.start) == a3 and j not in nxt[i]:
                nxt[i].append(j)
                has_in[j] = True
    paths: list[list[int]] = []
    # edges only go forward in transcription order, so every chain starts at a row without one in
    stack = [[i] for i in range(n - 1, -1, -1) if not has_in[i]]
    while stack:
        path = stack.pop()
        succ = nxt[path[-1]]
        if not succ:
            paths.append(path)
            if len(paths) > MAX_PATHS:
                return None
            continue
        stack.extend(path + [j] for j in reversed(succ))
    if not paths:
        return None
    return [[order[i] for i in p] for p in paths]


def transcript_from_parts(template: Transcript, parts: Sequence[CdsPart], *,
                          name: str | None = None) -> Transcript:
    """A transcript whose exons are ``parts`` (one protein's CDS rows, any order).

    kent's frame arithmetic: frame from each part's phase; a part overlapping the previous one in
    genomic order starts at the previous end, its frame advanced by the distance on '+'.  Parts
    that abut with a continuing frame are merged into one exon.
    """
    strand = template.strand
    ordered = sorted(parts, key=lambda p: (p.start, p.end))
    starts: list[int] = []
    ends: list[int] = []
    frames: list[int] = []
    for p in ordered:
        s, e = p.start, p.end
        frame = _PHASE_TO_FRAME.get(p.phase, -1) if p.phase is not None else -1
        trimmed = bool(starts) and s < ends[-1]
        if trimmed:
            dist = ends[-1] - s
            s += dist
            if strand == "+" and frame >= 0:
                frame = (frame + dist) % 3
            if s >= e:
                continue  # wholly re-read; nothing new in this part
        # a trimmed part stays its own exon: its frame carries the re-read bases
        if (starts and not trimmed and s == ends[-1]
                and _continues(strand, starts[-1], ends[-1], frames[-1], s, e, frame)):
            ends[-1] = e
            if strand == "-":
                frames[-1] = frame
            continue
        starts.append(s)
        ends.append(e)
        frames.append(frame)
    t = template
    return Transcript(name if name is not None else t.name, t.chrom, strand, starts[0], ends[-1],
                      starts[0], ends[-1], tuple(starts), tuple(ends), t.score, t.name2,
                      t.cds_start_stat, t.cds_end_stat, tuple(frames), t.attrs)


def _continues(strand: str, ps: int, pe: int, pf: int, s: int, e: int, f: int) -> bool:
    """Whether two abutting exons are one reading frame (genePred frames, transcription order)."""
    if pf < 0 or f < 0:
        return False
    if strand == "+":
        return (pf + (pe - ps)) % 3 == f
    return (f + (e - s)) % 3 == pf


def _covered(tx: Transcript, parts: Sequence[CdsPart]) -> bool:
    """Whether every exon base of ``tx`` lies in a CDS row (the transcript was built from them)."""
    spans = sorted((p.start, p.end) for p in parts)
    for s, e in zip(tx.exon_starts, tx.exon_ends):
        pos = s
        for a, b in spans:
            if a <= pos < b:
                pos = b
            if pos >= e:
                break
        if pos < e:
            return False
    return True


def _path_names(tx: Transcript, paths: list[list[CdsPart]]) -> list[str]:
    if len(paths) == 1:
        return [tx.name]

    def shared(path: list[CdsPart], tag: str) -> str | None:
        vals = {p.attr(tag) for p in path}
        return vals.pop() if len(vals) == 1 else None

    names: list[str | None] = [shared(p, "protein_id") or shared(p, "Name") for p in paths]
    if len(set(names)) != len(names):
        names = [None] * len(paths)
    k = 0
    out = []
    for nm in names:
        if nm is None:
            k += 1
            nm = tx.name if k == 1 else f"{tx.name}_{k}"
        out.append(nm)
    return out


def _cds_len(path: list[CdsPart]) -> int:
    return sum(p.end - p.start for p in path)


# -- origin crossing ---------------------------------------------------------------------------
def split_at_origin(tx: Transcript, seq_len: int) -> list[Transcript]:
    """``tx`` (coordinates running past ``seq_len`` on a circular sequence) cut at the origin.

    Returns ``[tx]`` shifted when it lies wholly past the origin, two records otherwise (genomic
    order: the piece before the origin first).  Raises ValueError when it is longer than the
    sequence.
    """
    if tx.tx_end <= seq_len:
        return [tx]
    if tx.tx_end - tx.tx_start > seq_len:
        raise ValueError(f"{tx.name} is longer than its circular sequence ({seq_len})")
    frames = tx.exon_frames if tx.exon_frames is not None else (-1,) * tx.exon_count
    if tx.tx_start >= seq_len:
        return [_shift(tx, -seq_len)]
    cs, ce = tx.cds_start, tx.cds_end
    coding = cs < ce
    # pieces: (start, end, frame) with the exon that crosses the origin cut in two
    left: list[tuple[int, int, int]] = []
    right: list[tuple[int, int, int]] = []
    for s, e, f in zip(tx.exon_starts, tx.exon_ends, frames):
        if e <= seq_len:
            left.append((s, e, f))
        elif s >= seq_len:
            right.append((s, e, f))
        else:
            lo, hi = (s, seq_len), (seq_len, e)
            first, second = (lo, hi) if tx.strand == "+" else (hi, lo)
            f2 = f
            if f >= 0:
                f2 = (f + _overlap(first, cs, ce)) % 3
            f_lo, f_hi = (f, f2) if tx.strand == "+" else (f2, f)
            if coding and _overlap(lo, cs, ce) == 0:
                f_lo = -1
            if coding and _overlap(hi, cs, ce) == 0:
                f_hi = -1
            left.append((s, seq_len, f_lo))
            right.append((seq_len, e, f_hi))
    out = []
    for piece, is_left in ((left, True), (right, False)):
        if not piece:
            continue
        shift = 0 if is_left else -seq_len
        starts = tuple(s + shift for s, _, _ in piece)
        ends = tuple(e + shift for _, e, _ in piece)
        pcs, pce = max(cs, piece[0][0]), min(ce, piece[-1][1])
        if coding and pcs < pce:
            pcs, pce = pcs + shift, pce + shift
            ss = "incmpl" if not is_left and cs < seq_len else tx.cds_start_stat
            es = "incmpl" if is_left and ce > seq_len else tx.cds_end_stat
            fr = tuple(f for _, _, f in piece)
        else:
            pcs = pce = ends[-1]
            ss = es = "none" if tx.cds_start_stat is not None else None
            fr = (-1,) * len(piece)
        out.append(Transcript(tx.name, tx.chrom, tx.strand, starts[0], ends[-1], pcs, pce, starts, ends,
                              tx.score, tx.name2, ss, es,
                              fr if tx.exon_frames is not None else None, tx.attrs))
    return out


def _overlap(span: tuple[int, int], cs: int, ce: int) -> int:
    return max(0, min(span[1], ce) - max(span[0], cs))


def _shift(tx: Transcript, d: int) -> Transcript:
    return Transcript(tx.name, tx.chrom, tx.strand, tx.tx_start + d, tx.tx_end + d, tx.cds_start + d,
                      tx.cds_end + d, tuple(s + d for s in tx.exon_starts),
                      tuple(e + d for e in tx.exon_ends), tx.score, tx.name2, tx.cds_start_stat,
                      tx.cds_end_stat, tx.exon_frames, tx.attrs)


# -- the entry point ---------------------------------------------------------------------------
def repair_transcript(tx: Transcript, cds_parts: Sequence[CdsPart] = (), *, seq_len: int | None = None,
                      is_circular: bool = False, problems: Sequence[str] | None = None,
                      path: str = "", line: int = 0) -> tuple[list[Transcript], list[Repair]] | None:
    """Repaired transcripts for a kent-made ``tx`` and the repairs made, or None.

    ``cds_parts`` are the source CDS rows of the transcript (for a gene-as-transcript, the gene's
    CDS children); ``problems`` kent's genePredCheck result when known.  None means nothing to
    repair (``tx`` is valid and fits its sequence) or no known repair makes it valid: then kent's
    behaviour stands.  Every returned transcript passes ``check_transcript`` (with ``seq_len``
    as the chromosome size when given).
    """
    if problems is None:
        problems = check_transcript(tx)
    past_origin = bool(is_circular and seq_len and tx.tx_end > seq_len)
    if not problems and not past_origin:
        return None
    out = [tx]
    repairs: list[Repair] = []
    if problems:
        if not cds_parts or not _covered(tx, cds_parts):
            return None
        paths = cds_paths([p for p in cds_parts if p.start < p.end], tx.strand)
        if not paths:
            return None
        paths.sort(key=lambda p: -_cds_len(p))  # stable: the longest protein first
        names = _path_names(tx, paths)
        out = [transcript_from_parts(tx, p, name=nm) for p, nm in zip(paths, names)]
        if any(check_transcript(t) for t in out):
            return None
        where = min((p for p in cds_parts if p.lineno), key=lambda p: p.lineno, default=None)
        line = line or (where.lineno if where else 0)
        if len(out) > 1:
            repairs.append(Repair(tx.name, SPLIT_CDS, path, line,
                                  f"{len(paths)} CDSs under one gene written as {len(out)} transcripts: "
                                  + ", ".join(t.name for t in out)))
        for t, p in zip(out, paths):
            if _overlapping(p) or _gapped(p):
                why = _exception(p)
                repairs.append(Repair(t.name, OVERLAP, path, line,
                                      f"{len(p)} CDS parts{' (' + why + ')' if why else ''} written as "
                                      f"{t.exon_count} exons, frames "
                                      + ",".join(map(str, t.exon_frames or ()))))
    if is_circular and seq_len:
        cut: list[Transcript] = []
        for t in out:
            if t.tx_end > seq_len:
                try:
                    pieces = split_at_origin(t, seq_len)
                except ValueError:
                    return None
                cut.extend(pieces)
                repairs.append(Repair(t.name, ORIGIN, path, line,
                                      f"{t.chrom}:{t.tx_start}-{t.tx_end} crosses the origin of a circular "
                                      f"sequence of {seq_len}; written as "
                                      + " and ".join(f"{x.tx_start}-{x.tx_end}" for x in pieces)))
            else:
                cut.append(t)
        out = cut
    if any(check_transcript(t, chrom_size=seq_len) for t in out):
        return None
    return out, repairs


def _overlapping(path: list[CdsPart]) -> bool:
    spans = sorted((p.start, p.end) for p in path)
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:]))


def _gapped(path: list[CdsPart]) -> bool:
    """Parts of one CDS separated by fewer bases than an intron could be (edited or frameshifted)."""
    spans = sorted((p.start, p.end) for p in path)
    return any(0 < b[0] - a[1] < 3 for a, b in zip(spans, spans[1:]))


def _exception(path: list[CdsPart]) -> str:
    for p in path:
        v = p.attr("exception")
        if v:
            return v
    return ""


# -- circular sequences ------------------------------------------------------------------------
@dataclass
class CircularSeqs:
    """Lengths of the circular sequences of a GFF3 (``region`` rows with ``Is_circular=true``)."""

    sizes: dict[str, int] = field(default_factory=dict)

    def note_feature(self, seqid: str, type_: str, start: int, end: int,
                     attrs: Mapping[str, Iterable[str]]) -> None:
        """Feed one feature (0-based half-open); only circular ``region`` rows count."""
        if type_ == "region" and start == 0 and "true" in (attrs.get("Is_circular") or ()):
            self.sizes[seqid] = max(end, self.sizes.get(seqid, 0))

    def size(self, seqid: str) -> int | None:
        """The sequence length when ``seqid`` is circular, else None."""
        return self.sizes.get(seqid)


def scan_circular_seqs(src: Any) -> CircularSeqs:
    """One light pass over a GFF3 for its circular ``region`` rows."""
    from refseqtracks.gff3 import raw_feature_columns

    out = CircularSeqs()
    for cols in raw_feature_columns(src, lambda line: "\tregion\t" in line and "Is_circular=true" in line):
        if not cols[3].isdigit() or not cols[4].isdigit():
            continue
        attrs = {"Is_circular": [v for item in cols[8].split(";")
                                 for k, _, v in [item.partition("=")] if k == "Is_circular"]}
        out.note_feature(cols[0], cols[2], int(cols[3]) - 1, int(cols[4]), attrs)
    return out
