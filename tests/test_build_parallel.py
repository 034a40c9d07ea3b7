"""`refseqtracks build` in pieces (rows made in the workers) writes what one process writes, byte for byte."""
from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from refseqtracks import ncbirefseq, parallel
from refseqtracks.assemble import Gff3Converter
from refseqtracks.cli import main
from refseqtracks.parallel import default_jobs

from conftest import FIXTURES, SHARED, shared_path

pytestmark = pytest.mark.skipif(default_jobs() < 1 or sys.platform == "win32", reason="needs fork")

SAMPLE = FIXTURES / "sample" / "sample_genomic.gff"
REPORT = FIXTURES / "sample" / "sample_assembly_report.txt"
GENERATOR = SHARED / "bench" / "make_refseq_gff.py"


def _run(tmp_path: Path, name: str, gff: Path, args: list[str], jobs: int, monkeypatch,
         chunk: int) -> tuple[dict, str, int, int]:
    """Every output file's bytes, stderr, whether the conversion went in pieces, and how many
    pieces the workers filed whole."""
    used = []
    filed = []
    real = parallel.parallel_results
    real_replay = parallel._replay_pieces

    def spy(conv, **kw):
        res = real(conv, **kw)
        used.append(res is not None)
        return res

    def replay_spy(*a, **kw):
        for res in real_replay(*a, **kw):
            filed.append(bool(res.events) and res.events[0][0] == "piece")
            yield res

    monkeypatch.setattr(Gff3Converter, "parallel_jobs", jobs)
    monkeypatch.setattr(Gff3Converter, "_parallel_args", {"chunk_bytes": chunk})
    monkeypatch.setattr(parallel, "parallel_results", spy)
    monkeypatch.setattr(parallel, "_replay_pieces", replay_spy)
    out = tmp_path / name
    err = io.StringIO()
    with redirect_stderr(err):
        rc = main(["build", str(gff), "-o", str(out), "--date", "2024-02-29", "--version-date", "2024-01-15",
                   "--quiet", *args])
    assert rc == 0, err.getvalue()
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}, err.getvalue(), sum(used), sum(filed)


def _same(tmp_path: Path, gff: Path, args: list[str], monkeypatch, chunk: int = 1500,
          pieces: bool = True) -> int:
    """Builds ``gff`` in one process and in pieces, the same; returns how many pieces were filed."""
    one, err1, used1, _ = _run(tmp_path, "one", gff, args, 1, monkeypatch, chunk)
    many, err2, used2, filed = _run(tmp_path, "many", gff, args, 2, monkeypatch, chunk)
    # the second run really went through the pieces (or, with pieces=False, tried and fell back)
    assert (used1, used2) == (0, 1 if pieces else 0)
    assert many.keys() == one.keys()
    for name in one:
        assert many[name] == one[name], name
    assert err2 == err1
    return filed


@pytest.mark.parametrize("args", [
    ["--assembly-report", str(REPORT)],
    ["--assembly-report", str(REPORT), "--bin", "--drop-unmapped"],
    [],
], ids=["renamed", "bin-drop-unmapped", "ncbi-names"])
def test_sample_same_in_pieces(tmp_path, monkeypatch, args):
    # (an input with SO_type= goes through the sed stream in one process: fixed here beforehand)
    gff = tmp_path / "sample_genomic.gff"
    gff.write_text(SAMPLE.read_text().replace("SO_type=", "so_type="))
    assert _same(tmp_path, gff, args, monkeypatch) > 1  # (pieces filed whole in the workers too)


def _no_second_reading(monkeypatch) -> None:
    """A worker that reads its piece again for the raw-line scan (``scan_text``, what it falls
    back to when the converter's reader did not see the whole piece) fails, and with it the
    piece-wise run."""
    from refseqtracks import ncbirefseq_scan

    def scanned_apart(*_a, **_k):
        raise AssertionError("a piece was scanned apart")

    monkeypatch.setattr(ncbirefseq_scan, "scan_text", scanned_apart)


