"""The quick reading of the usual GFF3 line: no dict per line, column 9 decoded on demand.

Why: most of the time of a pure-Python GFF3 reader goes into splitting column 9 into a dict of
lists for every exon and CDS line, though converting them needs only ID and Parent.  Here the
usual line is split into its columns, ID and Parent are cut out of column 9 with ``str.partition``
and the rest of column 9 stays text, decoded on first use (:func:`decode_attrs`: genes and
transcripts, ``-attrsOut``) exactly as the exact parser of :mod:`refseqtracks.gff3` decodes it
(items trimmed, empty items and empty list values dropped, values of a tag given twice merged).
The text is read in 4 MB blocks and split into lines at once.  Plain ``str`` methods and ``re``
only: no compiled extension to install.

How it stays exact: a line takes the quick way only when kent's ``gff3.c`` has nothing to say
about it and the quick values are the exact ones.  A line's items (its text after the first
``;``) are looked at once for a run of lines with the same items (the exon lines of one
transcript differ only in their ID, which comes before the first ``;``; the parts of one
alignment differ only in their ``Target``, which comes first and is checked apart): one regular
expression finds an item that does not start with a tag kent takes silently (``ID`` not first,
``Derives_from``, an unknown upper-case tag, a bad tag character, an empty item, white space
after ``;``...) or holds a bad ``%`` escape, ``Target`` and ``Gap`` must have one valid value
and come once, ``Parent`` once without an empty value or white space at its end, ``Name`` at
most once with one value.  Per line, columns 1-8 are checked as the exact parser checks them
(and for bad escapes), column 9 must start with ``ID=`` (one value without white space at its
end) or ``Parent=``, and a line with non-ASCII text goes the per-line way.  A line whose
column 9 is the last quick line's (the CDS lines of one protein) takes its ID and Parent from
it.  Every other line (comments, directives, a block with ``\r``) goes the per-line way:
column 9 accepted by :func:`quiet_attrs` (a few substring tests and one regular expression)
gets a :class:`LazyAttrs`, anything else goes through :meth:`Gff3Reader._parse_feature`.
Property tests hold the quick reader, and the converter's records, to the exact reader,
messages included.

Public API: :func:`quiet_attrs`, :func:`decode_attrs`, :class:`LazyAttrs`, :func:`parse_lazy`
(used by ``Gff3Reader(lazy_attrs=True)``).
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Callable, Iterator

from refseqtracks.gff3 import (_BAD_ESCAPE, _PHASES, _STRANDS, GffFeature, _new_feature, _valid_float,
                               unescape)

__all__ = ["quiet_attrs", "decode_attrs", "quick_name", "LazyAttrs", "parse_lazy", "lazy_batches"]

_BLOCK = 1 << 22
#: per ';' (column 9 is given with a ';' in front): a reserved tag whose value the reader needs
#: or checks (tag, value), or an item that does not start with a tag kent accepts silently and
#: '=' (('', '', ''), the line goes the long way)
_CORE_ITEMS = re.compile(
    r";(?:(ID|Parent|Name|Derives_from|Target|Gap)=([^;]*)|(?![a-z0-9_\-][A-Za-z0-9_\-]*+="
    r"|(?:Alias|Note|Dbxref|Ontology_term|Is_circular)=)())").findall
#: a Target value kent's check accepts ("target_id start end [strand]", decimal numbers)
_QUIET_TARGET = re.compile(r"[^\s;=,%]++ (?:0|[1-9][0-9]*+) (?:0|[1-9][0-9]*+)(?: [-+.?])?").fullmatch
#: the items of a line from its first ';' on, each starting with a tag kent takes silently and '='
#: (a ';' may end the line); group 1 is set when Target or Gap is one of them
_ITEMS = re.compile(
    r"(?:;(?:[a-z0-9_\-][A-Za-z0-9_\-]*+=|(?:Parent|Name|Dbxref|Note|Alias|Ontology_term|Is_circular)="
    r"|(Target|Gap)=)[^;]*+)*+;?").fullmatch
_CAREFUL, _TARGET_GAP = 2, 1


def _lines_as_blocks(fh) -> Iterator[str]:
    """Blocks of about ``_BLOCK`` characters made of whole lines of ``fh``, then '' forever."""
    buf: list[str] = []
    size = 0
    for line in fh:
        buf.append(line)
        size += len(line)
        if size >= _BLOCK:
            yield "".join(buf)
            buf, size = [], 0
    if buf:
        yield "".join(buf)
    while True:
        yield ""


def _core_values(col: str, found: list) -> tuple | None:
    d = {t: v for t, v, _ in found}
    if len(d) != len(found) or "" in d:
        return None  # a reserved tag given twice (kent merges or complains) or a bad item
    fid = d.get("ID")
    name = d.get("Name")
    derives = d.get("Derives_from")
    parent = d.get("Parent")
    if "," in col and ((fid is not None and "," in fid) or (name is not None and "," in name)
                       or (derives is not None and "," in derives)
                       or ("Gap" in d and "," in d["Gap"])):
        return None
    if "Target" in d and _QUIET_TARGET(d["Target"]) is None:
        return None
    parents = None if parent is None else parent.split(",")
    if "%" in col:
        if fid is not None and "%" in fid:
            fid = unescape(fid)
        if name is not None and "%" in name:
            name = unescape(name)
        if derives is not None and "%" in derives:
            derives = unescape(derives)
        if parents is not None and "%" in parent:
            parents = [unescape(p) if "%" in p else p for p in parents]
    return col, fid, parents, name, derives


def quiet_attrs(col: str) -> tuple | None:
    """``(text, ID, Parent list, Name, Derives_from)`` of a column 9 that kent parses silently.

    None when the exact parser (:meth:`Gff3Reader._parse_attrs` and its checks) could have
    anything to report, or when the quick reading could differ from it: an item that does not
    start with a valid tag and ``=``, a second ``=`` in an item, an empty item or value,
    white space or a non-printable character at an item's edge, a bad ``%`` escape, a
    single-valued reserved tag (ID, Name, Target, Gap, Derives_from) with several values, a
    reserved tag that the reader needs given twice, a Target that fails kent's check.
    ``text`` is column 9 without its trailing ``;``; the values are decoded.
    """
    if col[-1:] == ";":
        col = col[:-1]
    if (not col or col.count("=") != col.count(";") + 1 or col[-1] in " =," or " ;" in col
            or "=;" in col or not col.isprintable()
            or ("," in col and (",," in col or "=," in col or ",;" in col))
            or ("%" in col and _BAD_ESCAPE(col) is not None)):
        return None
    found = _CORE_ITEMS(";" + col)
    if not found:
        return col, None, None, None, None
    return _core_values(col, found)


def decode_attrs(text: str) -> dict[str, list[str]]:
    """Column 9 the exact parser's way, for a column it parses without a word.

    Items are trimmed and empty ones dropped, a list drops its empty values (``[""]`` when
    nothing is left), values are percent-decoded and the values of a tag given twice merged.
    """
    d: dict[str, list[str]] = {}
    for item in text.split(";"):
        if not item:
            continue
        if item[0] in " \t" or item[-1] in " \t":
            item = item.strip(" \t\n\v\f\r")
            if not item:
                continue
        tag, _, val = item.partition("=")
        if "," in val:
            vals = val.split(",")
            if "" in vals:
                vals = [v for v in vals if v] or [""]
        else:
            vals = [val]
        if "%" in val:
            vals = [unescape(v) if "%" in v else v for v in vals]
        old = d.get(tag)
        if old is None:
            d[tag] = vals
        else:
            old.extend(vals)
    return d


def quick_name(text: str) -> str | None:
    """The Name of a column 9 read the quick way (where Name is never first, single, one value)."""
    k = text.find(";Name=")
    if k < 0:
        return None
    k += 6
    e = text.find(";", k)
    val = text[k:] if e < 0 else text[k:e]
    if val[-1:] in (" ", "\t"):
        val = val.rstrip(" \t\n\v\f\r")  # the exact parser trims the item
    return unescape(val) if "%" in val else val


_UNSET = object()


class LazyAttrs(Mapping):
    """Column 9 as a read-only mapping tag -> list of values, decoded only when asked for.

    Made by the reader for columns it reads the quick way; ``fid`` and ``parents`` (ID, Parent
    list) are at hand without decoding the rest, ``name`` and ``derives`` (Name, Derives_from)
    too when the reader had them.  Equal to the dict the exact parser makes.
    """

    __slots__ = ("text", "fid", "parents", "_name", "derives", "_d")

    def __init__(self, text: str, fid: str | None, parents: list[str] | None, name=_UNSET,
                 derives: str | None = None):
        self.text = text
        self.fid = fid
        self.parents = parents
        self._name = name
        self.derives = derives
        self._d = None

    @property
    def name(self) -> str | None:
        if self._name is _UNSET:
            v = self._all().get("Name")
            self._name = v[0] if v else None
        return self._name

    def _all(self) -> dict[str, list[str]]:
        d = self._d
        if d is None:
            d = self._d = decode_attrs(self.text)
        return d

    def get(self, tag, default=None):
        if tag == "ID":
            return [self.fid] if self.fid is not None else default
        if tag == "Parent":
            return self.parents if self.parents is not None else default
        return self._all().get(tag, default)

    def __getitem__(self, tag):
        return self._all()[tag]

    def __contains__(self, tag) -> bool:
        return tag in self._all()

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def keys(self):
        return self._all().keys()

    def items(self):
        return self._all().items()

    def values(self):
        return self._all().values()

    def __eq__(self, other) -> bool:
        return self._all() == (other._all() if isinstance(other, LazyAttrs) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._all())


def _lazy_feature(seqid, source, ftype, start, end, score, strand, phase, text, lineno, fid, parents,
                  _path="") -> GffFeature:
    return _new_feature(GffFeature, (seqid, source, ftype, start, end, score, strand, phase,
                                     LazyAttrs(text, fid, parents), lineno, _path))


def _items_kind(text: str) -> int:
    """0, _TARGET_GAP or _CAREFUL for the items of a line from its first ';' on (``text``)."""
    if "%" in text and _BAD_ESCAPE(text) is not None:
        return _CAREFUL
    m = _ITEMS(text)
    if m is None:
        return _CAREFUL
    return _TARGET_GAP if m.lastindex else 0


def _items_facts(items: str) -> tuple[bool, list[str] | None, bool, bool]:
    """What a line's items (its text after its first ';') say, for all the lines that share them:
    (quick: the items need no closer look, the Parent list they give, whether Parent and Name
    are quiet in them after an ID item, whether they hold no Parent and a quiet Name after a
    Parent item); Parent values decoded."""
    if items[:7] == "Target=":
        # the parts of one alignment (cDNA_match) differ only in their Target, which NCBI
        # writes first: the items after it are judged once for them all
        target, _, tail = items.partition(";")
        if _QUIET_TARGET(target[7:]) is None:
            return _NOT_QUICK
        last_tail, facts = _LAST_TAIL[0]
        if tail != last_tail:
            # (no second Target)
            facts = _NOT_QUICK if tail[:7] == "Target=" or ";Target=" in tail else _items_facts(tail)
            _LAST_TAIL[0] = tail, facts
        return facts
    text = ";" + items
    kind = _items_kind(text)
    if kind == _CAREFUL or (kind == _TARGET_GAP and not _target_gap_ok(text)) or "\t" in items:
        return _NOT_QUICK
    if ";Name=" in text:  # (at most once, one value)
        name, _, after = text.partition(";Name=")[2].partition(";")
        name_ok = "," not in name and after[:5] != "Name=" and ";Name=" not in after
    else:
        name_ok = True
    if items[:7] == "Parent=":
        par, _, after = items[7:].partition(";")
    elif ";Parent=" in items:
        par, _, after = items.partition(";Parent=")[2].partition(";")
    else:
        return True, None, name_ok, name_ok
    parents = _parent_list(par)
    ok = name_ok and parents is not None and after[:7] != "Parent=" and ";Parent=" not in after
    return True, parents, ok, False


def _parent_list(par: str) -> list[str] | None:
    """The values of a Parent item (``par``), decoded; None if one is empty or the last ends
    with a space (the exact parser has something to say)."""
    parents = par.split(",") if "," in par else [par]
    if "" in parents or par[-1:] == " ":
        return None
    if "%" in par:
        return [unescape(p) if "%" in p else p for p in parents]
    return parents


_NOT_QUICK = (False, None, False, False)
#: the items after the last leading Target, and what they say
_LAST_TAIL: list = [(None, _NOT_QUICK)]


def _target_gap_ok(col: str) -> bool:
    """A single Target kent's check accepts, a single-valued Gap, each at most once."""
    for tag, single in ((";Target=", _QUIET_TARGET), (";Gap=", None)):
        p = col.find(tag)
        if p < 0:
            continue
        p += len(tag)
        e = col.find(";", p)
        if e < 0:
            e = len(col)
        if col.find(tag, e) >= 0:
            return False
        if single is not None:
            if single(col[p:e]) is None:
                return False
        elif col.find(",", p, e) >= 0:
            return False
    return True


