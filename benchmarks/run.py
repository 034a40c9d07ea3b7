#!/usr/bin/env python3
"""Benchmark refseqtracks against its peers on full-scale RefSeq-shaped GFF3.

What it does, in one run:
1. generates (once, cached under ``benchmarks/cache/``) a human-scale RefSeq-shaped GFF3 with
   ``../shared/bench/make_refseq_gff.py --scale S`` (plus its assembly report), gzipped;
2. runs every command of the suite side by side, alternating, ``--repeats`` times, each under
   ``/usr/bin/time`` for wall time and peak RSS:
   - ``refseqtracks gff3ToGenePred -refseqHacks`` on the ``.gz``;
   - ``refseqtracks build`` writing all outputs (subsets, GTF, BED12, PSL, link table);
   - ``gffread -T`` and ``gffread --bed`` (Debian package ``gffread``; gffread cannot read gzip, so
     it reads ``zcat``'s output through a pipe, as users run it);
   - ``zcat`` alone (the floor for anything reading the ``.gz``);
   - ``refseqtracks --help`` (start-up time);
   - our ``gff3ToGenePred`` and ``build`` again at ``--small-scale`` (default 0.25) for the
     memory-scaling check;
3. writes ``docs/benchmarks.md``: machine, versions, medians, ratios to ``gffread -T``, and the
   targets with a met/not-met column.

Usage:
  python3 benchmarks/run.py                       # scale 1.0, 3 repeats (about 10-15 minutes)
  python3 benchmarks/run.py --scale 0.05 --repeats 1 --out /tmp/bench.md   # a quick look
  python3 benchmarks/run.py --smoke               # tiny scale; checks the harness, writes nothing

Timing is for this document only; no test asserts on it.
"""
from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_GENERATOR = ROOT.parent / "shared" / "bench" / "make_refseq_gff.py"
TIME = "/usr/bin/time"
DEFAULT_CLI = f"{shlex.quote(sys.executable)} -m refseqtracks"