def test_workers_scan_what_the_conversion_read(tmp_path, monkeypatch):
    # the pieces' raw-line scan is fed by the converter's reader: the piece files are not read
    # a second time
    gff = tmp_path / "sample_genomic.gff"
    gff.write_text(SAMPLE.read_text().replace("SO_type=", "so_type="))
    _no_second_reading(monkeypatch)
    _same(tmp_path, gff, ["--assembly-report", str(REPORT)], monkeypatch)


def test_crlf_input_same_in_pieces(tmp_path, monkeypatch):
    # (the workers' scan then takes each block of lines as text: the reader splits such blocks
    # its own way; the pieces are small enough for a read to end between '\r' and '\n')
    _no_second_reading(monkeypatch)
    gff = tmp_path / "sample_genomic.gff"
    head, _, rest = SAMPLE.read_text().replace("SO_type=", "so_type=").partition("\n")
    gff.write_bytes(f"{head}\n{rest}".replace("\n", "\r\n").replace("\r\n", "\n", 1).encode())
    # (a carriage return in the header line makes the whole run one process)
    _same(tmp_path, gff, ["--assembly-report", str(REPORT)], monkeypatch)


@pytest.mark.parametrize("rel, pieces", [
    ("refseq_bacteria/GCF_000005845.2_ASM584v2_genomic.gff.gz", True),
    ("refseq_bacteria/GCF_000020065.1_ASM2006v1_genomic.gff", True),
    ("refseq_human/cdot_RS_2025_08_ribosomal_slippage.gff", True),
    ("refseq_viral/nextclade_sars-cov-2_NC_045512.2.gff3", True),
    ("refseq_human/cdot_historical_RS_2024_08_NC_000001.gff", False),
], ids=["ecoli", "bacterium", "human-slippage", "sars-cov-2", "human-chr1-falls-back"])
def test_real_refseq_same_in_pieces(tmp_path, monkeypatch, rel, pieces):
    # real NCBI files (read in place): link table, GTF, PSL and all from small pieces
    gff = shared_path("data", "gff3", *rel.split("/"))
    _same(tmp_path, gff, ["--warn-and-continue"], monkeypatch, chunk=20_000, pieces=pieces)


GENE = ("{seq}\tBestRefSeq\tgene\t{s}\t{e}\t.\t+\t.\tID=gene-G{n};Name=G{n};gene=G{n};gene_biotype=protein_coding\n"
        "{seq}\tBestRefSeq\tmRNA\t{s}\t{e}\t.\t+\t.\tID=rna-{acc}-{n};Parent=gene-G{n};Name={acc};gene=G{n}\n"
        "{seq}\tBestRefSeq\texon\t{s}\t{e}\t.\t+\t.\tID=exon-{acc}-{n};Parent=rna-{acc}-{n};gene=G{n}\n"
        "{seq}\tBestRefSeq\tCDS\t{cs}\t{ce}\t.\t+\t0\tID=cds-{n};Parent=rna-{acc}-{n};Name=NP_{n}.1;gene=G{n}\n")


