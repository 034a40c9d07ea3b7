"""GTF: kent genePredToGtf writer, GTF line reader, and gtfToGenePred grouping."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from refseqtracks.errors import ParseError
from refseqtracks.formats.genepred import read_genepred
from refseqtracks.formats.gtf import (FIELDS, GtfRecord, GtfWriter, format_gtf_line,
                                      parse_gtf_attributes, parse_gtf_line, read_gtf,
                                      to_gtf_lines, write_gtf)
from refseqtracks.formats.gtf_assemble import (GtfGroupError, group_to_transcript, info_row,
                                               read_gtf_groups, read_gtf_transcripts)
from refseqtracks.frames import calc_exon_frames
from refseqtracks.model import Transcript, replace
from test_frames import coding_transcripts

GTF_DIR = FIXTURES / "gtf"
CODONS_GP = GTF_DIR / "codons.gp"
CODONS_GTF = GTF_DIR / "codons.utr.gtf"
NCBI_GTF = GTF_DIR / "ncbi_style.gtf"


def _expected_lines(path: Path) -> list[str]:
    """A fixture's lines after its leading description comment."""
    lines = path.read_text().splitlines(keepends=True)
    assert lines[0].startswith("#")
    return lines[1:]


def test_fields_ucsc_spelling():
    assert FIELDS == ("seqname", "source", "feature", "start", "end", "score", "strand", "frame",
                      "attributes")


def test_writer_matches_fixture(tmp_path):
    out = tmp_path / "o.gtf"
    assert write_gtf(read_genepred(CODONS_GP), out, source="test", utr=True) == 5
    assert out.read_text().splitlines(keepends=True) == _expected_lines(CODONS_GTF)


def test_transcript_row_and_attributes():
    tx = read_genepred(CODONS_GP)[0]
    lines = to_gtf_lines(tx, source="src")
    assert lines[0] == ('chr1\tsrc\ttranscript\t101\t350\t.\t+\t.\tgene_id "GENE1"; '
                        'transcript_id "NM_000001.1";  gene_name "GENE1";\n')
    assert lines[1].endswith('exon_number "1"; exon_id "NM_000001.1.1"; gene_name "GENE1";\n')
    # without -utr there are no UTR rows, and CDS stops before the stop codon
    feats = [ln.split("\t")[2] for ln in lines]
    assert feats == ["transcript", "exon", "CDS", "exon", "CDS", "exon", "start_codon",
                     "start_codon", "stop_codon", "stop_codon"]


def test_no_name2_gives_name_as_gene_id_and_no_gene_name():
    tx = read_genepred(CODONS_GP)[1]
    lines = to_gtf_lines(tx, source="s")
    assert lines[0].endswith('gene_id "NM_000002.1"; transcript_id "NM_000002.1"; \n')
    assert "gene_name" not in "".join(lines)


def test_minus_strand_exon_numbers_count_from_five_prime():
    tx = read_genepred(CODONS_GP)[1]
    exons = [ln for ln in to_gtf_lines(tx, source="s") if ln.split("\t")[2] == "exon"]
    assert [ln.split("exon_number ")[1][:3] for ln in exons] == ['"2"', '"1"']


def test_split_first_codon_rows_swap_exon_numbers():
    # kent labels the two rows of a split genomically-first codon with each other's exon
    tx = read_genepred(CODONS_GP)[0]
    starts = [ln for ln in to_gtf_lines(tx, source="s") if "\tstart_codon\t" in ln]
    assert [ln.split("\t")[3:5] + [ln.split("\t")[7]] for ln in starts] == [
        ["109", "110", "0"], ["121", "121", "1"]]
    assert 'exon_number "2"' in starts[0] and 'exon_number "1"' in starts[1]


def test_unique_names_live_in_the_writer():
    txs = read_genepred(CODONS_GP)
    w1, w2 = GtfWriter(source="s"), GtfWriter(source="s")
    ids1 = [w1.lines(t)[0].split('transcript_id "')[1].split('"')[0] for t in txs]
    assert ids1[3] == "NM_000001.1_2"
    assert w1.unique_name("NM_000001.1") == "NM_000001.1_3"
    # a new writer starts afresh
    assert w2.unique_name("NM_000001.1") == "NM_000001.1"


