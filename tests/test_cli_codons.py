"""``refseqtracks codons`` and ``refseqtracks sequences`` end to end, in-process."""
from __future__ import annotations

import pytest

from conftest import fasta_dict, FIXTURES, shared_path
from refseqtracks.cli import main
from refseqtracks.codons import CODON_BED_FIELDS, VALIDATION_FIELDS

TINY_FA = FIXTURES / "codons" / "tiny.fa"
TINY_GP = FIXTURES / "codons" / "tiny.gp"
TINY_GFF3 = FIXTURES / "codons" / "tiny.gff3"


pytestmark = pytest.mark.usefixtures("genome_cache")




def expected_proteins() -> dict[str, str]:
    lines = (FIXTURES / "codons" / "expected_proteins.fa").read_text().split()
    return {h[1:]: s for h, s in zip(lines[0::2], lines[1::2])}


def check_codon_bed(path, transcripts_by_name) -> dict[str, list[list[str]]]:
    """kent-style BED checks plus one item per codon; returns rows per transcript."""
    per_tx: dict[str, list[list[str]]] = {}
    for line in path.read_text().splitlines():
        cols = line.split("\t")
        assert len(cols) == len(CODON_BED_FIELDS)
        chrom, s, e, name, score, strand, ts, te, rgb = cols[:9]
        s, e, ts, te = int(s), int(e), int(ts), int(te)
        assert 0 <= s < e and ts == s and te == e
        r, g, b = map(int, rgb.split(","))
        assert all(0 <= v <= 255 for v in (r, g, b))
        txname, _, rest = name.rpartition(":")
        cands = transcripts_by_name[txname]  # names need not be unique (several loci)
        assert any(chrom == tx.chrom and strand == tx.strand
                   and tx.tx_start <= s and e <= tx.tx_end and tx.cds_start <= s and e <= tx.cds_end
                   and any(xs <= s and e <= xe for xs, xe in zip(tx.exon_starts, tx.exon_ends))
                   for tx in cands), line
        per_tx.setdefault(txname, []).append(cols)
    for txname, rows in per_tx.items():
        if len(transcripts_by_name[txname]) > 1:
            continue
        starts = [int(r[1]) for r in rows]
        assert starts == sorted(starts)
        by_index: dict[int, list[list[str]]] = {}
        for r in rows:
            idx = int(r[3].rpartition(":")[2][:-1])
            by_index.setdefault(idx, []).append(r)
        assert sorted(by_index) == list(range(1, len(by_index) + 1))
        for idx, parts in by_index.items():
            if len(parts) == 1:
                assert parts[0][11] == "0"
            else:
                assert sorted(p[11] for p in parts) == [str(i) for i in range(1, len(parts) + 1)]
                assert len({p[9] for p in parts}) == 1
    return per_tx


