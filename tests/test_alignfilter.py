"""pslCDnaFilter semantics: hand-computed identity, coverage and score, thresholds and ties."""
from __future__ import annotations

import math

import pytest

from conftest import FIXTURES
from refseqtracks.alignfilter import (
    CDnaAlign, FilterOptions, FilterStats, f32, filter_alignments, intron_bonus,
)
from refseqtracks.errors import ParseError, RefseqtracksError, UsageError
from refseqtracks.formats.psl import read_psl
from test_psl import make

PSL_DIR = FIXTURES / "psl"


def three_exons(**kw):
    """990 matches, 5 mismatches, 5 Ns, 3 blocks separated by two 1000 bp introns."""
    args = dict(matches=990, mis=5, n=5, t_ins=2, t_ins_b=2000, q_size=1000, q_end=1000, t_size=50000,
                t_start=10000, t_end=13000, sizes=(300, 400, 300), q_starts=(0, 300, 700),
                t_starts=(10000, 11300, 12700))
    args.update(kw)
    return make(**args)


def outcome(psls, **opts):
    return [(p.t_name, reason) for p, reason, _ in filter_alignments(psls, **opts)]


def test_identity_cover_score_hand_computed():
    a = CDnaAlign(three_exons(), 0, FilterOptions())
    assert a.ident == f32(990 / 995)                      # Ns are not in the denominator
    assert a.cover == 1.0
    assert intron_bonus(a.psl) == 6
    # milliBad = 1000 * (5 mismatches + 5 Ns) / (990 + 10) = 10
    assert a.score == f32(0.990 + 4 * math.sqrt(990) / 1000 + 0.006)


def test_ignore_ns_and_ignore_introns():
    a = CDnaAlign(three_exons(), 0, FilterOptions(ignore_ns=True, ignore_introns=True))
    assert a.cover == f32(995 / 1000)
    # milliBad = int(1000 * 5 / 995) = 5, no intron bonus
    assert a.score == f32(0.995 + 4 * math.sqrt(990) / 1000)
    assert a.adj_aln_size == 995


def test_intron_bonus_needs_no_query_gap_and_30_bases():
    short = three_exons(t_starts=(10000, 10329, 12700))          # 29 bp gap: not an intron
    assert intron_bonus(short) == 3
    qgap = three_exons(q_starts=(0, 301, 700), sizes=(300, 399, 300))
    assert intron_bonus(qgap) == 3
    many = make(matches=50, q_size=50, q_end=50, t_end=1000 + 50 + 5 * 100,
                sizes=(10,) * 5, q_starts=(0, 10, 20, 30, 40),
                t_starts=(1000, 1110, 1220, 1330, 1440))
    assert intron_bonus(many) == 10                            # 4 introns, capped at 10


