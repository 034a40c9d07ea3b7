"""frames: phase/frame conversion, exon frames and start/stop codon location."""
from __future__ import annotations

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from refseqtracks.formats.genepred import read_genepred
from refseqtracks.frames import (CodonLoc, calc_exon_frames, cds_exon, find_first_codon,
                                 find_last_codon, frame_incr, frame_to_phase, move_pos,
                                 phase_to_frame)
from refseqtracks.model import Transcript

CODONS_GP = FIXTURES / "gtf" / "codons.gp"


def _by_name(name: str, chrom: str) -> Transcript:
    return next(t for t in read_genepred(CODONS_GP) if t.name == name and t.chrom == chrom)


@pytest.mark.parametrize("phase,frame", [(0, 0), (1, 2), (2, 1), (-1, -1), (5, -1)],
                         ids=["p0", "p1", "p2", "none", "invalid"])
def test_phase_frame(phase, frame):
    assert phase_to_frame(phase) == frame
    if phase in (0, 1, 2, -1):
        assert frame_to_phase(frame) == phase


@pytest.mark.parametrize("frame,amount,expected", [(0, 3, 0), (1, 4, 2), (2, 2, 1), (-1, 5, -1)],
                         ids=["whole-codon", "wrap", "to-one", "no-frame"])
def test_frame_incr(frame, amount, expected):
    assert frame_incr(frame, amount) == expected


def test_cds_exon_clips_to_cds():
    tx = _by_name("NM_000001.1", "chr1")
    assert [cds_exon(tx, i) for i in range(3)] == [(108, 110), (120, 200), (300, 302)]
    assert cds_exon(_by_name("NR_000003.1", "chr2"), 0) is None


def test_split_codons_plus_strand():
    tx = _by_name("NM_000001.1", "chr1")
    frames = tx.exon_frames
    first = find_first_codon(tx, frames)
    last = find_last_codon(tx, frames)
    assert first == CodonLoc(108, 110, 0, 120, 121, 1)
    assert first.is_split and first.start == 108 and first.end == 121
    assert last == CodonLoc(199, 200, 1, 300, 302, 2)
    assert last.pieces() == [(199, 200, 1), (300, 302, 2)]


def test_split_stop_codon_minus_strand():
    tx = _by_name("NM_000002.1", "chr1")
    frames = calc_exon_frames(tx)
    assert frames == (1, 0)
    assert find_first_codon(tx, frames) == CodonLoc(1008, 1010, 0, 1100, 1101, 1)
    assert find_last_codon(tx, frames) == CodonLoc(1188, 1191, 1)


def test_codon_out_of_frame_is_none():
    # CDS of 40 bases on '-': the start codon is on a codon boundary, the stop side is not
    tx = _by_name("NM_000005.1", "chr3")
    frames = calc_exon_frames(tx)
    assert find_first_codon(tx, frames) is None
    assert find_last_codon(tx, frames) == CodonLoc(147, 150, 0)


def test_no_cds_no_codons():
    tx = _by_name("NR_000003.1", "chr2")
    frames = calc_exon_frames(tx)
    assert frames == (-1, -1)
    assert find_first_codon(tx, frames) is None and find_last_codon(tx, frames) is None


@pytest.mark.parametrize("pos,dist,expected", [(302, -3, 199), (108, 3, 121), (150, -3, 147)],
                         ids=["back-over-intron", "forward-over-intron", "within-exon"])
def test_move_pos(pos, dist, expected):
    tx = _by_name("NM_000001.1", "chr1")
    assert move_pos(tx, pos, dist) == expected


def test_move_pos_off_the_end():
    tx = _by_name("NM_000001.1", "chr1")
    with pytest.raises(ValueError, match="can't move"):
        move_pos(tx, 345, 10)


@st.composite
def coding_transcripts(draw, *, codon_multiple: bool = False):
    """A valid transcript with gaps between exons and a CDS somewhere inside its exons."""
    n = draw(st.integers(1, 6))
    starts, ends = [], []
    pos = draw(st.integers(0, 50))
    for _ in range(n):
        size = draw(st.integers(1, 40))
        starts.append(pos)
        ends.append(pos + size)
        pos += size + draw(st.integers(1, 30))
    total = sum(e - s for s, e in zip(starts, ends))
    if codon_multiple:
        assume(total >= 3)
        lo = draw(st.integers(0, total - 3))
        length = 3 * draw(st.integers(1, (total - lo) // 3))
    else:
        lo = draw(st.integers(0, total - 1))
        length = draw(st.integers(1, total - lo))
    strand = draw(st.sampled_from("+-"))

    def genomic(offset: int, end: bool) -> int:
        for s, e in zip(starts, ends):
            size = e - s
            if offset < size or (end and offset == size):
                return s + offset
            offset -= size
        return ends[-1]

    cs, ce = genomic(lo, False), genomic(lo + length, True)
    return Transcript("NM_1.1", "chr1", strand, starts[0], ends[-1], cs, ce, tuple(starts),
                      tuple(ends), 0, "G", "cmpl", "cmpl")


@settings(max_examples=200, deadline=None)
@given(coding_transcripts())
@example(Transcript("NM_1.1", "chr1", "-", 0, 20, 3, 14, (0, 12), (5, 20)))
def test_frames_agree_with_cds_length(tx):
    """Each coding exon's frame is the CDS length before it mod 3; the CDS end is on a codon
    boundary exactly when the CDS length is a multiple of 3."""
    frames = calc_exon_frames(tx)
    order = range(tx.exon_count) if tx.strand == "+" else range(tx.exon_count - 1, -1, -1)
    before = 0
    last = None
    for i in order:
        cds = cds_exon(tx, i)
        if cds is None:
            assert frames[i] == -1
            continue
        assert frames[i] == before % 3
        before += cds[1] - cds[0]
        last = (frames[i], cds[1] - cds[0])
    assert before == sum(e - s for s, e in tx.cds_blocks())
    assert (frame_incr(*last) == 0) == (before % 3 == 0)


@settings(max_examples=200, deadline=None)
@given(coding_transcripts(codon_multiple=True))
def test_codons_are_first_and_last_cds_bases(tx):
    """For a CDS of whole codons, both codons exist when the two boundary exons hold 3 bases,
    and they cover exactly the first/last 3 coding bases in genomic order."""
    frames = calc_exon_frames(tx)
    bases = [p for s, e in tx.cds_blocks() for p in range(s, e)]
    first, last = find_first_codon(tx, frames), find_last_codon(tx, frames)
    for codon, want in ((first, bases[:3]), (last, bases[-3:])):
        if codon is None:
            # only when the codon would need a third exon
            blocks = tx.cds_blocks()
            assert len(blocks) > 2 and (sum(e - s for s, e in blocks[:2]) < 3
                                        or sum(e - s for s, e in blocks[-2:]) < 3)
            continue
        got = [p for s, e, _ in codon.pieces() for p in range(s, e)]
        assert got == want
