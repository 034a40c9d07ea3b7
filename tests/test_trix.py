"""Trix indexes (kent ixIxx), their gpToIx.pl / ncbiRefSeqOtherIxIxx.pl inputs, and our reader."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks.errors import RefseqtracksError
from refseqtracks.trix import (TrixIndex, gp_to_ix_lines, index_words, make_ix, make_ixx,
                               other_ix_lines, write_trix)


@pytest.mark.parametrize("text,words", [
    ("GENEA sample", [(1, "genea"), (2, "sample")]),
    ("foo.bar- baz", [(1, "foo.bar"), (2, "baz")]),
    ("-x .y", [(1, "x"), (2, "y")]),
    ("a..b, c-d", [(1, "a..b"), (2, "c-d")]),
    ("tRNA-Phe (pos:1034..1036)", [(1, "trna-phe"), (2, "pos"), (3, "1034..1036")]),
    ("x" * 32 + " keep " + "y" * 31, [(2, "keep"), (3, "y" * 31)]),
    ("", []),
], ids=["plain", "trailing-dash", "leading-punct", "inner-punct", "anticodon", "long-words", "empty"])
def test_index_words(text, words):
    assert index_words(text) == words


def test_make_ix_sorted_words_and_items():
    ix = make_ix(["B.1\tGene beta gene\n", "A.1 gene\n", "# comment\n", "\n", "C.1\n"])
    assert ix == "beta B.1,2\ngene A.1,1 B.1,1 B.1,3\n"


def test_make_ix_ids_keep_case_text_is_lowered():
    assert make_ix(["NM_1.1\tNM_1 GENEA\n"]) == "genea NM_1.1,2\nnm_1 NM_1.1,1\n"


def test_make_ixx_first_entry_and_bins():
    ix = "".join(f"w{i:04d} ID{i},1\n" for i in range(100))
    ixx = make_ixx(ix, bin_size=200)
    lines = ixx.splitlines()
    assert lines[0] == "w0000" + "0" * 10
    offsets = [int(ln[5:], 16) for ln in lines]
    assert offsets == sorted(offsets) and len(lines) > 3
    data = ix.encode()
    for ln, off in zip(lines, offsets):
        assert off == 0 or data[off - 1:off] == b"\n"      # every entry is a line start
        assert data[off:off + 5].decode() == ln[:5]         # with the prefix it names
    # consecutive entries are at least a bin apart
    assert all(b - a >= 200 for a, b in zip(offsets[1:], offsets[2:]))


def test_make_ixx_short_prefix_padded():
    assert make_ixx("ab X,1\n") == "ab   0000000000\n"


def test_make_ixx_empty_is_an_error():
    with pytest.raises(RefseqtracksError):
        make_ixx("")


@pytest.mark.parametrize("rows,lines", [
    ([("NM_000001.1", "GENEA")], ["NM_000001.1\tNM_000001\tGENEA\n"]),
    ([("GENEA", "GENEA")], []),
    ([("TRNF", "trnf")], []),
    ([("NM_2.3", "ABC.2")], ["NM_2.3\tNM_2\tABC.2\tABC\n"]),
    ([("gi|1|mrna.XM_5.1", "G")], ["gi|1|mrna.XM_5.1\tXM_5.1\tXM_5\tG\n"]),
    ([("NM_1.1", "G"), ("NM_1.1", "G"), ("NM_0.1", None)],
     ["NM_0.1\tNM_0\n", "NM_1.1\tNM_1\tG\n"]),
], ids=["accession", "name2-is-name", "name2-in-name-case", "name2-version", "ncbi-gi", "sort-u"])
def test_gp_to_ix_lines(rows, lines):
    assert gp_to_ix_lines(rows) == lines


def test_other_ix_lines_unique_sorted_without_name_and_single_letters():
    got = other_ix_lines([("TRNF", ["TRNF", "900009", "tRNA-Phe", "", "rna-TRNF"]),
                          ("TRNF", ["a,b2 c3"]), ("PS1", [])])
    assert got == ["PS1\t\n", "TRNF\t900009 b2 c3 rna-TRNF tRNA-Phe\n"]


def test_write_trix_and_search(tmp_path):
    lines = gp_to_ix_lines([("NM_000001.1", "GENEA"), ("XM_000002.1", "GENEA"), ("NR_7.1", "LINC7")])
    n = write_trix(lines, tmp_path / "t.ix", tmp_path / "t.ixx")
    assert n == 5
    t = TrixIndex(tmp_path / "t.ix", tmp_path / "t.ixx")
    assert t.search("genea") == ["NM_000001.1", "XM_000002.1"]
    assert t.search("GENE") == ["NM_000001.1", "XM_000002.1"]      # word prefixes
    assert t.search("genea xm_0") == ["XM_000002.1"]               # every word must match
    assert t.search("nm_000001") == ["NM_000001.1"]
    assert t.search("absent") == []
    assert t.lookup("linc7") == {"NR_7.1": [2]}


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(alphabet="ABCNMXR_.0123456789", min_size=1, max_size=10),
                       st.lists(_word, min_size=1, max_size=6), min_size=1, max_size=40),
       st.integers(min_value=16, max_value=400))
@example({"A": ["aaaaa", "aaaab"], "B": ["aaaaa"]}, 16)
def test_every_indexed_word_finds_its_item(items, bin_size):
    d = Path(tempfile.mkdtemp(prefix="trix"))
    try:
        ix = make_ix([f"{k}\t{' '.join(v)}\n" for k, v in items.items()])
        (d / "x.ix").write_text(ix)
        (d / "x.ixx").write_text(make_ixx(ix, bin_size=bin_size))
        t = TrixIndex(d / "x.ix", d / "x.ixx")
        for item, words in items.items():
            for w in words:
                assert item in t.search(w)
                assert item in t.search(w[:3])
    finally:
        shutil.rmtree(d)
