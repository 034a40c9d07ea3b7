"""pslCDnaFilter-compatible near-best filtering of cDNA/mRNA alignments (kent ``pslCDnaFilter``).

Alignments are processed one query at a time, so the input must be grouped by ``qName`` (kent
asks for ``sort -k 10,10``).  By default a query name that comes back after another query is an
error (kent silently filters each run on its own, which ``require_grouped=False`` reproduces);
``sort=True`` sorts in memory first.  Coordinates are 0-based half-open throughout; query ranges
of ``-`` strand alignments are converted to the forward strand before they are compared.  Within
a query the filters see the alignments in kent's list order, the reverse of the input order,
which decides ties (``maxAligns`` keeps the later rows of equal score).

Per alignment (kent ``cDnaAlignNew``)::

    adjMisMatch = misMatches + (0 if ignoreNs else nCount)
    adjMatch, adjRepMatch = (matches + repMatches, 0) if repsAsMatch else (matches, repMatches)
    ident       = (matches + repMatches) / (matches + repMatches + misMatches)   (0 if nothing aligned)
    cover       = (aligned query bases inside [adjQStart, adjQEnd) - (nCount if ignoreNs))
                  / (adjQEnd - adjQStart)
    milliBad    = int(1000 * (adjMisMatch + qNumInsert + round(3 * ln(1 + sizeDif)))
                      / (adjMatch + adjRepMatch + adjMisMatch))
    score       = (1000 - milliBad) / 1000 + 4 * sqrt(adjMatch + adjRepMatch // 4) / 1000
                  + (0 if ignoreIntrons else intronBonus / 1000)

with ``sizeDif = max(0, (qEnd - qStart) - (tEnd - tStart))`` and ``intronBonus`` 3 per block gap
without query gap and with a target gap of at least 30, at most 10.  ``round`` is C's (halves
away from zero); ident, cover and score are single-precision floats as in kent, compared with
single-precision thresholds.

Filter order (each step sees only the alignments that survived the previous ones): blackList,
invalid (pslCheck), minQSize, minAlnSize, minNonRepSize, maxRepMatch, minId, minCover (or
decayMinCover), bestOverlap, minSpan, [hap sets formed], localNearBest or globalNearBest,
maxAlignsDrop or maxAligns, uniqueMapped, then weird overlaps are flagged (and dropped with
``filterWeirdOverlapped``).  Every threshold drops strictly below it (equal passes).

Overlaps: two alignments overlap when they share target, strand, and overlapping target and
query ranges.  ``bestOverlap`` keeps the best of overlapping alignments, ranked by the score
without the intron bonus (as kent's results show).  An overlap is *weird* when more than 10 % of
the query bases both align go to different target bases; every alignment still kept is compared
with the alignments after it in list order (kept or not) and both are flagged.

Haplotype pseudo-chromosomes (``hap_regions``, kent ``-hapRegions``) are handled as described in
:mod:`refseqtracks.hapregions`; kent's debugging outputs ``-hapRefMapped`` and
``-hapRefCDnaAlns`` are not implemented.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from refseqtracks.alignstats import REASONS, FilterStats
from refseqtracks.errors import ParseError, UsageError
from refseqtracks.formats.psl import Psl, check_psl, c_round, psl_is_protein
from refseqtracks.hapregions import HapRegions, HapSet, build_hap_sets

__all__ = [
    "FilterOptions", "PRESETS", "CDnaAlign", "FilterStats", "REASONS", "filter_alignments",
    "filter_query", "group_by_query", "f32", "intron_bonus", "cdna_score",
]

_F = struct.Struct("f")


def f32(x: float) -> float:
    """Round a double to the nearest single-precision float (C ``float``)."""
    try:
        return _F.unpack(_F.pack(x))[0]
    except OverflowError:
        return math.inf if x > 0 else -math.inf


MIN_LOCAL_BEST_CNT = 30
WEIRD_DIFF_FRAC = 0.1


@dataclass
class FilterOptions:
    """pslCDnaFilter options (kent names in the docstring of each field's CLI option)."""

    min_id: float = 0.0
    min_cover: float = 0.0
    local_near_best: float = -1.0
    global_near_best: float = -1.0
    min_q_size: int = 0
    min_non_rep_size: int = 0
    min_aln_size: int = 0
    max_rep_match: float = 1.0
    ignore_ns: bool = False
    ignore_introns: bool = False
    best_overlap: bool = False
    min_span: float = 0.0
    max_aligns: int = -1
    max_aligns_drop: int = -1
    unique_mapped: bool = False
    poly_a_sizes: dict[str, tuple[int, int]] | None = None
    use_poly_t_head: bool = False
    reps_as_match: bool = False
    decay_min_cover: bool = False
    black_list: list[tuple[str, int, str, int]] | None = None
    filter_weird_overlapped: bool = False
    validate: bool = True
    hap_regions: "HapRegions | None" = None

    def check(self) -> None:
        """Reject option values kent rejects."""
        for name in ("min_id", "min_cover", "local_near_best", "global_near_best",
                     "max_rep_match", "min_span"):
            v = getattr(self, name)
            if v != -1.0 and not (0.0 <= v <= 1.0):
                raise UsageError(f"-{_KENT_NAMES[name]} must be in the range 0.0..1.0 (or -1.0)")
        if self.local_near_best >= 0 and self.global_near_best >= 0:
            raise UsageError("can't specify both -localNearBest and -globalNearBest")
        if self.max_aligns >= 0 and self.max_aligns_drop >= 0:
            raise UsageError("can't specify both -maxAligns and -maxAlignsDrop")


_KENT_NAMES = {"min_id": "minId", "min_cover": "minCover", "local_near_best": "localNearBest",
               "global_near_best": "globalNearBest", "max_rep_match": "maxRepMatch",
               "min_span": "minSpan"}


#: the named option sets offered by ``filter-alignments``
PRESETS: dict[str, dict[str, object]] = {
    # GenBank pipeline "finished" RefSeq mRNA settings (genbank.conf, hg16-18, mm8-9 era)
    "genbank-finished": dict(min_id=0.95, min_cover=0.25, global_near_best=0.001, min_q_size=20,
                             min_non_rep_size=16, ignore_ns=True, best_overlap=True),
}


class CDnaAlign:
    """One alignment plus the statistics the filters use."""

    __slots__ = ("psl", "aln_id", "ident", "cover", "rep_frac", "adj_aln_size", "adj_match",
                 "aln_poly_at", "score", "score_no_introns", "drop", "weird")

    def __init__(self, psl: Psl, aln_id: int, opts: FilterOptions):
        self.psl = psl
        self.aln_id = aln_id
        self.drop: str | None = None
        self.weird = False
        p = psl
        adj_mis = p.mis_matches + (0 if opts.ignore_ns else p.n_count)
        if opts.reps_as_match:
            adj_match, adj_rep = p.matches + p.rep_matches, 0
        else:
            adj_match, adj_rep = p.matches, p.rep_matches
        self.adj_match = adj_match
        aligned = p.matches + p.mis_matches + p.rep_matches
        self.ident = f32((p.matches + p.rep_matches) / aligned) if aligned else 0.0
        q_lo, q_hi = 0, p.q_size
        self.aln_poly_at = 0
        if opts.poly_a_sizes is not None:
            tail, head = opts.poly_a_sizes.get(p.q_name, (0, 0))
            if opts.use_poly_t_head and head > tail:
                q_lo = head
                self.aln_poly_at = _clipped(_q_blocks(p), 0, head)
            else:
                q_hi = p.q_size - tail
                self.aln_poly_at = _clipped(_q_blocks(p), q_hi, p.q_size)
        if q_lo == 0 and q_hi == p.q_size and p.q_end <= q_hi:
            covered = sum(p.block_sizes)
        else:
            covered = _clipped(_q_blocks(p), q_lo, q_hi)
        if opts.ignore_ns:
            covered -= p.n_count
        self.cover = f32(covered / (q_hi - q_lo)) if q_hi > q_lo else 0.0
        tot = adj_match + adj_rep
        self.rep_frac = f32(adj_rep / tot) if tot else 0.0
        self.adj_aln_size = adj_match + adj_rep + adj_mis - self.aln_poly_at
        base = cdna_score(p, adj_match, adj_rep, adj_mis)
        self.score_no_introns = f32(base)
        self.score = self.score_no_introns if opts.ignore_introns else f32(base + intron_bonus(p) / 1000.0)

    def __repr__(self) -> str:
        return f"CDnaAlign({self.psl!r} score={self.score:.6f} drop={self.drop})"


def _q_blocks(p: Psl) -> list[tuple[int, int]]:
    if p.strand[0] == "-":
        qs = p.q_size
        return [(qs - (s + z), qs - s) for s, z in zip(p.q_starts, p.block_sizes)]
    return [(s, s + z) for s, z in zip(p.q_starts, p.block_sizes)]


def _clipped(blocks: list[tuple[int, int]], lo: int, hi: int) -> int:
    n = 0
    for s, e in blocks:
        s = max(s, lo)
        e = min(e, hi)
        if e > s:
            n += e - s
    return n


def intron_bonus(p: Psl) -> int:
    """3 per apparent intron (no query gap, target gap >= 30), at most 10 (kent pslReps)."""
    bonus = 0
    sizes, qs, ts = p.block_sizes, p.q_starts, p.t_starts
    mul = 3 if psl_is_protein(p) else 1
    for i in range(1, p.block_count):
        if qs[i] == qs[i - 1] + sizes[i - 1] and ts[i] - (ts[i - 1] + mul * sizes[i - 1]) >= 30:
            bonus += 3
    return min(bonus, 10)


def cdna_score(p: Psl, adj_match: int, adj_rep: int, adj_mis: int) -> float:
    """milliBad and size part of the pslCDnaFilter score (no intron bonus)."""
    size_mul = 3 if psl_is_protein(p) else 1
    q_ali = size_mul * (p.q_end - p.q_start)
    t_ali = p.t_end - p.t_start
    milli_bad = 0
    if min(q_ali, t_ali) > 0:
        size_dif = max(0, q_ali - t_ali)
        total = size_mul * (adj_match + adj_rep + adj_mis)
        if total > 0:
            milli_bad = int(1000.0 * (size_mul * adj_mis + p.q_num_insert
                                      + c_round(3.0 * math.log(1 + size_dif))) / total)
    return (1000 - milli_bad) / 1000.0 + 4.0 * math.sqrt(adj_match + adj_rep // 4) / 1000.0


# ---------------------------------------------------------------------------------------------
# overlap geometry

def _t_overlap(a: Psl, b: Psl) -> bool:
    return (a.t_name == b.t_name and a.strand == b.strand
            and a.t_start < b.t_end and b.t_start < a.t_end)


def _is_overlapped(a: CDnaAlign, b: CDnaAlign) -> bool:
    """Same target and strand, overlapping target and query ranges."""
    pa, pb = a.psl, b.psl
    return _t_overlap(pa, pb) and pa.q_start < pb.q_end and pb.q_start < pa.q_end


def _same_diff(pa: Psl, pb: Psl) -> tuple[int, int]:
    """Query bases aligned by both: (to the same target base, to different target bases).

    Both alignments have the same strand, so their block coordinates are directly comparable;
    within a pair of overlapping blocks either every base maps alike or none does.
    """
    same = diff = 0
    i = j = 0
    na, nb = pa.block_count, pb.block_count
    qa, ta, za = pa.q_starts, pa.t_starts, pa.block_sizes
    qb, tb, zb = pb.q_starts, pb.t_starts, pb.block_sizes
    while i < na and j < nb:
        a_lo, a_hi = qa[i], qa[i] + za[i]
        b_lo, b_hi = qb[j], qb[j] + zb[j]
        lo = a_lo if a_lo > b_lo else b_lo
        hi = a_hi if a_hi < b_hi else b_hi
        if hi > lo:
            if ta[i] - a_lo == tb[j] - b_lo:
                same += hi - lo
            else:
                diff += hi - lo
        if a_hi <= b_hi:
            i += 1
        else:
            j += 1
    return same, diff


def _is_weird(a: CDnaAlign, b: CDnaAlign) -> bool:
    """Overlapping on the target, but the same query bases align to different target bases."""
    if not _is_overlapped(a, b):
        return False
    same, diff = _same_diff(a.psl, b.psl)
    common = same + diff
    return common > 0 and diff > WEIRD_DIFF_FRAC * common


# ---------------------------------------------------------------------------------------------
# filters

def _in_black_list(name: str, black: list[tuple[str, int, str, int]]) -> bool:
    acc = name.split(".", 1)[0]
    pre, num = _split_acc(acc)
    if num is None:
        return False
    for p1, n1, p2, n2 in black:
        if pre == p1 and n1 <= num <= n2:
            return True
    return False


def _split_acc(acc: str) -> tuple[str, int | None]:
    i = len(acc)
    while i > 0 and acc[i - 1].isdigit():
        i -= 1
    if i == len(acc):
        return acc, None
    return acc[:i], int(acc[i:])


def _drop(alns: Iterable[CDnaAlign], reason: str, pred: Callable[[CDnaAlign], bool]) -> None:
    for a in alns:
        if a.drop is None and pred(a):
            a.drop = reason


def filter_query(alns: list[CDnaAlign], opts: FilterOptions) -> list[HapSet]:
    """Run every filter on the alignments of one query (in kent's list order), setting ``drop``.

    Returns the query's hap sets (empty without ``hap_regions``).
    """
    if opts.black_list:
        _drop(alns, "blackList", lambda a: _in_black_list(a.psl.q_name, opts.black_list))
    if opts.validate:
        _drop(alns, "invalid", lambda a: bool(check_psl(a.psl)))
    if opts.min_q_size > 0:
        _drop(alns, "minQSize", lambda a: a.psl.q_size < opts.min_q_size)
    if opts.min_aln_size > 0:
        _drop(alns, "minAlnSize", lambda a: a.adj_aln_size < opts.min_aln_size)
    if opts.min_non_rep_size > 0:
        _drop(alns, "minNonRepSize", lambda a: a.adj_match - a.aln_poly_at < opts.min_non_rep_size)
    if opts.max_rep_match < 1.0:
        mx = f32(opts.max_rep_match)
        _drop(alns, "maxRepMatch", lambda a: a.rep_frac > mx)
    if opts.min_id > 0.0:
        mi = f32(opts.min_id)
        _drop(alns, "minId", lambda a: a.ident < mi)
    if opts.decay_min_cover:
        _drop(alns, "minCover", lambda a: a.cover < _decay_cover(a.psl.q_size))
    elif opts.min_cover > 0.0:
        mc = f32(opts.min_cover)
        _drop(alns, "minCover", lambda a: a.cover < mc)
    if opts.best_overlap:
        _best_overlap(alns)
    if opts.min_span > 0.0:
        _min_span(alns, f32(opts.min_span))
    sets = build_hap_sets(alns, opts.hap_regions) if opts.hap_regions is not None else []
    if opts.local_near_best >= 0.0:
        _local_near_best(alns, f32(opts.local_near_best))
        _rescue_sets(sets, "localBest")
    elif opts.global_near_best >= 0.0:
        _global_near_best(alns, f32(opts.global_near_best))
        _rescue_sets(sets, "globalBest")
    if opts.max_aligns_drop >= 0:
        live = [a for a in alns if a.drop is None]
        if len(live) > opts.max_aligns_drop:
            for a in live:
                a.drop = "maxAligns"
    elif opts.max_aligns >= 0:
        live = _by_score([a for a in alns if a.drop is None])
        for a in live[opts.max_aligns:]:
            a.drop = "maxAligns"
    if opts.unique_mapped:
        live = [a for a in alns if a.drop is None]
        in_sets = {id(m) for hs in sets for m in hs.members}
        units = sum(1 for a in live if id(a) not in in_sets) + sum(
            1 for hs in sets if any(m.drop is None for m in hs.members))
        if units > 1:
            for a in live:
                a.drop = "nonUnique"
    _flag_weird(alns)
    if opts.filter_weird_overlapped:
        _filter_weird(alns)
    return sets


def _rescue_sets(sets: list[HapSet], reason: str) -> None:
    """A hap set survives a near-best filter when any of its members did."""
    for hs in sets:
        members = hs.members
        if any(m.drop is None for m in members):
            for m in members:
                if m.drop == reason:
                    m.drop = None


def _decay_cover(q_size: int) -> float:
    c = 1.0 - q_size / 250.0
    return f32(min(0.9, max(0.25, c)))


def _by_score(alns: list[CDnaAlign]) -> list[CDnaAlign]:
    return sorted(alns, key=lambda a: -a.score)


def _best_overlap(alns: list[CDnaAlign]) -> None:
    live = sorted([a for a in alns if a.drop is None], key=lambda a: -a.score_no_introns)
    for i, a in enumerate(live):
        if a.drop is not None:
            continue
        for b in live[i + 1:]:
            if b.drop is None and _is_overlapped(a, b):
                b.drop = "overlap"


def _min_span(alns: list[CDnaAlign], frac: float) -> None:
    live = [a for a in alns if a.drop is None]
    if not live:
        return
    longest = max(a.psl.t_end - a.psl.t_start for a in live)
    thresh = f32(frac * longest)
    for a in live:
        if (a.psl.t_end - a.psl.t_start) < thresh:
            a.drop = "minSpan"


def _global_near_best(alns: list[CDnaAlign], frac: float) -> None:
    live = [a for a in alns if a.drop is None]
    if not live:
        return
    best = max(a.score for a in live)
    thresh = f32(best * (1.0 - frac))
    for a in live:
        if a.score < thresh:
            a.drop = "globalBest"


def _local_near_best(alns: list[CDnaAlign], frac: float) -> None:
    """Keep alignments with >= 30 query bases whose score is near the best at that base.

    The per-base best score is kept per elementary segment between block boundaries.
    """
    live = [a for a in alns if a.drop is None]
    if not live:
        return
    q_size = live[0].psl.q_size
    ranges = [[(max(s, 0), min(e, q_size)) for s, e in _q_blocks(a.psl) if min(e, q_size) > max(s, 0)]
              for a in live]
    bounds = sorted({0, q_size}.union(*[{x for r in rs for x in r} for rs in ranges]))
    index = {b: i for i, b in enumerate(bounds)}
    best = [0.0] * (len(bounds) - 1)
    for a, rs in zip(live, ranges):
        sc = a.score
        for s, e in rs:
            for i in range(index[s], index[e]):
                if sc > best[i]:
                    best[i] = sc
    grow = f32(1.0 + frac)
    for a, rs in zip(live, ranges):
        thresh = f32(a.score * grow)
        cnt = 0
        for s, e in rs:
            for i in range(index[s], index[e]):
                if best[i] <= thresh:
                    cnt += bounds[i + 1] - bounds[i]
        if cnt < MIN_LOCAL_BEST_CNT:
            a.drop = "localBest"


def _flag_weird(alns: list[CDnaAlign]) -> None:
    n = len(alns)
    for i in range(n):
        a = alns[i]
        if a.drop is not None:
            continue
        for j in range(i + 1, n):
            b = alns[j]
            if _is_weird(a, b):
                a.weird = True
                b.weird = True


def _filter_weird(alns: list[CDnaAlign]) -> None:
    live = [a for a in alns if a.drop is None and a.weird]
    for i, a in enumerate(live):
        if a.drop is not None:
            continue
        for b in live[i + 1:]:
            if b.drop is None and _is_weird(a, b):
                b.drop = "weird"


# ---------------------------------------------------------------------------------------------
# streaming driver

def group_by_query(psls: Iterable[Psl], *, path: object = None, require_grouped: bool = True,
                   check_q_size: bool = True) -> Iterator[list[Psl]]:
    """Runs of consecutive rows with the same qName.

    With ``require_grouped`` a qName that comes back after other queries is an error; without
    it (kent's behaviour) each run is filtered as a query of its own.  The check remembers a
    hash per query name, so its memory grows with the number of queries, not of rows.
    With ``check_q_size`` (pslCDnaFilter) rows of one query with different qSize are an error.
    """
    seen: set[int] = set()
    cur: list[Psl] = []
    name = None
    for p in psls:
        if p.q_name != name:
            if cur:
                yield cur
            if require_grouped:
                h = hash(p.q_name)
                if h in seen:
                    raise ParseError(path, p.lineno,
                                     f"input is not grouped by query name: {p.q_name} appears "
                                     "again after other queries (sort by qName first)")
                seen.add(h)
            name = p.q_name
            cur = [p]
        else:
            if check_q_size and p.q_size != cur[0].q_size:
                # kent's words; located when the caller names the input (path=None: kent's
                # message alone)
                raise ParseError(path, p.lineno if path is not None else None,
                                 f"Inconsistent qSize for alignment of {p.q_name}, found "
                                 f"{cur[0].q_size} and {p.q_size}")
            cur.append(p)
    if cur:
        yield cur


def filter_alignments(psls: Iterable[Psl], *, preset: str | None = None, sort: bool = False,
                      stats: FilterStats | None = None, path: object = None,
                      require_grouped: bool = True,
                      on_hap_set: Callable[[list[Psl]], None] | None = None,
                      **overrides: object) -> Iterator[tuple[Psl, str | None, bool]]:
    """Filter alignments per query; yields ``(psl, drop_reason_or_None, weird)``.

    ``preset="ucsc-refseq"`` runs pslReps (``min_cover=0.15, min_ali=0.96, near_top=0.001``;
    overrides are :class:`refseqtracks.pslreps.RepsOptions` names, rows come in kent's reverse
    order within a query); every other case runs pslCDnaFilter.
    A query name seen again after other queries is an error unless ``sort`` (sort by qName in
    memory first) or ``require_grouped=False`` (kent: each run is a query of its own).
    ``on_hap_set`` hears the kept members of every hap set (with ``hap_regions``).
    Options are :class:`FilterOptions` field names (``min_id=0.95`` ...), optionally starting
    from a named preset (``"genbank-finished"``).  Rows are yielded per query, in input order.
    """
    if preset == "ucsc-refseq":
        yield from _reps_preset(psls, sort=sort, path=path, overrides=overrides)
        return
    base: dict[str, object] = {}
    if preset is not None:
        if preset not in PRESETS:
            raise UsageError(f"unknown preset {preset!r}; choose from ucsc-refseq, "
                             f"{', '.join(PRESETS)}")
        base.update(PRESETS[preset])
    base.update(overrides)
    try:
        opts = FilterOptions(**base)  # type: ignore[arg-type]
    except TypeError as ex:
        raise UsageError(str(ex)) from None
    opts.check()
    if sort:
        psls = sorted(psls, key=lambda p: p.q_name)
    aln_id = 0
    for group in group_by_query(psls, path=path, require_grouped=require_grouped and not sort):
        alns = []
        for p in group:
            alns.append(CDnaAlign(p, aln_id, opts))
            aln_id += 1
        rev = alns[::-1]
        sets = filter_query(rev, opts)
        if on_hap_set is not None:
            for hs in sets:
                kept = [m.psl for m in hs.members if m.drop is None]
                if kept:
                    on_hap_set(kept)
        if stats is not None:
            stats.add_query(alns)
        for a in alns:
            yield a.psl, a.drop, a.weird


def _reps_preset(psls: Iterable[Psl], *, sort: bool, path: object,
                 overrides: dict[str, object]) -> Iterator[tuple[Psl, str | None, bool]]:
    from refseqtracks.pslreps import RepsOptions, psl_reps

    kw: dict[str, object] = dict(min_cover=0.15, min_ali=0.96, near_top=0.001)
    kw.update(overrides)
    try:
        opts = RepsOptions(**kw)  # type: ignore[arg-type]
    except TypeError as ex:
        raise UsageError(str(ex)) from None
    if sort:
        psls = sorted(psls, key=lambda p: p.q_name)
    for rows, _ in psl_reps(psls, opts, path=path, require_grouped=not sort):
        for p, reason in rows:
            yield p, reason, False
