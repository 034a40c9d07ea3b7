"""The direct conversion of NCBI alignment lines equals the general gff3ToPsl route, byte for byte."""
from __future__ import annotations

import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks.chromnames import ChromMap, Renamer
from refseqtracks.formats.psl import format_psl_line
from refseqtracks.model import Transcript
from refseqtracks import ncbirefseq_psl
from refseqtracks.ncbirefseq_psl import _psl_step, fake_psl
from refseqtracks.ncbirefseq_psl_rows import fake_row

SEQIDS = ("NC_1", "NC_2", "NC_3")
RNAS = ("NM_1.1", "NM_2.1", "NR_3.1")


def _line(seqid: str, start: int, end: int, strand: str, target: str, gap: str | None = None, *,
          aln: str = "aln1", score: str = ".", ftype: str = "cDNA_match") -> str:
    col9 = f"ID={aln};Target={target}" + (f";Gap={gap}" if gap is not None else "") + ";num_mismatch=0"
    return "\t".join((seqid, "RefSeq", ftype, str(start), str(end), score, strand, ".", col9)) + "\n"


def _run(lines, *, fast: bool, head=("##gff-version 3\n",), genome_sizes=None, rna_sizes=None,
         renamer=None, bin=False, fakes=(), out_sizes=None):
    out, seen = io.StringIO(), []
    try:
        n, note, used = _psl_step(list(head), list(lines), out,
                                  genome_sizes=genome_sizes if genome_sizes is not None else {"NC_1": 5000},
                                  rna_sizes=rna_sizes, renamer=renamer, bin=bin, fakes=iter(fakes),
                                  out_sizes=out_sizes, linenos=list(range(11, 11 + len(lines))),
                                  path="in.gff", report=seen.append, fast=fast)
    except Exception as ex:  # the general route's own failures must be the direct one's too
        return ("raised", type(ex).__name__, str(ex)), None
    return (n, note, out.getvalue(), seen), used


def _same(lines, **kw) -> bool:
    """Both routes give the same rows, note and reports; True when the direct one made them."""
    general, _ = _run(lines, fast=False, **kw)
    direct, used = _run(lines, fast=True, **kw)
    assert direct == general
    return bool(used)


# -- NCBI-like input takes the direct route and agrees ------------------------------------------

PLUS = [_line("NC_1", 101, 200, "+", "NM_1.1 1 100 +"),
        _line("NC_1", 501, 703, "+", "NM_1.1 101 303 +", "M50 D3 M100 I3 M50")]
MINUS = [_line("NC_1", 1001, 1100, "-", "NM_2.1 201 300 +", "M40 I2 M20 D2 M38"),
         _line("NC_1", 1301, 1500, "-", "NM_2.1 1 200 +", aln="aln2", score="199.5")]
TARGET_MINUS = [_line("NC_1", 2001, 2100, "+", "NR_3.1 51 150 -", "M10 M20 D0 M70"),
                _line("NC_1", 2201, 2250, "+", "NR_3.1 1 50 -")]


@pytest.mark.parametrize("lines", [PLUS, MINUS, TARGET_MINUS, PLUS + MINUS + TARGET_MINUS],
                         ids=["plus", "genome-minus", "target-minus", "mixed"])
@pytest.mark.parametrize("bin", [False, True], ids=["nobin", "bin"])
def test_ncbi_like_lines_take_the_direct_route(lines, bin):
    fakes = [Transcript("NM_1.1", "NC_1", "+", 100, 703, 100, 703, (100, 500), (200, 703)),
             Transcript("NM_9.1", "NC_1", "-", 10, 90, 20, 80, (10, 50), (30, 90))]
    assert _same(lines, bin=bin, fakes=fakes)


