"""The build's per-transcript output rows, made where the transcript is converted.

Coordinates are 0-based half-open (genePred).

For each genePred record the build writes the record (renamed, with a bin when asked), its GTF
lines (``genePredToGtf -utr``) and its BED12 line (``genePredToBed``; ``-tab -fillSpace`` for
the Other subset); for an All record, when the sequence sizes are known beforehand
(``fake_sizes``: an assembly report), also its ``genePredToFakePsl`` row, as the PSL step's sort
item (the step keeps it unless NCBI aligned the RNA on that sequence). None of this depends on
other records, so :class:`RowMaker` can run in the conversion's worker processes
(:mod:`refseqtracks.parallel` calls it on each record of a piece) and the main process only
files the rows away. What does depend on the rest of the build is left to the main process,
which gets ``None`` instead of rows and does the whole record itself:

* a record that fails ``genePredFilter -chromSizes`` (reported, in the main process's order);
* a sequence name the renaming does not know (counted by the main process's :class:`Renamer`)
  or one lifted with an offset;
* the GTF ``transcript_id`` of a name seen before (genePredToGtf makes it unique in output
  order): the main process notices the repeat and formats that record's GTF again.  So that it
  need not remember every name, a row maker with ``hashes`` set (an ``array("q")``) records the
  ``hash`` of each record's name there: a name whose hash occurs once among all records is
  not repeated.

Public API: :class:`RowMaker`, :data:`Rows`.
"""
from __future__ import annotations

from array import array
from typing import NamedTuple

from refseqtracks import accessions as acc
from refseqtracks.formats.bed import to_bed12
from refseqtracks.formats.genepred import check_transcript, parse_genepred_line
from refseqtracks.formats.gtf import to_gtf_lines
from refseqtracks.model import Transcript

__all__ = ["RowMaker", "Rows"]


class Rows(NamedTuple):
    """One record's output rows."""

    line: str           # the genePred line as written (renamed, bin in front when asked)
    gtf: str            # genePredToGtf -utr lines, transcript_id = the record's name
    bed: str            # genePredToBed line (-tab -fillSpace for an Other record)
    fields: tuple       # the renamed Transcript's fields, without attrs
    fake: tuple | None  # an All record's genePredToFakePsl row as a sort item (``fake_sizes`` set)


class RowMaker:
    """Makes :class:`Rows` for a genePred line; None where the main process must decide."""

    def __init__(self, *, ncbi_sizes: dict[str, int], names: dict[str, str] | None,
                 offsets: dict[str, int] | None, bin: bool, gtf_source: str, path: str,
                 fake_sizes: tuple[dict[str, int] | None, dict[str, int]] | None = None,
                 checked: bool = False):
        self.ncbi_sizes = ncbi_sizes
        #: the records passed genePredCheck already (the converter's, on these very records):
        #: ``genePredFilter -chromSizes`` then adds only the end-of-sequence test
        self.checked = checked
        #: (RNA sizes, output sequence sizes): when known beforehand, All records get their fake
        #: PSL row here (:func:`refseqtracks.ncbirefseq_psl.fake_item`)
        self.fake_sizes = fake_sizes
        self.names = names
        self.offsets = offsets or {}
        self.bin = bin
        self.gtf_source = gtf_source
        self.path = path
        #: when set, the ``hash`` of every record's name is appended (see the module docstring)
        self.hashes: array | None = None

    def __call__(self, line: str, tx: Transcript | None) -> tuple | None:
        if tx is None:
            tx = parse_genepred_line(line, path=self.path)
        if self.hashes is not None:
            self.hashes.append(hash(tx.name))
        chrom = tx.chrom
        size = self.ncbi_sizes.get(chrom)
        if size is not None and (tx.tx_end > size if self.checked else check_transcript(tx, chrom_size=size)):
            return None  # (the main process reports what genePredFilter finds)
        if self.names is not None:
            new = self.names.get(chrom)
            if new is None or self.offsets.get(chrom):
                return None
            if new != chrom:
                name, _, rest = line.partition("\t")
                line = f"{name}\t{new}\t{rest.partition(chr(9))[2]}"
                tx = Transcript(tx.name, new, tx.strand, tx.tx_start, tx.tx_end, tx.cds_start, tx.cds_end,
                                tx.exon_starts, tx.exon_ends, tx.score, tx.name2, tx.cds_start_stat,
                                tx.cds_end_stat, tx.exon_frames)
        if self.bin:
            from refseqtracks.bins import bin_from_range
            line = f"{bin_from_range(tx.tx_start, tx.tx_end)}\t{line}"
        subsets = acc.subsets_of(tx.name)
        other = subsets[-1] == "other"
        fake = None
        if self.fake_sizes is not None and subsets[0] == "all":
            from refseqtracks.ncbirefseq_psl import fake_item
            rna_sizes, out_sizes = self.fake_sizes
            fake = fake_item(tx, q_size=rna_sizes.get(tx.name) if rna_sizes else None,
                             t_size=out_sizes.get(tx.chrom), bin=self.bin)
        return tuple(Rows(
            line,
            "".join(to_gtf_lines(tx, source=self.gtf_source, utr=True)),
            to_bed12(tx, fill_space=True) if other else to_bed12(tx),
            (tx.name, tx.chrom, tx.strand, tx.tx_start, tx.tx_end, tx.cds_start, tx.cds_end, tx.exon_starts,
             tx.exon_ends, tx.score, tx.name2, tx.cds_start_stat, tx.cds_end_stat, tx.exon_frames),
            fake))