def parse_lazy(reader, fh, lineno: int, make: Callable | None = None) -> Iterator:
    """:meth:`Gff3Reader._parse` after the header, the usual line read the quick way.

    A quick line becomes ``make(seqid, source, type, start, end, score, strand, phase, column 9
    text, line number, ID, Parent list)`` (default: a :class:`GffFeature` with :class:`LazyAttrs`);
    every other line a :class:`GffFeature` of the per-line way (see the module docstring).
    """
    for batch in lazy_batches(reader, fh, lineno, make):
        yield from batch


def lazy_batches(reader, fh, lineno: int, make: Callable | None = None) -> Iterator[list]:
    """:func:`parse_lazy` in lists of records of consecutive lines.

    A list is handed over before any line that takes the per-line way (which may report a
    problem, end the features or call ``on_directive``), so whoever takes the records sees them
    in the order of the lines and of those events, as with :func:`parse_lazy`.
    """
    path = reader.path
    tap = reader.block_tap
    # (the records of a block are handed to the tap too, when made by the caller's ``make``:
    # those of the quick lines hold column 9 as read, and columns 1-3 as the line has them but
    # where they were decoded)
    tap_records = tap is not None and make is not None
    if make is None:
        def make(*fields, _make=_lazy_feature, _path=path):
            return _make(*fields, _path)
    strands, phases = _STRANDS, _PHASES
    careful = _per_line(reader)
    read = getattr(fh, "read", None)
    if read is None:  # a line source (the converter's copy of stdin)
        blocks = _lines_as_blocks(fh)
        read = lambda _size: next(blocks)  # noqa: E731
    out: list = []
    append = out.append
    rest = ""
    last_items = None
    text = None
    made: list | None = None  # the lists of records of the block so far, for the tap
    unescaped: set[int] = set()  # the lines of the block whose record has columns 1-3 decoded
    opened = False
    while True:
        block = read(_BLOCK)
        if block:
            block = rest + block if rest else block
            cut = block.rfind("\n") + 1
            if cut == 0:
                rest = block
                continue
            if cut < len(block):
                rest = block[cut:]
                block = block[:cut]
            else:
                rest = ""
        elif rest:
            block, rest = rest, ""
        else:
            if tap is not None:
                tap(None, None, False, None)
            break
        first = lineno + 1
        if "\r" in block:
            # the text reader also ends lines at a lone '\r': every line the per-line way
            lines = [ln[:-2] if ln[-2:] == "\r\n" else ln[:-1] if ln[-1:] in ("\n", "\r") else ln
                     for ln in io.StringIO(block, newline="")]
            pct = each = no_cr = False
        else:
            if block[-1] != "\n":
                block += "\n"  # the last line without its newline
                opened = True
            pct = "%" in block
            each = block.isascii()  # (else a line with non-ASCII text goes the per-line way)
            no_cr = True
            lines = block.split("\n")
            lines.pop()
        if tap is not None:
            text = block
            made = [] if tap_records and no_cr else None
            unescaped = set()
        del block
        same_col = same_fid = same_parents = None
        for lineno, line in enumerate(lines, first):
            # the items (the text after the line's first ';') are looked at once for a run of
            # lines with equal ones: the exon lines of one transcript differ only in their ID
            lead, _, items = line.partition(";")
            if items != last_items:
                last_items = items
                quick, item_parents, id_ok, parent_ok = _items_facts(items)
            cols = lead.split("\t", 8) if quick and (each or (no_cr and line.isascii())) else ()
            if len(cols) == 9:
                seqid, source, ftype, c4, c5, score, strand, c8, head = cols  # (head: column 9 to its first ';')
                if ("\t" not in head and c4.isdigit() and c5.isdigit() and strand in strands and c8 in phases
                        and seqid and source and ftype and seqid[0] != "#" and (score == "." or _valid_float(score))
                        and (c8 != "." or ftype != "CDS")
                        and not (pct and "%" in lead and _BAD_ESCAPE(lead) is not None)):
                    col = line[len(lead) - len(head):]
                    esc = pct and "%" in lead  # (columns 1-8 and the ID; no bad escape on a quick line)
                    if esc and ("%" in seqid or "%" in source or "%" in ftype):
                        unescaped.add(lineno)  # (the record's columns 1-3 are not the line's)
                        if "%" in seqid:
                            seqid = unescape(seqid)
                        if "%" in source:
                            source = unescape(source)
                        if "%" in ftype:
                            ftype = unescape(ftype)
                    if col == same_col:  # (the CDS lines of one protein: column 9 as the last line's)
                        append(make(seqid, source, ftype, int(c4) - 1, int(c5), None if score == "." else score,
                                    strand, phases[c8], same_col, lineno, same_fid, same_parents))
                        continue
                    # ID first (one value, no space at its end), or Parent first (once, no empty
                    # value, no space at its end); the rest as the items said
                    if head[:3] == "ID=":
                        fid = head[3:]
                        parents = item_parents
                        ok = id_ok and head[-1] != " " and "," not in fid
                        if ok and esc and "%" in fid:
                            fid = unescape(fid)
                    elif head[:7] == "Parent=":
                        fid = None
                        parents = _parent_list(head[7:]) if parent_ok else None
                        ok = parents is not None
                    else:
                        ok = False
                    if ok:
                        append(make(seqid, source, ftype, int(c4) - 1, int(c5),
                                    None if score == "." else score, strand, phases[c8], col, lineno, fid,
                                    parents))
                        same_col, same_fid, same_parents = col, fid, parents
                        continue
            if out:
                if made is not None:
                    made.append(out)
                yield out
                out = []
                append = out.append
            feat = careful(line, lineno)
            if feat is not None:
                if feat is _END:
                    return
                append(feat)
            elif line and line[0] != "#":
                made = None  # (a line refused: it has no record)
        if text is not None:
            if made is not None and out:
                made.append(out)
            tap(text, lines if no_cr else None, opened, None if made is None else (made, unescaped))
            text = None
            made = None
        if out:
            yield out
            out = []
            append = out.append
    if out:
        yield out
    reader.lineno = lineno


