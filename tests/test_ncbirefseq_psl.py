"""The ncbiRefSeqPsl step: pslPosTarget, pslSwap, simpleChain, genePredToFakePsl, and the whole chain."""
from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refseqtracks.formats.psl import check_psl, format_psl_line, parse_psl_line
from refseqtracks.model import Transcript
from refseqtracks.ncbirefseq_psl import (
    fake_psl, gff_for_psl, psl_from_gff3_lines, psl_pos_target, psl_swap, rna_sizes_from_targets,
    simple_chain,
)


def _p(line: str):
    return parse_psl_line(line.replace(" ", "\t"))


# genome NC_1 (query, 1000 bp) vs RNA NM_1.1 (target, 300 bp), two pieces of one alignment, as gff3ToPsl writes them
PIECE1 = _p("100 0 0 0 0 0 0 0 ++ NC_1 1000 100 200 NM_1.1 300 0 100 1 100, 100, 0,")
PIECE2 = _p("200 0 0 0 0 0 0 0 ++ NC_1 1000 500 700 NM_1.1 300 100 300 1 200, 500, 100,")


def test_swap_and_chain_plus():
    chained = simple_chain([psl_swap(psl_pos_target(PIECE2)), psl_swap(psl_pos_target(PIECE1))])
    assert len(chained) == 1
    assert format_psl_line(chained[0]) == format_psl_line(_p(
        "300 0 0 0 0 0 1 300 + NM_1.1 300 0 300 NC_1 1000 100 700 2 100,200, 0,100, 100,500,"))
    assert check_psl(chained[0]) == []


def test_pos_target_and_swap_minus():
    # the same alignment given with the RNA on the minus strand
    minus = _p("100 0 0 0 0 0 0 0 +- NC_1 1000 100 200 NM_1.1 300 200 300 1 100, 100, 0,")
    pos = psl_pos_target(minus)
    assert pos.strand == "-+" and pos.t_starts == (200,) and pos.q_starts == (800,)
    sw = psl_swap(pos)
    assert sw.strand == "-" and (sw.q_name, sw.t_name) == ("NM_1.1", "NC_1")
    assert (sw.q_start, sw.q_end, sw.t_start, sw.t_end, sw.q_starts, sw.t_starts) == (200, 300, 100, 200, (0,), (100,))
    assert check_psl(sw) == []


def test_chain_respects_max_gap_and_order():
    far = _p("200 0 0 0 0 0 0 0 ++ NC_1 1000000 500000 500200 NM_1.1 300 100 300 1 200, 500000, 100,")
    chained = simple_chain([psl_swap(PIECE1), psl_swap(far)])
    assert len(chained) == 2
    backwards = _p("200 0 0 0 0 0 0 0 ++ NC_1 1000 500 700 NM_1.1 300 0 200 1 200, 500, 0,")
    assert len(simple_chain([psl_swap(PIECE1), psl_swap(backwards)])) == 2


@pytest.mark.parametrize("strand", ["+", "-"])
def test_fake_psl(strand):
    tx = Transcript("NM_2.1", "chr1", strand, 100, 500, 150, 450, (100, 300), (200, 500))
    p = fake_psl(tx, t_size=1000)
    assert (p.matches, p.strand, p.q_size, p.q_end, p.t_num_insert, p.t_base_insert) == (300, strand, 300, 300, 1, 100)
    assert p.t_starts == (100, 300) and p.block_sizes == (100, 200)
    assert p.q_starts == ((0, 100) if strand == "+" else (0, 100))
    assert check_psl(p) == []
    assert fake_psl(tx, q_size=320, t_size=1000).q_size == 320


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 50), st.integers(1, 40)), min_size=1, max_size=6),
       st.sampled_from("+-"))
def test_fake_psl_swap_roundtrip_is_valid(exons, strand):
    starts, ends, pos = [], [], 10
    for size, gap in exons:
        starts.append(pos)
        ends.append(pos + size)
        pos += size + gap
    tx = Transcript("NM_3.1", "chr1", strand, starts[0], ends[-1], starts[0], starts[0], tuple(starts), tuple(ends))
    p = fake_psl(tx, t_size=pos + 10)
    assert check_psl(p) == []
    back = psl_swap(psl_swap(p))
    assert format_psl_line(back) == format_psl_line(p)


def test_gff_for_psl_and_rna_sizes():
    lines = ["NC_1\tRefSeq\tcDNA_match\t1\t10\t.\t+\t.\tID=a;Target=NM_1.1 1 10 +\n",
             "NC_1\tRefSeq\tcDNA_match\t21\t30\t.\t+\t.\tID=a;Target=NM_1.1 11 25 +;Gap=M10 I5\n"]
    assert gff_for_psl(["#!processor x\n"], lines).startswith("##gff-version 3\n#!processor x\nNC_1")
    assert rna_sizes_from_targets(lines) == {"NM_1.1": 25}


