"""kent genePredCheck rules and the genePredCheck command."""
from __future__ import annotations

import pytest

from refseqtracks.cli import main
from refseqtracks.formats.genepred import check_transcript
from refseqtracks.model import Transcript


def tx(**kw):
    base = dict(name="NM_1.1", chrom="chr1", strand="+", tx_start=100, tx_end=500, cds_start=150,
                cds_end=450, exon_starts=(100, 300), exon_ends=(200, 500), score=0, name2="G",
                cds_start_stat="cmpl", cds_end_stat="cmpl", exon_frames=(0, 2))
    base.update(kw)
    return Transcript(**base)


def test_valid_transcript_has_no_problems():
    assert check_transcript(tx()) == []
    assert check_transcript(tx(cds_start=500, cds_end=500, exon_frames=(-1, -1))) == []


@pytest.mark.parametrize("change, expect", [
    (dict(strand="."), "invalid strand"),
    (dict(tx_start=500), "txStart 500 >= txEnd 500"),
    (dict(exon_starts=(100, 150)), "exon 1 (chr1:150-500) overlaps previous exon (chr1:100-200)"),
    (dict(exon_ends=(200, 600)), "exon 1 end 600 > txEnd 500"),
    (dict(exon_starts=(110, 300)), "first exon start 110 != txStart 100"),
    (dict(cds_start=250), "cdsStart 250 not in an exon"),
    (dict(cds_end=250), "cdsEnd 250 not in an exon"),
    (dict(exon_frames=(0, -1)), "no exonFrame on CDS exon 1"),
    (dict(cds_start=150, cds_end=180, exon_frames=(0, 1)), "exonFrame on non-CDS exon 1"),
    (dict(exon_frames=(0, 3)), "exon 1 frame 3 invalid"),
], ids=["strand", "empty-tx", "overlap", "exon-past-tx", "first-exon", "cds-start", "cds-end",
        "missing-frame", "extra-frame", "bad-frame"])
def test_each_rule(change, expect):
    problems = check_transcript(tx(**change))
    assert any(expect in p for p in problems), problems


def test_chrom_size():
    assert check_transcript(tx(), chrom_size=500) == []
    assert "txEnd 500 > chromSize 499" in check_transcript(tx(), chrom_size=499)[0]


def test_command_reports_and_fails(tmp_path, capsys):
    gp = tmp_path / "x.gp"
    gp.write_text("NM_1\tchr1\t+\t100\t500\t150\t450\t2\t100,150,\t200,500,\n")
    assert main(["genePredCheck", str(gp)]) != 0
    err = capsys.readouterr().err
    assert "overlaps previous exon" in err and "checked: 1 failed: 1" in err


def test_command_chrom_sizes(tmp_path, capsys):
    gp = tmp_path / "x.gp"
    gp.write_text("NM_1\tchr1\t+\t100\t500\t150\t450\t2\t100,300,\t200,500,\n")
    sizes = tmp_path / "s"
    sizes.write_text("chr1\t400\n")
    assert main(["genePredCheck", f"-chromSizes={sizes}", str(gp)]) != 0
    sizes.write_text("chr1\t1000\n")
    assert main(["genePredCheck", f"-chromSizes={sizes}", str(gp)]) == 0


def test_malformed_line_is_one_line_error(tmp_path, capsys):
    gp = tmp_path / "x.gp"
    gp.write_text("NM_1\tchr1\t+\t100\tfive\t150\t450\t2\t100,300,\t200,500,\n")
    assert main(["genePredCheck", str(gp)]) != 0
    err = capsys.readouterr().err
    assert err.strip() == f'{gp}:1: invalid txEnd "five": expected an integer'
