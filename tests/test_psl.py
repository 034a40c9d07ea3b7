"""PSL format: parsing, writing, pslCheck rules and the shared kent arithmetic."""
from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import FIXTURES
from refseqtracks.errors import ParseError
from refseqtracks.formats.psl import (
    FIELDS, PSL_HEADER, Psl, c_round, check_psl, format_psl_line, iter_psl, parse_psl_line,
    psl_calc_milli_bad, psl_ident, psl_is_protein, psl_score, query_blocks_forward, read_psl,
    target_blocks_forward, write_psl,
)

PSL_DIR = FIXTURES / "psl"
LINE = ("990\t5\t0\t5\t0\t0\t2\t2000\t+\tNM_000001.1\t1000\t0\t1000\tchr1\t50000\t10000\t13000\t3\t"
        "300,400,300,\t0,300,700,\t10000,11300,12700,\n")
MINUS = ("495\t5\t0\t0\t0\t0\t1\t100\t-\tNM_000002.1\t500\t0\t400\tchr1\t50000\t20000\t20500\t2\t"
         "100,300,\t100,200,\t20000,20200,\n")


def make(matches=100, mis=0, rep=0, n=0, q_ins=0, q_ins_b=0, t_ins=0, t_ins_b=0, strand="+",
         q_name="NM_000001.1", q_size=100, q_start=0, q_end=100, t_name="chr1", t_size=10000,
         t_start=1000, t_end=1100, sizes=(100,), q_starts=(0,), t_starts=(1000,)) -> Psl:
    return Psl(matches, mis, rep, n, q_ins, q_ins_b, t_ins, t_ins_b, strand, q_name, q_size,
               q_start, q_end, t_name, t_size, t_start, t_end, len(sizes), tuple(sizes),
               tuple(q_starts), tuple(t_starts))


def test_fields_spelling():
    assert len(FIELDS) == 21
    assert FIELDS[:4] == ("matches", "misMatches", "repMatches", "nCount")
    assert FIELDS[-3:] == ("blockSizes", "qStarts", "tStarts")


def test_parse_format_round_trip():
    p = parse_psl_line(LINE)
    assert (p.matches, p.n_count, p.q_name, p.block_count) == (990, 5, "NM_000001.1", 3)
    assert p.block_sizes == (300, 400, 300)
    assert format_psl_line(p) == LINE


def test_lists_without_trailing_comma_get_one():
    line = LINE.replace("300,400,300,", "300,400,300").replace("\t0,300,700,", "\t0,300,700")
    assert format_psl_line(parse_psl_line(line)) == LINE


@pytest.mark.parametrize("line,message", [
    ("1\t2\t3\n", "expected 21 PSL columns, got 3"),
    (LINE.replace("300,400,300,", "300,400,"), "blockSizes has 2 values, blockCount is 3"),
    (LINE.replace("\t0,300,700,", "\t0,300,"), "qStarts has 2 values, blockCount is 3"),
    (LINE.replace("990\t5", "-990\t5", 1), "must not be negative"),
    (LINE.replace("990\t5", "x\t5", 1), "expected an unsigned integer"),
    (LINE.replace("\t+\t", "\t*\t"), "invalid strand"),
], ids=["columns", "blockSizes", "qStarts", "negative", "not-number", "strand"])
def test_malformed_lines(line, message):
    with pytest.raises(ParseError) as ei:
        parse_psl_line(line, path="in.psl", lineno=7)
    assert str(ei.value).startswith("in.psl:7: ")
    assert message in str(ei.value)


def test_reader_skips_header_and_comments(tmp_path):
    f = tmp_path / "h.psl"
    f.write_text(PSL_HEADER + LINE + "# note\n" + MINUS)
    rows = read_psl(f)
    assert [p.q_name for p in rows] == ["NM_000001.1", "NM_000002.1"]
    assert rows[1].lineno == 8


def test_reader_without_comments_rejects_them(tmp_path):
    f = tmp_path / "c.psl"
    f.write_text(LINE + "# note\n")
    with pytest.raises(ParseError, match=r"c.psl:2: Bad line 2 of"):
        read_psl(f, comments=False)


@pytest.mark.parametrize("kind", ["str", "path", "file", "stdin"])
def test_reader_sources(kind, monkeypatch):
    path = PSL_DIR / "refseq_mrna.psl"
    if kind == "str":
        src = str(path)
    elif kind == "path":
        src = Path(path)
    elif kind == "file":
        src = io.StringIO(path.read_text())
    else:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
        src = "-"
    assert len(read_psl(src)) == 6


def test_malformed_file_reports_path_and_line():
    with pytest.raises(ParseError) as ei:
        read_psl(str(PSL_DIR / "bad_blocks.psl"))
    assert str(ei.value).startswith(f"{PSL_DIR / 'bad_blocks.psl'}:3: blockSizes has 2 values")


