"""A command killed while its workers convert pieces leaves no worker behind."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")

GENE = ("c1\tRefSeq\tgene\t{s}\t{e}\t.\t+\t.\tID=gene-{n};Name=G{n}\n"
        "c1\tRefSeq\tmRNA\t{s}\t{e}\t.\t+\t.\tID=rna-{n};Parent=gene-{n};Name=NM_{n}.1\n"
        "c1\tRefSeq\texon\t{s}\t{e}\t.\t+\t.\tID=exon-{n};Parent=rna-{n}\n"
        "c1\tRefSeq\tCDS\t{s}\t{e}\t.\t+\t0\tID=cds-{n};Parent=rna-{n};Name=NP_{n}.1\n")


@pytest.fixture(scope="module")
def big_gff3(tmp_path_factory) -> Path:
    """A GFF3 large enough to be converted in pieces (over 8 MB)."""
    path = tmp_path_factory.mktemp("signals") / "big.gff3"
    with open(path, "w") as f:
        f.write("##gff-version 3\n")
        for i in range(40_000):
            s = 1000 * i + 1
            f.write(GENE.format(s=s, e=s + 899, n=i))
    assert path.stat().st_size > 8_000_000
    return path


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def _alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _start(big_gff3: Path, tmp_path: Path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out.gp"
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("REFSEQTRACKS_JOBS", None)
    proc = subprocess.Popen([sys.executable, "-m", "refseqtracks", "gff3ToGenePred", str(big_gff3), str(out)],
                            stderr=subprocess.PIPE, text=True, env=env)
    # wait until the workers exist and a piece is being converted
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        # (the workers are all started before the first piece is written)
        if any(tmp.glob("refseqtracks-pieces.*/*.gff3")):
            workers = _children(proc.pid)
            if workers:
                break
        time.sleep(0.01)
    else:
        proc.kill()
        proc.communicate()
        pytest.skip("the conversion ended before it could be stopped (a very fast machine)")
    return proc, workers, out


def _gone(pids: set[int], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while any(map(_alive, pids)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_workers_end_with_the_main_process(big_gff3, tmp_path, sig):
    proc, workers, out = _start(big_gff3, tmp_path)
    proc.send_signal(sig)
    proc.communicate(timeout=60)  # (returns once the workers, holding stderr too, are gone)
    assert proc.returncode == -sig
    assert _gone(workers)
    assert not out.exists()
