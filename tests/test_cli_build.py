"""`refseqtracks build` and `refseqtracks split`: the ncbiRefSeq table set, on our sample and on real RefSeq GFF3."""
from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from refseqtracks.cli import command, main
from refseqtracks.cli.build import ProgressPrinter
from refseqtracks.ncbirefseq import annotation_release, default_prefix, read_select_list

from conftest import CONFORMANCE, FIXTURES, shared_path

SAMPLE = FIXTURES / "sample" / "sample_genomic.gff"
REPORT = FIXTURES / "sample" / "sample_assembly_report.txt"
DATE = "2024-02-29"
VDATE = "2024-01-15"

ALL = re.compile(r"^[NXY][MRP]_")
CURATED = re.compile(r"^[NY][MRP]_")
PREDICTED = re.compile(r"^X[MR]_")


def _build(tmp_path: Path, *args: str, gff: Path = SAMPLE) -> tuple[Path, dict]:
    out = tmp_path / "out"
    err = io.StringIO()
    with redirect_stderr(err):
        rc = main(["build", str(gff), "-o", str(out), "--date", DATE, "--version-date", VDATE, "--quiet",
                   *args])
    assert rc == 0, err.getvalue()
    return out, json.loads((out / "manifest.json").read_text())


def _lines(p: Path) -> list[str]:
    return p.read_text().splitlines(keepends=True)


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("sample"), "--assembly-report", str(REPORT))


def test_sample_subsets(sample_build):
    out, man = sample_build
    assert man["prefix"] == "sample"
    assert man["subsets"] == {"all": 8, "curated": 4, "predicted": 4, "other": 2, "select": 2}
    names = {s: [ln.split("\t")[0] for ln in _lines(out / f)] for s, f in
             [("curated", "sample.curated.gp"), ("predicted", "sample.predicted.gp"),
              ("other", "sample.other.gp"), ("select", "sample.refseqSelect.curated.gp")]}
    assert sorted(names["curated"]) == ["NM_000001.1", "NR_000004.1", "NR_000007.1", "YP_000008.1"]
    assert sorted(names["predicted"]) == ["XM_000002.1", "XM_000006.1", "XM_000010.1", "XR_000003.1"]
    assert sorted(names["other"]) == ["PSGX1P", "TRNF"]
    assert sorted(names["select"]) == ["NM_000001.1", "NR_000007.1"]
    assert (out / "sample.refseqSelectTranscripts.txt").read_text() == "NM_000001.1\nNR_000007.1\n"


def test_sample_renaming(sample_build):
    out, man = sample_build
    chroms = {ln.split("\t")[1] for ln in _lines(out / "sample.gp")}
    assert chroms == {"chr1", "chr2", "chrM", "chrUn_KZ000904v1"}
    assert man["unmapped_seqids"] == {"count": 0, "names": [], "records": {}, "action": None}
    assert (out / "sample.chrom.sizes").read_text().splitlines()[:3] == ["chr1\t20000", "chr2\t15000",
                                                                         "chrM\t3000"]


def test_sample_version_gtf_link(sample_build):
    out, man = sample_build
    assert (out / "ncbiRefSeqVersion.txt").read_text() == f"NCBI RefSeq GCF_000000901.1-RS_2024_01 ({VDATE})\n"
    gtf = _lines(out / "sample.ncbiRefSeq.gtf")
    assert {ln.split("\t")[1] for ln in gtf} == {f"ncbiRefSeq.{DATE}"}
    assert {ln.split('transcript_id "')[1].split('"')[0] for ln in gtf} >= {"TRNF", "PSGX1P", "NM_000001.1"}
    assert {"5UTR", "3UTR", "CDS", "start_codon", "stop_codon"} <= {ln.split("\t")[2] for ln in gtf}
    link = [ln.rstrip("\n").split("\t") for ln in _lines(out / "sample.ncbiRefSeqLink.tab")]
    assert [r[0] for r in link] == sorted(r[0] for r in link) and len(link) == 8
    assert all(len(r) == 19 for r in link)
    nm = next(r for r in link if r[0] == "NM_000001.1")
    assert nm[1:7] == ["Unknown", "GENEA", "sample protein A, variant 1", "NM_000001.1", "NP_000001.1", "900001"]
    # a mito protein named by its CDS: the CDS record is the link record, as in gff3ToRefLink.pl
    yp = next(r for r in link if r[0] == "YP_000008.1")
    assert (yp[3], yp[4], yp[5], yp[11], yp[13]) == ("cytochrome c oxidase subunit I", "", "YP_000008.1",
                                                     "CDS", "protein_coding")
    # the SO_type= attribute was renamed as UCSC's sed does, and the enhancer is an unprocessed root
    assert "so_type=enhancer" in (out / "sample.unprocessedRoots.txt").read_text()
    assert {o["file"] for o in man["outputs"]} >= {"sample.gp", "sample.ncbiRefSeq.bed", "sample.other.bed",
                                                  "sample.attrs.txt", "ncbiRefSeqVersion.txt"}
    for o in man["outputs"]:
        assert (out / o["file"]).exists()


