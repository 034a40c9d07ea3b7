"""``refseqtracks convert``: a RefSeq GFF3 to genePred, GTF, BED12, bigGenePred and bigBed in one step.

Each output is what UCSC's ncbiRefSeq pipeline (doNcbiRefSeq.pl) makes with the kent tools:

- ``PREFIX.gp``: ``sed -re 's/([;\t])SO_type=/\1so_type=/;' in.gff3 | gff3ToGenePred
  -refseqHacks stdin PREFIX.gp`` (genePredExt, kent's order; the ``SO_type`` fix is the
  pipeline's, since gff3ToGenePred refuses that upper-case attribute), then, as doNcbiRefSeq.pl
  does, ``genePredFilter -chromSizes``: transcripts that fail genePredCheck against the known
  chromosome sizes (e.g. origin-spanning genes of circular genomes) are dropped, each reported
  (``--keep-all`` keeps them; bedToBigBed then refuses them as kent does);
- ``PREFIX.gtf``: ``genePredToGtf -utr -source=SOURCE file PREFIX.gp`` (source ``ncbiRefSeq``
  unless ``--gtf-source``);
- ``PREFIX.bed``: ``genePredToBed -tab -fillSpace PREFIX.gp stdout | sort -k1,1 -k2,2n``;
- ``PREFIX.bgp``: ``genePredToBigGenePred PREFIX.gp stdout | sort -k1,1 -k2,2n``;
- ``PREFIX.bb``: ``bedToBigBed -type=bed12+8 -tab -as=bigGenePred.as -extraIndex=name
  PREFIX.bgp chrom.sizes PREFIX.bb`` with the bigGenePred.as shipped in the package.

``sort -k1,1 -k2,2n`` is reproduced with C-locale ordering: chromosome bytes, numeric start, then
the whole line.  Chromosome sizes come from ``--chrom-sizes``, else from the GFF3's
``##sequence-region`` lines and ``region`` features; for the bigBed, a chromosome with no known
size is an error.  Nothing is written when the conversion or a bigBed check fails.
"""
from __future__ import annotations

import argparse
import io
import os
import sys

from refseqtracks.cli.gnuopts import ArgumentParser
from refseqtracks.errors import RefseqtracksError, UsageError
from refseqtracks.fileio import atomic_output, ensure_dir, input_name

__all__ = ["main_convert", "FORMATS", "default_prefix", "sort_bed_lines"]

FORMATS = ("genepred", "gtf", "bed12", "biggenepred", "bigbed")
SUFFIXES = {"genepred": ".gp", "gtf": ".gtf", "bed12": ".bed", "biggenepred": ".bgp", "bigbed": ".bb"}


def _parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="refseqtracks convert",
                description="Convert a RefSeq GFF3 to genePred, GTF, BED12, bigGenePred text and "
                            "bigBed the way UCSC's ncbiRefSeq pipeline does.")
    p.add_argument("gff3", help="RefSeq GFF3 (optionally gzipped; - for standard input)")
    p.add_argument("--to", default=",".join(FORMATS),
                   help="comma-separated outputs among %(default)s (default: all)")
    p.add_argument("-o", "--outdir", required=True, help="output folder (created if needed)")
    p.add_argument("--prefix", help="output file name prefix (default: the input name without "
                                    ".gff3/.gff/.gz)")
    p.add_argument("--chrom-sizes", metavar="FILE",
                   help="two-column chromosome sizes for the bigBed (default: from the GFF3)")
    p.add_argument("--gtf-source", default="ncbiRefSeq", help="GTF source column (default: %(default)s)")
    p.add_argument("--no-refseq-hacks", action="store_true",
                   help="convert without gff3ToGenePred -refseqHacks")
    p.add_argument("--repair-ncbi", action="store_true",
                   help="opt-in, beyond UCSC: gff3ToGenePred -repairNcbi (see docs/improvements.md)")
    p.add_argument("--partial-cds-stat", action="store_true",
                   help="opt-in, beyond UCSC: gff3ToGenePred -partialCdsStat")
    p.add_argument("--warn-and-continue", action="store_true",
                   help="skip transcripts that fail to convert instead of stopping "
                        "(gff3ToGenePred -warnAndContinue)")
    p.add_argument("--keep-all", action="store_true",
                   help="keep transcripts that fail genePredCheck against the chromosome sizes "
                        "(UCSC drops them with genePredFilter)")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print warnings")
    return p


