"""Track hub from a build folder: bigBeds (pyBigWig and our reader), trackDb, trix; row makers."""
from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from refseqtracks.cli import main
from refseqtracks.errors import ConversionError, RefseqtracksError
from refseqtracks.formats.bigbed_reader import BigBedFile
from refseqtracks.formats.psl import parse_psl_line
from refseqtracks.hub import make_hub, read_build_folder
from refseqtracks.hub_rows import (other_extras, refseq_names, to_big_genepred_refseq,
                                   to_big_psl)
from refseqtracks.model import Transcript
from refseqtracks.trix import TrixIndex

from conftest import FIXTURES, ROOT, shared_path

SAMPLE = FIXTURES / "sample" / "sample_genomic.gff"
REPORT = FIXTURES / "sample" / "sample_assembly_report.txt"
DATA = ROOT / "refseqtracks" / "data"


def build_sample(out: Path, *extra: str) -> Path:
    err = io.StringIO()
    with redirect_stderr(err):
        rc = main(["build", str(SAMPLE), "--assembly-report", str(REPORT), "-o", str(out),
                   "--date", "2024-02-29", "--version-date", "2024-01-15", "--quiet", *extra])
    assert rc == 0, err.getvalue()
    return out


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("build") / "out")


@pytest.fixture(scope="module")
def hub(build, tmp_path_factory):
    dest = tmp_path_factory.mktemp("hub") / "hub"
    res = make_hub(build, dest, db="sample", email="me@example.org")
    return dest, res


def stanzas(text: str) -> dict[str, dict[str, str]]:
    out = {}
    for block in text.split("\n\n"):
        settings = {}
        for line in block.strip().splitlines():
            key, _, value = line.strip().partition(" ")
            settings[key] = value
        if settings:
            out[settings["track"]] = settings
    return out


# ----------------------------------------------------------------------------- shipped autoSql
@pytest.mark.parametrize("name", ["bigGenePredRefSeq.as", "bigPsl.as", "bigGenePred.as"])
def test_shipped_autosql_is_kents(name):
    assert (DATA / name).read_bytes() == shared_path("data", "autosql", name).read_bytes()