@pytest.mark.parametrize("honor,has_stop", [(False, True), (True, False)], ids=["plain", "honor"])
def test_honor_cds_stat(honor, has_stop):
    tx = read_genepred(CODONS_GP)[3]  # cmpl / incmpl, + strand
    lines = to_gtf_lines(tx, source="s", honor_cds_stat=honor)
    feats = [ln.split("\t")[2] for ln in lines]
    assert ("stop_codon" in feats) == has_stop
    cds = next(ln for ln in lines if "\tCDS\t" in ln).split("\t")
    assert cds[4] == ("37" if has_stop else "40")


def test_honor_cds_stat_ignored_without_stat_columns():
    tx = read_genepred(CODONS_GP)[1]  # 10-column record
    assert to_gtf_lines(tx, source="s", honor_cds_stat=True) == to_gtf_lines(tx, source="s")


def test_add_comments():
    tx = read_genepred(CODONS_GP)[2]
    lines = to_gtf_lines(tx, source="s", add_comments=True)
    assert lines[0] == "###\n# NR_000003.1 chr2:50-90 (+) CDS: 90-90\n#\n"


def test_exon_frames_used_when_present():
    tx = read_genepred(CODONS_GP)[4]
    assert tx.exon_frames == (0,)
    other = replace(tx, exon_frames=(2,))
    cds = [ln for ln in to_gtf_lines(other, source="s") if "\tCDS\t" in ln][0]
    assert cds.split("\t")[7] == "1"


# --- GTF line reader -------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ('gene_id "A"; transcript_id "B";', [("gene_id", "A"), ("transcript_id", "B")]),
    ('gene_id A; exon_number 3;', [("gene_id", "A"), ("exon_number", "3")]),
    ("gene_id 'x y' ; note \"a;b\";", [("gene_id", "x y"), ("note", "a;b")]),
    (' gene_id "A" ; transcript_id "B"', [("gene_id", "A"), ("transcript_id", "B")]),
    ('note "say \\"hi\\""; gene_id "A";', [("note", 'say "hi"'), ("gene_id", "A")]),
    ('gene_id "A"; transcript_id "";', [("gene_id", "A"), ("transcript_id", "")]),
], ids=["quoted", "unquoted", "single-quote-and-semicolon", "no-final-semicolon", "escape",
        "empty"])
def test_parse_attributes(text, expected):
    assert parse_gtf_attributes(text) == expected


@pytest.mark.parametrize("text,message", [
    ('gene_id "A"; transcript_id', "has no value"),
    ('gene_id "A', "unterminated"),
    ('gene_id ;', "empty value"),
], ids=["no-value", "unterminated", "empty-unquoted"])
def test_parse_attributes_errors(text, message):
    with pytest.raises(ParseError, match=message) as ei:
        parse_gtf_attributes(text, path="x.gtf", lineno=7)
    assert str(ei.value).startswith("x.gtf:7: ")


BAD_LINES = {
    "columns": ("chr1\tsrc\texon\t1\t10\t.\n", "expected 8 or 9"),
    "too-many-columns": ('chr1\ts\texon\t1\t10\t.\t+\t.\tgene_id "a";\textra\n', "expected 8 or 9"),
    "start-not-number": ('chr1\ts\texon\tone\t10\t.\t+\t.\tgene_id "a";\n', 'invalid start "one"'),
    "end-not-number": ('chr1\ts\texon\t1\t10x\t.\t+\t.\tgene_id "a";\n', 'invalid end "10x"'),
    "negative": ('chr1\ts\texon\t-5\t10\t.\t+\t.\tgene_id "a";\n', 'invalid start "-5"'),
    "end-before-start": ('chr1\ts\texon\t20\t10\t.\t+\t.\tgene_id "a";\n', "before start"),
    "attributes": ('chr1\ts\texon\t1\t10\t.\t+\t.\tgene_id "a\n', "unterminated"),
}


@pytest.mark.parametrize("name", list(BAD_LINES), ids=list(BAD_LINES))
def test_reader_rejects_bad_lines(tmp_path, name):
    line, message = BAD_LINES[name]
    path = tmp_path / "bad.gtf"
    path.write_text('# bad\nchr1\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";\n' + line)
    with pytest.raises(ParseError, match=message) as ei:
        read_gtf(path)
    assert str(ei.value).startswith(f"{path}:3: ")
    with pytest.raises(ParseError) as ei:
        read_gtf_groups(path)
    assert ei.value.line == 3


def test_reader_skips_comments_and_blank_lines():
    recs = read_gtf(CODONS_GTF)
    assert len(recs) == len(_expected_lines(CODONS_GTF))
    r = recs[0]
    assert (r.seqname, r.feature, r.start, r.end, r.strand, r.frame) == \
        ("chr1", "transcript", 100, 350, "+", ".")
    assert r.get("gene_name") == "GENE1" and r.get("exon_number") is None


