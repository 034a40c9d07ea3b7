"""The GFF3 writer's quick paths give exactly what decoding column 9 and writing it kent's way gives."""
import re
import struct
from types import SimpleNamespace

import pytest
from hypothesis import example, given, settings, strategies as st

from refseqtracks import gff3, gff3_write
from refseqtracks.gff3_quick import decode_attrs
from refseqtracks.gff3_write import _attr_lines, _escapes_written_back, _written_as_read, format_gff3_line

# -- oracles: the check as it was before the quick paths, and kent's writer byte by byte ---------

_OLD_ONE_EQ_ITEMS = re.compile(r"[^=;,]*+=[^=;]*+(?:;[^=;,]*+=[^=;]*+)*+").fullmatch


def old_written_as_read(text):
    if ("%" in text or "&" in text or not text.isascii() or not text.isprintable()
            or text.count("=") != text.count(";") + 1 or text[:1] in (" ", ";") or text[-1:] in (" ", ";", ",")
            or "; " in text or " ;" in text
            or ("," in text and (",," in text or "=," in text or ",;" in text))):
        return False
    if _OLD_ONE_EQ_ITEMS(text) is None:
        return False
    tags = text.replace("=", ";").split(";")[::2]
    return len(set(tags)) == len(tags)


_KENT_ESCAPED = frozenset([*range(32), 0x26, 0x2C, 0x3B, 0x3D, *range(127, 256)])


def kent_escape(text):
    data = text.encode("utf-8", "surrogateescape")
    return "".join(f"%{b:02X}" if b in _KENT_ESCAPED else chr(b) for b in data)


def kent_score(score):
    try:
        v = struct.unpack("f", struct.pack("f", float(score)))[0]
    except (ValueError, OverflowError):
        return score
    return f"{v:g}"


def kent_line(rec, attrs):
    col9 = ";".join(kent_escape(t) + "=" + ",".join(kent_escape(v) for v in vals) for t, vals in attrs.items())
    return "\t".join((kent_escape(rec.seqid), kent_escape(rec.source), kent_escape(rec.type), str(rec.start + 1),
                      str(rec.end), "." if rec.score is None else kent_score(rec.score), rec.strand,
                      "." if rec.phase is None else str(rec.phase), col9)) + "\n"


# -- column 9 texts: items of few tags (so tags repeat and tag sequences recur) -----------------

_ESCAPES = ["%2C", "%3B", "%3D", "%26", "%25", "%09", "%0A", "%7F", "%C3%A9", "%E2%82", "%2c", "%c3",
            "%41", "%20", "%", "%2", "%ZZ"]
_CHARS = ["a", "Z", "9", " ", ",", "=", "&", "%", ";", "\t", "\x01", "\x7f", "é", "_", "-"]
_value = st.lists(st.sampled_from(_CHARS * 3 + _ESCAPES + ["abc", "NM_1.2 3 9 +"]), max_size=5).map("".join)
_tag = st.sampled_from(["ID", "Name", "Target", "gene", "note", "a b", "x,y", "t%2C", "", " t", "t "])
_item = st.one_of(st.tuples(_tag, _value).map("=".join), st.sampled_from(["", " ", "junk"]))
_rough = st.lists(_item, min_size=1, max_size=6).map(";".join)
# near the edge: mostly plain values and escapes kent writes back, now and then something else
_near_value = st.lists(st.sampled_from(["abc", "NM_1.2 3 9 +", "9", "x y", ",", " ", "%2C", "%3B", "%3D", "%26",
                                        "%09", "%C3%A9", "%E2%82", "%7F", "%25", "%2c", "%0A", "%41", "&", "é"]),
                       max_size=4).map("".join)
_near = st.lists(st.tuples(st.sampled_from(["ID", "Name", "gene", "note", "product", "Dbxref"]), _near_value)
                 .map("=".join), min_size=1, max_size=5).map(";".join)
col9 = st.one_of(_rough, _near)


def _rec(text, attrs, *, seqid="c1", source="RefSeq", ftype="cDNA_match", score=None, phase=None):
    return SimpleNamespace(seqid=seqid, source=source, type=ftype, start=9, end=20, score=score,
                           strand="+", phase=phase, text=text, attrs=attrs)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(col9, st.text(alphabet="ab=;,% &\t\x7fé Z2-", max_size=24)))
@example("a=1;a=2")
@example("a=b=c;d")
@example("ID=x;Target=NM_1 1 9 +;Gap=M9")
@example("a=1,,2;b= c")
@example("a=,b")
@example("a=b,")
@example("a =;b=c")
@example("=b;c=d")
@example("a=%41;b=&")
def test_written_as_read_answers_as_before(text):
    want = old_written_as_read(text)
    # (the first call may learn the tag sequence, the next ones use it)
    assert [_written_as_read(text) for _ in range(3)] == [want] * 3


@settings(max_examples=1500, deadline=None)
@given(col9, st.sampled_from([None, ".5", "0", "7", "12", "007", "999999", "1000000", "16777217", "3.50",
                              "1e5", "-1", "abc", "\u0661"]),
       st.sampled_from(["c1", "chr 1", "c;1", "ché"]), st.sampled_from([None, 0, 2]))