@pytest.mark.parametrize("src", [TINY_GP, TINY_GFF3], ids=["genePred", "gff3"])
def test_codons_command(tmp_path, src, capsys):
    if src == TINY_GFF3:
        pytest.importorskip("refseqtracks.assemble")
    from refseqtracks.formats.genepred import read_genepred

    txs = {t.name: [t] for t in read_genepred(TINY_GP)}
    prefix = tmp_path / "out"
    assert main(["codons", str(src), "--genome", str(TINY_FA), "-o", str(prefix),
                 "--as", str(tmp_path / "codons.as")]) == 0
    rows = check_codon_bed(tmp_path / "out.codons.bed", txs)
    assert "NR_000007.1" not in rows
    # the split codon 7 of NM_000001.1: two parts, cyan, same codon
    c7 = [r for r in rows["NM_000001.1"] if r[3] == "NM_000001.1:7A"]
    assert [(r[1], r[2], r[8], r[9], r[11], r[12]) for r in c7] == [
        ("38", "40", "0,192,192", "GCT", "1", "1"), ("60", "61", "0,192,192", "GCT", "2", "2")]
    first = rows["NM_000001.1"][0]
    assert first[3] == "NM_000001.1:1M" and first[8] == "47,201,47"
    assert rows["NM_000001.1"][-1][8] == "225,0,0"
    table = (tmp_path / "out.cdsCheck.tsv").read_text().splitlines()
    assert table[0] == "#" + "\t".join(VALIDATION_FIELDS)
    recs = {r.split("\t")[0]: dict(zip(VALIDATION_FIELDS, r.split("\t"))) for r in table[1:]}
    assert set(recs) == set(txs) - {"NR_000007.1"}
    assert recs["NM_000001.1"]["problems"] == "ok"
    if src == TINY_GFF3:  # transl_except, transl_table and exception come from the CDS rows
        assert recs["NM_000005.1"]["problems"] == "ok"
        assert recs["YP_000006.1"]["translTable"] == "2" and recs["YP_000006.1"]["stopOk"] == "yes"
        assert recs["NM_000004.1"]["problems"] == "ok"
    else:
        assert recs["NM_000005.1"]["problems"] == "internalStop"
        assert recs["NM_000004.1"]["problems"] == "cdsLengthNotMultipleOf3,frameshift"
    assert "table refseqCodons" in (tmp_path / "codons.as").read_text()
    assert "coding transcripts" in capsys.readouterr().err


def test_codons_into_a_directory_with_colour(tmp_path):
    out = tmp_path / "dir"
    out.mkdir()
    assert main(["codons", str(TINY_GP), "-g", str(TINY_FA), "-o", str(out), "--color", "0,0,0"]) == 0
    bed = (out / "tiny.codons.bed").read_text().splitlines()
    colours = {ln.split("\t")[3]: ln.split("\t")[8] for ln in bed}
    assert colours["NM_000001.1:2K"] == "84,84,84" and colours["NM_000001.1:3T"] == "0,0,0"
    assert (out / "tiny.cdsCheck.tsv").exists()


def test_transl_table_override(tmp_path):
    assert main(["codons", str(TINY_GP), "-g", str(TINY_FA), "-o", str(tmp_path / "o"),
                 "--transl-table", "2"]) == 0
    recs = [ln.split("\t") for ln in (tmp_path / "o.cdsCheck.tsv").read_text().splitlines()[1:]]
    assert {r[6] for r in recs} == {"2"}


@pytest.mark.parametrize("kind", ["protein", "cds", "rna"])
def test_sequences_command(tmp_path, kind):
    out = tmp_path / f"{kind}.fa"
    assert main(["sequences", str(TINY_GP), "--genome", str(TINY_FA), "-o", str(out), "--type", kind]) == 0
    recs = fasta_dict(out.read_text())
    assert ">NM_000001.1 GENE1"[1:] in recs
    if kind == "protein":
        exp = expected_proteins()
        got = {k.split()[0]: v for k, v in recs.items()}
        # a genePred keeps no transl_except: the selenocysteine reads as a stop there
        assert got.pop("NM_000005.1") == "MKL*VST"
        exp.pop("NM_000005.1")
        assert got == exp
    elif kind == "rna":
        assert "NR_000007.1 GENE7" in recs
    else:
        assert "NR_000007.1 GENE7" not in recs


def test_sequences_from_gff3_honour_transl_except(tmp_path):
    pytest.importorskip("refseqtracks.assemble")
    out = tmp_path / "p.fa"
    assert main(["sequences", str(TINY_GFF3), "-g", str(TINY_FA), "-o", str(out), "-t", "protein"]) == 0
    got = {k.split()[0]: v for k, v in fasta_dict(out.read_text()).items()}
    assert got == expected_proteins()


def test_sequences_from_stdin(tmp_path, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(TINY_GP.read_text()))
    out = tmp_path / "p.fa"
    assert main(["sequences", "-", "-g", str(TINY_FA), "-o", str(out), "-t", "protein",
                 "--include-stop"]) == 0
    assert fasta_dict(out.read_text())["NM_000001.1 GENE1"].endswith("W*")


