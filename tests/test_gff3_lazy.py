"""The quick column-9 reading (LazyAttrs) is the exact parser's, or is not taken at all."""
from __future__ import annotations

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks.errors import RefseqtracksError
from refseqtracks.gff3 import Gff3Reader
from refseqtracks.gff3_quick import LazyAttrs, quiet_attrs

TAGS = ["ID", "Parent", "Name", "Target", "Gap", "Derives_from", "Note", "Dbxref", "gene", "Bad", "a-b",
        "x y", "", "_t", "9x", "ID "]
VALUE_CHARS = "ab1 ,%2C3=;\x0b\té"


class _Lines(io.StringIO):
    gff3_line_source = True


def _read(text: str, lazy: bool, **kw):
    msgs: list[str] = []
    reader = Gff3Reader(_Lines(text), report=msgs.append, lazy_attrs=lazy, **kw)
    feats = []
    error = None
    try:
        for f in reader:
            feats.append((f.seqid, f.source, f.type, f.start, f.end, f.score, f.strand, f.phase,
                          dict(f.attrs.items()), f.lineno, f.id, f.name, f.parent_ids))
    except RefseqtracksError as ex:
        error = str(ex)
    return feats, msgs, error, reader.comments, reader.pragmas


items = st.builds(lambda t, v: f"{t}={v}", st.sampled_from(TAGS), st.text(VALUE_CHARS, max_size=8))
columns = st.one_of(
    st.builds(lambda its, end: ";".join(its) + end, st.lists(items, min_size=1, max_size=5),
              st.sampled_from(["", ";", " ", ";;", ","])),
    st.text("ID=Parent;a,b %2C3 =\x0b", max_size=20),
)


def _line(col: str, ftype: str = "exon", phase: str = ".") -> str:
    return f"c1\tsrc\t{ftype}\t10\t20\t.\t+\t{phase}\t{col}"


@settings(max_examples=400, deadline=None)
@given(col=columns)
@example(col="ID=a;ID=b")
@example(col="Parent=a;Parent=b")
@example(col="Name=a,b")
@example(col="Target=x 1 2 +")
@example(col="Target=x 08 9")
@example(col="ID=a%2Cb;Note=%zz")
@example(col="a=b ;c=d")
@example(col="Gap=M1,M2")
def test_quiet_attrs_only_when_the_exact_parser_is_silent(col):
    text = "##gff-version 3\n" + _line(col) + "\n"
    exact = _read(text, False, max_errors=-1, warn=True)
    q = quiet_attrs(col) if "\t" not in col and "\n" not in col else None
    if q is not None:
        assert exact[1] == [] and exact[2] is None
        attrs = exact[0][0][8]
        lazy = LazyAttrs(*q)
        assert dict(lazy.items()) == attrs
        assert lazy.fid == (attrs["ID"][0] if "ID" in attrs else None)
        assert lazy.parents == attrs.get("Parent")
        assert lazy.name == (attrs["Name"][0] if "Name" in attrs else None)
        assert lazy.get("ID") == attrs.get("ID") and lazy.get("Name") == attrs.get("Name")


@settings(max_examples=200, deadline=None)
@given(cols=st.lists(columns, min_size=1, max_size=6), crlf=st.booleans(), budget=st.sampled_from([0, 2, -1]),
       warn=st.booleans())
@example(cols=["ID=a", "Parent=a"], crlf=True, budget=0, warn=False)
def test_lazy_reader_equals_exact_reader(cols, crlf, budget, warn):
    lines = ["##gff-version 3"]
    for i, col in enumerate(cols):
        lines.append(_line(col, "CDS" if i % 2 else "exon", "0" if i % 3 else "."))
        if i == 2:
            lines += ["# a comment", "###", ""]
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    assert _read(text, True, max_errors=budget, warn=warn) == _read(text, False, max_errors=budget, warn=warn)


def test_lazy_reader_from_a_file(tmp_path):
    p = tmp_path / "x.gff3"
    p.write_text("##gff-version 3\n" + _line("ID=e1;Parent=r%3B1,r2;Name=N;gene=g;gene=h") + "\n##FASTA\n>x\nACGT\n")
    feats = list(Gff3Reader(p, lazy_attrs=True))
    assert len(feats) == 1
    attrs = feats[0].attrs
    assert isinstance(attrs, LazyAttrs)
    assert attrs.parents == ["r;1", "r2"] and attrs.fid == "e1"
    assert dict(attrs.items()) == {"ID": ["e1"], "Parent": ["r;1", "r2"], "Name": ["N"], "gene": ["g", "h"]}
    assert attrs == {"ID": ["e1"], "Parent": ["r;1", "r2"], "Name": ["N"], "gene": ["g", "h"]}


# -- the quick lines of NCBI-like files, as the converter reads them -----------------------------
NCBI_TAGS = ["Parent", "Name", "Dbxref", "gene", "product", "Note", "Target", "Gap", "Derives_from", "ID",
             "Bad", "9x", "a b", ""] + ["gene", "product", "gbkey", "Dbxref", "transcript_id"] * 3
