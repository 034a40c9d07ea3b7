"""Transcript/CDS/protein sequences and the genome reader, on our fixtures and on real RefSeq data."""
from __future__ import annotations

import gzip
import re
import shutil

import pytest

from conftest import fasta_dict as _fasta_dict, FIXTURES, shared_path
from refseqtracks.cdsannot import scan_gff3_cds
from refseqtracks.codons import protein_of, walk_codons
from refseqtracks.errors import RefseqtracksError
from refseqtracks.formats.genepred import read_genepred
from refseqtracks.genetic_code import genetic_code, reverse_complement
from refseqtracks.genome import GenomeError, open_genome
from refseqtracks.sequences import (fasta_defline, format_fasta_record, transcript_cds,
                                    transcript_rna)

TINY_FA = FIXTURES / "codons" / "tiny.fa"
TINY_GP = FIXTURES / "codons" / "tiny.gp"
TINY_GFF3 = FIXTURES / "codons" / "tiny.gff3"


pytestmark = pytest.mark.usefixtures("genome_cache")


def fasta_dict(text: str) -> dict[str, str]:
    return _fasta_dict(text, first_word=True)


def tiny_seq(chrom: str) -> str:
    return fasta_dict(TINY_FA.read_text())[chrom]


# -- genome access ---------------------------------------------------------------------------

def test_plain_fasta_is_indexed_in_the_cache_not_beside_it(tmp_path):
    src = tmp_path / "g.fa"
    shutil.copy(TINY_FA, src)
    with open_genome(src, cache_dir=tmp_path / "c") as g:
        assert g.fetch("chr1", 0, 10) == tiny_seq("chr1")[:10]
        assert g.length("chrM") == 200
    assert not (tmp_path / "g.fa.fai").exists()
    assert any(p.suffix == ".fai" for p in (tmp_path / "c").iterdir())


def test_bgzip_and_plain_gzip_genomes(tmp_path):
    import pysam

    bgz = tmp_path / "g.fa.gz"
    pysam.tabix_compress(str(TINY_FA), str(bgz))
    gz = tmp_path / "plain.fa.gz"
    with gzip.open(gz, "wb") as f:
        f.write(TINY_FA.read_bytes())
    for path in (bgz, gz):
        with open_genome(path, cache_dir=tmp_path / "c") as g:
            assert g.fetch("chrM", 50, 90) == tiny_seq("chrM")[50:90]


def test_unequal_line_lengths_fall_back_to_memory(tmp_path):
    p = tmp_path / "ragged.fa"
    p.write_text(">a\nACGT\nAC\nACGTAC\n>b desc\nNNNN\n")
    with open_genome(p, cache_dir=tmp_path / "c") as g:
        assert g.fetch("a", 0, 12) == "ACGTACACGTAC" and g.names == ["a", "b"]


def test_version_insensitive_names(tmp_path):
    p = tmp_path / "v.fa"
    p.write_text(">NC_000001 no version\nACGTACGT\n>NC_000002.3\nGGGG\n")
    with open_genome(p, cache_dir=tmp_path / "c") as g:
        assert g.resolve("NC_000001.1") == "NC_000001"
        assert g.resolve("NC_000002") == "NC_000002.3"
        assert g.resolve("NC_000003.1") is None


@pytest.mark.parametrize("content,message", [
    ("", "is empty"),
    ("chr1\t0\t10\n", "not a FASTA file"),
], ids=["empty", "not-fasta"])
def test_bad_genome_files(tmp_path, content, message):
    p = tmp_path / "bad.fa"
    p.write_text(content)
    with pytest.raises(RefseqtracksError, match=message):
        open_genome(p, cache_dir=tmp_path / "c")


def test_missing_genome_file(tmp_path):
    with pytest.raises(RefseqtracksError, match="can't open genome"):
        open_genome(tmp_path / "nope.fa")


