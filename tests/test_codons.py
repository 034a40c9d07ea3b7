"""Genetic codes, transl_except, the codon walk, codon colours and the CDS validation record."""
from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from refseqtracks.codons import (PARTIAL_RGB, START_RGB, STOP_RGB, codon_color,
                                 format_codon_bed_lines, lighter_shade, protein_of, validate_walk,
                                 walk_codons)
from refseqtracks.errors import RefseqtracksError
from refseqtracks.formats.genepred import read_genepred
from refseqtracks.frames import calc_exon_frames
from refseqtracks.genetic_code import (TABLES, choose_transl_table, genetic_code, is_mito_seqid,
                                       parse_transl_except, reverse_complement, translate)
from refseqtracks.genome import GenomeError, open_genome
from refseqtracks.model import Transcript

TINY_FA = FIXTURES / "codons" / "tiny.fa"
TINY_GP = FIXTURES / "codons" / "tiny.gp"


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REFSEQTRACKS_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def genome():
    with open_genome(TINY_FA) as g:
        yield g


def expected_proteins() -> dict[str, str]:
    lines = (FIXTURES / "codons" / "expected_proteins.fa").read_text().split()
    return {h[1:]: s for h, s in zip(lines[0::2], lines[1::2])}


def tiny(name: str) -> Transcript:
    return next(t for t in read_genepred(TINY_GP) if t.name == name)


# -- genetic codes ---------------------------------------------------------------------------

@pytest.mark.parametrize("table_id", sorted(TABLES), ids=lambda t: f"table{t}")
def test_every_table_is_complete(table_id):
    code = genetic_code(table_id)
    assert len([c for c in code.table if "U" not in c]) == 64
    assert code.starts and all(len(c) == 3 for c in code.starts)
    assert "ATG" in code.starts or table_id == 0
    assert code.stops == frozenset(c for c, a in code.table.items() if a == "*" and "U" not in c)


@pytest.mark.parametrize("table_id,codon,aa", [
    (1, "TGA", "*"), (2, "TGA", "W"), (2, "AGA", "*"), (2, "AGG", "*"), (2, "ATA", "M"),
    (3, "CTG", "T"), (4, "TGA", "W"), (5, "AGA", "S"), (6, "TAA", "Q"), (11, "TGA", "*"),
    (1, "NNN", "X"), (1, "AC", "X"), (1, "ACU", "T"),
], ids=lambda v: str(v))
def test_code_differences(table_id, codon, aa):
    assert genetic_code(table_id).translate_codon(codon) == aa


def test_translate_and_unknown_table():
    assert translate("ATGGCCTGA", 1) == "MA*"
    assert translate("atggcctgaA", 2) == "MAW"
    with pytest.raises(RefseqtracksError, match="unknown genetic code"):
        genetic_code(99)


def test_reverse_complement_iupac():
    assert reverse_complement("ACGTNRYacgt") == "acgtRYNACGT"


@pytest.mark.parametrize("text,positions,aa", [
    ("(pos:4261..4262%2Caa:TERM)", {4260, 4261}, "*"),
    ("(pos:5511..5511,aa:TERM)", {5510}, "*"),
    ("(pos:complement(14145..14147),aa:Sec)", {14144, 14145, 14146}, "U"),
    ("(pos:join(100..101,200..200),aa:Trp)", {99, 100, 199}, "W"),
    ("(pos:12,aa:OTHER)", {11}, "X"),
], ids=["term-pair", "term-single", "complement-sec", "join", "other"])
def test_parse_transl_except(text, positions, aa):
    (te,) = parse_transl_except(text)
    assert te.positions == positions and te.aa == aa


def test_parse_several_transl_except():
    tes = parse_transl_except(["(pos:1..3%2Caa:Sec)", "(pos:7..9%2Caa:Pyl)"])
    assert [t.aa for t in tes] == ["U", "O"]


