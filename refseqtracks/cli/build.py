"""``refseqtracks build`` (the ncbiRefSeq table set) and ``refseqtracks split`` (the subsets)."""
from __future__ import annotations

import os
import sys
import time

from refseqtracks.cli.gnuopts import ArgumentParser
from refseqtracks.errors import UsageError

__all__ = ["main_build", "main_split", "ProgressPrinter"]


class ProgressPrinter:
    """Progress on stderr: a redrawn bar on a terminal, one plain line per stage otherwise."""

    def __init__(self, stream=None, *, quiet: bool = False, tty: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty() if tty is None else tty
        self._stage: str | None = None
        self._t0 = time.monotonic()
        self._drawn = False

    def __call__(self, stage: str, fraction: float | None) -> None:
        if self.quiet:
            return
        if self.tty:
            if fraction is None:
                text = f"{stage} ..."
            else:
                width = 30
                filled = int(round(max(0.0, min(1.0, fraction)) * width))
                text = f"{stage} [{'#' * filled}{'.' * (width - filled)}] {fraction * 100:5.1f}%"
            self.stream.write(f"\r\x1b[K{text}")
            self._drawn = True
            if stage == "done":
                self.stream.write("\n")
                self._drawn = False
            self.stream.flush()
        elif stage != self._stage:
            self.stream.write(f"[{time.monotonic() - self._t0:7.1f}s] {stage}\n")
            self.stream.flush()
        self._stage = stage

    def message(self, text: str) -> None:
        """A warning line (kept visible under the bar)."""
        if self.quiet:
            return
        if self.tty and self._drawn:
            self.stream.write("\r\x1b[K")
            self._drawn = False
        self.stream.write(text.rstrip("\n") + "\n")


def main_build(argv: list[str]) -> int:
    """``refseqtracks build IN_genomic.gff[.gz] -o OUTDIR [options]``."""
    p = ArgumentParser(prog="refseqtracks build",
                description="Build UCSC's ncbiRefSeq table set (kent doNcbiRefSeq.pl process step) "
                            "from an NCBI RefSeq GFF3: genePredExt of every record and of the "
                            "All/Curated/Predicted/Other/Select subsets, GTF of every record, BED12 of "
                            "every subset, PSL of NCBI's cDNA_match alignments, the ncbiRefSeqLink table, "
                            "the annotation release, and manifest.json describing them.")
    p.add_argument("gff", help="RefSeq *_genomic.gff or .gff.gz (- for stdin)")
    p.add_argument("-o", "--outdir", required=True, help="output folder (created if needed)")
    names = p.add_mutually_exclusive_group()
    names.add_argument("--assembly-report", metavar="F",
                       help="rename sequences with an NCBI *_assembly_report.txt (to UCSC-style names)")
    names.add_argument("--chrom-alias", metavar="F", help="rename sequences with a UCSC chromAlias file")
    names.add_argument("--lift", metavar="F", help="rename sequences with a liftUp lift file")
    p.add_argument("--drop-unmapped", action="store_true",
                   help="drop records on sequences the renaming does not know (default: keep them "
                        "under their NCBI names); either way they are listed in the manifest")
    p.add_argument("--db", metavar="NAME",
                   help="output file name prefix (default: from the input name, e.g. "
                        "GCF_000001405.40_GRCh38.p14)")
    p.add_argument("--date", metavar="YYYY-MM-DD",
                   help="build date, in the GTF source ncbiRefSeq.DATE (default: today)")
    p.add_argument("--version-date", metavar="YYYY-MM-DD",
                   help="date in ncbiRefSeqVersion.txt (default: the input file's modification date)")
    p.add_argument("--gene-info", metavar="F", help="NCBI gene_info[.gz]: link-table descriptions")
    p.add_argument("--gene2refseq", metavar="F",
                   help="NCBI gene2refseq[.gz]: link-table status (default status: Unknown)")
    p.add_argument("--rna-sizes", metavar="F",
                   help="RNA sizes (name<TAB>size, e.g. faSize -detailed of *_rna.fna) for the PSL "
                        "query sizes (default: the largest aligned RNA position)")
    p.add_argument("--warn-and-continue", action="store_true",
                   help="gff3ToGenePred -warnAndContinue (doNcbiRefSeq -toGpWarnOnly)")
    p.add_argument("--repair-ncbi", action="store_true",
                   help="opt-in, beyond UCSC: gff3ToGenePred -repairNcbi (slippage/editing CDS genes, "
                        "origin-crossing genes; see docs/improvements.md)")
    p.add_argument("--partial-cds-stat", action="store_true",
                   help="opt-in, beyond UCSC: gff3ToGenePred -partialCdsStat (incmpl for RefSeq partial CDS ends)")
    p.add_argument("--bin", action="store_true", help="prepend the UCSC bin column to genePred and PSL rows")
    p.add_argument("--quiet", action="store_true", help="no progress or warnings on stderr")
    a = p.parse_args(argv)

    from refseqtracks import chromnames
    from refseqtracks.ncbirefseq import build_ncbi_refseq, check_date

    date = check_date(a.date) if a.date else None
    version_date = check_date(a.version_date) if a.version_date else None
    cmap = None
    if a.assembly_report:
        cmap = chromnames.chrom_map_from_assembly_report(a.assembly_report)
    elif a.chrom_alias:
        cmap = chromnames.chrom_map_from_chrom_alias(a.chrom_alias)
    elif a.lift:
        cmap = chromnames.chrom_map_from_lift(a.lift)
    elif a.drop_unmapped:
        raise UsageError("refseqtracks build: --drop-unmapped needs --assembly-report, --chrom-alias or --lift")
    rna_sizes = None
    if a.rna_sizes:
        from refseqtracks.sizes import read_chrom_sizes
        rna_sizes = read_chrom_sizes(a.rna_sizes)
    progress = ProgressPrinter(quiet=a.quiet)
    held: list[str] = []  # with --quiet, messages are shown only if the build fails

    def report(msg: str) -> None:
        if a.quiet:
            held.append(msg)
        else:
            progress.message(msg)

    from refseqtracks.errors import RefseqtracksError
    try:
        manifest = build_ncbi_refseq(a.gff, a.outdir, prefix=a.db, date=date, version_date=version_date,
                                     chrom_map=cmap,
                                     drop_unmapped=a.drop_unmapped, warn_and_continue=a.warn_and_continue,
                                     repair_ncbi=a.repair_ncbi, partial_cds_stat=a.partial_cds_stat,
                                     bin=a.bin, gene_info=a.gene_info, gene2refseq=a.gene2refseq,
                                     rna_sizes=rna_sizes, progress=progress, report=report)
    except RefseqtracksError:
        sys.stderr.write("".join(m.rstrip("\n") + "\n" for m in held[-50:]))
        raise
    if not a.quiet:
        _summary(manifest, a.outdir)
    return 0


def _summary(manifest: dict, outdir: str) -> None:
    w = sys.stderr.write
    s = manifest["subsets"]
    w(f"{manifest['records']} records: {s['all']} All ({s['curated']} Curated, {s['predicted']} "
      f"Predicted, {s['select']} Select), {s['other']} Other\n")
    um = manifest["unmapped_seqids"]
    if um["count"]:
        shown = ", ".join(um["names"][:5]) + (" ..." if um["count"] > 5 else "")
        w(f"{um['count']} sequence name(s) not renamed ({um['action']}): {shown}\n")
    if manifest["warning_count"]:
        w(f"{manifest['warning_count']} warning(s), listed in manifest.json\n")
    w(f"outputs in {os.path.abspath(outdir)}/ (described in manifest.json):\n")
    for o in manifest["outputs"]:
        w(f"  {o['file']}\n")


def main_split(argv: list[str]) -> int:
    """``refseqtracks split IN.gp -o DIR [--select-list F]``."""
    p = ArgumentParser(prog="refseqtracks split",
                description="Split a genePred (e.g. gff3ToGenePred -refseqHacks output) into UCSC's "
                            "ncbiRefSeq subsets by name, lines unchanged: All ^[NXY][MRP]_, Curated "
                            "^[NY][MRP]_, Predicted ^X[MR]_, Other (not ^[NXY][MRP]_), and with "
                            "--select-list, Select (curated names in the list).")
    p.add_argument("genepred", help="genePred file (plain or with a bin column; - for stdin)")
    p.add_argument("-o", "--outdir", required=True, help="output folder")
    p.add_argument("--select-list", metavar="F",
                   help="RefSeq/MANE Select names, one per line (a *.refseqSelectTranscripts.txt), "
                        "or a RefSeq GFF3 whose 'tag=RefSeq Select'/'tag=MANE Select' lines give them")
    p.add_argument("--prefix", help="output name prefix (default: the input name without .gp)")
    a = p.parse_args(argv)
    from refseqtracks.ncbirefseq import read_select_list, split_genepred

    prefix = a.prefix or _strip_ext(os.path.basename(a.genepred)) or "ncbiRefSeq"
    select = read_select_list(a.select_list) if a.select_list else None
    counts = split_genepred(a.genepred, a.outdir, prefix=prefix, select_names=select)
    sys.stderr.write(", ".join(f"{k}: {v}" for k, v in counts.items()) + "\n")
    return 0


def _strip_ext(name: str) -> str:
    for suffix in (".gz", ".gp", ".genePred", ".txt"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return "" if name in ("-", "stdin") else name
