"""The build's raw-line pass: block scanning equals line-by-line scanning; compact link facts."""
from __future__ import annotations

import io
import pickle
import re
import tempfile

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from refseqtracks import accessions as acc
from refseqtracks.annotate import LinkTable
from refseqtracks.annotate_facts import GffFacts, _head, _record, attr_value, fields_from_attrs, record_fields
from refseqtracks.errors import RefseqtracksError
from refseqtracks.model import Transcript
from refseqtracks.ncbirefseq_scan import GffScan, ScanPart, SedStream, scan_file, scan_text

GFF = """\
##gff-version 3
#!annotation-source NCBI Homo sapiens Updated Annotation Release 109.20200228
##sequence-region NC_000017.11 1 83257441
NC_000017.11\tBestRefSeq\tgene\t7661779\t7687550\t.\t-\t.\tID=gene-TP53;Dbxref=GeneID:7157,HGNC:HGNC:11998;Name=TP53;description=tumor protein p53;gbkey=Gene;gene=TP53;gene_biotype=protein_coding;gene_synonym=BCC7,LFS1
NC_000017.11\tBestRefSeq\tmRNA\t7668402\t7687550\t.\t-\t.\tID=rna-NM_000546.6;Parent=gene-TP53;Dbxref=GeneID:7157,GenBank:NM_000546.6;Name=NM_000546.6;gbkey=mRNA;gene=TP53;product=p53%2C variant 1;tag=MANE Select;transcript_id=NM_000546.6
NC_000017.11\tBestRefSeq\texon\t7669609\t7669690\t.\t-\t.\tID=exon-NM_000546.6-11;Parent=rna-NM_000546.6;tag=MANE Select
NC_000017.11\tBestRefSeq\tCDS\t7669609\t7669690\t.\t-\t2\tID=cds-NP_000537.3;Parent=rna-NM_000546.6;Name=NP_000537.3;Note=a CDS note;protein_id=NP_000537.3;tag=MANE Select
NC_000017.11\tBestRefSeq\tCDS\t7670609\t7670690\t.\t-\t0\tID=cds-NP_000537.3;Parent=rna-NM_000546.6;Name=NP_000537.3;protein_id=NP_000537.3
NC_000017.11\tRefSeq\tcDNA_match\t7669609\t7669690\t.\t-\t.\tID=aln1;Target=NM_000546.6 1 82 +
NC_000017.11\tRefSeq\tmatch\t7669609\t7669690\t.\t-\t.\tID=aln2;Target=NG_017013.2 1 82 +
###
NT_187562.1\tGnomon\tgene\t1\t900\t.\t+\t.\tID=gene-LOC1;Dbxref=GeneID:99;Name=LOC1;gene=LOC1;pseudo=true
NT_187562.1\tGnomon\tlnc_RNA\t1\t900\t.\t+\t.\tID=rna-XR_1.1;Parent=gene-LOC1;Dbxref=GeneID:99,MGI:MGI:123;Name=XR_1.1;SO_type=x;Note=model;transcript_id=XR_1.1
NT_187562.1\tBestRefSeq\tmRNA\t1\t100\t.\t-\t.\tID=rna-NM_000546.6-2;Parent=gene-LOC1;Name=NM_000546.6;Note=The RefSeq transcript has 2 substitutions compared to this genomic sequence
NT_187562.1\tGnomon\tenhancer\t1\t100\t.\t+\t.\tID=id-enh1;Name=enh1
short line
"""


def _state(scan: GffScan) -> dict:
    f = scan.facts
    return {
        "lineno": scan.lineno, "first_lines": scan.first_lines, "comment_head": scan.comment_head,
        "select": scan.select_names, "psl": scan.psl_lines, "psl_at": list(scan.psl_linenos),
        "seqids": list(scan.seqids.items()), "regions": list(scan.region_sizes.items()),
        "so_type": scan.has_so_type,
        "features": {k: f.fields(k) for k in f.features}, "parent_of": f.parent_of,
        "by_name": list(f.by_name.items()), "more": f.more_by_name, "prot": f.protein_ids,
        "cds_notes": f.cds_notes, "last_cds": f._last_cds,
    }


def _by_lines(text: str) -> GffScan:
    scan = GffScan()
    for line in io.StringIO(text, newline=""):
        scan.feed(line)
    return scan


