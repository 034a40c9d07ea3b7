"""Genome-backed codons of a transcript: the codon walk, codon colours and CDS validation.

The walk reproduces what the UCSC browser's "color track by codons" (genomic codons mode) shows,
described from its documented behaviour:

* Exons are visited in the direction of transcription.  Each coding exon's frame -- genePredExt
  ``exonFrames`` when present, else :func:`refseqtracks.frames.calc_exon_frames` (contiguous CDS
  from the 5' end) -- says how many bases of the codon begun in the previous exon precede it
  (``frame``), so its first ``(3 - frame) % 3`` bases complete that codon.
* A codon cut by an intron is one codon in two (rarely three) *parts*; all parts share the codon
  index.  When an exon's frame does not continue the previous exon's codon (a frameshift, or a
  5'-partial CDS whose first exon has frame 1 or 2), the unfinished codon and the exon's leading
  bases become *incomplete* codons (fewer than 3 bases, amino acid ``X``).
* Every codon is translated with the transcript's genetic code (:mod:`refseqtracks.genetic_code`);
  the first codon of a 5'-complete CDS that is one of the code's start codons is ``M``;
  ``transl_except`` overrides the amino acid of the codon at the given positions (selenocysteine
  ``U``; mitochondrial stops completed by poly(A), whose incomplete ``TA``/``T`` codon becomes
  ``*``).  With ``slippage=True`` (annotation says ``exception=ribosomal slippage``) a -1 frameshift
  between two abutting coding blocks re-reads the bases the ribosome reads twice, so the codon at
  the slippery site is complete, as in NCBI's protein.  gff3ToGenePred keeps such a CDS as two
  abutting exons, the overlap cut off the genomically later part (whose frame it advances on
  ``+`` only): on ``+`` the twice-read bases end the previous block, on ``-`` they begin this one.

Colours (the browser legend): ``M`` green 47,201,47; stop ``*`` red 225,0,0; an incomplete or
intron-spliced codon cyan 0,192,192; an unknown amino acid (``N`` or ambiguous bases) black;
every other codon alternates between the track colour (odd codon index) and its lighter shade
(even index), the lighter shade of a channel ``c`` being ``int((c + 127) / 1.5)``.

All coordinates are 0-based half-open; codon bases are upper case, in transcription orientation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat as _repeat
from typing import Iterable, NamedTuple, Sequence

from refseqtracks.frames import calc_exon_frames
from refseqtracks.genetic_code import (GeneticCode, TranslExcept, genetic_code,
                                        reverse_complement)
from refseqtracks.genome import Genome, GenomeError
from refseqtracks.model import Transcript

__all__ = [
    "Codon", "CodonWalk", "walk_codons", "coding_blocks", "START_RGB", "STOP_RGB", "PARTIAL_RGB",
    "ERROR_RGB", "DEFAULT_RGB", "lighter_shade", "codon_color", "CODON_BED_FIELDS",
    "format_codon_bed_lines", "CODONS_AS", "protein_of", "VALIDATION_FIELDS", "validate_walk",
]

START_RGB = (47, 201, 47)
STOP_RGB = (225, 0, 0)
PARTIAL_RGB = (0, 192, 192)
ERROR_RGB = (0, 0, 0)
#: the UCSC ncbiRefSeq track colour
DEFAULT_RGB = (12, 12, 120)

#: the per-codon BED9+4 columns
CODON_BED_FIELDS = ("chrom", "chromStart", "chromEnd", "name", "score", "strand", "thickStart",
                    "thickEnd", "itemRgb", "codon", "aa", "part", "exonNumber")

CODONS_AS = """table refseqCodons
"One codon (or one part of an intron-split codon) of a RefSeq CDS"
    (
    string chrom;       "Reference sequence chromosome or scaffold"
    uint   chromStart;  "Start position of the codon part in chromosome"
    uint   chromEnd;    "End position of the codon part in chromosome"
    string name;        "transcript:codonIndex followed by the amino acid"
    uint   score;       "Always 0"
    char[1] strand;     "+ or - for strand"
    uint   thickStart;  "Same as chromStart"
    uint   thickEnd;    "Same as chromEnd"
    uint   reserved;    "itemRgb: colour by amino acid (browser codon legend)"
    string codon;       "Codon bases in transcription orientation (all parts joined)"
    string aa;          "Amino acid, * for stop, X for incomplete or unknown"
    uint   part;        "0 for a whole codon, else 1, 2, ... in transcription order"
    uint   exonNumber;  "Exon of this part, 1-based in transcription order"
    )
