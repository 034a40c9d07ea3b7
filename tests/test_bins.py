"""UCSC bins (kent binRange.c values), the query side, TranscriptIndex and `refseqtracks query`."""
from __future__ import annotations

import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks.bins import (
    BINRANGE_MAXEND_512M, TranscriptIndex, bin_from_range, bin_ranges_for_query, bins_for_range,
    detect_layout, iter_region, overlaps, parse_region,
)
from refseqtracks.cli import main
from refseqtracks.errors import ParseError, RefseqtracksError, UsageError
from refseqtracks.formats.genepred import format_genepred_line
from refseqtracks.model import Transcript

KENT_VALUES = [
    ((0, 1), 585), ((0, 131072), 585), ((131071, 131073), 73), ((1000000, 1000001), 592),
    ((0, 2**20), 73), ((0, 2**23), 9), ((0, 2**26), 1), ((0, 2**29), 0),
    ((2**29, 2**29 + 1), 13458), ((0, 2**29 + 1), 4681), ((600000000, 600000100), 13939),
    ((2**31 - 2, 2**31 - 1), 25745),
]


@pytest.mark.parametrize("rng,expected", KENT_VALUES, ids=[f"{a}-{b}" for (a, b), _ in KENT_VALUES])
def test_bin_from_range_kent_values(rng, expected):
    assert bin_from_range(*rng) == expected


@pytest.mark.parametrize("rng", [(0, 0), (-1, 5), (10, 5), (0, 2**31)], ids=["empty-at-0", "negative",
                                                                          "reversed", "beyond-2G"])
def test_bin_from_range_rejects(rng):
    with pytest.raises(RefseqtracksError):
        bin_from_range(*rng)


def test_query_ranges_standard_include_4681():
    assert bin_ranges_for_query(1000000, 3000000) == [(592, 607), (73, 75), (9, 9), (1, 1), (0, 0),
                                                      (4681, 4681)]


def test_query_ranges_extended_has_both_schemes():
    ranges = bin_ranges_for_query(500_000_000, 600_000_000)
    assert ranges[:5] == [(585 + (500_000_000 >> 17), 585 + ((BINRANGE_MAXEND_512M - 1) >> 17)),
                          (73 + (500_000_000 >> 20), 73 + 511), (9 + 59, 9 + 63), (1 + 7, 1 + 7),
                          (0, 0)]
    assert len(ranges) == 11 and ranges[5][0] >= 4681
    assert 4681 in bins_for_range(500_000_000, 600_000_000)


def test_query_beyond_512m_only_extended():
    ranges = bin_ranges_for_query(600_000_000, 600_000_100)
    assert len(ranges) == 6 and all(lo >= 4681 for lo, _ in ranges)


coord = st.integers(min_value=0, max_value=2**31 - 2)


@st.composite
def overlapping_pair(draw):
    s1 = draw(coord)
    e1 = draw(st.integers(min_value=s1 + 1, max_value=min(2**31 - 1, s1 + draw(st.sampled_from(
        [10, 2**17, 2**20, 2**27, 2**31])))))
    # a second interval that shares at least one base with the first
    p = draw(st.integers(min_value=s1, max_value=e1 - 1))
    s2 = draw(st.integers(min_value=max(0, p - draw(st.sampled_from([1, 2**17, 2**24, 2**30]))),
                          max_value=p))
    e2 = draw(st.integers(min_value=p + 1, max_value=min(2**31 - 1, p + 1 + draw(st.sampled_from(
        [0, 2**17, 2**24, 2**30])))))
    return (s1, e1), (s2, e2)


@settings(max_examples=300, deadline=None)
@given(overlapping_pair())
@example(((0, 2**29 + 1), (2**29 - 1, 2**29)))
@example(((2**29 - 5, 2**29 + 5), (2**29 - 10, 2**29 - 4)))
@example(((600_000_000, 600_000_001), (0, 2**31 - 1)))
def test_bin_of_overlapping_interval_is_visited(pair):
    (s1, e1), (s2, e2) = pair
    assert overlaps(s1, e1, s2, e2)
    assert bin_from_range(s1, e1) in bins_for_range(s2, e2)
    assert bin_from_range(s2, e2) in bins_for_range(s1, e1)


def _tx(name, chrom, s, e):
    return Transcript(name, chrom, "+", s, e, e, e, (s,), (e,))


@st.composite
def transcripts_and_query(draw):
    n = draw(st.integers(min_value=0, max_value=25))
    txs = []
    for i in range(n):
        s = draw(st.integers(min_value=0, max_value=3_000_000))
        e = s + draw(st.integers(min_value=0, max_value=400_000))
        txs.append(_tx(f"NM_{i}.1", draw(st.sampled_from(["chr1", "chr2"])), s, e))
    qs = draw(st.integers(min_value=0, max_value=3_000_000))
    qe = qs + draw(st.integers(min_value=0, max_value=500_000))
    return txs, qs, qe


