"""Reading frames: GFF3 phase ↔ genePred frame, and exonFrames as kent computes them.

Conventions (kent ``gff3.h``, ``genePred.c``): a genePred exon *frame* is the number of CDS bases
that precede the exon's first coding base, modulo 3, counted in transcription order; ``-1``
marks an exon without CDS.  A GFF3 *phase* counts the bases to skip to reach the next codon, so
``frame = (3 - phase) % 3`` and back.  Coordinates are 0-based half-open.

Start/stop codon location (kent ``genePredToGtf``): :func:`find_first_codon` and
:func:`find_last_codon` return the genomically first and last codon of the CDS, possibly split
over two exons, but only when the CDS boundary lies on a codon boundary according to the exon
frames; on the ``+`` strand the first codon is the start codon and the last the stop codon, on
the ``-`` strand the reverse.  :func:`move_pos` moves a position along the exons, skipping
introns, as genePredToGtf does to take the stop codon out of the CDS.
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

from refseqtracks.model import Transcript

__all__ = ["phase_to_frame", "frame_to_phase", "calc_exon_frames", "frame_incr", "cds_exon",
           "CodonLoc", "find_first_codon", "find_last_codon", "move_pos"]


def phase_to_frame(phase: int) -> int:
    """kent's gff3PhaseToFrame: 0→0, 1→2, 2→1, anything else → -1."""
    return (0, 2, 1)[phase] if phase in (0, 1, 2) else -1


def frame_to_phase(frame: int) -> int:
    """Inverse of :func:`phase_to_frame` (``-1`` stays ``-1``)."""
    return (0, 2, 1)[frame] if frame in (0, 1, 2) else -1


def calc_exon_frames(tx: Transcript) -> tuple[int, ...]:
    """kent's genePredAddExonFrames: frames assuming a contiguous CDS from cdsStart."""
    n = len(tx.exon_starts)
    frames = [-1] * n
    if tx.cds_start >= tx.cds_end:
        return tuple(frames)
    order = range(n) if tx.strand != "-" else range(n - 1, -1, -1)
    cds_bases = 0
    cs, ce = tx.cds_start, tx.cds_end
    for i in order:
        s, e = max(tx.exon_starts[i], cs), min(tx.exon_ends[i], ce)
        if s < e:
            frames[i] = cds_bases % 3
            cds_bases += e - s
    return tuple(frames)


def frame_incr(frame: int, amount: int) -> int:
    """Advance a frame by ``amount`` bases (kent's frameIncr); ``-1`` (no frame) stays ``-1``."""
    return -1 if frame == -1 else (frame + amount) % 3


def cds_exon(tx: Transcript, i: int) -> tuple[int, int] | None:
    """The coding part ``(start, end)`` of exon ``i``, or None (kent's genePredCdsExon)."""
    s = tx.exon_starts[i]
    e = tx.exon_ends[i]
    if s < tx.cds_start:
        s = tx.cds_start
    if e > tx.cds_end:
        e = tx.cds_end
    return (s, e) if s < e else None


class CodonLoc(NamedTuple):
    """A codon's genomic location: one piece, or two when an intron splits it.

    ``start1, end1`` is the genomically lower piece in exon ``exon1`` (0-based, genomic exon
    order); ``start2, end2`` the upper piece in exon ``exon2``, or ``0, 0, -1`` when the codon
    is not split.
    """

    start1: int
    end1: int
    exon1: int
    start2: int = 0
    end2: int = 0
    exon2: int = -1

    @property
    def start(self) -> int:
        return self.start1

    @property
    def end(self) -> int:
        return self.end2 if self.end2 > self.start2 else self.end1

    @property
    def is_split(self) -> bool:
        return self.end2 > self.start2

    def pieces(self) -> list[tuple[int, int, int]]:
        """``[(start, end, exon), ...]`` in genomic order."""
        out = [(self.start1, self.end1, self.exon1)]
        if self.end2 > self.start2:
            out.append((self.start2, self.end2, self.exon2))
        return out


def find_first_codon(tx: Transcript, frames: Sequence[int]) -> CodonLoc | None:
    """The genomically first complete codon of the CDS, as genePredToGtf's findFirstCodon.

    ``frames`` are the exon frames (``tx.exon_frames`` or :func:`calc_exon_frames`).  Returns
    None when there is no CDS, when the CDS start is not on a codon boundary (frame at the
    start: ``frames[i]`` on ``+``, ``frame_incr(frames[i], cds bases of the exon)`` on ``-``),
    or when fewer than 3 coding bases are available in the first two coding exons.
    """
    n = len(tx.exon_starts)
    for i in range(n):
        cds = cds_exon(tx, i)
        if cds is not None:
            break
    else:
        return None
    cs, ce = cds
    frame = frames[i] if tx.strand == "+" else frame_incr(frames[i], ce - cs)
    if frame != 0:
        return None
    end1 = cs + min(ce - cs, 3)
    if end1 - cs == 3:
        return CodonLoc(cs, end1, i)
    if i + 1 == n:
        return None
    nxt = cds_exon(tx, i + 1)
    if nxt is None:
        return None
    needed = 3 - (end1 - cs)
    if nxt[1] - nxt[0] < needed:
        return None
    return CodonLoc(cs, end1, i, nxt[0], nxt[0] + needed, i + 1)


def find_last_codon(tx: Transcript, frames: Sequence[int]) -> CodonLoc | None:
    """The genomically last complete codon of the CDS, as genePredToGtf's findLastCodon.

    Mirror image of :func:`find_first_codon`: the frame test uses ``frames[i]`` on ``-`` and
    ``frame_incr(frames[i], cds bases of the exon)`` on ``+``.
    """
    for i in range(len(tx.exon_starts) - 1, -1, -1):
        cds = cds_exon(tx, i)
        if cds is not None:
            break
    else:
        return None
    cs, ce = cds
    frame = frames[i] if tx.strand == "-" else frame_incr(frames[i], ce - cs)
    if frame != 0:
        return None
    start = max(cs, ce - 3)
    if ce - start == 3:
        return CodonLoc(start, ce, i)
    if i == 0:
        return None
    prev = cds_exon(tx, i - 1)
    if prev is None:
        return None
    needed = 3 - (ce - start)
    if prev[1] - prev[0] < needed:
        return None
    return CodonLoc(prev[1] - needed, prev[1], i - 1, start, ce, i)


def move_pos(tx: Transcript, pos: int, dist: int) -> int:
    """Move ``pos`` by ``dist`` transcript bases (negative: backwards), skipping introns.

    Reproduces genePredToGtf's movePos, where an exon ``[s, e)`` is taken to contain the
    positions ``s..e`` inclusive.  Raises ValueError when the move leaves the exons.
    """
    starts, ends = tx.exon_starts, tx.exon_ends
    n = len(starts)
    orig = pos
    i = 0
    while i < n and not (starts[i] <= pos <= ends[i]):
        i += 1
    left = abs(dist)
    step = 1 if dist >= 0 else -1
    while 0 <= i < n and left > 0:
        if starts[i] <= pos + step <= ends[i]:
            pos += step
            left -= 1
        elif step > 0:
            i += 1
            if i < n:
                pos = starts[i]
        else:
            i -= 1
            if i >= 0:
                pos = ends[i] - 1
                left -= 1
    if left > 0:
        raise ValueError(f"can't move {orig} by {dist} and be an exon of {tx.name} "
                         f"{tx.chrom}:{tx.tx_start}-{tx.tx_end}")
    return pos
