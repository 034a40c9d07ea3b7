"""seqid -> UCSC names from the GRCh38 assembly report, chromAlias files and lift files."""
from __future__ import annotations

import pytest

from refseqtracks.chromnames import (
    ChromMap, Renamer, chrom_map_from_assembly_report, chrom_map_from_chrom_alias,
    chrom_map_from_lift, chrom_sizes_from_assembly_report, read_assembly_report,
)
from refseqtracks.errors import ParseError
from refseqtracks.model import Transcript

from conftest import shared_path

REPORT = ("assembly_reports", "GCF_000001405.39_GRCh38.p13_assembly_report.txt")


@pytest.fixture(scope="module")
def grch38():
    return chrom_map_from_assembly_report(shared_path("data", *REPORT))


@pytest.mark.parametrize("seqid,ucsc", [
    ("NC_000001.11", "chr1"), ("NC_000023.11", "chrX"), ("NC_012920.1", "chrM"),
    ("NT_187361.1", "chr1_KI270706v1_random"),      # unlocalized, named in the report
    ("NT_187562.1", "chr7_KI270803v1_alt"),         # alt locus, named in the report
    ("NW_009646194.1", "chr1_KN196472v1_fix"),      # fix patch: UCSC-style-name is na, derived
    ("NW_014040925.1", "chr1_KQ458382v1_alt"),      # novel patch: derived
    ("KI270752.1", "chrUn_KI270752v1"),             # unplaced, RefSeq-Accn na: by GenBank-Accn
    ("CM000663.2", "chr1"), ("MT", "chrM"),
], ids=lambda v: v)
def test_grch38_names(grch38, seqid, ucsc):
    assert grch38.get(seqid) == ucsc


def test_grch38_derived_and_sizes(grch38):
    assert "chr1_KN196472v1_fix" in grch38.derived and "chr1" not in grch38.derived
    assert grch38.sizes["chr1"] == 248956422 and grch38.sizes["chrM"] == 16569
    sizes = chrom_sizes_from_assembly_report(shared_path("data", *REPORT))
    assert sizes["NC_000001.11"] == 248956422
    ucsc = chrom_sizes_from_assembly_report(shared_path("data", *REPORT), key="ucsc")
    assert ucsc["chr1_KN196472v1_fix"] == 186494


def test_grch38_unmapped_are_listed(grch38):
    r = Renamer(grch38)
    assert r.name("NC_000001.11") == "chr1"
    assert r.name("NC_999999.1") == "NC_999999.1" and r.name("NC_999999.1") == "NC_999999.1"
    assert r.name("NW_1.1") == "NW_1.1"
    assert r.unmapped == {"NC_999999.1": 2, "NW_1.1": 1}
    assert "2 sequence name(s)" in r.summary() and "NC_999999.1" in r.summary()


def _tx(chrom, off=0):
    return Transcript("NM_1.1", chrom, "+", 10 + off, 50 + off, 20 + off, 40 + off, (10 + off, 30 + off),
                      (20 + off, 50 + off), attrs={"ID": ("rna-NM_1.1",)})


def test_renamer_drop_and_keep():
    cmap = ChromMap(names={"NC_1.1": "chr1"}, source="test")
    kept = list(Renamer(cmap).transcripts([_tx("NC_1.1"), _tx("NC_2.1")]))
    assert [t.chrom for t in kept] == ["chr1", "NC_2.1"]
    assert kept[0].attrs == {"ID": ("rna-NM_1.1",)}
    r = Renamer(cmap, drop_unmapped=True)
    assert [t.chrom for t in r.transcripts([_tx("NC_1.1"), _tx("NC_2.1")])] == ["chr1"]
    assert r.unmapped == {"NC_2.1": 1} and "dropped" in r.summary()
    assert Renamer(cmap).summary() == "all sequence names mapped"


def test_lift_file_with_offset(tmp_path):
    f = tmp_path / "a.lft"
    f.write_text("0\tNC_1.1\t100\tchr1\t100\n1000\tctgA\t500\tchr2\t5000\n")
    cmap = chrom_map_from_lift(f)
    assert cmap.names == {"NC_1.1": "chr1", "ctgA": "chr2"} and cmap.sizes == {"chr1": 100, "chr2": 5000}
    assert Renamer(cmap).transcript(_tx("ctgA")) == _tx("chr2", 1000)


@pytest.mark.parametrize("text", ["0\tNC_1\t100\tchr1\n", "x\tNC_1\t100\tchr1\t100\n",
                                  "0\tNC_1\t100\tchr1\t100\t-\n"], ids=["short", "not-int", "minus"])
def test_lift_file_errors(tmp_path, text):
    f = tmp_path / "bad.lft"
    f.write_text(text)
    with pytest.raises(ParseError, match=f"{f}:1:"):
        chrom_map_from_lift(f)


@pytest.mark.parametrize("name,seqid,ucsc", [
    ("hg38.human.chromAlias.bed", "NC_000001.11", "chr1"),
    ("hg38.human.chromAlias.bed", "KI270824.1", "chr10_NT_187579v1_alt"),
    ("hg19.chromAlias.tsv", "NC_000001.10", "chr1"),
    ("mm10.chromAlias.tsv", "NC_000067.6", "chr1"),
    ("GCF_002742125.1.chromAlias.txt", "NC_040252.1", "chr1"),
], ids=lambda v: v)
def test_chrom_alias_layouts(name, seqid, ucsc):
    cmap = chrom_map_from_chrom_alias(shared_path("data", "chrom_alias", name))
    assert cmap.get(seqid) == ucsc and cmap.get(ucsc) == ucsc


def test_chrom_alias_bed_sizes():
    cmap = chrom_map_from_chrom_alias(shared_path("data", "chrom_alias", "hg38.human.chromAlias.bed"))
    assert cmap.sizes["chr1"] == 248956422


def test_report_rows_and_error(tmp_path):
    rows = read_assembly_report(shared_path("data", *REPORT))
    mt = [r for r in rows if r.sequence_name == "MT"][0]
    assert (mt.refseq_accn, mt.sequence_length, mt.ucsc_style_name) == ("NC_012920.1", 16569, "chrM")
    bad = tmp_path / "r.txt"
    bad.write_text("# header\n1\tassembled-molecule\t1\n")
    with pytest.raises(ParseError, match=f"{bad}:2:"):
        read_assembly_report(bad)
