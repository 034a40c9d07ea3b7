"""The build's per-record rows: what the row maker leaves to the main process, and which
pieces are filed whole in the workers."""
from __future__ import annotations

import pytest

from refseqtracks.formats.genepred import check_transcript, format_genepred_line
from refseqtracks.model import Transcript
from refseqtracks.ncbirefseq_rows import FiledPiece, PieceFiler, RowMaker

GOOD = Transcript("NM_000001.1", "NC_1", "+", 100, 900, 150, 850, (100, 500), (300, 900), 0, "GENE1",
                  "cmpl", "cmpl", (0, 2))
# exonFrames on a non-CDS exon: genePredCheck refuses it
BAD = Transcript("NM_000002.1", "NC_1", "+", 100, 900, 150, 250, (100, 500), (300, 900), 0, "GENE2",
                 "cmpl", "cmpl", (0, 1))


def _maker(checked: bool, size: int = 1000) -> RowMaker:
    return RowMaker(ncbi_sizes={"NC_1": size}, names=None, offsets=None, bin=False, gtf_source="test",
                    path="test.gff3", checked=checked)


def test_checked_records_make_the_same_rows():
    assert not check_transcript(GOOD)
    line = format_genepred_line(GOOD, ext=True)
    assert _maker(True)(line, GOOD) == _maker(False)(line, GOOD) is not None


def test_a_record_past_its_sequence_end_goes_to_the_main_process_either_way():
    line = format_genepred_line(GOOD, ext=True)
    assert _maker(True, size=899)(line, GOOD) is None
    assert _maker(False, size=899)(line, GOOD) is None
    assert _maker(True, size=900)(line, GOOD) is not None


def test_unchecked_records_are_checked_whole():
    # (a converter's repaired records were not checked: those come unchecked)
    assert check_transcript(BAD)
    line = format_genepred_line(BAD, ext=True)
    assert _maker(False)(line, BAD) is None
    assert _maker(True)(line, BAD) is not None  # (checked: the converter would have refused it)


def _piece(*events, unprocessed: str | None = None) -> list:
    line = format_genepred_line(GOOD, ext=True)
    made = _maker(True)(line, GOOD)
    results = [(True, [("gattrs", "gene attrs\n"), ("tx", line, made, "tx attrs\n", True), ("brk",), *events],
                None)]
    if unprocessed is not None:
        results.append((False, [], unprocessed))
    return results


def test_a_piece_is_filed_whole(tmp_path):
    filed = PieceFiler(str(tmp_path))(_piece(unprocessed="NC_1\tRefSeq\tcDNA_match\t1\t2\t.\t+\t.\tID=a"), 7)
    p = FiledPiece(*filed)
    with open(p.data, "rb") as f:
        data = f.read()
    texts, at = {}, 0
    for key, size in p.parts:
        texts[key] = data[at:at + size].decode()
        at += size
    assert at == len(data) and p.parts[0][0] == "genePred"
    assert p.names == ["NM_000001.1"] and texts["attrs"] == "gene attrs\ntx attrs\n"
    assert texts["unprocessed"].endswith("ID=a\n") and p.n_roots == 1
    assert len(p.gtf_sizes) == 8 and texts["gtf"].count("\n") > 3
    assert p.curated[0] == ["NM_000001.1"] and p.counts == {"all": 1, "predicted": 0, "other": 0}
    assert texts["all.gp"] == texts["genePred"] and texts["predicted.gp"] == ""
    assert p.link_run == (str(tmp_path / "names.7"), 1)
    assert p.fake_run is None and p.fake_fields == [p.fake_fields[0]] and p.fake_fields[0][0] == "NM_000001.1"


@pytest.mark.parametrize("event", [("msg", "Warning: something"), ("err", "invalid strand for mRNA x"),
                                   ("bad", "a bad line\n"), ("tx", "line\n", None, None)])
def test_a_piece_with_anything_for_the_main_process_is_not_filed(tmp_path, event):
    assert PieceFiler(str(tmp_path))(_piece(event), 7) is None
    assert PieceFiler(str(tmp_path))(_piece(), 7) is not None


@pytest.mark.parametrize("tx", [GOOD, Transcript("NM_000003.1", "NC_1", "-", 100, 900, 100, 100, (500, 100),
                                                 (900, 300), 0, "GENE3", "none", "none", (-1, -1))],
                         ids=["usual", "exons-out-of-order"])
def test_renamed_rows_are_the_renamed_records(tx):
    # (the rows of a renamed record are made under its new name without a new Transcript)
    from dataclasses import replace

    def maker(names):
        return RowMaker(ncbi_sizes={}, names=names, offsets=None, bin=True, gtf_source="test", path="t.gff3",
                        fake_sizes=(None, {"chr1": 5000}), checked=True)
    renamed = replace(tx, chrom="chr1")
    got = maker({"NC_1": "chr1"})(format_genepred_line(tx, ext=True), tx)
    assert got == maker({"chr1": "chr1"})(format_genepred_line(renamed, ext=True), renamed)
    assert got[3][1] == "chr1" and got[4][1][2] == "chr1" and "NC_1" not in got[0] + got[1] + got[2] + got[4][1][0]
