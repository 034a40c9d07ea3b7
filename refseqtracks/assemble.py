"""GFF3 features → transcripts with kent v492 ``gff3ToGenePred`` rules, streamed per locus.

Coordinates are 0-based half-open (the GFF3 reader converts them).

kent behaviour reproduced (``gff3ToGenePred.c`` / ``gff3.c``):

* **Hierarchy.**  Every feature whose ``Parent`` IDs all fail to resolve, or that has none, is a
  root.  Roots are processed in *reverse* file order and a feature's children are kept in
  reverse file order (kent builds both lists by adding at the head).  Features sharing an ID are
  parts of one discontinuous feature: a ``Parent`` reference resolves to the part with the
  lowest (start, end); every part is a separate child of its parents.
* **Roots.**  ``gene``/``pseudogene``/``ncRNA_gene`` roots are genes; transcript-type roots
  (:data:`TRANSCRIPT_TYPES`) become one transcript; everything else is unprocessed
  (``-unprocessedRootsOut``).
* **Genes.**  (1) A gene with a CDS child and a C/D/J/V_gene_segment child drops its CDS
  children ("Warning: dropping CDS from ...").  (2) With ``allow_minimal_genes``, a gene with an
  exon or CDS child is itself the transcript.  (3) Else each child that is a transcript
  (type in :data:`TRANSCRIPT_TYPES`, or any child of a gene with ``process_all_gene_children``)
  becomes a transcript, not twice (multi-parent children).  (4) Else, with
  ``allow_minimal_genes``, the gene becomes a one-exon non-coding transcript.
* **Blocks.**  Exons are the ``exon`` children sorted by (seqid, strand, start, end); without
  exons, the 5'UTR + CDS + 3'UTR children; without those, the feature itself (a CDS feature is
  then also its own CDS).  Blocks that touch (end == next start) are merged.  Each CDS must lie
  in one exon ("no exon in NAME contains CDS s-e").  An exon holding one CDS block gets the
  frame of its phase; an exon holding several (frameshift, ribosomal slippage) is split at the
  CDS blocks, an overlapping block's start is moved to the previous end and, on '+', its frame
  advanced by the distance.
* **Names.**  name = ``rna_name_attr`` value; else (``refseq_hacks``) the Name of a leading CDS
  child when it looks like ``YP_<digit>``; else Name (``use_name``); else ID; else the
  ``transcript_id``/``gene``... attributes; else ``no_name``.  name2 = ``gene_name_attr`` value,
  else (``use_name``) the gene's Name, else the gene's ID.
* **CDS status** ``cmpl``/``cmpl`` (``unk`` with ``default_cds_status_to_unknown``, from
  start/stop_codon children with ``honor_start_stop_codons``), ``none`` when non-coding.
* **Checks.**  Every transcript goes through genePredCheck; failures are printed as
  "Error: genePred from GFF3: PATH:LINE: problem", written to ``-bad`` and counted
  ("invalid genePred created: ...").  Conversion stops once ``max_convert_errors`` errors are
  counted; any error fails the run ("N errors converting GFF3 file: ...") unless
  ``warn_and_continue`` ("Warning: skipping: ...", "N warnings converting ...").

Streaming (:mod:`refseqtracks.assemble_loci`): features are grouped into loci that close when
the input has moved past them with no forward ``Parent`` reference open.  Each locus is resolved
and converted on its own; its results go to a temporary file and are emitted in reverse order at
the end, which is kent's global order.  A reference back into a closed locus (or an ID re-used
across loci) makes a second pass that keeps such loci open long enough (or, as a last resort, a
pass with the whole file as one locus), so the result is kent's either way.

Several cores (:mod:`refseqtracks.parallel`): a file of 8 MB or more is cut before ``gene``
lines into pieces that worker processes convert with the rules above; the pieces' results,
last piece first, are kent's order.  Whatever could tie one piece to another (a parse message,
an unresolved reference, an ID in two pieces) makes the run convert the file in one process
instead, so the output does not depend on it.  On one core one worker converts the pieces
(memory stays flat).  ``conv.parallel_jobs = 1`` (or the environment
variable ``REFSEQTRACKS_JOBS=1``) keeps to one process; ``conv.pieces`` tells how many pieces
the last run used.

Library use::

    conv = Gff3Converter("in.gff3.gz", refseq_hacks=True)
    for tx in conv.transcripts():          # Transcript objects, kent's order
        ...
    conv.attrs_lines, conv.unprocessed_lines   # the -attrsOut / -unprocessedRootsOut text

``Transcript.attrs`` holds the transcript record's attributes plus the pseudo-attributes
``Seqid Source Type Start End Strand``; when the transcript came from a gene's child, the gene's
attributes are added with a ``gene:`` prefix (``gene:ID``, ``gene:Name``, ``gene:gene_biotype``...).
"""
from __future__ import annotations

