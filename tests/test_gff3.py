"""The streaming GFF3 reader: sources, decoding, kent's parse errors and error budget."""
from __future__ import annotations

import gzip
import io
import sys
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks.errors import ParseError, RefseqtracksError
from refseqtracks.gff3 import (
    Gff3Abort, Gff3Reader, GffFeature, format_gff3_line, iter_gff3_features, read_gff3_header, unescape,
)

from conftest import FIXTURES

BASIC = FIXTURES / "gff3" / "refseq_basic.gff3"
HEADER = "##gff-version 3\n"


def _write(tmp_path: Path, body: str, name: str = "t.gff3") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def _row(*cols) -> str:
    return "\t".join(str(c) for c in cols) + "\n"


GENE = _row("c1", "src", "gene", 11, 20, ".", "+", ".", "ID=g1;Name=G1")


# -- sources ----------------------------------------------------------------------------------
def _feature_ids(src) -> list[str | None]:
    return [f.id for f in iter_gff3_features(src)]


EXPECTED_IDS = _feature_ids(str(BASIC))


@pytest.mark.parametrize("kind", ["str", "path", "text_file", "binary_file", "gzip", "stdin"])
def test_reader_accepts_every_source(kind, tmp_path, monkeypatch):
    if kind == "str":
        src = str(BASIC)
    elif kind == "path":
        src = BASIC
    elif kind == "text_file":
        src = open(BASIC, encoding="utf-8")
    elif kind == "binary_file":
        src = open(BASIC, "rb")
    elif kind == "gzip":
        src = tmp_path / "basic.gff3.gz"
        src.write_bytes(gzip.compress(BASIC.read_bytes()))
    else:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BASIC.read_bytes())))
        src = "-"
    try:
        assert _feature_ids(src) == EXPECTED_IDS
    finally:
        if hasattr(src, "close"):
            src.close()


def test_feature_fields_are_zero_based_and_decoded(tmp_path):
    p = _write(tmp_path, _row("c%3B1", "src", "mRNA", 1, 10, "2.5", "-", ".",
                              " ID=t1 ;Note=a%2Cb,c;Note=d;empty=;x=1,,2"))
    (f,) = iter_gff3_features(p)
    assert isinstance(f, GffFeature)
    assert (f.seqid, f.start, f.end, f.score, f.strand, f.phase) == ("c;1", 0, 10, "2.5", "-", None)
    assert f.attrs == {"ID": ["t1"], "Note": ["a,b", "c", "d"], "empty": [""], "x": ["1", "2"]}
    assert f.lineno == 2 and f.path == str(p)


def test_crlf_and_fasta_end_features(tmp_path):
    p = tmp_path / "crlf.gff3"
    p.write_bytes((HEADER + GENE + "##FASTA\n>c1\nACGT\n").replace("\n", "\r\n").encode())
    (f,) = iter_gff3_features(p)
    assert f.attrs["Name"] == ["G1"]


def test_header_directives_and_comments():
    reader = read_gff3_header(BASIC)
    assert reader.comments[1] == "#!annotation-source NCBI RefSeq GCF_000001405.40-RS_2024_08"
    assert reader.sequence_regions == {"chrT": (0, 50000)}
    assert ("##gff-version", "3") in reader.pragmas


def test_unescape_bad_sequence_becomes_underscore():
    seen = []
    assert unescape("88% coverage", lambda: seen.append(1)) == "88_overage"
    assert unescape("a%41b") == "aAb" and seen == [1]


def test_escapes_are_utf8_bytes():
    assert unescape("caf%C3%A9%2C ok") == "café, ok"
    f = GffFeature("c1", "s", "gene", 0, 5, None, "+", None, {"Note": [unescape("caf%C3%A9")]}, 2, "p")
    assert format_gff3_line(f).endswith("\tNote=caf%C3%A9\n")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="ab ,;=&é%", max_size=3).map(lambda t: t.replace("%", "")),
                          st.sampled_from(["%2C", "%3B", "%3D", "%26", "%25", "%2c", "%C3%A9", "%41", "%09"])),
                max_size=8))