def test_pieces_of_one_rna_apart_in_the_file_are_chained_alike():
    # the second piece of NM_1.1 comes after another alignment: the group stays open until then
    lines = [PLUS[0], MINUS[0], PLUS[1]]
    assert _same(lines)
    rows, _ = _run(lines, fast=True)
    assert [r.split("\t")[9] for r in rows[2].splitlines()] == ["NM_1.1", "NM_2.1"]
    assert rows[2].splitlines()[0].split("\t")[17] == "4"  # both pieces in one chain


def test_renaming_with_offsets_and_dropping():
    cmap = ChromMap(names={"NC_1": "chr1", "NC_2": "chr2"}, sizes={"chr1": 9000, "chr2": 7000},
                    offsets={"NC_2": 100})
    lines = PLUS + [_line("NC_2", 11, 60, "+", "NM_2.1 1 50"), _line("NC_3", 11, 60, "-", "NR_3.1 1 50")]
    for drop in (False, True):
        assert _same(lines, renamer=Renamer(cmap, drop_unmapped=drop), genome_sizes={"NC_1": 5000},
                     out_sizes={"chr1": 9000})


@pytest.mark.parametrize("bad", [
    _line("NC_1", 101, 200, "+", "NM_1.1 1 90 +"),                      # CIGAR/target length
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +", "M50 D2 M50"),        # CIGAR/query length
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +", "M50 X2 M50"),        # unknown operation
    _line("NC_1", 101, 200, "+", "NM_1.1 01 100 +"),                     # strtol-style integer
    _line("NC_1", 101, 200, "+", "NM_1.1 0 99 +"),                       # target start 0
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 *"),                      # target strand
    _line("NC_1", 101, 200, "+", "NM%5F1.1 1 100 +"),                    # escape
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +", aln="a,b"),           # ID with two values
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +", score="1e3"),         # score spelling
    _line("NC_1", 4951, 5050, "-", "NM_1.1 1 100 +"),                    # past the genome end
    _line("NC_1", 101, 100, "+", "NM_1.1 1 0 +"),                        # nothing aligned
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +", "I5 D5"),             # nothing aligned
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +").replace("ID=", "Foo=1;ID="),   # reserved tag
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +").replace("ID=", "a b=1;ID="),   # tag spelling
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +").replace(";num", "; num"),      # padded item
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +").replace(";num", ";ID=x;num"),  # tag twice
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +").replace(";num", ";x;num"),    # item without =
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +").replace("\n", "\r\n"),
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +").replace("\tRefSeq", "\t\tRefSeq"),
    _line("NC_1", 101, 200, "+", "NM_1.1 1 100 +", ftype="CDS"),
    "NC_1\tRefSeq\tcDNA_match\t101\t200\t.\t+\t.\tID=x\n",
], ids=["tlen", "qlen", "op", "octal", "tstart0", "tstrand", "escape", "id-commas", "score",
        "past-end", "empty", "inserts-only", "reserved", "tag", "padded", "twice", "no-equals",
        "crlf", "columns", "cds", "no-target"])
def test_unusual_lines_go_the_general_way(bad):
    assert not _same(PLUS + [bad])


@pytest.mark.parametrize("head", [["##gff-version 3\n", "##bogus\n"], ["##FASTA\n"], ["#c\n", "x\ty\n"]],
                         ids=["bad-directive", "fasta", "feature"])
def test_unusual_header_goes_the_general_way(head):
    assert not _same(PLUS, head=head)


def test_error_report_keeps_the_original_line_number():
    general, _ = _run(PLUS + [_line("NC_1", 101, 200, "+", "NM_1.1 1 90 +")], fast=True)
    assert "in.gff:13: CIGAR target length does not match" in general[1]


def test_rows_beyond_the_sort_limit_go_through_temporary_files(monkeypatch):
    fakes = [Transcript(f"NM_{i}.1", "NC_1", "+-"[i % 2], 10 * i, 10 * i + 5, 10 * i, 10 * i,
                        (10 * i,), (10 * i + 5,)) for i in range(30, 0, -1)]
    whole, _ = _run(PLUS + MINUS, fast=True, fakes=fakes)
    monkeypatch.setattr(ncbirefseq_psl, "SORT_LIMIT", 4)
    spilled, used = _run(PLUS + MINUS, fast=True, fakes=fakes)
    assert used and spilled == whole and whole[0] == 30