@pytest.mark.parametrize("seqid,attrs,mito,override,expected", [
    ("chr1", None, (), None, 1),
    ("chrM", None, (), None, 2),
    ("NC_012920.1", None, (), None, 2),
    ("NC_001224.1", {"transl_table": ("3",)}, ("NC_001224.1",), None, 3),
    ("NC_000913.3", {"transl_table": ("11",)}, (), None, 11),
    ("contig9", None, ("contig9",), None, 2),
    ("chrM", None, (), 5, 5),
], ids=["standard", "chrM", "rCRS", "yeast-mito-attr", "bacteria", "region-mito", "override"])
def test_choose_transl_table(seqid, attrs, mito, override, expected):
    assert choose_transl_table(seqid, attrs, mito_seqids=mito, override=override) == expected


def test_is_mito_seqid():
    assert is_mito_seqid("MT") and is_mito_seqid("NC_012920.1") and not is_mito_seqid("chr1")


# -- the walk on the designed fixtures ------------------------------------------------------

@pytest.mark.parametrize("name", ["NM_000001.1", "NM_000002.1", "XM_000003.1", "NM_000004.1"])
def test_walk_translates_designed_proteins(genome, name):
    walk = walk_codons(tiny(name), genome)
    assert protein_of(walk) == expected_proteins()[name]


def test_split_codon_parts_share_the_index(genome):
    walk = walk_codons(tiny("NM_000001.1"), genome)
    c7 = walk.codons[6]
    assert c7.parts == ((38, 40, 0), (60, 61, 1)) and c7.aa == "A" and c7.bases == "GCT"
    lines = [ln for ln in format_codon_bed_lines(walk) if ":7A\t" in ln]
    assert [ln.split("\t")[11] for ln in lines] == ["1", "2"]


def test_minus_strand_split_codon(genome):
    walk = walk_codons(tiny("NM_000002.1"), genome)
    c11 = walk.codons[10]
    # transcription order: the 2 bases in the upstream (genomically higher) exon come first
    assert c11.parts == ((260, 262, 1), (229, 230, 0)) and c11.aa == "P"
    rows = format_codon_bed_lines(walk)
    starts = [int(r.split("\t")[1]) for r in rows]
    assert starts == sorted(starts)


def test_five_prime_partial(genome):
    walk = walk_codons(tiny("XM_000003.1"), genome)
    assert not walk.codons[0].complete and walk.codons[0].aa == "X"
    assert not walk.five_prime_complete
    rec = validate_walk(walk)
    assert rec["startOk"] == "partial" and rec["problems"] == "ok"


def test_frameshift_is_reported(genome):
    walk = walk_codons(tiny("NM_000004.1"), genome)
    assert walk.frameshifts == [2]
    rec = validate_walk(walk)
    assert rec["frameshifts"] == "2" and "frameshift" in rec["problems"]
    assert validate_walk(walk, exceptions=("unclassified translation discrepancy",))["problems"] == "ok"


def test_selenocysteine_transl_except(genome):
    tx = tiny("NM_000005.1")
    plain = walk_codons(tx, genome)
    assert protein_of(plain) == "MKL*VST" and validate_walk(plain)["problems"] == "internalStop"
    walk = walk_codons(tx, genome, transl_except=parse_transl_except("(pos:510..512%2Caa:Sec)"))
    assert protein_of(walk) == expected_proteins()["NM_000005.1"]
    rec = validate_walk(walk)
    assert rec["problems"] == "ok" and rec["translExcept"] == "(pos:510..512,aa:Sec)"


def test_mito_polya_stop(genome):
    tx = tiny("YP_000006.1")
    walk = walk_codons(tx, genome, code=2)
    assert protein_of(walk) == "MKLLWVS"
    assert validate_walk(walk)["problems"] == "cdsLengthNotMultipleOf3,noStopCodon"
    walk = walk_codons(tx, genome, code=2, transl_except=parse_transl_except("(pos:32..33,aa:TERM)"))
    last = walk.codons[-1]
    assert last.bases == "TA" and last.aa == "*" and last.transl_except is not None
    assert protein_of(walk) == "MKLLWVS" and protein_of(walk, include_stop=True) == "MKLLWVS*"
    assert validate_walk(walk)["problems"] == "ok"
    # the standard code reads ATA as Ile, so no start codon there
    std = walk_codons(tx, genome, code=1)
    assert std.codons[0].aa == "I" and "noStartCodon" in validate_walk(std)["problems"]


