"""kent-compatible ``genePredToBed``, ``genePredToBigGenePred`` and ``bedToBigBed`` commands."""
from __future__ import annotations

import re

from refseqtracks.cli.kentopts import parse_kent_args
from refseqtracks.errors import ParseError, RefseqtracksError, UsageError
from refseqtracks.fileio import atomic_output, input_name, open_input

__all__ = ["main_genepred_to_bed", "main_genepred_to_big_genepred", "main_bed_to_bigbed",
           "parse_bed_type"]

GENEPRED_TO_BED_USAGE = """genePredToBed - Convert from genePred to bed format. Does not yet handle genePredExt
usage:
   genePredToBed in.genePred out.bed
options:
   -tab - genePred fields are separated by tab instead of just white space
   -fillSpace - when tab input, fill space chars in 'name' with: _
   -score=N - set score in the bed output to N (default 0)
"""

GENEPRED_TO_BIG_GENEPRED_USAGE = """genePredToBigGenePred - converts genePred or genePredExt to bigGenePred input (bed format with extra fields)
usage:
  genePredToBigGenePred [-known] [-score=scores] [-geneNames=geneNames] [-colors=colors] file.gp stdout | sort -k1,1 -k2,2n > file.bgpInput
NOTE: In order to visualize your bigGenePred file you will need to convert it to bigBed:
  bedToBigBed -type=bed12+8 -tab -as=bigGenePred.as file.bgpInput chrom.sizes output.bb
options:
    -known                input file is a genePred in knownGene format
    -score=scores         scores is two column file with id's mapping to scores
    -geneNames=geneNames  geneNames is a three column file with id's mapping to two gene names
    -colors=colors        colors is a four column file with id's mapping to r,g,b
    -cds=cds              cds is a five column file with id's mapping to cds status codes and exonFrames (see knownCds.as)
    -geneType=geneType    geneType is a two column file with id's mapping to geneType
"""

BED_TO_BIGBED_USAGE = """bedToBigBed - Convert bed file to bigBed. (BigBed version: 4)
usage:
   bedToBigBed in.bed chrom.sizes out.bb
Where in.bed is in one of the ascii bed formats, but not including track lines
and chrom.sizes is a two-column file: <chromosome name> <size in bases>
and out.bb is the output indexed big bed file.
The in.bed file must be sorted by chromosome,start,
  to sort a bed file, use the unix sort command:
     sort -k1,1 -k2,2n unsorted.bed > sorted.bed

options:
   -type=bedN[+[P]] :
                      N is between 3 and 15,
                      optional (+) if extra "bedPlus" fields,
                      optional P specifies the number of extra fields. Not required, but preferred.
                      Examples: -type=bed6 or -type=bed6+ or -type=bed6+3
   -as=fields.as - If you have non-standard "bedPlus" fields, it's great to put a definition
                   of each field in a row in AutoSql format here.
   -blockSize=N - Number of items to bundle in r-tree.  Default 256
   -itemsPerSlot=N - Number of data points bundled at lowest level. Default 512
   -unc - If set, do not use compression.
   -tab - If set, expect fields to be tab separated, normally
           expects white space separator.
   -extraIndex=fieldList - If set, make an index on each field in a comma separated list
           extraIndex=name and extraIndex=name,id are commonly used.
   -sizesIs2Bit  -- If set, the chrom.sizes file is assumed to be a 2bit file.
   -allow1bpOverlap  -- allow exons to overlap by at most one base pair
"""


def main_genepred_to_bed(argv: list[str]) -> int:
    """genePredToBed [-tab] [-fillSpace] [-score=N] in.gp out.bed"""
    from refseqtracks.formats.bed import genepred_row_to_bed12
    opts = parse_kent_args(argv, {"tab": (bool, False), "fillSpace": (bool, False),
                                  "score": (int, 0)}, GENEPRED_TO_BED_USAGE, 2)
    src, dest = opts.args
    name = input_name(src)
    with open_input(src) as f, atomic_output(dest) as out:
        buf: list[str] = []
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t") if opts.tab else line.split()
            buf.append(genepred_row_to_bed12(cols, path=name, lineno=lineno, score=opts.score,
                                             fill_space=opts.fillSpace))
            if len(buf) >= 4096:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
    return 0


