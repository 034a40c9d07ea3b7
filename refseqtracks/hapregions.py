"""Haplotype pseudo-chromosome sets for pslCDnaFilter (kent ``-hapRegions``, ``-hapLociAlns``).

A ``-hapRegions`` file holds PSL alignments of haplotype pseudo-chromosomes (the PSL query, e.g.
``chr6_cox_hap1``) to their region of the reference chromosome (the PSL target, ``chr6``).
Coordinates are 0-based half-open.

After the non-comparative filters, every surviving alignment of a cDNA to a haplotype
chromosome is projected onto the reference through those alignments (block by block, flipping
the strand where the haplotype aligns to the reverse strand).  Its candidates are the surviving
alignments of the same cDNA to that reference chromosome with the projected strand whose
aligned target bases overlap the projected ones.  Haplotype alignments are linked in order of
decreasing score (ties: kent's list order) to their highest-scoring candidate that has no
alignment to that haplotype chromosome yet.  A reference alignment with its linked haplotype
alignments is a *hap set*.

In the near-best filters a hap set survives when any member does (for ``-globalNearBest``: the
set's score is its best member's), and ``-uniqueMapped`` counts a hap set as one mapping.
``-hapLociAlns`` lists each surviving set as ``setId<TAB>psl`` rows, reference first, then the
haplotype alignments by chromosome name; sets are numbered from 1 in the order they were formed.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from refseqtracks.formats.psl import Psl, iter_psl

if TYPE_CHECKING:  # pragma: no cover
    from refseqtracks.alignfilter import CDnaAlign

__all__ = ["HapRegions", "HapSet", "build_hap_sets"]


class _Mapping:
    """One haplotype-to-reference alignment as forward-strand block lists."""

    __slots__ = ("ref", "reverse", "q_lo", "q_hi", "t_lo")

    def __init__(self, p: Psl):
        self.ref = p.t_name
        self.reverse = p.strand[0] == "-"
        rows = []
        for qs, ts, z in zip(p.q_starts, p.t_starts, p.block_sizes):
            if self.reverse:
                # forward hap [f, f+z) maps to ref [ts, ts+z) read backwards
                rows.append((p.q_size - (qs + z), p.q_size - qs, ts))
            else:
                rows.append((qs, qs + z, ts))
        rows.sort()
        self.q_lo = [r[0] for r in rows]
        self.q_hi = [r[1] for r in rows]
        self.t_lo = [r[2] for r in rows]

    def project(self, lo: int, hi: int, out: list[tuple[int, int]]) -> None:
        """Append the reference ranges of the forward hap range ``[lo, hi)``."""
        i = max(bisect_right(self.q_lo, lo) - 1, 0)
        n = len(self.q_lo)
        while i < n and self.q_lo[i] < hi:
            s = max(lo, self.q_lo[i])
            e = min(hi, self.q_hi[i])
            if e > s:
                if self.reverse:
                    # position f in the block maps to t_lo + (q_hi - 1 - f)
                    base = self.t_lo[i] + self.q_hi[i]
                    out.append((base - e, base - s))
                else:
                    off = self.t_lo[i] - self.q_lo[i]
                    out.append((s + off, e + off))
            i += 1


class HapRegions:
    """The haplotype-to-reference alignments of a ``-hapRegions`` file."""

    def __init__(self, psls: list[Psl]):
        self.maps: dict[str, list[_Mapping]] = {}
        for p in psls:
            self.maps.setdefault(p.q_name, []).append(_Mapping(p))

    @classmethod
    def read(cls, path: str) -> "HapRegions":
        """Load a PSL file of haplotype-chromosome to reference alignments."""
        return cls(list(iter_psl(path)))

    def is_hap_chrom(self, name: str) -> bool:
        """True for a haplotype pseudo-chromosome."""
        return name in self.maps

    def project(self, p: Psl) -> dict[tuple[str, str], list[tuple[int, int]]]:
        """Target blocks of a hap-chromosome alignment on the reference, by (chrom, strand)."""
        out: dict[tuple[str, str], list[tuple[int, int]]] = {}
        blocks = _t_blocks(p)
        q_strand = p.strand[0]
        flipped = "-" if q_strand == "+" else "+"
        for m in self.maps.get(p.t_name, ()):
            ranges: list[tuple[int, int]] = []
            for lo, hi in blocks:
                m.project(lo, hi, ranges)
            if ranges:
                key = (m.ref, flipped if m.reverse else q_strand)
                out.setdefault(key, []).extend(ranges)
        return out


def _t_blocks(p: Psl) -> list[tuple[int, int]]:
    if len(p.strand) > 1 and p.strand[1] == "-":
        ts = p.t_size
        return [(ts - (s + z), ts - s) for s, z in zip(p.t_starts, p.block_sizes)]
    return [(s, s + z) for s, z in zip(p.t_starts, p.block_sizes)]


def _overlaps(ranges: list[tuple[int, int]], blocks: list[tuple[int, int]]) -> bool:
    for a, b in ranges:
        for c, d in blocks:
            if a < d and c < b:
                return True
    return False


class HapSet:
    """A reference alignment and its linked haplotype alignments (by hap chromosome)."""

    __slots__ = ("ref", "haps")

    def __init__(self, ref: "CDnaAlign"):
        self.ref = ref
        self.haps: dict[str, "CDnaAlign"] = {}

    @property
    def members(self) -> list["CDnaAlign"]:
        """Reference first, then the haplotype alignments by chromosome name."""
        return [self.ref] + [self.haps[k] for k in sorted(self.haps)]


def build_hap_sets(alns: list["CDnaAlign"], regions: HapRegions) -> list[HapSet]:
    """Link the surviving hap-chromosome alignments of one query to reference alignments."""
    live = [a for a in alns if a.drop is None]
    haps = [a for a in live if regions.is_hap_chrom(a.psl.t_name)]
    if not haps:
        return []
    refs = [a for a in live if not regions.is_hap_chrom(a.psl.t_name)]
    ref_blocks = {id(r): _t_blocks(r.psl) for r in refs}
    sets: dict[int, HapSet] = {}
    order: list[HapSet] = []
    for h in sorted(haps, key=lambda a: -a.score):
        proj = regions.project(h.psl)
        best = None
        for r in refs:
            rp = r.psl
            ranges = proj.get((rp.t_name, rp.strand[0]))
            if not ranges or (best is not None and r.score <= best.score):
                continue
            hs = sets.get(id(r))
            if hs is not None and h.psl.t_name in hs.haps:
                continue
            if _overlaps(ranges, ref_blocks[id(r)]):
                best = r
        if best is None:
            continue
        hs = sets.get(id(best))
        if hs is None:
            hs = sets[id(best)] = HapSet(best)
            order.append(hs)
        hs.haps[h.psl.t_name] = h
    return order
