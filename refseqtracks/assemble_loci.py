"""Locus grouping for the streaming GFF3 → genePred conversion (kent ``gff3.c`` resolution).

Coordinates are 0-based half-open.  kent resolves Parent references over the whole file; we do
it per locus (features linked by Parent/shared IDs) and reproduce kent's global effects:

* roots in reverse file order (results are sorted by root sequence number at the end);
* a Parent reference resolves to the part of a discontinuous feature with the lowest
  (start, end); every part is a child; parts must share type and parents;
* a feature whose parents are all missing is neither child nor root (kent v492).

Speed: :meth:`Grouper.add_all` takes the records of :meth:`Gff3Reader.batches`; the child of
a feature of an open locus (most lines) joins it without the general bookkeeping; an alignment
root (``cDNA_match``, ``match``: one line in eight of a RefSeq file) whose ID no open locus holds
is its own finished locus at once (:meth:`Grouper._lone`; a later reference to it is a late
reference, as if its locus had been closed).  Whether an ID was already used by a closed locus
(kent would join the two) is looked at once per locus, when it closes, instead of once per line:
the set of all IDs seen is large and slow to probe.
"""
from __future__ import annotations

import marshal
import tempfile
from array import array
from typing import TYPE_CHECKING, Iterator

from operator import attrgetter, itemgetter

from refseqtracks.assemble_rules import GENE_TYPES, TRANSCRIPT_TYPES, Ann, RootResult, convert_root
from refseqtracks.fileio import Source, input_name
from refseqtracks.gff3 import format_gff3_line
from refseqtracks.model import Transcript

if TYPE_CHECKING:
    from refseqtracks.assemble import Gff3Converter

__all__ = ["Grouper", "Restart", "Spool"]

_SEQ = attrgetter("lineno")  # (Ann.seq)
_START_END = attrgetter("start", "end")


class Restart(Exception):
    """The input is not grouped by locus as assumed: convert it again.

    ``holds`` maps IDs referenced after their locus was closed to the last line referring to
    them; a second streaming pass keeps those loci open that long.  Without holds, the whole
    input is converted as one locus.
    """

    def __init__(self, holds: dict[str, int] | None = None):
        super().__init__()
        self.holds = holds


#: root types that are never converted and, in RefSeq, never have children (the alignments)
_LONE_TYPES = frozenset(("cDNA_match", "match"))


class _Locus:
    """Features linked by Parent references (one gene with its transcripts, exons ...)."""

    __slots__ = ("anns", "ids", "parts", "pending", "seqids", "max_end", "hold", "late_keys", "derived")

    def __init__(self):
        self.anns: list[Ann] = []
        self.ids: dict[str, Ann] = {}  # ID -> its first part
        self.parts: dict[str, list[Ann]] = {}  # ID of a discontinuous feature -> all its parts
        self.pending: set[str] = set()
        self.seqids: set[str] = set()
        self.max_end = 0
        self.hold = 0  # stays open until this line (a late reference seen by an earlier pass)
        self.late_keys: set[str] | None = None  # first pass: IDs this locus referred to late
        self.derived = False  # a feature has Derives_from


