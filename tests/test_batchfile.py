"""Batches written with their length in front come back whole and in order."""
import tempfile

import pytest
from hypothesis import given, settings, strategies as st

from refseqtracks.batchfile import dump_batch, iter_batches, iter_items

values = st.lists(st.tuples(st.binary(max_size=8), st.integers(), st.text(max_size=12)), max_size=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(values, max_size=6))
def test_batches_round_trip(batches):
    with tempfile.TemporaryFile() as f:
        for b in batches:
            dump_batch(b, f)
        f.seek(0)
        assert list(iter_batches(f)) == batches
        f.seek(0)
        assert list(iter_items(f)) == [item for b in batches for item in b]


@pytest.mark.parametrize("cut, message", [(-1, "inside a batch$"), (4, "inside a batch length")],
                         ids=["in-the-data", "in-the-length"])
def test_a_file_cut_inside_a_batch_is_an_error(cut, message):
    # cut: bytes kept of the second batch (negative: dropped from its end)
    with tempfile.TemporaryFile() as f:
        dump_batch([("a", 1)], f)
        first = f.tell()
        dump_batch([("b", 2)], f)
        f.truncate(f.tell() + cut if cut < 0 else first + cut)
        f.seek(0)
        with pytest.raises(EOFError, match=message):
            list(iter_batches(f))


def test_an_empty_file_has_no_batches():
    with tempfile.TemporaryFile() as f:
        assert list(iter_batches(f)) == []