@example(["%25", "2C"])
def test_unescape_agrees_with_a_bytewise_decoder(pieces):
    text = "".join(pieces)
    assert unescape(text) == urllib.parse.unquote(text, errors="surrogateescape")


_PIECE = st.text(alphabet="aZ9 _;=,&%\té\x01", min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_PIECE, st.lists(st.text(alphabet="aZ9 _;=,&%\té\x01", max_size=4),
                                        min_size=1, max_size=3), min_size=1, max_size=4))
def test_format_line_attrs_escape_every_part(attrs):
    from refseqtracks.gff3_write import _escape
    f = GffFeature("c", "s", "t", 0, 1, None, ".", None, attrs, 2, "p")
    want = ";".join(_escape(t) + "=" + ",".join(_escape(v) for v in vals) for t, vals in attrs.items())
    assert format_gff3_line(f) == f"c\ts\tt\t1\t1\t.\t.\t.\t{want}\n"


def test_format_line_escapes_like_kent():
    f = GffFeature("c1", "s", "gene", 0, 5, "101.956", "+", None,
                   {"ID": ["g;1"], "Note": ["x,y", "z é"]}, 2, "p")
    assert format_gff3_line(f) == "c1\ts\tgene\t1\t5\t101.956\t+\t.\tID=g%3B1;Note=x%2Cy,z %C3%A9\n"


# -- errors -----------------------------------------------------------------------------------
# (name, line, message fragment, kent can downgrade it to a warning)
PARSE_ERRORS = [
    ("columns", "c1\tsrc\tgene\t1\t5\t.\t+\n", "expected 9 tab-separated columns", False),
    ("empty_column", "c1\tsrc\tgene\t1\t5\t.\t+\t.\t\n", "expected 9 tab-separated columns", False),
    ("start", _row("c1", "s", "gene", "x1", 5, ".", "+", ".", "ID=a"), "invalid integer: x1", False),
    ("end", _row("c1", "s", "gene", 1, "5b", ".", "+", ".", "ID=a"), "invalid integer: 5b", False),
    ("score", _row("c1", "s", "gene", 1, 5, "hi", "+", ".", "ID=a"), "invalid float: hi", False),
    ("strand", _row("c1", "s", "gene", 1, 5, ".", "x", ".", "ID=a"), "invalid strand: 'x'", False),
    ("phase", _row("c1", "s", "CDS", 1, 5, ".", "+", "3", "ID=a"), "invalid phase: 3", False),
    ("cds_phase", _row("c1", "s", "CDS", 1, 5, ".", "+", ".", "ID=a"), "CDS feature must have phase", True),
    ("name_value", _row("c1", "s", "gene", 1, 5, ".", "+", ".", "ID=a;junk"), "expected name=value: junk", False),
    ("tag", _row("c1", "s", "gene", 1, 5, ".", "+", ".", "ID=a;b@d=1"), "invalid attribute tag", True),
    ("upper_tag", _row("c1", "s", "gene", 1, 5, ".", "+", ".", "ID=a;SO_type=x"),
     "unknown standard attribute, user defined attributes must start with a lower-case letter: SO_type", False),
    ("single_value", _row("c1", "s", "gene", 1, 5, ".", "+", ".", "ID=a,b"),
     "attribute ID must have a single value", False),
    ("target", _row("c1", "s", "match", 1, 5, ".", "+", ".", "ID=a;Target=t 1"),
     "expected Target attribute", False),
    ("escape", _row("c1", "s", "gene", 1, 5, ".", "+", ".", "ID=a;note=5% x"),
     "invalid GFF escape sequence in string: 5% x", True),
    ("meta", "##bogus-directive x\n", "invalid meta line: ##bogus-directive x", False),
    ("sequence_region", "##sequence-region c1 1\n", "expected \"##sequence-region seqid start end\"", False),
]


def test_every_error_kind_has_a_case():
    kinds = {"columns", "empty_column", "start", "end", "score", "strand", "phase", "cds_phase",
             "name_value", "tag", "upper_tag", "single_value", "target", "escape", "meta",
             "sequence_region"}
    assert {c[0] for c in PARSE_ERRORS} == kinds


