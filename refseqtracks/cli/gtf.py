"""``genePredToGtf`` and ``gtfToGenePred``: kent's GTF converters (v492 options and output)."""
from __future__ import annotations

from refseqtracks.cli.kentopts import parse_kent_args
from refseqtracks.errors import UsageError

GENEPRED_TO_GTF_USAGE = """genePredToGtf - Convert genePred table or file to gtf.
usage:
   genePredToGtf database genePredTable output.gtf
If database is 'file' then track is interpreted as a file
rather than a table in database.
options:
   -utr - Add 5UTR and 3UTR features
   -honorCdsStat - use cdsStartStat/cdsEndStat when defining start/end
    codon records
   -source=src set source name to uses
   -addComments - Add comments before each set of transcript records.
    allows for easier visual inspection
Note: use refFlat (tables only) or extended genePred file/table to include
geneName.  If you are using genePred with starts with a numeric bin number,
drop it using the UNIX cut command:
    cut -f 2- in.gp |  genePredToGtf file stdin out.gp
"""

GTF_TO_GENEPRED_USAGE = """gtfToGenePred - convert a GTF file to a genePred
usage:
   gtfToGenePred gtf genePred

options:
     -genePredExt - create a extended genePred, including frame
      information and gene name
     -allErrors - skip groups with errors rather than aborting.
      Useful for getting infomation about as many errors as possible.
     -ignoreGroupsWithoutExons - skip groups contain no exons rather than
      generate an error.
     -infoOut=file - write a file with information on each transcript
     -sourcePrefix=pre - only process entries where the source name has the
      specified prefix.  May be repeated.
     -impliedStopAfterCds - implied stop codon in after CDS
     -simple    - just check column validity, not hierarchy, resulting genePred may be damaged
     -geneNameAsName2 - if specified, use gene_name for the name2 field
      instead of gene_id.
     -includeVersion - it gene_version and/or transcript_version attributes exist, include the version
      in the corresponding identifiers.
"""


def main_genepred_to_gtf(argv: list[str]) -> int:
    """``genePredToGtf [-utr] [-honorCdsStat] [-source=src] [-addComments] database table out``."""
    opts = parse_kent_args(argv, {"utr": (bool, False), "honorCdsStat": (bool, False),
                                  "source": (str, None), "addComments": (bool, False)},
                           GENEPRED_TO_GTF_USAGE, 3)
    database, table, out = opts.args
    if database != "file":
        raise UsageError(f"genePredToGtf: database input ('{database}') is not supported; "
                         "use 'file' and a genePred file")
    from refseqtracks.formats.genepred import iter_genepred
    from refseqtracks.formats.gtf import write_gtf

    source = opts.source if opts.source is not None else table
    write_gtf(iter_genepred(table, bin=False), out, source=source, utr=opts.utr,
              honor_cds_stat=opts.honorCdsStat, add_comments=opts.addComments)
    return 0


def main_gtf_to_genepred(argv: list[str]) -> int:
    """``gtfToGenePred [options] in.gtf out.gp`` (kent v492 options, output and messages)."""
    import sys

    from refseqtracks.errors import ConversionError, RefseqtracksError
    from refseqtracks.fileio import atomic_output
    from refseqtracks.formats.genepred import format_genepred_line
    from refseqtracks.formats.gtf_assemble import (INFO_HEADER, GtfGroupError, group_to_transcript,
                                                   info_row, no_exons_message, read_gtf_groups)

    opts = parse_kent_args(argv, {
        "genePredExt": (bool, False), "allErrors": (bool, False),
        "ignoreGroupsWithoutExons": (bool, False), "infoOut": (str, None),
        "sourcePrefix": (list, None), "impliedStopAfterCds": (bool, False), "simple": (bool, False),
        "geneNameAsName2": (bool, False), "includeVersion": (bool, False),
    }, GTF_TO_GENEPRED_USAGE, 2)
    gtf_path, gp_path = opts.args
    gtf = read_gtf_groups(gtf_path)
    if not gtf.is_gtf:
        raise ConversionError(f"{gtf_path} doesn't appear to be a GTF file "
                              "(GFF not supported by this program)")
    prefixes = opts.sourcePrefix
    ext = opts.genePredExt
    conv = {"implied_stop_after_cds": opts.impliedStopAfterCds,
            "gene_name_as_name2": opts.geneNameAsName2, "include_version": opts.includeVersion}
    gp_lines: list[str] = []
    info_lines: list[str] = [INFO_HEADER]
    bad = 0
    if not opts.simple:
        for g in gtf.groups:
            if prefixes and not any(g.source.startswith(p) for p in prefixes):
                continue
            try:
                tx = group_to_transcript(g, ext=ext, **conv)
                if tx is None:
                    if not opts.ignoreGroupsWithoutExons:
                        raise GtfGroupError(no_exons_message(g))
                else:
                    gp_lines.append(format_genepred_line(tx, ext=ext))
            except GtfGroupError as ex:
                if not opts.allErrors:
                    raise
                sys.stderr.write(f"{ex}\n")
                bad += 1
                continue
            info_lines.append(info_row(g, include_version=opts.includeVersion))
    with atomic_output(gp_path) as out:
        out.write("".join(gp_lines))
    if opts.infoOut is not None:
        with atomic_output(opts.infoOut) as out:
            out.write("".join(info_lines))
    if bad:
        raise RefseqtracksError(f"{bad} errors")
    return 0
