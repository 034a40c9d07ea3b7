"""The process's own settings (:mod:`refseqtracks.process`)."""
import subprocess
import sys
import textwrap

import pytest

_ARENAS = textwrap.dedent("""
    import sys
    from refseqtracks.process import keep_object_arenas
    if sys.argv[1] == "keep":
        keep_object_arenas(16 << 20)
    objs = [bytes(100) for _ in range(200_000)]  # about 28 MB of small objects, then freed
    del objs
    sys._debugmallocstats()
""")


def _arenas_after(mode: str) -> int:
    res = subprocess.run([sys.executable, "-c", _ARENAS, mode], capture_output=True, text=True,
                         check=True)
    found = [line for line in res.stderr.splitlines() if line.startswith("# arenas allocated current")]
    if not found:
        pytest.skip("this Python has no small-object allocator statistics (not pymalloc)")
    return int(found[0].split("=")[1])


def test_kept_arenas_outlive_what_they_held():
    # without keeping, freeing everything hands the arenas back; kept, 16 MB of them stay
    assert _arenas_after("keep") - _arenas_after("plain") >= 14
