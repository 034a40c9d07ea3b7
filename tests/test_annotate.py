"""NCBI Gene joins (gene_info, gene2refseq) and the ncbiRefSeqLink table."""
from __future__ import annotations

import io

import pytest

from refseqtracks.annotate import (
    LINK_FIELDS, GffFacts, format_link_line, link_rows, normalize_status, read_gene2refseq,
    read_gene_info, split_dbxrefs, status_color, write_link_table,
)
from refseqtracks.errors import ParseError
from refseqtracks.model import Transcript

from conftest import shared_path

GFF = """\
##gff-version 3
#!annotation-source NCBI Homo sapiens Updated Annotation Release 109.20200228
NC_000017.11\tBestRefSeq\tmRNA\t7668402\t7687550\t.\t-\t.\tID=rna-NM_000546.6;Parent=gene-TP53;Dbxref=GeneID:7157,GenBank:NM_000546.6,HGNC:HGNC:11998,MIM:191170;Name=NM_000546.6;gbkey=mRNA;gene=TP53;product=cellular tumor antigen p53 isoform a%2C variant 1;tag=MANE Select;transcript_id=NM_000546.6
NC_000017.11\tBestRefSeq\tgene\t7661779\t7687550\t.\t-\t.\tID=gene-TP53;Dbxref=GeneID:7157,HGNC:HGNC:11998,MIM:191170;Name=TP53;description=tumor protein p53;gbkey=Gene;gene=TP53;gene_biotype=protein_coding;gene_synonym=BCC7,LFS1,P53
NC_000017.11\tBestRefSeq\tCDS\t7669609\t7669690\t.\t-\t2\tID=cds-NP_000537.3;Parent=rna-NM_000546.6;Name=NP_000537.3;protein_id=NP_000537.3
NC_000017.11\tBestRefSeq\texon\t7669609\t7669690\t.\t-\t.\tID=exon-NM_000546.6-11;Parent=rna-NM_000546.6
NC_000001.11\tGnomon\tlnc_RNA\t100\t900\t.\t+\t.\tID=rna-XR_1.1;Parent=gene-LOC1;Dbxref=GeneID:99,GenBank:XR_1.1,MGI:MGI:123;Name=XR_1.1;gbkey=ncRNA;gene=LOC1;ncrna_class=lncRNA;Note=model;transcript_id=XR_1.1
NC_000001.11\tGnomon\tgene\t100\t900\t.\t+\t.\tID=gene-LOC1;Dbxref=GeneID:99;Name=LOC1;gbkey=Gene;gene=LOC1;gene_biotype=lncRNA;pseudo=true
"""


def _facts():
    facts = GffFacts()
    for line in io.StringIO(GFF):
        facts.feed(line)
    return facts


def _tx(name, attrs=None):
    return Transcript(name, "chr17", "-", 0, 10, 0, 0, (0,), (10,), attrs=attrs)


def test_link_rows_from_gff_facts():
    rows = link_rows([_tx("XR_1.1"), _tx("NM_000546.6"), _tx("NM_000546.6")], facts=_facts())
    assert [r[0] for r in rows] == ["NM_000546.6", "XR_1.1"]
    assert all(len(r) == len(LINK_FIELDS) == 19 for r in rows)
    tp53 = dict(zip(LINK_FIELDS, rows[0]))
    assert tp53 == {
        "id": "NM_000546.6", "status": "Unknown", "name": "TP53",
        "product": "cellular tumor antigen p53 isoform a, variant 1", "mrnaAcc": "NM_000546.6",
        "protAcc": "NP_000537.3", "locusLinkId": "7157", "omimId": "191170", "hgnc": "11998",
        "genbank": "NM_000546.6", "pseudo": "", "gbkey": "mRNA", "source": "BestRefSeq",
        "gene_biotype": "protein_coding", "gene_synonym": "BCC7,LFS1,P53", "ncrna_class": "",
        "note": "", "description": "tumor protein p53", "externalId": ""}
    lnc = dict(zip(LINK_FIELDS, rows[1]))
    assert (lnc["externalId"], lnc["pseudo"], lnc["ncrna_class"], lnc["note"], lnc["source"]) == \
        ("MGI:123", "true", "lncRNA", "model", "Gnomon")


def test_link_rows_prefer_transcript_attrs():
    attrs = {"ID": ("rna-NM_000546.6",), "gene": ("TP53X",), "transcript_id": ("NM_000546.6",),
             "product": ("own product",)}
    row = link_rows([_tx("NM_000546.6", attrs)], facts=_facts())[0]
    # the transcript's own attributes are used, but the gene's symbol wins (gff3ToRefLink.pl)
    assert row[3] == "own product" and row[5] == "NP_000537.3" and row[13] == "protein_coding"
    assert row[2] == "TP53"


