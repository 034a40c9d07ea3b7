"""Haplotype sets: projection through hap-to-reference alignments and linking to reference hits."""
from __future__ import annotations

from conftest import FIXTURES
from refseqtracks.alignfilter import CDnaAlign, FilterOptions, filter_alignments
from refseqtracks.formats.psl import read_psl
from refseqtracks.hapregions import HapRegions, build_hap_sets
from test_psl import make

PSL_DIR = FIXTURES / "psl"
REGIONS = HapRegions.read(str(PSL_DIR / "hap_mappings.psl"))


def test_projection_forward_and_reversed_mappings():
    fwd = make(t_name="chr6_hap1", t_size=1000, t_start=100, t_end=200, t_starts=(100,))
    assert REGIONS.project(fwd) == {("chr6", "+"): [(5100, 5200)]}
    # chr5_hap1 runs backwards along chr5 2000..3000: hap f <-> chr5 2999 - f, strand flips
    rev = make(t_name="chr5_hap1", t_size=1000, t_start=700, t_end=800, t_starts=(700,))
    assert REGIONS.project(rev) == {("chr5", "-"): [(2200, 2300)]}
    assert not REGIONS.is_hap_chrom("chr6") and REGIONS.is_hap_chrom("chr6_hap1")


def alns(rows):
    opts = FilterOptions()
    return [CDnaAlign(p, i, opts) for i, p in enumerate(rows)]


def test_hap_linked_to_best_overlapping_reference():
    ref = make(t_name="chr6", t_size=100000, t_start=5100, t_end=5200, t_starts=(5100,))
    weaker = make(matches=95, mis=5, t_name="chr6", t_size=100000, t_start=5150, t_end=5250,
                  t_starts=(5150,))
    hap = make(matches=98, mis=2, t_name="chr6_hap1", t_size=1000, t_start=100, t_end=200,
               t_starts=(100,))
    far = make(t_name="chr6", t_size=100000, t_start=9000, t_end=9100, t_starts=(9000,))
    sets = build_hap_sets(alns([weaker, far, hap, ref]), REGIONS)
    assert len(sets) == 1
    assert [m.psl.t_start for m in sets[0].members] == [5100, 100]


def test_one_hap_alignment_per_hap_chromosome_and_set():
    ref = make(t_name="chr6", t_size=100000, t_start=5100, t_end=5200, t_starts=(5100,))
    ref2 = make(matches=97, mis=3, t_name="chr6", t_size=100000, t_start=5100, t_end=5200,
                t_starts=(5100,))
    hap_a = make(matches=99, mis=1, t_name="chr6_hap1", t_size=1000, t_start=100, t_end=200,
                 t_starts=(100,))
    hap_b = make(matches=98, mis=2, t_name="chr6_hap1", t_size=1000, t_start=100, t_end=200,
                 t_starts=(100,))
    sets = build_hap_sets(alns([ref, ref2, hap_a, hap_b]), REGIONS)
    # the better hap alignment takes the better reference alignment, the other the next one
    assert [(s.ref.psl.matches, s.haps["chr6_hap1"].psl.matches) for s in sets] == [(100, 99), (97, 98)]


def test_strand_must_agree_after_projection():
    ref = make(t_name="chr5", t_size=100000, t_start=2200, t_end=2300, t_starts=(2200,))
    hap = make(t_name="chr5_hap1", t_size=1000, t_start=700, t_end=800, t_starts=(700,))
    assert build_hap_sets(alns([ref, hap]), REGIONS) == []


def test_set_survives_near_best_and_counts_once_for_unique_mapped():
    rows = read_psl(PSL_DIR / "hap_alignments.psl")
    plain = {(p.q_name, p.t_name): r for p, r, _ in filter_alignments(rows, global_near_best=0.001)}
    assert plain[("NM_000010.1", "chr6_hap1")] == "globalBest"
    hap = {(p.q_name, p.t_name): r for p, r, _ in
           filter_alignments(rows, global_near_best=0.001, hap_regions=REGIONS)}
    assert hap[("NM_000010.1", "chr6_hap1")] is None
    assert hap[("NM_000010.1", "chr2")] == "globalBest"
    local = {(p.q_name, p.t_name): r for p, r, _ in
             filter_alignments(rows, local_near_best=0.001, unique_mapped=True,
                               hap_regions=REGIONS)}
    assert local[("NM_000011.1", "chr5_hap1")] is None
    assert local[("NM_000010.1", "chr6")] is None
    seen = []
    list(filter_alignments(rows, global_near_best=0.001, hap_regions=REGIONS,
                           on_hap_set=lambda members: seen.append([p.t_name for p in members])))
    assert seen == [["chr6", "chr6_hap1"], ["chr5", "chr5_hap1"]]
