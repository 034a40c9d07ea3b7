"""-partialCdsStat: cdsStartStat/cdsEndStat from RefSeq's partial ranges and the codons."""
from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import FIXTURES, shared_path
from refseqtracks.assemble import read_gff3
from refseqtracks.cdsannot import scan_gff3_cds
from refseqtracks.genetic_code import reverse_complement
from refseqtracks.model import Transcript
from refseqtracks.partial import codon_partial_ends, gff3_partial_ends, set_partial_cds_stats

PARTIAL = FIXTURES / "partial" / "partial_ranges.gff3"


class MemGenome:
    def __init__(self, seqs):
        self.seqs = seqs

    def fetch(self, chrom, start, end):
        return self.seqs[chrom][start:end]


def stats(path, **kw):
    ann = scan_gff3_cds(path) if kw.pop("scan", True) else None
    return {t.name: (t.cds_start_stat, t.cds_end_stat)
            for t in (set_partial_cds_stats(tx, annotations=ann, **kw)
                      for tx in read_gff3(path, refseq_hacks=True, warn_and_continue=True,
                                          report=lambda m: None))}


EXPECTED = {
    "P1": ("incmpl", "cmpl"),      # '+', start_range on gene and CDS: missing N-terminus
    "P2": ("cmpl", "incmpl"),      # '-', end_range: the genomic end is the 5' end
    "NM_3.1": ("cmpl", "cmpl"),    # mRNA partial in its 3' UTR only: the CDS is whole
    "NM_4.1": ("incmpl", "cmpl"),  # '-', mRNA start_range where the CDS ends: missing C-terminus
}


@pytest.mark.parametrize("scan", [True, False], ids=["cds-rows", "transcript-attrs"])
def test_fixture_ranges(scan):
    assert stats(PARTIAL, scan=scan) == EXPECTED


def test_default_stays_kent():
    assert {t.cds_start_stat + t.cds_end_stat for t in read_gff3(PARTIAL, refseq_hacks=True)} == {"cmplcmpl"}


def test_ncbi_problems_partial_genes():
    path = shared_path("data", "gff3", "kent_gff3ToGenePred", "input", "ncbiProblems.gff3")
    got = stats(path)
    assert got["EM97_RS0128530"] == ("cmpl", "incmpl")  # '-' gene with end_range=815,.
    assert got["EM97_RS47665"] == ("incmpl", "cmpl")    # '+' pseudogene with start_range=.,1
    assert {v for k, v in got.items() if not k.startswith("EM97")} <= {("cmpl", "cmpl"), ("none", "none")}


def test_real_bacteria_missing_termini():
    path = shared_path("data", "gff3", "refseq_bacteria", "GCF_000020065.1_ASM2006v1_genomic.gff")
    got = stats(path)
    assert got["rpsR"] == ("incmpl", "cmpl")  # '-', "missing C-terminus", start_range
    assert got["rpsE"] == ("cmpl", "incmpl")  # '-', "missing N-terminus", end_range


def _tx(strand, s, e, attrs=None):
    return Transcript("t", "c", strand, s, e, s, e, (s,), (e,), 0, "t", "cmpl", "cmpl", (0,), attrs)


def _mirror(tx: Transcript, size: int, attrs=None) -> Transcript:
    strand = "-" if tx.strand == "+" else "+"
    return Transcript(tx.name, tx.chrom, strand, size - tx.tx_end, size - tx.tx_start,
                      size - tx.cds_end, size - tx.cds_start, tuple(size - e for e in tx.exon_ends[::-1]),
                      tuple(size - s for s in tx.exon_starts[::-1]), 0, "t", "cmpl", "cmpl", (0,), attrs)


@given(s=st.integers(0, 50), n=st.integers(1, 50), strand=st.sampled_from("+-"),
       low=st.booleans(), high=st.booleans(), prefix=st.sampled_from(["", "gene:"]))
def test_ranges_mirror(s, n, strand, low, high, prefix):
    """Mirroring a transcript across the sequence swaps which genomic end is partial."""
    size = 200
    e = s + n

    def attrs(lo, hi, a, b):
        d = {}
        if lo:
            d[prefix + "start_range"] = (".", str(a + 1))
        if hi:
            d[prefix + "end_range"] = (str(b), ".")
        return d

    tx = _tx(strand, s, e, attrs(low, high, s, e))
    m = _mirror(tx, size, attrs(high, low, size - e, size - s))
    assert gff3_partial_ends(tx) == (low, high)
    assert gff3_partial_ends(m) == (high, low)


CODONS = st.sampled_from(["ATG", "TTG", "GCC", "AAA", "TAA", "TAG", "TGA", "CCC"])


@given(codons=st.lists(CODONS, min_size=2, max_size=8), flank=st.text("ACGT", max_size=4),
       strand=st.sampled_from("+-"))
