"""What the ncbiRefSeqLink table needs from raw GFF3 lines, kept small (:class:`GffFacts`).

The link table (:mod:`refseqtracks.annotate`) merges a transcript's attributes with those of
its top-level gene, the ``protein_id`` and ``Note`` of its CDS and the ``Note`` of its other
placements.  The converter's genePred lines carry none of that, so one pass over the raw lines
keeps, per feature that a link row can ask for, a *record*: column 2 and the values of the
attributes the link table reads (:data:`RECORD_TAGS`), each as the row would show it.

Why hand-written and how it stays exact: a human RefSeq GFF3 has ~4 M lines, and keeping raw
column 9 of every gene and transcript costs hundreds of megabytes; a record is one string (the
fields joined with ``\\x1f``, or a tuple when a value holds that byte), parsed once with exactly
the rules the rows use:

- a record value is every ``tag=value`` item of column 9 (items split on ``;``, stripped) whose
  tag matches, values split on ``,``, empty pieces dropped, ``%XX`` decoded, joined with ``,``;
  several items of one tag are joined too;
- ``Dbxref`` stays raw (split and decoded when a row is made, so decoded commas stay inside
  their value);
- ``ID``, ``Parent`` and ``Name`` are read as the first ``tag=`` at the start of column 9 or
  after a ``;``, up to the next ``;``, stripped and decoded (:func:`attr_value`).

Which features are kept (the build uses ``keep_children=False, keep_named=is_all``): top-level
features (no ``Parent=``), children whose ``Name`` passes ``keep_named`` (a CDS too: YP_ records
are named by their CDS), or every non-exon feature with ``keep_children``.  The parent of every
child feature with an ID, and the first ``protein_id`` and ``Note`` of the CDS of each parent.

While lines are read, a kept feature is only its raw column 9 (with column 2), as one string:
making records line by line would cost more than the whole pass.  :meth:`GffFacts.compact`
(at the end of the pass) drops what no lookup by name can reach and makes records of the rest;
CDS stay raw (they are asked for only when a transcript is named like its protein).  A record
is also made the first time one is asked for.  Only the lines that matter call in: the pieces
of one CDS after the first are recognised by their ``ID=...;`` start (:attr:`GffFacts.cds_prefix`).
"""
from __future__ import annotations

import sys
from typing import Callable, Mapping, Sequence

__all__ = ["RECORD_TAGS", "GffFacts", "attr_value", "record_fields", "fields_from_attrs"]

#: attributes a record keeps, in field order after column 2 (field 0)
RECORD_TAGS = ("gene", "Name", "product", "transcript_id", "protein_id", "pseudo", "gbkey",
               "gene_biotype", "gene_synonym", "ncrna_class", "Note", "description", "Dbxref")
_INDEX = {t: i + 1 for i, t in enumerate(RECORD_TAGS)}
_NFIELDS = len(RECORD_TAGS) + 1
DBXREF = _NFIELDS - 1
_SEP = "\x1f"
#: a feature kept raw until its record is asked for: marker, column 2, tab, column 9 (strings
#: rather than tuples: the garbage collector does not walk them); CDS stay raw (rarely asked for)
_RAW, _RAW_CDS = "\t", "\n"
_RAW_MARKS = (_RAW, _RAW_CDS)
_SKIP_TYPES = frozenset(("exon", "region", "cDNA_match", "match", "sequence_feature"))
#: matches no column 9 of a block line (those never hold a newline)
_NO_PREFIX = "\n"
_intern = sys.intern


def _unescape(text: str) -> str:
    """GFF3 ``%XX`` decoding (:func:`refseqtracks.gff3.unescape`); RefSeq's usual escapes
    (``%2C %3B %3D %26``) by plain replacement when they are all there is."""
    if "%" not in text:
        return text
    u = text.replace("%2C", ",").replace("%3B", ";").replace("%3D", "=").replace("%26", "&")
    if "%" not in u:
        return u
    from refseqtracks.gff3 import unescape

    return unescape(text)


def attr_value(col9: str, tag: str) -> str | None:
    """The value of one attribute (first occurrence), stripped and decoded; None when absent."""
    key = tag + "="
    i = 0 if col9.startswith(key) else col9.find(";" + key)
    if i < 0:
        return None
    if i:
        i += 1
    return _value(col9, i + len(key))


def _value(col9: str, i: int) -> str | None:
    """The attribute value starting at ``i``: up to the next ``;``, stripped and decoded."""
    j = col9.find(";", i)
    value = (col9[i:] if j < 0 else col9[i:j]).strip()
    if not value:
        return None
    return _unescape(value) if "%" in value else value


