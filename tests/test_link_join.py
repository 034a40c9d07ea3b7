"""The build's link table by name (pieces' sorted entries) equals the link table of the facts of one pass."""
from __future__ import annotations

import io
import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks.annotate import Gene2RefseqRow, GeneInfo, LinkTable, format_link_line
from refseqtracks.errors import RefseqtracksError
from refseqtracks import link_join
from refseqtracks.link_join import LinesJob, NameLinkTable, name_entries, read_entries
from refseqtracks.model import Transcript
from refseqtracks.ncbirefseq_scan import GffScan, scan_text

NAMES = ["NM_1.1", "NM_2.1", "XR_3.1", "NR_\xe9.1", "YP_4.1", "NP_5.1", "other"]
NOTES = ["", "", "Note=plain", "Note=The RefSeq transcript has 1 substitution compared to this genomic sequence",
         "Note=The RefSeq transcript has 2 gaps compared to this genomic sequence",
         "Note=The RefSeq protein has 1 frameshift", "Note=alternative translation initiation codon",
         "Note=a%3Bb"]
EXTRA = ["", "gene=G", "product=p%2Cq", "Dbxref=GeneID:1,MGI:MGI:2", "Dbxref=HGNC:HGNC:5,Genbank:NM_1.1",
         "gene_synonym=a,b", "description=d", "pseudo=true", "transcript_id=NM_1.1", "gene_biotype=x"]


@st.composite
def loci(draw):
    """GFF3 text of whole loci (IDs unique to their locus, parents inside it) and the line
    numbers where a locus starts (where the build may cut the file)."""
    lines: list[str] = []
    starts: list[int] = []
    for i in range(draw(st.integers(0, 8))):
        starts.append(len(lines))
        seqid = draw(st.sampled_from(["s1", "alt1"]))
        src = draw(st.sampled_from(["BestRefSeq", "Gnomon"]))

        def col9(fid, parent=None, name=None):
            items = [f"ID={fid}"] if fid else []
            if parent:
                items.append(f"Parent={parent}")
            if name:
                items.append(f"Name={name}")
            items += [x for x in (draw(st.sampled_from(NOTES)), draw(st.sampled_from(EXTRA))) if x]
            return ";".join(items)

        gid = f"g{i}"
        lines.append(f"{seqid}\t{src}\tgene\t1\t900\t.\t+\t.\t{col9(gid, name=draw(st.sampled_from(NAMES)))}")
        for j in range(draw(st.integers(0, 3))):
            tid = f"t{i}.{j}"
            parent = draw(st.sampled_from([gid, f"t{i}.{j - 1}" if j else gid]))
            ftype = draw(st.sampled_from(["mRNA", "lnc_RNA", "transcript"]))
            lines.append(f"{seqid}\t{src}\t{ftype}\t1\t900\t.\t+\t.\t{col9(tid, parent, draw(st.sampled_from(NAMES)))}")
            lines.append(f"{seqid}\t{src}\texon\t1\t900\t.\t+\t.\tID=e{i}.{j};Parent={tid}")
            for _ in range(draw(st.integers(0, 2))):  # CDS pieces (one ID)
                prot = draw(st.sampled_from(["", "protein_id=NP_5.1", "protein_id=YP_4.1"]))
                c9 = col9(f"c{i}.{j}", tid, draw(st.sampled_from([None, "NP_5.1", "YP_4.1"])))
                lines.append(f"{seqid}\t{src}\tCDS\t1\t900\t.\t+\t0\t{c9};{prot}".rstrip(";"))
        lines.append("###")
    return "".join(line + "\n" for line in lines), starts


def _tx(name: str) -> Transcript:
    return Transcript(name, "chr1", "+", 0, 10, 0, 0, (0,), (10,))


def _one_pass(text: str) -> GffScan:
    scan = GffScan()
    for line in io.StringIO(text, newline=""):
        scan.feed(line)
    scan.finish()
    return scan


def _in_pieces(text: str, starts: list[int], cuts: list[int], tmp: str) -> GffScan:
    lines = io.StringIO(text, newline="").readlines()
    bounds = sorted({starts[c % len(starts)] for c in cuts} - {0}) if starts else []
    scan = GffScan()
    at = 0
    for cut in bounds + [len(lines)]:
        scan.merge(scan_text("".join(lines[at:cut]), at + 1, facts_path=f"{tmp}/facts.{at + 1}"))
        at = cut
    scan.finish()
    return scan


