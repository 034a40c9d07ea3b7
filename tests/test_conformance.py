"""kent conformance: every case of ../shared/conformance/cases.tsv, run in-process.

Each case is one kent command line; we run ``refseqtracks.cli.main([tool, *args])`` in the case's
folder and compare outputs with kent v492's, using the suite's own comparison functions (read in
place from ../shared/conformance/run.py).  Skipped, with the reason, when that folder is absent.
"""
from __future__ import annotations

import importlib.util
import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from conftest import CONFORMANCE

RUNNER = CONFORMANCE / "run.py"


def _load_runner():
    spec = importlib.util.spec_from_file_location("_conformance_run", RUNNER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


if RUNNER.exists():
    _run = _load_runner()
    CASES = _run.load_cases(str(CONFORMANCE / "cases.tsv"))
else:
    _run = None
    CASES = []


def _params():
    if not CASES:
        return [pytest.param(None, id="no-conformance-suite",
                             marks=pytest.mark.skip(reason=f"{CONFORMANCE} not found: conformance cases skipped"))]
    return [pytest.param(c, id=c["id"]) for c in CASES]


def _invoke(tool: str, argv: list[str], cwd: Path, sink) -> int:
    from refseqtracks.cli import main

    old = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(sink), redirect_stderr(sink):
            return main([tool, *argv])
    finally:
        os.chdir(old)
        sink.flush()


@pytest.mark.parametrize("case", _params())
def test_conformance(case, tmp_path):
    from refseqtracks.cli import command

    if command(case["tool"]) is None:
        pytest.skip(f"{case['tool']} is not available in this version of refseqtracks")
    cwd = CONFORMANCE / case["cwd"]
    out = str(tmp_path)
    argv = [a.replace("{out}", out) for a in case["argv"]]
    stdio = case["stdio"]
    raw = open(os.path.join(out, stdio), "wb") if stdio != "none" else io.BytesIO()
    sink = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", write_through=True)
    try:
        rc = _invoke(case["tool"], argv, cwd, sink)
        captured = raw.getvalue() if stdio == "none" else None
    finally:
        sink.detach()
        raw.close()
    if captured is None:
        captured = Path(out, stdio).read_bytes()
    assert b"internal error" not in captured, captured.decode("utf-8", "replace")[-2000:]
    assert b"Traceback (most recent call last)" not in captured
    assert (rc == 0) == (case["exit"] == "0"), (
        f"exit status {rc}, expected {case['exit']}: {captured.decode('utf-8', 'replace')[-1000:]}")
    problems = []
    for expected, output, mode in case["checks"]:
        got_path = os.path.join(out, output)
        if not os.path.exists(got_path):
            problems.append(f"missing output {output}")
            continue
        exp_path = str(cwd / expected)
        if mode == "bigbed":
            why = _run.cmp_bigbed(exp_path, got_path)
        else:
            got = Path(got_path).read_bytes()
            cmp = {"exact": _run.cmp_exact, "sorted": _run.cmp_sorted, "errlocs": _run.cmp_errlocs}[mode]
            why = cmp(_run.read_expected(exp_path), got)
        if why:
            problems.append(f"{output}: {why}")
    assert not problems, "; ".join(problems)
