"""The build's ncbiRefSeqLink table made by name, without the link-table facts in memory.

Coordinates do not appear here.  What it reproduces: :class:`refseqtracks.annotate.LinkTable`
for transcripts without attributes (the build's genePred records), whose row depends only on
the name and on the :class:`~refseqtracks.annotate_facts.GffFacts` of the GFF3 lines:

- the first placement of the name in file order gives the transcript's record, the record of
  its top-level gene, its CDS's ``protein_id`` and the CDS ``Note``;
- the ``Note`` of every further placement (and of its CDS) is merged in file order
  (:func:`~refseqtracks.annotate.merge_note`), then the gene's ``Note``;
- rows are sorted by id bytewise; a name added twice gives one row.

Why and how: for human RefSeq the facts are hundreds of megabytes as Python objects.  Instead,
the facts of each piece of the file (a piece holds whole loci: see :mod:`refseqtracks.parallel`)
are turned, where the piece is scanned, into one *entry* per wanted name (:func:`name_entries`)
and written sorted by name to a file (:func:`write_entries`).  The build adds only names to an
external sort (:class:`~refseqtracks.extsort.ExternalSorter`); :class:`NameLinkTable` merges the
sorted names with the pieces' sorted entries (``heapq.merge``, piece order breaking ties, so a
name's entries come in file order) and makes each row from its entries.  An entry is::

    (name bytes, first placement's record or None, its top gene's record or None,
     protein_id, CDS Note, (Note, CDS Note, ...) of the piece's further placements)

Records are the facts' strings or tuples, parsed where the piece is scanned.  The pieces'
entries give what the merged facts give because the conversion falls back to one process when
a feature ID or a ``Parent`` crosses pieces (so every lookup of a placement stays in its piece),
and :meth:`refseqtracks.ncbirefseq_scan.GffScan.merge` refuses a piece whose first CDS line
continues the previous piece's last CDS.

:class:`LinesJob` writes the table from a forked child process while the build merges the PSL.

Public API: :func:`name_entries`, :func:`write_entries`, :func:`read_entries`,
:class:`NameLinkTable`, :class:`LinesJob`.
"""
from __future__ import annotations

import heapq
import os
import tempfile
from typing import IO, Callable, Iterable, Iterator, Mapping

from refseqtracks.annotate import (
    Gene2RefseqRow, GeneInfo, _NO_FIELDS, _row, format_link_line, join_gene, merge_note,
)
from refseqtracks.annotate_facts import GffFacts, _parse_raw, _RAW_MARKS, record_fields
from refseqtracks.batchfile import dump_batch, iter_items
from refseqtracks.fileio import write_lines

__all__ = ["name_entries", "write_entries", "read_entries", "NameLinkTable", "LinesJob", "name_key"]

_BATCH = 1024
#: entries per batch of an entry file: the link table reads one batch of every piece at a time
_ENTRY_BATCH = 128
#: names held in memory by the name sort before a sorted run is written
NAME_SORT_LIMIT = 50_000


def name_key(name: str) -> bytes:
    """The sort key of a transcript name: its bytes (the table is sorted bytewise)."""
    return name.encode("utf-8", "surrogateescape")


def _fields(rec) -> list:
    if rec.__class__ is str and rec[:1] in _RAW_MARKS:
        rec = _parse_raw(rec)
    return record_fields(rec)


def name_entries(facts: GffFacts, *, keep: "Callable[[str], bool] | None" = None) -> list[tuple]:
    """The entries (module docstring) of every name of ``facts`` that ``keep`` passes (default
    the facts' ``keep_named``), sorted by name bytewise."""
    keep = keep if keep is not None else facts.keep_named
    by_name = facts.by_name
    more_by_name = facts.more_by_name
    features = facts.features
    protein_ids = facts.protein_ids
    cds_notes = facts.cds_notes
    parent_of = facts.parent_of
    out = []
    for name, fid in by_name.items():
        if keep is not None and not keep(name):
            continue
        rec = features.get(fid)
        if rec.__class__ is str and rec[:1] in _RAW_MARKS:
            rec = _parse_raw(rec)  # (here, in the piece's worker, rather than in the join)
        gene = None
        prot = cds = ""
        if rec is not None:
            if fid in parent_of:
                top = facts.top_id(fid)
                if top is not None:
                    gene = facts.record(top)
            prot = protein_ids.get(fid, "")
        cds = cds_notes.get(fid, "") if cds_notes else ""
        more: tuple = ()
        others = more_by_name.get(name)
        if others:
            notes = []
            for other in others:
                fields = facts.fields(other)
                notes.append(fields[11] if fields is not None else "")
                notes.append(cds_notes.get(other, ""))
            more = tuple(notes)
        out.append((name_key(name), rec, gene, prot, cds, more))
    out.sort()
    return out