def test_sample_psl(sample_build):
    from refseqtracks.formats.psl import check_psl, read_psl
    out, man = sample_build
    rows = read_psl(out / "sample.psl")
    # sort -k14,14 -k16,16n: equal starts fall back to the whole line ("600..." < "898...")
    assert [(p.q_name, p.t_name) for p in rows][:2] == [("XM_000002.1", "chr1"), ("NM_000001.1", "chr1")]
    nm = rows[1]  # NCBI's cDNA_match with its 2-base gap, chained into one alignment
    assert (nm.block_sizes, nm.q_starts, nm.t_starts) == ((200, 100, 198, 400), (0, 200, 300, 498),
                                                          (1000, 2000, 2102, 3000))
    assert len(rows) == man["subsets"]["all"] and all(check_psl(p) == [] for p in rows)
    assert man["psl"].startswith("1 from NCBI alignments, 7 from genePredToFakePsl")


def test_sample_bin_and_drop_unmapped(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("".join(ln for ln in REPORT.read_text().splitlines(keepends=True)
                              if not ln.startswith("UN4")))
    out, man = _build(tmp_path, "--assembly-report", str(report), "--drop-unmapped", "--bin", "--db", "smp")
    assert man["unmapped_seqids"]["names"] == ["NW_000904.1"]
    assert man["unmapped_seqids"]["action"] == "dropped"
    rows = [ln.split("\t") for ln in _lines(out / "smp.gp")]
    assert len(rows) == 9 and all(r[0].isdigit() for r in rows)
    from refseqtracks.bins import bin_from_range
    assert all(int(r[0]) == bin_from_range(int(r[4]), int(r[5])) for r in rows)
    psl = [ln.split("\t") for ln in _lines(out / "smp.psl")]
    assert len(psl) == 7 and all(int(r[0]) == bin_from_range(int(r[16]), int(r[17])) for r in psl)


def test_keep_unmapped_is_reported(tmp_path):
    alias = tmp_path / "alias.txt"
    alias.write_text("NC_000901.1\tchr1\trefseq\n")
    out, man = _build(tmp_path, "--chrom-alias", str(alias))
    um = man["unmapped_seqids"]
    assert um["names"] == ["NC_000902.1", "NC_000903.1", "NW_000904.1"] and um["action"] == "kept"
    assert um["records"] == {"NC_000902.1": 2, "NC_000903.1": 2, "NW_000904.1": 1}
    assert man["gff3_seqids_not_renamed"] == {"count": 3, "names": um["names"]}
    assert man["records"] == 10


def test_build_with_ncbi_gene_files(tmp_path):
    g2r = tmp_path / "gene2refseq"
    g2r.write_text("9606\t900001\tREVIEWED\tNM_000001.1\t-\tNP_000001.1\t-\tNC_000901.1\t-\t1\t2\t+\tx\t-\t-\tGENEA\n")
    info = tmp_path / "gene_info"
    info.write_text("#tax_id\tGeneID\n9606\t900006\tGENEB\t-\t-\t-\t2\t-\tgene B from gene_info\tprotein-coding\n")
    out, _ = _build(tmp_path, "--gene2refseq", str(g2r), "--gene-info", str(info))
    link = {r[0]: r for r in (ln.rstrip("\n").split("\t") for ln in _lines(out / "sample.ncbiRefSeqLink.tab"))}
    assert link["NM_000001.1"][1] == "Reviewed" and link["XM_000006.1"][1] == "Unknown"
    assert link["XM_000006.1"][17] == "gene B from gene_info"


def test_failed_build_leaves_no_outputs(tmp_path):
    bad = tmp_path / "bad_genomic.gff"
    bad.write_text("##gff-version 3\nNC_1.1\tRefSeq\tmRNA\t1\t10\t.\t+\tX\tID=a\n")
    out = tmp_path / "out"
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["build", str(bad), "-o", str(out), "--quiet"]) == 255
    assert "bad_genomic.gff:2:" in err.getvalue()
    assert not out.exists()