@pytest.mark.parametrize("kind", ["str", "path", "textfile", "binaryfile"])
def test_reader_accepts_paths_and_files(kind):
    if kind == "str":
        src = str(CODONS_GTF)
    elif kind == "path":
        src = CODONS_GTF
    elif kind == "textfile":
        src = io.StringIO(CODONS_GTF.read_text())
    else:
        src = io.BytesIO(CODONS_GTF.read_bytes())
    assert read_gtf(src) == read_gtf(CODONS_GTF)


_pair_text = st.lists(st.tuples(
    st.sampled_from([" ", "", "  ", "\t"]),
    st.text(st.sampled_from("ab_1"), min_size=1, max_size=4),
    st.sampled_from([" ", "  "]),
    st.one_of(st.text(st.sampled_from('xy ;.'), max_size=5).map(lambda v: f'"{v}"'),
              st.text(st.sampled_from("xy1"), min_size=1, max_size=3)),
    st.sampled_from([";", " ;", "", "; "])), max_size=5).map(
    lambda parts: "".join("".join(p) for p in parts))


@settings(max_examples=300, deadline=None)
@given(_pair_text)
def test_attribute_fast_path_matches_general_parser(text):
    from refseqtracks.formats.gtf_read import _parse_attributes_general
    try:
        general = _parse_attributes_general(text, None, None)
    except ParseError:
        with pytest.raises(ParseError):
            parse_gtf_attributes(text)
        return
    assert parse_gtf_attributes(text) == general


_text = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters='";\\\''),
                min_size=1, max_size=8)
_value = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=10)


@settings(max_examples=200, deadline=None)
@given(seq=_text, source=_text, feature=_text, start=st.integers(0, 10**9), size=st.integers(1, 10**6),
       strand=st.sampled_from("+-."), frame=st.sampled_from("012."),
       attrs=st.lists(st.tuples(_text, _value), max_size=4))
def test_parse_format_round_trip(seq, source, feature, start, size, strand, frame, attrs):
    rec = GtfRecord(seq, source, feature, start, start + size, ".", strand, frame, tuple(attrs))
    assert parse_gtf_line(format_gtf_line(rec)) == rec


# --- gtfToGenePred grouping ------------------------------------------------------------------

def test_groups_in_order_of_first_appearance():
    gtf = read_gtf_groups(NCBI_GTF)
    assert gtf.is_gtf
    assert [g.name for g in gtf.groups] == ["", "NM_100.1", "NR_200.1", "XM_300"]
    nr = gtf.groups[2]
    assert [ln.start for ln in nr.lines] == [1000, 1200]  # sorted by start


def test_group_to_transcript_ext():
    txs = list(read_gtf_transcripts(NCBI_GTF, include_version=True))
    expected = [t for t in read_genepred(GTF_DIR / "ncbi_style.expected.gp")]
    assert txs == expected
    # the split stop codon is inside the CDS and gives the last exon its frame
    assert txs[0].cds_end == 301 and txs[0].exon_frames == (0, 0, 2)


def test_group_without_exons():
    g = read_gtf_groups(NCBI_GTF).groups[0]
    assert group_to_transcript(g) is None
    assert info_row(g) == "\tGENE1\tRefSeq\tchrT\t0\t1300\t+\t\t\t\tprotein_coding\t\n"
    with pytest.raises(GtfGroupError, match="no exons defined for group , feature gene"):
        list(read_gtf_transcripts(NCBI_GTF, ignore_groups_without_exons=False))


def test_group_on_two_strands(tmp_path):
    path = tmp_path / "two.gtf"
    path.write_text('c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";\n'
                    'c\ts\texon\t1\t10\t.\t-\t.\tgene_id "g"; transcript_id "t";\n')
    g = read_gtf_groups(path).groups[0]
    # later file lines sort first among equal starts: the group takes the '-' strand
    with pytest.raises(GtfGroupError, match=r"group t on c-, this line is on c\+"):
        group_to_transcript(g)


def test_not_gtf(tmp_path):
    path = tmp_path / "x.gff"
    path.write_text("c\ts\texon\t1\t10\t.\t+\t.\tID=a;Parent=b\n")
    assert not read_gtf_groups(path).is_gtf


@pytest.mark.parametrize("strand,cds,expected", [("+", (2, 9), (2, 22)), ("-", (22, 28), (9, 28))],
                         ids=["plus-over-intron", "minus-over-intron"])