def _head(col9: str) -> tuple[str | None, str | None, str | None]:
    """:func:`attr_value` of ``ID``, ``Parent`` and ``Name`` in one call (RefSeq lines start
    ``ID=...;Parent=...;``)."""
    if col9.startswith("ID="):
        j = col9.find(";", 3)
        fid = (col9[3:] if j < 0 else col9[3:j]).strip()
        if fid and "%" in fid:
            fid = _unescape(fid)
        if j >= 0 and col9.startswith("Parent=", j + 1):
            k = col9.find(";", j + 8)
            parent = (col9[j + 8:] if k < 0 else col9[j + 8:k]).strip()
            if parent and "%" in parent:
                parent = _unescape(parent)
        else:
            parent = attr_value(col9, "Parent") if "Parent=" in col9 else None
    else:
        fid = attr_value(col9, "ID")
        parent = attr_value(col9, "Parent") if "Parent=" in col9 else None
    if col9.startswith("Name="):
        return fid or None, parent or None, _value(col9, 5)
    i = col9.find(";Name=")
    return fid or None, parent or None, (_value(col9, i + 6) if i >= 0 else None)


def _record(source: str, col9: str) -> str | tuple[str, ...]:
    """The record of one feature line (see the module docstring)."""
    fields = [""] * _NFIELDS
    fields[0] = source
    get = _INDEX.get
    for item in col9.split(";"):
        tag, _, value = item.partition("=")  # (an item without '=' has no value: not kept)
        i = get(tag)
        if i is None:
            if not tag[:1].isspace():
                continue
            i = get(tag.lstrip())
            if i is None:
                continue
        value = value.rstrip()
        if i != DBXREF:
            if "%" in value:
                value = ",".join([_unescape(p) for p in value.split(",") if p])
            elif "," in value:
                value = ",".join([p for p in value.split(",") if p])
        if value:
            old = fields[i]
            fields[i] = f"{old},{value}" if old else value
    rec = _SEP.join(fields)
    return rec if rec.count(_SEP) == _NFIELDS - 1 else tuple(fields)


def _parse_raw(raw: str) -> str | tuple[str, ...]:
    """The record of a kept raw feature (marker, column 2, tab, column 9)."""
    source, _, col9 = raw[1:].partition("\t")
    return _record(_intern(source), col9)


def record_fields(rec: str | tuple[str, ...]) -> list:
    """A record as a list: the joined values, and at :data:`DBXREF` the decoded Dbxref values."""
    fields = rec.split(_SEP) if rec.__class__ is str else list(rec)
    raw = fields[DBXREF]
    if not raw:
        fields[DBXREF] = []
    elif "%" in raw:
        fields[DBXREF] = [_unescape(p) for p in raw.split(",") if p]
    else:
        fields[DBXREF] = [p for p in raw.split(",") if p]
    return fields


def fields_from_attrs(attrs: Mapping[str, Sequence[str]], source: str = "") -> list:
    """The :func:`record_fields` list of an attribute mapping (values already decoded)."""
    fields: list = [source]
    for tag in RECORD_TAGS[:-1]:
        v = attrs.get(tag)
        fields.append(",".join(v) if v else "")
    fields.append(list(attrs.get("Dbxref", ())))
    return fields


def _add_new(into: dict, other: dict) -> None:
    """``into.setdefault`` of every item of ``other``, in order (at C speed when no key is shared)."""
    if into.keys().isdisjoint(other):
        into.update(other)
    else:
        for k, v in other.items():
            into.setdefault(k, v)