def test_failed_link_join_leaves_no_outputs(tmp_path):
    bad = tmp_path / "gene2refseq"
    bad.write_text("9606\t1\n")
    out = tmp_path / "out"
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["build", str(SAMPLE), "-o", str(out), "--quiet", "--gene2refseq", str(bad)]) == 255
    assert f"{bad}:1:" in err.getvalue()
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("path", ["/nonexistent/x_genomic.gff", "."], ids=["missing", "directory"])
def test_unreadable_input(tmp_path, path):
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["build", path, "-o", str(tmp_path / "o")]) == 255
    assert err.getvalue().startswith("can't open") and not (tmp_path / "o").exists()


@pytest.mark.parametrize("args,msg", [(["--date", "2024-2-1"], "invalid date"),
                                      (["--drop-unmapped"], "needs --assembly-report")],
                         ids=["bad-date", "drop-without-names"])
def test_build_usage_errors(tmp_path, args, msg):
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["build", str(SAMPLE), "-o", str(tmp_path / "o"), *args]) == 255
    assert msg in err.getvalue()


def test_progress_plain_and_tty():
    plain = io.StringIO()
    p = ProgressPrinter(plain, tty=False)
    p("reading GFF3", 0.1)
    p("reading GFF3", 0.5)
    p("done", 1.0)
    assert [ln.split("] ")[1] for ln in plain.getvalue().splitlines()] == ["reading GFF3", "done"]
    tty = io.StringIO()
    p = ProgressPrinter(tty, tty=True)
    p("reading GFF3", 0.5)
    p.message("a warning")
    assert "\r" in tty.getvalue() and "50.0%" in tty.getvalue() and "a warning\n" in tty.getvalue()
    quiet = io.StringIO()
    ProgressPrinter(quiet, quiet=True)("x", None)
    assert quiet.getvalue() == ""


@pytest.mark.parametrize("lines,release", [
    (["##gff-version 3\n", "#!annotation-source NCBI Homo sapiens Updated Annotation Release 109.20190905\n"],
     "NCBI Homo sapiens 109.20190905"),
    (["#!annotation-source NCBI RefSeq GCF_000001405.40-RS_2023_10\n"], "NCBI RefSeq GCF_000001405.40-RS_2023_10"),
    (["##gff-version 3\n"], ""),
], ids=["updated-release", "rs-release", "none"])
def test_annotation_release(lines, release):
    assert annotation_release(lines) == release


@pytest.mark.parametrize("name,prefix", [("GCF_000001405.40_GRCh38.p14_genomic.gff.gz", "GCF_000001405.40_GRCh38.p14"),
                                         ("x.gff3", "x"), ("-", "ncbiRefSeq")], ids=str)
def test_default_prefix(name, prefix):
    assert default_prefix(name) == prefix


