"""``refseqtracks bin START END`` and ``refseqtracks query FILE REGION``.

``bin`` prints the UCSC bin (kent ``binFromRange``) of a 0-based half-open range.  ``query``
prints the rows of a genePred, BED or PSL file (with or without a leading ``bin`` column) that
overlap a region, unchanged and in file order, selecting by bin as a UCSC database query does.
"""
from __future__ import annotations

import argparse
import sys

from refseqtracks.cli.gnuopts import ArgumentParser
from refseqtracks.errors import UsageError

__all__ = ["main_bin", "main_query"]


def _int(text: str) -> int:
    try:
        return int(text.replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def main_bin(argv: list[str]) -> int:
    """``refseqtracks bin START END``: print the bin of ``[START, END)``."""
    p = ArgumentParser(prog="refseqtracks bin",
                description="Print the UCSC bin (kent binFromRange) of a 0-based half-open range. "
                            "Ranges ending beyond 512 Mb get an extended bin (>= 4681).")
    p.add_argument("start", type=_int, help="0-based start")
    p.add_argument("end", type=_int, help="end (exclusive)")
    p.add_argument("--query", action="store_true",
                   help="instead print the bin ranges a region query visits (lo-hi per line)")
    a = p.parse_args(argv)
    from refseqtracks.bins import bin_from_range, bin_ranges_for_query

    if a.query:
        sys.stdout.write("".join(f"{lo}\n" if lo == hi else f"{lo}-{hi}\n"
                                 for lo, hi in bin_ranges_for_query(a.start, a.end)))
    else:
        sys.stdout.write(f"{bin_from_range(a.start, a.end)}\n")
    return 0


def main_query(argv: list[str]) -> int:
    """``refseqtracks query FILE REGION``: rows overlapping REGION."""
    p = ArgumentParser(prog="refseqtracks query",
                description="Print the rows of a genePred, BED or PSL file (plain or with a leading "
                            "bin column, gzip or not) that overlap a region, unchanged. "
                            "REGION is chrom, chrom:start-end (1-based, both ends included, commas "
                            "allowed, as in the genome browser) or, with --zero-based, 0-based "
                            "half-open. Overlap is kent's: start < regionEnd and end > regionStart.")
    p.add_argument("file", help="genePred/BED/PSL file, or - for stdin")
    p.add_argument("region", nargs="+", help="one or more regions")
    p.add_argument("--format", choices=("auto", "genePred", "bed", "psl"), default="auto",
                   help="input format (default: detected from the first row)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--bin", dest="bin", action="store_const", const=True, default=None,
                   help="rows start with a bin column")
    g.add_argument("--no-bin", dest="bin", action="store_const", const=False,
                   help="rows have no bin column")
    p.add_argument("--zero-based", action="store_true", help="region coordinates are 0-based half-open")
    p.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    a = p.parse_args(argv)
    from refseqtracks.bins import iter_region, parse_region
    from refseqtracks.fileio import atomic_output

    regions = [parse_region(r, zero_based=a.zero_based) for r in a.region]
    if len(regions) > 1 and a.file in ("-", "stdin", "/dev/stdin"):
        raise UsageError("refseqtracks query: several regions need a file, not stdin")
    kind = None if a.format == "auto" else a.format
    with atomic_output(a.output) as out:
        for region in regions:
            buf: list[str] = []
            for line in iter_region(a.file, region, kind=kind, bin=a.bin):
                buf.append(line)
                if len(buf) >= 4096:
                    out.write("".join(buf))
                    buf.clear()
            out.write("".join(buf))
    return 0