def _by_blocks(text: str, cuts: list[int]) -> GffScan:
    lines = io.StringIO(text, newline="").readlines()
    scan = GffScan()
    at = 0
    for cut in sorted(set(cuts)) + [len(lines)]:
        scan.feed_text("".join(lines[at:cut]))
        at = max(at, cut)
    return scan


def test_scan_collects_what_the_build_needs():
    scan = _by_blocks(GFF, [4, 9])
    assert scan.lineno == GFF.count("\n")
    assert scan.select_names == {"NM_000546.6"}
    assert scan.region_sizes == {"NC_000017.11": 83257441}
    assert scan.has_so_type and len(scan.comment_head) == 4
    assert [ln.split("\t")[2] for ln in scan.psl_lines] == ["cDNA_match"] and list(scan.psl_linenos) == [9]
    assert scan.seqids == {"NC_000017.11": 7, "NT_187562.1": 4}
    facts = scan.facts
    assert facts.protein_ids == {"rna-NM_000546.6": "NP_000537.3"}
    assert facts.placements("NM_000546.6") == ["rna-NM_000546.6", "rna-NM_000546.6-2"]
    assert facts.source("rna-XR_1.1") == "Gnomon" and facts.top_id("rna-XR_1.1") == "gene-LOC1"


LINE_TYPES = ["gene", "mRNA", "exon", "CDS", "cDNA_match", "match", "region", "lnc_RNA", "enhancer"]
ATTRS = ["ID=a", "ID=b", "ID=cds-1", " ID=c", "Parent=a", "Parent=b,a", "Parent=gene-x", "Name=NM_1.1",
         "Name=XM_2.1", "Name=NP_3.1", "Name=other", "Name=", "protein_id=NP_3.1", "Note=n%3B1",
         "Note=The RefSeq transcript has 1 substitution compared to this genomic sequence",
         "gene=G", "gene=G2", " gene = x ", "product=p%2Cq", "Dbxref=GeneID:1,MGI:MGI:2",
         "Dbxref=HGNC:HGNC:5,Genbank:NM_1.1", "tag=MANE Select", "tag=RefSeq Select", "SO_type=so",
         "Target=NG_1 1 2", "description=d,,e", "gene_synonym=a,b,c", "pseudo=true", "bad"]


