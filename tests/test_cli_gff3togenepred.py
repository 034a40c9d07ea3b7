"""``refseqtracks gff3ToGenePred``: kent's options, outputs, exit status and bad input."""
from __future__ import annotations

import gzip
import io
import sys

import pytest

from refseqtracks.cli import main

from conftest import FIXTURES

G = FIXTURES / "gff3"
BASIC = G / "refseq_basic.gff3"

BASIC_HACKS_GP = (
    "TRNX\tchrT\t+\t20000\t20072\t20072\t20072\t1\t20000,\t20072,\t0\tTRNX\tnone\tnone\t-1,\n"
    "NR_000109.1\tchrT\t-\t10000\t12000\t12000\t12000\t2\t10000,11000,\t10500,12000,\t0\tLINC9\tnone\tnone\t-1,-1,\n"
    "XM_000102.1\tchrT\t+\t1000\t5000\t4100\t4400\t2\t1000,4000,\t1200,5000,\t0\tABC1\tcmpl\tcmpl\t-1,0,\n"
    "NM_000101.1\tchrT\t+\t1000\t5000\t1100\t4100\t3\t1000,2000,4000,\t1200,2300,5000,\t0\tABC1\tcmpl\tcmpl\t0,1,1,\n"
)


def test_refseq_hacks_with_side_outputs(tmp_path, capsys):
    out, attrs, un = tmp_path / "o.gp", tmp_path / "o.attrs", tmp_path / "o.un"
    rc = main(["gff3ToGenePred", "-refseqHacks", f"-attrsOut={attrs}", f"-unprocessedRootsOut={un}",
               str(BASIC), str(out)])
    assert rc == 0
    assert out.read_text() == BASIC_HACKS_GP
    assert un.read_text().splitlines()[1].startswith("chrT\tRefSeq\tregion\t1\t50000\t.\t+\t.\tID=chrT:1..50000;")
    lines = attrs.read_text().splitlines()
    assert lines[0] == "gene-TRNX\tID\tgene-TRNX"
    assert "NM_000101.1\tParent\tgene-ABC1" in lines
    assert capsys.readouterr().err == ""


def test_stdin_to_stdout(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BASIC.read_bytes())))
    assert main(["gff3ToGenePred", "-refseqHacks", "stdin", "stdout"]) == 0
    assert capsys.readouterr().out == BASIC_HACKS_GP


def test_gzip_input(tmp_path):
    gz = tmp_path / "in.gff3.gz"
    gz.write_bytes(gzip.compress(BASIC.read_bytes()))
    out = tmp_path / "o.gp"
    assert main(["gff3ToGenePred", "-refseqHacks", str(gz), str(out)]) == 0
    assert out.read_text() == BASIC_HACKS_GP


