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