class Grouper:
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

    @property
    def results(self) -> Iterator[RootResult]:
        return self.done.in_kent_order()

    def directive(self, name: str) -> None:
        if name == "###" and self.streaming:
            line = self.conv.reader.lineno if self.conv.reader is not None else 0
            for loc in [g for g in self.open if not g.pending and g.hold <= line]:
                self.close(loc)

    def add_all(self, records) -> None:
        """:meth:`add` for each record, the child of a feature of an open locus the short way.

        On an exception, :attr:`last_line` is the line of the record that raised it.
        """
        where = self.where
        get = where.get
        waiting, holds = self.waiting, self.holds
        add = self.add
        ann = None
        try:
            if not self.streaming:
                for ann in records:
                    add(ann)
                return
            cur = None  # the locus of the last record that took the short way
            lone = self._lone
            for ann in records:
                # the common case: the child of a feature of an open locus, with a new ID or the
                # ID of another part in the same locus (the CDS lines of one protein)
                if ann.__class__ is Ann:  # (not a GffFeature, no Derives_from)
                    parents = ann.parent_ids
                    if len(parents) == 1:
                        loc = get(parents[0])
                        if loc is not None:
                            if loc is not cur:
                                cur = loc
                                ids, append, seqids, seqid = loc.ids, loc.anns.append, loc.seqids, None
                            fid = ann.id
                            if fid is not None:
                                at = get(fid)
                                if at is None:
                                    # (an ID of a closed locus is seen to when this one closes)
                                    if fid in waiting or fid in holds:
                                        add(ann)
                                        cur = None
                                        continue
                                    ids[fid] = ann
                                    where[fid] = loc
                                elif at is loc:
                                    more = loc.parts.get(fid)
                                    if more is None:
                                        loc.parts[fid] = [ids[fid], ann]
                                    else:
                                        more.append(ann)
                                else:
                                    add(ann)
                                    cur = None
                                    continue
                            append(ann)
                            if ann.seqid != seqid:
                                seqid = ann.seqid
                                seqids.add(seqid)
                            if ann.end > loc.max_end:
                                loc.max_end = ann.end
                            continue
                    elif not parents and ann.type in _LONE_TYPES and lone(ann):
                        continue
                add(ann)  # (it may merge or close loci)
                cur = None
        finally:
            if ann is not None:
                self.last_line = ann.lineno

    #: the line of the last record given to :meth:`add_all`
    last_line = 0

    def _lone(self, ann: Ann) -> bool:
        """Take an alignment root (``cDNA_match``, ``match``) at once, as the locus of its own
        it would be, when no feature seen so far shares its ID (other than as such a root):
        its result is its -unprocessedRootsOut line.  A feature coming later that refers to it,
        or uses its ID otherwise, is a late reference like any other (another pass)."""
        fid = ann.id
        if fid is not None:
            if fid in self.where or fid in self.waiting or fid in self.holds:
                return False
            seen = self.flushed.get(fid, ann.type)
            if seen != ann.type:
                return False
            self.flushed[fid] = seen
        self.closed += 1
        if self.want_unprocessed:
            self.done.add(ann.lineno, RootResult(line=format_gff3_line(ann)))
        return True

    def add(self, ann) -> None:
        """Take one feature: an :class:`Ann` of a quick line, or a :class:`GffFeature`."""
        if not isinstance(ann, Ann):
            ann = Ann.of(ann)
        fid = ann.id
        parents = ann.parent_ids
        derives = ann.derives
        where = self.where
        if derives is not None:
            # kent resolves Derives_from too: keep the two features in one locus
            parents = list(parents) + [derives]
        seqid, start = ann.seqid, ann.start
        if not self.streaming:
            loc = self.open[0] if self.open else None
            if loc is None:
                loc = _Locus()
                self.open.append(loc)
        else:
            lineno = ann.lineno
            if not parents and self.open:
                for g in self.open[:]:
                    if (not g.pending and (seqid not in g.seqids or g.max_end <= start)
                            and g.hold <= lineno and (fid is None or fid not in g.ids)):
                        self.close(g)
            flushed = self.flushed
            late = self.late
            late_keys = None
            found: list[_Locus] = []
            if fid is not None:
                if fid in flushed:
                    prev = flushed[fid]
                    if prev is None or prev != ann.type or parents:
                        if late is None:
                            raise Restart()
                        late[fid] = lineno
                        late_keys = [fid]
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
                                raise Restart()
                            late[pid] = lineno
                            late_keys = (late_keys or []) + [pid]
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
            if late_keys:
                if loc.late_keys is None:
                    loc.late_keys = set()
                loc.late_keys.update(late_keys)
        loc.anns.append(ann)
        loc.seqids.add(seqid)
        if ann.end > loc.max_end:
            loc.max_end = ann.end
        if derives is not None:
            loc.derived = True
        if fid is not None:
            first = loc.ids.get(fid)
            if first is None:
                loc.ids[fid] = ann
                if self.streaming:
                    where[fid] = loc
            else:
                more = loc.parts.get(fid)
                if more is None:
                    loc.parts[fid] = [first, ann]
                else:
                    more.append(ann)

    def _merge(self, into: _Locus, other: _Locus) -> None:
        into.anns = sorted(into.anns + other.anns, key=_SEQ)
        for fid, first in other.ids.items():
            mine = into.ids.get(fid)
            if mine is None:
                into.ids[fid] = first
                if fid in other.parts:
                    into.parts[fid] = other.parts[fid]
            else:
                both = into.parts.get(fid, [mine]) + other.parts.get(fid, [first])
                both.sort(key=_SEQ)
                into.ids[fid] = both[0]
                into.parts[fid] = both
            self.where[fid] = into
        for pid in other.pending:
            self.waiting[pid] = into
        into.pending |= other.pending
        into.seqids |= other.seqids
        into.max_end = max(into.max_end, other.max_end)
        into.hold = max(into.hold, other.hold)
        into.derived = into.derived or other.derived
        if other.late_keys:
            into.late_keys = (into.late_keys or set()) | other.late_keys
        self.open.remove(other)

    def _check_reuse(self, loc: _Locus) -> None:
        """kent joins features sharing an ID: an ID of ``loc`` that a closed locus had too is a late
        reference (unless every part is a root of the type it had there, without children)."""
        flushed = self.flushed
        if flushed.keys().isdisjoint(loc.ids):
            return
        for fid, first in loc.ids.items():
            if fid not in flushed:
                continue
            prev = flushed[fid]
            for ann in loc.parts.get(fid, (first,)):
                if prev is None or prev != ann.type or ann.parent_ids or ann.derives is not None:
                    if self.late is None:
                        raise Restart()
                    self.late[fid] = ann.lineno
                    loc.late_keys = (loc.late_keys or set()) | {fid}
                    break

    def finish(self) -> None:
        if self.streaming and self.late is not None:
            for g in self.open:
                self._check_reuse(g)
        if self.streaming and self.closed and self.late is not None and any(g.pending for g in self.open):
            # unresolved references may point into an earlier locus: hold loci for them.  (In the
            # second pass such loci were held open, so what is still unresolved is missing.)
            for g in self.open:
                for pid in g.pending:
                    self.late[pid] = self.ref_line.get(pid, 0)
                    g.late_keys = (g.late_keys or set()) | {pid}
        if self.late:
            # the second pass keeps the referred-to locus open as long as the whole locus that
            # referred to it late (it merges into it then)
            for g in self.open:
                self._extend_holds(g)
            self.done.close()
            raise Restart(self.late)
        for g in self.open[:]:
            self.close(g)

    def _extend_holds(self, loc: _Locus) -> None:
        if loc.late_keys and self.late is not None:
            last = loc.anns[-1].lineno
            for key in loc.late_keys:
                if self.late.get(key, 0) < last:
                    self.late[key] = last

    def close(self, loc: _Locus) -> None:
        if self.streaming:
            self._check_reuse(loc)
        self._extend_holds(loc)
        self.open.remove(loc)
        self.closed += 1
        anns, ids = loc.anns, loc.ids
        if self.streaming:
            where = self.where
            for fid in ids:
                where.pop(fid, None)
            for pid in loc.pending:
                self.waiting.pop(pid, None)
        heads = _discontinuous(ids, loc.parts, self.discontinuous_msgs)
        roots, with_kids = _resolve(anns, heads, self.resolve_msgs, loc.derived)
        if self.streaming:
            # IDs whose every part is a root without children keep their type (the same ID may
            # come again as such a root); any other ID may not come again
            isolated: dict[str, str] = {}
            for ann in roots:
                fid = ann.id
                if fid is not None and not ann.children and fid not in isolated:
                    isolated[fid] = ann.type
            for fid, parts in loc.parts.items():
                if fid in isolated and any(p.parent_ids or p.children for p in parts):
                    del isolated[fid]
            flushed = self.flushed
            if not isolated:
                flushed.update(dict.fromkeys(ids))
            else:
                for fid in ids:
                    if fid not in isolated:
                        flushed[fid] = None
                    elif fid not in flushed:
                        flushed[fid] = isolated[fid]
        opts = self.opts
        processed: set[int] = set()
        done = self.done
        want_unprocessed = self.want_unprocessed
        for root in roots:
            t = root.type
            if t in GENE_TYPES or t in TRANSCRIPT_TYPES:
                res = convert_root(root, opts, processed)
                if want_unprocessed and (not res.processed or self.conv.all_root_lines):
                    res.line = format_gff3_line(root)
            elif want_unprocessed:  # (a root of any other type is not converted)
                res = RootResult(line=format_gff3_line(root))
            else:
                continue
            done.add(root.seq, res)
        for ann in with_kids:  # break the parent/child cycles so the locus is freed at once
            ann.children = None


