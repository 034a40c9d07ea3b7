"""refseqtracks convert: one GFF3 to the UCSC genePred/GTF/BED/bigGenePred/bigBed outputs."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from conftest import FIXTURES, shared_path
from refseqtracks.cli import main
from refseqtracks.cli.convert import default_prefix, main_convert, sort_bed_lines
from refseqtracks.errors import UsageError
from refseqtracks.formats.bigbed_reader import BigBedFile
from refseqtracks.formats.biggenepred import big_genepred_as_text

SAMPLE = FIXTURES / "sample" / "sample_genomic.gff"


def _read(p: Path) -> str:
    data = p.read_bytes()
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode()


def _kent_pipeline(tmp_path: Path, gff: Path) -> dict[str, str]:
    """The same outputs made step by step with the kent-compatible commands."""
    fixed = tmp_path / "fixed.gff3"
    fixed.write_text(_read(gff).replace("\tSO_type=", "\tso_type=").replace(";SO_type=", ";so_type="))
    gp = tmp_path / "k.gp"
    assert main(["gff3ToGenePred", "-refseqHacks", str(fixed), str(gp)]) == 0
    out = {"gp": gp.read_text()}
    assert main(["genePredToGtf", "-utr", "-source=ncbiRefSeq", "file", str(gp), str(tmp_path / "k.gtf")]) == 0
    out["gtf"] = (tmp_path / "k.gtf").read_text()
    assert main(["genePredToBed", "-tab", "-fillSpace", str(gp), str(tmp_path / "k.bed")]) == 0
    out["bed"] = "".join(sort_bed_lines((tmp_path / "k.bed").read_text().splitlines(True)))
    assert main(["genePredToBigGenePred", str(gp), str(tmp_path / "k.bgp")]) == 0
    out["bgp"] = "".join(sort_bed_lines((tmp_path / "k.bgp").read_text().splitlines(True)))
    return out


def test_sample_matches_step_by_step_pipeline(tmp_path):
    outdir = tmp_path / "out"
    assert main_convert([str(SAMPLE), "-o", str(outdir)]) == 0
    want = _kent_pipeline(tmp_path, SAMPLE)
    assert (outdir / "sample_genomic.gp").read_text() == want["gp"]
    assert (outdir / "sample_genomic.gtf").read_text() == want["gtf"]
    assert (outdir / "sample_genomic.bed").read_text() == want["bed"]
    assert (outdir / "sample_genomic.bgp").read_text() == want["bgp"]
    bb = BigBedFile(outdir / "sample_genomic.bb")
    assert bb.autosql == big_genepred_as_text()
    assert [f"{i.chrom}\t{i.start}\t{i.end}\t{i.rest}\n" for i in bb.items()] == \
        want["bgp"].splitlines(True)
    # chromosome sizes came from the ##sequence-region lines / region features
    assert bb.chroms["NC_000901.1"][1] == 20000
    assert [i.start for i in bb.find(3, "NM_000001.1")] == [1000]


def test_selected_outputs_and_prefix(tmp_path):
    assert main(["convert", str(SAMPLE), "--to", "bed12,gtf", "-o", str(tmp_path), "--prefix", "x"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.bed", "x.gtf"]


def test_chrom_sizes_option_and_missing_size(tmp_path, capsys):
    sizes = tmp_path / "s.sizes"
    sizes.write_text("NC_000901.1\t30000\n")
    rc = main(["convert", str(SAMPLE), "--to", "bigbed,genepred", "-o", str(tmp_path / "o"),
               "--chrom-sizes", str(sizes)])
    assert rc == 255
    assert "no size known for NC_000902.1" in capsys.readouterr().err
    assert list((tmp_path / "o").iterdir()) == []  # nothing written


def _small_sizes(tmp_path):
    sizes = tmp_path / "s.sizes"
    sizes.write_text("".join(f"{c}\t1500\n" for c in ("NC_000901.1", "NC_000902.1", "NC_000903.1",
                                                      "NW_000904.1")))
    return sizes


def test_transcripts_beyond_chrom_size_are_dropped_like_genepredfilter(tmp_path, capsys):
    rc = main(["convert", str(SAMPLE), "-o", str(tmp_path / "o"), "--chrom-sizes",
               str(_small_sizes(tmp_path)), "--prefix", "x"])
    assert rc == 0
    err = capsys.readouterr().err
    assert "genePredFilter: dropping NM_000001.1: NM_000001.1 txEnd 3400 > chromSize 1500" in err
    names = [line.split("\t")[0] for line in (tmp_path / "o" / "x.gp").read_text().splitlines()]
    assert "NM_000001.1" not in names and names
    bb = BigBedFile(tmp_path / "o" / "x.bb")
    assert all(i.end <= 1500 for i in bb.items())


def test_keep_all_then_bigbed_size_check_stops_before_writing(tmp_path, capsys):
    rc = main(["convert", str(SAMPLE), "-o", str(tmp_path / "o"), "--chrom-sizes",
               str(_small_sizes(tmp_path)), "--keep-all"])
    assert rc == 255
    assert "End coordinate 3400 bigger than NC_000901.1 size of 1500" in capsys.readouterr().err
    assert list((tmp_path / "o").iterdir()) == []


@pytest.mark.parametrize("argv,needle", [
    (["--to", "bam"], "--to takes"),
    (["--to", ""], "--to takes"),
    ([], "required"),
], ids=["unknown_format", "empty_format", "no_outdir"])
def test_usage_errors(tmp_path, argv, needle):
    full = [str(SAMPLE), *argv] + (["-o", str(tmp_path)] if argv else [])
    with pytest.raises(UsageError, match=needle):
        main_convert(full)


@pytest.mark.parametrize("name,want", [
    ("GCF_000001405.40_GRCh38.p14_genomic.gff.gz", "GCF_000001405.40_GRCh38.p14_genomic"),
    ("dir/x.gff3", "x"), ("-", "stdin")], ids=["gz", "gff3", "stdin"])
def test_default_prefix(name, want):
    assert default_prefix(name) == want


def test_sort_bed_lines_like_c_locale_sort():
    lines = ["chr10\t5\tb\n", "chr2\t10\ta\n", "chr2\t9\tz\n", "chr2\t10\t0\n", "Chr1\t1\tx\n"]
    assert sort_bed_lines(lines) == ["Chr1\t1\tx\n", "chr10\t5\tb\n", "chr2\t9\tz\n",
                                     "chr2\t10\t0\n", "chr2\t10\ta\n"]


@pytest.mark.parametrize("case,gff", [
    ("human.cdot_refseq_grch38.p14_mt", "conformance/refseq/gff3ToGenePred/input/human.cdot_refseq_grch38.p14_mt.gff3"),
    ("human.vep_GRCh38.p7_NC_000021.9_25-27Mb", "data/gff3/refseq_human/vep_GRCh38.p7_NC_000021.9_25-27Mb.gff.gz"),
], ids=["sequence-region", "region-feature"])
def test_real_refseq_matches_kent_outputs(tmp_path, case, gff):
    src = shared_path(*gff.split("/"))
    expected_gp = shared_path("conformance", "refseq", "gff3ToGenePred", "expected", f"{case}.ncbi.gp")
    expected_bb = shared_path("conformance", "refseq", "bedToBigBed", "expected", f"{case}.bb.bed")
    sizes = shared_path("conformance", "refseq", "bedToBigBed", "input", f"{case}.chrom.sizes")
    assert main_convert([str(src), "--to", "genepred,bigbed", "-o", str(tmp_path), "--prefix", "x"]) == 0
    assert (tmp_path / "x.gp").read_text() == expected_gp.read_text()
    bb = BigBedFile(tmp_path / "x.bb")
    assert [f"{i.chrom}\t{i.start}\t{i.end}\t{i.rest}\n" for i in bb.items()] == \
        expected_bb.read_text().splitlines(True)
    want_sizes = dict(line.split() for line in sizes.read_text().splitlines())
    assert {c: str(s) for c, (_, s) in bb.chroms.items()} == \
        {c: s for c, s in want_sizes.items() if c in bb.chroms}