def test_split(tmp_path):
    gp = tmp_path / "in.gp"
    rows = ["NM_1.1\tchr1\t+\t0\t10\t0\t10\t1\t0,\t10,\n", "XM_2.1\tchr1\t+\t0\t10\t0\t10\t1\t0,\t10,\n",
            "XP_3.1\tchr1\t+\t0\t10\t0\t10\t1\t0,\t10,\n", "TRNF\tchrM\t+\t0\t10\t10\t10\t1\t0,\t10,\n",
            "NR_4.1\tchr1\t+\t0\t10\t10\t10\t1\t0,\t10,\n"]
    gp.write_text("".join(rows))
    sel = tmp_path / "sel.txt"
    sel.write_text("NR_4.1\nXM_2.1\n")
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["split", str(gp), "-o", str(tmp_path / "o"), "--select-list", str(sel)]) == 0
    o = tmp_path / "o"
    assert _lines(o / "in.ncbiRefSeq.gp") == [rows[0], rows[1], rows[2], rows[4]]
    assert _lines(o / "in.curated.gp") == [rows[0], rows[4]]
    assert _lines(o / "in.predicted.gp") == [rows[1]]
    assert _lines(o / "in.other.gp") == [rows[3]]
    assert _lines(o / "in.refseqSelect.curated.gp") == [rows[4]]
    # the same with a bin column, and without a select list
    binned = tmp_path / "b.gp"
    binned.write_text("".join(f"585\t{r}" for r in rows))
    with redirect_stderr(err):
        assert main(["split", str(binned), "-o", str(tmp_path / "b")]) == 0
    assert [ln.split("\t")[1] for ln in _lines(tmp_path / "b" / "b.other.gp")] == ["TRNF"]
    assert not (tmp_path / "b" / "b.refseqSelect.curated.gp").exists()


def test_read_select_list_from_gff3():
    assert read_select_list(SAMPLE) == {"NM_000001.1", "NR_000007.1"}


# --- acceptance: on every RefSeq GFF3 kent accepts, build == gff3ToGenePred -refseqHacks + regexes ---

def _acceptance_cases():
    cases_tsv = CONFORMANCE / "cases.tsv"
    if not cases_tsv.exists():
        return [pytest.param(None, None, id="no-conformance-suite",
                             marks=pytest.mark.skip(reason=f"{cases_tsv} not found"))]
    out = []
    for line in cases_tsv.read_text().splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 5 or not re.fullmatch(r"refseq\.gff3ToGenePred\..*\.ncbi", cols[0]) or cols[4] != "0":
            continue
        args = cols[3].split()
        gff = next(a for a in args if not a.startswith("-") and not a.startswith("{out}"))
        path = (CONFORMANCE / cols[2] / gff).resolve()
        out.append(pytest.param(path, "-warnAndContinue" in args, id=cols[0].split(".", 2)[2]))
    return out


@pytest.mark.parametrize("gff,warn", _acceptance_cases())
def test_acceptance_subsets_equal_gff3togenepred(tmp_path, gff, warn):
    for tool in ("gff3ToGenePred", "genePredToGtf", "genePredToBed"):
        if command(tool) is None:
            pytest.skip(f"needs our {tool}")
    ref = tmp_path / "ref.gp"
    sink = io.StringIO()
    with redirect_stderr(sink):
        assert main(["gff3ToGenePred", "-refseqHacks", *(["-warnAndContinue"] if warn else []),
                     f"-attrsOut={tmp_path / 'ref.attrs'}", f"-unprocessedRootsOut={tmp_path / 'ref.unproc'}",
                     str(gff), str(ref)]) == 0, sink.getvalue()
    out, man = _build(tmp_path, *(["--warn-and-continue"] if warn else []), "--db", "t", gff=gff)
    assert man["filtered_by_chrom_sizes"] == []
    ref_lines = _lines(ref)
    assert _lines(out / "t.gp") == ref_lines
    assert (out / "t.attrs.txt").read_text() == (tmp_path / "ref.attrs").read_text()
    assert (out / "t.unprocessedRoots.txt").read_text() == (tmp_path / "ref.unproc").read_text()
    expect = {"ncbiRefSeq": [ln for ln in ref_lines if ALL.search(ln)],
              "curated": [ln for ln in ref_lines if CURATED.search(ln)],
              "predicted": [ln for ln in ref_lines if PREDICTED.search(ln)],
              "other": [ln for ln in ref_lines if not ALL.search(ln)]}
    for subset, lines in expect.items():
        assert _lines(out / f"t.{subset}.gp") == lines, subset
        bed = tmp_path / f"{subset}.bed"
        other = subset == "other"  # genePredToBed -tab -fillSpace | sort -k1,1 -k2n,2n
        with redirect_stderr(sink):
            assert main(["genePredToBed", *(["-tab", "-fillSpace"] if other else []),
                         str(out / f"t.{subset}.gp"), str(bed)]) == 0
        want = _lines(bed)
        if other:
            want.sort(key=lambda ln: (ln.split("\t")[0].encode(), int(ln.split("\t")[1]), ln.encode()))
        assert _lines(out / f"t.{subset}.bed") == want, subset
    # the GTF is of every record, from a file named ncbiRefSeq.DATE (doNcbiRefSeq.pl)
    gtf = tmp_path / "all.gtf"
    with redirect_stderr(sink):  # -source= is what running it on ./ncbiRefSeq.DATE gives
        assert main(["genePredToGtf", "-utr", f"-source=ncbiRefSeq.{DATE}", "file", str(ref),
                     str(gtf)]) == 0
    assert (out / "t.ncbiRefSeq.gtf").read_text() == gtf.read_text()
    assert man["subsets"]["all"] == len(expect["ncbiRefSeq"])
    assert len(_lines(out / "t.ncbiRefSeqLink.tab")) == len({ln.split("\t", 1)[0] for ln in expect["ncbiRefSeq"]})