def test_fakes_are_read_once():
    class Once:
        def __init__(self, txs):
            self.txs, self.used = txs, False

        def __iter__(self):
            assert not self.used
            self.used = True
            return iter(self.txs)

    fakes = Once([Transcript("NM_9.1", "NC_1", "-", 10, 90, 20, 80, (10, 50), (30, 90))])
    n, note = ncbirefseq_psl.psl_from_gff3_lines([], PLUS, io.StringIO(), genome_sizes={"NC_1": 5000},
                                                 fakes=fakes)
    assert n == 2 and fakes.used


# -- properties ---------------------------------------------------------------------------------

_MUTATIONS = (
    lambda ln: ln,
    lambda ln: ln.replace(";num_mismatch=0", ""),
    lambda ln: ln.replace("num_mismatch=0", "num_mismatch=0;"),
    lambda ln: ln.replace(" 1 ", " 01 ", 1),
    lambda ln: ln.replace("\t.\tID", "\t12.5\tID"),
    lambda ln: ln.replace("ID=", "Target=NM_1.1 1 5;ID="),
    lambda ln: ln.replace("num_mismatch=0", "num_mismatch=0,1"),
    lambda ln: ln.replace("M", "M0 M", 1),
    lambda ln: ln.replace("Gap=", "Gap=I1 "),
    lambda ln: ln.replace("NM_", "NM%5F"),
    lambda ln: ln.replace("num_mismatch=0", "num_mismatch=é"),
    lambda ln: ln.replace("\n", "\r\n"),
    lambda ln: ln.replace("\n", ""),
    lambda ln: ln.replace("\tcDNA_match\t", "\tmatch\t"),
    lambda ln: "#" + ln,
)


@st.composite
def alignment_lines(draw):
    lines = []
    for a in range(draw(st.integers(1, 5))):
        rna, seqid = draw(st.sampled_from(RNAS)), draw(st.sampled_from(SEQIDS))
        strand = draw(st.sampled_from("+-.?"))
        t_strand = draw(st.sampled_from(["", " +", " -", " .", " ?"]))
        step = draw(st.sampled_from([1, -1]))  # colinear or not, so pieces chain or stay apart
        g, t = draw(st.integers(1, 3000)), draw(st.integers(1, 400))
        for _ in range(draw(st.integers(1, 4))):
            if draw(st.booleans()):
                ops = [("M", draw(st.integers(1, 40)))]
                gap = None
            else:
                ops = draw(st.lists(st.tuples(st.sampled_from("MMID"), st.integers(0, 12)),
                                    min_size=0, max_size=5))
                ops.insert(draw(st.integers(0, len(ops))), ("M", draw(st.integers(1, 30))))
                gap = " ".join(f"{op}{n}" for op, n in ops)
            q_len = sum(n for op, n in ops if op != "I")
            t_len = sum(n for op, n in ops if op != "D")
            line = _line(seqid, g, g + q_len - 1, strand, f"{rna} {t} {t + t_len - 1}{t_strand}", gap,
                         aln=f"aln{a}")
            lines.append(draw(st.sampled_from(_MUTATIONS[:1] * 30 + _MUTATIONS))(line))
            g += q_len + draw(st.sampled_from([0, 1, 50, 400_000]))
            if step > 0:
                t += t_len + draw(st.integers(0, 5))
            else:  # may reach 0 or below: a refused line
                t -= draw(st.integers(1, 60))
    if draw(st.booleans()):
        lines = draw(st.permutations(lines))
    return lines