# ----------------------------------------------------------------------------- the hub files
def test_hub_layout(hub):
    dest, res = hub
    assert res.tracks == {"ncbiRefSeq": 8, "ncbiRefSeqCurated": 4, "ncbiRefSeqPredicted": 4,
                          "ncbiRefSeqOther": 2, "ncbiRefSeqPsl": 8, "ncbiRefSeqSelect": 2}
    assert (dest / "hub.txt").read_text().splitlines() == [
        "hub sample_ncbiRefSeq", "shortLabel NCBI RefSeq sample",
        "longLabel NCBI RefSeq genes for sample (NCBI RefSeq GCF_000000901.1-RS_2024_01)",
        "genomesFile genomes.txt", "email me@example.org"]
    assert (dest / "genomes.txt").read_text() == "genome sample\ntrackDb sample/trackDb.txt\n"
    for stem in ("ncbiRefSeq", "ncbiRefSeqCurated", "ncbiRefSeqPredicted", "ncbiRefSeqOther",
                 "ncbiRefSeqSelectCurated"):
        assert (dest / "sample" / "bbi" / f"sample.{stem}.bb").is_file()
        assert (dest / "sample" / "ixIxx" / f"sample.{stem}.ix").is_file()
        assert (dest / "sample" / "ixIxx" / f"sample.{stem}.ixx").is_file()
    assert not [p for p in dest.parent.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_trackdb_stanzas(hub):
    dest, _ = hub
    st = stanzas((dest / "sample" / "trackDb.txt").read_text())
    comp = st["refSeqComposite"]
    assert comp["compositeTrack"] == "on" and comp["type"] == "bigBed" and comp["group"] == "genes"
    assert comp["dataVersion"] == "NCBI RefSeq GCF_000000901.1-RS_2024_01 (2024-01-15)"
    for track, stem, color in [("ncbiRefSeq", "ncbiRefSeq", "12,12,120"),
                               ("ncbiRefSeqCurated", "ncbiRefSeqCurated", "12,12,120"),
                               ("ncbiRefSeqPredicted", "ncbiRefSeqPredicted", "12,12,120"),
                               ("ncbiRefSeqSelect", "ncbiRefSeqSelectCurated", "20,20,160")]:
        s = st[track]
        assert s["type"] == "bigGenePred"
        assert s["color"] == color
        assert s["searchIndex"] == "name"
        assert s["searchTrix"] == f"ixIxx/sample.{stem}.ix"
        assert s["bigDataUrl"] == f"bbi/sample.{stem}.bb"
        assert s["baseColorUseCds"] == "given"
        assert s["baseColorDefault"] == "genomicCodons"
        assert s["parent"].startswith("refSeqComposite")
    assert st["ncbiRefSeq"]["labelFields"] == "name2,geneName,geneName2"
    assert st["ncbiRefSeq"]["defaultLabelFields"] == "name2"
    assert st["ncbiRefSeqCurated"]["longLabel"] == \
        "NCBI RefSeq genes, curated subset (NM_*, NR_*, NP_* or YP_*)"
    assert st["ncbiRefSeqPredicted"]["longLabel"] == "NCBI RefSeq genes, predicted subset (XM_* or XR_*)"
    assert st["ncbiRefSeqSelect"]["parent"] == "refSeqComposite off"
    other = st["ncbiRefSeqOther"]
    assert other["color"] == "32,32,32" and other["type"] == "bigBed 12 +"
    assert other["longLabel"] == \
        "NCBI RefSeq other annotations (not NM_*, NR_*, XM_*, XR_*, NP_* or YP_*)"
    assert other["skipEmptyFields"] == "on" and 'GeneID="https://www.ncbi.nlm.nih.gov/gene/$$"' in other["urls"]
    psl = st["ncbiRefSeqPsl"]
    assert psl["type"] == "bigPsl" and psl["bigDataUrl"] == "bbi/sample.bigPsl.bb"
    assert psl["parent"] == "refSeqComposite off" and psl["showCdsMaxZoom"] == "10000.0"


@pytest.mark.parametrize("stem,count,as_name", [
    ("ncbiRefSeq", 8, "bigGenePredRefSeq.as"),
    ("ncbiRefSeqCurated", 4, "bigGenePredRefSeq.as"),
    ("ncbiRefSeqPredicted", 4, "bigGenePredRefSeq.as"),
    ("ncbiRefSeqSelectCurated", 2, "bigGenePredRefSeq.as"),
    ("bigPsl", 8, "bigPsl.as"),
], ids=["all", "curated", "predicted", "select", "psl"])
def test_bigbeds_read_by_pybigwig(hub, stem, count, as_name):
    pyBigWig = pytest.importorskip("pyBigWig")
    dest, _ = hub
    bb = pyBigWig.open(str(dest / "sample" / "bbi" / f"sample.{stem}.bb"))
    try:
        assert bb.isBigBed()
        assert bb.SQL().decode().rstrip("\0") == (DATA / as_name).read_text()
        n = sum(len(bb.entries(c, 0, size) or []) for c, size in bb.chroms().items())
        assert n == count
        ncols = 25 if stem == "bigPsl" else 21
        for c, size in bb.chroms().items():
            for _, _, rest in bb.entries(c, 0, size) or []:
                assert len(rest.split("\t")) == ncols - 3
    finally:
        bb.close()


def test_extra_index_finds_every_accession(hub, build):
    dest, _ = hub
    for stem, gp in [("ncbiRefSeq", "sample.ncbiRefSeq.gp"), ("ncbiRefSeqCurated", "sample.curated.gp"),
                     ("ncbiRefSeqPredicted", "sample.predicted.gp"),
                     ("ncbiRefSeqSelectCurated", "sample.refseqSelect.curated.gp")]:
        bb = BigBedFile(dest / "sample" / "bbi" / f"sample.{stem}.bb")
        names = [ln.split("\t")[0] for ln in (build / gp).read_text().splitlines()]
        for name in names:
            found = bb.find(3, name)
            assert [f.rest.split("\t")[0] for f in found] == [name]
        assert bb.find(3, "NM_999999.1") == []
    psl = BigBedFile(dest / "sample" / "bbi" / "sample.bigPsl.bb")
    assert [(it.chrom, it.start, it.end) for it in psl.find(3, "XM_000006.1")] == [("chr2", 2000, 4500)]


def test_big_genepred_refseq_columns(hub):
    dest, _ = hub
    bb = BigBedFile(dest / "sample" / "bbi" / "sample.ncbiRefSeq.bb")
    got = {it.rest.split("\t")[0]: it.rest.split("\t")[13:] for it in bb.items()}
    # type, geneName (GeneID), geneName2 (accession), geneType, description
    assert got["NM_000001.1"] == ["protein_coding", "900001", "NM_000001.1", "mRNA", "sample gene A"]
    assert got["XR_000003.1"] == ["lncRNA", "900003", "XR_000003.1", "lnc_RNA",
                                  "uncharacterized LOC900003"]
    assert got["YP_000008.1"] == ["protein_coding", "900008", "YP_000008.1", "gene",
                                  "cytochrome c oxidase subunit I"]


def test_other_bigbed_attribute_columns(hub):
    dest, _ = hub
    bb = BigBedFile(dest / "sample" / "bbi" / "sample.ncbiRefSeqOther.bb")
    cols = [ln.split()[1].rstrip(";") for ln in bb.autosql.splitlines() if ln.strip().endswith('"')
            and ";" in ln][12:]
    assert cols[0] == "gene" and cols[-1] == "ID" and "HGNC" in cols and "FlyBase" not in cols
    trnf = bb.find(3, "TRNF")
    assert len(trnf) == 1
    row = dict(zip(cols, trnf[0].rest.split("\t")[9:]))
    assert row["gene"] == "TRNF" and row["GeneID"] == "900009" and row["HGNC"] == "HGNC:90009"
    assert row["product"] == "tRNA-Phe" and row["ID"] == "rna-TRNF"
    assert row["geneBiotype"] == "tRNA"   # inherited from the gene
    assert len(bb.find(3, "PSGX1P")) == 1


@pytest.mark.parametrize("stem,query,expect", [
    ("ncbiRefSeq", "genea", ["NM_000001.1", "XM_000002.1"]),
    ("ncbiRefSeq", "NM_000001", ["NM_000001.1"]),
    ("ncbiRefSeq", "cox1", ["YP_000008.1"]),
    ("ncbiRefSeqCurated", "genea", ["NM_000001.1"]),
    ("ncbiRefSeqPredicted", "loc900", ["XM_000010.1", "XR_000003.1"]),
    ("ncbiRefSeqSelectCurated", "genec", ["NR_000007.1"]),
    ("ncbiRefSeqOther", "900009", ["TRNF"]),
    ("ncbiRefSeqOther", "trna-phe", ["TRNF"]),
    ("ncbiRefSeqOther", "gene-psgx1p", ["PSGX1P"]),
], ids=["all-gene", "all-acc", "all-mito", "curated", "predicted-prefix", "select", "other-geneid",
        "other-product", "other-id"])
def test_trix_search(hub, stem, query, expect):
    dest, _ = hub
    ixdir = dest / "sample" / "ixIxx"
    t = TrixIndex(ixdir / f"sample.{stem}.ix", ixdir / f"sample.{stem}.ixx")
    got = t.search(query)
    assert got == expect
    bbstem = stem
    bb = BigBedFile(dest / "sample" / "bbi" / f"sample.{bbstem}.bb")
    for item in got:                    # what trix finds, the name index finds in the bigBed
        assert bb.find(3, item)


# ----------------------------------------------------------------------------- variants
def _copy_build(build: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(build, dst)
    return dst


def _drop_output(folder: Path, key: str) -> None:
    man = json.loads((folder / "manifest.json").read_text())
    man["outputs"] = [o for o in man["outputs"] if o["key"] != key]
    (folder / "manifest.json").write_text(json.dumps(man))


def test_without_attributes_plain_biggenepred(build, tmp_path):
    folder = _copy_build(build, tmp_path)
    _drop_output(folder, "attrs")
    res = make_hub(folder, tmp_path / "hub", db="sample")
    assert any("plain BED12" in n for n in res.notes)
    bb = BigBedFile(tmp_path / "hub" / "sample" / "bbi" / "sample.ncbiRefSeq.bb")
    assert bb.autosql == (DATA / "bigGenePred.as").read_text()
    assert bb.field_count == 20
    other = BigBedFile(tmp_path / "hub" / "sample" / "bbi" / "sample.ncbiRefSeqOther.bb")
    assert other.field_count == 12
    st = stanzas((tmp_path / "hub" / "sample" / "trackDb.txt").read_text())
    assert st["ncbiRefSeqOther"]["type"] == "bigBed 12"


def test_build_with_bin_columns(tmp_path):
    folder = build_sample(tmp_path / "b", "--bin")
    res = make_hub(folder, tmp_path / "hub", db="sample")
    assert res.tracks["ncbiRefSeq"] == 8 and res.tracks["ncbiRefSeqPsl"] == 8


def test_assembly_hub_genomes(build, tmp_path):
    make_hub(build, tmp_path / "hub", db="asm1", twobit="asm1.2bit", organism="Sample")
    g = (tmp_path / "hub" / "genomes.txt").read_text().splitlines()
    assert g[:3] == ["genome asm1", "trackDb asm1/trackDb.txt", "twoBitPath asm1.2bit"]
    assert "defaultPos chr1:1-20000" in g and "groups groups.txt" in g
    assert (tmp_path / "hub" / "groups.txt").read_text().startswith("name genes\n")


def test_rerun_replaces_hub(build, tmp_path):
    dest = tmp_path / "hub"
    make_hub(build, dest, db="one")
    make_hub(build, dest, db="two")
    assert sorted(p.name for p in dest.iterdir()) == ["genomes.txt", "hub.txt", "two"]
    assert [p.name for p in tmp_path.iterdir()] == ["hub"]


# ----------------------------------------------------------------------------- bad input
def test_missing_build_folder(tmp_path):
    with pytest.raises(RefseqtracksError, match="does not exist"):
        make_hub(tmp_path / "nope", tmp_path / "hub")
    assert not (tmp_path / "hub").exists()


def test_manifest_lists_missing_file(build, tmp_path):
    folder = _copy_build(build, tmp_path)
    (folder / "sample.curated.gp").unlink()
    with pytest.raises(RefseqtracksError, match="sample.curated.gp"):
        read_build_folder(folder)


def test_manifest_without_all_genepred(build, tmp_path):
    folder = _copy_build(build, tmp_path)
    _drop_output(folder, "all.gp")
    with pytest.raises(RefseqtracksError, match="all.gp"):
        make_hub(folder, tmp_path / "hub")
    assert not (tmp_path / "hub").exists()


def test_chrom_missing_from_sizes(build, tmp_path):
    sizes = tmp_path / "few.sizes"
    sizes.write_text("chr1\t20000\n")
    with pytest.raises(RefseqtracksError, match="chr2.* not in the chromosome sizes"):
        make_hub(build, tmp_path / "hub", chrom_sizes=sizes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["few.sizes"]


def test_refuses_to_replace_a_folder_that_is_no_hub(build, tmp_path):
    dest = tmp_path / "data"
    dest.mkdir()
    (dest / "precious.txt").write_text("x")
    with pytest.raises(RefseqtracksError, match="refusing"):
        make_hub(build, dest)
    assert (dest / "precious.txt").read_text() == "x"


# ----------------------------------------------------------------------------- row makers
def _tx(name: str, name2: str = "G") -> Transcript:
    return Transcript(name, "chr1", "+", 10, 100, 20, 90, (10,), (100,), 0, name2, "cmpl", "cmpl", (0,))


def test_update_name2_rules():
    attrs = [
        ("NM_1.1", "Parent", "gene-G"), ("NM_1.1", "Dbxref", "GeneID:11,GenBank:NM_1.1"),
        ("NM_1.1", "Type", "mRNA"),
        ("gene-G", "description", "gene g"), ("gene-G", "gene_biotype", "protein_coding"),
        ("gene-G", "Type", "gene"),
        ("NM_2.1", "Parent", "gene-H"),                      # parent without a description
        ("NM_3.1", "Dbxref", "GeneID:1"), ("NM_3.1", "Dbxref", "GeneID:2"),  # conflicting: dropped
        ("NM_3.1", "Type", "mRNA"),                          # ignored after the conflict
        ("NM_4.1", "Note", "a Type of note"),                # no branch for Note
    ]
    names = refseq_names(attrs)
    assert names.gene_id == {"NM_1.1": "11"}
    row = to_big_genepred_refseq(_tx("NM_1.1"), names).rstrip("\n").split("\t")
    assert len(row) == 21
    assert row[16:] == ["protein_coding", "11", "NM_1.1", "mRNA", "gene g"]
    assert to_big_genepred_refseq(_tx("NM_2.1"), names).rstrip("\n").split("\t")[16:] == \
        ["", "NM_2.1", "G", "", "n/a"]
    assert to_big_genepred_refseq(_tx("NM_3.1"), names).rstrip("\n").split("\t")[16:] == \
        ["", "NM_3.1", "G", "", ""]


def test_other_extras_rules():
    bed = ["chr1\t0\t10\tT1\t0\t+\t10\t10\t0\t1\t10,\t0,\n",
           "chr1\t5\t20\tGX\t0\t+\t20\t20\t0\t1\t15,\t0,\n"]
    attrs = [
        ("gene-T", "ID", "gene-T"), ("gene-T", "Dbxref", "GeneID:5,HGNC:HGNC:7,MIM:9"),
        ("gene-T", "gene_biotype", "tRNA"),
        ("T1", "ID", "rna-T1"), ("T1", "Parent", "gene-T"), ("T1", "gene", "T"),
        ("T1", "Dbxref", "GeneID:5"), ("T1", "product", "tRNA-Ala"),
        ("gene-GX", "ID", "gene-GX"), ("gene-GX", "gene", "GX"), ("gene-GX", "Dbxref", "FLYBASE:FBgn1"),
        ("gene-GX", "Seqid", "NC_1.1"),                       # not an Other column
    ]
    ex = other_extras(bed, attrs)
    assert ex.columns == ["gene", "GeneID", "MIM", "HGNC", "product", "geneBiotype", "ID"]
    assert ex.as_text.splitlines()[-1] == ")"
    assert '    string geneBiotype;   "Gene biotype"' in ex.as_text.splitlines()
    rows = [ln.rstrip("\n").split("\t")[12:] for ln in ex.lines]
    assert rows[0] == ["T", "5", "9", "HGNC:7", "tRNA-Ala", "tRNA", "rna-T1"]   # parent fills MIM etc.
    assert rows[1] == ["GX", "", "", "", "", "", "gene-GX"]   # found through its gene attribute
    assert ex.ix_lines == ["GX\tgene-GX\n", "T1\trna-T1 tRNA-Ala\n"]   # one-letter words dropped
    with pytest.raises(ConversionError, match="no attributes for Other item 'ZZ'"):
        other_extras(["chr1\t0\t1\tZZ\t0\t+\t1\t1\t0\t1\t1,\t0,\n"], attrs)


@pytest.mark.parametrize("psl,expect", [
    ("90\t0\t0\t0\t0\t0\t1\t10\t+\tQ1\t100\t5\t95\tchr1\t1000\t100\t200\t2\t40,50,\t5,45,\t100,150,",
     "chr1\t100\t200\tQ1\t1000\t+\t100\t200\t0\t2\t40,50,\t0,50,\t5\t95\t+\t100\t5,45,\t\t\t1000\t90\t0\t0\t0\t0\n"),
    ("30\t0\t0\t0\t0\t0\t0\t0\t+-\tQ2\t10\t0\t10\tchr1\t1000\t100\t130\t1\t10,\t0,\t870,",
     "chr1\t100\t130\tQ2\t1000\t-\t100\t130\t0\t1\t30,\t0,\t0\t10\t-\t10\t0,\t\t\t1000\t30\t0\t0\t0\t0\n"),
], ids=["plus", "translated-minus-target"])
def test_to_big_psl(psl, expect):
    assert to_big_psl(parse_psl_line(psl)) == expect


def test_all_stanza_text_in_asmhub_order(hub):
    dest, _ = hub
    text = (dest / "sample" / "trackDb.txt").read_text()
    block = next(b for b in text.split("\n\n") if b.strip().startswith("track ncbiRefSeq\n"))
    assert [ln.strip().split(" ", 1)[0] for ln in block.strip().splitlines()] == [
        "track", "parent", "color", "shortLabel", "type", "urls", "labelFields",
        "defaultLabelFields", "searchIndex", "searchTrix", "bigDataUrl", "longLabel", "idXref",
        "baseColorUseCds", "baseColorDefault", "priority"]
    assert all(ln.startswith("        ") for ln in block.strip("\n").splitlines())


def test_bigpsl_with_rna_sequences(build, tmp_path):
    fa = tmp_path / "rna.fna"
    seq1 = ("ACGTRY" * 150)[:898]
    fa.write_text(f">NM_000001.1 sample mRNA\n{seq1[:500]}\n{seq1[500:]}\n>XM_000002.1\n{'a' * 600}\n"
                  ">NOT_ALIGNED.1\nACGT\n")
    res = make_hub(build, tmp_path / "hub", db="sample", rna_fasta=fa)
    assert res.tracks["ncbiRefSeqPsl"] == 2
    assert any("no sequence" in n and "6 RNAs" in n for n in res.notes)
    bb = BigBedFile(tmp_path / "hub" / "sample" / "bbi" / "sample.bigPsl.bb")
    row = bb.find(3, "NM_000001.1")[0].rest.split("\t")
    assert row[14] == seq1.lower().replace("r", "n").replace("y", "n")   # oSequence
    assert row[-1] == "1"                                                  # nucleotide
    st = stanzas((tmp_path / "hub" / "sample" / "trackDb.txt").read_text())
    assert st["ncbiRefSeqPsl"]["baseColorUseSequence"] == "lfExtra"
    assert st["ncbiRefSeqPsl"]["baseColorDefault"] == "diffCodons"


def test_bigpsl_sequence_length_must_match(build, tmp_path):
    fa = tmp_path / "rna.fna"
    fa.write_text(">NM_000001.1\nACGT\n")
    with pytest.raises(ConversionError, match=r"NM_000001.1 FASTA sequence length \(4\) does not "
                                              r"match PSL qSize \(898\)"):
        make_hub(build, tmp_path / "hub", db="sample", rna_fasta=fa)
    assert not (tmp_path / "hub").exists()


def test_other_extras_parent_cycle_ends():
    attrs = [("A", "Parent", "B"), ("B", "Parent", "A"), ("A", "ID", "a"), ("B", "ID", "b"),
             ("B", "gbkey", "x")]
    ex = other_extras(["chr1\t0\t1\tA\t0\t+\t1\t1\t0\t1\t1,\t0,\n"], attrs)
    assert ex.lines[0].rstrip("\n").split("\t")[12:] == ["x", "a"]