def test_link_note_from_cds_and_gene_name_fallback():
    gff = GFF.replace("Name=NP_000537.3;protein_id", "Name=NP_000537.3;Note=The RefSeq protein has 1 substitution;protein_id")
    facts = GffFacts()
    for line in io.StringIO(gff.replace(";gene=TP53;gene_biotype", ";gene_biotype")):
        facts.feed(line)
    row = link_rows([_tx("NM_000546.6", {"ID": ("rna-NM_000546.6",)})], facts=facts)[0]
    assert row[16] == "The RefSeq protein has 1 substitution"
    assert row[2] == "TP53"  # no gene= anywhere: the gene's Name


def test_link_rows_with_ncbi_gene_files(tmp_path):
    g2r = tmp_path / "gene2refseq"
    g2r.write_text("#tax_id\tGeneID\tstatus\tRNA\n"
                   "9606\t7157\tREVIEWED\tNM_000546.6\t1\tNP_000537.3\t2\tNC_000017.11\t3\t1\t2\t-\tx\t-\t-\tTP53\n")
    info = tmp_path / "gene_info"
    info.write_text("#Format: tax_id GeneID Symbol ...\n"
                    "9606\t7157\tTP53\t-\tBCC7|LFS1\tHGNC:HGNC:11998\t17\t17p13.1\ttumor protein p53 (from gene_info)"
                    "\tprotein-coding\tTP53\n")
    rows = link_rows([_tx("NM_000546.6"), _tx("XR_1.1")], facts=_facts(),
                     gene2refseq=read_gene2refseq(g2r), gene_info=read_gene_info(info))
    assert rows[0][1] == "Reviewed" and rows[0][17] == "tumor protein p53 (from gene_info)"
    assert rows[1][1] == "Unknown" and rows[1][17] == ""


def test_read_shared_gene2refseq_excerpt():
    path = shared_path("data", "ncbi_gene", "gene2refseq_excerpt_400rows.tsv")
    rows = read_gene2refseq(path)
    assert rows["NR_022006.1"].status == "PREDICTED" and rows["NR_022006.1"].gene_id == "9808"
    assert {normalize_status(r.status) for r in rows.values()} == {"Predicted", "Validated"}
    only = read_gene2refseq(path, accessions={"NR_015381.1"})
    assert list(only) == ["NR_015381.1"] and only["NR_015381.1"].symbol == "TP53TG1"


def test_read_shared_gene_info():
    info = read_gene_info(shared_path("data", "ncbi_gene", "uta_gene_info_100human.gz"))
    assert info["1"].symbol == "A1BG" and info["1"].description == "alpha-1-B glycoprotein"
    assert info["2"].synonyms == "A2MD,CPAMD5,FWP007,S863-7"
    assert set(read_gene_info(shared_path("data", "ncbi_gene", "uta_gene_info_100human.gz"),
                              gene_ids={"2"})) == {"2"}


@pytest.mark.parametrize("text,reader", [("9606\t1\tA1BG\n", read_gene_info),
                                         ("9606\tx\tA\t-\t-\t-\t-\t-\td\tt\n", read_gene_info),
                                         ("9606\t1\tVALIDATED\n", read_gene2refseq)],
                         ids=["gene_info-short", "gene_info-geneid", "gene2refseq-short"])
def test_ncbi_gene_errors(tmp_path, text, reader):
    f = tmp_path / "f.tsv"
    f.write_text(text)
    with pytest.raises(ParseError, match=f"{f}:1:"):
        reader(f)


@pytest.mark.parametrize("text,expected", [("VALIDATED", "Validated"), ("reviewed", "Reviewed"),
                                           ("MODEL", "Model"), ("PIPELINE", "Unknown"), ("", "Unknown"),
                                           (None, "Unknown")], ids=str)
def test_normalize_status(text, expected):
    assert normalize_status(text) == expected


def test_split_dbxrefs():
    assert split_dbxrefs(["GeneID:1", "HGNC:HGNC:5", "MIM:138670", "GeneID:2", "bad"]) == \
        {"geneid": "1", "hgnc": "5", "mim": "138670"}


@pytest.mark.parametrize("status,rgb", [("Reviewed", (12, 12, 120)), ("Validated", (12, 12, 120)),
                                        ("Provisional", (109, 109, 174)), ("Predicted", (174, 174, 210)),
                                        ("Unknown", (174, 174, 210)), (None, (12, 12, 120))], ids=str)
def test_status_color(status, rgb):
    assert status_color(status) == rgb


