"""-repairNcbi: CDS rows under a gene, slippage/editing, origin-crossing genes."""
from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import FIXTURES, shared_path
from refseqtracks.assemble import Gff3Converter, read_gff3
from refseqtracks.codons import protein_of, walk_codons
from refseqtracks.formats.genepred import check_transcript, parse_genepred_line
from refseqtracks.genetic_code import reverse_complement, translate
from refseqtracks.gff3 import Gff3Reader
from refseqtracks.model import Transcript
from refseqtracks.repair import (ORIGIN, OVERLAP, SPLIT_CDS, CdsPart, Repair, cds_paths, repair_transcript,
                                 scan_circular_seqs, split_at_origin, transcript_from_parts)

REPAIR = FIXTURES / "repair"
#: the designed sequence of slippage_plus.gff3: ATG...CCT is the first part, its last T is read
#: again as the first base of TGG in the -1 frame.
SLIP_SEQ = "CCC" + "ATGAAACCCGGGTTTAAACCT" + "GGGATGAACATTAA" + "CCC"
SLIP_PROTEIN = "MKPGFKP" + "WDEH"


class MemGenome:
    def __init__(self, seqs):
        self.seqs = seqs

    def fetch(self, chrom, start, end):
        return self.seqs[chrom][start:end]


def kent_failures(path):
    """(invalid transcript kent made, GFF3 line, CDS parts of that record) for each rejected one."""
    events: list[tuple[str, str]] = []
    conv = Gff3Converter(path, refseq_hacks=True, warn_and_continue=True, max_convert_errors=-1,
                         report=lambda m: events.append(("msg", m)))
    conv.convert(on_transcript=lambda line, tx: None, on_bad=lambda line: events.append(("bad", line)))
    feats = list(Gff3Reader(path, warn=True, report=lambda m: None))
    by_line = {f.lineno: f for f in feats}
    out = []
    lineno = 0
    for kind, text in events:
        m = re.search(r"genePred from GFF3: .*:(\d+): ", text) if kind == "msg" else None
        if m:
            lineno = int(m.group(1))
        elif kind == "bad":
            rec = by_line[lineno]
            parts = [CdsPart.of(f) for f in feats if f.type == "CDS" and rec.id in f.parent_ids]
            out.append((parse_genepred_line(text.rstrip("\n")), lineno, parts))
    return out


def repaired(path):
    """{kent name: (transcripts, repairs)} for every transcript kent rejects in ``path``."""
    circ = scan_circular_seqs(path)
    result = {}
    for tx, lineno, parts in kent_failures(path):
        size = circ.size(tx.chrom)
        r = repair_transcript(tx, parts, seq_len=size, is_circular=size is not None, path=str(path),
                              line=lineno)
        assert r is not None, f"{tx.name} not repaired"
        result[tx.name] = r
    return result


# -- own fixtures --------------------------------------------------------------------------------
def test_plus_slippage_fixture_translates():
    (name, (txs, repairs)), = repaired(REPAIR / "slippage_plus.gff3").items()
    assert name == "YP_000002.1"  # kent's name: the first child's
    assert [t.name for t in txs] == ["YP_000001.1", "YP_000002.1"]
    slip = txs[0]
    assert (slip.exon_starts, slip.exon_ends, slip.exon_frames) == ((3, 24), (24, 38), (0, 1))
    assert (slip.cds_start, slip.cds_end) == (3, 38)
    walk = walk_codons(slip, MemGenome({"chrS": SLIP_SEQ}), slippage=True)  # type: ignore[arg-type]
    assert protein_of(walk) == SLIP_PROTEIN and walk.reread == 1
    assert txs[1].exon_starts == (3,) and txs[1].exon_ends == (33,)
    assert [r.kind for r in repairs] == [SPLIT_CDS, OVERLAP]
    assert all(isinstance(r, Repair) and r.line == 5 for r in repairs)
    assert repairs[1].message().startswith("Warning: repaired YP_000001.1 (frameshifted-cds) at ")


def test_minus_slippage_fixture_translates():
    (_, (txs, _)), = repaired(REPAIR / "slippage_minus.gff3").items()
    slip = txs[0]
    assert slip.name == "YP_000011.1"
    # kent trims the genomically later part (here the 5' one); its frame stays
    assert (slip.exon_starts, slip.exon_ends, slip.exon_frames) == ((3, 18), (18, 38), (0, 0))
    walk = walk_codons(slip, MemGenome({"chrM1": reverse_complement(SLIP_SEQ)}),  # type: ignore[arg-type]
                       slippage=True)
    assert protein_of(walk) == SLIP_PROTEIN


