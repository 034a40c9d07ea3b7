"""Laws of the genePred rows gff3ToGenePred writes: they pass genePredCheck and round-trip."""
from __future__ import annotations

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks.assemble import read_gff3
from refseqtracks.formats.genepred import check_transcript, format_genepred_line, parse_genepred_line
from refseqtracks.model import Transcript


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


@st.composite
def nearly_valid_transcripts(draw):
    """A valid transcript, or one with a genePredCheck problem or two."""
    pos, starts, ends = draw(st.integers(0, 50)), [], []
    for _ in range(draw(st.integers(1, 5))):
        pos += draw(st.sampled_from([0, 3, 20]))
        starts.append(pos)
        pos += draw(st.sampled_from([1, 10, 30]))
        ends.append(pos)
    points = sorted(set(starts + ends + [p + d for p in starts + ends for d in (-1, 1)]))
    coding = draw(st.booleans())
    cds_start = draw(st.sampled_from([p for p in points if starts[0] <= p < ends[-1]])) if coding else ends[-1]
    cds_end = draw(st.sampled_from([p for p in points if cds_start < p <= ends[-1]])) if coding else ends[-1]
    frames = [draw(st.integers(0, 2)) if coding and s < cds_end and e > cds_start else -1
              for s, e in zip(starts, ends)]
    strand, tx_start, tx_end = "+", starts[0], ends[-1]
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2]))):
        defect = draw(st.integers(0, 7))
        k = draw(st.integers(0, len(starts) - 1))
        if defect == 0:
            strand = draw(st.sampled_from("?."))
        elif defect == 1:
            tx_start += draw(st.sampled_from([-1, 1]))
        elif defect == 2:
            tx_end += draw(st.sampled_from([-1, 1]))
        elif defect == 3:
            starts[k] += draw(st.sampled_from([-25, -1, 1, 40]))
        elif defect == 4:
            cds_start = draw(st.sampled_from(points))
        elif defect == 5:
            cds_end = draw(st.sampled_from(points))
        elif defect == 6:
            frames[k] = draw(st.sampled_from([-2, -1, 0, 1, 2, 3]))
        else:
            frames.append(0)
    return Transcript("NM_1.1", "chr1", strand, tx_start, tx_end, cds_start, cds_end, tuple(starts), tuple(ends),
                      0, "G", "cmpl", "cmpl", draw(st.sampled_from([tuple(frames), None])))


def _two_exons(frames: tuple) -> Transcript:
    return Transcript("NM_1.1", "chr1", "+", 0, 30, 22, 28, (0, 20), (10, 30), 0, "G", "cmpl", "cmpl", frames)


@settings(max_examples=600, deadline=None)
@given(nearly_valid_transcripts(), st.sampled_from([None, 100, 10_000]))
@example(_two_exons((0, 1)), None)   # a frame on the exon without CDS
@example(_two_exons((0, -1)), None)  # ... and none on the CDS exon
@example(_two_exons((-1, 3)), None)  # a frame out of range
@example(_two_exons((-1, 1)), 29)    # past the sequence's end
def test_check_transcript_as_a_whole_says_what_exon_by_exon_says(tx, size):
    # (the quick test on whole lists never passes a transcript the exon-by-exon check refuses)
    from refseqtracks.formats.genepred import _problems, _valid
    assert check_transcript(tx, chrom_size=size) == _problems(tx, size)
    if not _problems(tx, size):
        assert _valid(tx, size)  # (and it passes every valid one)
