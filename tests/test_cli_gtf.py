"""genePredToGtf and gtfToGenePred commands, in-process."""
from __future__ import annotations

import gzip

import pytest

from conftest import FIXTURES
from refseqtracks.cli import main
from refseqtracks.cli.gtf import (GENEPRED_TO_GTF_USAGE, GTF_TO_GENEPRED_USAGE,
                                  main_genepred_to_gtf, main_gtf_to_genepred)
from refseqtracks.errors import UsageError

GTF_DIR = FIXTURES / "gtf"
CODONS_GP = str(GTF_DIR / "codons.gp")
CODONS_GTF = GTF_DIR / "codons.utr.gtf"
NCBI_GTF = str(GTF_DIR / "ncbi_style.gtf")


def _body(path) -> str:
    """A fixture's text after its leading description comment."""
    return path.read_text().split("\n", 1)[1]


def test_genepred_to_gtf(tmp_path):
    out = tmp_path / "o.gtf"
    assert main_genepred_to_gtf(["-utr", "-source=test", "file", CODONS_GP, str(out)]) == 0
    assert out.read_text() == _body(CODONS_GTF)


def test_genepred_to_gtf_source_defaults_to_table_argument(tmp_path):
    out = tmp_path / "o.gtf"
    assert main(["genePredToGtf", "file", CODONS_GP, str(out)]) == 0
    assert {ln.split("\t")[1] for ln in out.read_text().splitlines()} == {CODONS_GP}


def test_genepred_to_gtf_gzip_input(tmp_path):
    gz = tmp_path / "c.gp.gz"
    gz.write_bytes(gzip.compress((GTF_DIR / "codons.gp").read_bytes()))
    out = tmp_path / "o.gtf"
    assert main(["genePredToGtf", "-utr", "-source=test", "file", str(gz), str(out)]) == 0
    assert out.read_text() == _body(CODONS_GTF)


@pytest.mark.parametrize("argv", [[], ["file", "a.gp"], ["-bogus", "file", "a", "b"]],
                         ids=["no-args", "two-args", "unknown-option"])
def test_genepred_to_gtf_usage(argv):
    with pytest.raises(UsageError) as ei:
        main_genepred_to_gtf(argv)
    assert "genePredToGtf - Convert genePred table or file to gtf." in str(ei.value)


def test_genepred_to_gtf_database_not_supported(tmp_path, capsys):
    assert main(["genePredToGtf", "hg38", "ncbiRefSeq", str(tmp_path / "o.gtf")]) == 255
    assert "not supported" in capsys.readouterr().err


def test_genepred_to_gtf_bad_input_leaves_no_output(tmp_path, capsys):
    gp = tmp_path / "bad.gp"
    gp.write_text("NM_1\tchr1\t+\t0\t10\t0\t10\t1\t0,\t10,\nNM_2\tchr1\t+\tx\t10\t0\t10\t1\t0,\t10,\n")
    out = tmp_path / "o.gtf"
    assert main(["genePredToGtf", "file", str(gp), str(out)]) == 255
    err = capsys.readouterr().err
    assert err.startswith(f"{gp}:2: ") and "Traceback" not in err and "internal error" not in err
    assert not out.exists()


def test_gtf_to_genepred_ext_and_info(tmp_path):
    gp, info = tmp_path / "o.gp", tmp_path / "o.info"
    assert main_gtf_to_genepred(["-genePredExt", "-ignoreGroupsWithoutExons", "-includeVersion",
                                 f"-infoOut={info}", NCBI_GTF, str(gp)]) == 0
    assert gp.read_text() == _body(GTF_DIR / "ncbi_style.expected.gp")
    rows = info.read_text().splitlines()
    assert rows[0].startswith("#transId\tgeneId\tsource")
    assert rows[2] == "NM_100.1\tGENE1\tRefSeq\tchrT\t100\t400\t+\tNP_100.1\t\t\t\tmRNA"
    assert len(rows) == 5  # the exon-less gene group still gets an info row


def test_gtf_to_genepred_plain_columns(tmp_path):
    gp = tmp_path / "o.gp"
    assert main_gtf_to_genepred(["-ignoreGroupsWithoutExons", NCBI_GTF, str(gp)]) == 0
    assert {len(ln.split("\t")) for ln in gp.read_text().splitlines()} == {10}