def write_entries(entries: list[tuple], path: str) -> None:
    """Write sorted entries to a file for :func:`read_entries`."""
    with open(path, "wb") as f:
        for i in range(0, len(entries), _ENTRY_BATCH):
            dump_batch(entries[i:i + _ENTRY_BATCH], f)


def read_entries(path: str) -> Iterator[tuple]:
    """The entries of a :func:`write_entries` file, in order."""
    with open(path, "rb") as f:
        yield from iter_items(f)


def _make_row(name: str, group: list[tuple]) -> list[str]:
    """:meth:`refseqtracks.annotate.LinkTable._make_row` of a transcript without attributes,
    from the name's entries in file order."""
    if not group:
        return _row(name, _NO_FIELDS, _NO_FIELDS, source="", protein_id="", status="Unknown",
                    description=None, note="")
    first = group[0]
    rec = first[1]
    if rec is None:
        t, gf, prot, cds = _NO_FIELDS, _NO_FIELDS, "", ""
    else:
        t = _fields(rec)
        gf = _fields(first[2]) if first[2] is not None else _NO_FIELDS
        prot, cds = first[3], first[4]
    note = merge_note(t[11], cds)
    others = list(first[5])
    for entry in group[1:]:
        others.append(_fields(entry[1])[11] if entry[1] is not None else "")
        others.append(entry[4])
        others += entry[5]
    for other in others:
        note = merge_note(note, other)
    note = merge_note(note, gf[11])
    return _row(name, t, gf, source=t[0], protein_id=prot, status="Unknown", description=None, note=note)


def _ordered(entries: Iterable[tuple], order: int) -> Iterator[tuple]:
    """``(name bytes, piece order, entry)`` of one piece's entries (ties go to earlier pieces)."""
    for e in entries:
        yield e[0], order, e