def test_whole_step_fakes_only_where_no_alignment():
    lines = ["NC_1\tRefSeq\tcDNA_match\t101\t200\t.\t+\t.\tID=a;Target=NM_1.1 1 100 +\n",
             "NC_1\tRefSeq\tcDNA_match\t501\t700\t.\t+\t.\tID=a;Target=NM_1.1 101 300 +\n"]
    txs = [Transcript("NM_1.1", "NC_1", "+", 100, 700, 100, 700, (100, 500), (200, 700)),
           Transcript("NR_2.1", "NC_1", "-", 800, 900, 900, 900, (800,), (900,))]
    out = io.StringIO()
    n, note = psl_from_gff3_lines(["##gff-version 3\n"], lines, out, genome_sizes={"NC_1": 1000},
                                  fakes=txs, out_sizes={"NC_1": 1000})
    rows = [parse_psl_line(ln) for ln in out.getvalue().splitlines()]
    assert n == 2 and [r.q_name for r in rows] == ["NM_1.1", "NR_2.1"]
    assert rows[0].block_count == 2 and rows[0].t_size == 1000
    assert note.startswith("1 from NCBI alignments, 1 from genePredToFakePsl")


@pytest.mark.parametrize("bin", [False, True])
def test_fake_rows_made_beforehand_give_the_same_step(bin):
    """Fake rows made beforehand (:func:`fake_item`, sorted) merge with NCBI's rows as the
    transcripts would: same rows, same order, the aligned RNA's fake row dropped."""
    from refseqtracks.extsort import ExternalSorter
    from refseqtracks.ncbirefseq_psl import fake_item

    lines = ["NC_1\tRefSeq\tcDNA_match\t101\t200\t.\t+\t.\tID=a;Target=NM_1.1 1 100 +\n",
             "NC_1\tRefSeq\tcDNA_match\t501\t700\t.\t+\t.\tID=a;Target=NM_1.1 101 300 +\n",
             "NC_2\tRefSeq\tcDNA_match\t11\t60\t.\t-\t.\tID=b;Target=XM_9.1 1 50 +\n"]
    txs = [Transcript("NM_1.1", "NC_1", "+", 100, 700, 100, 700, (100, 500), (200, 700)),
           Transcript("NM_1.1", "NC_2", "+", 100, 700, 100, 700, (100, 500), (200, 700)),
           Transcript("NR_2.1", "NC_1", "-", 800, 900, 900, 900, (800,), (900,)),
           Transcript("XM_3.1", "NC_1", "+", 50, 90, 60, 80, (50, 70), (60, 90)),
           Transcript("XM_4.1", "NC_2", "-", 10, 60, 10, 60, (10,), (60,)),
           Transcript("XM_5.1", "NC_1", "+", 50, 90, 60, 80, (70, 50), (90, 60)),  # unordered exons
           Transcript("XM_3.1", "NC_1", "+", 50, 90, 60, 80, (50, 70), (60, 90))]  # the same row twice
    sizes = {"NC_1": 1000, "NC_2": 500}
    rna = {"XM_3.1": 400}
    want = io.StringIO()
    n, note = psl_from_gff3_lines(["##gff-version 3\n"], lines, want, genome_sizes=sizes, rna_sizes=rna,
                                  fakes=txs, out_sizes=sizes, bin=bin)
    rows = ExternalSorter(limit=2)  # (spilled runs too)
    for tx in reversed(txs):
        rows.add(*fake_item(tx, q_size=rna.get(tx.name), t_size=sizes.get(tx.chrom), bin=bin))
    got = io.StringIO()
    n2, note2 = psl_from_gff3_lines(["##gff-version 3\n"], lines, got, genome_sizes=sizes, rna_sizes=rna,
                                    fake_rows=rows, out_sizes=sizes, bin=bin)
    assert (got.getvalue(), n2, note2) == (want.getvalue(), n, note)
    assert n == 8 and note.startswith("2 from NCBI alignments, 6 from genePredToFakePsl")


def test_refused_alignments_do_not_fail_the_step():
    # a Gap whose query length disagrees with the row: gff3ToPsl refuses it
    lines = ["NC_1\tRefSeq\tcDNA_match\t101\t200\t.\t+\t.\tID=a;Target=NM_1.1 1 100 +;Gap=M50\n"]
    txs = [Transcript("NM_1.1", "NC_1", "+", 100, 200, 100, 200, (100,), (200,))]
    out, seen = io.StringIO(), []
    n, note = psl_from_gff3_lines([], lines, out, genome_sizes={"NC_1": 1000}, fakes=txs,
                                  linenos=[7], path="in.gff", report=seen.append)
    assert n == 1 and "NCBI alignments skipped: in.gff:7:" in note
    assert seen and seen[0].startswith("PSL: NCBI alignments skipped: in.gff:7:")