def test_alternative_start_only_on_complete_five_prime(genome):
    tx = replace(tiny("NM_000001.1"))
    walk = walk_codons(tx, genome)
    assert walk.codons[0].start
    partial = walk_codons(replace(tx, cds_start_stat="incmpl"), genome)
    assert not partial.codons[0].start and partial.codons[0].aa == "M"  # ATG is Met anyway


def test_noncoding_has_no_codons(genome):
    walk = walk_codons(tiny("NR_000007.1"), genome)
    assert walk.codons == [] and format_codon_bed_lines(walk) == []


def test_slippage_rereads_the_overlapping_base(genome):
    # -1 slippage between two abutting blocks (the GFF3 CDS parts overlapped by one base)
    # as gff3ToGenePred stores it: second block starts at the first block's end, frame + 1
    tx = Transcript("S", "chr1", "+", 20, 61, 20, 61, (20, 41), (41, 61), exon_frames=(0, 1))
    plain = walk_codons(tx, genome)
    slipped = walk_codons(tx, genome, slippage=True)
    assert plain.frameshifts == slipped.frameshifts == [2]
    assert slipped.reread == 1
    c = slipped.codons[7]
    assert c.parts == ((40, 41, 0), (41, 43, 1)) and c.complete
    assert all(x.complete for x in slipped.codons) and len(slipped.codons) == 14
    assert [x.complete for x in plain.codons].count(False) == 1 and protein_of(plain)[7] == "X"


def test_minus_strand_slippage_rereads_the_first_base_of_the_block():
    # true CDS on '-': 5' part [40,61) then 3' part [20,41), both reading base 40;
    # gff3ToGenePred cuts the overlap off the genomically later part -> exons [20,41) [41,61)
    rnd = random.Random(3)
    seq = "".join(rnd.choice("ACGT") for _ in range(70))
    true_cds = reverse_complement(seq[40:61]) + reverse_complement(seq[20:41])
    tx = Transcript("M", "c", "-", 20, 61, 20, 61, (20, 41), (41, 61), exon_frames=(0, 0))
    g = MemGenome({"c": seq})
    slipped = walk_codons(tx, g, slippage=True)  # type: ignore[arg-type]
    assert "".join(c.bases for c in slipped.codons) == true_cds
    assert all(c.complete for c in slipped.codons) and len(slipped.codons) == 14
    assert slipped.codons[6].parts == ((41, 43, 1), (40, 41, 0))
    plain = walk_codons(tx, g)  # type: ignore[arg-type]
    assert [c.complete for c in plain.codons].count(False) == 1


def test_genome_errors_name_the_transcript(genome):
    tx = Transcript("NM_9.1", "chrX", "+", 0, 30, 0, 30, (0,), (30,))
    with pytest.raises(GenomeError, match="NM_9.1.*chrX is not in genome"):
        walk_codons(tx, genome)
    tx = replace(tx, chrom="chrM", tx_start=180, cds_start=180, tx_end=210, cds_end=210,
                 exon_starts=(180,), exon_ends=(210,))
    with pytest.raises(GenomeError, match="NM_9.1.*outside chrM"):
        walk_codons(tx, genome)


# -- colours ---------------------------------------------------------------------------------

def test_lighter_shade():
    assert lighter_shade((0, 0, 0)) == (84, 84, 84)
    assert lighter_shade((12, 12, 120)) == (92, 92, 164)
    assert lighter_shade((255, 255, 255)) == (254, 254, 254)


def test_codon_colours(genome):
    walk = walk_codons(tiny("NM_000001.1"), genome)
    rgb, light = (10, 20, 30), lighter_shade((10, 20, 30))
    cs = walk.codons
    assert codon_color(cs[0], rgb, light) == START_RGB
    assert codon_color(cs[-1], rgb, light) == STOP_RGB
    assert codon_color(cs[6], rgb, light) == PARTIAL_RGB  # spliced
    assert codon_color(cs[1], rgb, light) == light and codon_color(cs[2], rgb, light) == rgb


# -- property: parts of a complete CDS concatenate to the CDS and translate to the protein ---

class MemGenome:
    def __init__(self, seqs):
        self.seqs = seqs

    def fetch(self, chrom, start, end):
        return self.seqs[chrom][start:end]


