"""genePredToBed, genePredToBigGenePred and bedToBigBed commands, in-process."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from refseqtracks.cli import main
from refseqtracks.cli.bed import (
    main_bed_to_bigbed, main_genepred_to_bed, main_genepred_to_big_genepred, parse_bed_type,
)
from refseqtracks.errors import UsageError
from refseqtracks.formats.bigbed_reader import BigBedFile
from refseqtracks.formats.biggenepred import big_genepred_as_text

SMALL_GP = str(FIXTURES / "bed" / "small.gp")
SIZES = str(FIXTURES / "bed" / "small.chrom.sizes")


def test_genepred_to_bed(tmp_path):
    out = tmp_path / "o.bed"
    assert main_genepred_to_bed([SMALL_GP, str(out), "-score=3"]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 4
    assert lines[1] == "chr1\t200\t700\tNR_000002.1\t3\t-\t700\t700\t0\t2\t100,200,\t0,300,"


def test_genepred_to_bed_tab_fill_space(tmp_path):
    gp = tmp_path / "sp.gp"
    gp.write_text("my tx\tchr1\t+\t0\t10\t0\t10\t1\t0,\t10,\n")
    out = tmp_path / "o.bed"
    assert main_genepred_to_bed(["-tab", "-fillSpace", str(gp), str(out)]) == 0
    assert out.read_text().split("\t")[3] == "my_tx"
    # without -tab the name splits at the space and the row is malformed
    assert main([ "genePredToBed", str(gp), str(tmp_path / "x.bed")]) == 255
    assert not (tmp_path / "x.bed").exists()


def test_genepred_to_big_genepred(tmp_path):
    out = tmp_path / "o.bgp"
    assert main_genepred_to_big_genepred([SMALL_GP, str(out)]) == 0
    first = out.read_text().splitlines()[0].split("\t")
    assert len(first) == 20 and first[12:16] == ["GENEA", "cmpl", "cmpl", "0,0,2,"]


def test_genepred_to_big_genepred_known_and_side_files(tmp_path):
    known = tmp_path / "known.gp"
    known.write_text("uc001.1\tchr1\t+\t0\t10\t2\t8\t1\t0,\t10,\tP12345\tuc001.1\n")
    names = tmp_path / "names"
    names.write_text("uc001.1\tABC\tABC gene\n")
    out = tmp_path / "o.bgp"
    assert main_genepred_to_big_genepred(["-known", f"-geneNames={names}", str(known), str(out)]) == 0
    cols = out.read_text().rstrip("\n").split("\t")
    assert cols[12:] == ["", "none", "none", "0,", "", "ABC", "ABC gene", ""]


@pytest.mark.parametrize("text,want", [
    ("bed12+8", (12, 8, True)), ("bed6", (6, None, False)), ("bed6+", (6, None, True)),
    ("bed3+0", (3, 0, True))], ids=["bed12+8", "bed6", "bed6+", "bed3+0"])
def test_parse_bed_type(text, want):
    assert parse_bed_type(text) == want


@pytest.mark.parametrize("text", ["bed2", "bed16", "bigBed", "bed12+x"])
def test_parse_bed_type_rejects(text):
    with pytest.raises(UsageError):
        parse_bed_type(text)


def _bgp(tmp_path):
    bgp = tmp_path / "in.bgp"
    assert main_genepred_to_big_genepred([SMALL_GP, str(bgp)]) == 0
    lines = sorted(bgp.read_text().splitlines(True), key=lambda s: (s.split("\t")[0], int(s.split("\t")[1])))
    bgp.write_text("".join(lines))
    return bgp, lines


def test_bed_to_bigbed_ucsc_command(tmp_path):
    bgp, lines = _bgp(tmp_path)
    as_file = tmp_path / "bigGenePred.as"
    as_file.write_text(big_genepred_as_text())
    out = tmp_path / "o.bb"
    argv = ["-type=bed12+8", "-tab", f"-as={as_file}", "-extraIndex=name", str(bgp), SIZES, str(out)]
    assert main_bed_to_bigbed(argv) == 0
    bb = BigBedFile(out)
    assert [f"{i.chrom}\t{i.start}\t{i.end}\t{i.rest}\n" for i in bb.items()] == lines
    assert bb.autosql == big_genepred_as_text()
    assert [i.start for i in bb.find(3, "NM_000004.3")] == [10]


def test_bed_to_bigbed_without_as_or_type(tmp_path):
    bed = tmp_path / "in.bed"
    bed.write_text("chr1 0 10 a 0 +\nchr1 5 20 b 0 -\n")
    out = tmp_path / "o.bb"
    assert main_bed_to_bigbed(["-unc", "-blockSize=2", "-itemsPerSlot=1", "-extraIndex=name",
                               str(bed), SIZES, str(out)]) == 0
    bb = BigBedFile(out)
    assert (bb.field_count, bb.defined_field_count, bb.uncompress_buf_size) == (6, 6, 0)
    assert bb.autosql.startswith("table bed")
    assert [i.rest for i in bb.items()] == ["a\t0\t+", "b\t0\t-"]
    assert [i.start for i in bb.find(3, "b")] == [5]


@pytest.mark.parametrize("argv_tail,needle", [
    (["-type=bed6+2"], "has 8 fields"),
    (["-blockSize=1"], "blockSize"),
    (["-type=bed13"], "up to 12"),
    (["-extraIndex=nope"], "extraIndex field nope"),
], ids=["type_vs_as", "block_size", "bed13", "unknown_index"])
def test_bed_to_bigbed_option_errors(tmp_path, capsys, argv_tail, needle):
    bgp, _ = _bgp(tmp_path)
    as_file = tmp_path / "bigGenePred.as"
    as_file.write_text(big_genepred_as_text())
    out = tmp_path / "o.bb"
    rc = main(["bedToBigBed", "-tab", f"-as={as_file}", *argv_tail, str(bgp), SIZES, str(out)])
    assert rc == 255
    assert needle in capsys.readouterr().err
    assert not out.exists()


def test_bed_to_bigbed_end_past_chrom_size(tmp_path, capsys):
    bed = tmp_path / "in.bed"
    bed.write_text("chr3\t0\t10\nchr3\t50\t101\n")
    rc = main(["bedToBigBed", str(bed), SIZES, str(tmp_path / "o.bb")])
    err = capsys.readouterr().err
    assert rc == 255
    assert f"{bed}:2: End coordinate 101 bigger than chr3 size of 100 line 2 of {bed}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("cmd,argv", [
    ("genePredToBed", []), ("genePredToBigGenePred", ["a"]), ("bedToBigBed", ["a", "b"]),
    ("bedToBigBed", ["-bogus", "a", "b", "c"])], ids=["gp2bed", "gp2bgp", "bed2bb", "bad_option"])
def test_usage_errors(capsys, cmd, argv):
    assert main([cmd, *argv]) == 255
    assert "usage" in capsys.readouterr().err


GOOD_GP = "NM_1.1\tchr1\t+\t0\t10\t2\t8\t1\t0,\t10,\n"


@pytest.mark.parametrize("cmd,opts,text", [
    ("genePredToBed", [], GOOD_GP * 2 + "NM_2.1\tchr1\t+\t0\tten\t2\t8\t1\t0,\t10,\n"),
    ("genePredToBed", [], GOOD_GP * 2 + "NM_2.1\tchr1\t+\t0\t10\t2\t8\t2\t0,\t10,\n"),
    ("genePredToBigGenePred", [], GOOD_GP * 2 + "NM_2.1\tchr1\t+\t0\t10\n"),
    ("genePredToBigGenePred", [], GOOD_GP * 2 + GOOD_GP.replace("\t1\t0,", "\t1\t0,5,")),
    ("bedToBigBed", [SIZES], "chr1\t0\t10\tx\nchr1\t5\t9\ty\nchr1\t6\t7\n"),
    ("bedToBigBed", [SIZES], "chr1\t0\t10\tx\t0\t+\t0\t10\t0\t1\t10,\t0,\n" * 2
     + "chr1\t20\t30\tx\t0\t+\t20\t30\t0\t2\t5,6,\t0,4,\n"),
], ids=["gp2bed_number", "gp2bed_exon_count", "gp2bgp_columns", "gp2bgp_list", "bb_columns",
        "bb_block_overlap"])
def test_bad_line_three_no_output_no_traceback(tmp_path, capsys, cmd, opts, text):
    src = tmp_path / "in.txt"
    src.write_text(text)
    out = tmp_path / "out"
    argv = [cmd, "-tab", str(src), *opts, str(out)] if cmd != "genePredToBigGenePred" \
        else [cmd, str(src), str(out)]
    assert main(argv) == 255
    err = capsys.readouterr().err
    assert err.startswith(f"{src}:3: ") and "Traceback" not in err and "internal error" not in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.txt"]


@pytest.mark.parametrize("overlap,opt,ok", [(1, False, False), (1, True, True), (2, True, False)],
                         ids=["1bp-default", "1bp-allowed", "2bp-allowed-option"])
def test_allow_1bp_overlap(tmp_path, overlap, opt, ok):
    # two blocks 0-6 and (6-overlap)-10: ribosomal-slippage style overlapping exons
    second = 6 - overlap
    bed = tmp_path / "in.bed"
    bed.write_text(f"chr1\t0\t10\tNM_1.1\t0\t+\t0\t10\t0\t2\t6,{10 - second},\t0,{second},\n")
    out = tmp_path / "o.bb"
    argv = ["bedToBigBed", *(["-allow1bpOverlap"] if opt else []), str(bed), SIZES, str(out)]
    assert (main(argv) == 0) == ok
    assert out.exists() == ok
