"""kent-style option parsing: ``-opt``, ``-opt=value`` anywhere on the command line.

kent's ``optionInit`` treats every argument that starts with ``-`` followed by a non-digit as an
option (``-`` alone and negative numbers are positional), takes ``-name=value`` for valued options
and ``-name`` for booleans, rejects unknown options, and leaves the rest as positional arguments.
``--name`` is accepted as a synonym.  Usage problems raise :class:`UsageError` carrying the tool's
usage text, which the CLI prints before exiting non-zero (kent exits 255).
"""
from __future__ import annotations

from typing import Any

from refseqtracks.errors import UsageError

__all__ = ["parse_kent_args", "KentArgs"]


class KentArgs(dict):
    """Parsed options (by kent name) plus ``.args``, the positional arguments."""

    args: list[str]

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def parse_kent_args(argv: list[str], spec: dict[str, tuple[type, Any]], usage: str,
                    nargs: int | tuple[int, int]) -> KentArgs:
    """Parse ``argv`` per ``spec`` (name -> (type, default)); check the positional count.

    ``type`` is ``bool``, ``int``, ``float``, ``str`` or ``list`` (repeatable string option).
    """
    opts = KentArgs({k: ([] if t is list else d) for k, (t, d) in spec.items()})
    pos: list[str] = []
    for arg in argv:
        if len(arg) > 1 and arg[0] == "-" and not (arg[1].isdigit() or arg[1] == "."):
            body = arg.lstrip("-")
            name, eq, value = body.partition("=")
            if name in ("h", "help", "-help") and name not in spec:
                raise UsageError(usage)
            if name not in spec:
                raise UsageError(f"-{name} is not a valid option\n{usage}")
            typ, _ = spec[name]
            if typ is bool:
                if eq and value.lower() not in ("", "1", "true", "on", "0", "false", "off"):
                    raise UsageError(f"option -{name} takes no value\n{usage}")
                opts[name] = not (eq and value.lower() in ("0", "false", "off"))
                continue
            if not eq:
                raise UsageError(f"option -{name} needs a value (-{name}=value)\n{usage}")
            if typ is list:
                opts[name].append(value)
                continue
            try:
                opts[name] = typ(value)
            except ValueError:
                kind = {int: "an integer", float: "a number"}.get(typ, typ.__name__)
                raise UsageError(f"value of -{name} must be {kind}, got \"{value}\"") from None
        else:
            pos.append(arg)
    lo, hi = (nargs, nargs) if isinstance(nargs, int) else nargs
    if not (lo <= len(pos) <= hi):
        raise UsageError(usage)
    opts.args = pos
    return opts
