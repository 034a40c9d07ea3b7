"""format_gff3_line writes a record's column 9 as read only where decoding and writing it back gives it again."""
from types import SimpleNamespace

from hypothesis import example, given, settings, strategies as st

from refseqtracks.gff3 import format_gff3_line
from refseqtracks.gff3_quick import decode_attrs

col9 = st.text(alphabet="ab=;,% &\t\x7fé Z2-", max_size=24)


def _rec(text, attrs):
    return SimpleNamespace(seqid="c1", source="RefSeq", type="cDNA_match", start=9, end=20, score="3.50",
                           strand="+", phase=None, text=text, attrs=attrs)


@settings(max_examples=3000, deadline=None)
@given(col9)
@example("a=1;a=2")
@example("a=b=c;d")
@example("ID=x;Target=NM_1 1 9 +;Gap=M9")
@example("a=1,,2;b= c")
@example("a=%41;b=&")
def test_text_as_read_equals_decoded_and_written(text):
    decoded = decode_attrs(text)
    assert format_gff3_line(_rec(text, decoded)) == format_gff3_line(_rec(None, decoded))


def test_plain_text_is_written_as_it_is():
    line = format_gff3_line(_rec("ID=aln1;Target=NM_1 1 9 +;Gap=M9;num_ident=9", {}))
    assert line == "c1\tRefSeq\tcDNA_match\t10\t20\t3.5\t+\t.\tID=aln1;Target=NM_1 1 9 +;Gap=M9;num_ident=9\n"
