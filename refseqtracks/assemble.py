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

Streaming: features are grouped into loci that close when a new root starts (or at ``###``)
with no forward ``Parent`` reference open.  Each locus is resolved and converted on its own and
only the output lines are kept; they are emitted in reverse order at the end, which is kent's
global order.  A reference back into a closed locus (or an ID re-used across loci) makes the
converter start over with the whole file as one locus, so the result is kent's either way.

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
import marshal
import os
import sys
import tempfile
from array import array
from typing import Callable, Iterable, Iterator

from refseqtracks.assemble_rules import (
    GENE_TYPES, TRANSCRIPT_TYPES, Ann, ConvertOptions, RootResult, convert_root,
)
from refseqtracks.errors import RefseqtracksError
from refseqtracks.fileio import Source, input_name
from refseqtracks.gff3 import Gff3Abort, Gff3Reader, format_gff3_line
from refseqtracks.model import Transcript

__all__ = ["read_gff3", "Gff3Converter", "GENE_TYPES", "TRANSCRIPT_TYPES"]


class _Restart(Exception):
    """The input is not grouped by locus as assumed: convert it again.

    ``holds`` maps IDs referenced after their locus was closed to the last line referring to
    them; a second streaming pass keeps those loci open that long.  Without holds, the whole
    input is converted as one locus.
    """

    def __init__(self, holds: dict[str, int] | None = None):
        super().__init__()
        self.holds = holds


class Gff3Converter:
    """Convert one GFF3 input the way kent's gff3ToGenePred does (see the module docstring).

    ``report`` receives every diagnostic line (default: :attr:`messages`).  :meth:`run` does the
    work and returns the kent-ordered results; :meth:`transcripts` yields :class:`Transcript`
    objects; :meth:`write` writes the genePred and side outputs.
    """

    def __init__(self, src: Source, *, refseq_hacks: bool = False, use_name: bool = False,
                 rna_name_attr: str | None = None, gene_name_attr: str | None = None,
                 process_all_gene_children: bool = False, allow_minimal_genes: bool = False,
                 honor_start_stop_codons: bool = False, default_cds_status_to_unknown: bool = False,
                 warn_and_continue: bool = False, max_parse_errors: int = 50,
                 max_convert_errors: int = 50, want_attrs: bool = False, want_unprocessed: bool = False,
                 want_transcripts: bool = False, report: Callable[[str], None] | None = None,
                 streaming: bool = True):
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
            want_transcripts=want_transcripts, path=self.path)
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
        # big side outputs are kept in a temporary file until they are written in reverse
        self.spool_results = True
        self.reader: Gff3Reader | None = None
        self.convert_errors = 0

    # -- the work ------------------------------------------------------------------------
    def run(self) -> list[RootResult]:
        """Parse, resolve and convert; returns the per-root results in kent's order."""
        # loci break their own reference cycles when closed, so the cyclic collector (a quarter
        # of the run time on large inputs) is not needed while converting
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run_all()
        finally:
            if was_enabled:
                gc.enable()

    def _run_all(self) -> list[RootResult]:
        src = self.src
        self.passes = 0
        spool = None
        if self.streaming and not isinstance(src, (str, os.PathLike)) or (
                isinstance(src, str) and src in ("-", "stdin", "/dev/stdin")):
            spool = _Spool(src)
            src = spool
        try:
            if self.streaming:
                holds = None
                try:
                    return self._run(src, streaming=True)
                except _Restart as ex:
                    holds = ex.holds
                    if spool is not None:
                        spool.rewind()
                if holds:
                    seen = self._seen_lines
                    try:
                        return self._run(src, streaming=True, quiet_until=seen, holds=holds)
                    except _Restart:
                        if spool is not None:
                            spool.rewind()
                        self._seen_lines = max(seen, self._seen_lines)
            return self._run(src, streaming=False, quiet_until=self._seen_lines)
        finally:
            if spool is not None:
                spool.close()

    _seen_lines = 0

    #: how many passes over the input the last run needed (1; 2 with held loci; 3 as one locus)
    passes = 0

    def _run(self, src, *, streaming: bool, quiet_until: int = 0,
             holds: dict[str, int] | None = None) -> list[RootResult]:
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
        state = _Grouper(self, streaming, holds)
        reader = Gff3Reader(src, max_errors=self.max_parse_errors, warn=self.opts.warn_and_continue,
                            report=report, on_directive=state.directive)
        reader.path = self.path
        self.reader = reader
        try:
            for feat in reader:
                state.add(feat)
                self._seen_lines = feat.lineno
            state.finish()
            self._resolution_messages(reader, state)
            if reader.error_count:
                raise Gff3Abort(f"GFF3: {reader.error_count} parser errors")
        except BaseException:
            state.done.close()
            raise
        return state.results

    def _resolution_messages(self, reader: Gff3Reader, state: "_Grouper") -> None:
        for msg, warnable in state.discontinuous_msgs + state.resolve_msgs:
            if warnable and self.opts.warn_and_continue:
                reader.report(f"WARNING: {msg}")
            else:
                reader.report(msg + (" (error can be a warning)" if warnable else ""))
                reader.count_error()

    # -- output --------------------------------------------------------------------------
    def replay(self, results: Iterable[RootResult], *, on_transcript: Callable, on_bad: Callable | None,
               on_attrs: Callable | None, on_unprocessed: Callable | None) -> int:
        """Emit the results in kent's order, honouring the conversion error budget.

        ``on_transcript(gp_line, Transcript | None)``; the others receive text.  Diagnostics go to
        ``report``.  Returns the number of conversion errors (see :meth:`finish_message`).
        """
        sinks = {"tx": on_transcript, "bad": on_bad, "attrs": on_attrs, "root": on_unprocessed}
        for kind, a, b in self._outputs(results, want_attrs=on_attrs is not None,
                                        want_roots=on_unprocessed is not None):
            fn = sinks[kind]
            if fn is not None:
                if kind == "tx":
                    fn(a, b)
                else:
                    fn(a)
        return self.convert_errors

    def _outputs(self, results: Iterable[RootResult], *, want_attrs: bool, want_roots: bool):
        """``(kind, value, transcript)`` in output order: kinds tx, bad, attrs, root."""
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
              max_convert_errors: int = 50, report: Callable[[str], None] | None = None) -> Iterator:
    """Transcripts of a GFF3 file, in kent gff3ToGenePred's order, with ``attrs`` filled."""
    conv = Gff3Converter(src, refseq_hacks=refseq_hacks, use_name=use_name, rna_name_attr=rna_name_attr,
                         gene_name_attr=gene_name_attr, process_all_gene_children=process_all_gene_children,
                         allow_minimal_genes=allow_minimal_genes,
                         honor_start_stop_codons=honor_start_stop_codons,
                         default_cds_status_to_unknown=default_cds_status_to_unknown,
                         warn_and_continue=warn_and_continue, max_parse_errors=max_parse_errors,
                         max_convert_errors=max_convert_errors, want_transcripts=True, report=report)
    return conv.transcripts()