# -- bad genome input: one clear line naming the transcript, no output, no traceback -------

def _gp_line(chrom: str, start: int, end: int) -> str:
    return (f"# bad\nNM_BAD.1\t{chrom}\t+\t{start}\t{end}\t{start}\t{end}\t1\t{start},\t{end},\t"
            f"0\tBAD\tcmpl\tcmpl\t0,\n")


@pytest.mark.parametrize("gp,genome_text,message", [
    (_gp_line("chrX", 0, 30), None, "transcript NM_BAD.1: sequence chrX is not in genome"),
    (_gp_line("chrM", 180, 210), None, "transcript NM_BAD.1: chrM:180-210 is outside chrM"),
    (_gp_line("c", 0, 12), ">c\nATGAAAJTTTAA\n", "transcript NM_BAD.1: genome .* non-nucleotide character 'J'"),
], ids=["missing-seqid", "seqid-too-short", "bad-character"])
@pytest.mark.parametrize("command", ["codons", "sequences"])
def test_bad_genome_input(tmp_path, capsys, gp, genome_text, message, command):
    import re

    src = tmp_path / "bad.gp"
    src.write_text(gp)
    genome = TINY_FA
    if genome_text:
        genome = tmp_path / "g.fa"
        genome.write_text(genome_text)
    args = [command, str(src), "-g", str(genome), "-o", str(tmp_path / "out")]
    if command == "sequences":
        args += ["-t", "cds"]
    assert main(args) == 255
    err = capsys.readouterr().err
    assert re.search(message, err) and "Traceback" not in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == []


@pytest.mark.parametrize("args,message", [
    (["--color", "1,2"], "--color must be R,G,B"),
    (["--transl-table", "42"], "unknown genetic code"),
    (["--bogus"], "unrecognized arguments"),
], ids=["color", "table", "option"])
def test_bad_options(tmp_path, capsys, args, message):
    assert main(["codons", str(TINY_GP), "-g", str(TINY_FA), "-o", str(tmp_path / "o"), *args]) == 255
    assert message in capsys.readouterr().err


def test_missing_genome_option(capsys):
    assert main(["codons", str(TINY_GP), "-o", "x"]) == 255
    assert "--genome" in capsys.readouterr().err


def test_genome_not_fasta(tmp_path, capsys):
    assert main(["codons", str(TINY_GP), "-g", str(TINY_GP), "-o", str(tmp_path / "o")]) == 255
    assert "not a FASTA file" in capsys.readouterr().err


@pytest.mark.parametrize("gff3,fasta", [
    (("gff3", "refseq_human", "cdot_refseq_grch38.p14_mt.gff"), "NC_012920.1_human_mito.fa"),
    (("gff3", "refseq_viral", "nextclade_hiv1_NC_001802.1.gff3"), "NC_001802.1_hiv1_hxb2.fa"),
    (("gff3", "refseq_viral", "nextclade_mpox_NC_063383.1.gff3"), "NC_063383.1_mpox.fa"),
], ids=["chrM", "hiv1", "mpox"])
def test_codon_track_on_real_data(tmp_path, gff3, fasta):
    pytest.importorskip("refseqtracks.assemble")
    from refseqtracks.cli.codons import load_transcripts

    src = shared_path("data", *gff3)
    genome = shared_path("data", "fasta", "genome", fasta)
    assert main(["codons", str(src), "-g", str(genome), "-o", str(tmp_path / "o")]) == 0
    _, txs, _ = load_transcripts(str(src))
    by_name: dict = {}
    for t in txs:
        by_name.setdefault(t.name, []).append(t)
    rows = check_codon_bed(tmp_path / "o.codons.bed", by_name)
    recs = [ln.split("\t") for ln in (tmp_path / "o.cdsCheck.tsv").read_text().splitlines()[1:]]
    assert len(recs) >= len(rows) > 0
    # every CDS that does not carry an annotated exception and is not spliced is clean
    clean = [r for r in recs if not r[18]]
    assert sum(r[19] == "ok" for r in clean) >= len(clean) - 2