def default_prefix(path: str) -> str:
    """The input file name without folder and ``.gz``/``.gff3``/``.gff`` suffixes."""
    name = os.path.basename(path) if path not in ("-", "stdin") else "stdin"
    for suffix in (".gz", ".gff3", ".gff"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name or "out"


def sort_bed_lines(lines: list[str]) -> list[str]:
    """``LC_ALL=C sort -k1,1 -k2,2n``: chromosome bytes, numeric start, then the whole line."""
    def key(line: str):
        chrom, _, rest = line.partition("\t")
        start = rest.partition("\t")[0]
        return (chrom.encode("utf-8", "surrogateescape"), int(start),
                line.encode("utf-8", "surrogateescape"))
    return sorted(lines, key=key)


def _sizes_from_gff3(conv, region_lines: list[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    reader = getattr(conv, "reader", None)
    for seqid, (_, end) in (getattr(reader, "sequence_regions", None) or {}).items():
        sizes[seqid] = end
    for line in region_lines:
        cols = line.split("\t", 5)
        if len(cols) > 4 and cols[2] == "region" and cols[4].isdigit():
            sizes[cols[0]] = max(sizes.get(cols[0], 0), int(cols[4]))
    return sizes


def _filter_by_sizes(gp_lines: list[str], txs: list, sizes: dict[str, int], report):
    """genePredFilter -chromSizes: drop transcripts that fail genePredCheck on a known chromosome."""
    from refseqtracks.formats.genepred import check_transcript
    keep_lines, keep = [], []
    for line, tx in zip(gp_lines, txs):
        size = sizes.get(tx.chrom)
        errs = check_transcript(tx, chrom_size=size) if size is not None else []
        if errs:
            report(f"genePredFilter: dropping {tx.name}: {'; '.join(errs)}")
            continue
        keep_lines.append(line)
        keep.append(tx)
    return keep_lines, keep


class _NamedText(io.StringIO):
    def __init__(self, text: str, name: str):
        super().__init__(text)
        self.name = name


def main_convert(argv: list[str]) -> int:
    """refseqtracks convert IN.gff3[.gz] --to LIST -o DIR [--chrom-sizes F]"""
    from refseqtracks.assemble import Gff3Converter
    from refseqtracks.formats.bed import to_bed12
    from refseqtracks.formats.bigbed import bed_to_bigbed, read_chrom_sizes
    from refseqtracks.formats.biggenepred import big_genepred_as_text, to_big_genepred
    from refseqtracks.formats.autosql import parse_autosql
    from refseqtracks.formats.gtf import write_gtf_to

    a = _parser().parse_args(argv)
    wanted = [f.strip().lower() for f in a.to.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise UsageError(f"refseqtracks convert: --to takes {','.join(FORMATS)}, got {a.to!r}")
    sizes = read_chrom_sizes(a.chrom_sizes) if a.chrom_sizes else None
    prefix = a.prefix or default_prefix(input_name(a.gff3))
    outdir = ensure_dir(a.outdir)
    paths = {f: os.path.join(outdir, prefix + SUFFIXES[f]) for f in wanted}

    def report(msg: str) -> None:
        if not a.quiet:
            sys.stderr.write(msg + "\n")

    from refseqtracks.ncbirefseq_scan import SedStream

    src = SedStream(a.gff3)
    conv = Gff3Converter(src, refseq_hacks=not a.no_refseq_hacks,
                         warn_and_continue=a.warn_and_continue, want_transcripts=True,
                         want_unprocessed=True, report=report, repair_ncbi=a.repair_ncbi,
                         partial_cds_stat=a.partial_cds_stat)
    try:
        results = conv.run()
    finally:
        src.close()
    gp_lines: list[str] = []
    txs: list = []
    roots: list[str] = []

    def on_tx(line: str, tx) -> None:
        gp_lines.append(line)
        txs.append(tx)

    conv.replay(results, on_transcript=on_tx, on_bad=None, on_attrs=None,
                on_unprocessed=roots.append)
    conv.finish_message()  # raises before anything is written when errors fail the run
    if sizes is None:
        sizes = _sizes_from_gff3(conv, roots)
    if not a.keep_all:
        gp_lines, txs = _filter_by_sizes(gp_lines, txs, sizes, report)

    bgp_lines = sort_bed_lines([to_big_genepred(tx) for tx in txs]) \
        if "biggenepred" in wanted or "bigbed" in wanted else []
    if "bigbed" in wanted:
        # first, so that a chromosome-size problem stops the run before any file is written
        missing = sorted({tx.chrom for tx in txs} - set(sizes))
        if missing:
            raise RefseqtracksError(f"no size known for {', '.join(missing[:5])}"
                                    f"{' ...' if len(missing) > 5 else ''}: the GFF3 has no "
                                    "##sequence-region or region line for it; give --chrom-sizes")
        as_text = big_genepred_as_text()
        bgp_name = paths.get("biggenepred", os.path.join(outdir, prefix + ".bgp"))
        bed_to_bigbed(_NamedText("".join(bgp_lines), bgp_name), sizes, paths["bigbed"],
                      as_text=as_text, table=parse_autosql(as_text), bed_n=12, field_count=20,
                      tab=True, extra_index=["name"])
    if "genepred" in wanted:
        _write(paths["genepred"], gp_lines)
    if "gtf" in wanted:
        with atomic_output(paths["gtf"]) as out:
            write_gtf_to(txs, out, source=a.gtf_source, utr=True)
    if "bed12" in wanted:
        _write(paths["bed12"], sort_bed_lines([to_bed12(tx, fill_space=True) for tx in txs]))
    if "biggenepred" in wanted:
        _write(paths["biggenepred"], bgp_lines)
    return 0


def _write(dest: str, lines: list[str], step: int = 8192) -> None:
    with atomic_output(dest) as f:
        for i in range(0, len(lines), step):
            f.write("".join(lines[i:i + step]))