def test_segment_warning_goes_to_stderr(tmp_path, capsys):
    out = tmp_path / "o.gp"
    assert main(["gff3ToGenePred", str(G / "segments.gff3"), str(out)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("Warning: dropping CDS from gene gene-IGHV9 at chrI:1000-1500 as we are unable")


def test_conversion_errors_exit_nonzero_without_output(tmp_path, capsys):
    out, bad = tmp_path / "o.gp", tmp_path / "bad.gp"
    rc = main(["gff3ToGenePred", f"-bad={bad}", str(G / "convert_errors.gff3"), str(out)])
    err = capsys.readouterr().err
    assert rc == 255
    assert not out.exists() and not bad.exists()
    assert err.rstrip().endswith(f"3 errors converting GFF3 file: {G / 'convert_errors.gff3'}")
    assert "Traceback" not in err


def test_warn_and_continue_writes_bad_file(tmp_path, capsys):
    out, bad = tmp_path / "o.gp", tmp_path / "bad.gp"
    rc = main(["gff3ToGenePred", "-warnAndContinue", f"-bad={bad}", str(G / "convert_errors.gff3"), str(out)])
    err = capsys.readouterr().err
    assert rc == 0
    assert out.read_text().startswith("GOOD\tchrE\t+\t6000\t7000\t")
    assert bad.read_text().startswith("OVL\tchrE\t+\t4000\t5000\t")
    assert "Warning: skipping: invalid strand for mRNA rna-NOSTRAND" in err
    assert err.rstrip().endswith("3 warnings converting GFF3 file: " + str(G / "convert_errors.gff3"))


def test_convert_budget_in_warn_mode_lists_unreached_roots(tmp_path, capsys):
    out, un = tmp_path / "o.gp", tmp_path / "o.un"
    rc = main(["gff3ToGenePred", "-warnAndContinue", "-maxConvertErrors=1", f"-unprocessedRootsOut={un}",
               str(G / "convert_errors.gff3"), str(out)])
    err = capsys.readouterr().err
    assert rc == 0
    assert out.read_text() == "GOOD\tchrE\t+\t6000\t7000\t7000\t7000\t1\t6000,\t7000,\t0\trna-GOOD\tnone\tnone\t-1,\n"
    # roots after the budget stop (rna-NOSTRAND, gene-OUT) are written as unprocessed
    assert [ln.split("\t")[2] for ln in un.read_text().splitlines()] == ["mRNA", "gene"]
    assert err.count("Warning: skipping") == 1


def test_exclusive_cds_status_options(tmp_path, capsys):
    rc = main(["gff3ToGenePred", "-honorStartStopCodons", "-defaultCdsStatusToUnknown", str(BASIC),
               str(tmp_path / "o.gp")])
    assert rc == 255
    assert "can't specify both -honorStartStopCodons and -defaultCdsStatusToUnknown" in capsys.readouterr().err


def test_usage(capsys):
    assert main(["gff3ToGenePred"]) == 255
    assert "gff3ToGenePred - convert a GFF3 file to a genePred file" in capsys.readouterr().err


@pytest.mark.parametrize("content,fragment", [
    (b"\x00\x01\x02\xff\xfe binary junk\n", ":1: invalid GFF3 header"),
    (b"", "empty GFF file"),
    (b"##gff-version 3\nc1\tsrc\tgene\t1\t5\t.\t+\n", ":2: expected 9 tab-separated columns"),
    (b"##gff-version 3\nc1\tsrc\tgene\tone\t5\t.\t+\t.\tID=a\n", ":2: invalid integer: one"),
    (b"##gff-version 3\nc1\tsrc\tCDS\t1\t5\t.\t+\t.\tID=a\n", ":2: CDS feature must have phase"),
    ("truncated_gzip", "cannot decompress"),
], ids=["binary", "empty", "columns", "coordinate", "phase", "truncated_gzip"])
def test_bad_input_one_line_errors_no_output(tmp_path, capsys, content, fragment):
    src = tmp_path / "bad.gff3"
    if content == "truncated_gzip":
        src = tmp_path / "bad.gff3.gz"
        content = gzip.compress(BASIC.read_bytes() * 20)[:300]
    src.write_bytes(content)
    out = tmp_path / "o.gp"
    rc = main(["gff3ToGenePred", str(src), str(out)])
    err = capsys.readouterr().err
    assert rc == 255
    assert fragment in err and "Traceback" not in err and "internal error" not in err
    assert not out.exists()
    assert all(len(line) < 300 for line in err.splitlines())


def test_parse_error_budget(tmp_path, capsys):
    src = tmp_path / "bad.gff3"
    src.write_text("##gff-version 3\n" + "c1\ts\tCDS\t1\t5\t.\t+\t.\tID=a\n" * 4)
    assert main(["gff3ToGenePred", "-maxParseErrors=1", str(src), str(tmp_path / "o.gp")]) == 255
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and err[-1] == "GFF3: 2 parser errors"


def test_warn_and_continue_downgrades_parse_errors(tmp_path, capsys):
    src = tmp_path / "w.gff3"
    src.write_text("##gff-version 3\nc1\ts\tCDS\t1\t6\t.\t+\t.\tID=a;Name=A\n")
    out = tmp_path / "o.gp"
    assert main(["gff3ToGenePred", "-warnAndContinue", str(src), str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{src}:2: WARNING: CDS feature must have phase" in err
    # a CDS without phase has no frame: genePredCheck rejects it
    assert "no exonFrame on CDS exon 0" in err and out.read_text() == ""