def _discontinuous(ids: dict[str, Ann], parts: dict[str, list[Ann]],
                   msgs: list[tuple[str, bool]]) -> dict[str, Ann]:
    """Head part per ID (lowest start, end), plus kent's consistency checks of parts.

    ``ids`` (ID -> first part) becomes the heads.
    """
    heads = ids
    for fid, all_parts in parts.items():
        ordered = sorted(reversed(all_parts), key=_START_END)
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


def _missing_parent(pid: str, ann: Ann) -> tuple[str, bool]:
    return (f"Can't find annotation record \"{pid}\" referenced by "
            f"\"{ann.id if ann.id is not None else '(null)'}\" Parent attribute", True)


def _resolve(anns: list[Ann], heads: dict[str, Ann], msgs: list[tuple[str, bool]],
             derived: bool = True) -> tuple[list[Ann], list[Ann]]:
    """Link parents and children; returns the roots in kent's (reverse file) order and the
    features that have children.  ``derived``: some feature may have Derives_from."""
    roots: list[Ann] = []
    with_kids: list[Ann] = []
    get = heads.get
    for ann in anns:
        if derived:
            dfrom = ann.derives
            if dfrom is not None and dfrom not in heads:
                msgs.append((f"Can't find annotation record \"{dfrom}\" referenced by "
                             f"\"{ann.id}\" Derives_from attribute", True))
        pids = ann.parent_ids
        if not pids:
            roots.append(ann)
            continue
        if len(pids) == 1:  # the usual case, kept short
            par = get(pids[0])
            if par is None:
                msgs.append(_missing_parent(pids[0], ann))
                continue
            found = [par]
        else:
            found = []
            for pid in pids:
                par = get(pid)
                if par is None:
                    msgs.append(_missing_parent(pid, ann))
                else:
                    found.append(par)
            found.reverse()
        if found:
            # (a feature whose parents are all missing is no root either, kent v492)
            ann.parents = found
            for par in found:
                kids = par.children
                if kids:
                    kids.append(ann)
                else:
                    par.children = [ann]
                    with_kids.append(par)
    for ann in with_kids:
        ann.children.reverse()
    roots.reverse()
    return roots, with_kids


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
            # handed over, not kept: the converter and its grouper are a reference cycle, and
            # results kept here would be walked by the cyclic collector when it frees them
            mem, self._mem = self._mem, []
            mem.sort(key=itemgetter(0), reverse=True)  # (ties keep their order either way)
            for _, res in mem:
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


class Spool:
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
        tmp = self._tmp
        while True:
            line = tmp.readline()
            if not line:
                break
            yield line
        tmp.seek(0, 2)
        yield from self._tee()  # the rest of the input is copied too, for a further pass

    def close(self) -> None:
        try:
            self._tmp.close()
        finally:
            self._in.close()