@settings(max_examples=150, deadline=None)
@given(transcripts_and_query())
@example(([_tx("NM_1.1", "chr1", 5, 5)], 0, 10))
@example(([_tx("NM_1.1", "chr1", 0, 10)], 5, 5))
def test_index_and_file_query_equal_brute_force(data):
    txs, qs, qe = data
    brute = [t for t in txs if t.chrom == "chr1" and overlaps(t.tx_start, t.tx_end, qs, qe)]
    assert TranscriptIndex(txs).overlapping("chr1", qs, qe) == brute
    # the same through a bin-column genePred file (only valid rows can carry a bin)
    valid = [t for t in txs if t.tx_end > t.tx_start]
    text = "".join(f"{bin_from_range(t.tx_start, t.tx_end)}\t{format_genepred_line(t)}" for t in valid)
    got = list(iter_region(io.StringIO(text), parse_region(f"chr1:{qs}-{qe}", zero_based=True), bin=True))
    want = [t for t in brute if t.tx_end > t.tx_start]
    assert got == [f"{bin_from_range(t.tx_start, t.tx_end)}\t{format_genepred_line(t)}" for t in want]


def test_index_chroms_and_len():
    idx = TranscriptIndex([_tx("a", "chr2", 0, 5), _tx("b", "chr1", 3, 9)])
    assert len(idx) == 2 and idx.chroms() == ["chr1", "chr2"]
    assert idx.overlapping("chrX", 0, 100) == []


@pytest.mark.parametrize("text,zero,expected", [
    ("chr1:1,001-2,000", False, ("chr1", 1000, 2000)),
    ("chr1:1000-2000", True, ("chr1", 1000, 2000)),
    ("chrM", False, ("chrM", 0, None)),
    ("HLA-A*01:01:01:01:5-9", False, ("HLA-A*01:01:01:01", 4, 9)),
], ids=["browser", "zero-based", "whole-chrom", "colon-in-name"])
def test_parse_region(text, zero, expected):
    assert tuple(parse_region(text, zero_based=zero)) == expected


@pytest.mark.parametrize("text", ["chr1:a-b", ":1-2", "chr1:0-5", "chr1:9-5"],
                         ids=["not-int", "no-chrom", "zero-1based", "reversed"])
def test_parse_region_rejects(text):
    with pytest.raises(UsageError):
        parse_region(text)


GP = "NM_1.1\tchr1\t+\t100\t200\t120\t180\t1\t100,\t200,\n"
BED = "chr1\t100\t200\tNM_1.1\t0\t+\n"
PSL = ("90\t0\t0\t0\t0\t0\t0\t0\t+\tNM_1.1\t100\t0\t100\tchr1\t1000\t100\t200\t1\t100,\t0,\t100,\n")


@pytest.mark.parametrize("line,kind,binned", [
    (GP, "genePred", False), ("585\t" + GP, "genePred", True), (BED, "bed", False),
    ("585\t" + BED, "bed", True), (PSL, "psl", False), ("585\t" + PSL, "psl", True),
    (PSL.rstrip("\n") + "\tacgt,\tacgt,\n", "psl", False),
], ids=["gp", "gp-bin", "bed", "bed-bin", "psl", "psl-bin", "pslx"])
def test_detect_layout(line, kind, binned):
    lay = detect_layout(line.rstrip("\n").split("\t"))
    assert (lay.kind, lay.bin) == (kind, binned)


def test_numeric_chrom_bed_is_not_taken_for_bin():
    lay = detect_layout("1\t100\t200\t300".split("\t"))
    assert (lay.kind, lay.bin) == ("bed", False)


@pytest.mark.parametrize("content,region,expected", [
    (GP + GP.replace("100\t200\t120\t180\t1\t100,\t200,", "300\t400\t300\t300\t1\t300,\t400,"),
     "chr1:150-160", 1),
    ("585\t" + GP, "chr1:201-300", 0),
    ("585\t" + GP, "chr1:200-300", 1),
    (PSL, "chr1", 1),
    ("#c\ntrack name=x\n" + BED, "chr1:101-101", 1),
], ids=["gp", "bin-gp-after", "bin-gp-last-base", "psl-whole-chrom", "bed-header"])
def test_cli_query(tmp_path, capsys, content, region, expected):
    f = tmp_path / "in.txt"
    f.write_text(content)
    assert main(["query", str(f), region]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == expected
    assert all(line + "\n" in content for line in out.splitlines())


def test_cli_query_bad_row(tmp_path, capsys):
    f = tmp_path / "in.gp"
    f.write_text("hello world\n")
    assert main(["query", str(f), "chr1:1-5"]) == 255
    assert f"{f}:1:" in capsys.readouterr().err


def test_iter_region_short_row():
    with pytest.raises(ParseError):
        list(iter_region(io.StringIO(GP + "NM_2\tchr1\t+\n"), parse_region("chr1")))


def test_cli_bin(capsys):
    assert main(["bin", "600000000", "600000100"]) == 0
    assert capsys.readouterr().out == "13939\n"
    assert main(["bin", "--query", "0", "1"]) == 0
    assert capsys.readouterr().out == "585\n73\n9\n1\n0\n4681\n"
