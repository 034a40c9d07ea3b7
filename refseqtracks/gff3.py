"""Streaming GFF3 reader with kent's ``gff3.c`` parse rules (the only place 1-based becomes 0-based).

Format facts relied on (GFF3 1.26, as kent v492 reads it):

* The first line must be ``##gff-version 3`` (or ``3.x``); otherwise "invalid GFF3 header".
* Feature lines have exactly 9 tab-separated columns.  Like kent's ``chopString``, runs of tabs
  count as one separator, so an empty column is a column-count error.
* Columns 4/5 are 1-based, closed; :class:`GffFeature` holds 0-based half-open ``start``/``end``.
* ``strand`` is one of ``+ - . ?``; ``phase`` is ``.`` or 0..2 and a ``CDS`` must have one.
* Column 9 is ``tag=value,value;tag=...``.  Empty ``;``/``,`` items are dropped, a tag given
  twice merges its values (kent's ``addAttr``), values are percent-decoded.  A ``%`` not followed
  by two hex digits is "invalid GFF escape sequence" (kent v492 then decodes it as ``_``).
  Tags must be alphanumeric, ``-`` or ``_``; a tag starting with an upper-case letter must be one
  of the reserved GFF3 attributes (ID, Name, Alias, Parent, Target, Gap, Derives_from, Note,
  Dbxref, Ontology_term, Is_circular), and ID/Name/Target/Gap/Derives_from take one value.
* ``##FASTA`` ends the features; ``###`` says that all forward references so far are resolved
  (:attr:`Gff3Reader.on_directive` hears about it); ``##sequence-region``, ``##species``,
  ``##genome-build`` and the ontology directives are recorded; other ``##`` lines are errors, as
  in kent; ``#`` comments (``#!annotation-source`` ...) are kept in :attr:`Gff3Reader.comments`.

Error budget (kent's ``-maxParseErrors``): every problem is reported as ``path:line: message``;
the ones kent can downgrade get the suffix ``(error can be a warning)`` and, in ``warn`` mode, are
reported as ``path:line: WARNING: message`` without counting.  Parsing stops with
``GFF3: N parser errors`` once the count exceeds ``max_errors`` (negative: unlimited).

Speed: ``Gff3Reader(lazy_attrs=True)`` (used by the converter) reads the usual line the quick
way of :mod:`refseqtracks.gff3_quick`, with the same features and messages; ``make_record``
lets the converter have its own record made from such a line instead of a :class:`GffFeature`.

Writing a feature back (:func:`format_gff3_line`) lives in :mod:`refseqtracks.gff3_write` and is
importable from here.

Public API: :func:`iter_gff3_features`, :func:`read_gff3_header`, :class:`GffFeature`,
:class:`Gff3Reader`, :func:`raw_feature_columns`.
"""
from __future__ import annotations

import itertools
import re
import sys
from typing import Callable, Iterator, NamedTuple
from urllib.parse import unquote as _unquote

from refseqtracks.errors import ParseError, RefseqtracksError
from refseqtracks.fileio import Source, input_name, open_input
from refseqtracks.gff3_write import format_gff3_line  # (the writer, in its own module)

__all__ = [
    "GffFeature", "Gff3Reader", "Gff3Abort", "iter_gff3_features", "read_gff3_header",
    "STANDARD_ATTRS", "unescape", "format_gff3_line", "raw_feature_columns",
]

#: the reserved (upper-case) GFF3 attribute tags kent accepts.
STANDARD_ATTRS = frozenset(("ID", "Name", "Alias", "Parent", "Target", "Gap", "Derives_from",
                            "Note", "Dbxref", "Ontology_term", "Is_circular"))
_SINGLE_VALUED = ("ID", "Name", "Target", "Gap", "Derives_from")
#: single-valued tags whose checks the inline line parser leaves to the full one (ID, Name inline)
_CHECKED_TAGS = frozenset(("Target", "Gap", "Derives_from"))
_STRANDS = frozenset("+-.?")
_PHASES = {".": None, "0": 0, "1": 1, "2": 2}
_HEX = frozenset("0123456789abcdefABCDEF")
_TAG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
_EQUALS, _ONCE, _COMMAS, _TABS = (itertools.repeat(x) for x in ("=", 1, ",", "\t"))
_META_IGNORED = ("##gff-spec-version", "##source-version", "##source", "##date", "##Type")
_META_WORDS = {"##feature-ontology": 2, "##attribute-ontology": 2, "##source-ontology": 2,
               "##species": 2, "##genome-build": 3}