@settings(max_examples=150, deadline=None)
@given(loci(), st.lists(st.integers(0, 20), max_size=4), st.lists(st.sampled_from(NAMES + ["XM_9.1"]), max_size=12))
@example(("s1\tBestRefSeq\tgene\t1\t9\t.\t+\t.\tID=g0;Name=NM_1.1;Note=The RefSeq transcript has 1 "
          "substitution compared to this genomic sequence\n"
          "alt1\tBestRefSeq\tgene\t1\t9\t.\t+\t.\tID=g1;Name=NM_1.1;Note=The RefSeq transcript has 2 gaps "
          "compared to this genomic sequence\n", [0, 1]), [1], ["NM_1.1"])
def test_rows_by_name_equal_link_table_rows(tmp_path_factory, case, cuts, names):
    text, starts = case
    tmp = str(tmp_path_factory.mktemp("facts"))
    ref = LinkTable(facts=_one_pass(text).facts)
    for n in names:
        ref.add(_tx(n))
    expected = ref.rows()
    pieces = _in_pieces(text, starts, cuts, tmp)
    by_files = NameLinkTable(lambda: [read_entries(p) for p in pieces.fact_files], sort_limit=3)
    facts = _one_pass(text).facts
    in_memory = NameLinkTable(lambda: [name_entries(facts)])
    for n in names:
        by_files.add_name(n)
        in_memory.add(_tx(n))
    assert by_files.rows() == expected
    assert in_memory.rows() == expected
    assert by_files.count == len(expected)


def test_a_name_placed_in_two_pieces_takes_the_first_and_merges_the_notes(tmp_path):
    text = ("s1\tBestRefSeq\tgene\t1\t9\t.\t+\t.\tID=g0;Name=G;gene=G;Note=gene note;Dbxref=GeneID:7\n"
            "s1\tBestRefSeq\tmRNA\t1\t9\t.\t+\t.\tID=t0;Parent=g0;Name=NM_1.1;product=first;"
            "Note=The RefSeq transcript has 1 substitution compared to this genomic sequence\n"
            "s1\tBestRefSeq\tCDS\t1\t9\t.\t+\t0\tID=c0;Parent=t0;Name=NP_1.1;protein_id=NP_1.1\n"
            "alt1\tGnomon\tgene\t1\t9\t.\t+\t.\tID=g1;Name=G\n"
            "alt1\tGnomon\tmRNA\t1\t9\t.\t+\t.\tID=t1;Parent=g1;Name=NM_1.1;product=second;"
            "Note=The RefSeq transcript has 2 gaps compared to this genomic sequence\n")
    scan = _in_pieces(text, [0, 3], [1], str(tmp_path))
    assert len(scan.fact_files) == 2
    table = NameLinkTable(lambda: [read_entries(p) for p in scan.fact_files])
    table.add_name("NM_1.1")
    (row,) = table.rows()
    assert row[2:6] == ["G", "first", "", "NP_1.1"] and row[6] == "7" and row[12] == "BestRefSeq"
    assert row[16].startswith("Mappings of the RefSeq transcript to different genomic sequences")


def test_a_cds_continued_across_pieces_is_refused(tmp_path):
    first = ("s1\tb\tgene\t1\t9\t.\t+\t.\tID=g\ns1\tb\tmRNA\t1\t9\t.\t+\t.\tID=t;Parent=g;Name=NM_1.1\n"
             "s1\tb\tCDS\t1\t9\t.\t+\t0\tID=c;Parent=t;protein_id=NP_1.1\n")
    second = "s1\tb\tCDS\t20\t29\t.\t+\t0\tID=c;Parent=t;protein_id=NP_1.1\n"
    scan = GffScan()
    scan.merge(scan_text(first, 1, facts_path=f"{tmp_path}/a"))
    with pytest.raises(RefseqtracksError, match="continues across pieces"):
        scan.merge(scan_text(second, 4, facts_path=f"{tmp_path}/b"))


GFF = """\
NC_1\tBestRefSeq\tgene\t1\t9\t.\t-\t.\tID=gene-TP53;Dbxref=GeneID:7157,HGNC:HGNC:11998;Name=TP53;description=tumor protein p53;gene=TP53
NC_1\tBestRefSeq\tmRNA\t1\t9\t.\t-\t.\tID=rna-NM_000546.6;Parent=gene-TP53;Dbxref=GeneID:7157;Name=NM_000546.6;transcript_id=NM_000546.6
NT_2\tGnomon\tgene\t1\t900\t.\t+\t.\tID=gene-LOC1;Dbxref=GeneID:99;Name=LOC1;gene=LOC1
NT_2\tGnomon\tlnc_RNA\t1\t900\t.\t+\t.\tID=rna-XR_1.1;Parent=gene-LOC1;Dbxref=GeneID:99,MGI:MGI:123;Name=XR_1.1
"""


