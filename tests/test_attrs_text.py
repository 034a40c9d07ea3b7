"""attrs_text rearranges column 9 directly only where decoding it would give the same lines."""
from hypothesis import example, given, settings, strategies as st

from refseqtracks.assemble_rules import Ann, attrs_text

col9 = st.text(alphabet="ab=;,% &\t\x7fé Z2-", min_size=1, max_size=24)


def _ann(text):
    return Ann("c1", "RefSeq", "mRNA", 9, 20, None, "+", None, text, 3, "x", None)


def _same_as_decoded(text):
    quick = _ann(text)
    decoded = _ann(None)
    decoded._attrs = quick.attrs
    assert attrs_text("NM_1.1", quick) == attrs_text("NM_1.1", decoded)


@settings(max_examples=3000, deadline=None)
@given(col9)
@example("a=1;a=2")
@example("a=b=c;d")
@example("a=;b=2")
@example("a=1,,2;b= c")
@example("a=%41;b=&")
@example("a =1;b=2,3")
def test_rearranged_text_equals_decoded_lines(text):
    _same_as_decoded(text)


def test_plain_column_9():
    ann = _ann("ID=rna-NM_1.1;Parent=gene-A;Dbxref=GeneID:1,HGNC:2;gbkey=mRNA")
    assert attrs_text("NM_1.1", ann).splitlines()[:4] == [
        "NM_1.1\tID\trna-NM_1.1", "NM_1.1\tParent\tgene-A", "NM_1.1\tDbxref\tGeneID:1,HGNC:2", "NM_1.1\tgbkey\tmRNA"]


_PIECES = ["a", "Z", " ", ",", "=", "&", ";", "\t", "\x01", "é", "%2C", "%25", "%3B", "%0A", "%0a", "%C3%A9",
           "%E2%82", "%2c", "%", "%2", "%ZZ", "ID=", "Note=", ";gene="]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join))
@example("ID=a;Note=x%2Cy%25z")
@example("ID=a;Note=x%0Ay")
@example("ID=a;Note=caf%C3%A9,%E2%82")
@example("ID=a;Note=x%2C%2")
@example("ID=a;Note=%%2C")
def test_escaped_values_decoded_as_the_attributes_are(text):
    _same_as_decoded(text)


def test_escaped_values_are_decoded():
    ann = _ann("ID=rna-NM_1.1;product=a%2C b%25;note=caf%C3%A9")
    assert attrs_text("NM_1.1", ann).splitlines()[:3] == [
        "NM_1.1\tID\trna-NM_1.1", "NM_1.1\tproduct\ta, b%", "NM_1.1\tnote\tcafé"]
