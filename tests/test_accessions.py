"""RefSeq accession vocabulary, UCSC subset regexes, Select lists and FASTA deflines."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refseqtracks.accessions import (
    accession_from_defline, classify, filter_names, is_all, is_curated, is_other, is_predicted,
    is_select, select_names_from_gff3_line, select_test, split_version, subset_of,
)


@pytest.mark.parametrize("acc,kind,molecule,curation,version", [
    ("NM_000546.6", "rna", "mRNA", "curated", 6),
    ("NR_046018.2", "rna", "ncRNA", "curated", 2),
    ("XM_011541469.2", "rna", "mRNA", "predicted", 2),
    ("XR_001737835.1", "rna", "ncRNA", "predicted", 1),
    ("NP_000537.3", "protein", "protein", "curated", 3),
    ("YP_003024026.1", "protein", "protein", "curated", 1),
    ("AP_000001.1", "protein", "protein", "curated", 1),
    ("XP_011539771.1", "protein", "protein", "predicted", 1),
    ("WP_000001234.1", "protein", "protein", "non-redundant", 1),
    ("NC_000001.11", "genomic", "complete molecule", "curated", 11),
    ("AC_000133.1", "genomic", "complete molecule", "curated", 1),
    ("NG_007485.1", "genomic", "genomic region", "curated", 1),
    ("NT_187562.1", "genomic", "contig/scaffold", "assembly", 1),
    ("NW_025791756.1", "genomic", "contig/scaffold", "assembly", 1),
    ("NZ_CP009072.1", "genomic", "complete genome or WGS", "assembly", 1),
    ("NM_000546", "rna", "mRNA", "curated", None),
], ids=lambda v: str(v))
def test_classify(acc, kind, molecule, curation, version):
    info = classify(acc)
    assert (info.kind, info.molecule, info.curation, info.version) == (kind, molecule, curation, version)
    assert info.prefix == acc[:3]
    assert info.curated == (curation == "curated") and info.predicted == (curation == "predicted")


@pytest.mark.parametrize("text", ["gene-TP53", "id-NM_1", "U12345.1", "NM_", "NM_abc.1", "nm_000546.6",
                                  "NM_0001x.1", ""], ids=lambda v: v or "empty")
def test_classify_not_refseq(text):
    assert classify(text) is None


def test_split_version():
    assert split_version("NM_000546.6") == ("NM_000546", 6)
    assert split_version("NM_000546") == ("NM_000546", None)
    assert split_version("gene.x") == ("gene.x", None)


CURATED = re.compile(r"^[NY][MRP]_")
PREDICTED = re.compile(r"^X[MR]_")
ALL = re.compile(r"^[NXY][MRP]_")


@given(st.text(alphabet="NXYMRPAZ_0.1-", max_size=6))
def test_predicates_equal_ucsc_regexes(name):
    assert is_curated(name) == bool(CURATED.search(name))
    assert is_predicted(name) == bool(PREDICTED.search(name))
    assert is_all(name) == bool(ALL.search(name))
    assert is_other(name) == (not ALL.search(name))


@pytest.mark.parametrize("name,subsets", [
    ("NM_1.1", {"all", "curated"}), ("NR_1.1", {"all", "curated"}), ("YP_1.1", {"all", "curated"}),
    ("XM_1.1", {"all", "predicted"}), ("XR_1.1", {"all", "predicted"}), ("XP_1.1", {"all"}),
    ("id-rRNA", {"other"}), ("gene-MIR1", {"other"}), ("NG_1.1", {"other"}),
], ids=lambda v: str(v))
def test_subset_of(name, subsets):
    got = {s for s in ("all", "curated", "predicted", "other") if subset_of(name, s)}
    assert got == subsets


def test_subset_of_unknown():
    with pytest.raises(ValueError):
        subset_of("NM_1.1", "bogus")


def test_select_is_fgrep_like():
    sel = {"NM_000001.1", "NR_5.2", "XM_9.1"}
    assert is_select("NM_000001.1", sel)
    assert is_select("NM_000001.12", sel)  # fgrep matches the listed name as a substring
    assert not is_select("NM_000002.1", sel)
    assert not is_select("XM_9.1", sel)  # only curated rows are candidates
    assert filter_names(["NR_5.2", "NM_7.1", "XM_9.1"], "select", sel) == ["NR_5.2"]


_names = st.text(alphabet="NMRXP_0129.", max_size=12) | st.sampled_from(["NM_1.1", "NM_1.12", "NR_5.2", "NM_000001.1"])


@settings(max_examples=500, deadline=None)
@given(st.sets(_names, max_size=6), st.lists(_names, max_size=8))
def test_select_test_is_is_select(sel, names):
    # only the prefixes as long as a listed name are looked up: the same answers
    test = select_test(sel)
    assert [test(n) for n in names] == [is_select(n, sel) for n in names]


@pytest.mark.parametrize("line,expected", [
    ("NC_1\tRefSeq\tmRNA\t1\t9\t.\t+\t.\tID=rna-NM_1.1;Parent=gene-A;Name=NM_1.1;tag=MANE Select", ["NM_1.1"]),
    ("NC_1\tRefSeq\tmRNA\t1\t9\t.\t+\t.\tID=rna-NR_2.1;Name=NR_2.1;tag=RefSeq Select", ["NR_2.1"]),
    ("NC_1\tRefSeq\tCDS\t1\t9\t.\t+\t0\tID=cds-NP_1.1;Name=NP_1.1;tag=MANE Select", []),
    ("NC_1\tRefSeq\texon\t1\t9\t.\t+\t.\tID=exon-NM_1.1-1;tag=MANE Select", []),
    ("NC_1\tRefSeq\tmRNA\t1\t9\t.\t+\t.\tID=rna-NM_3.1;Name=NM_3.1;tag=MANE Plus Clinical", []),
], ids=["mane", "refseq-select", "protein", "exon-no-name", "plus-clinical"])
def test_select_names_from_gff3_line(line, expected):
    assert select_names_from_gff3_line(line) == expected


@pytest.mark.parametrize("defline,acc", [
    (">NM_000546.6 Homo sapiens tumor protein p53 (TP53), transcript variant 1, mRNA", "NM_000546.6"),
    (">gi|371502114|ref|NM_000546.5| Homo sapiens tumor protein p53", "NM_000546.5"),
    ("gi|4507659|ref|NP_000537.3|", "NP_000537.3"),
    (">WP_000001.1 protein A [E. coli]\x01WP_000002.1 protein B", "WP_000001.1"),
    (">gi|1|gb|AAA1.1| x\x01gi|2|ref|XP_000002.1| y", "XP_000002.1"),
    (">U12345.1 some GenBank record", None),
    (">", None),
], ids=["plain", "gi-ref", "no-gt", "nr-ctrl-a", "nr-second-refseq", "genbank", "empty"])
def test_accession_from_defline(defline, acc):
    assert accession_from_defline(defline) == acc


@given(st.text(alphabet="NXYMRP_1.", max_size=7), st.sets(st.text(alphabet="NXYMRP_1.", max_size=7), max_size=3))
def test_subsets_of_agrees_with_subset_of(name, select):
    from refseqtracks.accessions import SUBSETS, subsets_of
    assert subsets_of(name, select) == [s for s in SUBSETS if subset_of(name, s, select)]
