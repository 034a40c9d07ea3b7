"""The public API: every advertised name resolves, and importing the package stays cheap."""
from __future__ import annotations

import subprocess
import sys

import pytest

import refseqtracks


@pytest.mark.parametrize("name", refseqtracks.__all__)
def test_public_name_resolves(name):
    assert getattr(refseqtracks, name) is not None


def test_unknown_name_is_attribute_error():
    with pytest.raises(AttributeError):
        refseqtracks.no_such_thing  # noqa: B018


def test_import_does_not_pull_heavy_libraries():
    code = ("import sys, refseqtracks, refseqtracks.cli; "
            "heavy = [m for m in ('pandas', 'pyranges', 'pysam', 'pyBigWig', 'numpy') if m in sys.modules]; "
            "print(','.join(heavy))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == ""


def test_read_gff3_end_to_end(tmp_path):
    from conftest import FIXTURES

    txs = list(refseqtracks.read_gff3(FIXTURES / "gff3" / "refseq_basic.gff3", refseq_hacks=True))
    assert txs and all(isinstance(t, refseqtracks.Transcript) for t in txs)
    out = tmp_path / "o.gp"
    refseqtracks.write_genepred(txs, out)
    assert refseqtracks.read_genepred(out) == txs
