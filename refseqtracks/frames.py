"""Reading frames: GFF3 phase ↔ genePred frame, and exonFrames as kent computes them.

Conventions (kent ``gff3.h``, ``genePred.c``): a genePred exon *frame* is the number of CDS bases
that precede the exon's first coding base, modulo 3, counted in transcription order; ``-1``
marks an exon without CDS.  A GFF3 *phase* counts the bases to skip to reach the next codon, so
``frame = (3 - phase) % 3`` and back.  Coordinates are 0-based half-open.
"""
from __future__ import annotations

from refseqtracks.model import Transcript

__all__ = ["phase_to_frame", "frame_to_phase", "calc_exon_frames"]


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
