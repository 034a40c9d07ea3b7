"""``refseqtracks codons`` and ``refseqtracks sequences``: genome-backed codon track, CDS checks and
transcript/CDS/protein FASTA.

Input is a genePred(Ext) file or a RefSeq GFF3 (told apart by the first non-comment line; GFF3
becomes transcripts as ``gff3ToGenePred -refseqHacks`` makes them, and its CDS rows are read once
more for ``transl_table``/``transl_except``/``exception``).  ``-`` reads standard input.
"""
from __future__ import annotations

import io
import os
import sys
from typing import TYPE_CHECKING, Iterator

from refseqtracks.cli.gnuopts import ArgumentParser
from refseqtracks.errors import UsageError
from refseqtracks.fileio import atomic_output, input_name, open_input
from refseqtracks.genome import GenomeError
from refseqtracks.model import Transcript

if TYPE_CHECKING:
    from refseqtracks.cdsannot import CdsAnnotations

__all__ = ["main_codons", "main_sequences", "sniff_format", "load_transcripts"]


def sniff_format(text_head: str) -> str:
    """'gff3' or 'genepred' from the first lines of a file."""
    for line in text_head.splitlines():
        if not line.strip():
            continue
        if line.startswith("##gff-version"):
            return "gff3"
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) == 9 and cols[3].isdigit() and cols[4].isdigit() and cols[6] in ("+", "-", ".", "?"):
            return "gff3"
        return "genepred"
    return "genepred"


def _head(src) -> str:
    with open_input(src) as f:
        return f.read(65536)


def load_transcripts(src: str) -> tuple[str, Iterator[Transcript], "CdsAnnotations"]:
    """``(format, transcripts, cds_annotations)`` for an input path or ``-``."""
    from refseqtracks.cdsannot import CdsAnnotations, scan_gff3_cds

    if src in ("-", "stdin", "/dev/stdin"):
        text = sys.stdin.read()
        fmt = sniff_format(text[:65536])
    else:
        head = _head(src)
        fmt = sniff_format(head)
        text = None
        if fmt == "gff3" and not head.startswith("##gff-version"):
            # NCBI's per-record GFF3 (and cdot's) lack the header line kent insists on
            with open_input(src) as f:
                text = f.read()
    shift = 0
    if text is not None:
        if fmt == "gff3" and not text.startswith("##gff-version"):
            text = "##gff-version 3\n" + text
            shift = 1
        name = input_name(src)

        def make():  # two passes over one read; messages keep the input's name
            buf = io.StringIO(text)
            buf.name = name
            return buf
    else:
        make = lambda: src  # noqa: E731
    if fmt == "genepred":
        from refseqtracks.formats.genepred import iter_genepred

        return fmt, iter_genepred(make()), CdsAnnotations()
    try:
        from refseqtracks.assemble import read_gff3
    except ImportError as ex:
        if getattr(ex, "name", None) != "refseqtracks.assemble":
            raise
        raise UsageError(f"{input_name(src)}: GFF3 input needs refseqtracks.assemble, which this "
                         "install lacks; convert it with gff3ToGenePred first") from None
    ann = scan_gff3_cds(make())
    report = _reporter(input_name(src), shift)
    txs = read_gff3(make(), refseq_hacks=True, warn_and_continue=True, report=report)
    return fmt, iter(txs), ann


def _reporter(name: str, shift: int):
    """Diagnostics to stderr; line numbers corrected for a header line we supplied."""
    if not shift:
        return lambda msg: sys.stderr.write(msg + "\n")
    import re

    pat = re.compile(re.escape(name) + r":(\d+):")

    def report(msg: str) -> None:
        msg = pat.sub(lambda m: f"{name}:{int(m.group(1)) - shift}:", msg)
        sys.stderr.write(msg + "\n")
    return report


def _rgb(text: str) -> tuple[int, int, int]:
    parts = text.split(",")
    try:
        vals = tuple(int(p) for p in parts)
    except ValueError:
        vals = ()
    if len(vals) != 3 or not all(0 <= v <= 255 for v in vals):
        raise UsageError(f"--color must be R,G,B with values 0-255, got '{text}'")
    return vals  # type: ignore[return-value]