def test_non_nucleotide_characters(tmp_path):
    p = tmp_path / "x.fa"
    p.write_text(">c\nACGTXACGT1\n")
    with open_genome(p, cache_dir=tmp_path / "c") as g:
        assert g.fetch("c", 0, 4) == "ACGT"
        with pytest.raises(GenomeError, match=r"non-nucleotide character 'X' at c:5"):
            g.fetch("c", 0, 10)


# -- sequences on the fixtures ---------------------------------------------------------------

@pytest.fixture
def genome():
    with open_genome(TINY_FA) as g:
        yield g


def test_rna_and_cds_on_both_strands(genome):
    chr1 = tiny_seq("chr1")
    txs = {t.name: t for t in read_genepred(TINY_GP)}
    plus, minus = txs["NM_000001.1"], txs["NM_000002.1"]
    assert transcript_rna(plus, genome) == chr1[10:40] + chr1[60:100] + chr1[130:170]
    assert transcript_cds(plus, genome) == chr1[20:40] + chr1[60:100] + chr1[130:151]
    assert transcript_rna(minus, genome) == reverse_complement(chr1[200:230] + chr1[260:300])
    cds = transcript_cds(minus, genome)
    assert cds == reverse_complement(chr1[214:230] + chr1[260:292])
    assert cds.startswith("ATG") and cds.endswith("TAA")
    assert transcript_cds(txs["NR_000007.1"], genome) == ""


def test_five_prime_partial_cds_starts_at_the_first_complete_codon(genome):
    tx = next(t for t in read_genepred(TINY_GP) if t.name == "XM_000003.1")
    cds = transcript_cds(tx, genome)
    assert cds == tiny_seq("chr1")[322:379] and len(cds) % 3 == 0


def test_fasta_record_wrapping():
    assert format_fasta_record(">a", "ACGT", width=2) == ">a\nAC\nGT\n"
    assert format_fasta_record(">a", "ACG", width=0) == ">a\nACG\n"
    assert format_fasta_record(">a", "A" * 71).split("\n")[1:3] == ["A" * 70, "A"]


def test_defline():
    tx = next(iter(read_genepred(TINY_GP)))
    assert fasta_defline(tx) == ">NM_000001.1 GENE1"


def test_cds_annotation_scan():
    ann = scan_gff3_cds(TINY_GFF3)
    assert ann.mito_seqids == {"chrM"}
    sec = ann.by_span[("chr1", "+", 500, 524)]
    assert [t.aa for t in sec.transl_except] == ["U"]
    partial = ann.by_span[("chr1", "+", 320, 379)]
    assert partial.partial_start and not partial.partial_end
    assert ann.by_span[("chr1", "+", 400, 470)].exceptions == ("unclassified translation discrepancy",)


# -- real RefSeq data: NCBI's own translations and gffread's outputs -------------------------

def _gbff_translations(path) -> dict[str, str]:
    text = path.read_text()
    return {pid: re.sub(r"\s+", "", tr)
            for pid, tr in re.findall(r'/protein_id="([^"]+)".*?/translation="([^"]+)"', text, re.S)}


def _proteins(gff3, fasta) -> dict[str, str]:
    from refseqtracks.cli.codons import _completeness, load_transcripts

    out = {}
    with open_genome(fasta) as g:
        _, txs, ann = load_transcripts(str(gff3))
        for tx in txs:
            if not tx.is_coding:
                continue
            info, table = ann.for_transcript(tx)
            five, _ = _completeness(tx, info)
            walk = walk_codons(tx, g, code=genetic_code(table), transl_except=info.transl_except,
                               slippage=info.slippage, five_prime_complete=five)
            out[tx.name] = protein_of(walk)
    return out


