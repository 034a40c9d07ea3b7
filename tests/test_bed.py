"""BED reader/writer and kent genePredToBed (to_bed12)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import FIXTURES, shared_path
from refseqtracks.errors import ParseError
from refseqtracks.formats.bed import (
    FIELDS, BedRecord, bed12_to_transcript, format_bed_line, iter_bed, parse_bed_line, read_bed,
    to_bed12, write_bed,
)
from refseqtracks.formats.genepred import read_genepred
from refseqtracks.model import Transcript

SMALL_GP = FIXTURES / "bed" / "small.gp"


def test_fields_in_ucsc_spelling():
    assert FIELDS[:3] == ("chrom", "chromStart", "chromEnd")
    assert FIELDS[-3:] == ("blockCount", "blockSizes", "chromStarts")
    assert len(FIELDS) == 12


def test_to_bed12_coding_and_noncoding():
    txs = read_genepred(SMALL_GP)
    assert to_bed12(txs[0]) == ("chr1\t100\t1000\tNM_000001.1\t0\t+\t150\t900\t0\t3\t"
                                "200,200,200,\t0,300,700,\n")
    # non-coding: thickStart/thickEnd keep the genePred's cdsStart/cdsEnd (txEnd here)
    assert to_bed12(txs[1], score=5) == ("chr1\t200\t700\tNR_000002.1\t5\t-\t700\t700\t0\t2\t"
                                         "100,200,\t0,300,\n")


def test_to_bed12_fill_space():
    tx = Transcript("a b", "chr1", "+", 0, 10, 0, 10, (0,), (10,))
    assert to_bed12(tx, fill_space=True).split("\t")[3] == "a_b"
    assert to_bed12(tx).split("\t")[3] == "a b"


def test_kent_genepred_to_bed_test_file():
    gp = shared_path("data", "genepred", "kent_genePredToBed", "test.genePred")
    expected = shared_path("data", "genepred", "kent_genePredToBed", "expected.bed").read_text()
    from refseqtracks.formats.bed import genepred_row_to_bed12
    got = "".join(genepred_row_to_bed12(line.split(), path=str(gp), lineno=i)
                  for i, line in enumerate(gp.read_text().splitlines(), 1))
    assert got == expected


def test_parse_format_round_trip_bed6_plus_extra():
    line = "chr1\t5\t10\tx\t0\t-\textra1\textra2\n"
    rec = parse_bed_line(line, bed_n=6)
    assert rec.extra == ("extra1", "extra2")
    assert rec.field_count == 6
    assert format_bed_line(rec) == line


@pytest.mark.parametrize("n", [3, 4, 5, 6, 8, 9, 12], ids=lambda n: f"bed{n}")
def test_parse_format_round_trip_each_width(n):
    full = ["chr2", "10", "400", "NM_1.1", "7", "+", "20", "390", "255,0,0", "2", "100,90,", "0,300,"]
    line = "\t".join(full[:n]) + "\n"
    rec = parse_bed_line(line)
    assert rec.field_count == n
    assert format_bed_line(rec) == line


BAD_LINES = [
    ("too_few_columns", "chr1\t10\n", "expected at least 3"),
    ("start_not_number", "chr1\tx\t10\n", "chromStart"),
    ("end_not_number", "chr1\t1\t1e3\n", "chromEnd"),
    ("start_after_end", "chr1\t20\t10\n", "chromStart after chromEnd"),
    ("bad_score", "chr1\t1\t10\tn\tabc\n", "score"),
    ("bad_strand", "chr1\t1\t10\tn\t0\t*\n", "strand"),
    ("thick_reversed", "chr1\t1\t10\tn\t0\t+\t8\t5\n", "thickStart after thickEnd"),
    ("bad_rgb", "chr1\t1\t10\tn\t0\t+\t1\t5\t1,2\n", "itemRgb"),
    ("bed10", "chr1\t1\t10\tn\t0\t+\t1\t5\t0\t1\n", "must come together"),
    ("block_count_mismatch", "chr1\t0\t10\tn\t0\t+\t0\t10\t0\t2\t10,\t0,\n", "blockCount is 2"),
    ("block_starts_mismatch", "chr1\t0\t10\tn\t0\t+\t0\t10\t0\t1\t10,\t0,5,\n", "chromStarts has 2"),
    ("block_size_negative", "chr1\t0\t10\tn\t0\t+\t0\t10\t0\t2\t5,-1,\t0,9,\n", "ends before it starts"),
    ("blocks_overlap", "chr1\t0\t10\tn\t0\t+\t0\t10\t0\t2\t6,5,\t0,5,\n", "ascending order"),
    ("blocks_short_of_end", "chr1\t0\t10\tn\t0\t+\t0\t10\t0\t1\t5,\t0,\n", "span chromStart to chromEnd"),
    ("first_block_not_at_start", "chr1\t0\t10\tn\t0\t+\t0\t10\t0\t1\t8,\t2,\n", "chromStarts[0]"),
    ("block_size_not_number", "chr1\t0\t10\tn\t0\t+\t0\t10\t0\t1\tten,\t0,\n", "blockSizes"),
]


@pytest.mark.parametrize("line,needle", [b[1:] for b in BAD_LINES], ids=[b[0] for b in BAD_LINES])
def test_bad_lines_raise_parse_error_with_location(tmp_path, line, needle):
    path = tmp_path / "bad.bed"
    path.write_text("# comment\nchr1\t0\t5\n" + line)
    with pytest.raises(ParseError) as ei:
        read_bed(path)
    assert str(ei.value).startswith(f"{path}:3: ")
    assert needle in str(ei.value)


@pytest.mark.parametrize("kind", ["str", "path", "fileobj"])
def test_readers_take_str_path_and_file(kind):
    text = "track name=x\nchr1\t0\t5\tn\n"
    src = {"str": None, "path": None, "fileobj": io.StringIO(text)}[kind]
    if src is None:
        import tempfile
        d = Path(tempfile.mkdtemp())
        (d / "a.bed").write_text(text)
        src = str(d / "a.bed") if kind == "str" else d / "a.bed"
    assert list(iter_bed(src)) == [BedRecord("chr1", 0, 5, "n")]


def test_write_bed_transcripts_and_records(tmp_path):
    txs = read_genepred(SMALL_GP)
    out = tmp_path / "out.bed"
    n = write_bed([txs[3], BedRecord("chr3", 1, 2)], out)
    assert n == 2
    assert out.read_text() == ("chr2\t10\t400\tNM_000004.3\t0\t+\t20\t390\t0\t1\t390,\t0,\n"
                               "chr3\t1\t2\n")


def test_write_bed_leaves_no_partial_output(tmp_path):
    out = tmp_path / "out.bed"

    def gen():
        yield BedRecord("chr1", 0, 1)
        raise ParseError("x", 1, "boom")

    with pytest.raises(ParseError):
        write_bed(gen(), out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@st.composite
def transcripts(draw):
    n = draw(st.integers(1, 6))
    pos = draw(st.integers(0, 1000))
    starts, ends = [], []
    for _ in range(n):
        pos += draw(st.integers(1, 50)) if starts else 0
        size = draw(st.integers(1, 100))
        starts.append(pos)
        ends.append(pos + size)
        pos += size
    tx_start, tx_end = starts[0], ends[-1]
    coding = draw(st.booleans())
    if coding:
        a = draw(st.integers(tx_start, tx_end))
        b = draw(st.integers(a, tx_end))
    else:
        a = b = tx_end
    return Transcript(draw(st.sampled_from(["NM_1.1", "XR_2.3", "NR_9.1"])), "chrZ",
                      draw(st.sampled_from("+-")), tx_start, tx_end, a, b, tuple(starts), tuple(ends))


@given(transcripts())
@example(Transcript("NM_1.1", "chrZ", "-", 0, 1, 1, 1, (0,), (1,)))
def test_genepred_bed12_genepred_keeps_blocks_and_cds(tx):
    rec = parse_bed_line(to_bed12(tx))
    back = bed12_to_transcript(rec)
    assert back == tx


_GP_CHOICES = [["NM_1.1", "a b"], ["chr1"], ["+", "-"], ["0", "10", "-1", "x"], ["100", "50"],
               ["10", "100", "-5"], ["90", "100"], ["1", "2", "0", "-1", "z"],
               ["0,", "10,", "10,50,", "", "a,"], ["100,", "20,100,", "100", ","]]


@given(st.tuples(*[st.sampled_from(c) for c in _GP_CHOICES]), st.booleans())
@example(("NM_1.1", "chr1", "+", "10", "100", "10", "90", "2", "10,50,", "20,100,"), True)
def test_genepred_to_bed_fast_path_agrees_with_parser(cols, fill):
    from refseqtracks.formats.bed import genepred_row_to_bed12
    from refseqtracks.formats.genepred import parse_genepred_line
    try:
        want = to_bed12(parse_genepred_line("\t".join(cols)), fill_space=fill)
    except ParseError as ex:
        want = ex.message
    try:
        got = genepred_row_to_bed12(list(cols), fill_space=fill)
    except ParseError as ex:
        got = ex.message
    assert got == want