def _table(text: str) -> int:
    from refseqtracks.genetic_code import genetic_code

    try:
        return genetic_code(int(text)).id
    except ValueError:
        raise UsageError(f"--transl-table must be an NCBI genetic code number, got '{text}'") from None


def _out_prefix(out: str, src: str) -> str:
    if out.endswith(os.sep) or os.path.isdir(out):
        base = os.path.basename(src) if src not in ("-", "stdin", "/dev/stdin") else "stdin"
        for ext in (".gz", ".gff3", ".gff", ".gp", ".genePred", ".txt"):
            if base.endswith(ext):
                base = base[: -len(ext)]
        os.makedirs(out, exist_ok=True)
        return os.path.join(out, base)
    return out


SKIP_HELP = ("report transcripts the genome cannot serve (sequence missing or too short, "
             "non-nucleotide characters) on stderr and go on, instead of stopping")

CODONS_DESC = """Per-codon BED track (BED9+4: codon, aa, part, exonNumber; itemRgb by the UCSC codon
legend) and a CDS validation table (TSV) for the coding transcripts of a genePred or RefSeq GFF3.
Writes PREFIX.codons.bed and PREFIX.cdsCheck.tsv (PREFIX = -o, or DIR/<input name> when -o is a
directory).  The BED is in input order, each transcript's codons in genomic order: sort with
'sort -k1,1 -k2,2n' before bedToBigBed -type=bed9+4 -as=codons.as (see --as)."""


def main_codons(argv: list[str]) -> int:
    """``refseqtracks codons IN --genome GENOME -o PREFIX_or_DIR``."""
    from refseqtracks.codons import (CODONS_AS, DEFAULT_RGB, VALIDATION_FIELDS,
                                     format_codon_bed_lines, validate_walk, walk_codons)
    from refseqtracks.genetic_code import genetic_code
    from refseqtracks.genome import open_genome

    p = ArgumentParser(prog="refseqtracks codons", description=CODONS_DESC)
    p.add_argument("input", help="genePred(Ext) or RefSeq GFF3 (plain or gzip), '-' for stdin")
    p.add_argument("--genome", "-g", required=True, help="genome FASTA (plain, bgzip or gzip)")
    p.add_argument("-o", "--output", required=True, help="output prefix, or a directory")
    p.add_argument("--color", default=",".join(map(str, DEFAULT_RGB)),
                   help="track colour R,G,B for ordinary codons (default: %(default)s)")
    p.add_argument("--transl-table", help="NCBI genetic code for every transcript "
                   "(default: the CDS's transl_table, 2 for mitochondria, else 1)")
    p.add_argument("--as", dest="as_file", help="also write the BED's autoSql definition here")
    p.add_argument("--skip-bad", action="store_true", help=SKIP_HELP)
    p.add_argument("--cache-dir", help="where to keep genome indexes (default: ~/.cache/refseqtracks)")
    args = p.parse_args(argv)
    rgb = _rgb(args.color)
    override = _table(args.transl_table) if args.transl_table else None
    prefix = _out_prefix(args.output, args.input)
    genome = open_genome(args.genome, cache_dir=args.cache_dir)
    _, transcripts, ann = load_transcripts(args.input)
    n_tx = n_bad = n_skipped = 0
    with atomic_output(prefix + ".codons.bed") as bed, atomic_output(prefix + ".cdsCheck.tsv") as tsv:
        tsv.write("#" + "\t".join(VALIDATION_FIELDS) + "\n")
        for tx in transcripts:
            if not tx.is_coding:
                continue
            info, table = ann.for_transcript(tx, override=override)
            five, three = _completeness(tx, info)
            try:
                walk = walk_codons(tx, genome, code=genetic_code(table), transl_except=info.transl_except,
                                   slippage=info.slippage, five_prime_complete=five)
            except GenomeError as ex:
                if not args.skip_bad:
                    raise
                sys.stderr.write(f"skipping {ex}\n")
                n_skipped += 1
                continue
            bed.write("".join(format_codon_bed_lines(walk, rgb=rgb)))
            rec = validate_walk(walk, exceptions=info.exceptions, three_prime_complete=three)
            tsv.write("\t".join(rec[f] for f in VALIDATION_FIELDS) + "\n")
            n_tx += 1
            n_bad += rec["problems"] != "ok"
    if args.as_file:
        with atomic_output(args.as_file) as f:
            f.write(CODONS_AS)
    genome.close()
    skipped = f", {n_skipped} skipped" if n_skipped else ""
    sys.stderr.write(f"{n_tx} coding transcripts, {n_bad} with problems{skipped}\n")
    return 0