NCBI_VALUES = st.text("ab1 ,%2C3=\x0bé", max_size=6) | st.sampled_from(
    ["x 1 2 +", "x 08 9", "M10 I2", "p,q", "a%3Bb", "v ", "%zz", ""])
ncbi_items = st.builds(lambda t, v: f"{t}={v}", st.sampled_from(NCBI_TAGS), NCBI_VALUES) | st.sampled_from(
    ["", " gene=g", "gene", "Parent=r1", "Parent=r1,r2", "Name=N1", "Target=t 1 5 -", "Gap=M5"])
ncbi_columns = st.builds(
    lambda head, parent, rest, end: ";".join([head] + parent + rest) + end,
    st.sampled_from(["ID=e1", "ID=e%2C1", "ID=e1 ", "ID=", "ID=a,b", "Parent=r1", "Name=n", "gene=g"]
                    + ["ID=e1", "ID=c1", "Parent=r1"] * 3),
    st.lists(st.sampled_from(["Parent=r1", "Parent=r%3B1,r2", "Parent=r1,,r2", "Parent=r1 ", "Parent="]
                             + ["Parent=r1"] * 5), max_size=2),
    st.lists(ncbi_items, max_size=4),
    st.sampled_from(["", ";", " ", ","] + [""] * 4))
FIRST_COLS = st.sampled_from([("c1", "RefSeq", "exon", "10", "20", ".", "+", "."),
                              ("c1", "BestRefSeq%2CGnomon", "CDS", "10", "20", ".", "-", "1")]) | st.tuples(
    st.sampled_from(["c1", "c%311", "#c1", "c%zz1", "c;1"]),
    st.sampled_from(["RefSeq", "BestRefSeq%2CGnomon", "src"]),
    st.sampled_from(["exon", "CDS", "mRNA", "cDNA_match"]),
    st.sampled_from(["10", "0", "١٢", "x", "+5"]),
    st.sampled_from(["20", "5"]),
    st.sampled_from([".", "1.5", "x"]),
    st.sampled_from(["+", "-", "?", "*"]),
    st.sampled_from([".", "0", "2", "3"]))


def _ann_fields(f):
    return (f.seqid, f.source, f.type, f.start, f.end, f.score, f.strand, f.phase, dict(f.attrs.items()),
            f.lineno, f.id, f.name, list(f.parent_ids))


def _read_records(text: str, *, make=None, **kw):
    from refseqtracks.assemble_rules import Ann
    msgs: list[str] = []
    events: list = []
    reader = Gff3Reader(_Lines(text), report=msgs.append, lazy_attrs=make is not None, make_record=make,
                        on_directive=lambda d: events.append(("dir", len(feats))), **kw)
    feats: list = []
    error = None
    try:
        for batch in reader.batches():
            for f in batch:
                if make is not None and not isinstance(f, Ann):
                    f = Ann.of(f)
                feats.append(_ann_fields(f))
    except RefseqtracksError as ex:
        error = str(ex)
    return feats, msgs, error, events, reader.comments, reader.pragmas, reader.lineno


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(FIRST_COLS, ncbi_columns), min_size=1, max_size=8),
       extra=st.sampled_from(["", "# a comment", "###", "", "##bad-directive"]),
       end=st.sampled_from(["\n", ""]), budget=st.sampled_from([0, 3, -1]), warn=st.booleans())
@example(rows=[(("c1", "RefSeq", "CDS", "10", "20", ".", "+", "0"), "ID=c1;Parent=r1;Name=N1"),
               (("c1", "RefSeq", "CDS", "30", "40", ".", "+", "2"), "ID=c1;Parent=r1;Name=N1")],
         extra="###", end="", budget=0, warn=False)
@example(rows=[(("c1", "RefSeq", "exon", "10", "20", ".", "+", "."), "ID=e1;Parent=r1;Parent=r2")],
         extra="", end="\n", budget=-1, warn=False)
@example(rows=[(("c1", "RefSeq", "exon", "10", "20", ".", "+", "."), "ID=e1;Name=a;gene=g;Name=b")],
         extra="", end="\n", budget=-1, warn=True)
@example(rows=[(("c1", "RefSeq", "cDNA_match", "10", "20", ".", "+", "."), "ID=a1;Target=t 1 5 +;Target=u 1 5")],
         extra="", end="\n", budget=-1, warn=True)
@example(rows=[(("c1", "RefSeq", "exon", "10", "20", ".", "+", "."), "ID=e1;Parent=r1;gene=g"),
               (("c1", "RefSeq", "exon", "30", "40", ".", "+", "."), "ID=e2 ;Parent=r1;gene=g"),
               (("c%zz1", "RefSeq", "exon", "50", "60", ".", "+", "."), "ID=e3;Parent=r1;gene=g"),
               (("c;1", "RefSeq", "exon", "70", "80", ".", "+", "."), "ID=e4;Parent=r1;gene=g")],
         extra="", end="\n", budget=-1, warn=True)  # (the same items after different heads)