class GffFeature(NamedTuple):
    """One GFF3 feature line; ``start``/``end`` are 0-based half-open."""

    seqid: str
    source: str
    type: str
    start: int
    end: int
    score: str | None
    strand: str
    phase: int | None
    attrs: dict[str, list[str]]
    lineno: int
    path: str

    @property
    def id(self) -> str | None:
        v = self.attrs.get("ID")
        return v[0] if v else None

    @property
    def name(self) -> str | None:
        v = self.attrs.get("Name")
        return v[0] if v else None

    @property
    def parent_ids(self) -> list[str]:
        return self.attrs.get("Parent") or []


_new_feature = tuple.__new__


class Gff3Abort(RefseqtracksError):
    """Parsing stopped: the error budget is spent (the messages were already reported)."""


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})").search


def unescape(text: str, bad: Callable[[], None] | None = None) -> str:
    """Decode GFF3 ``%XX`` escapes (bytes, read as UTF-8 like the input).

    A ``%`` without two hex digits calls ``bad()`` and decodes as ``_``, as kent v492 does.
    """
    if "%" not in text:
        return text
    if _BAD_ESCAPE(text) is None:
        # RefSeq's usual escapes by plain replacement (%25 last, so nothing decodes twice)
        u = text.replace("%2C", ",").replace("%3B", ";").replace("%3D", "=").replace("%26", "&")
        if "%" not in u.replace("%25", ""):
            return u.replace("%25", "%")
        return _unquote(text, errors="surrogateescape")
    data = text.encode("utf-8", "surrogateescape")
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        j = data.find(b"%", i)
        if j < 0:
            out += data[i:]
            break
        out += data[i:j]
        h = data[j + 1:j + 3]
        if len(h) == 2 and chr(h[0]) in _HEX and chr(h[1]) in _HEX:
            out.append(int(h, 16))
        else:
            if bad is not None:
                bad()
            out += b"_"
        i = j + 3
    return out.decode("utf-8", "surrogateescape")


def _strtol(text: str) -> int | None:
    """C ``strtol(s, &end, 0)`` that must consume the whole string; None when it does not."""
    s = text.lstrip(" \t\n\v\f\r")
    sign = 1
    if s[:1] in ("+", "-"):
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    base = 10
    if s[:2].lower() == "0x" and len(s) > 2:
        base, s = 16, s[2:]
    elif len(s) > 1 and s[0] == "0":
        base = 8
    if not s or not s.isascii() or not s.isalnum():
        return None
    try:
        return sign * int(s, base)
    except ValueError:
        return None


def _valid_float(text: str) -> bool:
    if "_" in text or not text.isascii():
        return False
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text