class _Locus:
    """Features linked by Parent references (one gene with its transcripts, exons ...)."""

    __slots__ = ("anns", "ids", "pending", "seqids", "max_end", "hold")

    def __init__(self):
        self.anns: list[Ann] = []
        self.ids: dict[str, list[Ann]] = {}
        self.pending: set[str] = set()
        self.seqids: set[str] = set()
        self.max_end = 0
        self.hold = 0  # stays open until this line (a late reference seen by an earlier pass)


class _Grouper:
    """Collects features into loci and converts each locus once it is complete.

    A locus is complete when the input has moved past it: a new root starts on another seqid or
    at/after the locus end, or a ``###`` line comes, and no forward Parent reference is open.
    """

    def __init__(self, conv: Gff3Converter, streaming: bool, holds: dict[str, int] | None = None):
        self.conv = conv
        self.holds = holds or {}
        # first pass: late references are collected (for a second pass) instead of raising
        self.late: dict[str, int] | None = None if holds else {}
        self.ref_line: dict[str, int] = {}
        self.opts = conv.opts
        self.streaming = streaming
        self.want_unprocessed = conv.want_unprocessed
        self.open: list[_Locus] = []
        self.where: dict[str, _Locus] = {}      # ID -> open locus holding it
        self.waiting: dict[str, _Locus] = {}    # forward-referenced ID -> open locus waiting for it
        self.flushed: dict[str, str | None] = {}
        self.done = _ResultStore(conv.spool_results)
        self.closed = 0
        self.discontinuous_msgs: list[tuple[str, bool]] = []
        self.resolve_msgs: list[tuple[str, bool]] = []
        self.seq = 0

    @property
    def results(self) -> Iterator[RootResult]:
        return self.done.in_kent_order()

    def directive(self, name: str) -> None:
        if name == "###" and self.streaming:
            line = self.conv.reader.lineno if self.conv.reader is not None else 0
            for loc in [g for g in self.open if not g.pending and g.hold <= line]:
                self.close(loc)

    def add(self, feat) -> None:
        attrs = feat.attrs
        idv = attrs.get("ID")
        fid = idv[0] if idv else None
        parents = attrs.get("Parent")
        seqid, start = feat.seqid, feat.start
        where = self.where
        if not self.streaming:
            loc = self.open[0] if self.open else None
            if loc is None:
                loc = _Locus()
                self.open.append(loc)
        else:
            lineno = feat.lineno
            if not parents and self.open:
                for g in self.open[:]:
                    if (not g.pending and (seqid not in g.seqids or g.max_end <= start)
                            and g.hold <= lineno and (fid is None or fid not in g.ids)):
                        self.close(g)
            flushed = self.flushed
            late = self.late
            found: list[_Locus] = []
            if fid is not None:
                if fid in flushed:
                    prev = flushed[fid]
                    if prev is None or prev != feat.type or parents:
                        if late is None:
                            raise _Restart()
                        late[fid] = lineno
                g = where.get(fid)
                if g is not None:
                    found.append(g)
                g = self.waiting.get(fid)
                if g is not None and g not in found:
                    found.append(g)
            missing = None
            if parents:
                for pid in parents:
                    g = where.get(pid)
                    if g is None:
                        if pid in flushed:
                            if late is None:
                                raise _Restart()
                            late[pid] = lineno
                        self.ref_line[pid] = lineno
                        g = self.waiting.get(pid)
                        if missing is None:
                            missing = []
                        missing.append(pid)
                    if g is not None and g not in found:
                        found.append(g)
            if not found:
                loc = _Locus()
                self.open.append(loc)
            else:
                loc = found[0]
                for other in found[1:]:
                    self._merge(loc, other)
            if fid is not None and fid in loc.pending:
                loc.pending.discard(fid)
                del self.waiting[fid]
            if missing:
                for pid in missing:
                    loc.pending.add(pid)
                    self.waiting[pid] = loc
            if fid is not None and fid in self.holds:
                h = self.holds[fid]
                if h > loc.hold:
                    loc.hold = h
        ann = Ann(feat, fid, self.seq)
        self.seq += 1
        loc.anns.append(ann)
        loc.seqids.add(seqid)
        if feat.end > loc.max_end:
            loc.max_end = feat.end
        if fid is not None:
            parts = loc.ids.get(fid)
            if parts is None:
                loc.ids[fid] = [ann]
                if self.streaming:
                    where[fid] = loc
            else:
                parts.append(ann)

    def _merge(self, into: _Locus, other: _Locus) -> None:
        into.anns = sorted(into.anns + other.anns, key=lambda a: a.seq)
        for fid, parts in other.ids.items():
            mine = into.ids.get(fid)
            if mine is None:
                into.ids[fid] = parts
            else:
                mine.extend(parts)
                mine.sort(key=lambda a: a.seq)
            self.where[fid] = into
        for pid in other.pending:
            self.waiting[pid] = into
        into.pending |= other.pending
        into.seqids |= other.seqids
        into.max_end = max(into.max_end, other.max_end)
        into.hold = max(into.hold, other.hold)
        self.open.remove(other)

    def finish(self) -> None:
        if self.streaming and self.closed and any(g.pending for g in self.open):
            # unresolved references may point into an earlier locus: hold loci for them
            if self.late is None:
                raise _Restart()
            for g in self.open:
                for pid in g.pending:
                    self.late[pid] = self.ref_line.get(pid, 0)
        if self.late:
            self.done.close()
            raise _Restart(self.late)
        for g in self.open[:]:
            self.close(g)

    def close(self, loc: _Locus) -> None:
        self.open.remove(loc)
        self.closed += 1
        anns, ids = loc.anns, loc.ids
        if self.streaming:
            where = self.where
            for fid in ids:
                where.pop(fid, None)
            for pid in loc.pending:
                self.waiting.pop(pid, None)
        heads = _discontinuous(ids, self.discontinuous_msgs)
        roots = _resolve(anns, heads, self.resolve_msgs)
        if self.streaming:
            flushed = self.flushed
            for ann in anns:
                if ann.id is not None and (ann.children or ann.parents or ann.parent_ids):
                    flushed[ann.id] = None
            for ann in roots:
                if ann.id is not None and ann.id not in flushed:
                    flushed[ann.id] = ann.type
        opts = self.opts
        processed: set[int] = set()
        done = self.done
        for root in roots:
            res = convert_root(root, opts, processed)
            if self.want_unprocessed and (not res.processed or self.conv.all_root_lines):
                res.line = format_gff3_line(root.feat)
            done.add(root.seq, res)
        for ann in anns:  # break the parent/child cycles so the locus is freed at once
            ann.parents = ann.children = None