class GffFacts:
    """What the link table needs from raw GFF3 lines: records, parent links, CDS facts.

    Feed lines with :meth:`feed` (comments are ignored) or split lines with :meth:`feed_cols`.

    - ``features``: feature ID -> record (column 2 and the link attributes, see the module
      docstring) of top-level features, of every non-exon feature with ``keep_children``, or
      else of the child features (a CDS too) whose ``Name`` passes ``keep_named``;
    - ``parent_of``: feature ID -> first parent ID of the child features that are not exons or
      alignments (and of named CDS when ``keep_named`` is set);
    - ``by_name`` / ``more_by_name``: the first and the further placements of a ``Name``;
    - ``protein_ids`` / ``cds_notes``: the first ``protein_id`` and ``Note`` of the CDS of each
      parent.
    """

    def __init__(self, *, keep_children: bool = True,
                 keep_named: "Callable[[str], bool] | None" = None) -> None:
        self.keep_children = keep_children
        self.keep_named = keep_named
        self.features: dict[str, str | tuple[str, ...]] = {}
        self.parent_of: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        self.more_by_name: dict[str, list[str]] = {}
        self.protein_ids: dict[str, str] = {}
        self.cds_notes: dict[str, str] = {}
        self._last_cds: str | None = None
        #: the column 9 start (``ID=...;``) of the last CDS taken: a CDS line starting with it is
        #: another piece of that CDS and adds nothing (``"\\n"`` when unknown: matches no line
        #: without its newline)
        self.cds_prefix = _NO_PREFIX
        self.cds_seen = False  # a CDS line was taken (its ID is in _last_cds)

    def feed(self, line: str) -> None:
        """Take one raw GFF3 line."""
        if line[:1] == "#":
            return
        cols = line.split("\t", 8)
        if len(cols) == 9:
            self.feed_cols(cols)

    def feed_cols(self, cols: list[str]) -> None:
        """Take one feature line already split into its 9 columns."""
        ftype = cols[2]
        if ftype == "CDS":
            prefix = self.cds_prefix
            if prefix is _NO_PREFIX or not cols[8].startswith(prefix):
                self.feed_cds(cols[1], cols[8])
        elif ftype not in _SKIP_TYPES:
            self.feed_other(cols[1], cols[8])

    def feed_cds(self, source: str, col9: str) -> None:
        """Take a CDS line (columns 2 and 9); the pieces of one CDS add nothing new."""
        fid_s, parents, name = _head(col9)
        if fid_s is not None and fid_s == self._last_cds:
            return
        self._last_cds = fid_s
        self.cds_seen = True
        prefix = _NO_PREFIX
        if fid_s is not None and col9.startswith("ID="):
            j = col9.find(";")
            if j > 0:
                prefix = col9[:j + 1]
        self.cds_prefix = prefix
        if not parents:
            return
        prot = attr_value(col9, "protein_id")
        note = attr_value(col9, "Note") if "Note=" in col9 else None
        if "," in parents:
            first = _intern(parents.split(",", 1)[0])
            all_parents = [_intern(p) for p in parents.split(",")]
        else:
            first = _intern(parents)
            all_parents = (first,)
        if prot or note:
            if prot and "," in prot:
                prot = prot.split(",", 1)[0]
            for parent in all_parents:
                if prot:
                    self.protein_ids.setdefault(parent, prot)
                if note:
                    self.cds_notes.setdefault(parent, note)
        keep = self.keep_named
        if fid_s and keep is not None and (name is not None or "Name=" in col9):
            self.parent_of.setdefault(fid_s, first)
            if name and keep(name):
                if self.by_name.setdefault(name, fid_s) != fid_s:
                    self._name(name, fid_s)
                if fid_s not in self.features:
                    self.features[fid_s] = f"{_RAW_CDS}{source}\t{col9}"

    def feed_other(self, source: str, col9: str) -> None:
        """Take a feature line that is not a CDS, exon or alignment (columns 2 and 9)."""
        fid, parent, name = _head(col9)
        if not self.keep_children and (parent is not None or "Parent=" in col9):
            # a child feature: its parent link, and its record only if its name is wanted
            if fid:
                if parent:
                    self.parent_of.setdefault(fid, _intern(parent.split(",", 1)[0] if "," in parent else parent))
                keep = self.keep_named
                if keep is not None and name and keep(name):
                    if self.by_name.setdefault(name, fid) != fid:
                        self._name(name, fid)
                    if fid not in self.features:
                        self.features[fid] = f"{_RAW}{source}\t{col9}"
            return
        if not fid:
            return
        if parent:
            self.parent_of.setdefault(fid, _intern(parent.split(",", 1)[0] if "," in parent else parent))
        if fid not in self.features:
            self.features[fid] = f"{_RAW}{source}\t{col9}"
        if name and self.by_name.setdefault(name, fid) != fid:
            self._name(name, fid)  # another placement

    def _name(self, name: str, fid: str) -> None:
        first = self.by_name.setdefault(name, fid)
        if first != fid:  # another placement of the same transcript (alt loci, patches)
            more = self.more_by_name.setdefault(name, [])
            if fid not in more:
                more.append(fid)

    def merge(self, other: "GffFacts") -> None:
        """Add the facts of the next piece of the same file (first values win, as in one pass).

        Whether the piece's first CDS line continues the last CDS of this one (and so adds
        nothing) is the caller's business: :meth:`refseqtracks.ncbirefseq_scan.GffScan.merge`.
        """
        _add_new(self.features, other.features)
        _add_new(self.parent_of, other.parent_of)
        if self.by_name.keys().isdisjoint(other.by_name):  # the usual case: names new here
            self.by_name.update(other.by_name)
            for name, more in other.more_by_name.items():
                self.more_by_name[name] = list(more)
        else:
            for name, fid in other.by_name.items():
                self._name(name, fid)
                for more in other.more_by_name.get(name, ()):
                    self._name(name, more)
        _add_new(self.protein_ids, other.protein_ids)
        _add_new(self.cds_notes, other.cds_notes)
        if other.cds_seen:
            self._last_cds = other._last_cds
            self.cds_prefix = other.cds_prefix
            self.cds_seen = True

    def parse_records(self) -> None:
        """Turn the column 9 kept of every feature but a CDS into its record (smaller)."""
        features = self.features
        for k, v in features.items():
            if v[:1] == _RAW:
                features[k] = _parse_raw(v)

    def placements(self, name: str) -> list[str]:
        """Feature IDs of every placement of a named transcript, in file order."""
        first = self.by_name.get(name)
        return ([first] if first else []) + self.more_by_name.get(name, [])

    def top_id(self, fid: str | None) -> str | None:
        """The ID of the top-level ancestor of a feature; ``None`` if it has no parent (or a cycle)."""
        parent_of = self.parent_of
        cur = parent_of.get(fid) if fid else None
        if cur is None:
            return None
        if cur not in parent_of:  # the usual case: transcript -> gene
            return None if cur == fid else cur
        seen = {fid, cur}
        while cur in parent_of:
            cur = parent_of[cur]
            if cur in seen:
                return None
            seen.add(cur)
        return cur

    def top_gene(self, fid: str | None) -> "str | tuple[str, ...] | None":
        """The record of the top-level ancestor (the gene) of a feature; ``None`` if none."""
        top = self.top_id(fid)
        return self.record(top) if top is not None else None

    def record(self, fid: str | None) -> "str | tuple[str, ...] | None":
        """The record of a kept feature (made from its column 9 when first asked for)."""
        rec = self.features.get(fid) if fid else None
        if rec is not None and rec[:1] in _RAW_MARKS:  # column 9 not parsed yet
            rec = self.features[fid] = _parse_raw(rec)  # type: ignore[arg-type]
        return rec

    def fields(self, fid: str | None) -> list | None:
        """The :func:`record_fields` of a kept feature, or ``None``."""
        rec = self.record(fid)
        return record_fields(rec) if rec is not None else None

    def source(self, fid: str | None) -> str:
        """Column 2 of a kept feature ('' if it is not kept)."""
        rec = self.features.get(fid) if fid else None
        if rec is None:
            return ""
        if rec.__class__ is not str:
            return rec[0]
        if rec[:1] in _RAW_MARKS:
            return rec[1:rec.find("\t", 1)]  # type: ignore[union-attr]
        return rec[:rec.find(_SEP)]  # type: ignore[union-attr]

    def compact(self) -> None:
        """Keep only what lookups by name reach: with ``keep_named``, only the names it passes;
        the records, parent links and CDS facts of their placements and of the features on
        the way to their top-level ancestors.

        Afterwards link rows must find their transcripts by a wanted name (as the build does,
        from genePred lines); a transcript given with its own ``ID`` attribute is only found
        when that ID is a placement of such a name.
        """
        keep = self.keep_named
        if keep is not None:
            self.by_name = {n: f for n, f in self.by_name.items() if keep(n)}
            self.more_by_name = {n: f for n, f in self.more_by_name.items() if keep(n)}
        parent_of = self.parent_of
        links: dict[str, str] = {}
        reach: set[str] = set()
        starts = list(self.by_name.values())
        for more in self.more_by_name.values():
            starts += more
        for cur in starts:
            while cur not in reach:
                reach.add(cur)
                parent = parent_of.get(cur)
                if parent is None:
                    break
                links[cur] = parent
                cur = parent
        self.parent_of = links
        features = {}
        for k, v in self.features.items():
            if k in reach:
                if v[:1] == _RAW:
                    v = _parse_raw(v)  # CDS records stay raw: rarely asked for
                features[k] = v
        self.features = features
        self.protein_ids = {k: v for k, v in self.protein_ids.items() if k in reach}
        self.cds_notes = {k: v for k, v in self.cds_notes.items() if k in reach}
