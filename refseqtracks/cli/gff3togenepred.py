"""``refseqtracks gff3ToGenePred [options] inGff3 outGp``: kent v492 gff3ToGenePred."""
from __future__ import annotations

import contextlib
import sys

from refseqtracks.assemble import Gff3Converter
from refseqtracks.cli.kentopts import parse_kent_args
from refseqtracks.errors import UsageError
from refseqtracks.fileio import atomic_output

USAGE = """gff3ToGenePred - convert a GFF3 file to a genePred file
usage:
   gff3ToGenePred inGff3 outGp
options:
  -warnAndContinue - on bad genePreds being created, put out warning but continue
  -useName - rather than using 'id' as name, use the 'name' tag
  -rnaNameAttr=attr - If this attribute exists on an RNA record, use it as the genePred
   name column
  -geneNameAttr=attr - If this attribute exists on a gene record, use it as the genePred
   name2 column
  -attrsOut=file - output attributes of mRNA record to file.  These are per-genePred row,
   not per-GFF3 record. Thery are derived from GFF3 attributes, not the attributes themselves.
  -processAllGeneChildren - output genePred for all children of a gene regardless of feature
  -unprocessedRootsOut=file - output GFF3 root records that were not used.  This will not be a
   valid GFF3 file.  It's expected that many non-root records will not be used and they are not
   reported.
  -bad=file   - output genepreds that fail checks to file
  -maxParseErrors=50 - Maximum number of parsing errors before aborting. A negative
   value will allow an unlimited number of errors.  Default is 50.
  -maxConvertErrors=50 - Maximum number of conversion errors before aborting. A negative
   value will allow an unlimited number of errors.  Default is 50.
  -honorStartStopCodons - only set CDS start/stop status to complete if there are
   corresponding start_stop codon records
  -defaultCdsStatusToUnknown - default the CDS status to unknown rather
   than complete.
  -allowMinimalGenes - normally this programs assumes that genes contains
   transcripts which contain exons.  If this option is specified, genes with exons
   as direct children of genes and stand alone genes with no exon or transcript
   children will be converted.
  -refseqHacks - enable various hacks to make RefSeq conversion work:
     This turns on -useName, -allowMinimalGenes, and -processAllGeneChildren.
     It try harder to find an accession in attributes

refseqtracks improvements (off by default; see docs/improvements.md):
  -repairNcbi - convert genes kent drops or gets wrong: several or overlapping CDS rows
     directly under a gene (ribosomal slippage, RNA editing) and genes crossing the origin
     of a circular sequence; one warning line per repair
  -partialCdsStat - set cdsStartStat/cdsEndStat to incmpl where RefSeq marks the CDS
     partial (start_range=.,N / end_range=N,.)
  -genome=file.fa - with -partialCdsStat, also mark an end incmpl where the genome shows no
     start codon (5') or stop codon (3') for the transcript's genetic code

This converts:
   - top-level gene records with RNA records
   - top-level RNA records
   - RNA records that contain:
       - exon and CDS
       - CDS, five_prime_UTR, three_prime_UTR
       - only exon for non-coding
   - top-level gene records with transcript records
   - top-level transcript records
   - transcript records that contain:
       - exon
where RNA can be mRNA, ncRNA, or rRNA, and transcript can be either
transcript or primary_transcript
The first step is to parse GFF3 file, up to 50 errors are reported before
aborting.  If the GFF3 files is successfully parse, it is converted to gene,
annotation.  Up to 50 conversion errors are reported before aborting.

Input file must conform to the GFF3 specification:
   http://www.sequenceontology.org/gff3.shtml
"""

SPEC = {
    "maxParseErrors": (int, 50), "maxConvertErrors": (int, 50), "warnAndContinue": (bool, False),
    "useName": (bool, False), "rnaNameAttr": (str, None), "geneNameAttr": (str, None),
    "honorStartStopCodons": (bool, False), "defaultCdsStatusToUnknown": (bool, False),
    "allowMinimalGenes": (bool, False), "attrsOut": (str, None), "bad": (str, None),
    "processAllGeneChildren": (bool, False), "refseqHacks": (bool, False),
    "unprocessedRootsOut": (str, None), "repairNcbi": (bool, False), "partialCdsStat": (bool, False),
    "genome": (str, None),
}


def main(argv: list[str]) -> int:
    """Run gff3ToGenePred; 0 on success, non-zero (via RefseqtracksError) on errors."""
    o = parse_kent_args(argv, SPEC, USAGE, 2)
    in_gff, out_gp = o.args

    def report(msg: str) -> None:
        sys.stderr.write(msg + "\n")

    conv = Gff3Converter(
        in_gff, refseq_hacks=o.refseqHacks, use_name=o.useName, rna_name_attr=o.rnaNameAttr,
        gene_name_attr=o.geneNameAttr, process_all_gene_children=o.processAllGeneChildren,
        allow_minimal_genes=o.allowMinimalGenes, honor_start_stop_codons=o.honorStartStopCodons,
        default_cds_status_to_unknown=o.defaultCdsStatusToUnknown, warn_and_continue=o.warnAndContinue,
        max_parse_errors=o.maxParseErrors, max_convert_errors=o.maxConvertErrors,
        want_attrs=o.attrsOut is not None, want_unprocessed=o.unprocessedRootsOut is not None,
        report=report, repair_ncbi=o.repairNcbi, partial_cds_stat=o.partialCdsStat)
    if o.genome:
        if not o.partialCdsStat:
            raise UsageError("-genome is only used with -partialCdsStat")
        from refseqtracks.genome import open_genome
        conv.opts.genome = open_genome(o.genome)
    with contextlib.ExitStack() as stack:
        def out(dest: str | None):
            return stack.enter_context(atomic_output(dest)).write if dest else None

        # written as they are replayed; a failed run removes the temporary files
        write_gp = out(out_gp)
        conv.convert(on_transcript=lambda line, tx: write_gp(line), on_bad=out(o.bad),
                     on_attrs=out(o.attrsOut), on_unprocessed=out(o.unprocessedRootsOut))
        conv.finish_message()  # raises when conversion errors fail the run
    return 0