def _discontinuous(ids: dict[str, list[Ann]], msgs: list[tuple[str, bool]]) -> dict[str, Ann]:
    """Head part per ID (lowest start, end), plus kent's consistency checks of parts."""
    heads: dict[str, Ann] = {}
    for fid, parts in ids.items():
        if len(parts) == 1:
            heads[fid] = parts[0]
            continue
        ordered = sorted(reversed(parts), key=lambda a: (a.start, a.end))
        head = ordered[0]
        heads[fid] = head
        for other in ordered[1:]:
            if other.type != head.type:
                msgs.append((f"Annotation records for discontinuous features with ID=\"{fid}\" do not have "
                             f"the same type, found \"{head.type}\" and \"{other.type}\"", False))
            if other.parent_ids != head.parent_ids:
                a = ",".join(head.parent_ids)
                b = ",".join(other.parent_ids)
                msgs.append((f"Annotation records for discontinuous features with ID=\"{fid}\" must have "
                             f"same parent, found: \"{a}\" and \"{b}\"", False))
    return heads


def _resolve(anns: list[Ann], heads: dict[str, Ann], msgs: list[tuple[str, bool]]) -> list[Ann]:
    """Link parents and children; returns the roots in kent's (reverse file) order."""
    roots: list[Ann] = []
    for ann in anns:
        dfrom = ann.attrs.get("Derives_from")
        if dfrom and dfrom[0] not in heads:
            msgs.append((f"Can't find annotation record \"{dfrom[0]}\" referenced by "
                         f"\"{ann.id}\" Derives_from attribute", True))
        pids = ann.parent_ids
        if pids:
            found = []
            for pid in pids:
                par = heads.get(pid)
                if par is None:
                    msgs.append((f"Can't find annotation record \"{pid}\" referenced by "
                                 f"\"{ann.id if ann.id is not None else '(null)'}\" Parent attribute", True))
                else:
                    found.append(par)
            # a feature whose parents are all missing is no root either (kent v492)
            if found:
                found.reverse()
                ann.parents = found
                for par in found:
                    par.children.append(ann)
            continue
        roots.append(ann)
    for ann in anns:
        if ann.children:
            ann.children.reverse()
    roots.reverse()
    return roots


