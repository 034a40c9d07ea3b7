"""`refseqtracks hub` and `refseqtracks custom-track`: in-process CLI runs on the bundled sample."""
from __future__ import annotations

import gzip
import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refseqtracks.cli import main
from refseqtracks.customtrack import CustomTrack, status_color, write_custom_track
from refseqtracks.formats.bed import read_bed

from conftest import FIXTURES

SAMPLE = FIXTURES / "sample" / "sample_genomic.gff"
REPORT = FIXTURES / "sample" / "sample_assembly_report.txt"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(argv))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "out"
    rc, _, err = run("build", str(SAMPLE), "--assembly-report", str(REPORT), "-o", str(out),
                     "--date", "2024-02-29", "--version-date", "2024-01-15", "--quiet")
    assert rc == 0, err
    return out


def _one_line_error(rc: int, err: str) -> None:
    assert rc != 0
    assert err.count("\n") == 1 or (err.startswith("refseqtracks ") and "usage:" in err)
    assert "Traceback" not in err and "internal error" not in err


# ----------------------------------------------------------------------------- hub
def test_hub_command(build, tmp_path):
    rc, _, err = run("hub", str(build), "-o", str(tmp_path / "hub"), "--db", "sample",
                     "--email", "me@example.org", "--hub-name", "myHub", "--short-label", "Mine",
                     "--long-label", "My RefSeq hub")
    assert rc == 0, err
    assert "ncbiRefSeq 8" in err
    hub = (tmp_path / "hub" / "hub.txt").read_text()
    assert hub == ("hub myHub\nshortLabel Mine\nlongLabel My RefSeq hub\ngenomesFile genomes.txt\n"
                   "email me@example.org\n")
    assert (tmp_path / "hub" / "sample" / "trackDb.txt").is_file()


def test_hub_default_db_is_the_build_prefix(build, tmp_path):
    rc, _, err = run("hub", str(build), "-o", str(tmp_path / "hub"), "--quiet")
    assert rc == 0 and err == ""
    assert (tmp_path / "hub" / "genomes.txt").read_text().startswith("genome sample\n")


def test_hub_assembly_hub_options(build, tmp_path):
    rc, _, err = run("hub", str(build), "-o", str(tmp_path / "hub"), "--genome", "asm",
                     "--twobit-url", "https://example.org/asm.2bit", "--default-pos", "chr2:1-500",
                     "-q")
    assert rc == 0, err
    g = (tmp_path / "hub" / "genomes.txt").read_text()
    assert "twoBitPath https://example.org/asm.2bit\n" in g and "defaultPos chr2:1-500\n" in g


@pytest.mark.parametrize("case", ["missing-folder", "not-a-build", "missing-file", "few-chroms",
                                  "bad-position", "no-output"])
def test_hub_bad_input(build, tmp_path, case):
    args = [str(build), "-o", str(tmp_path / "hub")]
    if case == "missing-folder":
        args[0] = str(tmp_path / "nope")
    elif case == "not-a-build":
        (tmp_path / "empty").mkdir()
        args[0] = str(tmp_path / "empty")
    elif case == "missing-file":
        copy = tmp_path / "copy"
        shutil.copytree(build, copy)
        (copy / "sample.psl").unlink()
        args[0] = str(copy)
    elif case == "few-chroms":
        (tmp_path / "s.sizes").write_text("chr1 20000\nchr2 15000\n")
        args += ["--chrom-sizes", str(tmp_path / "s.sizes")]
    elif case == "bad-position":
        args += ["--default-pos", "chr1"]
    elif case == "no-output":
        args = args[:1]
    rc, _, err = run("hub", *args)
    _one_line_error(rc, err)
    assert not (tmp_path / "hub").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".hub")]