@example(codons=["ATG", "TAA"], flank="", strand="+")
def test_codon_check_mirror(codons, flank, strand):
    """The 5'/3' verdicts follow the strand: on '-' the start codon is at cdsEnd."""
    cds = "".join(codons)
    plus_seq = flank + cds + flank
    s, e = len(flank), len(flank) + len(cds)
    plus = _tx("+", s, e)
    lo, hi = codon_partial_ends(plus, MemGenome({"c": plus_seq}), code=11)
    assert lo == (codons[0] not in ("ATG", "TTG"))  # table 11 starts include TTG
    assert hi == (codons[-1] not in ("TAA", "TAG", "TGA"))
    minus = _mirror(plus, len(plus_seq))
    assert codon_partial_ends(minus, MemGenome({"c": reverse_complement(plus_seq)}), code=11) == (hi, lo)


def test_codon_check_frame_and_genome_option():
    seq = "CATGAAATAAC"
    tx = _tx("+", 1, 10)
    assert set_partial_cds_stats(tx, genome=MemGenome({"c": seq})) is tx  # whole: stays cmpl cmpl
    shifted = Transcript("t", "c", "+", 1, 10, 1, 10, (1,), (10,), 0, "t", "cmpl", "cmpl", (1,))
    assert codon_partial_ends(shifted, MemGenome({"c": seq}))[0] is True  # frame 1: starts mid-codon
    short = _tx("+", 1, 7)
    got = set_partial_cds_stats(short, genome=MemGenome({"c": seq}))
    assert (got.cds_start_stat, got.cds_end_stat) == ("cmpl", "incmpl")
    nc = Transcript("n", "c", "+", 0, 5, 5, 5, (0,), (5,), 0, "n", "none", "none", (-1,))
    assert set_partial_cds_stats(nc, genome=MemGenome({"c": seq})) is nc


def test_sars_cov_2_codons(tmp_path):
    from refseqtracks.genome import open_genome

    gff = shared_path("data", "gff3", "refseq_viral", "nfcore_NC_045512.2_GCF_009858895.2.gff")
    fa = shared_path("data", "fasta", "genome", "NC_045512.2_sars-cov-2.fa")
    ann = scan_gff3_cds(gff)
    with open_genome(fa, cache_dir=tmp_path) as g:
        got = {t.name: (t.cds_start_stat, t.cds_end_stat)
               for t in (set_partial_cds_stats(tx, annotations=ann, genome=g)
                         for tx in read_gff3(gff, refseq_hacks=True, warn_and_continue=True,
                                             report=lambda m: None))}
    assert got["YP_009724390.1"] == ("cmpl", "cmpl")  # S: ATG ... stop
    assert set(got.values()) == {("cmpl", "cmpl")}


def test_explicit_feature_attrs():
    """The converter can pass its records' attributes directly (tx.attrs is then not needed)."""
    tx = _tx("-", 99, 190)
    mrna = {"end_range": ["190", "."], "partial": ["true"]}
    cds_row = {"start_range": [".", "100"]}
    assert gff3_partial_ends(tx, feature_attrs=[mrna]) == (False, True)
    assert gff3_partial_ends(tx, cds_attrs=[cds_row], feature_attrs=[{}]) == (True, False)
    assert gff3_partial_ends(tx, feature_attrs=[{"end_range": ["150", "."]}]) == (False, False)
    got = set_partial_cds_stats(tx, cds_attrs=[cds_row], feature_attrs=[mrna])
    assert (got.cds_start_stat, got.cds_end_stat) == ("incmpl", "incmpl")


def test_cds_row_range_counts_at_its_position():
    # two CDSs of one gene (alternative starts): the range belongs to the one that reaches it
    long_ = _tx("+", 0, 90)
    short = _tx("+", 30, 90)
    row = {"start_range": [".", "1"]}
    assert gff3_partial_ends(long_, cds_attrs=[row], feature_attrs=[]) == (True, False)
    assert gff3_partial_ends(short, cds_attrs=[row], feature_attrs=[]) == (False, False)
    assert gff3_partial_ends(short, cds_attrs=[{"start_range": ["."]}], feature_attrs=[]) == (True, False)


def test_genetic_code_from_the_cds_rows():
    # GTG starts a bacterial CDS (table 11) but not a standard-code one
    seq = "GTGAAATAA"
    tx = _tx("+", 0, 9)
    std = set_partial_cds_stats(tx, genome=MemGenome({"c": seq}))
    bact = set_partial_cds_stats(tx, genome=MemGenome({"c": seq}), cds_attrs=[{"transl_table": ["11"]}])
    assert std.cds_start_stat == "incmpl" and bact.cds_start_stat == "cmpl"