"""


def lighter_shade(rgb: Sequence[int]) -> tuple[int, int, int]:
    """The browser's lighter shade of a colour: ``int((c + 127) / 1.5)`` per channel."""
    return tuple(int((c + 127) / 1.5) for c in rgb)  # type: ignore[return-value]


class Codon(NamedTuple):
    """One codon: its parts ``(start, end, exon)`` in transcription order (``exon`` is the
    0-based genomic exon index), bases (upper case, transcription orientation) and amino acid."""

    index: int
    parts: tuple[tuple[int, int, int], ...]
    bases: str
    aa: str
    start: bool = False
    transl_except: TranslExcept | None = None

    @property
    def complete(self) -> bool:
        return len(self.bases) == 3

    @property
    def spliced(self) -> bool:
        return len(self.parts) > 1


@dataclass
class CodonWalk:
    """The codons of one transcript plus what the walk noticed."""

    tx: Transcript
    code: GeneticCode
    codons: list[Codon] = field(default_factory=list)
    #: exon numbers (1-based, transcription order) where the frame does not continue
    frameshifts: list[int] = field(default_factory=list)
    #: bases read twice at -1 ribosomal slippage sites
    reread: int = 0
    cds_length: int = 0
    five_prime_complete: bool = True
    #: positions in ``codons`` of the codons that are split or incomplete (the rest are whole)
    irregular: list[int] = field(default_factory=list)


_new_tuple = tuple.__new__


def coding_blocks(tx: Transcript) -> list[tuple[int, int, int, int]]:
    """``(start, end, exon, frame)`` of each exon's coding part, in transcription order."""
    frames = tx.exon_frames
    if frames is None or len(frames) != len(tx.exon_starts):
        frames = calc_exon_frames(tx)
    cs, ce = tx.cds_start, tx.cds_end
    out = []
    for i, (s, e) in enumerate(zip(tx.exon_starts, tx.exon_ends)):
        s2, e2 = max(s, cs), min(e, ce)
        if s2 < e2:
            out.append((s2, e2, i, frames[i]))
    if tx.strand == "-":
        out.reverse()
    return out


def _fetch(genome: Genome, tx: Transcript, start: int, end: int) -> str:
    try:
        return genome.fetch(tx.chrom, start, end)
    except GenomeError as ex:
        raise GenomeError(f"transcript {tx.name}: {ex}") from None


