"""pslReps semantics: milliScore, size factor, kent's thresholds, near-top and the .psr lines."""
from __future__ import annotations

import math

import pytest

from conftest import FIXTURES
from refseqtracks.errors import ParseError
from refseqtracks.formats.psl import PSL_HEADER, c_round, read_psl
from refseqtracks.pslreps import RepsOptions, reps_query, run_psl_reps, size_factor
from test_alignfilter import three_exons
from test_psl import make

PSL_DIR = FIXTURES / "psl"


def test_size_factor():
    p = three_exons()
    assert size_factor(p, RepsOptions()) == 4 * c_round(math.sqrt(990)) + 6
    assert size_factor(p, RepsOptions(no_introns=True)) == 4 * c_round(math.sqrt(990))
    assert size_factor(p, RepsOptions(ignore_size=True)) == 0
    rep = make(matches=80, rep=21)
    assert size_factor(rep, RepsOptions()) == 4 * c_round(math.sqrt(80 + 5))


def test_min_ali_is_truncated_like_kent():
    # milliBad 41 -> milliScore 959 passes -minAli=0.96 (kent: int(0.96f * 1000) == 959)
    p959 = make(matches=959, mis=41, q_size=1000, q_end=1000, t_end=2000, sizes=(1000,))
    p958 = make(matches=958, mis=42, q_size=1000, q_end=1000, t_end=2000, sizes=(1000,),
                t_name="chr2")
    rows, psr = reps_query([p959, p958], RepsOptions(min_ali=0.96, near_top=0.001))
    assert [(p.t_name, r) for p, r in rows] == [("chr2", "minAli"), ("chr1", None)]
    assert psr == "NM_000001.1\t1\t1\t1\t1000,\t1,\n"


def test_output_in_reverse_input_order_and_psr_runs():
    a = three_exons(t_name="chr1")
    b = three_exons(t_name="chr2")
    part = make(matches=100, q_size=1000, q_start=100, q_end=200, t_end=1100, sizes=(100,),
                q_starts=(100,), t_name="chr3")
    rows, psr = reps_query([a, b, part], RepsOptions(min_ali=0.96, near_top=0.001))
    assert [(p.t_name, r) for p, r in rows] == [("chr3", "nearTop"), ("chr2", None), ("chr1", None)]
    # three good alignments; bases 100..200 are covered three times
    assert psr == "NM_000001.1\t2\t3\t3\t100,100,800,\t2,3,2,\n"


def test_near_top_per_base_and_min_cover():
    best = three_exons(t_name="chr1")
    worse = three_exons(t_name="chr2", matches=985, mis=10)
    rows, _ = reps_query([best, worse], RepsOptions(min_ali=0.96, near_top=0.001))
    assert [(p.t_name, r) for p, r in rows] == [("chr2", "nearTop"), ("chr1", None)]
    rows, _ = reps_query([best, worse], RepsOptions(min_ali=0.96, near_top=0.01))
    assert [r for _, r in rows] == [None, None]
    small = make(matches=100, q_size=1000, q_end=100, t_end=1100, sizes=(100,))
    rows, _ = reps_query([small], RepsOptions(min_cover=0.15))
    assert rows[0][1] == "minCover"
    rows, _ = reps_query([small], RepsOptions(min_cover=0.15, cover_q_sizes={"NM_000001.1": 600}))
    assert rows[0][1] is None


def test_minus_strand_query_flipped_for_tracks():
    p = make(matches=30, strand="-", q_size=100, q_start=70, q_end=100, t_end=1030, sizes=(30,),
             q_starts=(0,))
    _, psr = reps_query([p], RepsOptions())
    assert psr == "NM_000001.1\t1\t1\t2\t70,30,\t0,1,\n"


def test_run_writes_header_and_psr(tmp_path):
    src = tmp_path / "in.psl"
    lines = (PSL_DIR / "refseq_mrna.psl").read_text().splitlines(keepends=True)
    src.write_text("".join(line for line in lines if not line.startswith("#")))
    out, psr = tmp_path / "o.psl", tmp_path / "o.psr"
    run_psl_reps(str(src), str(out), str(psr), min_ali=0.96, near_top=0.001, min_cover=0.15,
                 verbose=0)
    text = out.read_text()
    assert text.startswith(PSL_HEADER)
    kept = read_psl(out)
    assert [(p.q_name, p.t_name) for p in kept] == [
        ("NM_000001.1", "chr1"), ("NM_000002.1", "chr4"), ("NM_000002.1", "chr1"),
        ("NR_000003.1", "chr5")]
    assert psr.read_text().splitlines()[0] == "NM_000001.1\t1\t1\t1\t1000,\t1,"


def test_comment_lines_are_refused(tmp_path):
    with pytest.raises(ParseError, match="Bad line 1 of"):
        run_psl_reps(str(PSL_DIR / "refseq_mrna.psl"), str(tmp_path / "o.psl"),
                     str(tmp_path / "o.psr"), verbose=0)
    assert not (tmp_path / "o.psl").exists() and not (tmp_path / "o.psr").exists()