@pytest.mark.parametrize("header", [False, True], ids=["plain", "header"])
def test_write_round_trip(tmp_path, header):
    rows = read_psl(PSL_DIR / "refseq_mrna.psl")
    out = tmp_path / "o.psl"
    assert write_psl(rows, out, header=header) == 6
    text = out.read_text()
    assert text.startswith("psLayout version 3\n") == header
    assert read_psl(out) == rows


def test_header_is_kents():
    lines = PSL_HEADER.split("\n")
    assert lines[0] == "psLayout version 3" and lines[1] == ""
    assert lines[2].startswith("match\tmis- \trep. \tN's\tQ gap")
    assert lines[4] == "-" * 159


def test_check_valid_rows():
    for p in read_psl(PSL_DIR / "refseq_mrna.psl"):
        assert check_psl(p) == []
    assert check_psl(parse_psl_line(MINUS)) == []


def test_check_reports_problems():
    bad = make(q_start=5)
    assert any("query start 5 does not match first block start 0" in e for e in check_psl(bad))
    over = make(matches=100, q_end=100, t_end=1100, sizes=(60, 40), q_starts=(0, 50),
                t_starts=(1000, 1060))
    assert any("query block 1 overlaps" in e for e in check_psl(over))
    assert any("qSize 100 differs" in e for e in check_psl(make(), q_sizes={"NM_000001.1": 90}))
    assert any("not in target sizes" in e for e in check_psl(make(), t_sizes={}))
    assert any("past target size" in e for e in check_psl(make(t_size=1050)))


def test_minus_strand_blocks_forward():
    p = parse_psl_line(MINUS)
    # qStarts 100,200 on the reverse strand of a 500 bp query
    assert query_blocks_forward(p) == [(300, 400), (0, 300)]
    assert target_blocks_forward(p) == [(20000, 20100), (20200, 20500)]


def test_c_round_halves_away_from_zero():
    assert [c_round(x) for x in (0.5, 1.5, 2.5, -0.5, -2.5, 2.4999)] == [1, 2, 3, -1, -3, 2]


def test_milli_bad_hand_computed():
    # 971 matches, 33 mismatches, 3 query inserts, query 11 bases longer than target:
    # 1000 * (33 + 3 + round(3 * ln 12) = 7) / 1004 = 42.8 -> 42
    p = make(matches=971, mis=33, q_ins=3, q_size=1016, q_end=1016, t_end=1000 + 1005,
             sizes=(1004,), t_starts=(1000,))
    assert c_round(3 * math.log(12)) == 7
    assert psl_calc_milli_bad(p, True) == 42
    # target longer than query: no size penalty for mRNA; genomic counts it (and tNumInsert)
    q = make(matches=90, mis=10, t_ins=1, t_ins_b=50, t_end=1150, sizes=(50, 50),
             q_starts=(0, 50), t_starts=(1000, 1100))
    assert psl_calc_milli_bad(q, True) == 100
    assert psl_calc_milli_bad(q, False) == int(1000 * (10 + 1 + c_round(3 * math.log(51))) / 100)


def test_ident_ignores_n_and_handles_empty():
    p = make(matches=90, mis=5, rep=5, n=10)
    assert psl_ident(p) == 0.95
    assert psl_ident(make(matches=0)) == 0.0


def test_psl_score():
    assert psl_score(make(matches=90, mis=4, rep=6, q_ins=1, t_ins=2)) == 90 + 3 - 4 - 3


def test_protein_detection():
    prot = make(matches=30, q_size=30, q_end=30, t_end=1090, sizes=(30,))
    assert psl_is_protein(prot)
    assert not psl_is_protein(make())


_nat = st.integers(min_value=0, max_value=10**9)


@st.composite
def psl_rows(draw):
    n = draw(st.integers(min_value=0, max_value=5))
    ints = st.lists(st.integers(min_value=0, max_value=10**7), min_size=n, max_size=n)
    name = st.text(alphabet="ABCNMXR_.0123456789", min_size=1, max_size=12)
    return Psl(*(draw(_nat) for _ in range(8)), draw(st.sampled_from(["+", "-", "++", "+-", "-+"])),
               draw(name), draw(_nat), draw(_nat), draw(_nat), draw(name), draw(_nat), draw(_nat),
               draw(_nat), n, tuple(draw(ints)), tuple(draw(ints)), tuple(draw(ints)))


@given(psl_rows())
@example(make(sizes=(), q_starts=(), t_starts=()))
def test_format_parse_law(p):
    assert parse_psl_line(format_psl_line(p)) == p


def test_iter_is_lazy():
    it = iter_psl(PSL_DIR / "refseq_mrna.psl")
    assert next(it).q_name == "NM_000001.1"
    it.close()
