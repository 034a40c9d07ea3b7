"""``refseqtracks genePredCheck [-chromSizes=FILE] FILE...``: kent's genePredCheck."""
from __future__ import annotations

import sys

from refseqtracks.cli.kentopts import parse_kent_args
from refseqtracks.errors import RefseqtracksError
from refseqtracks.formats.genepred import check_transcript, iter_genepred
from refseqtracks.sizes import read_chrom_sizes

USAGE = """genePredCheck - validate genePred files
usage:
   genePredCheck [options] fileTbl ..

options:
   -verbose=1 - 1 prints the number of records checked, 0 prints only errors
   -chromSizes=file.chrom.sizes - use chrom sizes from tab separated
    file (name,size) instead of from chromInfo table in specified db.
"""


def main(argv: list[str]) -> int:
    opts = parse_kent_args(argv, {"verbose": (int, 1), "chromSizes": (str, None), "db": (str, None)},
                           USAGE, (1, 1 << 30))
    sizes = read_chrom_sizes(opts.chromSizes) if opts.chromSizes else None
    total = bad = 0
    for path in opts.args:
        for tx in iter_genepred(path):
            total += 1
            size = None
            if sizes is not None:
                size = sizes.get(tx.chrom)
                if size is None:
                    sys.stderr.write(f"Error: {path}: {tx.name} chrom {tx.chrom} not in chrom sizes\n")
                    bad += 1
                    continue
            errs = check_transcript(tx, chrom_size=size)
            for e in errs:
                sys.stderr.write(f"Error: {path}: {e}\n")
            bad += bool(errs)
    if opts.verbose >= 1:
        sys.stderr.write(f"checked: {total} failed: {bad}\n")
    if bad:
        raise RefseqtracksError(f"{bad} invalid genePred records")
    return 0