@example("ID=a;Note=x%2Cy", None, "c1", None)
@example("ID=a;Note=100%25", None, "c1", None)
def test_format_line_equals_decoded_and_written(text, score, seqid, phase):
    attrs = decode_attrs(text)
    rec = _rec(text, attrs, seqid=seqid, score=score, phase=phase)
    want = kent_line(rec, attrs)
    assert format_gff3_line(rec) == want
    assert format_gff3_line(rec) == want
    assert format_gff3_line(_rec(None, attrs, seqid=seqid, score=score, phase=phase)) == want


@settings(max_examples=1000, deadline=None)
@given(col9)
def test_attr_lines_are_the_decoded_items(text):
    lines = _attr_lines(text)
    if lines is not None:
        assert lines == "\n".join(f"{t}\t{','.join(v)}" for t, v in decode_attrs(text).items())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.characters(max_codepoint=300), st.sampled_from(["\udcc3", "\udcff", "\U0001f600"])),
                max_size=8).map("".join))
def test_escape_is_kents_bytewise(text):
    assert gff3_write._escape(text) == kent_escape(text)


@pytest.mark.parametrize("text, kept", [
    ("ID=id-1;Note=x%2Cy;product=a%3Bb%3Dc%26d", True),
    ("ID=a;Note=caf%C3%A9%09tab", True),
    ("ID=a;Note=100%25", False),   # read as '%', written as '%'
    ("ID=a;Note=x%2cy", False),    # written upper-case
    ("ID=a;Note=%41", False),      # 'A' is written as it is
    ("ID=a;t%2C=1", False),        # an escape in a tag (decoded when read in full)
    ("ID=a;Note=x%2", False),      # not an escape
    ("ID=a;ID=b%2C", False),       # a tag twice
], ids=["comma-semicolon-equals-ampersand", "utf8-tab", "percent", "lower-case", "printable", "in-tag",
        "bad", "tag-twice"])
def test_escapes_written_back(text, kept):
    assert _escapes_written_back(text) is kept
    rec = _rec(text, decode_attrs(text))
    assert format_gff3_line(rec) == kent_line(rec, rec.attrs)


def test_text_written_back_without_decoding():
    # the record's attributes are not looked at
    rec = _rec("ID=cds-1;Note=a%2Cb,c", None, source="RefSeqFE", ftype="enhancer", score="12", phase=0)
    assert format_gff3_line(rec) == "c1\tRefSeqFE\tenhancer\t10\t20\t12\t+\t0\tID=cds-1;Note=a%2Cb,c\n"


@pytest.mark.parametrize("patterns_left", [1000, 3, 0], ids=["patterns", "few-patterns", "no-patterns"])
def test_many_tag_sequences_of_one_length(monkeypatch, patterns_left):
    # more sequences of the same number of items than are kept as patterns, each met several times
    monkeypatch.setattr(gff3_write, "_patterns_left", patterns_left)
    texts = [f"ID=x{i};t{i}=1;u=2" for i in range(3 * gff3_write._SHAPES_PER_COUNT)]
    texts += ["ID=y;u=1;u=2", "ID=y;t0=1 ;u=2", "ID=y;t0=1;u=2,,3"]
    for _ in range(3):
        for text in texts:
            assert _written_as_read(text) == old_written_as_read(text), text


def test_the_writer_stays_importable_from_gff3():
    assert gff3.format_gff3_line is format_gff3_line and "format_gff3_line" in gff3.__all__


_target_value = st.lists(st.sampled_from(["NM_1.2", " ", "3", "9", "+", "-", ",", "%2C", "=", "&", "é", ";"]),
                         max_size=6).map("".join)


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(["ID=aln1", "ID=aln 1 ", "Target=x", "ID=", "gene=a,b"]),
       st.sampled_from(["gap_count=0;num_ident=9", "gap_count=0;Target=y", "ID=z;n=1", "n=1;;m=2", "n=1 ",
                        "pct=100;Gap=M9", "n=1,", "n=%41"]),
       st.lists(st.tuples(st.sampled_from(["Target", "Target ", "ID", "gap_count", "target"]), _target_value),
                min_size=1, max_size=5))
@example("ID=aln1", "gap_count=0;num_ident=9", [("Target", "NM_1.2 1 9 +"), ("Target", "NM_1.2 10 19 +")])
@example("ID=aln1", "gap_count=0;num_ident=9", [("Target", "NM_1.2 1 9 +"), ("Target", "NM_1.2 10 19 ")])
@example("ID=aln1", "gap_count=0;num_ident=9", [("Target", "NM_1.2 1 9 +"), ("ID", "x")])
@example("ID=aln1", "gap_count=0;num_ident=9", [("Target", "NM_1.2 1 9 +"), ("Target", "a;b=1")])
def test_the_parts_of_one_alignment_are_judged_as_alone(first, rest, middles):
    # the parts of one alignment differ only in their Target: a text with the same items around
    # another second item gets the answer it gets alone
    texts = [f"{first};{tag}={value};{rest}" for tag, value in middles]
    for text in texts + texts:
        assert _written_as_read(text) == old_written_as_read(text), text
