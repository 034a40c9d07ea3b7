"""GFF3 → transcripts with kent gff3ToGenePred v492 rules (one case per rule)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks import assemble_loci
from refseqtracks.assemble import Gff3Converter, read_gff3
from refseqtracks.assemble_rules import GENE_TYPES, TRANSCRIPT_TYPES
from refseqtracks.errors import RefseqtracksError
from refseqtracks.formats.genepred import check_transcript, format_genepred_line

from conftest import FIXTURES

G = FIXTURES / "gff3"


def _rows(path: Path, **opts) -> list[str]:
    return [format_genepred_line(tx, ext=True) for tx in read_gff3(path, **opts)]


def _brief(path: Path, **opts) -> list[tuple]:
    return [(tx.name, tx.name2, tx.tx_start, tx.tx_end, tx.cds_start, tx.cds_end, tx.exon_starts,
             tx.exon_ends, tx.exon_frames, tx.cds_start_stat, tx.cds_end_stat)
            for tx in read_gff3(path, **opts)]


# (rule, fixture, options, expected (name, name2, ...) tuples in output order)
RULES = [
    ("reverse_root_and_child_order", "refseq_basic.gff3", {}, [
        ("TRNX", "gene-TRNX", 20000, 20072, 20072, 20072, (20000,), (20072,), (-1,), "none", "none"),
        ("NR_000109.1", "gene-LINC9", 10000, 12000, 12000, 12000, (10000, 11000), (10500, 12000), (-1, -1),
         "none", "none"),
        ("XM_000102.1", "gene-ABC1", 1000, 5000, 4100, 4400, (1000, 4000), (1200, 5000), (-1, 0), "cmpl", "cmpl"),
        ("NM_000101.1", "gene-ABC1", 1000, 5000, 1100, 4100, (1000, 2000, 4000), (1200, 2300, 5000),
         (0, 1, 1), "cmpl", "cmpl"),
    ]),
    ("use_name_gene_names", "refseq_basic.gff3", {"use_name": True}, None),
    ("ribosomal_slippage_and_deletion", "frameshift.gff3", {}, [
        ("NM_000202.1", "gene-DEL", 5000, 9000, 5500, 8500, (5000, 7001), (7000, 9000), (2, 0), "cmpl", "cmpl"),
        ("NM_000201.1", "gene-SLIP", 100, 3000, 200, 2500, (100, 1000), (1000, 3000), (0, 1), "cmpl", "cmpl"),
    ]),
    ("minimal_genes_refseq_hacks", "minimal_genes.gff3", {"refseq_hacks": True}, [
        ("UTR1", "UTR1", 8000, 9000, 8100, 8900, (8000,), (9000,), (0,), "cmpl", "cmpl"),
        ("LONE", "LONE", 5000, 5500, 5500, 5500, (5000,), (5500,), (-1,), "none", "none"),
        ("PSG1P", "PSG1P", 1000, 3000, 3000, 3000, (1000, 2500), (1500, 3000), (-1, -1), "none", "none"),
        ("YP_000301.1", "COX9", 100, 1000, 100, 1000, (100,), (1000,), (0,), "cmpl", "cmpl"),
    ]),
    ("no_minimal_genes", "minimal_genes.gff3", {}, [
        ("UTR1", "rna-UTR1", 8000, 9000, 8100, 8900, (8000,), (9000,), (0,), "cmpl", "cmpl"),
        ("YP_000301.1", "gene-COX9", 100, 1000, 100, 1000, (100,), (1000,), (0,), "cmpl", "cmpl"),
    ]),
    ("segment_gene_drops_cds", "segments.gff3", {"refseq_hacks": True}, [
        ("IGHV9", "IGHV9", 1000, 1500, 1500, 1500, (1000, 1200), (1100, 1500), (-1, -1), "none", "none"),
    ]),
    ("name_attrs", "codons.gff3", {"rna_name_attr": "transcript_name", "gene_name_attr": "gene_name"}, [
        ("GENE1-201", "GENE1", 100, 2000, 200, 1900, (100,), (2000,), (0,), "cmpl", "cmpl"),
    ]),
    ("honor_start_stop_codons", "codons.gff3", {"honor_start_stop_codons": True}, [
        ("ENST1.1", "ENSG1", 100, 2000, 200, 1900, (100,), (2000,), (0,), "incmpl", "cmpl"),
    ]),
    ("default_cds_status_unknown", "codons.gff3", {"default_cds_status_to_unknown": True}, [
        ("ENST1.1", "ENSG1", 100, 2000, 200, 1900, (100,), (2000,), (0,), "unk", "unk"),
    ]),
    ("late_child_and_forward_reference", "late_child.gff3", {}, [
        ("B1", "gene-B", 2000, 3000, 3000, 3000, (2000,), (3000,), (-1,), "none", "none"),
        ("A2", "gene-A", 100, 900, 900, 900, (100,), (900,), (-1,), "none", "none"),
        ("A1", "gene-A", 100, 1000, 1000, 1000, (100,), (1000,), (-1,), "none", "none"),
    ]),
]


#: kent gff3ToGenePred rules and the test that covers each (a rule without one fails below)
RULE_TESTS = {
    "reverse root and child order": "reverse_root_and_child_order",
    "touching blocks merge, frames from phase": "reverse_root_and_child_order",
    "exon split at CDS parts (slippage, deletion)": "ribosomal_slippage_and_deletion",
    "UTR+CDS blocks without exons": "minimal_genes_refseq_hacks",
    "minimal genes (exons under gene, standalone)": "minimal_genes_refseq_hacks",
    "refseqHacks YP_ CDS name": "minimal_genes_refseq_hacks",
    "name fallbacks (Name, ID)": "no_minimal_genes",
    "segment genes drop CDS": "segment_gene_drops_cds",
    "-rnaNameAttr / -geneNameAttr": "name_attrs",
    "-useName": "test_use_name_gene_names",
    "-honorStartStopCodons": "honor_start_stop_codons",
    "-defaultCdsStatusToUnknown": "default_cds_status_unknown",
    "-processAllGeneChildren": "test_process_all_gene_children",
    "late children and forward references": "late_child_and_forward_reference",
    "gene/transcript attributes": "test_attrs_of_transcript_and_gene",
    "-attrsOut / -unprocessedRootsOut": "test_side_outputs",
    "conversion errors and budget": "test_convert_error_budget_stops_early",
    "-warnAndContinue": "test_warn_and_continue_keeps_good_transcripts",
    "Derives_from resolution": "test_derives_from_is_resolved_across_loci",
}


def test_every_rule_has_a_test():
    here = {r[0] for r in RULES if r[3] is not None} | {n for n in globals() if n.startswith("test_")}
    assert sorted(t for t in RULE_TESTS.values() if t not in here) == []


@pytest.mark.parametrize("fixture,opts,expected", [r[1:] for r in RULES if r[3] is not None],
                         ids=[r[0] for r in RULES if r[3] is not None])
def test_rule(fixture, opts, expected):
    assert _brief(G / fixture, **opts) == expected


def test_use_name_gene_names():
    assert {tx.name2 for tx in read_gff3(G / "refseq_basic.gff3", use_name=True)} == {"TRNX", "LINC9", "ABC1"}


def test_standalone_gene_needs_minimal_genes():
    names = [tx.name for tx in read_gff3(G / "minimal_genes.gff3")]
    assert "LONE" not in names and "PSG1P" not in names


def test_feature_type_sets_match_kent():
    assert GENE_TYPES == {"gene", "pseudogene", "ncRNA_gene"}
    assert {"mRNA", "lnc_RNA", "tRNA", "V_gene_segment", "primary_transcript", "CDS"} <= TRANSCRIPT_TYPES
    assert "miRNA" not in TRANSCRIPT_TYPES and "exon" not in TRANSCRIPT_TYPES


def test_process_all_gene_children():
    body = ("##gff-version 3\n# a gene child of a type kent does not know\n"
            "c1\ts\tgene\t1\t100\t.\t+\t.\tID=g;Name=G\n"
            "c1\ts\tantisense_RNA\t1\t100\t.\t+\t.\tID=r;Parent=g;Name=R\n")
    assert [tx.name for tx in read_gff3(io.StringIO(body))] == []
    assert [tx.name for tx in read_gff3(io.StringIO(body), process_all_gene_children=True)] == ["R"]


def test_attrs_of_transcript_and_gene():
    tx = next(tx for tx in read_gff3(G / "refseq_basic.gff3") if tx.name == "NM_000101.1")
    assert tx.attrs["tag"] == ("MANE Select",)
    assert tx.attrs["product"] == ("ABC protein, variant 1",)
    assert tx.attrs["Type"] == ("mRNA",) and tx.attrs["Start"] == ("1000",)
    assert tx.attrs["gene:gene_biotype"] == ("protein_coding",)


def test_side_outputs():
    conv = Gff3Converter(G / "refseq_basic.gff3", refseq_hacks=True, want_attrs=True, want_unprocessed=True)
    txs = list(conv.transcripts())
    assert len(txs) == 4
    assert conv.unprocessed_lines[0].startswith("chrT\tRefSeq\tcDNA_match\t1001\t1200\t1393\t+\t.\tID=aln1;")
    assert conv.unprocessed_lines[1].startswith("chrT\tRefSeq\tregion\t1\t50000\t")
    text = "".join(conv.attrs_lines)
    assert "gene-ABC1\tgene_biotype\tprotein_coding\n" in text
    assert "NM_000101.1\tproduct\tABC protein, variant 1\n" in text
    assert text.startswith("gene-TRNX\tID\tgene-TRNX\n") and text.endswith("NM_000101.1\tStrand\t+\n")


def test_conversion_errors_fail_the_run():
    msgs: list[str] = []
    with pytest.raises(RefseqtracksError, match="3 errors converting GFF3 file"):
        list(read_gff3(G / "convert_errors.gff3", report=msgs.append))
    assert any("no exon in OUT1 contains CDS 250-550" in m for m in msgs)
    assert any(m.startswith("Error: invalid strand for mRNA rna-NOSTRAND") for m in msgs)
    assert any("genePred from GFF3: " in m and ":10: OVL exon 1" in m for m in msgs)


def test_warn_and_continue_keeps_good_transcripts():
    msgs: list[str] = []
    txs = list(read_gff3(G / "convert_errors.gff3", warn_and_continue=True, report=msgs.append))
    assert [tx.name for tx in txs] == ["GOOD"]
    assert msgs[-1].startswith("3 warnings converting GFF3 file")
    assert any(m.startswith("Warning: skipping: ") for m in msgs)


def test_convert_error_budget_stops_early():
    msgs: list[str] = []
    with pytest.raises(RefseqtracksError, match="1 errors converting"):
        list(read_gff3(G / "convert_errors.gff3", max_convert_errors=1, report=msgs.append))
    assert sum(m.startswith("Error: invalid genePred") or m.startswith("Error: no exon") or
               m.startswith("Error: invalid strand") for m in msgs) == 1


def test_late_child_needs_a_second_pass_not_the_whole_file():
    conv = Gff3Converter(G / "late_child.gff3")
    names = [tx.name for tx in conv.transcripts()]
    assert conv.passes == 2 and names == ["B1", "A2", "A1"]
    grouped = Gff3Converter(G / "refseq_basic.gff3")
    list(grouped.transcripts())
    assert grouped.passes == 1


def test_late_child_from_stdin_stream():
    conv = Gff3Converter(io.StringIO((G / "late_child.gff3").read_text()))
    assert [tx.name for tx in conv.transcripts()] == ["B1", "A2", "A1"] and conv.passes == 2


def test_alignment_parts_are_written_back_in_one_pass(monkeypatch):
    parts = [f"c1\tRefSeq\tcDNA_match\t{s}\t{s + 9}\t.\t-\t.\tID=aln{a};Target=r{a} {k} {k + 9} +;pct_coverage=100"
             for a, s, k in ((1, 101, 1), (1, 301, 11), (2, 101, 1), (2, 201, 11))]
    gene = "c1\tRefSeq\tgene\t150\t250\t.\t+\t.\tID=gene-1"
    conv = Gff3Converter(io.StringIO("##gff-version 3\n" + "\n".join(parts[:2] + [gene] + parts[2:]) + "\n"),
                         refseq_hacks=True, want_unprocessed=True)
    loci = []
    real_locus = assemble_loci._Locus
    monkeypatch.setattr(assemble_loci, "_Locus", lambda: loci.append(1) or real_locus())
    out: list[str] = []
    conv.replay(conv.run(), on_transcript=lambda line, tx: None, on_bad=None, on_attrs=None,
                on_unprocessed=out.append)
    assert out == [p + "\n" for p in reversed(parts)] and conv.passes == 1
    assert len(loci) == 1  # (the gene's: each alignment is finished as it comes)
    assert conv.grouper.flushed.keys() >= {"aln1", "aln2"}  # (the IDs are known to later pieces' checks)


DERIVES = ("##gff-version 3\n"
           "c1\ts\tgene\t1\t100\t.\t+\t.\tID=g1\n"
           "c1\ts\tmRNA\t1\t100\t.\t+\t.\tID=t1;Parent=g1\n"
           "c1\ts\tgene\t501\t600\t.\t+\t.\tID=g2\n"
           "c1\ts\tpolypeptide\t1\t90\t.\t+\t.\tID=p1;Derives_from={}\n")


@pytest.mark.parametrize("target,ok", [("t1", True), ("nothere", False)], ids=["resolved", "missing"])
def test_derives_from_is_resolved_across_loci(target, ok):
    msgs: list[str] = []
    txs = Gff3Converter(io.StringIO(DERIVES.format(target)), report=msgs.append)
    if ok:
        assert [tx.name for tx in txs.transcripts()] == ["t1"] and msgs == []
    else:
        with pytest.raises(RefseqtracksError, match="GFF3: 1 parser errors"):
            list(txs.transcripts())
        assert txs.passes == 2  # a missing target never needs the whole-file pass
        assert msgs == ['Can\'t find annotation record "nothere" referenced by "p1" Derives_from attribute '
                        "(error can be a warning)"]


def test_honor_and_unknown_are_exclusive():
    with pytest.raises(RefseqtracksError, match="can't specify both"):
        Gff3Converter(G / "codons.gff3", honor_start_stop_codons=True, default_cds_status_to_unknown=True)


@pytest.mark.parametrize("fixture", sorted(p.name for p in G.glob("*.gff3")))
def test_streaming_equals_whole_file(fixture):
    def run(streaming):
        conv = Gff3Converter(G / fixture, refseq_hacks=True, warn_and_continue=True, want_attrs=True,
                             want_unprocessed=True, streaming=streaming)
        out: list = []
        conv.replay(conv.run(), on_transcript=lambda line, tx: out.append(line), on_bad=out.append,
                    on_attrs=out.append, on_unprocessed=out.append)
        return out, conv.messages
    assert run(True) == run(False)


@pytest.mark.parametrize("fixture", sorted(p.name for p in G.glob("*.gff3")))
def test_every_transcript_passes_genepred_check(fixture):
    for tx in read_gff3(G / fixture, refseq_hacks=True, warn_and_continue=True, report=lambda m: None):
        assert check_transcript(tx) == []


# a gene closed at ###, its transcript after it, and an exon of it after two more genes:
# needs the second pass, then the whole-file pass
THREE_PASSES = '##gff-version 3\nc1\tRefSeq\tgene\t1\t100\t.\t+\t.\tID=gene-0\n###\nc1\tRefSeq\tmRNA\t1\t100\t.\t+\t.\tID=rna-0-0;Parent=gene-0\nc1\tRefSeq\texon\t51\t90\t.\t+\t.\tParent=rna-0-0\nc1\tRefSeq\tmRNA\t1\t100\t.\t+\t.\tID=rna-0-1;Parent=gene-0\nc1\tRefSeq\texon\t1\t40\t.\t+\t.\tParent=rna-0-1\nc1\tRefSeq\tgene\t51\t150\t.\t+\t.\tID=gene-1\nc1\tRefSeq\tmRNA\t51\t150\t.\t+\t.\tID=rna-1-0;Parent=gene-1\nc1\tRefSeq\texon\t51\t90\t.\t+\t.\tParent=rna-1-0\nc1\tRefSeq\tgene\t101\t200\t.\t+\t.\tID=gene-2\nc1\tRefSeq\texon\t1\t40\t.\t+\t.\tParent=rna-0-0\n'


# an exon's ID, its locus closed, used again by an alignment: kent joins the two (a second pass)
REUSED_BY_ALIGNMENT = ("##gff-version 3\nc1\tRefSeq\tgene\t1\t100\t.\t+\t.\tID=gene-0\n"
                       "c1\tRefSeq\tmRNA\t1\t100\t.\t+\t.\tID=rna-0;Parent=gene-0\n"
                       "c1\tRefSeq\texon\t1\t40\t.\t+\t.\tID=aln0;Parent=rna-0\n"
                       "c1\tRefSeq\tgene\t201\t300\t.\t+\t.\tID=gene-1\n"
                       "c1\tRefSeq\tcDNA_match\t201\t210\t.\t+\t.\tID=aln0;Target=r0 1 10 +\n")


@st.composite
def shuffled_loci(draw) -> str:
    """Genes with transcripts, exons and CDS, then some lines moved later (late children,
    forward references), sometimes an ID reused (a match, an exon) or a root between a gene's lines;
    alignments in parts, sometimes with a child or a parent, or their ID used by an exon."""
    lines: list[str] = []
    pos = 1
    for g in range(draw(st.integers(1, 4))):
        gstart = pos
        gene_lines = []
        for t in range(draw(st.integers(0, 2))):
            tid = f"rna-{g}-{t}"
            gene_lines.append(f"c1\tRefSeq\tmRNA\t{gstart}\t{gstart + 99}\t.\t+\t.\tID={tid};Parent=gene-{g}")
            for e in range(draw(st.integers(1, 2))):
                s0 = gstart + 50 * e
                # an exon ID now and then, sometimes one another gene's exon has too
                eid = draw(st.sampled_from(["", "", "ID=exon-1;", f"ID=exon-{g}-{t}-{e};",
                                          f"ID=aln{draw(st.integers(0, 3))};"]))
                gene_lines.append(f"c1\tRefSeq\texon\t{s0}\t{s0 + 39}\t.\t+\t.\t{eid}Parent={tid}")
                if draw(st.booleans()):
                    gene_lines.append(f"c1\tRefSeq\tCDS\t{s0 + 5}\t{s0 + 34}\t.\t+\t0\tID=cds-{g}-{t};Parent={tid}")
        lines.append(f"c1\tRefSeq\tgene\t{gstart}\t{gstart + 99}\t.\t+\t.\tID=gene-{g}")
        if draw(st.booleans()):
            # an alignment in parts (sharing their ID), now and then with a child, or a Parent
            for k in range(draw(st.integers(1, 3))):
                lines.append(f"c1\tRefSeq\tcDNA_match\t{gstart + 20 * k}\t{gstart + 20 * k + 9}\t.\t+\t.\t"
                             f"ID=aln{g};Target=r{g} {1 + 10 * k} {10 + 10 * k} +")
            kin = draw(st.sampled_from(["", "", "", f"Parent=aln{g}", "ID=aln9;Parent=gene-0"]))
            if kin:
                lines.append(f"c1\tRefSeq\t{'exon' if kin[0] == 'P' else 'cDNA_match'}\t{gstart}\t{gstart + 9}"
                             f"\t.\t+\t.\t{kin}")
        lines += gene_lines
        pos += draw(st.sampled_from([50, 100, 200]))
    for _ in range(draw(st.integers(0, 3))):
        if len(lines) > 1:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(i, len(lines) - 1))
            lines.insert(j, lines.pop(i))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "###")
    if draw(st.integers(0, 4)) == 0:  # a missing parent
        del lines[draw(st.integers(0, len(lines) - 1))]
    return "##gff-version 3\n" + "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None)
@given(shuffled_loci(), st.booleans())
@example(THREE_PASSES, False)
@example(REUSED_BY_ALIGNMENT, True)
def test_streaming_law_equals_whole_file(text, hacks):
    def run(streaming):
        msgs: list[str] = []
        conv = Gff3Converter(io.StringIO(text), refseq_hacks=hacks, warn_and_continue=True, want_attrs=True,
                             want_unprocessed=True, streaming=streaming, report=msgs.append,
                             max_parse_errors=-1, max_convert_errors=-1)
        out: list = []
        try:
            conv.replay(conv.run(), on_transcript=lambda line, tx: out.append(line), on_bad=out.append,
                        on_attrs=out.append, on_unprocessed=out.append)
        except RefseqtracksError as ex:
            out.append(str(ex))
        return out, sorted(msgs)
    assert run(True) == run(False)