def test_rep_matches_in_score_and_fraction():
    p = make(matches=80, rep=20)
    a = CDnaAlign(p, 0, FilterOptions())
    assert a.rep_frac == f32(0.2)
    assert a.score == f32(1.0 + 4 * math.sqrt(80 + 20 // 4) / 1000)
    b = CDnaAlign(p, 0, FilterOptions(reps_as_match=True))
    assert b.rep_frac == 0.0 and b.score == f32(1.0 + 4 * math.sqrt(100) / 1000)
    assert outcome([p], max_rep_match=0.2) == [("chr1", None)]          # equal passes
    assert outcome([p], max_rep_match=0.19) == [("chr1", "maxRepMatch")]


@pytest.mark.parametrize("mis,expect", [(4, None), (5, "minId")], ids=["equal-kept", "below-dropped"])
def test_min_id_threshold_is_strict(mis, expect):
    p = make(matches=100 - mis, mis=mis)
    assert outcome([p], min_id=0.96) == [("chr1", expect)]


def test_min_cover_counts_aligned_query_bases():
    p = make(matches=50, q_size=200, q_end=50, t_end=1050, sizes=(50,))
    assert outcome([p], min_cover=0.25) == [("chr1", None)]
    assert outcome([p], min_cover=0.26) == [("chr1", "minCover")]


def test_minus_strand_poly_a_tail_is_not_coverage():
    # 100 bp query, 10 bp poly-A tail; the '-' alignment covers forward bases 0..95
    p = make(matches=95, strand="-", q_size=100, q_start=0, q_end=95, t_end=1095,
             sizes=(95,), q_starts=(5,))
    a = CDnaAlign(p, 0, FilterOptions(poly_a_sizes={"NM_000001.1": (10, 0)}))
    assert a.aln_poly_at == 5 and a.cover == 1.0 and a.adj_aln_size == 90


def test_decay_min_cover():
    # qSize 100 -> need 1 - 100/250 = 0.6
    ok = make(matches=60, q_size=100, q_end=60, t_end=1060, sizes=(60,))
    low = make(matches=59, q_size=100, q_end=59, t_end=1059, sizes=(59,), t_name="chr2")
    assert outcome([ok, low], decay_min_cover=True) == [("chr1", None), ("chr2", "minCover")]


def test_global_near_best_keeps_ties_and_drops_below():
    a = three_exons(t_name="chr1")
    b = three_exons(t_name="chr2")
    c = three_exons(t_name="chr3", matches=980, mis=15)
    assert outcome([a, b, c], global_near_best=0.0) == [
        ("chr1", None), ("chr2", None), ("chr3", "globalBest")]
    # c's score is within 1% of the best
    assert outcome([a, b, c], global_near_best=0.01) == [("chr1", None), ("chr2", None), ("chr3", None)]


def test_local_near_best_needs_30_bases():
    short = make(matches=29, q_size=29, q_end=29, t_end=1029, sizes=(29,))
    assert outcome([short], local_near_best=0.01) == [("chr1", "localBest")]
    ok = make(matches=30, q_size=30, q_end=30, t_end=1030, sizes=(30,))
    assert outcome([ok], local_near_best=0.01) == [("chr1", None)]


def test_max_aligns_ties_keep_the_later_rows():
    rows = [three_exons(t_name=f"chr{i}") for i in (1, 2, 3)]
    assert outcome(rows, max_aligns=2) == [("chr1", "maxAligns"), ("chr2", None), ("chr3", None)]


def test_unique_mapped():
    rows = [three_exons(t_name="chr1"), three_exons(t_name="chr2")]
    assert outcome(rows, unique_mapped=True) == [("chr1", "nonUnique"), ("chr2", "nonUnique")]


def test_best_overlap_drops_duplicates():
    rows = [three_exons(), three_exons()]
    assert sorted([r for _, r in outcome(rows, best_overlap=True)], key=str) == [None, "overlap"]


def test_presets_and_overrides():
    rows = read_psl(PSL_DIR / "refseq_mrna.psl")
    res = {(p.q_name, p.t_name): r for p, r, _ in filter_alignments(rows, preset="genbank-finished")}
    assert res[("NM_000001.1", "chr1")] is None
    assert res[("NM_000001.1", "chr2")] == "globalBest"
    assert res[("NM_000001.1", "chr3")] == "minCover"
    assert res[("NR_000003.1", "chr5")] == "minNonRepSize"
    looser = {(p.q_name, p.t_name): r for p, r, _ in
              filter_alignments(rows, preset="genbank-finished", min_cover=0.05)}
    assert looser[("NM_000001.1", "chr3")] == "globalBest"
    with pytest.raises(UsageError):
        list(filter_alignments(rows, preset="nope"))
    with pytest.raises(UsageError):
        list(filter_alignments(rows, min_id=1.5))
    with pytest.raises(UsageError):
        list(filter_alignments(rows, local_near_best=0.1, global_near_best=0.1))


def test_not_grouped_is_an_error_unless_sorted():
    rows = read_psl(PSL_DIR / "not_grouped.psl")
    with pytest.raises(ParseError, match="not grouped by query name"):
        list(filter_alignments(rows, path="not_grouped.psl"))
    assert [p.q_name for p, _, _ in filter_alignments(rows, sort=True)] == [
        "NM_000001.1", "NM_000001.1", "NM_000002.1"]
    assert len(list(filter_alignments(rows, require_grouped=False))) == 3


def test_inconsistent_q_size():
    rows = read_psl(PSL_DIR / "inconsistent_qsize.psl")
    with pytest.raises(RefseqtracksError,
                       match="Inconsistent qSize for alignment of NM_000001.1, found 1000 and 1100"):
        list(filter_alignments(rows))


def test_stats_table():
    stats = FilterStats()
    rows = read_psl(PSL_DIR / "refseq_mrna.psl")
    list(filter_alignments(rows, preset="genbank-finished", stats=stats))
    assert stats.format() == (
        "                   \tseqs\taligns\n"
        "             total:\t3\t6\n"
        "drop minNonRepSize:\t1\t1\n"
        "     drop minCover:\t1\t1\n"
        "   drop globalBest:\t1\t1\n"
        "              kept:\t2\t3\n")


def test_ucsc_refseq_preset_runs_psl_reps():
    rows = read_psl(PSL_DIR / "refseq_mrna.psl")
    res = [(p.q_name, p.t_name, r) for p, r, _ in filter_alignments(rows, preset="ucsc-refseq")]
    # kent's order: reverse input order within a query
    assert res[:3] == [("NM_000001.1", "chr3", "minAli"), ("NM_000001.1", "chr2", "minAli"),
                       ("NM_000001.1", "chr1", None)]
    loose = [r for _, r, _ in filter_alignments(rows, preset="ucsc-refseq", min_ali=0.9)]
    assert loose[:3] == ["minCover", "nearTop", None]
    with pytest.raises(UsageError):
        list(filter_alignments(rows, preset="ucsc-refseq", min_id=0.9))


def test_invalid_rows_dropped_unless_no_validate():
    bad = make(q_start=5)
    assert outcome([bad]) == [("chr1", "invalid")]
    assert outcome([bad], validate=False) == [("chr1", None)]