class _ResultStore:
    """Per-root results, handed back in kent's order (descending root sequence number).

    With ``spool``, results are marshalled to a temporary file as loci close, so that memory does
    not grow with the output (genePred lines, -attrsOut / -unprocessedRootsOut text, transcripts).
    """

    def __init__(self, spool: bool):
        self._mem: list[tuple[int, RootResult]] | None = None if spool else []
        self._tmp = tempfile.TemporaryFile() if spool else None
        self._seqs = array("q")
        self._offs = array("q")
        self._pos = 0

    def add(self, seq: int, res: RootResult) -> None:
        if self._mem is not None:
            self._mem.append((seq, res))
            return
        events = res.events
        if any(ev[0] == "tx" and ev[2] is not None for ev in events):
            events = [(ev[0], ev[1], _tx_fields(ev[2]), ev[3]) if ev[0] == "tx" and ev[2] is not None else ev
                      for ev in events]
        blob = marshal.dumps((res.processed, events, res.line))
        self._tmp.write(blob)
        self._seqs.append(seq)
        self._offs.append(self._pos)
        self._pos += len(blob)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.close()

    def __del__(self) -> None:  # results never read (an error in between): drop the file quietly
        self.close()

    def in_kent_order(self) -> Iterator[RootResult]:
        if self._mem is not None:
            self._mem.sort(key=lambda x: -x[0])
            for _, res in self._mem:
                yield res
            return
        tmp, seqs, offs = self._tmp, self._seqs, self._offs
        offs.append(self._pos)
        order = sorted(range(len(seqs)), key=seqs.__getitem__, reverse=True)
        tmp.flush()
        try:
            for i in order:
                tmp.seek(offs[i])
                processed, events, line = marshal.loads(tmp.read(offs[i + 1] - offs[i]))
                for k, ev in enumerate(events):
                    if ev[0] == "tx" and ev[2] is not None:
                        events[k] = (ev[0], ev[1], Transcript(*ev[2]), ev[3])
                yield RootResult(processed, events, line)
        finally:
            tmp.close()