def test_hub_bad_manifest_json(build, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(build, copy)
    (copy / "manifest.json").write_text("{not json")
    rc, _, err = run("hub", str(copy), "-o", str(tmp_path / "hub"))
    _one_line_error(rc, err)
    assert "manifest.json:1: not valid JSON" in err


# ----------------------------------------------------------------------------- custom tracks
def _tracks(text: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("track "):
            out.append((line, []))
        elif line.startswith("browser "):
            continue
        else:
            out[-1][1].append(line)
    return out


def test_custom_track_default_subsets(build, tmp_path):
    dest = tmp_path / "ct.txt"
    rc, _, err = run("custom-track", str(build), "-o", str(dest), "--position", "chr1:1000-5000")
    assert rc == 0, err
    text = dest.read_text()
    assert text.startswith("browser position chr1:1000-5000\n")
    tracks = _tracks(text)
    assert [t[0] for t in tracks] == [
        'track name="RefSeq Curated" description="NCBI RefSeq genes, curated subset (NM_*, NR_*, '
        'NP_* or YP_*)" visibility=pack color=12,12,120 itemRgb=On useScore=0\n',
        'track name="RefSeq Predicted" description="NCBI RefSeq genes, predicted subset (XM_* or '
        'XR_*)" visibility=pack color=12,12,120 itemRgb=On useScore=0\n',
        'track name="RefSeq Other" description="NCBI RefSeq other annotations (not NM_*, NR_*, '
        'XM_*, XR_*, NP_* or YP_*)" visibility=pack color=32,32,32 itemRgb=On useScore=0\n']
    for (header, lines), bed in zip(tracks, ["sample.curated.bed", "sample.predicted.bed",
                                             "sample.other.bed"]):
        recs = read_bed(io.StringIO("".join(lines)), bed_n=12)     # valid BED12
        orig = read_bed(build / bed, bed_n=12)
        color = header.split("color=")[1].split()[0]
        assert [r.item_rgb for r in recs] == [color] * len(orig)
        assert [r.name for r in recs] == [r.name for r in orig]
        assert [(r.chrom, r.chrom_start, r.block_sizes) for r in recs] == \
            [(r.chrom, r.chrom_start, r.block_sizes) for r in orig]


def test_custom_track_status_colors_exact(build, tmp_path):
    link = tmp_path / "link.tab"
    link.write_text("NM_000001.1\tReviewed\n" "NR_000004.1\tValidated\n" "NR_000007.1\tProvisional\n"
                    "XM_000002.1\tPredicted\n" "XR_000003.1\tModel\n" "XM_000006.1\tInferred\n"
                    "XM_000010.1\tUnknown\n")
    dest = tmp_path / "ct.txt.gz"
    rc, _, err = run("custom-track", str(build), "-o", str(dest), "--subset", "all",
                     "--subset", "other", "--color-by-status", "--link", str(link))
    assert rc == 0, err
    text = gzip.decompress(dest.read_bytes()).decode()
    colors = {}
    for _, lines in _tracks(text):
        for r in read_bed(io.StringIO("".join(lines)), bed_n=12):
            colors[r.name] = r.item_rgb
    assert colors == {
        "NM_000001.1": "12,12,120", "NR_000004.1": "12,12,120",      # Reviewed, Validated
        "NR_000007.1": "109,109,174",                                  # Provisional
        "XM_000002.1": "174,174,210", "XR_000003.1": "174,174,210",    # Predicted, Model
        "XM_000006.1": "174,174,210", "XM_000010.1": "174,174,210",    # Inferred, Unknown
        "YP_000008.1": "12,12,120",                                    # no link row
        "PSGX1P": "32,32,32", "TRNF": "32,32,32",                      # Other: no link rows
    }


def test_custom_track_status_from_build_link_table(build, tmp_path):
    rc, out, err = run("custom-track", str(build), "-o", "-", "--subset", "curated", "--color-by-status")
    assert rc == 0, err
    # the sample's link table says Unknown for every transcript
    assert {ln.split("\t")[8] for ln in out.splitlines()[1:]} == {"174,174,210"}


def test_custom_track_from_genepred(build, tmp_path):
    sel = tmp_path / "sel.txt"
    sel.write_text("NM_000001.1\n")
    rc, out, err = run("custom-track", str(build / "sample.gp"), "-o", "-", "--subset",
                       "select,predicted", "--select-list", str(sel))
    assert rc == 0, err
    tracks = _tracks(out)
    assert [t[0].split('"')[1] for t in tracks] == ["RefSeq Select", "RefSeq Predicted"]
    assert [ln.split("\t")[3] for ln in tracks[0][1]] == ["NM_000001.1"]
    assert sorted(ln.split("\t")[3] for ln in tracks[1][1]) == \
        ["XM_000002.1", "XM_000006.1", "XM_000010.1", "XR_000003.1"]


@pytest.mark.parametrize("case", ["missing", "unknown-subset", "select-without-list",
                                  "status-without-link", "bad-position", "manifest-without-bed"])
def test_custom_track_bad_input(build, tmp_path, case):
    dest = tmp_path / "ct.txt"
    args = [str(build), "-o", str(dest)]
    if case == "missing":
        args[0] = str(tmp_path / "nope")
    elif case == "unknown-subset":
        args += ["--subset", "curated,bogus"]
    elif case == "select-without-list":
        args = [str(build / "sample.gp"), "-o", str(dest), "--subset", "select"]
    elif case == "status-without-link":
        args = [str(build / "sample.gp"), "-o", str(dest), "--color-by-status"]
    elif case == "bad-position":
        args += ["--position", "chr1:x-y"]
    elif case == "manifest-without-bed":
        copy = tmp_path / "copy"
        shutil.copytree(build, copy)
        man = json.loads((copy / "manifest.json").read_text())
        man["outputs"] = [o for o in man["outputs"] if o["key"] != "other.bed"]
        (copy / "manifest.json").write_text(json.dumps(man))
        args[0] = str(copy)
    rc, _, err = run("custom-track", *args)
    _one_line_error(rc, err)
    assert not dest.exists()


def test_write_custom_track_rejects_bad_bed(tmp_path):
    from refseqtracks.errors import ParseError
    bad = CustomTrack("curated", ["chr1\t10\t5\tX\t0\t+\t5\t5\t0\t1\t5,\t0,\n"], "in.bed")
    with pytest.raises(ParseError, match="in.bed:1"):
        write_custom_track([bad], tmp_path / "o.txt")
    assert not (tmp_path / "o.txt").exists()


@pytest.mark.parametrize("status,expect", [
    ("Reviewed", (12, 12, 120)), ("Validated", (12, 12, 120)), ("Provisional", (109, 109, 174)),
    ("Predicted", (174, 174, 210)), ("Inferred", (174, 174, 210)), ("Model", (174, 174, 210)),
    ("Unknown", (174, 174, 210)), (None, (12, 12, 120)),
], ids=["reviewed", "validated", "provisional", "predicted", "inferred", "model", "unknown", "none"])
def test_status_color_kent_values(status, expect):
    assert status_color((12, 12, 120), status) == expect


@given(st.tuples(*[st.integers(0, 255)] * 3), st.sampled_from(["Provisional", "Predicted", "Model"]))
def test_status_shades_lie_between_color_and_white(color, status):
    shade = status_color(color, status)
    assert all(c <= s <= 255 for c, s in zip(color, shade))
    if status == "Provisional":
        assert shade == tuple((6 * c + 1020) // 10 for c in color)
    else:
        assert shade == tuple((c + 510) // 3 for c in color)
        # the other statuses are paler than Provisional
        assert all(s >= p for s, p in zip(shade, status_color(color, "Provisional")))


def test_hub_build_without_sizes_needs_chrom_sizes(tmp_path):
    out = tmp_path / "b"
    rc, _, err = run("build", str(SAMPLE), "-o", str(out), "--date", "2024-02-29",
                     "--version-date", "2024-01-15", "--quiet")
    assert rc == 0, err
    rc, _, err = run("hub", str(out), "-o", str(tmp_path / "hub"))
    _one_line_error(rc, err)
    assert "give --chrom-sizes FILE" in err and not (tmp_path / "hub").exists()
    prefix = json.loads((out / "manifest.json").read_text())["prefix"]
    names = {ln.split("\t")[1] for ln in (out / f"{prefix}.gp").read_text().splitlines()}
    (tmp_path / "s.sizes").write_text("".join(f"{n}\t1000000\n" for n in sorted(names)))
    rc, _, err = run("hub", str(out), "-o", str(tmp_path / "hub"), "--chrom-sizes",
                     str(tmp_path / "s.sizes"), "-q")
    assert rc == 0, err
    assert (tmp_path / "hub" / prefix / "trackDb.txt").is_file()
