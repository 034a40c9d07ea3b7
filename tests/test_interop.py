"""pyranges interop: Transcripts ↔ PyRanges."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from refseqtracks.errors import ConversionError
from refseqtracks.formats.genepred import read_genepred
from refseqtracks.frames import calc_exon_frames
from refseqtracks.model import replace

pr = pytest.importorskip("pyranges")
pd = pytest.importorskip("pandas")

from refseqtracks.interop import from_pyranges, to_pyranges  # noqa: E402

SMALL_GP = FIXTURES / "bed" / "small.gp"


def _sorted(txs):
    return sorted(txs, key=lambda t: (t.chrom, t.tx_start, t.tx_end, t.name))


def _with_frames(txs):
    return [t if t.exon_frames is not None else replace(t, exon_frames=calc_exon_frames(t)) for t in txs]


def test_exon_rows():
    gr = to_pyranges(read_genepred(SMALL_GP))
    df = gr.df
    assert len(df) == 3 + 2 + 2 + 1
    xm = df[df["transcript_id"] == "XM_000003.2"].sort_values("Start")
    assert xm["exon_number"].tolist() == [2, 1]  # minus strand counts 5'->3'
    assert xm["Frame"].tolist() == [1, 0]
    assert set(df["Feature"]) == {"exon"}


def test_cds_rows():
    df = to_pyranges(read_genepred(SMALL_GP), feature="cds").df
    assert "NR_000002.1" not in set(df["transcript_id"])
    nm = df[df["transcript_id"] == "NM_000001.1"].sort_values("Start")
    assert list(zip(nm["Start"], nm["End"])) == [(150, 300), (400, 600), (800, 900)]


@pytest.mark.parametrize("feature", ["exon", "transcript"])
def test_round_trip(feature):
    txs = read_genepred(SMALL_GP)
    back = from_pyranges(to_pyranges(txs, feature=feature))
    want = _sorted(_with_frames(txs) if feature == "exon" else txs)
    assert back == want


def test_from_gtf_style_table():
    df = pd.DataFrame({
        "Chromosome": ["chr1"] * 5, "Strand": ["+"] * 5,
        "Feature": ["transcript", "exon", "exon", "CDS", "stop_codon"],
        "Start": [100, 100, 400, 150, 500], "End": [600, 300, 600, 300, 503],
        "transcript_id": ["NM_9.1"] * 5, "gene_name": ["G"] * 5,
    })
    (tx,) = from_pyranges(pr.PyRanges(df))
    assert (tx.exon_starts, tx.exon_ends, tx.cds_start, tx.cds_end, tx.name2) == \
        ((100, 400), (300, 600), 150, 503, "G")


def test_from_bed12_table_via_pyranges_read_bed(tmp_path):
    bed = tmp_path / "x.bed"
    bed.write_text("chr1\t100\t1000\tNM_1.1\t0\t+\t150\t900\t0\t3\t200,200,200,\t0,300,700,\n")
    (tx,) = from_pyranges(pr.read_bed(str(bed)))
    assert tx.exon_starts == (100, 400, 800) and (tx.cds_start, tx.cds_end) == (150, 900)


def test_noncoding_without_thick_columns():
    df = pd.DataFrame({"Chromosome": ["chr1"], "Start": [5], "End": [50], "Strand": ["-"],
                       "transcript_id": ["NR_1.1"]})
    (tx,) = from_pyranges(df)
    assert (tx.cds_start, tx.cds_end) == (50, 50) and tx.exon_frames is None


@pytest.mark.parametrize("df,needle", [
    (dict(Chromosome=["c"], Start=[1], End=[5], Strand=["+"]), "transcript_id or Name"),
    (dict(Chromosome=["c"], Start=[1], End=[5], Strand=["."], transcript_id=["t"]), "strand"),
    (dict(Chromosome=["c", "c"], Start=[1, 3], End=[5, 8], Strand=["+", "+"],
          transcript_id=["t", "t"]), "overlap"),
    (dict(Chromosome=["c"], Start=[1], Strand=["+"], transcript_id=["t"]), "no End column"),
], ids=["no_id", "bad_strand", "overlap", "no_end"])
def test_from_pyranges_errors(df, needle):
    with pytest.raises(ConversionError, match=needle):
        from_pyranges(pd.DataFrame(df))


def test_bad_feature_name():
    with pytest.raises(ValueError):
        to_pyranges([], feature="gene")


@pytest.mark.parametrize("feature", ["exon", "transcript", "cds"])
def test_empty_round_trip(feature):
    assert from_pyranges(to_pyranges([], feature=feature)) == []
