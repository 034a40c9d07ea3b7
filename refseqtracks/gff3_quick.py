"""The quick reading of the usual GFF3 line: column 9 without a dict per line.

Why: most of the time of a pure-Python GFF3 reader goes into splitting column 9 into a dict of
lists for every exon and CDS line, though converting them needs only ID, Parent, Name and
Derives_from.  Here a line whose column 9 kent's ``gff3.c`` parses without a word
(:func:`quiet_attrs`: a few substring tests and one regular expression per line) gets a
:class:`LazyAttrs`: column 9 kept as text with those four decoded, the rest decoded on first
use (genes and transcripts, ``-attrsOut``).  Every other line goes through the exact parser of
:mod:`refseqtracks.gff3`, so the features and the messages are the same either way (a property
test holds the two readers to that).  The text is read in 4 MB blocks and split into lines at
once.  Plain ``str`` methods and ``re`` only: no compiled extension to install.

Public API: :func:`quiet_attrs`, :class:`LazyAttrs`, :func:`parse_lazy` (used by
``Gff3Reader(lazy_attrs=True)``).
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Iterator

from refseqtracks.gff3 import (_BAD_ESCAPE, _PHASES, _STRANDS, GffFeature, _new_feature, _valid_float,
                               unescape)

__all__ = ["quiet_attrs", "LazyAttrs", "parse_lazy"]

_BLOCK = 1 << 22
#: per ';' (column 9 is given with a ';' in front): a reserved tag whose value the reader needs
#: or checks (tag, value), or an item that does not start with a tag kent accepts silently and
#: '=' (('', '', ''), the line goes the long way)
_CORE_ITEMS = re.compile(
    r";(?:(ID|Parent|Name|Derives_from|Target|Gap)=([^;]*)|(?![a-z0-9_\-][A-Za-z0-9_\-]*+="
    r"|(?:Alias|Note|Dbxref|Ontology_term|Is_circular)=)())").findall
#: a Target value kent's check accepts ("target_id start end [strand]", decimal numbers)
_QUIET_TARGET = re.compile(r"[^\s;=,%]++ (?:0|[1-9][0-9]*+) (?:0|[1-9][0-9]*+)(?: [-+.?])?").fullmatch


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


class LazyAttrs(Mapping):
    """Column 9 as a read-only mapping tag -> list of values, decoded only when asked for.

    Made by the reader for columns that :func:`quiet_attrs` accepts; ``fid``, ``parents``,
    ``name`` and ``derives`` (ID, Parent list, Name, Derives_from) are at hand without decoding
    the rest.  Equal to the dict the exact parser makes.
    """

    __slots__ = ("text", "fid", "parents", "name", "derives", "_d")

    def __init__(self, text: str, fid: str | None, parents: list[str] | None, name: str | None,
                 derives: str | None):
        self.text = text
        self.fid = fid
        self.parents = parents
        self.name = name
        self.derives = derives
        self._d = None

    def _all(self) -> dict[str, list[str]]:
        d = self._d
        if d is None:
            d = self._d = {}
            for item in self.text.split(";"):
                tag, _, val = item.partition("=")
                vals = val.split(",")
                if "%" in val:
                    vals = [unescape(v) if "%" in v else v for v in vals]
                old = d.get(tag)
                if old is None:
                    d[tag] = vals
                else:
                    old.extend(vals)
        return d

    def get(self, tag, default=None):
        if tag == "ID":
            return [self.fid] if self.fid is not None else default
        if tag == "Parent":
            return self.parents if self.parents is not None else default
        if tag == "Name":
            return [self.name] if self.name is not None else default
        if tag == "Derives_from":
            return [self.derives] if self.derives is not None else default
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


def parse_lazy(reader, fh, lineno: int) -> Iterator[GffFeature]:
    """:meth:`Gff3Reader._parse` after the header, with :class:`LazyAttrs` for the usual line.

    The text is read in large blocks, split into lines at once.  A line takes the quick way
    when columns 1-8 need nothing decoded or reported and column 9 passes :func:`quiet_attrs`
    (so the exact parser would report nothing either); anything else goes through
    :meth:`Gff3Reader._parse_feature`.
    """
    path = reader.path
    parse_line = reader._parse_feature
    meta = reader._meta
    new_feature = _new_feature
    lazy = LazyAttrs
    strands, phases = _STRANDS, _PHASES
    core_items = _CORE_ITEMS
    read = getattr(fh, "read", None)
    if read is None:  # a line source (the converter's copy of stdin)
        blocks = _lines_as_blocks(fh)
        read = lambda _size: next(blocks)  # noqa: E731
    rest = ""
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
            break
        if "\r" in block or block[-1] != "\n":
            lines = io.StringIO(block, newline="")
            crlf = True
        else:
            lines = block.split("\n")
            lines.pop()
            crlf = False
        # characters that need a look at every line, when the block has them at all
        pct = "%" in block
        vt = "\x0b" in block or "\x0c" in block
        del block
        for line in lines:
            lineno += 1
            if crlf and line[-1:] in ("\n", "\r"):
                line = line[:-2] if line[-2:] == "\r\n" else line[:-1]
            if not line:
                continue
            if line[0] == "#":
                reader.lineno = lineno
                if line[1:2] == "#":
                    if meta(line):
                        reader.lineno = lineno
                        return
                else:
                    reader.comments.append(line)
                continue
            reader.lineno = lineno
            cols = line.split("\t")
            if len(cols) == 9:
                seqid, source, ftype, c4, c5, score, strand, c8, col = cols
                if (c4.isdigit() and c5.isdigit() and c4.isascii() and c5.isascii() and strand in strands
                        and c8 in phases and (score == "." or _valid_float(score)) and seqid and source
                        and ftype and (c8 != "." or ftype != "CDS")
                        and not (pct and ("%" in seqid or "%" in source or "%" in ftype))):
                    if col[-1:] == ";":
                        col = col[:-1]
                    if (not col or col.count("=") != col.count(";") + 1 or col[-1] in " =,"
                            or " ;" in col or "=;" in col or (vt and not col.isprintable())
                            or ("," in col and (",," in col or "=," in col or ",;" in col))
                            or (pct and "%" in col and _BAD_ESCAPE(col) is not None)):
                        core = None
                    else:
                        found = core_items(";" + col)
                        core = _core_values(col, found) if found else (col, None, None, None, None)
                    if core is not None:
                        yield new_feature(GffFeature, (
                            seqid, source, ftype, int(c4) - 1, int(c5), None if score == "." else score,
                            strand, phases[c8], lazy(*core), lineno, path))
                        continue
            feat = parse_line(line, lineno, path)
            if feat is not None:
                yield feat
    reader.lineno = lineno