@st.composite
def transcripts(draw):
    txs = []
    for i in range(draw(st.integers(0, 4))):
        pos, starts, ends = draw(st.integers(0, 3000)), [], []
        for _ in range(draw(st.integers(1, 4))):
            starts.append(pos)
            pos += draw(st.integers(0, 50))
            ends.append(pos)
            pos += draw(st.integers(0, 60))
        txs.append(Transcript(draw(st.sampled_from(RNAS + ("NM_8.1",))),
                              draw(st.sampled_from(("NC_1", "NC_2", "chr1"))), draw(st.sampled_from("+-")),
                              starts[0], ends[-1], starts[0], starts[0], tuple(starts), tuple(ends)))
    return txs


_CMAP = ChromMap(names={"NC_1": "chr1", "NC_2": "chr2"}, sizes={"chr1": 9000}, offsets={"NC_2": 250})


@settings(max_examples=120, deadline=None)
@given(alignment_lines(), transcripts(),
       st.sampled_from([{"NC_1": 5000}, {"NC_1": 3000, "NC_2": 500_000}, {}, {"NC 4": 10}]),
       st.sampled_from([None, {"NM_1.1": 20, "NM_8.1": 700}, {"NR_3.1": 5000}]),
       st.sampled_from([None, False, True]), st.booleans(),
       st.sampled_from([["##gff-version 3\n"], [], ["#!processor NCBI\n", "##sequence-region NC_1 1 5000\n"]]))
@example(lines=[_line("NC_1", 11, 40, "-", "NM_1.1 1 30 -", "M10 I0 M20"),
                _line("NC_1", 61, 70, "-", "NM_1.1 31 40 -")],
         txs=[], genome_sizes={"NC_1": 5000}, rna_sizes=None, drop=None, bin=False, head=[])
def test_direct_route_equals_general_route(lines, txs, genome_sizes, rna_sizes, drop, bin, head):
    renamer = None if drop is None else Renamer(_CMAP, drop_unmapped=drop)
    _same(lines, head=head, genome_sizes=genome_sizes, rna_sizes=rna_sizes, renamer=renamer, bin=bin,
          fakes=txs, out_sizes={"chr1": 9000, "chr2": 800_000})


@settings(max_examples=150, deadline=None)
@given(transcripts(), st.sampled_from([None, 0, 45, 10_000]), st.sampled_from([None, 0, 10_000]))
@example(txs=[Transcript("NM_1.1", "chr1", "-", 5, 30, 5, 5, (5, 5, 20), (9, 12, 30))],
         q_size=None, t_size=None)
def test_fake_row_equals_fake_psl(txs, q_size, t_size):
    for tx in txs:
        row = fake_row(tx, q_size, t_size)
        expected = format_psl_line(fake_psl(tx, q_size=q_size, t_size=t_size))
        assert row is None or row == expected
        if all(a < b for a, b in zip(tx.exon_starts, tx.exon_starts[1:])):
            assert row == expected


@pytest.mark.parametrize("name", ["cdot_GRCh38.p13_AR109_excerpt.gff", "cdot_historical_RS_2024_08_NC_000001.gff",
                                  "mutalyzer_GRCh37__20240902__GCF_000001405.25_GRCh37.p13_genomic.gff.gz"],
                         ids=["AR109", "RS_2024_08", "GRCh37"])
def test_real_ncbi_alignment_lines_take_the_direct_route(name):
    from conftest import shared_path
    from refseqtracks.fileio import open_input

    with open_input(shared_path("data", "gff3", "refseq_human", name)) as f:
        text = f.readlines()
    head = [ln for ln in text if ln[:1] == "#"][:10]
    lines = [ln for ln in text if ln[:1] != "#" and ln.count("\t") >= 8 and "NG_" not in ln
             and ln.split("\t")[2] in ("cDNA_match", "match")]
    assert lines and _same(lines, head=head, genome_sizes={})


@settings(max_examples=150, deadline=None)
@given(alignment_lines(), st.lists(st.integers(0, 20), max_size=4),
       st.sampled_from([{"NC_1": 5000}, {"NC_1": 3000, "NC_2": 500_000}, {}]))
