"""autoSql table definitions (``.as`` files): parser and per-line validation as bedToBigBed does.

Format facts (kent ``asParse``)::

    table bigGenePred
    "bigGenePred gene models"
       (
       string chrom;       "Reference sequence chromosome or scaffold"
       uint   chromStart;  "Start position in chromosome"
       int[blockCount] blockSizes; "Comma separated list of block sizes"
       enum('none','unk','incmpl','cmpl') cdsStartStat; "Status"
       )

A declaration is ``table|simple|object NAME "description" ( columns )``; each column is ``TYPE
NAME [primary|index|auto ...]; "comment"``.  Types: ``int uint short ushort byte ubyte bigint
float double string lstring char[N]``, lists ``TYPE[N]`` or ``TYPE[countField]``, and
``enum(...)``/``set(...)`` with quoted values.  kent's bedToBigBed embeds the ``.as`` text
verbatim and checks every line of the BED input against it: the number of fields, numbers where
numbers are declared (within the type's range), ``char[N]`` lengths, enum/set members, and list
lengths against their count field.  :func:`check_row` reproduces those checks, raising
``ParseError(path, line, message)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from refseqtracks.errors import ParseError, RefseqtracksError
from refseqtracks.fileio import Source, input_name, open_input

__all__ = ["AsColumn", "AsTable", "parse_autosql", "read_autosql", "check_row", "make_row_checker",
           "bed_as_text"]

INT_RANGES = {
    "byte": (-(1 << 7), (1 << 7) - 1), "ubyte": (0, (1 << 8) - 1),
    "short": (-(1 << 15), (1 << 15) - 1), "ushort": (0, (1 << 16) - 1),
    "int": (-(1 << 31), (1 << 31) - 1), "uint": (0, (1 << 32) - 1),
    "bigint": (-(1 << 63), (1 << 63) - 1),
}
FLOAT_TYPES = ("float", "double")
STRING_TYPES = ("string", "lstring", "char")
OBJECT_TYPES = ("simple", "object", "table")


@dataclass(frozen=True)
class AsColumn:
    """One autoSql column: ``type`` is the base type; ``size`` a list/char size (int or field)."""

    name: str
    type: str
    comment: str = ""
    size: int | str | None = None
    values: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.size is not None and self.type != "char"


@dataclass(frozen=True)
class AsTable:
    """A parsed autoSql declaration."""

    kind: str
    name: str
    description: str
    columns: tuple[AsColumn, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[A-Za-z_][\w]*|-?\d+|\S')


class _Tokens:
    def __init__(self, text: str, name: str):
        self.toks = _TOKEN.findall(text)
        self.i = 0
        self.name = name

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self, what: str) -> str:
        tok = self.peek()
        if tok is None:
            raise RefseqtracksError(f"{self.name}: autoSql ends early, expected {what}")
        self.i += 1
        return tok

    def expect(self, tok: str) -> None:
        got = self.next(f"'{tok}'")
        if got != tok:
            raise RefseqtracksError(f"{self.name}: autoSql expected '{tok}', got '{got}'")


def _unquote(tok: str) -> str:
    return tok[1:-1] if len(tok) >= 2 and tok[0] in "\"'" and tok[-1] == tok[0] else tok


def parse_autosql(text: str, *, name: str = "<autoSql>") -> AsTable:
    """Parse the first declaration of an autoSql text."""
    t = _Tokens(text, name)
    kind = t.next("table, simple or object")
    if kind not in OBJECT_TYPES:
        raise RefseqtracksError(f"{name}: autoSql must start with table, simple or object, not '{kind}'")
    tname = t.next("a table name")
    desc = ""
    if t.peek() is not None and t.peek()[0] == '"':
        desc = _unquote(t.next("a description"))
    t.expect("(")
    cols: list[AsColumn] = []
    while t.peek() != ")":
        cols.append(_parse_column(t, name, cols))
    t.expect(")")
    if not cols:
        raise RefseqtracksError(f"{name}: autoSql table {tname} has no columns")
    return AsTable(kind, tname, desc, tuple(cols))


def _parse_column(t: _Tokens, name: str, prev: list[AsColumn]) -> AsColumn:
    typ = t.next("a column type")
    size: int | str | None = None
    values: tuple[str, ...] = ()
    if typ in ("enum", "set"):
        t.expect("(")
        vals = []
        while t.peek() != ")":
            tok = t.next("a value")
            if tok != ",":
                vals.append(_unquote(tok))
        t.expect(")")
        values = tuple(vals)
    elif typ in OBJECT_TYPES:
        t.next("an object type name")
    elif typ not in INT_RANGES and typ not in FLOAT_TYPES and typ not in STRING_TYPES:
        raise RefseqtracksError(f"{name}: unknown autoSql type '{typ}'")
    if t.peek() == "[":
        t.next("[")
        tok = t.next("a list size")
        size = int(tok) if tok.lstrip("-").isdigit() else tok
        t.expect("]")
        if isinstance(size, str) and size not in {c.name for c in prev}:
            raise RefseqtracksError(f"{name}: list size '{size}' is not an earlier column")
    cname = t.next("a column name")
    while t.peek() not in (";", None):
        t.next("a column flag")  # primary, index[N], auto, unique ...
    t.expect(";")
    comment = ""
    if t.peek() is not None and t.peek()[0] == '"':
        comment = _unquote(t.next("a comment"))
    return AsColumn(cname, typ, comment, size, values)


def read_autosql(src: Source) -> tuple[str, AsTable]:
    """The verbatim text and parsed table of an ``.as`` file."""
    name = input_name(src)
    with open_input(src) as f:
        text = f.read()
    return text, parse_autosql(text, name=name)


def _check_int(text: str, typ: str) -> str | None:
    try:
        v = int(text)
    except ValueError:
        return "expected an integer"
    lo, hi = INT_RANGES[typ]
    if v < lo or v > hi:
        return f"out of range for {typ}"
    return None


def check_row(table: AsTable, cols: list[str], *, path: object = None, lineno: int | None = None,
              first: int = 0) -> None:
    """Check the fields ``cols[first:]`` of one line against the autoSql columns they map to."""
    make_row_checker(table, first=first)(cols, path, lineno)


def make_row_checker(table: AsTable, *, first: int = 0) -> Callable[[list[str], object, int | None], None]:
    """:func:`check_row` prepared once for many lines (only columns that can fail are visited)."""
    ncols = len(table.columns)
    index = {c.name: i for i, c in enumerate(table.columns)}
    todo = [(i, c) for i, c in enumerate(table.columns)
            if i >= first and (c.is_list or c.type not in ("string", "lstring")
                               or (c.type == "char" and isinstance(c.size, int)))]

    def check(cols: list[str], path: object = None, lineno: int | None = None) -> None:
        if len(cols) != ncols:
            raise ParseError(path, lineno, f"expecting {ncols} fields (from the autoSql "
                             f"of {table.name}), got {len(cols)}")
        for i, col in todo:
            err = _check_field(col, cols[i], cols, index)
            if err:
                raise ParseError(path, lineno, f"field {i + 1} ({col.name}) \"{cols[i]}\": {err}")

    return check


def _check_field(col: AsColumn, text: str, cols: list[str], index: dict[str, int]) -> str | None:
    typ = col.type
    if col.is_list:
        items = text.split(",")
        if items and items[-1] == "":
            items.pop()
        if isinstance(col.size, int):
            want = col.size
        else:
            try:
                want = int(cols[index[col.size]])
            except ValueError:
                return f"count field {col.size} is not a number"
        if len(items) != want:
            return f"list has {len(items)} items, {col.size} is {want}"
        if typ in INT_RANGES:
            lo, hi = INT_RANGES[typ]
            try:
                if all(lo <= int(v) <= hi for v in items):
                    return None
            except ValueError:
                pass
        for item in items:
            err = _check_scalar(typ, item, col)
            if err:
                return err
        return None
    if typ == "char" and isinstance(col.size, int) and len(text) > col.size:
        return f"longer than char[{col.size}]"
    return _check_scalar(typ, text, col)


def _check_scalar(typ: str, text: str, col: AsColumn) -> str | None:
    if typ in INT_RANGES:
        return _check_int(text, typ)
    if typ in FLOAT_TYPES:
        try:
            float(text)
        except ValueError:
            return "expected a number"
        return None
    if typ == "enum":
        return None if text in col.values else f"not one of {','.join(col.values)}"
    if typ == "set":
        if text == "":
            return None
        bad = [v for v in text.split(",") if v not in col.values]
        return f"not in set {','.join(col.values)}" if bad else None
    return None


_BED_COLUMNS = (
    ("string", "chrom", "Reference sequence chromosome or scaffold"),
    ("uint", "chromStart", "Start position in chromosome"),
    ("uint", "chromEnd", "End position in chromosome"),
    ("string", "name", "Name of item."),
    ("uint", "score", "Score (0-1000)"),
    ("char[1]", "strand", "+ or - for strand"),
    ("uint", "thickStart", "Start of where display should be thick (start codon)"),
    ("uint", "thickEnd", "End of where display should be thick (stop codon)"),
    ("uint", "reserved", "Used as itemRgb as of 2004-11-22"),
    ("int", "blockCount", "Number of blocks"),
    ("int[blockCount]", "blockSizes", "Comma separated list of block sizes"),
    ("int[blockCount]", "chromStarts", "Start positions relative to chromStart"),
)


def bed_as_text(bed_n: int, field_count: int) -> str:
    """A default autoSql for ``bedN+P`` input without ``-as`` (extra columns as strings)."""
    lines = ["table bed", '"Browser Extensible Data"', "("]
    for typ, name, comment in _BED_COLUMNS[:bed_n]:
        lines.append(f'   {typ:<7s} {name + ";":<14s} "{comment}"')
    for i in range(bed_n, field_count):
        lines.append(f'   {"lstring":<7s} {f"field{i + 1};":<14s} "Undocumented field"')
    lines.append(")")
    return "\n".join(lines) + "\n"