def test_grch38_report_on_real_gff(tmp_path):
    gff = shared_path("data", "gff3", "refseq_human", "vep_GRCh38.p7_NC_000021.9_25-27Mb.gff.gz")
    report = shared_path("data", "assembly_reports", "GCF_000001405.39_GRCh38.p13_assembly_report.txt")
    out, man = _build(tmp_path, "--assembly-report", str(report), "--db", "hg38", gff=gff)
    assert {ln.split("\t")[1] for ln in _lines(out / "hg38.gp")} == {"chr21"}
    assert man["annotation_release"] == "NCBI Homo sapiens Annotation Release 108"
    assert man["unmapped_seqids"]["count"] == 0


def test_version_defaults(tmp_path):
    """No annotation-source: the assembly id; no dates given: file date and today (as UCSC)."""
    import os
    import time
    gff = tmp_path / "GCF_000000901.1_Sample1.0_genomic.gff"
    gff.write_text("".join(ln for ln in SAMPLE.read_text().splitlines(keepends=True)
                           if "annotation-source" not in ln))
    os.utime(gff, (0, 86400 * 365))
    out = tmp_path / "o"
    before = time.strftime("%Y-%m-%d")
    with redirect_stderr(io.StringIO()):
        assert main(["build", str(gff), "-o", str(out), "--quiet"]) == 0
    after = time.strftime("%Y-%m-%d")
    day = time.strftime("%Y-%m-%d", time.localtime(86400 * 365))
    assert (out / "ncbiRefSeqVersion.txt").read_text() == f"GCF_000000901.1_Sample1.0 ({day})\n"
    man = json.loads((out / "manifest.json").read_text())
    assert man["date"] in (before, after)
    assert man["version_date"] == day


def test_build_from_stdin(tmp_path, monkeypatch):
    import sys
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SAMPLE.read_bytes())))
    out = tmp_path / "o"
    with redirect_stderr(io.StringIO()):
        assert main(["build", "-", "-o", str(out), "--date", DATE, "--quiet"]) == 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["prefix"] == "ncbiRefSeq" and man["subsets"]["select"] == 2
    assert (out / "ncbiRefSeq.refseqSelectTranscripts.txt").read_text() == "NM_000001.1\nNR_000007.1\n"


def test_so_type_on_any_line_is_renamed(tmp_path):
    gff = tmp_path / "so_genomic.gff"
    text = SAMPLE.read_text().replace("SO_type=enhancer", "so_type=enhancer")
    # an upper-case SO_type= on a transcript only (not on the line the sample already has)
    text = text.replace("ID=rna-XR_000003.1;Parent=gene-LOC900003;", "ID=rna-XR_000003.1;Parent=gene-LOC900003;SO_type=lnc_RNA;", 1)
    gff.write_text(text)
    out, man = _build(tmp_path, gff=gff)
    assert man["subsets"]["predicted"] == 4
    assert "XR_000003.1\tso_type\tlnc_RNA" in (out / "so.attrs.txt").read_text()
