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

When every record of a piece got its rows, :class:`PieceFiler` also files them in the worker:
each output's text for the whole piece, in the piece's order, one after the other in one file
whose bytes the main process copies into the outputs instead of handling the records one by
one.  Only what needs the whole input stays per record: the curated records (the Select list
is known at the end of the scan), the names and the size of each record's GTF lines (a
repeated GTF ``transcript_id``), the Other BED lines (sorted with everything else,
:func:`other_bed_item`).  The link-table names and the fake PSL rows go to sorted run files
(:class:`refseqtracks.extsort.ExternalSorter`), merged with the others'.

Public API: :class:`RowMaker`, :data:`Rows`, :class:`PieceFiler`, :class:`FiledPiece`,
:func:`other_bed_item`.
"""
from __future__ import annotations

import os
from array import array
from typing import NamedTuple

from refseqtracks import accessions as acc
from refseqtracks.bins import bin_from_range
from refseqtracks.formats.bed import to_bed12
from refseqtracks.formats.genepred import check_transcript, parse_genepred_line
from refseqtracks.formats.gtf import to_gtf_lines
from refseqtracks.model import Transcript
from refseqtracks.ncbirefseq_psl import fake_item

__all__ = ["RowMaker", "Rows", "PieceFiler", "FiledPiece", "other_bed_item"]


def other_bed_item(chrom: str, start: int, line: str) -> tuple:
    """An Other record's BED line as an item of the sort it goes through (``genePredToBed -tab
    -fillSpace | sort -k1,1 -k2n,2n``, bytewise, the whole line last)."""
    return (chrom.encode("utf-8", "surrogateescape"), start, line.encode("utf-8", "surrogateescape")), line


class Rows(NamedTuple):
    """One record's output rows."""

    line: str           # the genePred line as written (renamed, bin in front when asked)
    gtf: str            # genePredToGtf -utr lines, transcript_id = the record's name
    bed: str            # genePredToBed line (-tab -fillSpace for an Other record)
    fields: tuple       # the renamed Transcript's fields, without attrs
    fake: tuple | None  # an All record's genePredToFakePsl row as a sort item (``fake_sizes`` set)


class RowMaker:
    """Makes the :class:`Rows` of a genePred line (as a plain tuple); None where the main process must decide."""

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
                chrom = new  # (the rows below are the renamed record's)
        if self.bin:
            line = f"{bin_from_range(tx.tx_start, tx.tx_end)}\t{line}"
        subsets = acc.subsets_of(tx.name)
        fake = None
        if self.fake_sizes is not None and subsets[0] == "all":
            rna_sizes, out_sizes = self.fake_sizes
            fake = fake_item(tx, q_size=rna_sizes.get(tx.name) if rna_sizes else None,
                             t_size=out_sizes.get(chrom), bin=self.bin, chrom=chrom)
        # (the fields of Rows, as a plain tuple)
        return (line,
                "".join(to_gtf_lines(tx, source=self.gtf_source, utr=True, chrom=chrom)),
                to_bed12(tx, fill_space=subsets[-1] == "other", chrom=chrom),
                (tx.name, chrom, tx.strand, tx.tx_start, tx.tx_end, tx.cds_start, tx.cds_end, tx.exon_starts,
                 tx.exon_ends, tx.score, tx.name2, tx.cds_start_stat, tx.cds_end_stat, tx.exon_frames),
                fake)


class FiledPiece(NamedTuple):
    """A piece's outputs as :class:`PieceFiler` files them (all in the piece's kent order)."""

    names: list         # every record's name
    gtf_sizes: bytes    # the bytes of every record's GTF lines (array("q"), for a repeated name)
    data: str           # the file of the outputs' texts (UTF-8, surrogateescape), one after the other:
    parts: list         # (output key, bytes) in that file: "genePred" (a line per record) first
    n_roots: int        # unprocessed roots (lines of "unprocessed")
    counts: dict        # records of the subsets "all", "predicted", "other" (in "<subset>.gp")
    curated: tuple      # the curated records' (names, genePred lines, BED lines), for the Select list
    other_bed: list     # the Other records' BED lines as sort items
    link_run: tuple     # (path, count) of the All names' sorted run (link_join names)
    fake_run: tuple | None   # (path, count) of the fake PSL rows' sorted run, or None:
    fake_fields: list   # then the All records' Transcript fields, for the main process to make them