class Gff3Reader:
    """Iterate the features of one GFF3 input, reporting problems the way kent's gff3.c does.

    ``report`` receives each diagnostic line (default: append to :attr:`messages`).  Iterating
    yields :class:`GffFeature` records; :attr:`error_count` says how many errors were counted.
    After iteration, :attr:`comments`, :attr:`pragmas` and :attr:`sequence_regions` hold the
    header information (``#`` lines and ``##`` directives).
    """

    def __init__(self, src: Source, *, max_errors: int = 50, warn: bool = False,
                 report: Callable[[str], None] | None = None,
                 on_directive: Callable[[str], None] | None = None, line_offset: int = 0,
                 lazy_attrs: bool = False, make_record: Callable | None = None):
        self.src = src
        #: yield :class:`LazyAttrs` for column 9 where kent's parser has nothing to say about it
        self.lazy_attrs = lazy_attrs
        #: with ``lazy_attrs``: what a quick line becomes (see :func:`gff3_quick.parse_lazy`)
        self.make_record = make_record
        #: added to every line number after the header (a piece of a larger file)
        self.line_offset = line_offset
        self.path = input_name(src)
        self.max_errors = max_errors if max_errors >= 0 else sys.maxsize
        self.warn = warn
        self.messages: list[str] = []
        self.report = report if report is not None else self.messages.append
        self.on_directive = on_directive
        self.error_count = 0
        self.warning_count = 0
        self.lineno = 0
        self.comments: list[str] = []
        self.pragmas: list[tuple[str, str]] = []
        self.sequence_regions: dict[str, tuple[int, int]] = {}
        self._tag_ok: dict[str, bool] = {}
        self._good_tags: set[str] = set()
        #: with ``lazy_attrs``, :meth:`batches` hands it each block of whole lines it read, once
        #: the block's features are made: ``tap(text, lines, opened, records)``, ``lines`` being
        #: the lines of ``text`` without their ``\n`` (None when ``text`` holds a carriage return;
        #: ``opened``: a ``\n`` was added to ``text`` after the input's last line), ``records``
        #: ``(lists, decoded)``: the lists of records made from the block's lines, in order,
        #: every line but blank, comment and directive lines having one (else None), and the
        #: line numbers of those made by ``make_record`` whose columns 1-3 were decoded (the
        #: others hold them as the line has them); then ``tap(None, None, False, None)`` at the end of
        #: the input, which a reading stopped early (``##FASTA``, an abort) never reaches
        self.block_tap: Callable | None = None

    # -- diagnostics ---------------------------------------------------------------------
    def error(self, message: str, *, lineno: int | None = None, warnable: bool = False) -> None:
        """Report a parse problem at the current (or given) line and count it."""
        line = self.lineno if lineno is None else lineno
        if warnable and self.warn:
            self.warning_count += 1
            self.report(f"{self.path}:{line}: WARNING: {message}")
            return
        suffix = " (error can be a warning)" if warnable else ""
        self.report(f"{self.path}:{line}: {message}{suffix}")
        self.count_error()

    def count_error(self) -> None:
        self.error_count += 1
        if self.error_count > self.max_errors:
            raise Gff3Abort(f"GFF3: {self.error_count} parser errors")

    # -- reading -------------------------------------------------------------------------
    def __iter__(self) -> Iterator[GffFeature]:
        if getattr(self.src, "gff3_line_source", False):
            yield from self._parse(self.src)
            return
        with open_input(self.src) as fh:
            yield from self._parse(fh)

    def batches(self) -> Iterator[list]:
        """The features in lists of consecutive ones (with ``lazy_attrs``, quick lines in bulk).

        A list is handed over before the next problem is reported or directive heard, so the
        order of features and events is that of iterating.
        """
        if not self.lazy_attrs:
            for feat in self:
                yield [feat]
            return
        from refseqtracks.gff3_quick import lazy_batches
        if getattr(self.src, "gff3_line_source", False):
            yield from lazy_batches(self, self.src, self._header(self.src), self.make_record)
            return
        with open_input(self.src) as fh:
            yield from lazy_batches(self, fh, self._header(fh), self.make_record)

    def _header(self, fh) -> int:
        """Read and check the first line; returns the line number the features count from."""
        first = fh.readline()
        if not first:
            raise ParseError(self.path, None, "empty GFF file, must have header")
        self.lineno = 1
        self._check_header(first.rstrip("\r\n"))
        self.lineno = 1 + self.line_offset
        return self.lineno

    def _parse(self, fh) -> Iterator[GffFeature]:
        self._header(fh)
        path = self.path
        parse_line = self._parse_feature
        meta = self._meta
        good_tags = self._good_tags
        slow_tags = _CHECKED_TAGS
        new_feature = _new_feature
        lineno = 1 + self.line_offset
        if self.lazy_attrs:
            from refseqtracks.gff3_quick import parse_lazy
            yield from parse_lazy(self, fh, lineno, self.make_record)
            return
        for line in fh:
            lineno += 1
            if line[-1:] == "\n":
                line = line[:-2] if line[-2:] == "\r\n" else line[:-1]
            if not line:
                continue
            if line[0] == "#":
                self.lineno = lineno
                if line[1:2] == "#":
                    if meta(line):
                        break
                else:
                    self.comments.append(line)
                continue
            self.lineno = lineno
            # the common case inline: nothing to report, nothing to decode in columns 1-8,
            # column 9 of known tags, no empty items, no trimming; anything else goes the long way
            cols = line.split("\t")
            if len(cols) == 9:
                seqid, source, ftype, c4, c5, score, strand, c8, col = cols
                if (c4.isdigit() and c5.isdigit() and c4.isascii() and c5.isascii()
                        and strand in _STRANDS and c8 in _PHASES and (score == "." or _valid_float(score))
                        and col and col[0] not in "; " and ";;" not in col and "; " not in col
                        and " ;" not in col and "%" not in seqid and "%" not in source
                        and "%" not in ftype and seqid and source and ftype):
                    if col[-1] == ";":
                        col = col[:-1]
                    phase = _PHASES[c8]
                    if (col and col[-1] != " " and " =" not in col
                            and (phase is not None or ftype != "CDS")):
                        items = col.split(";")
                        try:
                            d = dict(map(str.split, items, _EQUALS, _ONCE))
                        except ValueError:
                            d = None
                        if (d is not None and len(d) == len(items) and good_tags.issuperset(d)
                                and slow_tags.isdisjoint(d)):
                            if "," not in col:
                                attrs = dict(zip(d, map(str.split, d.values(), _TABS)))
                            elif not (",," in col or "=," in col or ",;" in col or col[-1] == ","
                                      or "," in d.get("ID", "") or "," in d.get("Name", "")):
                                attrs = dict(zip(d, map(str.split, d.values(), _COMMAS)))
                            else:
                                attrs = None
                            if attrs is not None:
                                if "%" in col:
                                    for k, v in d.items():
                                        if "%" in v:
                                            attrs[k] = [unescape(x, self._bad_escape(x)) if "%" in x
                                                        else x for x in attrs[k]]
                                yield new_feature(GffFeature, (
                                    seqid, source, ftype, int(c4) - 1, int(c5),
                                    None if score == "." else score, strand, phase, attrs, lineno, path))
                                continue
            feat = parse_line(line, lineno, path)
            if feat is not None:
                yield feat
        self.lineno = lineno

    def _check_header(self, line: str) -> None:
        word, _, ver = line.partition(" ")
        if "\t" in word:
            word, _, ver = line.partition("\t")
        ver = ver.strip()
        if word != "##gff-version" or not (ver == "3" or ver.startswith("3.")):
            raise ParseError(self.path, 1, "invalid GFF3 header, may not be a GFF3 file")
        self.pragmas.append(("##gff-version", ver))

    def _meta(self, line: str) -> bool:
        """Handle a ``##`` line; True at ``##FASTA`` (end of the features)."""
        line = line.rstrip()
        if line == "###":
            if self.on_directive is not None:
                self.on_directive("###")
            return False
        if line == "##FASTA":
            return True
        words = line.split()
        key = words[0]
        rest = line[len(key):].strip()
        if key == "##sequence-region":
            if len(words) != 4:
                self.error(f"expected \"##sequence-region seqid start end\", got \"{line}\"")
                return False
            start, end = _strtol(words[2]), _strtol(words[3])
            if start is None:
                self.error(f"invalid integer: {words[2]}")
                start = 0
            if end is None:
                self.error(f"invalid integer: {words[3]}")
                end = 0
            if words[1] in self.sequence_regions:
                self.error(f"duplicate ##sequence-region for {words[1]}")
            else:
                self.sequence_regions[words[1]] = (start - 1, end)
            self.pragmas.append((key, rest))
        elif key in _META_WORDS:
            n = _META_WORDS[key]
            if len(words) != n:
                form = {"##genome-build": "##genome-build source buildName",
                        "##species": "##species NCBI_Taxonomy_URI"}.get(key, f"{key} URI")
                self.error(f"expected \"{form}\", got \"{line}\"")
            elif key == "##genome-build" and any(k == key for k, _ in self.pragmas):
                self.error("multiple ##genome-build records")
            else:
                self.pragmas.append((key, rest))
        elif key in _META_IGNORED:
            self.pragmas.append((key, rest))
        else:
            self.error(f"invalid meta line: {line}")
        return False

    def _bad_escape(self, text: str) -> Callable[[], None]:
        return lambda: self.error(f"invalid GFF escape sequence in string: {text}", warnable=True)

    def _parse_feature(self, line: str, lineno: int, path: str) -> GffFeature | None:
        cols = line.split("\t")
        if len(cols) != 9 or "" in cols:
            cols = [c for c in cols if c]
            if len(cols) != 9:
                self.error(f"expected 9 tab-separated columns: {line}")
                return None
        seqid, source, ftype, c4, c5, score, strand, c8, c9 = cols
        if "%" in line:
            if "%" in seqid:
                seqid = unescape(seqid, self._bad_escape(seqid))
            if "%" in source:
                source = unescape(source, self._bad_escape(source))
            if "%" in ftype:
                ftype = unescape(ftype, self._bad_escape(ftype))
        if c4.isdigit() and c4.isascii():
            start = int(c4) - 1
        else:
            v = _strtol(c4)
            if v is None:
                self.error(f"invalid integer: {c4}")
                v = 0
            start = v - 1
        if c5.isdigit() and c5.isascii():
            end = int(c5)
        else:
            end = _strtol(c5)
            if end is None:
                self.error(f"invalid integer: {c5}")
                end = 0
        if score == ".":
            score = None
        elif not _valid_float(score):
            self.error(f"invalid float: {score}")
        if strand not in ("+", "-", ".", "?"):
            self.error(f"invalid strand: '{strand}'")
            strand = "."
        if c8 == ".":
            phase = None
        elif c8 in ("0", "1", "2"):
            phase = ord(c8) - 48
        else:
            phase = _strtol(c8)
            if phase is None:
                self.error(f"invalid integer: {c8}")
                phase = 0
            if not 0 <= phase <= 2:
                self.error(f"invalid phase: {phase}")
        if phase is None and ftype == "CDS":
            self.error("CDS feature must have phase", warnable=True)
        attrs = self._fast_attrs(c9)
        if attrs is None:
            attrs = self._parse_attrs(c9)
            for tag in attrs:
                if "A" <= tag[0] <= "Z":
                    self._check_std_attr(tag, attrs[tag])
        return _new_feature(GffFeature, (seqid, source, ftype, start, end, score, strand, phase, attrs,
                                         lineno, path))

    def _fast_attrs(self, col: str) -> dict[str, list[str]] | None:
        """Column 9 when it needs no trimming or checks beyond known tags (the common case); else None."""
        if ";;" in col or "; " in col or " ;" in col or col[:1] in "; ":
            return None
        if col[-1] == ";":
            col = col[:-1]
        if col[-1:] == " " or " =" in col:
            return None
        items = col.split(";")
        try:
            d = dict(map(str.split, items, _EQUALS, _ONCE))
        except ValueError:
            return None
        if len(d) != len(items) or not self._good_tags.issuperset(d):
            return None
        if "," in col:
            if ",," in col or "=," in col or ",;" in col or col[-1] == ",":
                return None
            attrs = dict(zip(d, map(str.split, d.values(), _COMMAS)))
            for tag in _SINGLE_VALUED:
                v = attrs.get(tag)
                if v is not None and len(v) > 1:
                    self._check_std_attr(tag, v)
        else:
            # splitting on a tab (never in column 9) makes the one-value lists in C
            attrs = dict(zip(d, map(str.split, d.values(), _TABS)))
        if "%" in col:
            for k, v in d.items():
                if "%" in v:
                    attrs[k] = [unescape(x, self._bad_escape(x)) if "%" in x else x for x in attrs[k]]
        if "Target" in attrs:
            self._check_std_attr("Target", attrs["Target"])
        return attrs

    def _parse_attrs(self, col: str) -> dict[str, list[str]]:
        attrs: dict[str, list[str]] = {}
        tag_ok = self._tag_ok
        for item in col.split(";"):
            if not item:
                continue
            if item[0] in " \t" or item[-1] in " \t":
                item = item.strip(" \t\n\v\f\r")
                if not item:
                    continue
            tag, eq, val = item.partition("=")
            if not eq or not tag:
                self.error(f"expected name=value: {item}")
                continue
            if "%" in tag:
                tag = unescape(tag, self._bad_escape(tag))
            ok = tag_ok.get(tag)
            if ok is None:
                ok = tag_ok[tag] = bool(tag) and all(c in _TAG_CHARS for c in tag)
                if ok and not ("A" <= tag[0] <= "Z" and tag not in STANDARD_ATTRS):
                    self._good_tags.add(tag)
            if not ok:
                self.error(f"invalid attribute tag, must be only alphanumeric, dash or underscore: {tag}",
                           warnable=True)
                continue
            if "," in val:
                vals = val.split(",")
                if "" in vals:
                    vals = [v for v in vals if v] or [""]
            else:
                vals = [val]
            if "%" in val:
                vals = [unescape(v, self._bad_escape(v)) if "%" in v else v for v in vals]
            old = attrs.get(tag)
            if old is None:
                attrs[tag] = vals
            else:
                old.extend(vals)
        return attrs

    def _check_std_attr(self, tag: str, vals: list[str]) -> None:
        if tag not in STANDARD_ATTRS:
            self.error("unknown standard attribute, user defined attributes must start with a "
                       f"lower-case letter: {tag}")
            return
        if tag in _SINGLE_VALUED and len(vals) > 1:
            self.error(f"attribute {tag} must have a single value, found multiple comma-separated values")
        if tag == "Target":
            words = vals[0].split()
            if not 3 <= len(words) <= 4:
                self.error("expected Target attribute in the form \"target_id start end [strand]\", "
                           f"got \"{vals[0]}\"")
                return
            for w in words[1:3]:
                if _strtol(w) is None:
                    self.error(f"invalid integer: {w}")
            if len(words) == 4 and words[3] not in ("+", "-", ".", "?"):
                self.error(f"invalid strand: '{words[3]}'")


