"""The opt-in improvements through the gff3ToGenePred command: off by default (kent's output),
and when asked for, valid transcripts with one warning line per repair."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from refseqtracks.cli import main
from refseqtracks.formats.genepred import check_transcript, read_genepred

SLIPPAGE = FIXTURES / "repair" / "slippage_plus.gff3"
ORIGIN = FIXTURES / "repair" / "origin.gff3"
PARTIAL = FIXTURES / "partial" / "partial_ranges.gff3"


def run(tmp_path, capsys, *args):
    out = tmp_path / "o.gp"
    rc = main(["gff3ToGenePred", "-refseqHacks", *args, str(out)])
    return rc, out, capsys.readouterr().err


def test_slippage_is_kent_error_by_default(tmp_path, capsys):
    rc, out, err = run(tmp_path, capsys, str(SLIPPAGE))
    assert rc != 0 and "overlaps previous exon" in err and not out.exists()


def test_slippage_repaired(tmp_path, capsys):
    rc, out, err = run(tmp_path, capsys, "-repairNcbi", str(SLIPPAGE))
    assert rc == 0
    txs = read_genepred(out)
    assert {t.name for t in txs} == {"YP_000001.1", "YP_000002.1"}
    assert all(check_transcript(t) == [] for t in txs)
    pp1ab = next(t for t in txs if t.name == "YP_000001.1")
    assert pp1ab.exons == [(3, 24), (24, 38)] and pp1ab.exon_frames == (0, 1)
    assert err.count("Warning: repaired") == 2 and f"{SLIPPAGE}:5" in err


def test_origin_crossing_split_at_origin(tmp_path, capsys):
    rc, out, err = run(tmp_path, capsys, "-repairNcbi", str(ORIGIN))
    assert rc == 0
    txs = read_genepred(out)
    assert all(check_transcript(t, chrom_size=30) == [] for t in txs)
    a = [t for t in txs if t.name == "A"]
    assert sorted((t.tx_start, t.tx_end) for t in a) == [(0, 8), (20, 30)]
    assert "origin-crossing" in err


def test_origin_crossing_default_is_kent(tmp_path, capsys):
    rc, out, _ = run(tmp_path, capsys, str(ORIGIN))
    assert rc == 0
    assert max(t.tx_end for t in read_genepred(out)) > 30  # kent writes past the sequence end


@pytest.mark.parametrize("flag, expect", [
    ([], {"P1": ("cmpl", "cmpl"), "P2": ("cmpl", "cmpl"), "NM_3.1": ("cmpl", "cmpl"), "NM_4.1": ("cmpl", "cmpl")}),
    (["-partialCdsStat"], {"P1": ("incmpl", "cmpl"), "P2": ("cmpl", "incmpl"), "NM_3.1": ("cmpl", "cmpl"),
                           "NM_4.1": ("incmpl", "cmpl")}),
], ids=["default", "partialCdsStat"])
def test_partial_cds_stat(tmp_path, capsys, flag, expect):
    rc, out, _ = run(tmp_path, capsys, *flag, str(PARTIAL))
    assert rc == 0
    got = {t.name: (t.cds_start_stat, t.cds_end_stat) for t in read_genepred(out)}
    assert {k: got[k] for k in expect} == expect


def test_partial_cds_stat_with_genome(tmp_path, capsys):
    gff, fa = FIXTURES / "codons" / "tiny.gff3", FIXTURES / "codons" / "tiny.fa"
    rc, out, _ = run(tmp_path, capsys, "-partialCdsStat", f"-genome={fa}", str(gff))
    assert rc == 0
    got = {t.name: (t.cds_start_stat, t.cds_end_stat) for t in read_genepred(out)}
    # mitochondrial ATA start is a start in code 2; the TA stop completed by poly(A) is a
    # transl_except stop
    assert got["YP_000006.1"] == ("cmpl", "cmpl")
    assert got["XM_000003.1"] == ("incmpl", "cmpl")  # 5'-partial CDS
    assert got["NM_000001.1"] == ("cmpl", "cmpl")


def test_genome_needs_partial_cds_stat(tmp_path, capsys):
    rc, out, err = run(tmp_path, capsys, f"-genome={FIXTURES / 'codons' / 'tiny.fa'}",
                       str(FIXTURES / "codons" / "tiny.gff3"))
    assert rc != 0 and "-partialCdsStat" in err and not out.exists()


@pytest.mark.parametrize("cmd", ["build", "convert"])
def test_build_and_convert_take_the_flags(cmd, tmp_path, capsys):
    out = tmp_path / "out"
    extra = ["--quiet"] if cmd == "build" else ["--to", "genepred"]
    assert main([cmd, str(SLIPPAGE), "-o", str(out), "--repair-ncbi", "--partial-cds-stat", *extra]) == 0
    names = {line.split("\t")[0] for gp in out.glob("*.gp") for line in gp.read_text().splitlines()}
    assert {"YP_000001.1", "YP_000002.1"} <= names


def test_library_flags():
    from refseqtracks import read_gff3

    assert {t.name for t in read_gff3(SLIPPAGE, refseq_hacks=True, repair_ncbi=True)} == {
        "YP_000001.1", "YP_000002.1"}