def test_gtf_to_genepred_source_prefix_and_simple(tmp_path):
    gp = tmp_path / "o.gp"
    assert main_gtf_to_genepred(["-sourcePrefix=Gno", NCBI_GTF, str(gp)]) == 0
    assert [ln.split("\t")[0] for ln in gp.read_text().splitlines()] == ["XM_300"]
    assert main_gtf_to_genepred(["-simple", NCBI_GTF, str(gp)]) == 0
    assert gp.read_text() == ""


def test_gtf_to_genepred_round_trip(tmp_path):
    gp = tmp_path / "o.gp"
    assert main_gtf_to_genepred(["-genePredExt", str(CODONS_GTF), str(gp)]) == 0
    names = [ln.split("\t")[0] for ln in gp.read_text().splitlines()]
    assert names == ["NM_000001.1", "NM_000002.1", "NR_000003.1", "NM_000001.1_2", "NM_000005.1"]
    first = gp.read_text().splitlines()[0].split("\t")
    assert first[5:7] == ["108", "302"] and first[14] == "0,2,1,"


def test_gtf_to_genepred_group_without_exons(tmp_path, capsys):
    gp = tmp_path / "o.gp"
    assert main(["gtfToGenePred", NCBI_GTF, str(gp)]) == 255
    err = capsys.readouterr().err
    assert err == ("no exons defined for group , feature gene "
                   "(perhaps try -ignoreGroupsWithoutExons)\n")
    assert not gp.exists()


def test_gtf_to_genepred_all_errors_writes_good_groups(tmp_path, capsys):
    gtf = tmp_path / "dups.gtf"
    gtf.write_text('c\ts\tCDS\t1\t30\t.\t-\t.\tgene_id "g"; transcript_id "bad";\n'
                   'c\ts\tCDS\t1\t30\t.\t+\t.\tgene_id "g"; transcript_id "bad";\n'
                   'c\ts\tCDS\t101\t130\t.\t+\t.\tgene_id "h"; transcript_id "good";\n')
    gp = tmp_path / "o.gp"
    assert main(["gtfToGenePred", "-allErrors", str(gtf), str(gp)]) == 255
    err = capsys.readouterr().err
    # the later of two lines with equal starts sorts first and sets the group's strand
    assert err.startswith("invalid gffGroup detected on line: c\ts\tCDS\t1\t30\t0.000000\t-")
    assert "GFF/GTF group bad on c+, this line is on c-" in err
    assert err.endswith("\n1 errors\n")
    assert gp.read_text() == "good\tc\t+\t100\t130\t100\t130\t1\t100,\t130,\n"


def test_gtf_to_genepred_gff_rejected(tmp_path, capsys):
    gff = tmp_path / "x.gff"
    gff.write_text("c\ts\texon\t1\t10\t.\t+\t.\tID=a;Parent=b\n")
    assert main(["gtfToGenePred", str(gff), str(tmp_path / "o.gp")]) == 255
    assert "doesn't appear to be a GTF file (GFF not supported" in capsys.readouterr().err


@pytest.mark.parametrize("line,message", [
    ('c\ts\texon\t1\n', "expected 8 or 9"),
    ('c\ts\texon\tA\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";\n', 'invalid start "A"'),
    ('c\ts\texon\t30\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";\n', "before start"),
    ('c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id\n', "has no value"),
    ('c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; exon_number x;\n', "exon_number"),
], ids=["columns", "start", "end-before-start", "attribute", "exon-number"])
def test_gtf_to_genepred_bad_lines(tmp_path, capsys, line, message):
    gtf = tmp_path / "bad.gtf"
    gtf.write_text('c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";\n' + line)
    gp = tmp_path / "o.gp"
    assert main(["gtfToGenePred", str(gtf), str(gp)]) == 255
    err = capsys.readouterr().err
    assert err.startswith(f"{gtf}:2: ") and message in err
    assert "Traceback" not in err and "internal error" not in err
    assert not gp.exists()


@pytest.mark.parametrize("argv", [[], ["in.gtf"], ["-nope", "a", "b"]],
                         ids=["no-args", "one-arg", "unknown-option"])
def test_gtf_to_genepred_usage(argv):
    with pytest.raises(UsageError) as ei:
        main_gtf_to_genepred(argv)
    assert "gtfToGenePred - convert a GTF file to a genePred" in str(ei.value)


def test_usage_texts_end_with_newline():
    assert GENEPRED_TO_GTF_USAGE.endswith("\n") and GTF_TO_GENEPRED_USAGE.endswith("\n")
