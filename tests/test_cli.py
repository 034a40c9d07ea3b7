"""The command dispatcher and kent-style option parsing."""
from __future__ import annotations

import subprocess
import sys

import pytest

from refseqtracks.cli import COMMANDS, main
from refseqtracks.cli.kentopts import parse_kent_args
from refseqtracks.errors import UsageError

SPEC = {"flag": (bool, False), "num": (int, 50), "frac": (float, 0.5), "name": (str, None),
        "many": (list, None)}


def test_kent_options_anywhere_and_positional_order_kept():
    o = parse_kent_args(["a", "-flag", "b", "-num=-3", "-frac=0.25", "-name=x=y", "-many=1", "-many=2", "c"],
                        SPEC, "usage", 3)
    assert o.args == ["a", "b", "c"]
    assert (o.flag, o.num, o.frac, o.name, o.many) == (True, -3, 0.25, "x=y", ["1", "2"])


def test_kent_defaults():
    o = parse_kent_args(["x"], SPEC, "usage", 1)
    assert (o.flag, o.num, o.frac, o.name, o.many) == (False, 50, 0.5, None, [])


@pytest.mark.parametrize("argv", [["-bogus", "x"], ["-num=abc", "x"], ["-num", "x"], [], ["x", "y"]],
                         ids=["unknown", "not-int", "missing-value", "too-few", "too-many"])
def test_kent_usage_errors(argv):
    with pytest.raises(UsageError):
        parse_kent_args(argv, SPEC, "usage", 1)


def test_dash_alone_and_negative_numbers_are_positional():
    o = parse_kent_args(["-", "-5"], SPEC, "usage", 2)
    assert o.args == ["-", "-5"]


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_unknown_command(capsys):
    assert main(["noSuchTool"]) != 0
    assert "unknown command" in capsys.readouterr().err


def test_usage_error_exits_nonzero_without_traceback(capsys):
    rc = main(["genePredCheck", "-noSuchOption", "x.gp"])
    err = capsys.readouterr().err
    assert rc != 0 and "-noSuchOption is not a valid option" in err and "Traceback" not in err


def test_python_dash_m_entry_point():
    p = subprocess.run([sys.executable, "-m", "refseqtracks", "--version"], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("refseqtracks ")