@st.composite
def gff_texts(draw):
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            lines.append(draw(st.sampled_from(["#c", "##sequence-region s1 1 500", "###", "", "x\ty"])))
            continue
        seqid = draw(st.sampled_from(["s1", "s2", "NG_9", "s%3B3"]))
        ftype = draw(st.sampled_from(LINE_TYPES))
        source = draw(st.sampled_from(["BestRefSeq", "Gnomon", "BestRefSeq%2CGnomon"]))
        col9 = ";".join(draw(st.lists(st.sampled_from(ATTRS), max_size=6)))
        phase = "0" if ftype == "CDS" and draw(st.booleans()) else "."  # (a CDS needs one to be quick)
        lines.append(f"{seqid}\t{source}\t{ftype}\t1\t9\t.\t+\t{phase}\t{col9}")
    ends = draw(st.lists(st.sampled_from(["\n", "\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines)))
    text = "".join(line + end for line, end in zip(lines, ends))
    if lines and draw(st.booleans()):
        text = text[: -len(ends[-1])]  # no line end at the end of the input
    return text


def _ref_words(text: str) -> tuple[set, bool]:
    """The Select names and the ``SO_type=`` test by the original rules, line by line."""
    names: set = set()
    so_type = False
    for line in io.StringIO(text, newline=""):
        so_type = so_type or bool(re.search(r"[;\t]SO_type=", line))
        piece = line[:-1] if line[-1:] == "\n" else line
        cols = piece.split("\t", 8)
        if line[:1] == "#" or len(cols) < 9 or cols[2] in ("cDNA_match", "match"):
            continue
        if "Select" in cols[8] and "Name=" in cols[8]:
            names.update(acc.select_names_from_gff3_line(piece))
    return names, so_type


_SELECT_CDS = "s1\tR\tCDS\t1\t9\t.\t+\t0\tID=c;Name=XP_1.1;tag=RefSeq Select"


@settings(max_examples=150, deadline=None)
@given(gff_texts(), st.lists(st.integers(0, 31), max_size=5), st.integers(1, 80))
@example("a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=p;protein_id=P1\r"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=q;protein_id=P2\n", [1], 80)
@example(f"{_SELECT_CDS}\n{_SELECT_CDS}\r\n{_SELECT_CDS};Name=XP_2\n{_SELECT_CDS}\n"
         "s1\tR\tmRNA\t1\t9\t.\t+\t.\tName=NM_1;tag=MANE Select;Select;SO_type=x\n", [2], 5)
@example("s1\tR\tmatch\t1\t9\t.\t+\t.\tName=NM_1;tag=MANE Select\n#\tR\tgene\t1\t9\t.\t+\t.\tName=NM_2;"
         "tag=MANE Select\n\tR\tgene\t1\t9\t.\t+\t.\tName=NM_3;tag=MANE Select\nSO_type=x\n", [], 1)
@example("s1\tR\tmRNA\t1\t9\t.\t+\t.\tName=NM_5;Select\n"
         "s1\ttag=RefSeq Select\tmRNA\t1\t9\t.\t+\t.\tName=NM_5;Select\n", [], 80)
def test_block_scan_equals_line_scan(text, cuts, chunk):
    from refseqtracks import ncbirefseq_scan

    old, ncbirefseq_scan.CHUNK_CHARS = ncbirefseq_scan.CHUNK_CHARS, chunk  # blocks cut into chunks
    try:
        by_blocks = _by_blocks(text, cuts)
    finally:
        ncbirefseq_scan.CHUNK_CHARS = old
    by_lines = _by_lines(text)
    assert _state(by_blocks) == _state(by_lines)
    assert (by_lines.select_names, by_lines.has_so_type) == _ref_words(text)


def _by_pieces(text: str, cuts: list[int]) -> GffScan:
    lines = io.StringIO(text, newline="").readlines()
    scan = GffScan()
    at = 0
    for cut in sorted({min(c, len(lines)) for c in cuts if c > 0} | {len(lines)}):
        scan.merge(pickle.loads(pickle.dumps(scan_text("".join(lines[at:cut]), at + 1))))
        at = cut
    return scan


@settings(max_examples=150, deadline=None)
@given(gff_texts(), st.lists(st.integers(0, 31), max_size=6))
@example("a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=p;protein_id=P1\n"
         "a\tb\tgene\t1\t2\t.\t+\t0\tID=g\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tName=NP_1;ID=x;Parent=q;protein_id=P2\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=r;protein_id=P3\n", [1])
@example("a\tb\tCDS\t1\t2\t.\t+\t0\tParent=p;protein_id=P1\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=q;protein_id=P2\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=r;protein_id=P3\n", [1, 2])
def test_pieces_merged_equal_one_pass(text, cuts):
    assert _state(_by_pieces(text, cuts)) == _state(_by_lines(text))


@settings(max_examples=150, deadline=None)
@given(gff_texts(), st.lists(st.integers(0, 31), max_size=6), st.integers(1, 80))
@example("a\tb\tgene\t1\t2\t.\t+\t0\tID=g;Name=NM_1\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=g;protein_id=P1;Name=NP_1\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=q;protein_id=P2;Name=NP_1\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=y;Parent=r;protein_id=P3;Name=NP_1\n", [1, 3], 10)
def test_pieces_with_fact_files_equal_pieces_with_facts(text, cuts, chunk):
    """A piece's facts written as entries (one set of facts for the piece) are those of its
    three sets of facts merged; the rest of the piece's scan is the same."""
    from refseqtracks import ncbirefseq_scan
    from refseqtracks.link_join import name_entries, read_entries, write_entries

    lines = io.StringIO(text, newline="").readlines()
    at = 0
    old, ncbirefseq_scan.CHUNK_CHARS = ncbirefseq_scan.CHUNK_CHARS, chunk
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for cut in sorted({min(c, len(lines)) for c in cuts if c > 0} | {len(lines)}):
                piece = "".join(lines[at:cut])
                held = scan_text(piece, at + 1)
                filed = scan_text(piece, at + 1, facts_path=f"{tmp}/entries")
                facts = held.facts
                if held.first_cds is not None:
                    facts.merge(held.first_cds)
                facts.merge(held.facts_after)
                write_entries(name_entries(facts), f"{tmp}/want")
                assert list(read_entries(f"{tmp}/entries")) == list(read_entries(f"{tmp}/want"))
                assert (filed.first_cds_id, filed.last_cds_seen, filed.last_cds_id) == \
                    (held.first_cds_id, facts.cds_seen, facts._last_cds)
                assert filed.facts_file == f"{tmp}/entries" and filed.facts is None
                for k in ScanPart.__slots__[:10]:
                    assert getattr(filed, k) == getattr(held, k), k
                at = cut
    finally:
        ncbirefseq_scan.CHUNK_CHARS = old


@settings(max_examples=150, deadline=None)
@given(gff_texts(), st.one_of(st.integers(1, 40), st.integers(200, 3000)), st.integers(2, 30))
@example("a\tb\tgene\t1\t2\t.\t+\t.\tID=g;Name=NM_1\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=g;protein_id=P1;Name=NP_1\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=q;protein_id=P2;Name=NP_1", 30, 2)
@example("#c\ta\tb\tc\td\te\tf\tg\tID=h;Name=NM_1\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=g;protein_id=P1;Name=NP_1\r\n", 5, 90)
@example("a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=g;protein_id=P1;Name=NP_1\n"
         "a\tGnomon\tCDS\t1\t2\t.\t+\t0\tID=y;Parent=h;protein_id=P2;Name=NP_2\n"
         "a\tGnomon\tcDNA_match\t1\t2\t.\t+\t.\tID=aln;Target=NM_1 1 2 +\n", 1, 7)
@example("a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=g;protein_id=P1;Name=NP_1\n"
         "a\tGnomon\tgene\t1\t2\t.\t+\t.\tID=g2;Name=NM_2\n"
         "a\tGnomon\tCDS\t1\t2\t.\t+\t0\tID=y;Parent=h;bad;Name=NP_2\n", 70, 7)
@example("s1\tb\tgene\t1\t2\t.\t+\t.\tID=g;Name=NM_1\n"
         "s1\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=g;protein_id=P1;Name=NP_1\n"
         "s1\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=g;protein_id=P1;Name=NP_1\n"
         "s%3B3\tb\texon\t1\t2\t.\t+\t.\tID=e;Parent=g\n"
         "s1\tBestRefSeq%2CGnomon\tmRNA\t1\t2\t.\t+\t.\tID=m;Name=NM_5\n", 3000, 7)
@example("s1\tb\tgene\t1\t2\t.\t+\t.\tID=g;Name=NM_1\n"
         "s1\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=g;protein_id=P1;Name=NP_1", 3000, 7)
@example("s1\tb\tmRNA\t1\t2\t.\t+\t.\tID=m;Note=Select;Name=NM_1.1\n"
         "s1\ttag=MANE Select\tmRNA\t1\t2\t.\t+\t.\tID=m;Note=Select;Name=NM_1.1\n", 3000, 7)
@pytest.mark.parametrize("make", [None, "Ann"], ids=["features", "converter-records"])
def test_piece_scanned_as_the_reader_reads_it_equals_scan_text(make, text, block, first_line):
    """The build's workers scan a piece through the converter's reader (``block_tap``): the
    same part as :func:`scan_text` of the piece, whatever the reader's blocks (taking the lines
    of a block the reader made into the converter's records from the records)."""
    from refseqtracks import gff3_quick
    from refseqtracks.assemble_rules import Ann
    from refseqtracks.gff3 import Gff3Reader
    from refseqtracks.link_join import read_entries
    from refseqtracks.ncbirefseq_scan import PieceTap

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/piece.gff3"
        with open(path, "w", newline="", encoding="utf-8") as f:
            f.write("##gff-version 3\n" + text)
        reader = Gff3Reader(path, max_errors=10 ** 6, report=lambda msg: None, line_offset=first_line - 2,
                            lazy_attrs=True, make_record=Ann if make else None)
        tap = reader.block_tap = PieceTap(first_line)
        old, gff3_quick._BLOCK = gff3_quick._BLOCK, block
        try:
            for _ in reader.batches():
                pass
        except RefseqtracksError:
            pass  # (an input the reader refuses: no scan is taken from it)
        finally:
            gff3_quick._BLOCK = old
        if not tap.done:  # (##FASTA ends the features: the piece's file is scanned again)
            assert "##FASTA" in text or reader.error_count
            return
        tapped = tap.part(f"{tmp}/tapped")
        whole = scan_text(text, first_line, facts_path=f"{tmp}/whole")
        assert list(read_entries(f"{tmp}/tapped")) == list(read_entries(f"{tmp}/whole"))
        for k in ScanPart.__slots__:
            if k != "facts_file":
                assert getattr(tapped, k) == getattr(whole, k), k


@settings(max_examples=100, deadline=None)
@given(gff_texts(), st.integers(1, 40))
@example("a\tb\tgene\t1\t2\t.\t+\t.\tID=g;SO_type=x\r\nb\tb\tgene\t1\t2\t.\t+\t.\tID=h\n", 33)
def test_scan_file_in_small_blocks_equals_line_scan(text, block):
    import tempfile

    from refseqtracks import ncbirefseq_scan

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/a.gff3"
        with open(path, "w", newline="", encoding="utf-8") as f:
            f.write(text)
        scan = GffScan()
        old, ncbirefseq_scan.BLOCK_CHARS = ncbirefseq_scan.BLOCK_CHARS, block
        try:
            scan_file(path, scan, None)
        finally:
            ncbirefseq_scan.BLOCK_CHARS = old
    by_lines = _by_lines(text)
    by_lines.finish()
    assert _state(scan) == _state(by_lines)


def test_merge_refuses_pieces_out_of_order():
    scan = GffScan()
    with pytest.raises(ValueError, match="out of order"):
        scan.merge(scan_text("a\tb\tgene\t1\t2\t.\t+\t.\tID=g\n", 5))


def test_scan_file_and_sed_stream_agree(tmp_path):
    path = tmp_path / "a.gff3"
    path.write_text(GFF * 3)
    by_file = GffScan()
    scan_file(path, by_file, None)
    streamed = GffScan()
    with SedStream(str(path), streamed) as f:
        text = "".join(f)
    streamed.finish()
    assert "so_type=x" in text and "SO_type" not in text
    assert _state(by_file) == _state(streamed)


# the attribute rules of the original column-9 parser, kept here as the reference
def _ref_parse_col9(col9: str) -> dict:
    from refseqtracks.gff3 import unescape

    attrs: dict = {}
    for item in col9.rstrip("\r\n").split(";"):
        tag, eq, value = item.strip().partition("=")
        if not eq:
            continue
        vals = tuple(unescape(v) for v in value.split(",") if v)
        old = attrs.get(tag)
        attrs[tag] = old + vals if old else vals
    return attrs


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ATTRS + ["Name=NM_5;Name=NM_6", "ID=", "Parent=%2Cz", "Dbxref=X:a%2Cb",
                                          "note=x", "Note=", "\tNote=tab"]), max_size=8))
def test_record_and_head_follow_the_attribute_rules(items):
    col9 = ";".join(items) + "\n"
    assert record_fields(_record("src", col9)) == fields_from_attrs(_ref_parse_col9(col9), "src")
    assert _head(col9) == (attr_value(col9, "ID"), attr_value(col9, "Parent"), attr_value(col9, "Name"))


class _RefFacts:
    """The original GffFacts rules (raw column 9 kept, every CDS piece looked at), as reference."""

    _SKIP = ("exon", "region", "cDNA_match", "match", "sequence_feature")

    def __init__(self):
        self.features, self.parent_of, self.by_name, self.more_by_name = {}, {}, {}, {}
        self.protein_ids, self.cds_notes, self.last_cds = {}, {}, None

    def _name(self, name, fid):
        if self.by_name.setdefault(name, fid) != fid and fid not in self.more_by_name.setdefault(name, []):
            self.more_by_name[name].append(fid)

    def _keep_named(self, source, col9, fid):
        name = attr_value(col9, "Name")
        if name and fid and acc.is_all(name):
            self._name(name, fid)
            self.features.setdefault(fid, (source, col9))

    def feed(self, line):
        cols = line.split("\t", 8)
        if line[:1] == "#" or len(cols) < 9:
            return
        ftype, col9 = cols[2], cols[8]
        if ftype == "CDS":
            fid = attr_value(col9, "ID")
            if fid is not None and fid == self.last_cds:
                return
            self.last_cds = fid
            parents = attr_value(col9, "Parent")
            if not parents:
                return
            prot = attr_value(col9, "protein_id")
            note = attr_value(col9, "Note")
            for parent in parents.split(","):
                if prot:
                    self.protein_ids.setdefault(parent, prot.split(",", 1)[0])
                if note:
                    self.cds_notes.setdefault(parent, note)
            if "Name=" in col9:
                if fid:
                    self.parent_of.setdefault(fid, parents.split(",", 1)[0])
                self._keep_named(cols[1], col9, fid)
            return
        if ftype in self._SKIP:
            return
        if "Parent=" in col9:
            fid, parent = attr_value(col9, "ID"), attr_value(col9, "Parent")
            if fid and parent:
                self.parent_of.setdefault(fid, parent.split(",", 1)[0])
            self._keep_named(cols[1], col9, fid)
            return
        fid = attr_value(col9, "ID")
        if fid:
            self.features.setdefault(fid, (cols[1], col9))
            name = attr_value(col9, "Name")
            if name:
                self._name(name, fid)


@settings(max_examples=150, deadline=None)
@given(gff_texts())
@example("a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=p;protein_id=P1\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=q;protein_id=P2\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tID=y;Parent=q;protein_id=P3\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tName=NP_1;ID=x;Parent=q;protein_id=P4\n")
@example("a\tb\tCDS\t1\t2\t.\t+\t0\tID=x;Parent=p;protein_id=P1\n"
         "a\tb\tmRNA\t1\t2\t.\t+\t0\tID=p\n"
         "a\tb\tCDS\t1\t2\t.\t+\t0\tName=NP_1;ID=x;Parent=q;protein_id=P2\n")
def test_facts_follow_the_original_rules(text):
    ref = _RefFacts()
    for line in io.StringIO(text, newline=""):
        ref.feed(line)
    facts = _by_lines(text).facts
    assert {k: facts.fields(k) for k in facts.features} == \
        {k: fields_from_attrs(_ref_parse_col9(c9), src) for k, (src, c9) in ref.features.items()}
    assert (facts.parent_of, facts.by_name, facts.more_by_name, facts.protein_ids, facts.cds_notes) == \
        (ref.parent_of, ref.by_name, ref.more_by_name, ref.protein_ids, ref.cds_notes)


def test_record_with_separator_byte_is_a_tuple():
    rec = _record("s", "gene=a%1Fb;Dbxref=GeneID:1")
    assert isinstance(rec, tuple) and record_fields(rec)[1] == "a\x1fb"


def _tx(name):
    return Transcript(name, "chr1", "+", 0, 10, 0, 0, (0,), (10,))


@settings(max_examples=100, deadline=None)
@given(gff_texts())
def test_compact_keeps_every_link_row(text):
    scan = _by_lines(text)
    names = sorted(n for n in scan.facts.by_name if acc.is_all(n))
    before = LinkTable(facts=scan.facts)
    for n in names:
        before.add(_tx(n))
    scan.finish()
    after = LinkTable(facts=scan.facts)
    for n in names:
        after.add(_tx(n))
    assert before.rows() == after.rows()


@pytest.mark.parametrize("limit", [1, 100], ids=["spilled", "in-memory"])
def test_link_lines_sorted_and_joined(limit):
    from refseqtracks.annotate import Gene2RefseqRow, GeneInfo, format_link_line

    scan = _by_lines(GFF)
    table = LinkTable(facts=scan.facts, sort_limit=limit)
    for name in ["XR_1.1", "NM_000546.6", "XR_1.1", "NR_\xe9", "NR_Z"]:
        table.add(_tx(name))
    assert len(table) == 4
    assert table.accessions() == {"NM_000546.6", "XR_1.1", "NR_\xe9", "NR_Z"}
    assert table.gene_ids() == {"7157", "99"}
    g2r = {"NM_000546.6": Gene2RefseqRow("7157", "REVIEWED", "NM_000546.6", "", ""),
           "NR_Z": Gene2RefseqRow("1", "PROVISIONAL", "NR_Z", "", "")}
    info = {"99": GeneInfo("99", "LOC1", "", "from gene_info", ""), "7157": GeneInfo("7157", "TP53", "", "", "")}
    lines = list(table.lines(gene2refseq=g2r, gene_info=info))
    rows = [ln.rstrip("\n").split("\t") for ln in lines]
    assert [r[0] for r in rows] == ["NM_000546.6", "NR_Z", "NR_\xe9", "XR_1.1"]  # bytewise
    assert [r[1] for r in rows] == ["Reviewed", "Provisional", "Unknown", "Unknown"]
    assert rows[0][17] == "tumor protein p53" and rows[3][17] == "from gene_info"  # empty description kept
    assert rows[0][5] == "NP_000537.3" and rows[0][3] == "p53, variant 1" and rows[0][16] != ""
    assert rows[3][18] == "MGI:123" and rows[3][12] == "Gnomon" and rows[3][10] == "true"
    assert all(ln == format_link_line(r) for ln, r in zip(lines, rows))


def test_link_rows_keep_values_with_tabs():
    table = LinkTable()
    table.add(Transcript("NM_1.1", "chr1", "+", 0, 10, 0, 0, (0,), (10,),
                         attrs={"ID": ("x",), "product": ("a\tb",), "Note": ("l1\nl2",)}))
    assert table.rows()[0][3] == "a\tb"
    table = LinkTable()
    table.add(Transcript("NM_1.1", "chr1", "+", 0, 10, 0, 0, (0,), (10,),
                         attrs={"ID": ("x",), "product": ("a\tb",), "Note": ("l1\nl2",)}))
    assert list(table.lines()) == ["NM_1.1\tUnknown\t\ta b\t\t\t\t\t\t\t\t\t\t\t\t\tl1 l2\t\t\n"]


def test_link_table_is_read_once():
    table = LinkTable()
    table.add(_tx("NM_1.1"))
    assert len(table.rows()) == 1 and len(table) == 1
    with pytest.raises(RuntimeError, match="already read"):
        list(table.lines())
    with pytest.raises(RuntimeError, match="already read"):
        table.add(_tx("NM_2.1"))


_LINES = ["c\tR\tCDS\t1\t2\t.\t+\t0\tID=a", "#c\tR\tCDS\t1\t2\t.\t+\t0\tID=a", "c\tCDS\texon\t1\t2\t.\t+\t.\tID=b",
          "c\tR\tCDS\t1", "\tCDS\t", "x", "", "c\tR\tCDS\t1\t2\t.\t+\t0\tID=a\tmore"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_LINES), st.sampled_from(["\n", "\r\n", "\r", ""])), max_size=6))
