"""Sequence sizes: kent's two-column ``name<TAB>size`` files (chrom.sizes, rna.sizes) and the
sequence index of a ``.2bit`` file (``bedToBigBed -sizesIs2Bit``).

Blank lines and ``#`` lines are skipped; columns are separated by any white space, as kent's
``chromInfo``-style readers allow.  A malformed line is ``path:line: expected 'name size'
columns``.
"""
from __future__ import annotations

import struct

from refseqtracks.errors import ParseError, RefseqtracksError
from refseqtracks.fileio import Source, input_name, open_input

__all__ = ["read_chrom_sizes", "read_two_bit_sizes", "TWOBIT_MAGIC"]

TWOBIT_MAGIC = 0x1A412743


def read_chrom_sizes(src: Source, *, two_bit: bool = False) -> dict[str, int]:
    """Sizes from a ``name size`` file (or a .2bit file with ``two_bit=True``), in file order."""
    if two_bit:
        return read_two_bit_sizes(src)
    sizes: dict[str, int] = {}
    name = input_name(src)
    with open_input(src) as f:
        for lineno, line in enumerate(f, 1):
            cols = line.split()
            if not cols or cols[0].startswith("#"):
                continue
            if len(cols) < 2 or not cols[1].isdigit():
                raise ParseError(name, lineno, "expected 'name size' columns")
            sizes[cols[0]] = int(cols[1])
    return sizes


def read_two_bit_sizes(src: Source) -> dict[str, int]:
    """The sequence names and sizes of a .2bit file (either byte order)."""
    name = input_name(src)
    with open_input(src, binary=True) as f:
        data = f.read()
    if len(data) < 16:
        raise RefseqtracksError(f"{name}: not a .2bit file")
    magic = struct.unpack_from("<I", data)[0]
    end = "<" if magic == TWOBIT_MAGIC else ">"
    if struct.unpack_from(end + "I", data)[0] != TWOBIT_MAGIC:
        raise RefseqtracksError(f"{name}: not a .2bit file")
    count = struct.unpack_from(end + "I", data, 8)[0]
    pos = 16
    sizes: dict[str, int] = {}
    try:
        for _ in range(count):
            n = data[pos]
            seq = data[pos + 1:pos + 1 + n].decode("utf-8", "surrogateescape")
            offset = struct.unpack_from(end + "I", data, pos + 1 + n)[0]
            pos += 5 + n
            sizes[seq] = struct.unpack_from(end + "I", data, offset)[0]
    except (IndexError, struct.error):
        raise RefseqtracksError(f"{name}: truncated .2bit file") from None
    return sizes