def test_fake_psl_matches_ucsc_hg19_table():
    """UCSC's ncbiRefSeqPsl rows that are genePredToFakePsl output have our layout exactly."""
    from conftest import shared_path
    from refseqtracks.formats.genepred import read_genepred
    from refseqtracks.formats.psl import read_psl

    d = shared_path("data", "ucsc_tables", "hg19_ncbiRefSeq_subset")
    sizes = {ln.split()[0]: int(ln.split()[1]) for ln in (d / "chromInfo.tab").read_text().splitlines()}
    gps = {(t.name, t.chrom, t.tx_start): t for t in read_genepred(d / "ncbiRefSeq.gp.gz")}
    keys = ("strand", "q_size", "q_start", "q_end", "t_size", "t_end", "block_count", "block_sizes",
            "q_starts", "t_starts", "q_num_insert", "q_base_insert", "t_num_insert", "t_base_insert")
    compared = 0
    for p in read_psl(d / "ncbiRefSeqPsl.psl.gz"):
        tx = gps.get((p.q_name, p.t_name, p.t_start))
        if tx is None or p.q_num_insert or p.block_count != tx.exon_count:
            continue  # a real NCBI alignment with indels, not a fake one
        if p.block_sizes != tuple(e - s for s, e in zip(tx.exon_starts, tx.exon_ends)):
            continue
        f = fake_psl(tx, q_size=p.q_size, t_size=sizes[tx.chrom])
        assert tuple(getattr(f, k) for k in keys) == tuple(getattr(p, k) for k in keys), p.q_name
        compared += 1
    assert compared > 100


def _job_step(tmp_path, lines, txs, job_child=None, monkeypatch=None):
    """The whole step with the NCBI rows made by a RealRowsJob (child process); its output,
    note and reported messages."""
    from refseqtracks.ncbirefseq_psl import RealRowsJob
    if job_child is not None:
        monkeypatch.setattr(RealRowsJob, "_child", job_child)
    spill = tmp_path / "rows.gff"
    spill.write_text("".join(lines))
    kw = dict(genome_sizes={"NC_1": 1000}, rna_sizes=None, renamer=None, bin=True,
              out_sizes={"NC_1": 1000}, linenos=[7, 8], path="in.gff")
    job = RealRowsJob(["##gff-version 3\n"], str(spill), **kw)
    out, seen = io.StringIO(), []
    try:
        n, note = psl_from_gff3_lines(["##gff-version 3\n"], str(spill), out, fakes=txs, report=seen.append,
                                      real=job.result(seen.append), **kw)
    finally:
        job.close()
    return out.getvalue(), n, note, seen


JOB_CASES = {
    "chained": ["NC_1\tRefSeq\tcDNA_match\t101\t200\t.\t+\t.\tID=a;Target=NM_1.1 1 100 +\n",
                "NC_1\tRefSeq\tcDNA_match\t501\t700\t.\t+\t.\tID=a;Target=NM_1.1 101 300 +\n"],
    "refused": ["NC_1\tRefSeq\tcDNA_match\t101\t200\t.\t+\t.\tID=a;Target=NM_1.1 1 100 +;Gap=M50\n"],
}


@pytest.mark.parametrize("case", sorted(JOB_CASES))
def test_rows_from_a_child_process_equal_rows_made_here(tmp_path, monkeypatch, case):
    lines = JOB_CASES[case]
    txs = [Transcript("NM_1.1", "NC_1", "+", 100, 700, 100, 700, (100, 500), (200, 700)),
           Transcript("NR_2.1", "NC_1", "-", 800, 900, 900, 900, (800,), (900,))]
    here = io.StringIO()
    seen: list[str] = []
    n, note = psl_from_gff3_lines(["##gff-version 3\n"], lines, here, genome_sizes={"NC_1": 1000},
                                  bin=True, fakes=txs, out_sizes={"NC_1": 1000}, linenos=[7, 8],
                                  path="in.gff", report=seen.append)
    expected = (here.getvalue(), n, note, seen)
    assert _job_step(tmp_path, lines, txs) == expected
    # a child that dies: the rows are made in this process, with the same result and messages
    import os
    assert _job_step(tmp_path, lines, txs, job_child=lambda self: os._exit(3), monkeypatch=monkeypatch) == expected