class NameLinkTable:
    """The link table of transcripts given by name (module docstring).

    ``entries`` gives the sorted entry streams, one per piece in file order (called once, when
    the table is read).  Add names with :meth:`add_name` (or :meth:`add`), then read the table
    once with :meth:`lines`; :meth:`accessions` and :meth:`gene_ids` (for the NCBI Gene joins)
    make the rows first, into a temporary file.
    """

    def __init__(self, entries: "Callable[[], Iterable[Iterable[tuple]]]", *,
                 sort_limit: int = NAME_SORT_LIMIT):
        from refseqtracks.extsort import ExternalSorter

        self._entries = entries
        self._sorter: ExternalSorter | None = ExternalSorter(limit=sort_limit)
        self._made: IO[bytes] | None = None
        self._accessions: set[str] = set()
        self._gene_ids: set[str] = set()
        #: a child process reads the names (:class:`LinesJob`): no more can be added
        self._sealed = False
        #: distinct names (known once the rows are made)
        self.count = 0

    def add_name(self, name: str) -> None:
        """Add the row of a transcript name (a name added again adds nothing)."""
        if self._sorter is None or self._sealed:
            raise RuntimeError("the link table was already read")
        self._sorter.add(name_key(name), name)

    def add(self, tx) -> None:
        """Add the row of a :class:`~refseqtracks.model.Transcript` (its name only)."""
        self.add_name(tx.name)

    def add_names_run(self, f: IO[bytes], count: int) -> None:
        """Add the names of a sorted run of ``(name_key(name), name)`` items (written by
        :meth:`refseqtracks.extsort.ExternalSorter.dump_run`; ``f`` at its start, closed by the
        table)."""
        if self._sorter is None or self._sealed:
            raise RuntimeError("the link table was already read")
        self._sorter.add_run(f, count)

    def rewind(self) -> None:
        """Undo another process's reading of the names (see :class:`LinesJob`)."""
        if self._sorter is not None:
            self._sorter.rewind()

    def _rows(self) -> Iterator[list[str]]:
        if self._sorter is None:
            raise RuntimeError("the link table was already read")
        sorter, self._sorter = self._sorter, None
        streams = [_ordered(s, i) for i, s in enumerate(self._entries())]
        entries = heapq.merge(*streams) if len(streams) != 1 else streams[0]
        ent = next(entries, None)
        last = None
        count = 0
        try:
            for name in sorter:
                if name == last:
                    continue
                last = name
                key = name_key(name)
                while ent is not None and ent[0] < key:
                    ent = next(entries, None)
                group = []
                while ent is not None and ent[0] == key:
                    group.append(ent[2])
                    ent = next(entries, None)
                count += 1
                yield _make_row(name, group)
        finally:
            sorter.close()
            self.count = count

    def _make_all(self) -> IO[bytes]:
        """Make every row into a temporary file, collecting the accessions and GeneIDs."""
        if self._made is None:
            f = tempfile.TemporaryFile()
            batch: list = []
            accs, gids = self._accessions, self._gene_ids
            for row in self._rows():
                accs.add(row[4] or row[0])
                accs.add(row[0])
                if row[6]:
                    gids.add(row[6])
                batch.append(row)
                if len(batch) >= _BATCH:
                    dump_batch(batch, f)
                    batch = []
            if batch:
                dump_batch(batch, f)
            f.seek(0)
            self._made = f
        return self._made

    def accessions(self) -> set[str]:
        """The RNA accessions a gene2refseq join looks up: each row's ``mrnaAcc`` (or ``id``
        when empty) and ``id``."""
        self._make_all()
        return set(self._accessions)

    def gene_ids(self) -> set[str]:
        """The non-empty ``locusLinkId`` values (GeneIDs a gene_info join looks up)."""
        self._make_all()
        return set(self._gene_ids)

    def _made_rows(self) -> Iterator[list[str]]:
        f, self._made = self._made, None
        if f is None:
            raise RuntimeError("the link table was already read")
        try:
            yield from iter_items(f)
        finally:
            f.close()

    def lines(self, *, gene2refseq: Mapping[str, Gene2RefseqRow] | None = None,
              gene_info: Mapping[str, GeneInfo] | None = None) -> Iterator[str]:
        """The formatted link lines, sorted by id bytewise; once (as
        :meth:`refseqtracks.annotate.LinkTable.lines`)."""
        rows = self._made_rows() if self._made is not None else self._rows()
        for r in rows:
            join_gene(r, gene2refseq, gene_info)
            text = "\t".join(r)
            if "\n" in text or text.count("\t") != 18:  # a value with a tab or a newline
                yield format_link_line(r)
            else:
                yield text + "\n"

    def rows(self) -> list[list[str]]:
        """The rows, sorted by id bytewise (once)."""
        return list(self._made_rows() if self._made is not None else self._rows())

    def close(self) -> None:
        """Drop the name sort and any rows made."""
        if self._sorter is not None:
            self._sorter.close()
            self._sorter = None
        if self._made is not None:
            self._made.close()
            self._made = None


class LinesJob:
    """:meth:`NameLinkTable.lines` (without NCBI Gene joins) written to ``path`` by a forked child
    process while the caller goes on; the build makes the PSL meanwhile.

    :meth:`result` waits for the child: the number of rows (the table is closed), or None when
    the child failed (or ``fork`` is unavailable); the table is then as it was, to be read by
    the caller.
    """

    def __init__(self, table: NameLinkTable, path: str) -> None:
        self.table = table
        self.path = path
        self.pid = None
        table._sealed = True  # (names added now would be missing from the child's table)
        if not hasattr(os, "fork"):
            return
        r, w = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: write the table, say how many rows, leave without cleaning up
            code = 1
            try:
                from refseqtracks.process import end_with_parent
                end_with_parent(parent)
                try:  # the build's other processes first (the PSL step waits for the tables): this one fills in
                    os.nice(10)
                except OSError:
                    pass
                os.close(r)
                with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
                    write_lines(f, table.lines(), chunk=8192)
                os.write(w, str(table.count).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        self.pid, self._read = pid, r

    def result(self) -> int | None:
        """The rows written, once the child is done; None if it failed."""
        if self.pid is None:
            return None
        chunks = []
        while True:
            data = os.read(self._read, 64)
            if not data:
                break
            chunks.append(data)
        os.close(self._read)
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        text = b"".join(chunks)
        if os.waitstatus_to_exitcode(status) != 0 or not text.isdigit():
            self.table.rewind()
            return None
        self.table.close()  # (read by the child)
        return int(text)

    def close(self) -> None:
        """Stop the child if nobody asked for its result (the build failed meanwhile)."""
        if self.pid is not None:
            import signal
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(self.pid, 0)
            os.close(self._read)
            self.pid = None