@pytest.mark.parametrize("gff3", [
    ("data", "gff3", "refseq_human", "cdot_refseq_grch38.p14_mt.gff"),
    ("data", "gff3", "refseq_human", "cdot_refseq_grch37_mt.gff"),
    ("data", "gff3", "ncbi_record_gff3", "NC_012920.1.gff3"),
], ids=["grch38-mt", "grch37-mt", "record-mt"])
def test_human_mitochondrion_matches_ncbi_translations(gff3):
    pytest.importorskip("refseqtracks.assemble")
    expected = _gbff_translations(shared_path("data", "genbank", "NC_012920.1.gbff"))
    ours = _proteins(shared_path(*gff3), shared_path("data", "fasta", "genome", "NC_012920.1_human_mito.fa"))
    assert len(expected) == 13
    assert {k: ours.get(k) for k in expected} == expected


def test_refseqgene_record_protein_is_a_suffix_of_ncbi_protein():
    # NG_012337.1's CDS for NP_060665.3 starts mid-codon inside the record (5' partial there)
    pytest.importorskip("refseqtracks.assemble")
    ours = _proteins(shared_path("data", "gff3", "ncbi_record_gff3", "NG_012337.1.gff3"),
                     shared_path("data", "fasta", "records", "NG_012337.1.fasta"))
    np_ = "".join(shared_path("data", "fasta", "records", "NP_060665.3.fasta").read_text().split("\n")[1:])
    assert len(ours["NM_018195.3"]) > 180 and np_.endswith(ours["NM_018195.3"])


@pytest.mark.parametrize("gff3,fasta", [
    ("nfcore_NC_045512.2_GCF_009858895.2.gff", "NC_045512.2_sars-cov-2.fa"),
    ("nextclade_mpox_NC_063383.1.gff3", "NC_063383.1_mpox.fa"),
    ("nextclade_sudan_ebolavirus_NC_006432.1.gff3", "NC_006432.1_sudv.fa"),
], ids=["sars-cov-2", "mpox", "sudan"])
def test_viral_proteins_are_clean(gff3, fasta):
    pytest.importorskip("refseqtracks.assemble")
    ours = _proteins(shared_path("data", "gff3", "refseq_viral", gff3),
                     shared_path("data", "fasta", "genome", fasta))
    assert ours
    for name, prot in ours.items():
        assert prot.startswith("M"), name
        assert "*" not in prot and "X" not in prot, name


def test_sars_cov_2_orf1ab_slippage_gives_pp1ab():
    # kent's default assembly of the NCBI gene (two CDS children) is invalid and dropped, so
    # build the pp1ab transcript as gff3ToGenePred stores an mRNA with the two overlapping CDS
    # parts 266..13468 and 13468..21555: the second block starts at the first's end, frame 1.
    from refseqtracks.model import Transcript

    tx = Transcript("YP_009724389.1", "NC_045512.2", "+", 265, 21555, 265, 21555,
                    (265, 13468), (13468, 21555), exon_frames=(0, 1))
    with open_genome(shared_path("data", "fasta", "genome", "NC_045512.2_sars-cov-2.fa")) as g:
        garbled = protein_of(walk_codons(tx, g))
        pp1ab = protein_of(walk_codons(tx, g, slippage=True))
    assert len(pp1ab) == 7096 and "X" not in pp1ab and "*" not in pp1ab
    assert "SFLNRVCGVSAARLTPCGTGTSTDVVYRAFDIYN" in pp1ab
    assert garbled.count("X") == 1 and garbled.replace("X", "R") == pp1ab


@pytest.mark.parametrize("gff3,fasta,expected_dir,files", [
    ("gffread_hg38_t_sel.gff3", "gffread_hg38test_chr19_alts.fa", "hg38_t_sel",
     {"rna": "hg38_t_sel.w.fa", "cds": "hg38_t_sel.x.fa", "protein": "hg38_t_sel.y.fa"}),
    ("gffread_NT_187562.1_annotation.gff", "gffread_NT_187562.1.fa", "NT_187562.1",
     {"rna": "transcripts.fa", "cds": "transcripts_CDS.fa", "protein": "transcripts_prot.fa"}),
], ids=["hg38_t_sel", "NT_187562.1"])
def test_sequences_match_gffread(tmp_path, gff3, fasta, expected_dir, files):
    pytest.importorskip("refseqtracks.assemble")
    from refseqtracks.cli.codons import main_sequences

    src = shared_path("data", "gff3", "refseq_human", gff3)
    genome = shared_path("data", "fasta", "genome", fasta)
    for kind, name in files.items():
        out = tmp_path / f"{kind}.fa"
        assert main_sequences([str(src), "--genome", str(genome), "-t", kind, "-o", str(out)]) == 0
        theirs = fasta_dict(shared_path("data", "misc", "gffread_expected", expected_dir, name).read_text())
        ours = fasta_dict(out.read_text())
        # gffread names records by GFF3 ID (rna123), we by accession: compare the sequences
        assert sorted(ours.values()) == sorted(theirs.values()), kind
        assert all(len(line) <= 70 for line in out.read_text().splitlines())