def walk_codons(tx: Transcript, genome: Genome, *, code: GeneticCode | int = 1,
                transl_except: Iterable[TranslExcept] = (), slippage: bool = False,
                five_prime_complete: bool | None = None) -> CodonWalk:
    """All codons of ``tx``'s CDS (see the module docstring).  Non-coding: no codons.

    ``five_prime_complete`` (default: the 5' cdsStat is not ``incmpl``) decides whether a start
    codon at the 5' end is translated as ``M``.
    """
    if not isinstance(code, GeneticCode):
        code = genetic_code(code)
    walk = CodonWalk(tx, code)
    if not tx.is_coding:
        return walk
    minus = tx.strand == "-"
    if five_prime_complete is None:
        stat = tx.cds_end_stat if minus else tx.cds_start_stat
        five_prime_complete = stat != "incmpl"
    get = code.table.get
    n_exons = len(tx.exon_starts)
    codons = walk.codons
    pend_parts: list[tuple[int, int, int]] = []
    pend_bases = ""
    prev_block: tuple[int, int, int, str] | None = None  # start, end, exon, oriented seq

    irregular = walk.irregular

    def emit(parts: list[tuple[int, int, int]], bases: str) -> None:
        aa = get(bases, "X") if len(bases) == 3 else "X"
        irregular.append(len(codons))
        codons.append(Codon(len(codons) + 1, tuple(parts), bases, aa))

    def piece(block: tuple[int, int, int, str], a: int, b: int) -> tuple[int, int, int]:
        s, e, i, _ = block
        return (e - b, e - a, i) if minus else (s + a, s + b, i)

    first = True
    for s, e, i, frame in coding_blocks(tx):
        seq = _fetch(genome, tx, s, e).upper()
        if minus:
            seq = reverse_complement(seq)
        n = e - s
        walk.cds_length += n
        block = (s, e, i, seq)
        k = len(pend_bases)
        pos = 0
        if frame in (0, 1, 2) and frame != k:
            lead = min((3 - frame) % 3, n)
            if first:
                five_prime_complete = False
            else:
                walk.frameshifts.append(n_exons - i if minus else i + 1)
            reread = 3 - k - lead
            if (slippage and not first and prev_block is not None and 0 < reread
                    and reread <= min(len(prev_block[3]), n)
                    and (prev_block[0] == e if minus else prev_block[1] == s)):
                # -1 ribosomal slippage: bases read twice.  gff3ToGenePred trims the overlap off
                # the genomically later CDS part: on '+' that is this block, so the twice-read
                # bases are the previous block's last ones; on '-' it is the previous block,
                # so they are this block's first ones.
                if minus:
                    parts = pend_parts + [piece(block, 0, reread)]
                    again = seq[:reread]
                else:
                    pb = prev_block
                    m = len(pb[3])
                    parts = pend_parts + [piece(pb, m - reread, m)]
                    again = pb[3][m - reread:]
                if lead:
                    parts.append(piece(block, 0, lead))
                emit(parts, pend_bases + again + seq[:lead])
                walk.reread += reread
            else:
                if k:
                    emit(pend_parts, pend_bases)
                if lead:
                    emit([piece(block, 0, lead)], seq[:lead])
            pend_parts, pend_bases = [], ""
            pos = lead
        elif k:
            need = min(3 - k, n)
            pend_parts = pend_parts + [piece(block, 0, need)]
            pend_bases += seq[:need]
            pos = need
            if len(pend_bases) == 3:
                emit(pend_parts, pend_bases)
                pend_parts, pend_bases = [], ""
        first = False
        if not pend_bases:
            full_end = pos + (n - pos) // 3 * 3
            if full_end > pos:
                offsets = range(pos, full_end, 3)
                bases = [seq[a:a + 3] for a in offsets]
                if minus:
                    parts_l = [((e - a - 3, e - a, i),) for a in offsets]
                else:
                    parts_l = [((s + a, s + a + 3, i),) for a in offsets]
                i0 = len(codons) + 1
                # tuple.__new__ skips NamedTuple's Python-level __new__: this is the hot loop
                codons.extend(map(_new_tuple, _repeat(Codon), zip(
                    range(i0, i0 + len(bases)), parts_l, bases, [get(b, "X") for b in bases],
                    _repeat(False), _repeat(None))))
            if full_end < n:
                pend_parts = [piece(block, full_end, n)]
                pend_bases = seq[full_end:]
        prev_block = block
    if pend_bases:
        emit(pend_parts, pend_bases)
    walk.five_prime_complete = five_prime_complete
    if transl_except:
        _apply_transl_except(codons, transl_except)
    c0 = codons[0] if codons else None
    if (c0 is not None and five_prime_complete and c0.transl_except is None
            and len(c0.bases) == 3 and c0.bases in code.starts):
        codons[0] = c0._replace(aa="M", start=True)
    return walk