def raw_feature_columns(src: Source, keep: Callable[[str], bool]) -> Iterator[list[str]]:
    """The nine columns, as written, of the feature lines (up to ``##FASTA``) for which
    ``keep(line)`` is true: a light pass for a few facts, without the reader's checks (lines
    that do not have nine columns are passed over)."""
    with open_input(src) as f:
        for line in f:
            if line[0] == "#":
                if line.startswith("##FASTA"):
                    return
                continue
            if keep(line):
                cols = line.rstrip("\r\n").split("\t")
                if len(cols) == 9:
                    yield cols


def iter_gff3_features(src: Source, *, strict: bool = True, max_errors: int = 50,
                       report: Callable[[str], None] | None = None) -> Iterator[GffFeature]:
    """Lazily read the features of a GFF3 file (path, ``Path``, open file, ``-``; gzip or plain).

    ``strict=True`` raises :class:`ParseError` at the first problem.  ``strict=False`` reports
    problems kent can downgrade as warnings and the others against the ``max_errors`` budget
    (through ``report``, default: collected and dropped); it raises :class:`Gff3Abort` when the
    budget is spent and a :class:`ParseError` at the end if any error was counted.
    """
    if strict:
        def _raise(msg: str) -> None:
            loc, _, text = msg.partition(": ")
            path, _, line = loc.rpartition(":")
            raise ParseError(path, int(line) if line.isdigit() else None, text)
        reader = Gff3Reader(src, max_errors=0, report=_raise)
        yield from reader
        return
    reader = Gff3Reader(src, max_errors=max_errors, warn=True, report=report)
    yield from reader
    if reader.error_count:
        raise ParseError(reader.path, None, f"{reader.error_count} errors parsing GFF3 file")


def read_gff3_header(src: Source, *, max_lines: int = 1000) -> Gff3Reader:
    """Read the header (``#`` comments and ``##`` directives before the first feature).

    Returns the :class:`Gff3Reader`, whose ``comments``, ``pragmas`` and ``sequence_regions``
    are filled (``##sequence-region`` lines anywhere in the first ``max_lines`` lines count).
    """
    reader = Gff3Reader(src, max_errors=-1)
    it = iter(reader)
    for feat in it:
        if feat.lineno >= max_lines:
            break
    it.close()
    return reader
