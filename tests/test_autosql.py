"""autoSql parsing and bedToBigBed-style row checks."""
from __future__ import annotations

import pytest

from conftest import shared_path
from refseqtracks.errors import ParseError, RefseqtracksError
from refseqtracks.formats.autosql import AsColumn, bed_as_text, check_row, parse_autosql, read_autosql

ODD = '''table oddTypes
"every kind of column"
    (
    string chrom;          "chromosome"
    uint   chromStart;     "start"
    uint   chromEnd;       "end"
    char[1] strand;        "strand"
    ubyte  level;          "0..255"
    short  delta;          "signed 16 bit"
    float  ratio;          "a number"
    lstring note;          "long text"
    enum('none','unk','incmpl','cmpl') cdsStartStat; "status"
    set('a','b') flags;    "flags"
    int count;             "items"
    int[count] values;     "list of count ints"
    double[2] pair;        "fixed list"
    string id primary;     "with a flag"
    )
'''


def test_parse_types():
    t = parse_autosql(ODD)
    assert t.kind == "table" and t.name == "oddTypes" and t.description == "every kind of column"
    cols = {c.name: c for c in t.columns}
    assert cols["strand"] == AsColumn("strand", "char", "strand", 1)
    assert not cols["strand"].is_list
    assert cols["cdsStartStat"].values == ("none", "unk", "incmpl", "cmpl")
    assert cols["values"].size == "count" and cols["values"].is_list
    assert cols["pair"].size == 2
    assert cols["id"].type == "string"


def test_read_autosql_keeps_text_verbatim():
    path = shared_path("data", "autosql", "bigGenePred.as")
    text, table = read_autosql(path)
    assert text == path.read_text()
    assert len(table.columns) == 20 and table.columns[15].name == "exonFrames"


@pytest.mark.parametrize("name", ["bigPsl.as", "genePredExt.as", "ncbiRefSeqLink.as",
                                  "bigGenePredRefSeq.as", "chromAlias.as"])
def test_parse_ucsc_autosql_files(name):
    path = shared_path("data", "autosql", name)
    _, table = read_autosql(path)
    assert table.columns


GOOD = ["chr1", "0", "10", "+", "255", "-5", "0.5", "x y", "cmpl", "a,b", "2", "1,2,", "1.5,2", "id1"]

BAD = [
    ("too_few_fields", GOOD[:-1], "expecting 14 fields"),
    ("ubyte_range", GOOD[:4] + ["256"] + GOOD[5:], "level"),
    ("short_not_int", GOOD[:5] + ["x"] + GOOD[6:], "expected an integer"),
    ("float_bad", GOOD[:6] + ["abc"] + GOOD[7:], "expected a number"),
    ("char_too_long", GOOD[:3] + ["+-"] + GOOD[4:], "char[1]"),
    ("enum_member", GOOD[:8] + ["done"] + GOOD[9:], "not one of"),
    ("set_member", GOOD[:9] + ["a,c"] + GOOD[10:], "not in set"),
    ("list_count", GOOD[:11] + ["1,2,3,"] + GOOD[12:], "list has 3 items"),
    ("fixed_list_count", GOOD[:12] + ["1.5"] + GOOD[13:], "list has 1 items"),
    ("count_not_number", GOOD[:10] + ["two"] + GOOD[11:], "expected an integer"),
]


def test_check_row_accepts_good():
    check_row(parse_autosql(ODD), GOOD, path="in.bed", lineno=3)


@pytest.mark.parametrize("cols,needle", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_check_row_errors(cols, needle):
    with pytest.raises(ParseError) as ei:
        check_row(parse_autosql(ODD), cols, path="in.bed", lineno=3)
    assert str(ei.value).startswith("in.bed:3: ") and needle in str(ei.value)


@pytest.mark.parametrize("text,needle", [
    ("blah x ( int a; )", "must start with"),
    ("table x \"d\" ( wibble a; )", "unknown autoSql type"),
    ("table x \"d\" ( int[n] a; )", "not an earlier column"),
    ("table x \"d\" ( int a; ", "ends early"),
    ("table x \"d\" ( )", "no columns"),
], ids=["kind", "type", "list_size", "truncated", "empty"])
def test_parse_errors(text, needle):
    with pytest.raises(RefseqtracksError) as ei:
        parse_autosql(text, name="x.as")
    assert needle in str(ei.value) and "x.as" in str(ei.value)


def test_default_bed_autosql_parses():
    t = parse_autosql(bed_as_text(12, 14))
    assert t.field_names[:3] == ("chrom", "chromStart", "chromEnd")
    assert t.field_names[12:] == ("field13", "field14")