def _apply_transl_except(codons: list[Codon], transl_except: Iterable[TranslExcept]) -> None:
    at: dict[int, TranslExcept] = {}
    for te in transl_except:
        for p in te.positions:
            at[p] = te
    if not at:
        return
    lo, hi = min(at), max(at)
    for j, c in enumerate(codons):
        for s, e, _ in c.parts:
            if s <= hi and e > lo:
                hit = next((at[p] for p in range(s, e) if p in at), None)
                if hit is not None:
                    codons[j] = c._replace(aa=hit.aa, transl_except=hit)
                    break


def protein_of(walk: CodonWalk, *, include_stop: bool = False) -> str:
    """The protein: incomplete codons at either end dropped, inner ones ``X``, final stop dropped.

    An incomplete codon given an amino acid by ``transl_except`` (a poly(A)-completed stop)
    counts as complete.
    """
    codons = walk.codons
    lo, hi = 0, len(codons)
    while lo < hi and not codons[lo].complete and codons[lo].transl_except is None:
        lo += 1
    while hi > lo and not codons[hi - 1].complete and codons[hi - 1].transl_except is None:
        hi -= 1
    aas = [c.aa for c in codons[lo:hi]]
    if aas and aas[-1] == "*" and not include_stop:
        aas.pop()
    return "".join(aas)


def codon_color(c: Codon, rgb: tuple[int, int, int], light: tuple[int, int, int]) -> tuple[int, int, int]:
    """itemRgb of a codon by the browser legend (module docstring)."""
    if c.aa == "M":
        return START_RGB
    if c.aa == "*":
        return STOP_RGB
    if not c.complete or c.spliced:
        return PARTIAL_RGB
    if c.aa == "X":
        return ERROR_RGB
    return rgb if c.index % 2 else light


def format_codon_bed_lines(walk: CodonWalk, *, rgb: tuple[int, int, int] = DEFAULT_RGB) -> list[str]:
    """BED9+4 lines (``CODON_BED_FIELDS``), one per codon part, in genomic order."""
    tx = walk.tx
    light = lighter_shade(rgb)
    n = len(tx.exon_starts)
    minus = tx.strand == "-"
    exno = [str(n - i) if minus else str(i + 1) for i in range(n)]
    head = f"{tx.chrom}\t"
    mid = f"\t0\t{tx.strand}\t"
    name0 = f"\t{tx.name}:"
    odd, even = ",".join(map(str, rgb)), ",".join(map(str, light))
    special = {"M": ",".join(map(str, START_RGB)), "*": ",".join(map(str, STOP_RGB)),
               "X": ",".join(map(str, ERROR_RGB))}
    sget = special.get
    codons = walk.codons
    rows: list[str] = []

    def whole(run: list[Codon]) -> list[str]:
        return [f"{head}{s}\t{e}{name0}{ix}{aa}{mid}{s}\t{e}\t{sget(aa) or (odd if ix & 1 else even)}"
                f"\t{bases}\t{aa}\t0\t{exno[i]}\n"
                for ix, ((s, e, i),), bases, aa, _, _ in run]

    prev = 0
    for j in walk.irregular:
        if j > prev:
            rows += whole(codons[prev:j])
        c = codons[j]
        col = ",".join(map(str, codon_color(c, rgb, light)))
        multi = len(c.parts) > 1
        for p, (s, e, i) in enumerate(c.parts, 1):
            rows.append(f"{head}{s}\t{e}{name0}{c.index}{c.aa}{mid}{s}\t{e}\t{col}\t{c.bases}\t{c.aa}\t"
                        f"{p if multi else 0}\t{exno[i]}\n")
        prev = j + 1
    if prev < len(codons):
        rows += whole(codons[prev:] if prev else codons)
    if minus:
        rows.reverse()
    if walk.reread:
        rows.sort(key=lambda r: int(r.split("\t", 2)[1]))
    return rows