def test_first_cds_line_is_the_first_line_by_line(lines):
    from refseqtracks.ncbirefseq_scan import _first_cds_line
    text = "".join(a + b for a, b in lines)
    at = 0
    want = None
    for line in io.StringIO(text, newline=""):
        cols = line.split("\t", 8)
        if line[:1] != "#" and len(cols) == 9 and cols[2] == "CDS":
            want = (at, at + len(line))
            break
        at += len(line)
    assert _first_cds_line(text) == (want or (len(text), len(text)))


@pytest.mark.parametrize("sink", ["none", "text", "file"])
def test_alignment_lines_of_a_piece_in_a_file_merge_alike(tmp_path, sink):
    # (the build's workers hand a piece's alignment lines over in a file)
    text = GFF.replace("SO_type=", "so_type=") + "NC_000017.11\tRefSeq\tmatch\t5\t9\t.\t+\t.\tID=m\xe9;Target=NM_9 1 5\n"
    lines = io.StringIO(text, newline="").readlines()
    scans = []
    for moved in (False, True):
        out = tmp_path / f"sink{moved}"
        f = (None if sink == "none" else io.StringIO() if sink == "text"
             else open(out, "w+", encoding="utf-8", errors="surrogateescape", newline=""))
        scan = GffScan(psl_sink=f)
        for at, cut in ((0, 5), (5, len(lines))):
            part = scan_text("".join(lines[at:cut]), at + 1)
            if moved and part.psl_text:
                part.psl_file = str(tmp_path / f"psl.{at}")
                with open(part.psl_file, "w", encoding="utf-8", errors="surrogateescape", newline="") as p:
                    p.write(part.psl_text)
                part.psl_text = ""
            scan.merge(pickle.loads(pickle.dumps(part)))
        if f is not None:
            f.write("end\n")  # (text written after a piece's file comes after it)
            f.flush()
            got = f.getvalue() if sink == "text" else out.read_text(encoding="utf-8", errors="surrogateescape")
            f.close()
        else:
            got = "".join(scan.psl_lines)
        scans.append((got, list(scan.psl_linenos)))
    assert scans[0] == scans[1] and "m\xe9" in scans[0][0] and len(scans[0][1]) == 2
    assert not list(tmp_path.glob("psl.*"))  # (taken and removed)
