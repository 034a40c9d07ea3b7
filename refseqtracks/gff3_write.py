"""Writing GFF3 features back the way kent's ``gff3`` writer does (``gff3ToGenePred -unprocessedRootsOut``).

Coordinates: records hold 0-based half-open ``start``/``end``; the line has them 1-based, closed.

kent behaviour reproduced (v492 ``gff3AnnWrite``):

* Columns 1-3 and every tag and value of column 9 are written with ``writeEscaped``: the bytes
  (UTF-8) ``;``, ``=``, ``&``, ``,``, and every byte outside printable ASCII (tab, newline, DEL,
  non-ASCII...) as ``%XX`` with upper-case hex.  ``%`` itself is written as it is.
* Column 9 is the decoded attributes, ``tag=v1,v2`` joined by ``;`` (a tag given twice has had
  its values merged, empty items and empty list values were dropped when reading).
* The score goes through a C ``float`` and ``%g``; phase ``.`` or the number.

Speed: most roots (``cDNA_match`` alignments, regulatory features) are read with their column 9
kept as text.  Writing that text as it is gives the same line when decoding and writing it back
would give it again (:func:`_written_as_read`, :func:`_escapes_written_back`), which saves the
decoding and the per-value escaping; ``-attrsOut`` lines are made from such a text the same way
(:func:`_attr_lines`).  The check of a text is a single regular expression match against the tag
sequence of an earlier text (its tags are known to be distinct), or the general check when no
earlier tag sequence fits (a sequence met twice becomes a pattern, up to 1000 per process); the
parts of one alignment, which differ only in their ``Target``, have only it looked at.

Public API: :func:`format_gff3_line` (re-exported by :mod:`refseqtracks.gff3`).
"""
from __future__ import annotations

import re
import struct
from typing import Callable
from urllib.parse import unquote as _unquote

__all__ = ["format_gff3_line"]

_ESCAPE_TABLE = {c: f"%{c:02X}" for c in range(256)
                 if c in (9, 10, 13, 0x3B, 0x3D, 0x26, 0x2C) or not (32 <= c < 127)}

_ASCII_ESCAPES = {c: e for c, e in _ESCAPE_TABLE.items() if c < 128}

#: a character kent escapes: not printable ASCII, or one of ';', '=', '&', ','
_NEEDS_ESCAPE = re.compile(r"[^ -%'-+\--:<>-~]").search
_CONTROL = re.compile(r"[\x00-\x1f\x7f]").search


def _escape(text: str) -> str:
    """kent's ``writeEscaped``: meta and non-printable bytes as ``%XX`` (UTF-8 bytewise)."""
    if _NEEDS_ESCAPE(text) is None:
        return text
    if text.isascii():
        if _CONTROL(text) is None:
            return text.replace(",", "%2C").replace(";", "%3B").replace("=", "%3D").replace("&", "%26")
        return text.translate(_ASCII_ESCAPES)
    data = text.encode("utf-8", "surrogateescape")
    return "".join(_ESCAPE_TABLE.get(b, chr(b)) for b in data)


def _format_score(score: str) -> str:
    """The score as kent writes it: through a C ``float`` and ``%g``."""
    # a decimal integer below 10**6 (no sign, no leading zero) is exact in a float and %g
    # writes it back with the same digits
    if len(score) <= 6 and score.isdigit() and score.isascii() and (score[0] != "0" or score == "0"):
        return score
    try:
        v = struct.unpack("f", struct.pack("f", float(score)))[0]
    except (ValueError, OverflowError):
        return score
    return f"{v:g}"


#: a character kent escapes but ';', '=', ','
_NEEDS_ESCAPE_IN_ITEM = re.compile(r"[^ -%'-~]").search