#: columns of the CDS validation table
VALIDATION_FIELDS = ("name", "name2", "chrom", "strand", "cdsStart", "cdsEnd", "translTable",
                     "cdsLength", "cdsLengthMod3", "codons", "startCodon", "startOk", "stopCodon",
                     "stopOk", "internalStops", "frameshifts", "incompleteCodons", "translExcept",
                     "exception", "problems")


def validate_walk(walk: CodonWalk, *, exceptions: Sequence[str] = (),
                  three_prime_complete: bool | None = None) -> dict[str, str]:
    """One validation record (``VALIDATION_FIELDS`` -> text) for a coding transcript.

    ``problems`` is ``ok`` or a comma list of: ``cdsLengthNotMultipleOf3``, ``noStartCodon``,
    ``noStopCodon``, ``internalStop``, ``frameshift``, ``unknownBases``.  A partial end
    (cdsStat ``incmpl`` or GFF3 ``start_range``/``end_range``) excuses the missing start/stop
    codon and the length; an annotated ``exception`` (ribosomal slippage, RNA editing,
    transcript-based annotation ...) excuses frameshifts and the length; ``transl_except``
    amino acids (selenocysteine, poly(A)-completed stops) are honoured before anything is counted.
    """
    tx = walk.tx
    codons = walk.codons
    minus = tx.strand == "-"
    if three_prime_complete is None:
        stat = tx.cds_start_stat if minus else tx.cds_end_stat
        three_prime_complete = stat != "incmpl"
    first = codons[0] if codons else None
    last = codons[-1] if codons else None
    five_ok = walk.five_prime_complete
    start_ok = bool(first and len(first.bases) == 3 and first.start)
    stop_ok = bool(last and last.aa == "*")
    internal = [c[0] for c in codons if c[3] == "*"]
    if internal and stop_ok:
        internal.pop()
    odd = [c for c in codons if len(c[2]) != 3 or c[3] == "X" or c[5] is not None]
    incomplete = sum(1 for c in odd if len(c[2]) != 3 and c[5] is None)
    unknown = any(len(c[2]) == 3 and c[3] == "X" for c in odd)
    applied = [c[5] for c in odd if c[5] is not None]
    length = walk.cds_length
    problems = []
    length_ok = (length + walk.reread) % 3 == 0 or exceptions or not five_ok \
        or not three_prime_complete or any(len(te_c.bases) != 3 for te_c in odd if te_c.transl_except)
    if not length_ok:
        problems.append("cdsLengthNotMultipleOf3")
    if not start_ok and five_ok:
        problems.append("noStartCodon")
    if not stop_ok and three_prime_complete:
        problems.append("noStopCodon")
    if internal:
        problems.append("internalStop")
    if walk.frameshifts and not exceptions:
        problems.append("frameshift")
    if unknown:
        problems.append("unknownBases")
    return {
        "name": tx.name,
        "name2": tx.name2 or "",
        "chrom": tx.chrom,
        "strand": tx.strand,
        "cdsStart": str(tx.cds_start),
        "cdsEnd": str(tx.cds_end),
        "translTable": str(walk.code.id),
        "cdsLength": str(length),
        "cdsLengthMod3": str(length % 3),
        "codons": str(len(codons)),
        "startCodon": first.bases if first else "",
        "startOk": "yes" if start_ok else ("partial" if not five_ok else "no"),
        "stopCodon": last.bases if last else "",
        "stopOk": "yes" if stop_ok else ("partial" if not three_prime_complete else "no"),
        "internalStops": ",".join(map(str, internal)) if internal else "0",
        "frameshifts": ",".join(map(str, walk.frameshifts)) if walk.frameshifts else "0",
        "incompleteCodons": str(incomplete),
        "translExcept": ",".join(f"{te.text}" for te in dict.fromkeys(applied)) if applied else "",
        "exception": ",".join(exceptions),
        "problems": ",".join(problems) if problems else "ok",
    }
