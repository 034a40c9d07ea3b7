"""bigGenePred text: kent genePredToBigGenePred fill rules, side files, reader."""
from __future__ import annotations

import pytest

from conftest import FIXTURES, shared_path
from refseqtracks.errors import ParseError
from refseqtracks.formats.biggenepred import (
    FIELDS, big_genepred_as_text, iter_big_genepred, read_big_genepred, read_side_files,
    to_big_genepred, write_big_genepred,
)
from refseqtracks.formats.genepred import read_genepred
from refseqtracks.model import replace

SMALL_GP = FIXTURES / "bed" / "small.gp"


def test_fields():
    assert len(FIELDS) == 20
    assert FIELDS[12:] == ("name2", "cdsStartStat", "cdsEndStat", "exonFrames", "type",
                           "geneName", "geneName2", "geneType")


def test_fill_rules_ext_row():
    tx = read_genepred(SMALL_GP)[0]
    assert to_big_genepred(tx) == (
        "chr1\t100\t1000\tNM_000001.1\t0\t+\t150\t900\t0\t3\t200,200,200,\t0,300,700,\t"
        "GENEA\tcmpl\tcmpl\t0,0,2,\t\tNM_000001.1\tGENEA\t\n")


def test_frames_from_genepred_are_kept_not_recomputed():
    tx = replace(read_genepred(SMALL_GP)[0], exon_frames=(1, 1, 1))
    assert to_big_genepred(tx).split("\t")[15] == "1,1,1,"


def test_ten_column_row_gets_defaults_and_computed_frames():
    tx = read_genepred(SMALL_GP)[3]
    cols = to_big_genepred(tx).rstrip("\n").split("\t")
    assert cols[12:] == ["", "none", "none", "0,", "", "NM_000004.3", "", ""]


def test_side_files(tmp_path):
    (tmp_path / "score").write_text("NM_000001.1\t500\n")
    (tmp_path / "colors").write_text("NM_000001.1\t12\t12\t120\n")
    (tmp_path / "names").write_text("NM_000001.1\tG1\tgene one\n")
    (tmp_path / "cds").write_text("NM_000001.1\tunk\tincmpl\t3\t-1,0,1,\n")
    (tmp_path / "type").write_text("NM_000001.1\tprotein_coding\n")
    side = read_side_files(score=str(tmp_path / "score"), colors=str(tmp_path / "colors"),
                           gene_names=str(tmp_path / "names"), cds=str(tmp_path / "cds"),
                           gene_type=str(tmp_path / "type"))
    txs = read_genepred(SMALL_GP)
    cols = to_big_genepred(txs[0], side).rstrip("\n").split("\t")
    assert cols[4] == "500" and cols[8] == "12,12,120"
    assert cols[13:16] == ["unk", "incmpl", "-1,0,1,"]
    assert cols[17:] == ["G1", "gene one", "protein_coding"]
    # other names keep the defaults
    assert to_big_genepred(txs[1], side) == to_big_genepred(txs[1])


@pytest.mark.parametrize("name,text,needle", [
    ("score_not_number", "NM_1\tx\n", "invalid number"),
    ("cds_bad_status", "NM_1\tyes\tcmpl\t1\t0,\n", "cds status"),
    ("cds_frame_count", "NM_1\tcmpl\tcmpl\t2\t0,\n", "exonCount 2"),
    ("too_few_columns", "NM_1\n", "expected"),
], ids=["score_not_number", "cds_bad_status", "cds_frame_count", "too_few_columns"])
def test_side_file_errors(tmp_path, name, text, needle):
    p = tmp_path / "side"
    p.write_text(text)
    opt = {"score_not_number": "score", "too_few_columns": "score"}.get(name, "cds")
    with pytest.raises(ParseError) as ei:
        read_side_files(**{opt: str(p)})
    assert str(ei.value).startswith(f"{p}:1: ") and needle in str(ei.value)


def test_write_and_read_back(tmp_path):
    txs = read_genepred(SMALL_GP)
    out = tmp_path / "x.bgp"
    assert write_big_genepred(txs, out) == 4
    back = read_big_genepred(out)
    for a, b in zip(txs[:3], back):
        assert b == a
    assert back[3].exon_frames == (0,) and back[3].name2 == ""


@pytest.mark.parametrize("line,needle", [
    ("chr1\t0\t10\tn\t0\t+\t0\t10\t0\t1\t10,\t0,\tg\tcmpl\tcmpl\t0,\t\tn\tg\n", "expected 20"),
    ("chr1\t0\t10\tn\t0\t+\t0\t10\t0\t1\t10,\t0,\tg\tdone\tcmpl\t0,\t\tn\tg\t\n", "cdsStartStat"),
    ("chr1\t0\t10\tn\t0\t+\t0\t10\t0\t1\t10,\t0,\tg\tcmpl\tcmpl\t0,0,\t\tn\tg\t\n", "exonFrames has 2"),
    ("chr1\t0\t10\tn\t0\t+\t0\t10\t0\t1\t10,\t0,\tg\tcmpl\tcmpl\tx,\t\tn\tg\t\n", "exonFrames"),
], ids=["columns", "cds_stat", "frame_count", "frame_not_number"])
def test_reader_errors(tmp_path, line, needle):
    p = tmp_path / "bad.bgp"
    p.write_text(line)
    with pytest.raises(ParseError) as ei:
        list(iter_big_genepred(p))
    assert str(ei.value).startswith(f"{p}:1: ") and needle in str(ei.value)


def test_shipped_autosql_equals_ucsc_definition():
    assert big_genepred_as_text() == shared_path("data", "autosql", "bigGenePred.as").read_text()


def test_shipped_autosql_lists_the_fields():
    from refseqtracks.formats.autosql import parse_autosql
    table = parse_autosql(big_genepred_as_text())
    assert table.field_names[:9] + table.field_names[12:] == FIELDS[:8] + ("reserved",) + FIELDS[12:]