def test_repeated_names_and_filtered_records(tmp_path, monkeypatch):
    # one transcript placed on two sequences (the GTF's second transcript_id becomes NAME_2 in
    # output order), a record past its sequence's end (genePredFilter), unknown sequences
    body = []
    for n in range(40):
        seq = ("NC_000901.1", "NC_000902.1", "NW_000999.1")[n % 3]
        acc = "NM_000777.1" if n in (3, 31) else f"NM_{n:06d}.1" if n % 5 else f"XR_{n:06d}.1"
        s = 1000 * n + 1
        e = s + (40000 if n == 20 else 599)
        body.append(GENE.format(seq=seq, s=s, e=e, n=n, acc=acc, cs=s + 100, ce=s + 399))
    gff = tmp_path / "in.gff3"
    gff.write_text("##gff-version 3\n" + "".join(body))
    report = tmp_path / "report.txt"
    report.write_text("# Sequence-Name\tSequence-Role\tAssigned-Molecule\tAssigned-Molecule-Location/Type\t"
                      "GenBank-Accn\tRelationship\tRefSeq-Accn\tAssembly-Unit\tSequence-Length\tUCSC-style-name\n"
                      "1\tassembled-molecule\t1\tChromosome\tCM000901.1\t=\tNC_000901.1\tPrimary\t50000\tchr1\n"
                      "2\tassembled-molecule\t2\tChromosome\tCM000902.1\t=\tNC_000902.1\tPrimary\t50000\tchr2\n")
    # (the second placement's piece is filed whole: its GTF is formatted again in the main process)
    assert _same(tmp_path, gff, ["--assembly-report", str(report)], monkeypatch) > 1
    _same(tmp_path / "b", gff, ["--assembly-report", str(report), "--drop-unmapped", "--bin"], monkeypatch)
    gtf = (tmp_path / "many" / "in.ncbiRefSeq.gtf").read_text()
    assert 'transcript_id "NM_000777.1_2"' in gtf


def test_generated_refseq_input_same_in_pieces(tmp_path, monkeypatch):
    if not GENERATOR.exists():
        pytest.skip(f"needs {GENERATOR}")
    from refseqtracks import ncbirefseq_psl
    gff = tmp_path / "gen.gff3.gz"
    report = tmp_path / "report.txt"
    subprocess.run([sys.executable, str(GENERATOR), "--scale", "0.003", "--out", str(gff),
                    "--assembly-report", str(report)], check=True, capture_output=True)
    # (the PSL step's first pass over the alignment lines is made in the pieces)
    given = []
    real_init = ncbirefseq_psl.RealRowsJob.__init__

    def init(self, *a, **kw):
        real_init(self, *a, **kw)
        first_pass = self._first_pass()  # (the pieces' files, merged)
        given.append(first_pass is not None and len(first_pass[0]) > 100)

    monkeypatch.setattr(ncbirefseq_psl.RealRowsJob, "__init__", init)
    # (every piece filed: the link table's child process starts before the tables are written)
    order = []
    real_job, real_replay = ncbirefseq.LinesJob.__init__, Gff3Converter.replay
    monkeypatch.setattr(ncbirefseq.LinesJob, "__init__", lambda *a, **kw: order.append("link") or real_job(*a, **kw))
    monkeypatch.setattr(Gff3Converter, "replay", lambda *a, **kw: order.append("replay") or real_replay(*a, **kw))
    assert _same(tmp_path, gff, ["--assembly-report", str(report)], monkeypatch, chunk=100_000) > 1
    assert given == [False, True]  # (one process, then in pieces)
    assert order == ["replay", "link", "link", "replay"]


def test_falling_back_after_some_pieces_starts_the_scan_again(tmp_path, monkeypatch):
    # one alignment ID at the start and at the end (kent joins them: the pieces cannot be
    # converted apart): the pieces are scanned and converted, then thrown away; the
    # one-process build must not see the first scan (its alignment lines spilled twice, say)
    aln = "NC_000901.1\tRefSeq\tcDNA_match\t{s}\t{e}\t.\t+\t.\tID=aln9;Target=NM_000003.1 {a} {b} +\n"
    body = [aln.format(s=3101, e=3200, a=1, b=100)]
    body += [GENE.format(seq="NC_000901.1", s=1000 * n + 1, e=1000 * n + 600, n=n, acc=f"NM_{n:06d}.1",
                         cs=1000 * n + 101, ce=1000 * n + 400) for n in range(40)]
    body.append(aln.format(s=3301, e=3400, a=101, b=200))
    gff = tmp_path / "in.gff3"
    gff.write_text("##gff-version 3\n" + "".join(body))
    _same(tmp_path, gff, [], monkeypatch, pieces=False)
    psl = (tmp_path / "many" / "in.psl").read_text().splitlines()
    assert [r.split("\t")[9] for r in psl].count("NM_000003.1") == 1  # chained once, not twice


