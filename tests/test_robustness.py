"""No input, however broken, gets a Python traceback or leaves a partial output file.

Every command is run in-process on a set of bad inputs (binary junk, an empty file, truncated
gzip, wrong columns, a missing file, a directory).  Each run must end with our one-line error (or
succeed, for inputs that are merely empty), never an "internal error" or traceback, and a failed
run must leave no output file behind.  A completeness check makes sure every command is covered.
"""
from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from conftest import FIXTURES
from refseqtracks.cli import COMMANDS, main

SIZES = FIXTURES / "bed" / "small.chrom.sizes"
GENOME = FIXTURES / "codons" / "tiny.fa"

#: command -> argv template; {bad} is the bad input, {out} the output folder
ARGV = {
    "gff3ToGenePred": ["{bad}", "{out}/o.gp"],
    "genePredCheck": ["{bad}"],
    "genePredToGtf": ["file", "{bad}", "{out}/o.gtf"],
    "gtfToGenePred": ["{bad}", "{out}/o.gp"],
    "genePredToBed": ["{bad}", "{out}/o.bed"],
    "genePredToBigGenePred": ["{bad}", "{out}/o.txt"],
    "bedToBigBed": ["-type=bed12", "{bad}", str(SIZES), "{out}/o.bb"],
    "gff3ToPsl": [str(SIZES), str(SIZES), "{bad}", "{out}/o.psl"],
    "pslReps": ["{bad}", "{out}/o.psl", "{out}/o.psr"],
    "pslCDnaFilter": ["{bad}", "{out}/o.psl"],
    "filter-alignments": ["{bad}", "{out}/o.psl", "--preset", "ucsc-refseq"],
    "build": ["{bad}", "-o", "{out}/build", "--quiet"],
    "convert": ["{bad}", "--to", "genepred,gtf,bed12", "-o", "{out}/conv"],
    "split": ["{bad}", "-o", "{out}/split"],
    "bin": ["{bad}", "10"],
    "query": ["{bad}", "chr1:1-100"],
    "codons": ["{bad}", "--genome", str(GENOME), "-o", "{out}/cod"],
    "sequences": ["{bad}", "--genome", str(GENOME), "-o", "{out}/s.fa"],
    "hub": ["{bad}", "-o", "{out}/hub"],
    "custom-track": ["{bad}", "-o", "{out}/ct.txt"],
}


def _junk(path: Path) -> Path:
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(3000)))
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _truncated_gzip(path: Path) -> Path:
    text = b"##gff-version 3\n" + b"chr1\tRefSeq\tgene\t1\t100\t.\t+\t.\tID=gene-A;Name=A\n" * 400
    path.write_bytes(gzip.compress(text)[:-60])
    return path


def _wrong_columns(path: Path) -> Path:
    path.write_text("##gff-version 3\nchr1\tonly\tthree\nchr1\t1\t2\t3\n")
    return path


def _header_then_garbage(path: Path) -> Path:
    path.write_text("##gff-version 3\nchr1\tRefSeq\tgene\tone\ttwo\t.\t+\t.\tID=x\n\x00\x01\x02\n")
    return path


def _missing(path: Path) -> Path:
    return path.with_name("does-not-exist")


def _directory(path: Path) -> Path:
    d = path.with_name("a-directory")
    d.mkdir()
    return d


BAD = {f.__name__.lstrip("_"): f for f in (_junk, _empty, _truncated_gzip, _wrong_columns,
                                             _header_then_garbage, _missing, _directory)}


def test_every_command_is_covered():
    assert set(ARGV) == set(COMMANDS)


@pytest.mark.parametrize("kind", list(BAD))
@pytest.mark.parametrize("cmd", list(ARGV))
def test_bad_input(cmd, kind, tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    bad = BAD[kind](inputs / "input.txt")
    argv = [a.replace("{bad}", str(bad)).replace("{out}", str(out)) for a in ARGV[cmd]]
    rc = main([cmd, *argv])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "internal error" not in text, text[-1500:]
    assert "Traceback" not in text
    if rc != 0:
        assert text.strip(), "a failing run must say why"
        left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
        assert left == [], f"failed run left output files: {left}"
