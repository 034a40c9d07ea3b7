"""The build's per-record rows: what the row maker leaves to the main process."""
from __future__ import annotations

from refseqtracks.formats.genepred import check_transcript, format_genepred_line
from refseqtracks.model import Transcript
from refseqtracks.ncbirefseq_rows import RowMaker

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