def test_yeast_mitochondrion_uses_transl_table_3(tmp_path):
    pytest.importorskip("refseqtracks.assemble")
    import gzip

    src = shared_path("data", "gff3", "refseq_eukaryote_other", "yeast_GCF_000146045.2_R64_genomic_subset.gff.gz")
    genome = shared_path("data", "fasta", "genome", "yeast_GCF_000146045.2_R64_genomic.fna.gz")
    mito = tmp_path / "mito.gff3"
    with gzip.open(src, "rt") as f:
        mito.write_text("##gff-version 3\n" + "".join(ln for ln in f if ln.startswith("NC_001224.1\t")))
    recs = {}
    for table in (None, "1"):
        args = ["codons", str(mito), "-g", str(genome), "-o", str(tmp_path / f"t{table}")]
        if table:
            args += ["--transl-table", table]
        assert main(args) == 0
        rows = (tmp_path / f"t{table}.cdsCheck.tsv").read_text().splitlines()[1:]
        recs[table] = {r.split("\t")[0]: dict(zip(VALIDATION_FIELDS, r.split("\t"))) for r in rows}
    assert len(recs[None]) >= 10
    assert {r["translTable"] for r in recs[None].values()} == {"3"}
    assert all(r["problems"] == "ok" for r in recs[None].values())
    # read with the standard code, TGA (Trp in yeast mitochondria) becomes an in-frame stop
    assert recs["1"]["COX1"]["problems"] == "internalStop"


@pytest.mark.parametrize("command", ["codons", "sequences"])
def test_skip_bad_goes_on(tmp_path, capsys, command):
    src = tmp_path / "mixed.gp"
    src.write_text(TINY_GP.read_text() + _gp_line("chrX", 0, 30).split("\n", 1)[1])
    args = [command, str(src), "-g", str(TINY_FA), "-o", str(tmp_path / "out"), "--skip-bad"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "skipping transcript NM_BAD.1: sequence chrX is not in genome" in err
    written = (tmp_path / ("out.codons.bed" if command == "codons" else "out")).read_text()
    assert "NM_000001.1" in written and "NM_BAD.1" not in written


def test_codon_bed_loads_into_bigbed(tmp_path):
    from refseqtracks.cli import command

    if command("bedToBigBed") is None:
        pytest.skip("bedToBigBed is not available in this install")
    assert main(["codons", str(TINY_GP), "-g", str(TINY_FA), "-o", str(tmp_path / "c"),
                 "--as", str(tmp_path / "codons.as")]) == 0
    lines = (tmp_path / "c.codons.bed").read_text().splitlines(keepends=True)
    lines.sort(key=lambda ln: (ln.split("\t")[0], int(ln.split("\t")[1])))
    (tmp_path / "sorted.bed").write_text("".join(lines))
    (tmp_path / "sizes").write_text("chr1\t600\nchrM\t200\n")
    assert main(["bedToBigBed", "-type=bed9+4", f"-as={tmp_path / 'codons.as'}", "-tab",
                 str(tmp_path / "sorted.bed"), str(tmp_path / "sizes"), str(tmp_path / "c.bb")]) == 0
    assert (tmp_path / "c.bb").stat().st_size > 0


def test_headerless_gff3_errors_keep_their_line_numbers(tmp_path, capsys):
    pytest.importorskip("refseqtracks.assemble")
    src = tmp_path / "rec.gff3"
    src.write_text("chr1\tRefSeq\tgene\t21\t151\t.\t+\t.\tID=g;Name=A\n"
                   "chr1\tRefSeq\tCDS\t21\t151\t.\t+\t7\tID=c;Parent=g\n")
    assert main(["codons", str(src), "-g", str(TINY_FA), "-o", str(tmp_path / "o")]) == 255
    assert f"{src}:2: invalid phase" in capsys.readouterr().err
    assert not (tmp_path / "o.codons.bed").exists()
