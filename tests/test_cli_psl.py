"""PSL commands in-process: gff3ToPsl, pslReps, pslCDnaFilter and filter-alignments."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from refseqtracks.cli import main
from refseqtracks.formats.psl import read_psl

PSL_DIR = FIXTURES / "psl"
GENBANK = ["-minId=0.95", "-minCover=0.25", "-globalNearBest=0.001", "-minQSize=20",
           "-minNonRepSize=16", "-ignoreNs", "-bestOverlap"]


def run(argv, capsys):
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_psl_cdna_filter_outputs(tmp_path, capsys):
    out, drop, stats = tmp_path / "k.psl", tmp_path / "d.psl", tmp_path / "s.txt"
    rc, _, err = run(["pslCDnaFilter", *GENBANK, f"-dropped={drop}", f"-statsOut={stats}",
                      str(PSL_DIR / "refseq_mrna.psl"), str(out)], capsys)
    assert rc == 0 and err == ""
    assert [(p.q_name, p.t_name) for p in read_psl(out)] == [
        ("NM_000001.1", "chr1"), ("NM_000002.1", "chr1"), ("NM_000002.1", "chr4")]
    assert len(read_psl(drop)) == 3
    assert stats.read_text().splitlines()[1] == "             total:\t3\t6"


def test_psl_cdna_filter_stats_to_stderr(tmp_path, capsys):
    rc, _, err = run(["pslCDnaFilter", str(PSL_DIR / "refseq_mrna.psl"), str(tmp_path / "k.psl")],
                     capsys)
    assert rc == 0 and "kept:\t3\t6" in err


@pytest.mark.parametrize("fixture,message", [
    ("bad_blocks.psl", "bad_blocks.psl:3: blockSizes has 2 values, blockCount is 3"),
    ("inconsistent_qsize.psl", "Inconsistent qSize for alignment of NM_000001.1, found 1000 and 1100"),
], ids=["block-arrays", "qsize"])
def test_psl_cdna_filter_bad_input(tmp_path, capsys, fixture, message):
    out = tmp_path / "k.psl"
    rc, _, err = run(["pslCDnaFilter", f"-dropped={tmp_path / 'd.psl'}", str(PSL_DIR / fixture),
                      str(out)], capsys)
    assert rc == 255
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_hap_debug_options_are_refused(tmp_path, capsys):
    rc, _, err = run(["pslCDnaFilter", "-hapRefMapped=x.psl", str(PSL_DIR / "refseq_mrna.psl"),
                      str(tmp_path / "k.psl")], capsys)
    assert rc == 255 and "not supported" in err
    rc, _, err = run(["pslCDnaFilter", f"-hapLociAlns={tmp_path / 'h.txt'}",
                      str(PSL_DIR / "refseq_mrna.psl"), str(tmp_path / "k.psl")], capsys)
    assert rc == 255 and "requires -hapRegions" in err


def test_hap_loci_output(tmp_path, capsys):
    loci, out = tmp_path / "loci.id-psl", tmp_path / "k.psl"
    rc, _, _ = run(["pslCDnaFilter", "-globalNearBest=0.001", "-verbose=0",
                    f"-hapRegions={PSL_DIR / 'hap_mappings.psl'}", f"-hapLociAlns={loci}",
                    str(PSL_DIR / "hap_alignments.psl"), str(out)], capsys)
    assert rc == 0
    rows = [line.split("\t") for line in loci.read_text().splitlines()]
    assert [(r[0], r[10], r[14]) for r in rows] == [
        ("1", "NM_000010.1", "chr6"), ("1", "NM_000010.1", "chr6_hap1"),
        ("2", "NM_000011.1", "chr5"), ("2", "NM_000011.1", "chr5_hap1")]
    assert [p.t_name for p in read_psl(out)] == ["chr6", "chr6_hap1", "chr5", "chr5_hap1"]


def test_psl_reps_command(tmp_path, capsys):
    src = tmp_path / "in.psl"
    lines = (PSL_DIR / "refseq_mrna.psl").read_text().splitlines(keepends=True)[1:]
    src.write_text("".join(lines))
    rc, _, _ = run(["pslReps", "-minAli=0.96", "-nearTop=0.001", "-minCover=0.15", "-noHead",
                    str(src), str(tmp_path / "o.psl"), str(tmp_path / "o.psr")], capsys)
    assert rc == 0
    assert (tmp_path / "o.psl").read_text().startswith("990\t")
    assert len((tmp_path / "o.psr").read_text().splitlines()) == 3


def test_gff3_to_psl(tmp_path, capsys):
    out = tmp_path / "o.psl"
    args = [str(PSL_DIR / "genome.sizes"), str(PSL_DIR / "rna.sizes"),
            str(PSL_DIR / "cdna_match.gff3"), str(out)]
    rc, _, err = run(["gff3ToPsl", *args], capsys)
    assert rc == 255 and "cdna_match.gff3:6: target sequence NR_999999.1 not found" in err
    assert not out.exists()
    rc, _, _ = run(["gff3ToPsl", "-dropT", *args], capsys)
    assert rc == 0
    rows = read_psl(out)
    assert [p.strand for p in rows] == ["++", "++", "-+"]
    gapped = rows[1]
    # Gap=M100 D5 M200 I2 M98: D skips genome (query) bases, I skips RNA (target) bases
    assert gapped.block_sizes == (100, 200, 98)
    assert gapped.q_starts == (2000, 2105, 2305) and gapped.t_starts == (300, 400, 602)
    assert (gapped.q_num_insert, gapped.q_base_insert, gapped.t_num_insert,
            gapped.t_base_insert) == (1, 5, 1, 2)
    minus = rows[2]
    assert (minus.q_start, minus.q_end, minus.q_starts) == (5000, 5200, (100000 - 5200,))


def test_gff3_to_psl_cigar_mismatch(tmp_path, capsys):
    out = tmp_path / "o.psl"
    rc, _, err = run(["gff3ToPsl", str(PSL_DIR / "genome.sizes"), str(PSL_DIR / "rna.sizes"),
                      str(PSL_DIR / "bad_cigar.gff3"), str(out)], capsys)
    assert rc == 255
    assert "bad_cigar.gff3:3: CIGAR query length does not match specified query range " \
           "NC_000099.1:1000-1100" in err
    assert not out.exists()


def test_filter_alignments_genbank_preset_matches_kent_command(tmp_path, capsys):
    a, b = tmp_path / "a.psl", tmp_path / "b.psl"
    summary = tmp_path / "s.tsv"
    assert main(["filter-alignments", str(PSL_DIR / "refseq_mrna.psl"), str(a),
                 "--preset", "genbank-finished", "--summary", str(summary)]) == 0
    assert main(["pslCDnaFilter", *GENBANK, str(PSL_DIR / "refseq_mrna.psl"), str(b)]) == 0
    assert a.read_text() == b.read_text()
    rows = summary.read_text().splitlines()
    assert rows[0] == "qName\ttName\ttStart\ttEnd\tstrand\tstatus\treason"
    assert "NR_000003.1\tchr5\t100\t141\t+\tdropped\tminNonRepSize" in rows


def test_filter_alignments_ucsc_refseq_preset_matches_psl_reps(tmp_path, capsys):
    src = tmp_path / "in.psl"
    lines = (PSL_DIR / "refseq_mrna.psl").read_text().splitlines(keepends=True)[1:]
    src.write_text("".join(lines))
    a, b = tmp_path / "a.psl", tmp_path / "b.psl"
    assert main(["filter-alignments", str(src), str(a), "--preset", "ucsc-refseq"]) == 0
    assert main(["pslReps", "-minCover=0.15", "-minAli=0.96", "-nearTop=0.001", "-noHead",
                 str(src), str(b), str(tmp_path / "b.psr")]) == 0
    assert a.read_text() == b.read_text()
    # an override loosens the preset
    assert main(["filter-alignments", str(src), str(a), "--preset", "ucsc-refseq",
                 "--min-cover", "0.9"]) == 0
    assert "NR_000003.1" not in a.read_text()


@pytest.mark.parametrize("preset", ["ucsc-refseq", "genbank-finished"])
def test_filter_alignments_needs_grouping_or_sort(tmp_path, capsys, preset):
    out = tmp_path / "o.psl"
    rc, _, err = run(["filter-alignments", str(PSL_DIR / "not_grouped.psl"), str(out),
                      "--preset", preset], capsys)
    assert rc == 255 and "not_grouped.psl:4: input is not grouped by query name" in err
    assert not out.exists()
    rc, _, _ = run(["filter-alignments", str(PSL_DIR / "not_grouped.psl"), str(out),
                    "--preset", preset, "--sort"], capsys)
    assert rc == 0 and out.exists()


def test_filter_alignments_usage_errors(tmp_path, capsys):
    rc, _, err = run(["filter-alignments", "a.psl", "b.psl", "--preset", "ucsc-refseq",
                      "--min-id", "0.9"], capsys)
    assert rc == 255 and "does not apply" in err
    rc, _, err = run(["filter-alignments", "a.psl"], capsys)
    assert rc == 255 and "usage" in err
    rc, _, err = run(["filter-alignments", "a.psl", "b.psl"], capsys)
    assert rc == 255 and "--preset" in err


@pytest.mark.parametrize("preset", ["ucsc-refseq", "genbank-finished"])
def test_filter_alignments_inconsistent_q_size_is_located(tmp_path, capsys, preset):
    out = tmp_path / "o.psl"
    rc, _, err = run(["filter-alignments", str(PSL_DIR / "inconsistent_qsize.psl"), str(out),
                      "--preset", preset], capsys)
    assert rc == 255
    assert "inconsistent_qsize.psl:3: Inconsistent qSize for alignment of NM_000001.1" in err
    assert not out.exists()


def test_gff3_to_psl_target_numbers_read_as_kent_reads_them(tmp_path, capsys):
    # the GFF3 reader accepts Target positions as C strtol (base 0) does: hex and octal too
    gff = tmp_path / "hex.gff3"
    gff.write_text("##gff-version 3\n"
                   "chr1\tRefSeq\tcDNA_match\t1\t20\t.\t+\t.\tID=a;Target=NM_1 0x1 20 +\n"
                   "chr1\tRefSeq\tcDNA_match\t31\t50\t.\t+\t.\tID=b;Target=NM_2 010 27 +\n")
    (tmp_path / "q.sizes").write_text("chr1\t100\n")
    (tmp_path / "t.sizes").write_text("NM_1\t30\nNM_2\t40\n")
    out = tmp_path / "o.psl"
    rc, _, err = run(["gff3ToPsl", str(tmp_path / "q.sizes"), str(tmp_path / "t.sizes"), str(gff), str(out)],
                     capsys)
    assert rc == 0, err
    assert [(p.t_start, p.t_end) for p in read_psl(out)] == [(0, 20), (7, 27)]
