"""refseqtracks: NCBI RefSeq annotation to UCSC genome-browser tracks.

Public API (imported lazily, so ``import refseqtracks`` stays cheap)::

    import refseqtracks as rt
    for tx in rt.read_gff3("GCF_000001405.40_GRCh38.p14_genomic.gff.gz", refseq_hacks=True):
        ...
    rt.write_genepred(transcripts, "out.gp")

All coordinates are 0-based half-open, as in genePred/BED/PSL.
"""
from __future__ import annotations

import importlib
from typing import Any

from refseqtracks._version import __version__

#: public name -> module that defines it
_LAZY: dict[str, str] = {
    # model and errors
    "Transcript": "refseqtracks.model",
    "RefseqtracksError": "refseqtracks.errors",
    "ParseError": "refseqtracks.errors",
    "ConversionError": "refseqtracks.errors",
    # GFF3
    "read_gff3": "refseqtracks.assemble",
    "iter_gff3_features": "refseqtracks.gff3",
    # genePred
    "read_genepred": "refseqtracks.formats.genepred",
    "iter_genepred": "refseqtracks.formats.genepred",
    "write_genepred": "refseqtracks.formats.genepred",
    "check_transcript": "refseqtracks.formats.genepred",
    # GTF / BED / bigGenePred
    "to_gtf_lines": "refseqtracks.formats.gtf",
    "write_gtf": "refseqtracks.formats.gtf",
    "read_gtf": "refseqtracks.formats.gtf",
    "to_bed12": "refseqtracks.formats.bed",
    "read_bed": "refseqtracks.formats.bed",
    "write_bed": "refseqtracks.formats.bed",
    "to_big_genepred": "refseqtracks.formats.biggenepred",
    "read_big_genepred": "refseqtracks.formats.biggenepred",
    "to_pyranges": "refseqtracks.interop",
    "from_pyranges": "refseqtracks.interop",
    # alignments
    "read_psl": "refseqtracks.formats.psl",
    "write_psl": "refseqtracks.formats.psl",
    "filter_alignments": "refseqtracks.alignfilter",
    # bins, subsets, frames
    "bin_from_range": "refseqtracks.bins",
    "TranscriptIndex": "refseqtracks.bins",
    "classify": "refseqtracks.accessions",
    "calc_exon_frames": "refseqtracks.frames",
    "repair_transcript": "refseqtracks.repair",
    "set_partial_cds_stats": "refseqtracks.partial",
    # genome-backed codons and sequences
    "open_genome": "refseqtracks.genome",
    "genetic_code": "refseqtracks.genetic_code",
    "translate": "refseqtracks.genetic_code",
    "walk_codons": "refseqtracks.codons",
    "protein_of": "refseqtracks.codons",
    "transcript_rna": "refseqtracks.sequences",
    "transcript_cds": "refseqtracks.sequences",
    # hubs and custom tracks
    "make_hub": "refseqtracks.hub",
    "write_custom_track": "refseqtracks.customtrack",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'refseqtracks' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
