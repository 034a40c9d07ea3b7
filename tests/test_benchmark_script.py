"""benchmarks/run.py: the document's targets follow the medians; a tiny run works end to end."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from conftest import ROOT, shared_path

SCRIPT = ROOT / "benchmarks" / "run.py"


def _module():
    spec = importlib.util.spec_from_file_location("bench_run", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _med(ours, build, small, small_build, help_s, gffread):
    return {
        "refseqtracks gff3ToGenePred -refseqHacks": ours,
        "refseqtracks build (all outputs)": build,
        "refseqtracks --help": (help_s, 13),
        "refseqtracks gff3ToGenePred -refseqHacks, scale 0.25": small,
        "refseqtracks build (all outputs), scale 0.25": small_build,
        "gffread -T (zcat | gffread)": (gffread, 380),
    }


@pytest.mark.parametrize("numbers, met", [
    (((16.0, 130), (32.0, 200), (5.0, 120), (15.0, 180), 0.05, 20.0), ["yes"] * 6),
    (((16.1, 601), (32.1, 271), (5.0, 120), (15.0, 180), 0.31, 20.0), ["no"] * 6),
], ids=["all-met", "none-met"])
def test_targets_follow_the_medians(tmp_path, numbers, met):
    mod = _module()
    gff = tmp_path / "in.gff3.gz"
    gff.write_bytes(b"x" * 1000)
    args = Namespace(scale=1.0, small_scale=0.25, repeats=3)
    doc = mod.render(args, gff, _med(*numbers), True, 3_739_665)
    table = doc.split("## Targets", 1)[1].split("##", 1)[0]
    rows = [r for r in table.splitlines() if r.startswith("| `") or r.startswith("| full")]
    assert [r.rsplit("|", 2)[1].strip() for r in rows] == met
    assert "3,739,665 lines" in doc and "| gffread -T (zcat \\| gffread) | 20.00 | 380 | 1.00× |" in doc


def test_each_round_is_compared_with_gffread_of_the_same_round(tmp_path):
    mod = _module()
    gff = tmp_path / "in.gff3.gz"
    gff.write_bytes(b"x" * 1000)
    args = Namespace(scale=1.0, small_scale=0.25, repeats=3)
    rounds = {"refseqtracks build (all outputs)": [(30.0, 1), (24.0, 1), (40.0, 1)],
              "refseqtracks gff3ToGenePred -refseqHacks": [(12.0, 1), (13.0, 1), (14.0, 1)],
              "gffread -T (zcat | gffread)": [(20.0, 1), (16.0, 1), (20.0, 1)]}
    doc = mod.render(args, gff, _med((13.0, 90), (30.0, 120), (4.0, 80), (8.0, 90), 0.05, 20.0), True, 10,
                     rounds=rounds)
    assert "- `build`: 1.50×, 1.50×, 2.00× (median 1.50×)" in doc
    assert "- `gff3ToGenePred -refseqHacks`: 0.60×, 0.81×, 0.70× (median 0.70×)" in doc
    assert doc.index("Round by round") < doc.index("## Targets")
    # without gffread's rounds, nothing is said
    assert "Round by round" not in mod.render(args, gff, _med((13.0, 90), (30.0, 120), (4.0, 80), (8.0, 90),
                                                                0.05, 20.0), True, 10, rounds={})


def test_smoke_run(tmp_path):
    generator = shared_path("bench", "make_refseq_gff.py")
    if not Path("/usr/bin/time").exists():
        pytest.skip("needs /usr/bin/time (Debian package 'time')")
    p = subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--generator", str(generator),
                        "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "b.md")],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "refseqtracks build (all outputs)" in p.stdout
    assert not (tmp_path / "b.md").exists()  # (a smoke run writes no document)


def test_the_package_measured_is_byte_compiled_first():
    # (as pip install leaves it: no run pays for compiling the modules it imports)
    import refseqtracks.ncbirefseq_scan as scan

    mod = _module()
    cached = Path(importlib.util.cache_from_source(scan.__file__))
    cached.unlink(missing_ok=True)
    mod.byte_compile()
    assert cached.exists()
