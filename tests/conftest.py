"""Shared test helpers: where the project and the shared conformance data live."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
CONFORMANCE = SHARED / "conformance"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with a clear reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (the shared conformance/data folder is not beside this checkout)")
    return p


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