#: printable ASCII but the characters kent escapes (';', '=', '&', ',') and '%'
_PLAIN = r" -$'-+\--:<>-~"
#: a value as :func:`_one_tag_items` takes it: plain characters and '%', ',' between non-empty
#: runs of them, not ending in a space
_VALUE = rf"(?!,)[{_PLAIN}%]*+(?:,[{_PLAIN}%]++)*+(?<! )"
#: items that are each one tag (plain characters, not starting with a space) '=' one value
_ITEMS = re.compile(rf"(?! )[{_PLAIN}]*+={_VALUE}(?:;(?! )[{_PLAIN}]*+={_VALUE})*+").fullmatch
#: (fullmatch, tags) of tag sequences already met (distinct tags), by number of ';', the ones
#: matched last first
_SHAPES: dict[int, list[tuple[Callable, tuple[str, ...]]]] = {}
#: how often a tag sequence passed the general check (a sequence met twice gets its own pattern)
_SEEN: dict[tuple[str, ...], int] = {}
_SHAPES_PER_COUNT = 8
_SEEN_MAX = 4096
#: patterns still to be made (about half a millisecond each; when none is left, the general check)
_patterns_left = 1000
#: the fullmatch of the tag sequence matched last (tried first), and its tags
_last_shape: tuple[Callable, tuple[str, ...]] = (re.compile("(?!)").fullmatch, ())
#: the text up to the first ';' and from the second on, of the last text that passed with a
#: ``Target`` as its second item: the parts of one alignment (``cDNA_match``) differ only in
#: their Target, and only it is looked at when the rest is the same
_last_around: tuple[str, str] = ("", "")
#: a Target item as :data:`_ITEMS` takes it, without ',' or '%' (a part of the text)
_TARGET_ITEM = re.compile(rf"Target=[{_PLAIN}]*+(?<! )").fullmatch


def _one_tag_items(text: str) -> bool:
    """Whether a column 9 is items that are each one ``tag=value``, read without trimming or
    dropping anything: printable ASCII without ``&``, tags without ``,`` or ``%``, no white
    space at an item's edges, no empty item, no empty value in a list, no tag twice."""
    global _last_shape, _last_around
    head, tail = _last_around
    if (head and text.startswith(head) and text.endswith(tail) and len(head) + len(tail) < len(text)
            and _TARGET_ITEM(text, len(head), len(text) - len(tail)) is not None):
        return True  # (the same items around another Target: the same tags)
    if _last_shape[0](text) is not None:
        tags = _last_shape[1]
    else:
        n = text.count(";")
        for i, shape in enumerate(_SHAPES.get(n, ())):
            if shape[0](text) is not None:
                if i:
                    shapes = _SHAPES[n]
                    shapes[0], shapes[i] = shape, shapes[0]
                _last_shape = shape
                tags = shape[1]
                break
        else:
            if _ITEMS(text) is None:
                return False
            tags = text.replace("=", ";").split(";")[::2]  # (each item is tag=value)
            if len(set(tags)) != len(tags):
                return False
            _learn_shape(n, tuple(tags))
    if len(tags) > 2 and tags[1] == "Target":
        first = text.find(";") + 1
        _last_around = text[:first], text[text.find(";", first):]
    return True


def _learn_shape(n: int, tags: tuple[str, ...]) -> None:
    """Remember the tags of a column 9 of one-tag items; the second time, as a pattern."""
    global _patterns_left
    seen = _SEEN.get(tags, 0)
    if seen == 0:
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[tags] = 1
        return
    if seen > 1 or _patterns_left <= 0:
        return
    _patterns_left -= 1
    _SEEN[tags] = 2
    match = re.compile(";".join([re.escape(t) + "=" + _VALUE for t in tags])).fullmatch
    shapes = _SHAPES.setdefault(n, [])
    shapes.insert(0, (match, tags))
    if len(shapes) > _SHAPES_PER_COUNT:
        _SEEN[shapes.pop()[1]] = 1  # (the one dropped may be learnt again)


def _written_as_read(text: str) -> bool:
    """Whether kent writes a column 9 back exactly as it was read: printable ASCII without
    ``%`` or ``&``, every item one ``tag=value`` (no white space at its edges, no empty
    item, no empty value in a list, no ``,`` in the tag), no tag twice."""
    return "%" not in text and "&" not in text and _one_tag_items(text)


