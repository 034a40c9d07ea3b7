"""Laws of the genePred rows gff3ToGenePred writes: they pass genePredCheck and round-trip."""
from __future__ import annotations

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks.assemble import read_gff3
from refseqtracks.formats.genepred import check_transcript, format_genepred_line, parse_genepred_line


@st.composite
def gene_models(draw) -> str:
    """A small GFF3: one gene, one mRNA, exons (possibly touching) and CDS parts with phases."""
    strand = draw(st.sampled_from("+-"))
    pos = draw(st.integers(1, 1000))
    exons = []
    for _ in range(draw(st.integers(1, 5))):
        pos += draw(st.integers(0, 50))  # 0: touching blocks, which are merged
        length = draw(st.integers(1, 300))
        exons.append((pos, pos + length - 1))
        pos += length
    cds = []
    for s, e in exons:
        if draw(st.booleans()):
            a = draw(st.integers(s, e))
            b = draw(st.integers(a, e))
            cds.append((a, b, draw(st.integers(0, 2))))
            if draw(st.integers(0, 5)) == 0 and b < e:  # a second CDS part in the same exon
                c = draw(st.integers(b, e))  # may overlap the first part by one base
                cds.append((c, draw(st.integers(c, e)), draw(st.integers(0, 2))))
    lo, hi = exons[0][0], exons[-1][1]
    rows = [f"c1\tRefSeq\tgene\t{lo}\t{hi}\t.\t{strand}\t.\tID=gene-G;Name=G",
            f"c1\tRefSeq\tmRNA\t{lo}\t{hi}\t.\t{strand}\t.\tID=rna-T;Parent=gene-G;Name=NM_1.1"]
    rows += [f"c1\tRefSeq\texon\t{s}\t{e}\t.\t{strand}\t.\tParent=rna-T" for s, e in exons]
    rows += [f"c1\tRefSeq\tCDS\t{s}\t{e}\t.\t{strand}\t{p}\tID=cds-T;Parent=rna-T" for s, e, p in cds]
    return "##gff-version 3\n" + "\n".join(rows) + "\n"


SLIPPAGE = ("##gff-version 3\nc1\tRefSeq\tgene\t1\t300\t.\t+\t.\tID=gene-G\n"
            "c1\tRefSeq\tmRNA\t1\t300\t.\t+\t.\tID=rna-T;Parent=gene-G\n"
            "c1\tRefSeq\texon\t1\t300\t.\t+\t.\tParent=rna-T\n"
            "c1\tRefSeq\tCDS\t10\t100\t.\t+\t0\tID=cds-T;Parent=rna-T\n"
            "c1\tRefSeq\tCDS\t100\t200\t.\t+\t2\tID=cds-T;Parent=rna-T\n")


@settings(max_examples=80, deadline=None)
@given(gene_models())
@example(SLIPPAGE)
def test_written_transcripts_pass_check_and_round_trip(text):
    for tx in read_gff3(io.StringIO(text), warn_and_continue=True, report=lambda msg: None):
        assert check_transcript(tx) == []
        line = format_genepred_line(tx, ext=True)
        assert parse_genepred_line(line) == tx
        assert format_genepred_line(parse_genepred_line(line), ext=True) == line