def main_genepred_to_big_genepred(argv: list[str]) -> int:
    """genePredToBigGenePred [-known] [-score=f] [-geneNames=f] [-colors=f] [-cds=f] [-geneType=f] in.gp out.txt"""
    from refseqtracks.formats.biggenepred import read_side_files, to_big_genepred
    from refseqtracks.formats.genepred import parse_genepred_line
    spec = {"known": (bool, False), "score": (str, None), "geneNames": (str, None),
            "colors": (str, None), "cds": (str, None), "geneType": (str, None)}
    opts = parse_kent_args(argv, spec, GENEPRED_TO_BIG_GENEPRED_USAGE, 2)
    src, dest = opts.args
    side = read_side_files(score=opts.score, colors=opts.colors, gene_names=opts.geneNames,
                           cds=opts.cds, gene_type=opts.geneType, known=opts.known)
    name = input_name(src)
    with open_input(src) as f, atomic_output(dest) as out:
        buf: list[str] = []
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            if opts.known:
                line = "\t".join(line.rstrip("\r\n").split("\t")[:10])
            tx = parse_genepred_line(line, path=name, lineno=lineno)
            try:
                buf.append(to_big_genepred(tx, side))
            except ParseError as ex:
                raise ParseError(name, lineno, ex.message) from None
            if len(buf) >= 4096:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
    return 0


_TYPE_RE = re.compile(r"^bed(\d+)(?:(\+)(\d*))?$")


def parse_bed_type(text: str) -> tuple[int, int | None, bool]:
    """``bedN[+[P]]`` → (N, P or None, plus given)."""
    m = _TYPE_RE.match(text)
    if not m:
        raise UsageError(f"invalid -type={text}: expected bedN, bedN+ or bedN+P")
    n = int(m.group(1))
    if n < 3 or n > 15:
        raise UsageError(f"invalid -type={text}: N must be between 3 and 15")
    plus = m.group(2) is not None
    p = int(m.group(3)) if m.group(3) else None
    return n, p, plus


def main_bed_to_bigbed(argv: list[str]) -> int:
    """bedToBigBed [-type=bedN[+[P]]] [-tab] [-as=FILE.as] [-extraIndex=f] ... in.bed chrom.sizes out.bb"""
    from refseqtracks.formats.autosql import parse_autosql
    from refseqtracks.formats.bigbed import bed_to_bigbed, read_chrom_sizes
    spec = {"type": (str, None), "as": (str, None), "tab": (bool, False),
            "extraIndex": (str, None), "blockSize": (int, 256), "itemsPerSlot": (int, 512),
            "unc": (bool, False), "sizesIs2Bit": (bool, False), "allow1bpOverlap": (bool, False)}
    opts = parse_kent_args(argv, spec, BED_TO_BIGBED_USAGE, 3)
    src, sizes_path, dest = opts.args
    if not 2 <= opts.blockSize <= 0xFFFF:
        raise UsageError("-blockSize must be between 2 and 65535")
    if opts.itemsPerSlot < 1:
        raise UsageError("-itemsPerSlot must be at least 1")
    bed_n, plus_n, plus = (parse_bed_type(opts.type) if opts.type else (None, None, False))
    table = as_text = None
    if opts["as"]:
        with open_input(opts["as"]) as f:
            as_text = f.read()
        table = parse_autosql(as_text, name=input_name(opts["as"]))
    field_count: int | None
    allow_more = False
    if table is not None:
        field_count = len(table.columns)
        if bed_n is None:
            bed_n = min(field_count, 12)
        want = bed_n + (plus_n or 0)
        if plus_n is not None and want != field_count:
            raise RefseqtracksError(f"-type={opts.type} has {want} fields but {opts['as']} "
                                    f"defines {field_count}")
        if field_count < bed_n:
            raise RefseqtracksError(f"{opts['as']} defines {field_count} fields, fewer than bed{bed_n}")
    elif bed_n is not None:
        field_count = bed_n + (plus_n or 0) if (plus_n is not None or not plus) else bed_n
        allow_more = plus and plus_n is None
    else:
        field_count = None
    if bed_n is not None and bed_n > 12:
        raise UsageError(f"-type=bed{bed_n}: only up to 12 standard BED fields are supported")
    sizes = read_chrom_sizes(sizes_path, two_bit=opts.sizesIs2Bit)
    index = [f for f in opts.extraIndex.split(",") if f] if opts.extraIndex else []
    bed_to_bigbed(src, sizes, dest, as_text=as_text, table=table,
                  bed_n=bed_n, field_count=field_count,
                  tab=opts.tab, extra_index=index, block_size=opts.blockSize,
                  items_per_slot=opts.itemsPerSlot, compress=not opts.unc, allow_more=allow_more,
                  allow_1bp_overlap=opts.allow1bpOverlap)
    return 0