def generate(generator: Path, scale: float, cache: Path) -> tuple[Path, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    gff = cache / f"refseq_scale{scale:g}.gff3.gz"
    report = cache / f"refseq_scale{scale:g}_assembly_report.txt"
    if not (gff.exists() and report.exists()):
        print(f"generating scale {scale:g} input into {gff} ...", file=sys.stderr, flush=True)
        tmp = gff.with_suffix(".tmp.gz")
        subprocess.run([sys.executable, str(generator), "--scale", str(scale), "--out", str(tmp),
                        "--assembly-report", str(report)], check=True)
        tmp.rename(gff)
    return gff, report


def byte_compile() -> None:
    """Byte-compile the refseqtracks package this Python imports, as ``pip install`` leaves it
    (an editable install, or a shell with ``PYTHONDONTWRITEBYTECODE`` set, would otherwise
    compile it again in every run, in the main process and in each worker importing a module)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("refseqtracks")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


def measure(cmd: str, workdir: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB) of a shell command, via /usr/bin/time."""
    out = workdir / "time.txt"
    t0 = time.perf_counter()
    p = subprocess.run([TIME, "-f", "%e %M", "-o", str(out), "sh", "-c", cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"benchmark command failed ({p.returncode}): {cmd}\n{p.stderr.decode()[-2000:]}")
    fields = out.read_text().split()
    return wall, int(fields[-1]) // 1024


def line_count(gff: Path) -> int:
    p = subprocess.run(f"zcat {shlex.quote(str(gff))} | wc -l", shell=True, capture_output=True, text=True)
    return int(p.stdout.strip() or 0)


def version(cmd: list[str]) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return (p.stdout or p.stderr).strip().splitlines()[0] if (p.stdout or p.stderr).strip() else "?"


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) // 1024 // 1024} GiB"
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem} RAM"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--small-scale", type=float, default=0.25, help="second scale for the memory check")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR)
    ap.add_argument("--cache", type=Path, default=HERE / "cache")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--refseqtracks", default=DEFAULT_CLI,
                    help="how to run our CLI (default: this Python's -m refseqtracks, byte-compiled first)")
    ap.add_argument("--smoke", action="store_true", help="tiny scale, one repeat, no document")
    args = ap.parse_args(argv)
    if args.smoke:
        args.scale, args.small_scale, args.repeats = 0.002, 0.001, 1
    if not args.generator.exists():
        raise SystemExit(f"generator not found: {args.generator}")
    if not Path(TIME).exists():
        raise SystemExit(f"{TIME} not found (Debian package 'time')")
    have_gffread = shutil.which("gffread") is not None

    if args.refseqtracks == DEFAULT_CLI:
        byte_compile()
    gff, report = generate(args.generator, args.scale, args.cache)
    small, small_report = generate(args.generator, args.small_scale, args.cache)
    rt = args.refseqtracks
    q = lambda p: shlex.quote(str(p))
    work = Path(tempfile.mkdtemp(prefix="rt-bench."))
    cmds = {
        "zcat (decompression only)": f"zcat {q(gff)} > /dev/null",
        "refseqtracks gff3ToGenePred -refseqHacks": f"{rt} gff3ToGenePred -refseqHacks {q(gff)} {q(work / 'o.gp')}",
        "refseqtracks build (all outputs)": (f"{rt} build {q(gff)} --assembly-report "
                                             f"{q(report)} -o {q(work / 'build')} --quiet"),
        "refseqtracks --help": f"{rt} --help",
        f"refseqtracks gff3ToGenePred -refseqHacks, scale {args.small_scale:g}":
            f"{rt} gff3ToGenePred -refseqHacks {q(small)} {q(work / 's.gp')}",
        f"refseqtracks build (all outputs), scale {args.small_scale:g}":
            (f"{rt} build {q(small)} --assembly-report "
             f"{q(small_report)} -o {q(work / 'sbuild')} --quiet"),
    }
    if have_gffread:
        cmds["gffread -T (zcat | gffread)"] = f"zcat {q(gff)} | gffread -T - -o {q(work / 'g.gtf')}"
        cmds["gffread --bed (zcat | gffread)"] = f"zcat {q(gff)} | gffread --bed - -o {q(work / 'g.bed')}"
    results: dict[str, list[tuple[float, int]]] = {k: [] for k in cmds}
    try:
        for rep in range(args.repeats):
            for name, cmd in cmds.items():  # alternate: every command once per round
                print(f"[{rep + 1}/{args.repeats}] {name} ...", file=sys.stderr, flush=True)
                results[name].append(measure(cmd, work))
                print(f"      {results[name][-1][0]:.2f} s, {results[name][-1][1]} MB", file=sys.stderr, flush=True)
                for d in ("build", "sbuild"):  # (a build's outputs are removed between runs, untimed)
                    shutil.rmtree(work / d, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {k: (statistics.median(w for w, _ in v), max(m for _, m in v)) for k, v in results.items()}
    for k, (w, m) in med.items():
        print(f"{k:55s} {w:8.2f} s {m:7d} MB")
    if args.smoke:
        return 0
    doc = render(args, gff, med, have_gffread, line_count(gff), rounds=results)
    args.out.write_text(doc)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def per_round(rounds: dict[str, list[tuple[float, int]]] | None) -> list[str]:
    """Lines telling, round by round, the wall times of ours over ``gffread -T``'s (the spread
    the medians hide); none without gffread or rounds."""
    g = (rounds or {}).get("gffread -T (zcat | gffread)")
    if not g:
        return []
    out = []
    for name, label in (("refseqtracks build (all outputs)", "`build`"),
                        ("refseqtracks gff3ToGenePred -refseqHacks", "`gff3ToGenePred -refseqHacks`")):
        ours = rounds.get(name)
        if not ours or len(ours) != len(g):
            continue
        ratios = [w / gw for (w, _), (gw, _) in zip(ours, g)]
        out.append(f"- {label}: {', '.join(f'{r:.2f}×' for r in ratios)} "
                   f"(median {statistics.median(ratios):.2f}×)")
    if not out:
        return []
    return ["", "Round by round, the wall time over `gffread -T`'s in the same round (the machine's "
            "speed changes between rounds; the targets use the medians above):", "", *out]


def render(args, gff: Path, med, have_gffread: bool, lines: int,
           rounds: dict[str, list[tuple[float, int]]] | None = None) -> str:
    ours = med["refseqtracks gff3ToGenePred -refseqHacks"]
    build = med["refseqtracks build (all outputs)"]
    small = med[f"refseqtracks gff3ToGenePred -refseqHacks, scale {args.small_scale:g}"]
    small_build = med[f"refseqtracks build (all outputs), scale {args.small_scale:g}"]
    helpt = med["refseqtracks --help"]
    g = med.get("gffread -T (zcat | gffread)")
    rows = []
    for name, (w, m) in med.items():
        ratio = f"{w / g[0]:.2f}×" if g else "n/a"
        rows.append(f"| {name.replace('|', chr(92) + '|')} | {w:.2f} | {m} | {ratio} |")
    checks = []
    if g:
        checks.append(("`gff3ToGenePred -refseqHacks` ≤ 0.8× `gffread -T` wall time",
                       f"{ours[0] / g[0]:.2f}×", ours[0] <= 0.8 * g[0]))
        checks.append(("full `build` ≤ 1.6× `gffread -T` wall time", f"{build[0] / g[0]:.2f}×",
                       build[0] <= 1.6 * g[0]))
    checks.append(("`gff3ToGenePred` peak RSS ≤ 600 MB", f"{ours[1]} MB", ours[1] <= 600))
    checks.append((f"`gff3ToGenePred` peak RSS at scale {args.scale:g} ≤ 1.5× peak RSS at scale {args.small_scale:g}",
                   f"{ours[1] / max(small[1], 1):.2f}×", ours[1] <= 1.5 * small[1]))
    checks.append((f"`build` peak RSS at scale {args.scale:g} ≤ 1.5× peak RSS at scale {args.small_scale:g}",
                   f"{build[1] / max(small_build[1], 1):.2f}×", build[1] <= 1.5 * small_build[1]))
    checks.append(("`refseqtracks --help` ≤ 0.3 s", f"{helpt[0]:.2f} s", helpt[0] <= 0.3))
    from refseqtracks import __version__
    size_mb = gff.stat().st_size / 1e6
    return "\n".join([
        "# Benchmarks",
        "",
        "Measured by `benchmarks/run.py`; numbers are medians of "
        f"{args.repeats} alternating runs (wall time) and the largest peak RSS seen.",
        "",
        f"- Machine: {machine()}",
        f"- Python {platform.python_version()}, refseqtracks {__version__}, "
        f"gffread {version(['gffread', '--version']) if have_gffread else 'not installed'}",
        f"- Input: `make_refseq_gff.py --scale {args.scale:g}`: {lines:,} lines, {size_mb:.0f} MB gzipped",
        "",
        "| command | wall s (median) | peak RSS MB | ratio to gffread -T |",
        "|---|---:|---:|---:|",
        *rows,
        *per_round(rounds),
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---:|:---:|",
        *[f"| {t} | {v} | {'yes' if ok else 'no'} |" for t, v, ok in checks],
        "",
        "## How the converter gets its speed",
        "",
        "- **Pieces on all cores** (`refseqtracks/parallel.py`): inputs of 8 MB or more are cut before",
        "  `gene` lines into 16 MB pieces, converted by worker processes (`fork`) and put back together",
        "  in kent's order (last piece first). Anything that could make a piece's result depend on",
        "  another piece (a parse message, an unresolved `Parent`, an ID in two pieces, clashing",
        "  directives) makes the run fall back to one process, so the output is byte-identical either",
        "  way. `REFSEQTRACKS_JOBS=1` forces one process. The first pieces are smaller (an eighth of",
        "  the size, doubling), so that both workers are busy sooner, and so are the last ones (a",
        "  quarter, once the text left is under four pieces, estimated from how far into the file on",
        "  disk the reading is), so that no worker waits long for the last. Standard input is first",
        "  copied as it comes (still compressed) to a temporary file and converted like a file. The main",
        "  process looks for the cut in the new data only and writes a piece from views of what it",
        "  read, without copies; `##FASTA` is found from its rare `#` and lines are counted with",
        "  numpy.",
        "- **No cyclic garbage collection while converting**: loci break their own reference cycles.",
        "  After each piece a worker collects once, when the piece's results are already gone (a",
        "  collection while they were still alive walked every one of them: a tenth of a build",
        "  worker's time), and what the workers inherit is frozen (`gc.freeze`) before they start.",
        "- **The usual line straight into a record** (`refseqtracks/gff3_quick.py`): a line's text",
        "  up to its first `;` is split into columns once and becomes the converter's record",
        "  directly; the ID is cut out there and the rest of column 9 is decoded on first use. A",
        "  line's items (its text after the first `;`) are judged once for a run of lines with the",
        "  same items (the exon lines of one transcript differ only in their ID, which comes before",
        "  the first `;`): one regular expression finds what the exact parser would report, and",
        "  Parent and Name are read there. The parts of one `cDNA_match` alignment differ only in",
        "  their leading `Target`: it is checked alone and the items after it once per alignment.",
        "  Lines the exact parser may report go through it. Consecutive CDS lines of one protein",
        "  reuse the previous line's reading.",
        "- **Freed memory is kept** (`refseqtracks/process.py`): glibc's `mallopt` keeps what the",
        "  process frees for reuse instead of handing it back and faulting it in again page by page,",
        "  and each worker keeps 32 MB of CPython's small-object arenas alive, which CPython would",
        "  otherwise hand back when a piece is freed (a worker frees all of a piece before the next",
        "  one): the workers' page faults at scale 1 went from about 680k to 37k.",
        "- **Cheap grouping** (`refseqtracks/assemble_loci.py`, `assemble_rules.py`): children of the",
        "  open locus are linked the short way, an alignment root (`cDNA_match`, `match`) whose ID",
        "  no open locus holds is finished at once, reused IDs are checked once per locus, each CDS is",
        "  placed in its exon by binary search.",
        "- Memory: at most a few pieces are in memory at a time; a worker keeps its piece's results in",
        "  memory until the piece is done, then they wait in a temporary file (read back with one",
        "  read: `marshal.load` on a file object reads it a few bytes at a time).",
        "",
        "## How the build gets its speed",
        "",
        "- **One pass, one reading**: the workers that convert a piece also scan its raw lines",
        "  (release, Select list, alignment lines, link-table facts), taking each block of lines",
        "  as the converter's reader read and split it (the piece is not read a second time; the",
        "  lines it made into records are taken from the records, columns as read, not split",
        "  again), and make its genePred, GTF and BED rows from the converter's own records (a",
        "  record the converter has checked gets only `genePredFilter`'s end-of-sequence test, not",
        "  a second `genePredCheck`).",
        "- **Pieces filed in the workers** (`refseqtracks/ncbirefseq_rows.py`): a worker also files",
        "  its piece's rows into the outputs (each table's text for the whole piece, one after the",
        "  other in one file; the link-table names and fake PSL rows as sorted run files; the",
        "  piece's alignment lines in a file too), so the main process copies a piece's bytes into",
        "  the outputs instead of taking its records one by one (scale 1: about 0.7 s instead of",
        "  4.8 s). Only what needs the whole input stays per record: the curated rows (the Select",
        "  list), a GTF `transcript_id` that repeats, the Other BED (sorted at the end). A piece",
        "  with a message for the main process is still taken record by record.",
        "- **Decompression straight through**: the main process reads the `.gz` in 16 MB blocks",
        "  right from ISA-L's decompressor (a buffered reader on top copied every block twice",
        "  more, into fresh memory: about 1.6 s of CPU at scale 1 instead of 0.6 s).",
        "- **Child processes after the conversion**: NCBI's alignment rows are made while the tables",
        "  are written (converted and chained directly on tuples, the shape of an alignment's",
        "  column 9 checked once for all its lines, `refseqtracks/ncbirefseq_psl_rows.py`); the",
        "  first of their two passes (sizes, the groups to chain) is made by the workers piece by",
        "  piece, so the child only chains. The link table is joined by another child, started as",
        "  soon as the conversion ends when every piece was filed (it then has all the names), at",
        "  a lower priority (`refseqtracks/link_join.py`). The fake PSL rows' runs are merged into",
        "  one while the main process waits for the alignment rows.",
        "- **Bounded memory**: each piece's link-table facts are written as entries sorted by name",
        "  and joined with the sorted names of the All records at the end (`refseqtracks/link_join.py`);",
        "  the link table, the PSL and the Other BED are sorted through temporary files",
        "  (`refseqtracks/extsort.py`); the fake PSL rows (`genePredToFakePsl`) are made with each",
        "  record's other rows, in the workers when the assembly report gives the sequence sizes,",
        "  and wait sorted to be merged with NCBI's rows; the GTF's",
        "  unique transcript ids remember only names whose hash occurs twice. Temporary batches are",
        "  read back whole (`refseqtracks/batchfile.py`).",
        "- **Cheap raw-line scan and write-back**: the scan finds `Select` and `SO_type=` in a",
        "  block of lines with one search;",
        "  unprocessed roots and `-attrsOut` lines reuse column 9 as read whenever kent would write",
        "  it back the same, `%2C`-style escapes included, checked against the tag sequences met",
        "  before (`refseqtracks/gff3_write.py`); the parts of one alignment have only their",
        "  `Target` checked. The PSL step's first pass checks a piece's alignment text for",
        "  non-ASCII characters, `%` and carriage returns at once, and the chaining of an RNA's",
        "  pieces leaves out the chains no later piece can extend.",
        "",
        "## Where the time still goes",
        "",
        "This machine's speed varies by up to a quarter from one run of this script to the next",
        "(`gffread -T` alone has taken from 16 to 24 s): only the ratios within one run compare.",
        "The build's ratio moves with `gffread -T`'s own time more than with the build's: in two",
        "runs of this script half an hour apart (the code differing only in a sort's memory limit), the",
        "build's median was 27.4 and 27.2 s and `gffread -T`'s 16.1 and 19.3 s (1.71× and 1.41×).",
        "With `gffread -T` at its usual 16 s, the build needs about 25.6 s to meet its target; a",
        "later run (alignment roots finished at once, about 5% less conversion CPU) measured",
        "26.75 s against 16.05 s: 1.67×, not met; the next (a piece's rows written through a text",
        "buffer, its bytes copied into the outputs by the kernel), on a slower machine moment,",
        "27.79 s against 17.70 s: 1.57×; the next (the last pieces smaller), on a fast machine moment,",
        "24.60 s against 15.06 s: 1.63×. The build's ratio in those runs: 1.71×, 1.41×,",
        "1.67×, 1.57×, 1.63× (about 1.6× in the middle; with `gffread -T` at 15 s the build",
        "needs 24.1 s). Then about 3% less CPU for a build (the raw-line scan taking the",
        "reader's records, the PSL first pass and chaining, the alignment parts' write-back):",
        "on a slower machine moment, 28.48 s against 18.12 s (1.57×) with part of it, and",
        "27.54 s against 17.59 s (1.57×) with all of it; the run after that, on the same code,",
        "30.71 s against 17.54 s (1.75×), its pairs ranging from 1.42× to 2.04× (the build's",
        "own times from 27.1 to 35.3 s: a build on both cores slows down more than one process",
        "when the machine is busy elsewhere); the next, 30.41 s against 19.07 s (1.59×), its",
        "pairs from 1.46× to 2.06×. Two more runs of the same code, with the round-by-round",
        "ratios listed: 27.71 s against 19.98 s (1.39×; rounds from 1.37× to 1.70×) and 26.94 s",
        "against 18.29 s (1.47×; rounds from 1.43× to 1.65×). The same code's five runs: 1.57×,",
        "1.75×, 1.59×, 1.39×, 1.47×. The table above is the latest run.",
        "",
        "One process converts at about 7 µs of CPU per GFF3 line on this machine; on two cores that",
        "is the converter's wall time above. About half of it is reading: splitting each line",
        "and making its Python objects (nine strings, two integers, a record), the rest grouping and",
        "converting. The cost is in making objects, not in the Python bytecode around them: a",
        "column-by-column reader in plain Python (split a run of lines at once, check each column",
        "with `set`/`map`, make the records with `map`) measured slower than the per-line reader",
        "(3.9 against 3.3 µs per line), because every column of the run stays alive at once. What",
        "would go further is a reader that does not make a Python object per column (a compiled",
        "parser handing over only what the grouping needs).",
        "",
        "polars was measured as that reader, on a 4 MB block of this input (13,381 lines): its",
        "CSV reader splits the columns in 0.3 µs per line, but the checks the quick path needs",
        "(column 9's items, `%` escapes, ID/Parent/Name values) cost 0.1 to 0.5 µs per line each as",
        "polars regular expressions, 3.7 to 5.9 µs per line in all, and handing the columns back",
        "as Python lists and records costs another 1.3 to 1.6 µs per line: slower than the",
        "per-line reader (about 4.2 µs per line on the same block, checks included). polars also",
        "warns against `fork` once its thread pool runs, and the pieces are converted in forked",
        "processes. It is not used.",
        "",
        "The build's conversion phase is still well over the plain conversion: its workers also",
        "scan the raw lines (about 1.9 µs per line, 0.8 µs of it the link-table entries), make the",
        "GTF, BED and fake PSL rows, and write the attribute and unprocessed-root texts. The",
        "`cDNA_match` lines (15% of the lines) are the dearest: long lines with about 18 items,",
        "and in the build each is an unprocessed root written back, filed and replayed (about",
        "26 µs per line against 8 µs in the plain conversion, measured on one 16 MB piece before",
        "the items after `Target` were judged once per alignment). After",
        "the conversion (scale 1: the last 3.3 s), the main process writes the filed pieces (about",
        "0.7 s) while one child chains NCBI's alignment rows (about 2.3 s) and another joins the",
        "link table (about 2 s); then the main process merges the PSL (about 0.4 s).",
        "",
        "The build's peak memory no longer grows with the input on the piece-wise path; the",
        "one-process way (`REFSEQTRACKS_JOBS=1`, `SO_type=` inputs, fallbacks) still keeps",
        "the link-table facts in memory.",
        "",
        "## PSL filters (`pslCDnaFilter`, `filter-alignments`)",
        "",
        "Measured separately on the same machine (not by this script) with 1,000,000 synthetic PSL",
        "rows (about 300,000 queries); memory stays constant (rows are streamed a query at a time):",
        "",
        "| command | CPU s | rows/s | peak RSS MB |",
        "|---|---:|---:|---:|",
        "| `refseqtracks pslCDnaFilter` with UCSC's genbank-finished options | 26.6 | ~37,600 | 23 |",
        "| `refseqtracks filter-alignments --preset ucsc-refseq` | 26.1 | ~38,000 | 45 |",
        "| `refseqtracks pslCDnaFilter -localNearBest=0.001 -minCover=0.15` | 36.1 | ~27,700 | 23 |",
        "",
        "## Reproduce",
        "",
        "```sh",
        "apt-get install gffread time        # the peer tool and /usr/bin/time",
        "python3 -m pip install .",
        f"python3 benchmarks/run.py --scale {args.scale:g} --repeats {args.repeats}",
        "```",
        "",
        "The input is generated once and cached in `benchmarks/cache/`. gffread cannot read gzip, so it",
        "reads `zcat`'s output through a pipe; `zcat` alone is listed as the decompression floor.",
        "The script byte-compiles the package it measures first, as `pip install` leaves it.",
        "",
    ])


if __name__ == "__main__":
    sys.exit(main())