def test_converter_records_equal_exact_features(rows, extra, end, budget, warn):
    from refseqtracks.assemble_rules import Ann
    lines = ["##gff-version 3"]
    for i, (first, col) in enumerate(rows):
        lines.append("\t".join(first + (col,)))
        if i == 1:
            lines.append(extra)
    text = "\n".join(lines) + end
    assert _read_records(text, make=Ann, max_errors=budget, warn=warn) == \
        _read_records(text, max_errors=budget, warn=warn)


def test_quick_records_skip_the_feature_objects():
    from refseqtracks.assemble_rules import Ann
    text = ("##gff-version 3\n"
            "c1\tRefSeq\tmRNA\t1\t90\t.\t+\t.\tID=rna-1;Parent=gene-1;Name=NM_1.1;product=a%2C b\n"
            "c1\tRefSeq\texon\t1\t90\t.\t+\t.\tID=exon-1;Parent=rna-1;gene=G;note= x \n"
            "c1\tRefSeq\tCDS\t5\t40\t.\t+\t0\tID=cds-1;Parent=rna-1;Name=NP_1.1\n"
            "c1\tRefSeq\tCDS\t50\t80\t.\t+\t2\tID=cds-1;Parent=rna-1;Name=NP_1.1\n")
    recs = [r for batch in Gff3Reader(_Lines(text), lazy_attrs=True, make_record=Ann).batches() for r in batch]
    assert [type(r) for r in recs] == [Ann] * 4
    assert [r._attrs for r in recs] == [None] * 4  # nothing decoded yet
    assert recs[0].name == "NM_1.1" and recs[0]._attrs is None
    # (the exact parser trims the item "note= x ", not the value)
    assert recs[0].attrs["product"] == ["a, b"] and recs[1].attrs["note"] == [" x"]
    assert recs[2].parent_ids is recs[3].parent_ids and recs[3].seq == 5


@settings(max_examples=300, deadline=None)
@given(head=st.sampled_from(["ID=e1", "Parent=r1", "Parent=r1,r2"]),
       items=st.lists(st.builds(lambda t, v: f"{t}={v}", st.sampled_from(TAGS + ["Targets", "Is_circular", "x.y"]),
                                st.text("ab1 ,%2C3=\x0b", max_size=4))
                      | st.sampled_from(["", " ", "gene", "Gap=M1", "Target=t 1 2", "Parent=p%3B1,p2"]),
                      max_size=5),
       end=st.sampled_from(["", ";"]))
@example(head="ID=e1", items=["gene=a", "Target=t 1 2", "Bad=1"], end="")
@example(head="ID=e1", items=["Target=t 1 2", "Parent=p%3B1,p2", "Name=a"], end="")
@example(head="ID=e1", items=["Target=t 1 2", "Target=t 1 2"], end="")
@example(head="ID=e1", items=["Target=t 1 2", "x=%zz"], end=";")
def test_items_facts_are_the_exact_parsers(head, items, end):
    """What a line's items say, judged once for all lines sharing them, is what the exact parser
    makes of the whole column 9 (nothing to report, the same Parent list)."""
    from refseqtracks.gff3_quick import _items_facts
    text = ";".join(items) + end
    quick, parents, id_ok, parent_ok = _items_facts(text)
    col = head + ";" + text
    if quick and (id_ok if head[:3] == "ID=" else parent_ok):
        feats, msgs, error, _, _ = _read("##gff-version 3\n" + _line(col) + "\n", False, max_errors=-1, warn=True)
        assert msgs == [] and error is None
        if head[:3] == "ID=":
            assert parents == feats[0][8].get("Parent")


def test_items_facts_of_usual_items():
    from refseqtracks.gff3_quick import _items_facts
    assert _items_facts("Parent=r%3B1,r2;Name=N;gene=g") == (True, ["r;1", "r2"], True, False)
    assert _items_facts("Name=N;gene=g") == (True, None, True, True)
    assert _items_facts("Target=t 1 5 +;gap_count=0") == (True, None, True, True)
    assert _items_facts("Target=t 1 5 +;Target=t 1 5")[0] is False
    assert _items_facts("Target=t 1 5 +;gene=g;Target=t 1 5")[0] is False
    assert _items_facts("Target=t 1 05 +;gap_count=0")[0] is False
    assert _items_facts("Target=t 1 5 +;Name=a,b")[2:] == (False, False)
    assert _items_facts("Target=t 1 5 +;Parent=r1") == (True, ["r1"], True, False)
    assert _items_facts("Name=a,b")[2:] == (False, False)
    assert _items_facts("gene=g;Parent=r1;Parent=r2")[2] is False