@example(lines=[_line("NC_1", 11, 40, "+", "NM_1.1 1 30"), _line("NC_1", 61, 70, "+", "NM_1.1 31 40")],
         cuts=[1], genome_sizes={})
@example(lines=[_line("NC_2", 61, 70, "+", "NM_1.1 31 40"), _line("NC_2", 11, 40, "+", "NM_1.1 1 30", aln="a2")],
         cuts=[1], genome_sizes={})  # (the larger RNA end and sequence end come first)
@example(lines=[_line("NC_1", 2901, 3100, "-", "NM_1.1 1 200"), _line("NC_1", 11, 40, "+", "NM_2.1 1 30 -")],
         cuts=[1], genome_sizes={"NC_1": 3000})  # (past the end of the sequence on the minus strand)
def test_first_pass_in_pieces_equals_one_pass(lines, cuts, genome_sizes):
    # the first pass made piece by piece (the build's workers) and merged is the one-pass
    # result, or nothing when a piece cannot tell; the step's rows are then the same
    from refseqtracks.ncbirefseq_psl import real_psl_rows
    from refseqtracks.ncbirefseq_psl_rows import Unusual, merge_scans, scan_piece, scan_rows

    bounds = sorted({min(c, len(lines)) for c in cuts} | {0, len(lines)})
    merged = merge_scans(scan_piece("".join(lines[a:b])) for a, b in zip(bounds, bounds[1:]))
    try:
        whole = scan_rows(lines, {})
    except Unusual:
        assert merged is None
        return
    # (every line passed: so did every piece's, unless the last piece lacks its last newline)
    assert merged == (whole if not lines or lines[-1][-1:] == "\n" else None)
    if merged is None:
        return

    def rows(first_pass):
        real = real_psl_rows(["##gff-version 3\n"], list(lines), genome_sizes=genome_sizes, rna_sizes=None,
                             renamer=None, bin=False, out_sizes=None, linenos=None, path="in.gff", report=None,
                             first_pass=first_pass)
        return list(real.sorter), real.have, real.n_real, real.notes, real.used_fast

    assert rows(merged) == rows(None)


def test_first_pass_of_a_piece_ending_without_newline_is_left_to_the_step():
    from refseqtracks.ncbirefseq_psl_rows import merge_scans, scan_piece

    text = _line("NC_1", 11, 40, "+", "NM_1.1 1 30")
    assert scan_piece(text[:-1]) is None and scan_piece("") == ({}, {}, {}, 0)
    assert merge_scans([scan_piece(text), None]) is None
    assert merge_scans([scan_piece(text), scan_piece(text)])[2] == {("NM_1.1", "NC_1", "+"): 1}


def _chain_every_pair(pieces, max_gap):
    """kent simpleChain as written: each piece against every chain started before it."""
    chains = []
    for t_start, q_start, t_end, q_end, blocks in sorted(pieces, key=lambda p: (p[0], p[1])):
        best = None
        for ch in chains:
            t_gap, q_gap = t_start - ch[0], q_start - ch[1]
            if 0 <= q_gap < max_gap and 0 <= t_gap < max_gap and (best is None or t_gap < best[0]):
                best = (t_gap, ch)
        if best is None:
            chains.append([t_end, q_end, list(blocks)])
        else:
            best[1][0], best[1][1] = t_end, q_end
            best[1][2].extend(blocks)
    return [ch[2] for ch in chains]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(1, 15), st.integers(1, 15)),
                min_size=1, max_size=12),
       st.integers(1, 20))
def test_chains_of_a_group_equal_every_pair_compared(pieces, max_gap):
    # the chains a piece can no longer extend are left out of the search; the result is the same
    from refseqtracks.ncbirefseq_psl_rows import _chain

    group = [(t, q, t + tn, q + qn, [(t, q, min(tn, qn))]) for t, q, tn, qn in pieces]
    assert _chain(group, max_gap) == _chain_every_pair(group, max_gap)