@st.composite
def coding_transcripts(draw):
    n = draw(st.integers(1, 5))
    lengths = draw(st.lists(st.integers(1, 25), min_size=n, max_size=n))
    introns = draw(st.lists(st.integers(1, 8), min_size=n, max_size=n))
    starts, ends, pos = [], [], 5
    for ln, gap in zip(lengths, introns):
        starts.append(pos)
        ends.append(pos + ln)
        pos += ln + gap
    exonic = [p for s, e in zip(starts, ends) for p in range(s, e)]
    assume_len = len(exonic)
    i = draw(st.integers(0, assume_len - 1))
    ncodons = draw(st.integers(1, max(1, (assume_len - i) // 3)))
    j = i + 3 * ncodons
    if j > assume_len:
        j = i + (assume_len - i) // 3 * 3
    if j <= i:
        i, j = 0, assume_len // 3 * 3
    cds_start, cds_end = exonic[i], exonic[j - 1] + 1
    strand = draw(st.sampled_from("+-"))
    seed = draw(st.integers(0, 2**16))
    tx = Transcript("T", "c", strand, starts[0], ends[-1], cds_start, cds_end, tuple(starts), tuple(ends))
    if draw(st.booleans()):
        tx = replace(tx, exon_frames=calc_exon_frames(tx))
    return tx, seed, pos + 5


@settings(max_examples=150, deadline=None)
@given(coding_transcripts())
@example((Transcript("T", "c", "-", 5, 30, 6, 26, (5, 12), (10, 30)), 1, 40))
def test_codon_parts_rebuild_the_cds(case):
    tx, seed, size = case
    if tx.cds_length() < 3:
        return
    rnd = random.Random(seed)
    seq = "".join(rnd.choice("ACGT") for _ in range(size))
    genome = MemGenome({"c": seq})
    walk = walk_codons(tx, genome)  # type: ignore[arg-type]
    cds = "".join(seq[s:e] for s, e in tx.cds_blocks())
    if tx.strand == "-":
        cds = reverse_complement(cds)
    parts_len = sum(e - s for c in walk.codons for s, e, _ in c.parts)
    assert parts_len == tx.cds_length() == walk.cds_length
    assert "".join(c.bases for c in walk.codons) == cds
    assert all(c.complete for c in walk.codons)
    assert [c.index for c in walk.codons] == list(range(1, len(walk.codons) + 1))
    aas = "".join(c.aa for c in walk.codons)
    expected = translate(cds, 1)
    if walk.codons[0].start:
        expected = "M" + expected[1:]
    assert aas == expected
    for c in walk.codons:
        for s, e, i in c.parts:
            assert tx.exon_starts[i] <= s < e <= tx.exon_ends[i]
            assert tx.cds_start <= s and e <= tx.cds_end


@settings(max_examples=150, deadline=None)
@given(coding_transcripts(), st.lists(st.integers(-1, 2), min_size=5, max_size=5), st.booleans())
@example((Transcript("T", "c", "+", 5, 30, 6, 24, (5, 12), (10, 30)), 1, 40), [2, 1, 0, 0, 0], True)
def test_any_frames_cover_each_cds_base_once(case, frames, slippage):
    """Whatever the exonFrames say, without slippage every CDS base is in exactly one codon."""
    tx, seed, size = case
    tx = replace(tx, exon_frames=tuple(frames[: len(tx.exon_starts)]))
    rnd = random.Random(seed)
    seq = "".join(rnd.choice("ACGTN") for _ in range(size))
    walk = walk_codons(tx, MemGenome({"c": seq}), slippage=slippage)  # type: ignore[arg-type]
    covered = [p for c in walk.codons for s, e, _ in c.parts for p in range(s, e)]
    assert all(1 <= len(c.bases) <= 3 for c in walk.codons)
    assert all(len(c.bases) == sum(e - s for s, e, _ in c.parts) for c in walk.codons)
    assert all((c.aa == "X") or c.complete or c.transl_except for c in walk.codons)
    if walk.reread == 0:
        assert sorted(covered) == [p for s, e in tx.cds_blocks() for p in range(s, e)]
    else:
        assert len(covered) == tx.cds_length() + walk.reread
    lines = format_codon_bed_lines(walk)
    assert len(lines) == sum(len(c.parts) for c in walk.codons)
    starts = [int(ln.split("\t")[1]) for ln in lines]
    assert starts == sorted(starts)
