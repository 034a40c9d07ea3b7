"""Shared test helpers: where the project and the shared conformance data live."""
from __future__ import annotations

import faulthandler
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
CONFORMANCE = SHARED / "conformance"


#: a test still running after this many seconds has hung: every thread's stack is printed and
#: the run ends at once (a failure to read, not a CI job waiting out its time limit)
HANG_SECONDS = 600


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True, file=sys.__stderr__)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with a clear reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (the shared conformance/data folder is not beside this checkout)")
    return p


def fasta_dict(text: str, *, first_word: bool = False) -> dict[str, str]:
    """FASTA text as {defline (or its first word): sequence}."""
    out: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line.startswith(">"):
            key = line[1:].split()[0] if first_word else line[1:]
            out[key] = ""
        elif key is not None:
            out[key] += line.strip()
    return out


@pytest.fixture
def genome_cache(tmp_path, monkeypatch):
    """Genome indexes go to a per-test cache folder."""
    monkeypatch.setenv("REFSEQTRACKS_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