def test_a_name_in_two_pieces_takes_its_first_placement(tmp_path, monkeypatch):
    # the link row of a transcript placed in two pieces comes from its first placement in file
    # order (here the one whose record sorts last), with the notes of both merged
    body = []
    for n in range(40):
        acc = "NM_000777.1" if n in (3, 31) else f"NM_{n:06d}.1"
        block = GENE.format(seq="NC_000901.1", s=1000 * n + 1, e=1000 * n + 600, n=n, acc=acc,
                            cs=1000 * n + 101, ce=1000 * n + 400)
        if n == 3:
            block = block.replace("BestRefSeq", "Gnomon").replace(
                ";Name=NM_000777.1;", ";Name=NM_000777.1;Note=The RefSeq transcript has 1 gap compared "
                                      "to this genomic sequence;")
        if n == 31:
            block = block.replace(";Name=NM_000777.1;", ";Name=NM_000777.1;Note=The RefSeq transcript has "
                                                        "2 gaps compared to this genomic sequence;")
        body.append(block)
    gff = tmp_path / "in.gff3"
    gff.write_text("##gff-version 3\n" + "".join(body))
    _same(tmp_path, gff, [], monkeypatch)
    link = (tmp_path / "many" / "in.ncbiRefSeqLink.tab").read_text().splitlines()
    (row,) = [r.split("\t") for r in link if r.startswith("NM_000777.1\t")]
    assert row[2] == "G3" and row[12] == "Gnomon" and row[16].startswith("Mappings of the RefSeq transcript")


def test_stdin_is_copied_and_built_in_pieces(tmp_path, monkeypatch):
    # standard input is copied to a file and built in pieces, as a file would be; the outputs
    # are those of the one-pass build from the stream (REFSEQTRACKS_JOBS=1)
    body = [GENE.format(seq="NC_000901.1", s=1000 * n + 1, e=1000 * n + 600, n=n, acc=f"NM_{n:06d}.1",
                        cs=1000 * n + 101, ce=1000 * n + 400) for n in range(40)]
    data = ("##gff-version 3\n" + "".join(body)).encode()
    monkeypatch.setattr(Gff3Converter, "_parallel_args", {"chunk_bytes": 1500})
    real = parallel.parallel_results
    outs = []
    for jobs in ("1", "2"):
        used = []
        monkeypatch.setattr(parallel, "parallel_results", lambda conv, **kw: used.append(1) or real(conv, **kw))
        monkeypatch.setenv("REFSEQTRACKS_JOBS", jobs)
        monkeypatch.setattr(Gff3Converter, "parallel_jobs", int(jobs))  # (pieces however small the input)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        out = tmp_path / jobs
        err = io.StringIO()
        with redirect_stderr(err):
            assert main(["build", "-", "-o", str(out), "--date", "2024-02-29", "--quiet"]) == 0, err.getvalue()
        outs.append(({p.name: p.read_bytes() for p in sorted(out.iterdir())}, err.getvalue(), len(used)))
    (one, err1, used1), (many, err2, used2) = outs
    assert (used1, used2) == (0, 1)
    assert many == one and err2 == err1
    assert b'"input": "-"' in one["manifest.json"] and "ncbiRefSeq.ncbiRefSeq.gp" in one