import gc
import os
import sys
from typing import Callable, Iterable, Iterator

from refseqtracks.assemble_loci import Grouper, Restart, Spool
from refseqtracks.assemble_rules import GENE_TYPES, TRANSCRIPT_TYPES, Ann, ConvertOptions, RootResult
from refseqtracks.errors import RefseqtracksError
from refseqtracks.fileio import Source, input_name, is_stdin, spool_stdin
from refseqtracks.gff3 import Gff3Abort, Gff3Reader
from refseqtracks.model import Transcript

__all__ = ["read_gff3", "Gff3Converter", "GENE_TYPES", "TRANSCRIPT_TYPES"]


class Gff3Converter:
    """Convert one GFF3 input the way kent's gff3ToGenePred does (see the module docstring).

    ``report`` receives every diagnostic line (default: :attr:`messages`).  :meth:`run` does the
    work and returns the kent-ordered per-root results; :meth:`replay` (or :meth:`convert`, both
    steps) hands genePred lines, transcripts and side-output text to callbacks under kent's
    conversion error budget, and :meth:`finish_message` ends the run like kent;
    :meth:`transcripts` yields :class:`Transcript` objects.
    """

    def __init__(self, src: Source, *, refseq_hacks: bool = False, use_name: bool = False,
                 rna_name_attr: str | None = None, gene_name_attr: str | None = None,
                 process_all_gene_children: bool = False, allow_minimal_genes: bool = False,
                 honor_start_stop_codons: bool = False, default_cds_status_to_unknown: bool = False,
                 warn_and_continue: bool = False, max_parse_errors: int = 50,
                 max_convert_errors: int = 50, want_attrs: bool = False, want_unprocessed: bool = False,
                 want_transcripts: bool = False, report: Callable[[str], None] | None = None,
                 streaming: bool = True, repair_ncbi: bool = False, partial_cds_stat: bool = False):
        if honor_start_stop_codons and default_cds_status_to_unknown:
            raise RefseqtracksError("can't specify both -honorStartStopCodons and -defaultCdsStatusToUnknown")
        if refseq_hacks:
            use_name = allow_minimal_genes = process_all_gene_children = True
        self.src = src
        self.path = input_name(src)
        self.opts = ConvertOptions(
            refseq_hacks=refseq_hacks, use_name=use_name, rna_name_attr=rna_name_attr,
            gene_name_attr=gene_name_attr, process_all_gene_children=process_all_gene_children,
            allow_minimal_genes=allow_minimal_genes, honor_start_stop_codons=honor_start_stop_codons,
            default_cds_status_to_unknown=default_cds_status_to_unknown,
            warn_and_continue=warn_and_continue, want_attrs=want_attrs,
            want_transcripts=want_transcripts, path=self.path, repair_ncbi=repair_ncbi,
            partial_cds_stat=partial_cds_stat)
        if repair_ncbi:
            from refseqtracks.repair import CircularSeqs
            self.opts.circular = CircularSeqs()
        self.max_parse_errors = max_parse_errors
        self.max_convert_errors = max_convert_errors if max_convert_errors >= 0 else sys.maxsize
        self.want_unprocessed = want_unprocessed
        self.messages: list[str] = []
        self.report = report if report is not None else self.messages.append
        self.streaming = streaming
        # processed roots are written as unprocessed only when the error budget stops before
        # them, which leaves output files only in warn mode
        self.all_root_lines = (want_unprocessed and warn_and_continue
                               and self.max_convert_errors != sys.maxsize)
        # per-root results wait in a temporary file until they are written in reverse order
        self.spool_results = True
        self.reader: Gff3Reader | None = None
        self.convert_errors = 0

    # -- the work ------------------------------------------------------------------------
    def run(self) -> Iterator[RootResult]:
        """Parse, resolve and convert; returns the per-root results in kent's order (iterate once)."""
        # loci break their own reference cycles when closed, so the cyclic collector (a quarter
        # of the run time on large inputs) is not needed while converting
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run_all()
        finally:
            if was_enabled:
                gc.enable()

    def _run_all(self) -> Iterator[RootResult]:
        src = self.src
        from refseqtracks.parallel import spools_stdin
        if self.streaming and spools_stdin(src, self.parallel_jobs):
            # standard input is copied to a file first, which can be converted in pieces
            spooled = spool_stdin(src)
            try:
                self.src = spooled
                return self._run_all()  # (the results no longer need the input)
            finally:
                self.src = src
                os.unlink(spooled)
        self.passes = 0
        self.pieces = 0
        if self.streaming and self._parallel_ok():
            from refseqtracks.parallel import parallel_results, piece_workers
            jobs = piece_workers(self.parallel_jobs)
            if jobs:
                results = parallel_results(self, jobs=jobs, **self._parallel_args)
                if results is not None:
                    self.passes = 1
                    return results
        spool = None
        if self.streaming and not isinstance(src, (str, os.PathLike)) or is_stdin(src):
            spool = Spool(src)
            src = spool
        try:
            if self.streaming:
                holds = None
                try:
                    return self._run(src, streaming=True)
                except Restart as ex:
                    holds = ex.holds
                    if spool is not None:
                        spool.rewind()
                if holds:
                    seen = self._seen_lines
                    try:
                        return self._run(src, streaming=True, quiet_until=seen, holds=holds)
                    except Restart:
                        if spool is not None:
                            spool.rewind()
                        self._seen_lines = max(seen, self._seen_lines)
            return self._run(src, streaming=False, quiet_until=self._seen_lines)
        finally:
            if spool is not None:
                spool.close()

    _seen_lines = 0
    #: worker processes (:mod:`refseqtracks.parallel`); None: as many as there are cores, for
    #: inputs of at least ``PARALLEL_MIN_BYTES``; 1: one process
    parallel_jobs: int | None = None
    #: how many pieces the last run was converted in on several processes (0: one process)
    pieces = 0
    #: called with the first line number at the start of each pass; what it returns is the
    #: pass's reader's :attr:`~refseqtracks.gff3.Gff3Reader.block_tap` (None: no tap)
    reader_tap: Callable[[int], Callable] | None = None
    _parallel_args: dict = {}

    def _parallel_ok(self) -> bool:
        src = self.src
        if not isinstance(src, (str, os.PathLike)) or is_stdin(src):
            return False
        if self.parallel_jobs is not None:
            return self.parallel_jobs > 1
        from refseqtracks.parallel import PARALLEL_MIN_BYTES
        try:
            return os.path.isfile(src) and os.path.getsize(src) >= PARALLEL_MIN_BYTES
        except OSError:
            return False
    #: added to line numbers after the header (set when converting a piece of a larger file)
    line_offset = 0

    #: how many passes over the input the last run needed (1; 2 with held loci; 3 as one locus)
    passes = 0

    def _run(self, src, *, streaming: bool, quiet_until: int = 0,
             holds: dict[str, int] | None = None) -> Iterator[RootResult]:
        self.passes += 1
        report = self.report
        if quiet_until:
            # the first pass already reported the parse problems of these lines
            def report(msg: str, _r=self.report, _p=f"{self.path}:") -> None:
                if msg.startswith(_p):
                    num = msg[len(_p):].partition(":")[0]
                    if num.isdigit() and int(num) <= quiet_until:
                        return
                _r(msg)
        state = Grouper(self, streaming, holds)
        reader = Gff3Reader(src, max_errors=self.max_parse_errors, warn=self.opts.warn_and_continue,
                            report=report, on_directive=state.directive, line_offset=self.line_offset,
                            lazy_attrs=True, make_record=Ann)
        reader.path = self.path
        if self.reader_tap is not None:
            reader.block_tap = self.reader_tap(self.line_offset + 2)
        self.reader = reader
        self.grouper = state
        try:
            circ = self.opts.circular
            add_all = state.add_all
            try:
                for batch in reader.batches():
                    if circ is None:
                        add_all(batch)
                        continue
                    for feat in batch:
                        if feat.type == "region":
                            circ.note_feature(feat.seqid, feat.type, feat.start, feat.end, feat.attrs)
                        add_all((feat,))
            finally:
                if state.last_line:
                    self._seen_lines = state.last_line
            state.finish()
            self._resolution_messages(reader, state)
            if reader.error_count:
                raise Gff3Abort(f"GFF3: {reader.error_count} parser errors")
        except BaseException:
            state.done.close()
            raise
        return state.results

    def _resolution_messages(self, reader: Gff3Reader, state: "Grouper") -> None:
        for msg, warnable in state.discontinuous_msgs + state.resolve_msgs:
            if warnable and self.opts.warn_and_continue:
                reader.report(f"WARNING: {msg}")
            else:
                reader.report(msg + (" (error can be a warning)" if warnable else ""))
                reader.count_error()

    # -- output --------------------------------------------------------------------------
    def replay(self, results: Iterable[RootResult], *, on_transcript: Callable, on_bad: Callable | None,
               on_attrs: Callable | None, on_unprocessed: Callable | None,
               on_piece: Callable | None = None) -> int:
        """Emit the results in kent's order, honouring the conversion error budget.

        ``on_transcript(gp_line, Transcript | None)``; the others receive text.  Diagnostics go to
        ``report``.  Returns the number of conversion errors (see :meth:`finish_message`).
        ``on_piece`` takes a whole piece filed by the converter's ``piece_filer`` in a worker
        (:mod:`refseqtracks.parallel`).
        """
        sinks = {"tx": on_transcript, "bad": on_bad, "attrs": on_attrs, "root": on_unprocessed,
                 "piece": on_piece}
        for kind, a, b in self._outputs(results, want_attrs=on_attrs is not None,
                                        want_roots=on_unprocessed is not None):
            fn = sinks[kind]
            if fn is None and kind == "piece":
                raise RuntimeError("a piece filed by piece_filer needs on_piece")
            if fn is not None:
                if kind == "tx":
                    fn(a, b)
                else:
                    fn(a)
        return self.convert_errors

    def _outputs(self, results: Iterable[RootResult], *, want_attrs: bool, want_roots: bool):
        """``(kind, value, transcript)`` in output order: kinds tx, bad, attrs, root, piece."""
        warn = self.opts.warn_and_continue
        report = self.report
        limit = self.max_convert_errors
        count = 0
        stop = False
        self.convert_errors = 0
        for res in results:
            if stop or not res.processed:
                if want_roots and res.line is not None:
                    yield "root", res.line, None
                continue
            for ev in res.events:
                kind = ev[0]
                if kind == "tx":
                    yield "tx", ev[1], ev[2]
                    if want_attrs and ev[3]:
                        yield "attrs", ev[3], None
                elif kind == "msg":
                    report(ev[1])
                elif kind == "err":
                    count += 1
                    self.convert_errors = count
                    report(("Warning: skipping: " if warn else "Error: ") + ev[1])
                elif kind == "bad":
                    yield "bad", ev[1], None
                elif kind == "gattrs":
                    if want_attrs:
                        yield "attrs", ev[1], None
                elif kind == "brk":
                    if count >= limit and not warn:
                        break
                elif kind == "piece":
                    yield "piece", ev[1], None
            if count >= limit:
                stop = True

    def convert(self, *, on_transcript: Callable, on_bad: Callable | None = None,
                on_attrs: Callable | None = None, on_unprocessed: Callable | None = None) -> int:
        """:meth:`run` then :meth:`replay`; returns the number of conversion errors."""
        return self.replay(self.run(), on_transcript=on_transcript, on_bad=on_bad, on_attrs=on_attrs,
                           on_unprocessed=on_unprocessed)

    def finish_message(self) -> None:
        """kent's closing line; raises when conversion errors fail the run."""
        if self.convert_errors:
            if self.opts.warn_and_continue:
                self.report(f"{self.convert_errors} warnings converting GFF3 file: {self.path}")
            else:
                raise RefseqtracksError(f"{self.convert_errors} errors converting GFF3 file: {self.path}")

    def transcripts(self) -> Iterator[Transcript]:
        """Run and yield :class:`Transcript` objects in kent's order, as they are replayed.

        :attr:`attrs_lines` and :attr:`unprocessed_lines` fill up alongside (when the converter
        was made with ``want_attrs`` / ``want_unprocessed``).  Conversion errors raise at the
        end, after the good transcripts were yielded, unless ``warn_and_continue``.
        """
        self.opts.want_transcripts = True
        self.attrs_lines: list[str] = []
        self.unprocessed_lines: list[str] = []
        for kind, value, tx in self._outputs(self.run(), want_attrs=self.opts.want_attrs,
                                             want_roots=self.want_unprocessed):
            if kind == "tx":
                yield tx
            elif kind == "attrs":
                self.attrs_lines.append(value)
            elif kind == "root":
                self.unprocessed_lines.append(value)
        self.finish_message()