def test_origin_fixture_splits_at_origin():
    path = REPAIR / "origin.gff3"
    circ = scan_circular_seqs(path)
    assert circ.sizes == {"circ1": 30}
    got = {}
    for tx in read_gff3(path, refseq_hacks=True):
        r = repair_transcript(tx, seq_len=30, is_circular=True, path=str(path))
        got[tx.name] = r
    assert got["C"] is None  # inside the sequence: nothing to do
    (a1, a2), (rep,) = got["A"]
    assert rep.kind == ORIGIN
    assert (a1.tx_start, a1.tx_end, a1.exon_frames) == (20, 30, (0,))
    assert (a1.cds_start_stat, a1.cds_end_stat) == ("cmpl", "incmpl")
    assert (a2.tx_start, a2.tx_end, a2.exon_frames) == (0, 8, (1,))
    assert (a2.cds_start_stat, a2.cds_end_stat) == ("incmpl", "cmpl")
    (b1, b2), _ = got["B"]
    # on '-' transcription starts past the origin: [0, 8) first, then [20, 30)
    assert (b2.tx_start, b2.tx_end, b2.exon_frames) == (0, 8, (0,))
    assert (b1.tx_start, b1.tx_end, b1.exon_frames) == (20, 30, (2,))
    for t in (a1, a2, b1, b2):
        assert check_transcript(t, chrom_size=30) == []


@given(seq=st.text("ACGT", min_size=30, max_size=30), start=st.integers(0, 29), length=st.integers(1, 30),
       strand=st.sampled_from("+-"))
@example(seq="A" * 30, start=29, length=2, strand="-")
def test_origin_split_keeps_the_cds_bases_and_frames(seq, start, length, strand):
    """Cutting at the origin keeps the CDS, base for base, in the same reading frame."""
    end = start + length
    tx = Transcript("t", "c", strand, start, end, start, end, (start,), (end,), 0, "t", "cmpl", "cmpl", (0,))
    pieces = split_at_origin(tx, 30)
    # in the original (unwrapped) order, the pieces moved across the origin come last
    unwrapped = sorted(pieces, key=lambda p: p.cds_start < start)
    double = seq + seq
    assert "".join(seq[p.cds_start:p.cds_end] for p in unwrapped) == double[start:end]
    done = 0
    for p in unwrapped if strand == "+" else unwrapped[::-1]:
        # frame = CDS bases before the piece in transcription order, mod 3
        assert p.exon_frames == (done % 3,)
        assert check_transcript(p, chrom_size=30) == []
        done += p.cds_end - p.cds_start


@given(n=st.integers(1, 6), gap=st.lists(st.integers(-2, 2), min_size=5, max_size=5),
       strand=st.sampled_from("+-"))
def test_parts_become_a_valid_transcript(n, gap, strand):
    parts = []
    pos = 10
    for i in range(n):
        s = pos + (gap[i - 1] if i else 0)
        parts.append(CdsPart(s, s + 7 + i, 0, "cds-1"))
        pos = s + 7 + i
    tmpl = Transcript("t", "c", strand, 0, 1, 0, 1, (0,), (1,), 0, "t", "cmpl", "cmpl", (0,))
    tx = transcript_from_parts(tmpl, parts)
    assert check_transcript(tx) == []
    assert (tx.tx_start, tx.tx_end) == (parts[0].start, max(p.end for p in parts))
    assert len(cds_paths(parts, strand) or []) == 1


def test_valid_transcripts_are_left_alone():
    tx = Transcript("t", "c", "+", 0, 30, 0, 30, (0,), (30,), 0, "t", "cmpl", "cmpl", (0,))
    assert repair_transcript(tx, [CdsPart(0, 30, 0, "x")], seq_len=30, is_circular=True) is None
    assert repair_transcript(tx, [CdsPart(0, 30, 0, "x")]) is None


def test_unknown_shapes_are_not_repaired():
    # overlapping exon rows with UTR (not built from CDS rows): kent's verdict stands
    tx = Transcript("t", "c", "+", 0, 50, 10, 20, (0, 5), (30, 50), 0, "t", "cmpl", "cmpl", (0, -1))
    assert repair_transcript(tx, [CdsPart(10, 20, 0, "x")]) is None
    assert repair_transcript(tx, []) is None


# -- real RefSeq files, read in place -----------------------------------------------------------
def sars_genome(tmp_path):
    from refseqtracks.genome import open_genome

    return open_genome(shared_path("data", "fasta", "genome", "NC_045512.2_sars-cov-2.fa"),
                       cache_dir=tmp_path)