def test_filed_pieces_after_the_error_budget_fall_back(tmp_path, monkeypatch):
    # the last genes (converted first, in kent's order) spend the error budget: the roots after
    # that are unprocessed roots, which pieces filed whole do not know: the run falls back
    good = [GENE.format(seq="NC_000901.1", s=1000 * n + 1, e=1000 * n + 600, n=n, acc=f"NM_{n:06d}.1",
                        cs=1000 * n + 101, ce=1000 * n + 400) for n in range(40)]
    bad = [GENE.format(seq="NC_000901.1", s=1000 * n + 1, e=1000 * n + 600, n=n, acc=f"NM_{n:06d}.1",
                       cs=1000 * n + 101, ce=1000 * n + 400).replace("\t+\t.\tID=rna", "\t.\t.\tID=rna")
           for n in range(40, 95)]
    gff = tmp_path / "in.gff3"
    gff.write_text("##gff-version 3\n" + "".join(good + bad))
    _same(tmp_path, gff, ["--warn-and-continue"], monkeypatch, pieces=False)
    roots = (tmp_path / "many" / "in.unprocessedRoots.txt").read_text()
    assert "ID=gene-G3;" in roots and "skipping" in (tmp_path / "many" / "manifest.json").read_text()
    # (with fewer errors than the budget, the good pieces are filed whole)
    gff.write_text("##gff-version 3\n" + "".join(good + bad[:10]))
    assert _same(tmp_path / "b", gff, ["--warn-and-continue"], monkeypatch) > 1


@pytest.mark.parametrize("tallies, falls_back", [
    ([], False),
    ([(0, True), (0, True)], False),
    ([(0, True), (50, False)], True),      # (kent's order is the pieces' order reversed)
    ([(50, False), (0, True)], False),
    ([(0, True), (30, False), (20, False)], True),
    ([(0, True), (30, False), (19, False)], False),
])
def test_filed_after_budget(tallies, falls_back):
    class Conv:
        max_convert_errors = 50
    assert parallel._filed_after_budget(Conv, tallies) is falls_back


def test_gene_joins_same_in_pieces(tmp_path, monkeypatch):
    # with NCBI Gene files the link table is made after the tables (the names come from the
    # filed pieces as they are written, not before)
    gff = tmp_path / "sample_genomic.gff"
    gff.write_text(SAMPLE.read_text().replace("SO_type=", "so_type="))
    g2r = shared_path("data", "ncbi_gene", "gene2refseq_excerpt_400rows.tsv")
    info = shared_path("data", "ncbi_gene", "uta_gene_info_100human.gz")
    assert _same(tmp_path, gff, ["--assembly-report", str(REPORT), "--gene2refseq", str(g2r),
                                 "--gene-info", str(info)], monkeypatch) > 1


@pytest.mark.parametrize("kernel", ["copies", "copies in parts", "refuses", "refuses midway", "absent"])
def test_filed_bytes_are_copied_whole_and_the_writer_keeps_its_place(tmp_path, monkeypatch, kernel):
    import errno
    import os

    from refseqtracks.ncbirefseq import _copy

    real = getattr(os, "copy_file_range", None)
    if real is None and kernel != "absent":
        pytest.skip("no os.copy_file_range here")
    calls = []

    def fake(src, dst, count, offset_src=None, offset_dst=None):
        calls.append(count)
        if kernel == "refuses" or (kernel == "refuses midway" and len(calls) > 1):
            raise OSError(errno.EXDEV, "cross-device")
        return real(src, dst, min(count, 5) if kernel != "copies" else count, offset_src)

    if kernel == "absent":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    else:
        monkeypatch.setattr(os, "copy_file_range", fake)
    data = tmp_path / "data"
    data.write_bytes(b"head|" + bytes(range(256)) * 40 + b"|tail")
    out = tmp_path / "out.txt"
    with open(data, "rb") as src, open(out, "w", encoding="utf-8", newline="") as f:
        f.write("before\n")
        f.flush()
        assert src.read(5) == b"head|"
        _copy(src, f.buffer, 256 * 40)
        assert src.read() == b"|tail"  # (the source is left after the bytes copied)
        f.write("after\n")  # (written after them, through the text layer)
        assert f.tell() == len("before\n") + 256 * 40 + len("after\n")
    assert out.read_bytes() == b"before\n" + bytes(range(256)) * 40 + b"after\n"
    assert (kernel == "absent") == (not calls)
