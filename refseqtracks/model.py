"""Value objects shared by every format: :class:`Transcript`.

Coordinates are 0-based, half-open, as in genePred, BED and PSL.  A :class:`Transcript` is one
genePred row; its Python attribute names map to UCSC's column names as follows:

==================  ===============
attribute           genePred column
==================  ===============
``name``            name
``chrom``           chrom
``strand``          strand
``tx_start``        txStart
``tx_end``          txEnd
``cds_start``       cdsStart
``cds_end``         cdsEnd
``exon_starts``     exonStarts
``exon_ends``       exonEnds
``score``           score
``name2``           name2
``cds_start_stat``  cdsStartStat
``cds_end_stat``    cdsEndStat
``exon_frames``     exonFrames
==================  ===============

The four genePredExt fields (score, name2, cdsStartStat/cdsEndStat, exonFrames) are ``None``
when absent, exactly as kent's genePred keeps an "optional fields" mask: a 10-column genePred
read back writes back as 10 columns.  Non-coding transcripts have ``cds_start == cds_end``.
``attrs`` carries GFF3 attributes of the source record (for link tables, subsets, repairs);
it does not take part in equality.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

__all__ = ["Transcript", "CDS_STATS", "replace"]

#: genePred ``cdsStatus`` enum, in kent's order.
CDS_STATS = ("none", "unk", "incmpl", "cmpl")


@dataclass(frozen=True, slots=True)
class Transcript:
    """One transcript placement (a genePred row)."""

    name: str
    chrom: str
    strand: str
    tx_start: int
    tx_end: int
    cds_start: int
    cds_end: int
    exon_starts: tuple[int, ...]
    exon_ends: tuple[int, ...]
    score: int | None = None
    name2: str | None = None
    cds_start_stat: str | None = None
    cds_end_stat: str | None = None
    exon_frames: tuple[int, ...] | None = None
    attrs: Mapping[str, tuple[str, ...]] | None = field(default=None, compare=False, repr=False)

    @property
    def exon_count(self) -> int:
        return len(self.exon_starts)

    @property
    def is_coding(self) -> bool:
        return self.cds_start < self.cds_end

    @property
    def exons(self) -> list[tuple[int, int]]:
        """``[(start, end), ...]`` in genomic order."""
        return list(zip(self.exon_starts, self.exon_ends))

    def cds_blocks(self) -> list[tuple[int, int]]:
        """The coding part of each exon that has one, in genomic order."""
        cs, ce = self.cds_start, self.cds_end
        out = []
        for s, e in zip(self.exon_starts, self.exon_ends):
            s2, e2 = max(s, cs), min(e, ce)
            if s2 < e2:
                out.append((s2, e2))
        return out

    def cds_length(self) -> int:
        return sum(e - s for s, e in self.cds_blocks())