_END = object()


def _per_line(reader) -> Callable:
    """The per-line way: comments, directives, :func:`quiet_attrs`, or the exact parser.

    Returns a function of (line, line number) giving a feature, None, or ``_END`` (``##FASTA``).
    """
    path = reader.path
    parse_line = reader._parse_feature
    meta = reader._meta
    strands, phases = _STRANDS, _PHASES

    def careful(line: str, lineno: int):
        reader.lineno = lineno
        if not line:
            return None
        if line[0] == "#":
            if line[1:2] == "#":
                if meta(line):
                    reader.lineno = lineno
                    return _END
            else:
                reader.comments.append(line)
            return None
        cols = line.split("\t")
        if len(cols) == 9:
            seqid, source, ftype, c4, c5, score, strand, c8, col = cols
            if (c4.isdigit() and c5.isdigit() and c4.isascii() and c5.isascii() and strand in strands
                    and c8 in phases and (score == "." or _valid_float(score)) and seqid and source
                    and ftype and (c8 != "." or ftype != "CDS")
                    and not ("%" in seqid or "%" in source or "%" in ftype)):
                core = quiet_attrs(col)
                if core is not None:
                    return _new_feature(GffFeature, (
                        seqid, source, ftype, int(c4) - 1, int(c5), None if score == "." else score,
                        strand, phases[c8], LazyAttrs(*core), lineno, path))
        return parse_line(line, lineno, path)

    return careful