def test_implied_stop_after_cds(tmp_path, strand, cds, expected):
    path = tmp_path / "s.gtf"
    rows = [("exon", 1, 10), ("exon", 21, 30), ("CDS", cds[0] + 1, cds[1])]
    path.write_text("".join(f'c\ts\t{f}\t{a}\t{b}\t.\t{strand}\t.\tgene_id "g"; transcript_id "t";\n'
                            for f, a, b in rows))
    plain = next(read_gtf_transcripts(path))
    implied = next(read_gtf_transcripts(path, implied_stop_after_cds=True))
    assert (plain.cds_start, plain.cds_end) == cds
    assert (implied.cds_start, implied.cds_end) == expected


@settings(max_examples=150, deadline=None)
@given(tx=coding_transcripts(codon_multiple=True), utr=st.booleans())
@example(tx=Transcript("NM_1.1", "chr1", "+", 0, 4, 0, 4, (0, 2), (1, 4), 0, "G", "cmpl", "cmpl"),
         utr=False)
def test_genepred_gtf_genepred_round_trip(tmp_path_factory, tx, utr):
    """genePredToGtf then gtfToGenePred -genePredExt gives back a complete-CDS transcript."""
    blocks = tx.cds_blocks()
    # a codon that would need three exons cannot be written by genePredToGtf
    assume(sum(e - s for s, e in blocks[:2]) >= 3 and sum(e - s for s, e in blocks[-2:]) >= 3)
    # kent phases a split codon's pieces in genomic order, so on '-' an exon holding only the
    # lower piece of the stop codon (and hence no CDS row) reads back with frame 0
    assume(not (tx.strand == "-" and len(blocks) > 1 and blocks[0][1] - blocks[0][0] < 3))
    tx = replace(tx, exon_frames=calc_exon_frames(tx))
    path = tmp_path_factory.mktemp("rt") / "t.gtf"
    path.write_text("".join(to_gtf_lines(tx, source="t", utr=utr)))
    back = list(read_gtf_transcripts(path))
    assert back == [tx]


@settings(max_examples=50, deadline=None)
@given(tx=coding_transcripts())
def test_noncoding_round_trip(tmp_path_factory, tx):
    nc = Transcript(tx.name, tx.chrom, tx.strand, tx.tx_start, tx.tx_end, tx.tx_end, tx.tx_end,
                    tx.exon_starts, tx.exon_ends, 0, "G", "none", "none", (-1,) * tx.exon_count)
    path = tmp_path_factory.mktemp("nc") / "t.gtf"
    path.write_text("".join(to_gtf_lines(nc, source="t", utr=True)))
    assert list(read_gtf_transcripts(path)) == [nc]


@pytest.mark.parametrize("rows,frames", [
    # abutting CDS features merge into one exon whose frame is the later feature's (kent)
    ([("CDS", 1, 9, "0"), ("CDS", 10, 21, "2")], (1,)),
    # a stop codon piece does not replace the frame of the CDS feature in the same exon
    ([("CDS", 1, 9, "2"), ("stop_codon", 10, 12, "0")], (1,)),
    # an exon holding only a codon piece takes the codon's phase
    ([("CDS", 1, 10, "0"), ("stop_codon", 11, 12, "0"), ("exon", 31, 40, "."),
      ("stop_codon", 31, 31, "1")], (0, 2)),
], ids=["abutting-cds", "codon-after-cds", "codon-only-exon"])
def test_exon_frames_from_features(tmp_path, rows, frames):
    path = tmp_path / "f.gtf"
    path.write_text("".join(f'c\ts\t{f}\t{a}\t{b}\t.\t+\t{p}\tgene_id "g"; transcript_id "t";\n'
                            for f, a, b, p in rows))
    assert next(read_gtf_transcripts(path)).exon_frames == frames


def test_missing_frames_are_filled_in_transcription_order(tmp_path):
    path = tmp_path / "f.gtf"
    rows = [("CDS", 1, 10), ("CDS", 21, 31), ("CDS", 41, 50)]
    path.write_text("".join(f'c\ts\t{f}\t{a}\t{b}\t.\t-\t.\tgene_id "g"; transcript_id "t";\n'
                            for f, a, b in rows))
    tx = next(read_gtf_transcripts(path))
    assert tx.exon_frames == calc_exon_frames(tx) == (0, 1, 0)
    assert (tx.cds_start_stat, tx.cds_end_stat) == ("incmpl", "incmpl")
