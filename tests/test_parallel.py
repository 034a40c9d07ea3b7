"""gff3ToGenePred in pieces on several processes gives what one process gives, byte for byte."""
from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from refseqtracks.assemble import Gff3Converter
from refseqtracks.errors import RefseqtracksError
from refseqtracks.parallel import default_jobs

from conftest import FIXTURES, SHARED

GENERATOR = SHARED / "bench" / "make_refseq_gff.py"

pytestmark = pytest.mark.skipif(default_jobs() < 1 or sys.platform == "win32", reason="needs fork")


def _convert(path: Path, jobs: int, chunk: int = 3000, **opts) -> tuple:
    """Everything a run writes (genePred, -bad, -attrsOut, -unprocessedRootsOut, stderr, error)."""
    msgs: list[str] = []
    conv = Gff3Converter(path, report=msgs.append, want_attrs=True, want_unprocessed=True, **opts)
    conv.parallel_jobs = jobs
    conv._parallel_args = {"chunk_bytes": chunk}
    gp: list[str] = []
    bad: list[str] = []
    attrs: list[str] = []
    roots: list[str] = []
    error = None
    try:
        conv.convert(on_transcript=lambda line, tx: gp.append(line), on_bad=bad.append,
                     on_attrs=attrs.append, on_unprocessed=roots.append)
        conv.finish_message()
    except RefseqtracksError as ex:
        error = str(ex)
    return ("".join(gp), "".join(bad), "".join(attrs), "".join(roots), msgs, error), conv.pieces


def _same(path: Path, *, chunk: int = 3000, **opts) -> int:
    serial, _ = _convert(path, 1, chunk, **opts)
    pieces_out, pieces = _convert(path, 2, chunk, **opts)
    assert pieces_out == serial
    return pieces


GENE = "c1\tRefSeq\tgene\t{s}\t{e}\t.\t+\t.\tID=gene-{n};Name=G{n}\n"
MRNA = "c1\tRefSeq\tmRNA\t{s}\t{e}\t.\t+\t.\tID=rna-{n};Parent=gene-{n};Name=NM_{n}.1\n"
EXON = "c1\tRefSeq\texon\t{s}\t{e}\t.\t+\t.\tID=exon-{n}-{k};Parent=rna-{n}\n"
CDS = "c1\tRefSeq\tCDS\t{s}\t{e}\t.\t+\t0\tID=cds-{n};Parent=rna-{n};Name=NP_{n}.1\n"


def _genes(n: int, *, start: int = 0, bad_cds: set[int] = frozenset()) -> str:
    """``n`` RefSeq-like coding genes, each about 400 bytes of text."""
    out = []
    for i in range(start, start + n):
        s = 1000 * i + 1
        out.append(GENE.format(s=s, e=s + 899, n=i) + MRNA.format(s=s, e=s + 899, n=i)
                   + EXON.format(s=s, e=s + 299, n=i, k=1) + EXON.format(s=s + 600, e=s + 899, n=i, k=2))
        cds_end = s + 650 if i in bad_cds else s + 299
        out.append(CDS.format(s=s + 100, e=cds_end, n=i))
    return "".join(out)


def _write(tmp_path: Path, text: str, name: str = "in.gff3") -> Path:
    p = tmp_path / name
    p.write_text("##gff-version 3\n" + text)
    return p


FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*.gff3*") if p.is_file())


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[str(p.relative_to(FIXTURES)) for p in FIXTURE_FILES])
def test_fixtures_same_output(path):
    _same(path, chunk=200)
    _same(path, chunk=200, refseq_hacks=True)


def test_generated_refseq_input(tmp_path):
    if not GENERATOR.exists():
        pytest.skip(f"needs {GENERATOR}")
    out = tmp_path / "gen.gff3.gz"
    subprocess.run([sys.executable, str(GENERATOR), "--scale", "0.003", "--out", str(out)], check=True,
                   capture_output=True)
    assert _same(out, chunk=100_000, refseq_hacks=True) > 5
    assert _same(out, chunk=100_000) > 5


def test_pieces_are_used_and_ordered(tmp_path):
    path = _write(tmp_path, _genes(60))
    pieces = _same(path, chunk=2000, refseq_hacks=True)
    assert pieces > 5
    out, _ = _convert(path, 2, 2000, refseq_hacks=True)
    names = [line.split("\t")[0] for line in out[0].splitlines()]
    assert names == [f"NM_{i}.1" for i in reversed(range(60))]  # kent: roots in reverse order