class PieceFiler:
    """Files a piece's records into the build's outputs, in the conversion worker (the
    :mod:`refseqtracks.parallel` ``piece_filer``).

    Called with the piece's results, whose records carry their :class:`Rows` (the converter's
    ``tx_post`` is a :class:`RowMaker`), and the piece's first line number (which names its run
    files in ``runs_dir``).  Returns a :class:`FiledPiece` as a plain tuple (for ``marshal``), or
    None when the main process must take the records one by one: a message, a conversion error
    or a bad record in the piece, or a record the row maker left to the main process.
    """

    def __init__(self, runs_dir: str):
        self.runs_dir = runs_dir
        #: the link-table names' run of the last piece filed (for the caller to take)
        self.link_run: tuple | None = None

    def __call__(self, results: list, first_line: int) -> tuple | None:
        names: list[str] = []
        gp: list[str] = []
        gtf: list[str] = []
        attrs: list[str] = []
        roots: list[str] = []
        sub_gp: dict[str, list[str]] = {"all": [], "curated": [], "predicted": [], "other": []}
        sub_bed: dict[str, list] = {"all": [], "curated": [], "predicted": [], "other": []}
        cur_names: list[str] = []
        link_names: list[str] = []
        fakes: list[tuple] = []
        fake_fields: list[tuple] = []
        subsets_of = acc.subsets_of
        for processed, events, line in results:
            if not processed:
                if line is not None:
                    roots.append(line if line[-1:] == "\n" else line + "\n")
                continue
            for ev in events:
                kind = ev[0]
                if kind == "tx":
                    if len(ev) != 5:  # (left to the main process)
                        return None
                    gp_line, gtf_lines, bed_line, fields, fake = ev[2]
                    name = fields[0]
                    names.append(name)
                    gp.append(gp_line)
                    gtf.append(gtf_lines)
                    if ev[3]:
                        attrs.append(ev[3])
                    for s in subsets_of(name):
                        sub_gp[s].append(gp_line)
                        if s == "other":
                            sub_bed[s].append(other_bed_item(fields[1], fields[3], bed_line))
                            continue
                        sub_bed[s].append(bed_line)
                        if s == "curated":
                            cur_names.append(name)
                        elif s == "all":
                            link_names.append(name)
                            if fake is not None:
                                fakes.append(fake)
                            else:
                                fake_fields.append(fields)
                elif kind == "gattrs":
                    attrs.append(ev[1])
                elif kind != "brk":  # (a message, an error, a bad record)
                    return None
        from refseqtracks.link_join import name_key
        texts = [("genePred", gp), ("gtf", gtf), ("attrs", attrs), ("unprocessed", roots)]
        for s in ("all", "predicted"):
            texts += [(f"{s}.gp", sub_gp[s]), (f"{s}.bed", sub_bed[s])]
        texts.append(("other.gp", sub_gp["other"]))
        data = os.path.join(self.runs_dir, f"piece.{first_line}")
        parts = []
        # (written line by line through a large buffer: about half the cost of joining each
        # text, encoding it and writing the bytes)
        with open(data, "w", encoding="utf-8", errors="surrogateescape", newline="", buffering=1 << 20) as f:
            at = 0
            for key, text in texts:
                f.writelines(text)
                f.flush()
                end = f.buffer.tell()
                parts.append((key, end - at))
                at = end
        gtf_sizes = array("q", [len(g) if g.isascii() else len(g.encode("utf-8", "surrogateescape")) for g in gtf])
        counts = {s: len(sub_gp[s]) for s in ("all", "predicted", "other")}
        self.link_run = link_run = self._run("names", first_line, ((name_key(n), n) for n in link_names))
        fake_run = self._run("fake", first_line, fakes) if fakes or not fake_fields else None
        return tuple(FiledPiece(names, gtf_sizes.tobytes(), data, parts, len(roots), counts,
                                (cur_names, sub_gp["curated"], sub_bed["curated"]), sub_bed["other"],
                                link_run, fake_run, fake_fields))

    def _run(self, kind: str, first_line: int, items) -> tuple:
        """``(path, count)`` of a sorted run of ``(key, text)`` items."""
        from refseqtracks.extsort import ExternalSorter
        sorter = ExternalSorter(limit=1 << 62)
        for key, text in items:
            sorter.add(key, text)
        path = os.path.join(self.runs_dir, f"{kind}.{first_line}")
        with open(path, "wb") as f:
            # (the main process merges a run of every piece at once, holding a batch of each)
            count = sorter.dump_run(f, batch_size=128)
        return path, count