@pytest.mark.parametrize("parts,table", [
    (("gff3", "refseq_bacteria", "GCF_000020065.1_ASM2006v1_genomic.gff"), 4),
    (("gff3", "refseq_bacteria", "GCF_000005845.2_ASM584v2_genomic.gff.gz"), 11),
], ids=["mycoplasma", "e-coli"])
def test_bacterial_codes_come_from_the_cds_rows(parts, table):
    from refseqtracks.model import Transcript

    ann = scan_gff3_cds(shared_path("data", *parts))
    assert len(ann.by_span) > 400
    tables = {a.transl_table for a in ann.by_span.values()}
    assert tables == {table}
    (seqid, strand, start, end), _ = next(iter(ann.by_span.items()))
    tx = Transcript("x", seqid, strand, start, end, start, end, (start,), (end,))
    assert ann.for_transcript(tx)[1] == table


def _gbff_mrna(path):
    """(accession, mRNA sequence, CDS start0, CDS end, translation) of a GenBank mRNA record."""
    text = path.read_text()
    acc = re.search(r"^VERSION\s+(\S+)", text, re.M)
    acc = acc.group(1) if acc else re.search(r"^LOCUS\s+(\S+)", text, re.M).group(1)
    m = re.search(r"^\s+CDS\s+<?(\d+)\.\.>?(\d+)\s*$", text, re.M)
    seq = re.sub(r"[^a-z]", "", text.split("\nORIGIN", 1)[1].split("\n//", 1)[0])
    trans = re.sub(r"\s+", "", re.search(r'/translation="([^"]+)"', text, re.S).group(1))
    return acc, seq, int(m.group(1)) - 1, int(m.group(2)), trans


@pytest.mark.parametrize("record", ["rna.NM_001996.gbff", "rna.NM_001396027.gbff"])
def test_mrna_record_translation_matches_ncbi(tmp_path, record):
    from refseqtracks.cli.codons import main_sequences

    acc, seq, cs, ce, trans = _gbff_mrna(shared_path("data", "genbank", record))
    fa = tmp_path / "mrna.fa"
    fa.write_text(f">{acc}\n{seq}\n")
    gp = tmp_path / "mrna.gp"
    gp.write_text(f"{acc}\t{acc}\t+\t0\t{len(seq)}\t{cs}\t{ce}\t1\t0,\t{len(seq)},\n")
    out = tmp_path / "p.fa"
    assert main_sequences([str(gp), "-g", str(fa), "-t", "protein", "-o", str(out)]) == 0
    assert fasta_dict(out.read_text())[acc] == trans


def test_oaz1_plus_one_slippage_matches_genepredtoprot():
    # the NM_004152.3 record's two CDS parts skip one base (+1 ribosomal frameshift)
    pytest.importorskip("refseqtracks.assemble")
    ours = _proteins(shared_path("data", "gff3", "ncbi_record_gff3", "NM_004152.3.gff3"),
                     shared_path("data", "fasta", "records", "NM_004152.3.fasta"))
    kent = fasta_dict(shared_path("data", "genepred", "kent_genePredToProt", "expected",
                                  "refSeqTest.prot.fa").read_text())
    assert list(ours.values()) == [kent["NM_004152.3"]]