@pytest.mark.parametrize("line,fragment,warnable", [c[1:] for c in PARSE_ERRORS],
                         ids=[c[0] for c in PARSE_ERRORS])
def test_parse_error_is_reported_at_its_line(tmp_path, line, fragment, warnable):
    p = _write(tmp_path, GENE + line)
    reader = Gff3Reader(p, max_errors=10)
    list(reader)
    assert reader.error_count == 1
    (msg,) = reader.messages
    assert msg.startswith(f"{p}:3: ") and fragment in msg
    assert msg.endswith("(error can be a warning)") == warnable
    with pytest.raises(ParseError, match=r":3: "):
        list(iter_gff3_features(p))


@pytest.mark.parametrize("line,fragment", [(c[1], c[2]) for c in PARSE_ERRORS if c[3]],
                         ids=[c[0] for c in PARSE_ERRORS if c[3]])
def test_warnable_errors_become_warnings(tmp_path, line, fragment):
    p = _write(tmp_path, GENE + line)
    reader = Gff3Reader(p, warn=True)
    assert len(list(reader)) == 2
    assert reader.error_count == 0
    (msg,) = reader.messages
    assert msg.startswith(f"{p}:3: WARNING: ") and fragment in msg


def test_error_budget_stops_parsing(tmp_path):
    bad = _row("c1", "s", "CDS", 1, 5, ".", "+", ".", "ID=a")
    p = _write(tmp_path, bad * 5)
    reader = Gff3Reader(p, max_errors=2)
    with pytest.raises(Gff3Abort, match="GFF3: 3 parser errors"):
        list(reader)
    assert len(reader.messages) == 3
    unlimited = Gff3Reader(p, max_errors=-1)
    assert len(list(unlimited)) == 5 and unlimited.error_count == 5


@pytest.mark.parametrize("content,fragment", [
    (b"", "empty GFF file"),
    (b"\x00\x01\xffjunk\n", "invalid GFF3 header"),
    (b"##gff-version 2\n", "invalid GFF3 header"),
    (b"chr1\tx\tgene\t1\t2\t.\t+\t.\tID=a\n", "invalid GFF3 header"),
], ids=["empty", "binary", "version2", "no_header"])
def test_bad_headers(tmp_path, content, fragment):
    p = tmp_path / "bad.gff3"
    p.write_bytes(content)
    with pytest.raises(ParseError, match=fragment):
        list(iter_gff3_features(p))


def test_truncated_gzip_is_our_error(tmp_path):
    p = tmp_path / "cut.gff3.gz"
    p.write_bytes(gzip.compress(BASIC.read_bytes())[:200])
    with pytest.raises(RefseqtracksError):
        list(iter_gff3_features(p))


def test_lenient_mode_collects_warnings(tmp_path):
    p = _write(tmp_path, _row("c1", "s", "CDS", 1, 5, ".", "+", ".", "ID=a"))
    seen: list[str] = []
    feats = list(iter_gff3_features(p, strict=False, report=seen.append))
    assert len(feats) == 1 and "WARNING: CDS feature must have phase" in seen[0]


def test_raw_feature_columns_is_a_light_pass(tmp_path):
    from refseqtracks.gff3 import raw_feature_columns
    p = tmp_path / "x.gff3"
    p.write_text("##gff-version 3\n# region\tin a comment\n"
                 "c1\tR\tregion\t1\t100\t.\t+\t.\tID=r\r\n"
                 "c1\tR\tregion\t1\t100\t.\t+\n"          # eight columns: passed over
                 "c1\tR\tgene\t1\t100\t.\t+\t.\tID=g\n"    # not kept
                 "c1\tR\tregion\tx\t100\t.\t+\t.\tID=bad\n"  # not checked
                 "##FASTA\nc1\tR\tregion\t1\t9\t.\t+\t.\tID=after\n")
    cols = list(raw_feature_columns(p, lambda line: "\tregion\t" in line))
    assert [c[8] for c in cols] == ["ID=r", "ID=bad"] and cols[0][3] == "1"