def test_write_link_table():
    out = io.StringIO()
    assert write_link_table([["a", "b\tc"] + [""] * 17], out) == 1
    assert out.getvalue() == format_link_line(["a", "b c"] + [""] * 17)
    assert out.getvalue().count("\t") == 18


def test_link_rows_from_converter_attrs_without_child_facts():
    # what the build does: GffFacts keeps only genes and parent links; the transcript brings
    # its own attributes, with the converter's Source and gene: pseudo-attributes
    facts = GffFacts(keep_children=False)
    for line in io.StringIO(GFF):
        facts.feed(line)
    assert "rna-NM_000546.6" not in facts.features and facts.parent_of["rna-NM_000546.6"] == "gene-TP53"
    attrs = {"ID": ("rna-XR_1.1",), "Parent": ("gene-LOC1",), "Source": ("Gnomon",), "gene": ("LOC1",),
             "transcript_id": ("XR_1.1",), "gene:gene_biotype": ("lncRNA",)}
    row = link_rows([_tx("XR_1.1", attrs)], facts=facts)[0]
    assert (row[2], row[12], row[13], row[10]) == ("LOC1", "Gnomon", "lncRNA", "true")
    orphan = {"ID": ("rna-X",), "Source": ("RefSeq",), "gene:gene_biotype": ("misc_RNA",),
              "gene:description": ("from the converter",)}
    row = link_rows([_tx("NR_9.1", orphan)], facts=facts)[0]
    assert (row[13], row[17]) == ("misc_RNA", "from the converter")


@pytest.mark.parametrize("old,new,merged", [
    ("", "a note", "a note"),
    ("a note", "", "a note"),
    ("The RefSeq transcript has 1 substitution compared to this genomic sequence",
     "The RefSeq transcript has 2 substitutions compared to this genomic sequence",
     "Mappings of the RefSeq transcript to different genomic sequences have varying alignment differences"),
    ("gene note", "The RefSeq protein has 1 substitution compared to this genomic sequence", "gene note"),
    ("gene note", "non-AUG (CUG) translation initiation codon", "gene note;non-AUG (CUG) translation initiation codon"),
    ("first", "second", "first"),
], ids=["first", "empty-new", "placements", "protein-ignored", "initiation-appended", "conflict-keeps-first"])
def test_merge_note(old, new, merged):
    from refseqtracks.annotate import merge_note
    assert merge_note(old, new) == merged


def test_link_note_over_placements():
    alt = ("NT_187562.1\tBestRefSeq\tmRNA\t1\t100\t.\t-\t.\tID=rna-NM_000546.6-2;Parent=gene-TP53-2;Name=NM_000546.6;"
           "Note=The RefSeq transcript has 2 substitutions compared to this genomic sequence;transcript_id=NM_000546.6\n"
           "NT_187562.1\tBestRefSeq\tgene\t1\t100\t.\t-\t.\tID=gene-TP53-2;Name=TP53;gene=TP53\n")
    gff = GFF.replace("Name=NM_000546.6;gbkey=mRNA",
                      "Name=NM_000546.6;Note=The RefSeq transcript has 1 substitution compared to this genomic sequence;gbkey=mRNA")
    facts = GffFacts(keep_children=False, keep_named=lambda n: n.startswith(("NM_", "XR_")))
    for line in io.StringIO(gff + alt):
        facts.feed(line)
    assert facts.placements("NM_000546.6") == ["rna-NM_000546.6", "rna-NM_000546.6-2"]
    row = link_rows([_tx("NM_000546.6")], facts=facts)[0]
    assert row[16].startswith("Mappings of the RefSeq transcript to different genomic sequences")
    assert row[5] == "NP_000537.3" and row[2] == "TP53"


@pytest.mark.parametrize("col9, expected", [
    ("ID=x;pseudo;gene=G", {"gene": "G"}),                 # a tag without '=' is not a value
    ("ID=x; gene=G;\tgbkey=mRNA", {"gene": "G", "gbkey": "mRNA"}),  # (leading space stripped)
    ("ID=x;gene =G;Name=N ", {"Name": "N"}),              # (the tag itself must match)
    ("gene=A,,B;gene=C;product=a%2Cb%3Bc", {"gene": "A,B,C", "product": "a,b;c"}),
    ("Name=N=M;pseudo=;Dbxref=GeneID:1,,HGNC:2", {"Name": "N=M", "Dbxref": ["GeneID:1", "HGNC:2"]}),
])
def test_record_values(col9, expected):
    from refseqtracks.annotate_facts import RECORD_TAGS, _record, record_fields
    fields = record_fields(_record("src", col9))
    assert fields[0] == "src"
    got = {t: v for t, v in zip(RECORD_TAGS, fields[1:]) if v}
    assert got == expected