#: a '%' that does not start an escape kent writes back the same: upper-case hex of a byte
#: it escapes (controls, '&', ',', ';', '=', DEL and above)
_LOST_ESCAPE = re.compile(r"%(?!(?:[01][0-9A-F]|2[6C]|3[BD]|7F|[89A-F][0-9A-F]))").search


def _escapes_written_back(text: str) -> bool:
    """Whether kent writes a column 9 holding ``%`` escapes back exactly as it was read: like
    :func:`_written_as_read`, with escapes in the values only, each of a byte that kent escapes
    again the same way (``%2C`` is read as ``,`` and written as ``%2C``; not ``%25`` or ``%2c``)."""
    return _LOST_ESCAPE(text) is None and _one_tag_items(text)


#: a '%' not followed by two hex digits
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})").search
#: the characters of the escapes of ASCII bytes, but a newline
_ASCII_UNESCAPED = {h: chr(c) for c in range(128) if c != 10 for h in (f"{c:02X}", f"{c:02x}")}


def _attr_lines(text: str) -> str | None:
    """Column 9 as ``tag<TAB>v1,v2`` lines (``\\n`` between them, values decoded) when these are
    the lines of its decoded attributes: like :func:`_written_as_read`, but with any ``%XX``
    escapes in the values, none decoding to a newline.  None otherwise."""
    if not _one_tag_items(text):
        return None
    lines = text.replace("=", "\t").replace(";", "\n")
    if "%" not in lines:
        return lines
    # RefSeq's usual escape first (a '%2C' in the text is an escape: no '%' is part of another)
    lines = lines.replace("%2C", ",")
    if "%" not in lines:
        return lines
    parts = lines.split("%")
    try:
        # (ASCII text and escapes of ASCII bytes: each escape decodes to its own character)
        return "".join([parts[0]] + [_ASCII_UNESCAPED[p[:2]] + p[2:] for p in parts[1:]])
    except KeyError:
        pass
    if _BAD_ESCAPE(text) is not None:
        return None
    lines = _unquote(lines, errors="surrogateescape")
    return lines if lines.count("\n") == text.count(";") else None


#: the columns 1-3 of the last line written that needed no escape
_plain = ["", "", ""]


def format_gff3_line(f) -> str:
    """A feature written back the way kent's ``gff3AnnWrite`` writes it (with newline).

    ``f`` is a :class:`~refseqtracks.gff3.GffFeature` or a converter record holding its column 9
    as read (``text``): that text is written as it is when decoding and writing it back would
    give it again."""
    text = getattr(f, "text", None)
    if text is not None and (_written_as_read(text) if "%" not in text else _escapes_written_back(text)):
        attrs = text
    else:
        attrs = _format_attrs(f.attrs)
    seqid, source, ftype = f.seqid, f.source, f.type
    if seqid != _plain[0] or source != _plain[1] or ftype != _plain[2]:  # (as the last line's)
        if _NEEDS_ESCAPE(seqid + source + ftype) is not None:
            seqid, source, ftype = _escape(seqid), _escape(source), _escape(ftype)
        else:
            _plain[:] = seqid, source, ftype
    score, phase = f.score, f.phase
    return (f"{seqid}\t{source}\t{ftype}\t{f.start + 1}\t{f.end}\t"
            f"{'.' if score is None else _format_score(score)}\t{f.strand}\t"
            f"{'.' if phase is None else phase}\t{attrs}\n")


def _format_attrs(items) -> str:
    """Column 9 of decoded attributes (tag -> list of values), escaped as kent writes it."""
    attrs = ";".join([t + "=" + ",".join(vals) for t, vals in items.items()])
    # the plain join is right unless a tag or value holds a character kent escapes: then the
    # separators would not be the only ';', '=' and ',' in it
    if (_NEEDS_ESCAPE_IN_ITEM(attrs) is not None or attrs.count(";") != len(items) - 1
            or attrs.count("=") != len(items)
            or attrs.count(",") != sum(map(len, items.values())) - len(items)):
        attrs = ";".join([_escape(t) + "=" + ",".join([_escape(v) for v in vals])
                          for t, vals in items.items()])
    return attrs