def _completeness(tx: Transcript, info) -> tuple[bool, bool]:
    """(5' complete, 3' complete) from cdsStartStat/cdsEndStat and GFF3 start_range/end_range."""
    low_partial = tx.cds_start_stat == "incmpl" or info.partial_start
    high_partial = tx.cds_end_stat == "incmpl" or info.partial_end
    if tx.strand == "-":
        return not high_partial, not low_partial
    return not low_partial, not high_partial


SEQ_DESC = """Transcript (rna: spliced exons), CDS (spliced coding bases, stop included) or protein
sequences of a genePred or RefSeq GFF3, as FASTA '>name name2', 70 letters a line (gffread's
-w/-x/-y width).  Proteins honour the genetic code (transl_table), transl_except and alternative
start codons, omit the final stop, and show in-frame stops as '*'."""


def main_sequences(argv: list[str]) -> int:
    """``refseqtracks sequences IN --genome GENOME -o OUT.fa [--type rna|cds|protein]``."""
    from refseqtracks.codons import protein_of, walk_codons
    from refseqtracks.genetic_code import genetic_code
    from refseqtracks.genome import open_genome
    from refseqtracks.sequences import (fasta_defline, format_fasta_record, transcript_cds,
                                        transcript_rna)

    p = ArgumentParser(prog="refseqtracks sequences", description=SEQ_DESC)
    p.add_argument("input", help="genePred(Ext) or RefSeq GFF3 (plain or gzip), '-' for stdin")
    p.add_argument("--genome", "-g", required=True, help="genome FASTA (plain, bgzip or gzip)")
    p.add_argument("-o", "--output", default="-", help="output FASTA (default: stdout)")
    p.add_argument("--type", "-t", choices=("rna", "cds", "protein"), default="rna")
    p.add_argument("--transl-table", help="NCBI genetic code for every transcript (protein)")
    p.add_argument("--include-stop", action="store_true", help="protein: keep the final '*'")
    p.add_argument("--skip-bad", action="store_true", help=SKIP_HELP)
    p.add_argument("--width", type=int, default=70, help="letters per line, 0 for one line (default 70)")
    p.add_argument("--cache-dir", help="where to keep genome indexes (default: ~/.cache/refseqtracks)")
    args = p.parse_args(argv)
    override = _table(args.transl_table) if args.transl_table else None
    genome = open_genome(args.genome, cache_dir=args.cache_dir)
    _, transcripts, ann = load_transcripts(args.input)
    with atomic_output(args.output) as out:
        buf: list[str] = []
        for tx in transcripts:
            if args.type != "rna" and not tx.is_coding:
                continue
            try:
                if args.type == "rna":
                    seq = transcript_rna(tx, genome)
                elif args.type == "cds":
                    seq = transcript_cds(tx, genome)
                else:
                    info, table = ann.for_transcript(tx, override=override)
                    five, _ = _completeness(tx, info)
                    walk = walk_codons(tx, genome, code=genetic_code(table),
                                       transl_except=info.transl_except, slippage=info.slippage,
                                       five_prime_complete=five)
                    seq = protein_of(walk, include_stop=args.include_stop)
            except GenomeError as ex:
                if not args.skip_bad:
                    raise
                sys.stderr.write(f"skipping {ex}\n")
                continue
            buf.append(format_fasta_record(fasta_defline(tx), seq, width=args.width))
            if len(buf) >= 512:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
    genome.close()
    return 0