def read_gff3(src: Source, *, refseq_hacks: bool = False, use_name: bool = False,
              rna_name_attr: str | None = None, gene_name_attr: str | None = None,
              process_all_gene_children: bool = False, allow_minimal_genes: bool = False,
              honor_start_stop_codons: bool = False, default_cds_status_to_unknown: bool = False,
              warn_and_continue: bool = False, max_parse_errors: int = 50,
              max_convert_errors: int = 50, report: Callable[[str], None] | None = None,
              repair_ncbi: bool = False, partial_cds_stat: bool = False) -> Iterator:
    """Transcripts of a GFF3 file, in kent gff3ToGenePred's order, with ``attrs`` filled.

    ``repair_ncbi`` and ``partial_cds_stat`` are the opt-in improvements over kent
    (``-repairNcbi``, ``-partialCdsStat``; see docs/improvements.md)."""
    conv = Gff3Converter(src, refseq_hacks=refseq_hacks, use_name=use_name, rna_name_attr=rna_name_attr,
                         gene_name_attr=gene_name_attr, process_all_gene_children=process_all_gene_children,
                         allow_minimal_genes=allow_minimal_genes,
                         honor_start_stop_codons=honor_start_stop_codons,
                         default_cds_status_to_unknown=default_cds_status_to_unknown,
                         warn_and_continue=warn_and_continue, max_parse_errors=max_parse_errors,
                         max_convert_errors=max_convert_errors, want_transcripts=True, report=report,
                         repair_ncbi=repair_ncbi, partial_cds_stat=partial_cds_stat)
    return conv.transcripts()