@pytest.mark.parametrize("joined", [False, True], ids=["plain", "with-ncbi-gene"])
def test_lines_equal_link_table_lines(tmp_path, joined):
    names = ["XR_1.1", "NM_000546.6", "XR_1.1", "NR_\xe9", "NR_Z"]
    scan = _in_pieces(GFF, [0, 2], [1], str(tmp_path))
    table = NameLinkTable(lambda: [read_entries(p) for p in scan.fact_files], sort_limit=1)
    ref = LinkTable(facts=_one_pass(GFF).facts)
    for n in names:
        table.add_name(n)
        ref.add(_tx(n))
    g2r = info = None
    if joined:
        assert table.accessions() == ref.accessions() and table.gene_ids() == ref.gene_ids() == {"7157", "99"}
        g2r = {"NM_000546.6": Gene2RefseqRow("7157", "REVIEWED", "NM_000546.6", "", "")}
        info = {"99": GeneInfo("99", "LOC1", "", "from gene_info", "")}
    lines = list(table.lines(gene2refseq=g2r, gene_info=info))
    assert lines == list(ref.lines(gene2refseq=g2r, gene_info=info))
    assert [ln.split("\t", 1)[0] for ln in lines] == ["NM_000546.6", "NR_Z", "NR_\xe9", "XR_1.1"]
    assert table.count == 4
    with pytest.raises(RuntimeError, match="already read"):
        table.add_name("NM_9")


@pytest.mark.parametrize("child_fails", [False, True], ids=["child", "child-fails"])
def test_lines_made_by_a_child_process(tmp_path, monkeypatch, child_fails):
    # the names spill to several sorted runs (sort_limit=1): a failed child has read them
    # through the shared file descriptors, the table rewinds them before it is read here
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    names = ["XR_1.1", "NM_000546.6", "XR_1.1", "NR_\xe9", "NR_Z"]
    scan = _in_pieces(GFF, [0, 2], [1], str(tmp_path))

    def table():
        t = NameLinkTable(lambda: [read_entries(p) for p in scan.fact_files], sort_limit=1)
        for n in names:
            t.add_name(n)
        return t

    want = list(table().lines())
    if child_fails:
        parent = os.getpid()
        real = link_join.write_lines

        def failing(out, lines, **kw):
            if os.getpid() != parent:
                next(iter(lines))  # (reads part of the names first)
                raise ValueError("child failure")
            return real(out, lines, **kw)
        monkeypatch.setattr(link_join, "write_lines", failing)
    t = table()
    job = LinesJob(t, str(tmp_path / "link.tab"))
    count = job.result()
    if child_fails:
        assert count is None
        assert list(t.lines()) == want and t.count == 4
    else:
        assert count == 4
        assert (tmp_path / "link.tab").read_text(encoding="utf-8", errors="surrogateescape") == "".join(want)
    job.close()  # (nothing left to stop)


def test_names_from_sorted_runs_and_none_after_a_child_took_the_table(tmp_path):
    # (the build's workers hand over each piece's names sorted, in a run file)
    from refseqtracks.extsort import ExternalSorter
    text = "".join(f"s1\tb\tmRNA\t1\t9\t.\t+\t.\tID=t{i};Name={n}\n" for i, n in enumerate(NAMES))
    table = NameLinkTable(lambda: [name_entries(_one_pass(text).facts)])
    run = ExternalSorter()
    for n in ("NM_2.1", "NM_1.1", "NM_2.1"):
        run.add(link_join.name_key(n), n)
    f = open(tmp_path / "run", "w+b")
    count = run.dump_run(f)
    f.seek(0)
    table.add_names_run(f, count)
    table.add_name("XR_3.1")
    job = LinesJob(table, str(tmp_path / "link.tab"))
    with pytest.raises(RuntimeError):
        table.add_name("NP_5.1")
    assert job.result() == 3
    assert [ln.split("\t")[0] for ln in (tmp_path / "link.tab").read_text().splitlines()] == \
        ["NM_1.1", "NM_2.1", "XR_3.1"]


def test_values_with_tabs_are_written_with_spaces(tmp_path):
    text = "s1\tb\tmRNA\t1\t9\t.\t+\t.\tID=t;Name=NM_1.1;product=a%09b\n"
    table = NameLinkTable(lambda: [name_entries(_one_pass(text).facts)])
    table.add_name("NM_1.1")
    (line,) = table.lines()
    assert line.split("\t")[3] == "a b" and line.count("\t") == 18
    assert line == format_link_line(["NM_1.1", "Unknown", "", "a\tb"] + [""] * 8 + ["b"] + [""] * 6)


def test_repeated_name_hashes():
    from array import array

    from refseqtracks.ncbirefseq import _repeated_hashes

    parts = [array("q", [5, 1, 9]).tobytes(), array("q", [9, 2]).tobytes(), b"", array("q", [1]).tobytes()]
    assert _repeated_hashes(parts) == {1, 9}
    assert _repeated_hashes([]) == set()