def test_late_child_across_pieces_falls_back(tmp_path):
    # an exon of gene 3 written after gene 40: its piece cannot resolve it alone
    text = _genes(40) + EXON.format(s=3500, e=3600, n=3, k=9) + _genes(20, start=40)
    path = _write(tmp_path, text)
    assert _same(path, chunk=2000, refseq_hacks=True) == 0


def _nothing_left() -> bool:
    """No worker process and no thread of the pool outlived the run (a later fork copies locks)."""
    import multiprocessing
    import threading
    return multiprocessing.active_children() == [] and threading.active_count() == 1


def test_a_worker_that_dies_makes_the_run_fall_back(tmp_path, monkeypatch):
    import os

    def die(piece_path, first_line):  # (runs in the worker, after its piece converted well)
        if first_line > 1:
            os._exit(3)
        return None

    path = _write(tmp_path, _genes(60))
    serial, _ = _convert(path, 1, 2000, refseq_hacks=True)
    monkeypatch.setattr(Gff3Converter, "piece_hook", staticmethod(die), raising=False)
    got, pieces = _convert(path, 2, 2000, refseq_hacks=True)
    assert (got, pieces) == (serial, 0)
    assert _nothing_left()


def test_ctrl_c_in_a_worker_stops_the_run(tmp_path, monkeypatch):
    # (a terminal sends it to the workers too; should the main process miss its own, it must
    # not take the dropped piece for a failure and convert the whole file again in one process)
    def interrupted(piece_path, first_line):
        if first_line > 1:
            raise KeyboardInterrupt
        return None

    path = _write(tmp_path, _genes(60))
    monkeypatch.setattr(Gff3Converter, "piece_hook", staticmethod(interrupted), raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None  # (TMPDIR is read again)
    try:
        with pytest.raises(KeyboardInterrupt):
            _convert(path, 2, 2000, refseq_hacks=True)
    finally:
        tempfile.tempdir = None
    assert _nothing_left()
    assert list(tmp_path.glob("refseqtracks-*")) == []  # the pieces are removed


def test_id_in_two_pieces_falls_back(tmp_path):
    # two unrelated roots sharing an ID are one discontinuous feature for kent
    dup = "c1\tRefSeq\tmatch\t1\t50\t.\t+\t.\tID=aln1\n"
    path = _write(tmp_path, dup + _genes(40) + dup.replace("\t1\t50", "\t90001\t90050"))
    assert _same(path, chunk=2000) == 0


def test_conversion_errors_budget_across_pieces(tmp_path):
    # CDS outside its exon in many genes: "no exon ... contains CDS" in several pieces
    path = _write(tmp_path, _genes(60, bad_cds={5, 17, 30, 31, 44, 58}))
    for opts in ({}, {"max_convert_errors": 2}, {"max_convert_errors": 2, "warn_and_continue": True},
                 {"warn_and_continue": True}, {"max_convert_errors": -1}):
        assert _same(path, chunk=2000, refseq_hacks=True, **opts) > 5, opts


@pytest.mark.parametrize("opts", [{}, {"max_parse_errors": 1}, {"max_parse_errors": -1},
                                  {"warn_and_continue": True}], ids=["default", "max1", "unlimited", "warn"])
def test_parse_errors_fall_back(tmp_path, opts):
    bad_lines = ("c1\tRefSeq\texon\tx10\t20\t.\t+\t.\tParent=rna-1\n"
                 "c1\tRefSeq\tCDS\t10\t20\t.\t+\t.\tID=c;Parent=rna-50\n"
                 "c1\tRefSeq\texon\t10\t20\t.\t+\t.\tParent=rna-55;Bad=1\n")
    text = _genes(30) + bad_lines + _genes(30, start=30)
    path = _write(tmp_path, text)
    assert _same(path, chunk=2000, **opts) == 0


def test_sequence_region_in_two_pieces_falls_back(tmp_path):
    region = "##sequence-region c1 1 100000\n"
    path = _write(tmp_path, region + _genes(40) + region + _genes(20, start=40))
    assert _same(path, chunk=2000) == 0


def test_gzip_and_crlf(tmp_path):
    import gzip
    text = "##gff-version 3\n" + _genes(50)
    gz = tmp_path / "in.gff3.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    assert _same(gz, chunk=2000, refseq_hacks=True) > 5
    crlf = tmp_path / "crlf.gff3"
    crlf.write_bytes(text.replace("\n", "\r\n").encode())
    _same(crlf, chunk=2000, refseq_hacks=True)


def test_small_files_use_one_process(tmp_path):
    path = _write(tmp_path, _genes(5))
    conv = Gff3Converter(path)
    list(conv.transcripts())
    assert conv.pieces == 0


def test_header_information_after_a_run(tmp_path):
    text = ("#!annotation-source test\n##sequence-region c1 1 100000\n" + _genes(30)
            + "# a note\n##sequence-region c2 1 500\n" + _genes(30, start=30))
    path = tmp_path / "h.gff3"
    path.write_text("##gff-version 3.1.26\n" + text)
    seen = []
    for jobs in (1, 2):
        conv = Gff3Converter(path)
        conv.parallel_jobs = jobs
        conv._parallel_args = {"chunk_bytes": 2000}
        list(conv.transcripts())
        r = conv.reader
        seen.append((r.comments, r.pragmas, r.sequence_regions, r.lineno, bool(conv.pieces)))
    assert seen[0][:4] == seen[1][:4] and seen[1][4]
    assert seen[1][1][0] == ("##gff-version", "3.1.26")


def test_bad_header_version_falls_back(tmp_path):
    path = tmp_path / "v2.gff3"
    path.write_text("##gff-version 2\n" + _genes(30))
    assert _same(path, chunk=2000) == 0


def _stdin_convert(monkeypatch, tmp_path: Path, data: bytes, jobs: int) -> tuple:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    out = _convert("stdin", jobs, 2000, refseq_hacks=True)
    assert not list(tmp_path.glob("refseqtracks-stdin.*"))  # the copy is removed
    return out


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_stdin_is_copied_and_converted_in_pieces(tmp_path, monkeypatch, gz):
    import gzip
    text = ("##gff-version 3\n" + _genes(60)).encode()
    data = gzip.compress(text) if gz else text
    one, pieces1 = _stdin_convert(monkeypatch, tmp_path, data, 1)
    many, pieces2 = _stdin_convert(monkeypatch, tmp_path, data, 2)
    assert (pieces1, pieces2 > 5) == (0, True)
    assert many == one and one[0].count("\n") == 60


def test_stdin_messages_name_stdin_when_the_pieces_fall_back(tmp_path, monkeypatch):
    text = "##gff-version 3\n" + _genes(30) + "c1\tRefSeq\texon\tx10\t20\t.\t+\t.\tParent=rna-1\n" + _genes(30, start=30)
    one, _ = _stdin_convert(monkeypatch, tmp_path, text.encode(), 1)
    many, pieces = _stdin_convert(monkeypatch, tmp_path, text.encode(), 2)
    assert pieces == 0 and many == one
    assert one[4][0].startswith("stdin:152: invalid integer")


def test_piece_workers(monkeypatch):
    from refseqtracks import parallel
    monkeypatch.delenv("REFSEQTRACKS_JOBS", raising=False)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert parallel.piece_workers() == 1  # one core: one worker, the pieces keep memory flat
    assert (parallel.piece_workers(1), parallel.piece_workers(3)) == (0, 3)
    monkeypatch.setenv("REFSEQTRACKS_JOBS", "1")
    assert parallel.piece_workers() == 0 and parallel.piece_workers(2) == 2
    monkeypatch.setenv("REFSEQTRACKS_JOBS", "2")
    assert parallel.piece_workers() == 2


def test_one_core_converts_in_pieces_with_one_worker(tmp_path, monkeypatch):
    from refseqtracks import parallel
    path = _write(tmp_path, _genes(60))
    serial, _ = _convert(path, 1, 2000, refseq_hacks=True)
    monkeypatch.delenv("REFSEQTRACKS_JOBS", raising=False)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    out, pieces = _convert(path, None, 2000, refseq_hacks=True)
    assert pieces > 5 and out == serial


def _reference_pieces(data: bytes, chunk: int) -> list[tuple[bytes, int]] | None:
    """The cutting as first written (every read joined to the rest, the cut searched in all of
    it), with the same read sizes: the oracle for :func:`refseqtracks.parallel._pieces`."""
    from refseqtracks.parallel import _is_boundary

    def find_cut(buf: bytes) -> int:
        end = buf.rfind(b"\n")
        while end > 0:
            start = buf.rfind(b"\n", 0, end) + 1
            if start == 0:
                return 0
            prev_start = buf.rfind(b"\n", 0, start - 1) + 1
            if _is_boundary(buf[start:end], buf[prev_start:start - 1]):
                return start
            end = start - 1
        return 0

    head = data.index(b"\n") + 1
    body = data[head:]
    out, rest, lineno, pos, size = [], b"", 2, 0, max(chunk >> 3, 1)
    while pos < len(body):
        buf = rest + body[pos:pos + size]
        pos = min(pos + size, len(body))
        size = min(size * 2, chunk)
        # (the last pieces smaller: the text left, estimated from the share of the file read)
        if (len(data) - head - pos) * pos / (head + pos) < 4 * chunk:
            size = max(chunk >> 2, 1)
        cut = find_cut(buf)
        if cut == 0:
            if len(buf) > 16 * chunk:
                return None  # no place to cut: one process
            rest = buf
            continue
        out.append((buf[:cut], lineno))
        lineno += buf[:cut].count(b"\n")
        rest = buf[cut:]
    if rest:
        out.append((rest, lineno))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_pieces_cut_where_the_first_way_cut(tmp_path, seed):
    """Pieces are cut at the same lines, with the same line numbers, as joining every read to
    the rest and searching all of it (genes with and without IDs, repeated IDs, children named
    like genes, comments, lines longer than a read)."""
    import random

    from refseqtracks.gff3 import Gff3Reader
    from refseqtracks.parallel import _Fallback, _pieces

    rnd = random.Random(seed)
    lines = ["##gff-version 3\n"]
    for i in range(rnd.randrange(1, 120)):
        kind = rnd.choice(["gene", "gene", "pseudogene", "ncRNA_gene", "exon", "mRNA", "comment", "long"])
        gid = f"gene-{rnd.randrange(2)}" if rnd.random() < 0.6 else f"gene-{i}"
        if kind == "comment":
            lines.append(f"# note {i}\n")
        elif kind == "long":
            lines.append(f"c1\tRefSeq\texon\t1\t2\t.\t+\t.\tID=e{i};Parent={gid};Note={'x' * rnd.randrange(300)}\n")
        elif kind in ("exon", "mRNA"):
            lines.append(f"c1\tRefSeq\t{kind}\t1\t2\t.\t+\t.\tID={kind}{i};Parent={gid}\n")
        else:
            attrs = rnd.choice([f"ID={gid};Name=G{i}", f"Name=G{i}", f"ID={gid};Parent=x", f"ID={gid}"])
            lines.append(f"c1\tRefSeq\t{kind}\t1\t2\t.\t+\t.\t{attrs}\n")
    data = "".join(lines).encode()
    path = tmp_path / "p.gff3"
    path.write_bytes(data)
    for chunk in (8, 1 << 20, *range(40, 400, 9)):
        try:
            got = [(b"".join(bytes(p) for p in parts), lineno)
                   for parts, lineno in _pieces(str(path), chunk, Gff3Reader(str(path)))]
        except _Fallback:
            got = None
        assert got == _reference_pieces(data, chunk), chunk


@pytest.mark.parametrize("text", [b"", b"#", b"##FAST", b"##FASTA", b"a\n##FASTA\n>x", b"#" * 70 + b"##FASTA",
                                  b"# x\n" * 100, b"# x\n" * 100 + b"##FASTA\n", b"x##FASTAy", b"##FASTA" + b"#" * 99])
def test_has_fasta_is_a_substring_test(text):
    from refseqtracks.parallel import _has_fasta
    assert _has_fasta(text) == (b"##FASTA" in text)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_last_pieces_are_smaller(tmp_path, gz):
    # the text left is estimated from how far into the file on disk the reading is (for gzip,
    # the compressed file): the last pieces are a quarter of the usual size
    import gzip

    from refseqtracks.gff3 import Gff3Reader
    from refseqtracks.parallel import _pieces

    import random

    rnd = random.Random(7)  # (notes that do not compress away: the compressed file is much larger
    # than what the decompressor reads ahead of the text)
    body = "".join(f"c1\tRefSeq\tgene\t{i + 1}\t{i + 2}\t.\t+\t.\tID=gene-{i};Note={rnd.getrandbits(256):x}\n"
                   for i in range(40000))
    path = tmp_path / ("in.gff3.gz" if gz else "in.gff3")
    data = ("##gff-version 3\n" + body).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    chunk = 40_000
    sizes = [sum(len(p) for p in parts) for parts, _ in _pieces(str(path), chunk, Gff3Reader(str(path)))]
    assert sum(sizes) == len(body)
    assert max(sizes) >= chunk * 0.9  # (the usual size in the middle)
    assert all(s < chunk * 0.4 for s in sizes[-4:])  # (a quarter of it at the end)