def _tx_fields(tx: Transcript) -> tuple:
    return (tx.name, tx.chrom, tx.strand, tx.tx_start, tx.tx_end, tx.cds_start, tx.cds_end, tx.exon_starts,
            tx.exon_ends, tx.score, tx.name2, tx.cds_start_stat, tx.cds_end_stat, tx.exon_frames,
            dict(tx.attrs) if tx.attrs is not None else None)


class _Spool:
    """A one-pass input (stdin, a file object) copied to a temporary file as it is read."""

    gff3_line_source = True

    def __init__(self, src: Source):
        from refseqtracks.fileio import open_input
        self._in = open_input(src)
        self.name = input_name(src)
        self._tmp = tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape", newline="")
        self._replaying = False
        self._gen = None

    def rewind(self) -> None:
        self._tmp.flush()
        self._tmp.seek(0)
        self._replaying = True
        self._gen = None

    # the tiny file-object protocol Gff3Reader needs
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def readline(self) -> str:
        return next(self._lines(), "")

    def __iter__(self):
        return self._lines()

    def _lines(self):
        if self._gen is None:
            self._gen = self._replay() if self._replaying else self._tee()
        return self._gen

    def _tee(self):
        write = self._tmp.write
        for line in self._in:
            write(line)
            yield line

    def _replay(self):
        yield from self._tmp
        yield from self._in

    def close(self) -> None:
        try:
            self._tmp.close()
        finally:
            self._in.close()