@pytest.mark.parametrize("gff, kent_name, pp1ab_name", [
    ("nfcore_NC_045512.2_GCF_009858895.2.gff", "YP_009725295.1", "YP_009724389.1"),
    ("nextclade_sars-cov-2_NC_045512.2.gff3", "ORF1ab", "ORF1ab"),
], ids=["nfcore", "nextclade"])
def test_orf1ab_translates_to_pp1ab(tmp_path, gff, kent_name, pp1ab_name):
    path = shared_path("data", "gff3", "refseq_viral", gff)
    txs, repairs = repaired(path)[kent_name]
    pp1ab = next(t for t in txs if t.name == pp1ab_name)
    assert check_transcript(pp1ab, chrom_size=29903) == []
    with sars_genome(tmp_path) as g:
        protein = protein_of(walk_codons(pp1ab, g, slippage=True))
        seq = g.fetch("NC_045512.2", 0, 29903).upper()
    # by hand: ORF1a up to the slippery site, the C of 13468 read twice, then ORF1b
    by_hand = translate(seq[265:13468] + seq[13467:21552])
    assert len(protein) == 7096 and "*" not in protein
    assert protein == by_hand
    assert protein[4390:4410] == by_hand[4390:4410]
    pp1a = next(t for t in txs if t is not pp1ab)
    assert (pp1a.cds_start, pp1a.cds_end) in ((265, 13483), (265, 13480))


def test_sudan_gp_rna_editing(tmp_path):
    path = shared_path("data", "gff3", "refseq_viral", "nextclade_sudan_ebolavirus_NC_006432.1.gff3")
    fa = shared_path("data", "fasta", "genome", "NC_006432.1_sudv.fa")
    txs, repairs = repaired(path)["GP"]
    assert [t.name for t in txs] == ["YP_138523.1", "YP_009246341.1"]
    from refseqtracks.genome import open_genome

    with open_genome(fa, cache_dir=tmp_path) as g:
        gp = protein_of(walk_codons(txs[0], g, slippage=True))
        ssgp = protein_of(walk_codons(txs[1], g))
    assert gp.startswith("M") and "*" not in gp and len(gp) == 676
    assert ssgp.startswith("M") and "*" not in ssgp
    assert {r.kind for r in repairs} == {SPLIT_CDS, OVERLAP}


#: the E. coli K-12 genes kent v492 rejects (names from its "invalid genePred created" lines)
ECOLI_REJECTED = ("YP_010051217.1", "insO", "YP_010051209.1", "YP_010283916.1", "YP_010051194.1", "cheA",
                  "YP_010051180.1", "YP_009518752.1", "YP_009518751.1", "YP_010051172.1")


@pytest.fixture(scope="module")
def ecoli_repairs():
    return repaired(shared_path("data", "gff3", "refseq_bacteria", "GCF_000005845.2_ASM584v2_genomic.gff.gz"))


@pytest.mark.parametrize("name", ECOLI_REJECTED, ids=ECOLI_REJECTED)
def test_ecoli_rejected_genes_are_repaired(ecoli_repairs, name):
    txs, repairs = ecoli_repairs[name]
    assert repairs and all(check_transcript(t) == [] for t in txs)
    assert len({t.name for t in txs}) == len(txs)


def test_ecoli_rejects_exactly_these(ecoli_repairs):
    assert sorted(ecoli_repairs) == sorted(ECOLI_REJECTED)


def test_ecoli_slippage_frames(ecoli_repairs):
    # dnaX: tau (NP_415003.1) and gamma (-1 slippage, YP_009518751.1)
    txs, _ = ecoli_repairs["YP_009518751.1"]
    gamma = next(t for t in txs if t.name == "YP_009518751.1")
    assert gamma.exon_starts == (492091, 493375) and gamma.exon_frames == (0, 1)
    # copA on '-': the 5' part is trimmed, frames stay
    txs, _ = ecoli_repairs["YP_009518752.1"]
    short = next(t for t in txs if t.name == "YP_009518752.1")
    assert short.exon_starts == (511167, 511176) and short.exon_frames == (0, 0)


def test_hepb_genes_fit_the_circular_sequences():
    path = shared_path("data", "gff3", "ncbi_toolkit_gff3writer", "rw-1196-hep-b.entry.gff3")
    circ = scan_circular_seqs(path)
    assert circ.sizes and set(circ.sizes.values()) <= {3182, 3215, 3221, 3248}
    n_origin = 0
    failures = kent_failures(path)
    assert {tx.name for tx, _, _ in failures} == {"S", "C"}  # several CDSs under the gene
    for tx, lineno, parts in failures:
        size = circ.size(tx.chrom)
        r = repair_transcript(tx, parts, seq_len=size, is_circular=True, line=lineno)
        assert r is not None
        for t in r[0]:
            assert check_transcript(t, chrom_size=size) == []
        n_origin += sum(x.kind == ORIGIN for x in r[1])
    kept = 0
    for tx in read_gff3(path, refseq_hacks=True, warn_and_continue=True, report=lambda m: None):
        size = circ.size(tx.chrom)
        r = repair_transcript(tx, seq_len=size, is_circular=True)
        out = r[0] if r else [tx]
        kept += r is None
        n_origin += bool(r)
        for t in out:
            assert check_transcript(t, chrom_size=size) == []
    assert kept and n_origin
