"""PSL alignments: reader, writer, kent's ``pslCheck`` rules and the shared PSL arithmetic.

Format facts (kent ``psl.as``): 21 tab-separated columns ``matches misMatches repMatches nCount
qNumInsert qBaseInsert tNumInsert tBaseInsert strand qName qSize qStart qEnd tName tSize tStart
tEnd blockCount blockSizes qStarts tStarts``.  Coordinates are 0-based half-open.  ``qStart``/
``qEnd`` and ``tStart``/``tEnd`` are always on the forward strand, while the block starts
(``qStarts``/``tStarts``) are on the strand of the alignment: for a ``-`` query strand the
``qStarts`` count from the end of the query (``qSize - x``), and for a two-character strand such
as ``+-`` the second character does the same for ``tStarts``.  Lists are written with a trailing
comma (``10,20,``).  A file may start with kent's five-line ``psLayout version 3`` header.

Python attributes are the snake_case of the UCSC names (``misMatches`` ↔ ``mis_matches``,
``qNumInsert`` ↔ ``q_num_insert``, ``blockSizes`` ↔ ``block_sizes`` ...).

Shared kent arithmetic reproduced here (kent ``psl.c``): :func:`psl_calc_milli_bad`
(``pslCalcMilliBad``), :func:`psl_score` (``pslScore``), :func:`psl_ident`, :func:`psl_is_protein`,
and forward-strand block coordinates.
"""
from __future__ import annotations

import math
from typing import IO, Iterable, Iterator

from refseqtracks.errors import ParseError
from refseqtracks.fileio import Source, atomic_output, input_name, open_input

__all__ = [
    "FIELDS", "PSL_HEADER", "Psl", "parse_psl_line", "format_psl_line", "iter_psl", "read_psl",
    "write_psl", "write_psl_to", "check_psl", "psl_calc_milli_bad", "psl_score", "psl_ident",
    "psl_is_protein", "c_round", "query_blocks_forward", "target_blocks_forward",
    "psl_aligned_bases",
]

#: PSL columns in UCSC spelling.
FIELDS = ("matches", "misMatches", "repMatches", "nCount", "qNumInsert", "qBaseInsert",
          "tNumInsert", "tBaseInsert", "strand", "qName", "qSize", "qStart", "qEnd", "tName",
          "tSize", "tStart", "tEnd", "blockCount", "blockSizes", "qStarts", "tStarts")

#: kent's ``pslWriteHead`` text.
PSL_HEADER = (
    "psLayout version 3\n"
    "\n"
    "match\tmis- \trep. \tN's\tQ gap\tQ gap\tT gap\tT gap\tstrand\tQ        \tQ   \tQ    \tQ  \t"
    "T        \tT   \tT    \tT  \tblock\tblockSizes \tqStarts\t tStarts\n"
    "     \tmatch\tmatch\t   \tcount\tbases\tcount\tbases\t      \tname     \tsize\tstart\tend\t"
    "name     \tsize\tstart\tend\tcount\n"
    + "-" * 159 + "\n"
)


class Psl:
    """One PSL row; attributes are the snake_case of :data:`FIELDS` (lists are tuples)."""

    __slots__ = ("matches", "mis_matches", "rep_matches", "n_count", "q_num_insert",
                 "q_base_insert", "t_num_insert", "t_base_insert", "strand", "q_name", "q_size",
                 "q_start", "q_end", "t_name", "t_size", "t_start", "t_end", "block_count",
                 "block_sizes", "q_starts", "t_starts", "lineno")

    def __init__(self, matches: int, mis_matches: int, rep_matches: int, n_count: int,
                 q_num_insert: int, q_base_insert: int, t_num_insert: int, t_base_insert: int,
                 strand: str, q_name: str, q_size: int, q_start: int, q_end: int, t_name: str,
                 t_size: int, t_start: int, t_end: int, block_count: int,
                 block_sizes: tuple[int, ...], q_starts: tuple[int, ...],
                 t_starts: tuple[int, ...], lineno: int | None = None):
        self.matches = matches
        self.mis_matches = mis_matches
        self.rep_matches = rep_matches
        self.n_count = n_count
        self.q_num_insert = q_num_insert
        self.q_base_insert = q_base_insert
        self.t_num_insert = t_num_insert
        self.t_base_insert = t_base_insert
        self.strand = strand
        self.q_name = q_name
        self.q_size = q_size
        self.q_start = q_start
        self.q_end = q_end
        self.t_name = t_name
        self.t_size = t_size
        self.t_start = t_start
        self.t_end = t_end
        self.block_count = block_count
        self.block_sizes = tuple(block_sizes)
        self.q_starts = tuple(q_starts)
        self.t_starts = tuple(t_starts)
        self.lineno = lineno

    def _key(self) -> tuple:
        return tuple(getattr(self, a) for a in self.__slots__[:-1])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Psl):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Psl({self.q_name!r} {self.q_start}-{self.q_end}/{self.q_size} {self.strand} "
                f"{self.t_name}:{self.t_start}-{self.t_end} blocks={self.block_count})")

    @property
    def q_strand(self) -> str:
        """Query strand (first strand character)."""
        return self.strand[0]

    @property
    def t_strand(self) -> str:
        """Target strand: the second strand character, ``+`` when there is none."""
        return self.strand[1] if len(self.strand) > 1 else "+"


def _uint(text: str, what: str, path, lineno) -> int:
    if not text.isdigit():
        if text[:1] == "-" and text[1:].isdigit():
            raise ParseError(path, lineno, f"invalid {what} \"{text}\": must not be negative")
        raise ParseError(path, lineno, f"invalid {what} \"{text}\": expected an unsigned integer")
    return int(text)


def _int_list(text: str, count: int, what: str, path, lineno) -> tuple[int, ...]:
    parts = text.split(",")
    if parts[-1] == "":
        parts.pop()
    if len(parts) != count:
        raise ParseError(path, lineno, f"{what} has {len(parts)} values, blockCount is {count}")
    try:
        vals = tuple(map(int, parts))
    except ValueError:
        raise ParseError(path, lineno, f"invalid {what} list \"{text}\"") from None
    if vals and min(vals) < 0:
        raise ParseError(path, lineno, f"invalid {what} list \"{text}\": negative value")
    return vals


def parse_psl_line(line: str, *, path: object = None, lineno: int | None = None) -> Psl:
    """Parse one PSL row (21 tab-separated columns; the line end may be present)."""
    cols = line.rstrip("\r\n").split("\t")
    if len(cols) != 21:
        raise ParseError(path, lineno, f"expected 21 PSL columns, got {len(cols)}")
    try:
        nums = [int(c) for c in (cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6],
                                 cols[7], cols[10], cols[11], cols[12], cols[14], cols[15],
                                 cols[16], cols[17])]
        if min(nums) < 0:
            raise ValueError
    except ValueError:
        for i in (0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 14, 15, 16, 17):
            _uint(cols[i], FIELDS[i], path, lineno)
        raise  # pragma: no cover - _uint raised already
    strand = cols[8]
    if len(strand) not in (1, 2) or strand[0] not in "+-" or (len(strand) == 2 and strand[1] not in "+-"):
        raise ParseError(path, lineno, f"invalid strand \"{strand}\"")
    count = nums[14]
    sizes = _int_list(cols[18], count, "blockSizes", path, lineno)
    qstarts = _int_list(cols[19], count, "qStarts", path, lineno)
    tstarts = _int_list(cols[20], count, "tStarts", path, lineno)
    return Psl(nums[0], nums[1], nums[2], nums[3], nums[4], nums[5], nums[6], nums[7], strand,
               cols[9], nums[8], nums[9], nums[10], cols[13], nums[11], nums[12], nums[13], count,
               sizes, qstarts, tstarts, lineno)


def _join(vals: tuple[int, ...]) -> str:
    return ",".join(map(str, vals)) + "," if vals else ""


def format_psl_line(p: Psl) -> str:
    """One PSL row as kent writes it (``pslTabOut``), with the newline."""
    return (f"{p.matches}\t{p.mis_matches}\t{p.rep_matches}\t{p.n_count}\t{p.q_num_insert}\t"
            f"{p.q_base_insert}\t{p.t_num_insert}\t{p.t_base_insert}\t{p.strand}\t{p.q_name}\t"
            f"{p.q_size}\t{p.q_start}\t{p.q_end}\t{p.t_name}\t{p.t_size}\t{p.t_start}\t{p.t_end}\t"
            f"{p.block_count}\t{_join(p.block_sizes)}\t{_join(p.q_starts)}\t{_join(p.t_starts)}\n")


def iter_psl(src: Source, *, comments: bool = True) -> Iterator[Psl]:
    """Stream PSL rows from a path, file object or ``-``; kent's header is skipped.

    Blank lines are skipped.  With ``comments=True`` (pslCDnaFilter, pslCheck) ``#`` lines are
    skipped too; with ``comments=False`` (pslReps) they are errors, as in kent.
    """
    name = input_name(src)
    with open_input(src) as f:
        first = True
        skip = 0
        for lineno, line in enumerate(f, 1):
            if skip:
                skip -= 1
                continue
            if first:
                first = False
                if line.startswith("psLayout"):
                    skip = 4
                    continue
            c = line[:1]
            if c in ("\n", "\r", ""):
                continue
            if c == "#":
                if comments:
                    continue
                raise ParseError(name, lineno, f"Bad line {lineno} of {name}")
            yield parse_psl_line(line, path=name, lineno=lineno)


def read_psl(src: Source, *, comments: bool = True) -> list[Psl]:
    """All PSL rows of a file (see :func:`iter_psl`)."""
    return list(iter_psl(src, comments=comments))


def write_psl_to(psls: Iterable[Psl], fh: IO[str], *, header: bool = False) -> int:
    """Write rows to an open text file in chunks; returns the number written."""
    n = 0
    buf: list[str] = []
    if header:
        buf.append(PSL_HEADER)
    for p in psls:
        buf.append(format_psl_line(p))
        n += 1
        if len(buf) >= 4096:
            fh.write("".join(buf))
            buf.clear()
    if buf:
        fh.write("".join(buf))
    return n


def write_psl(psls: Iterable[Psl], dest: Source, *, header: bool = False) -> int:
    """Write rows to ``dest`` atomically (with kent's header when ``header``)."""
    with atomic_output(dest) as fh:
        return write_psl_to(psls, fh, header=header)


# ---------------------------------------------------------------------------------------------
# arithmetic shared by kent's PSL tools

def c_round(x: float) -> int:
    """C ``round()``: halves go away from zero."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def psl_is_protein(p: Psl) -> bool:
    """kent ``pslIsProtein``: target blocks are three times the query blocks."""
    if not p.block_count:
        return False
    last = p.block_count - 1
    if p.t_strand == "-":
        return p.t_start == p.t_size - (p.t_starts[last] + 3 * p.block_sizes[last])
    return p.t_end == p.t_starts[last] + 3 * p.block_sizes[last]


def psl_calc_milli_bad(p: Psl, is_mrna: bool = True) -> int:
    """kent ``pslCalcMilliBad``: mismatches, query inserts and log size difference per 1000."""
    size_mul = 3 if psl_is_protein(p) else 1
    q_ali = size_mul * (p.q_end - p.q_start)
    t_ali = p.t_end - p.t_start
    ali = min(q_ali, t_ali)
    if ali <= 0:
        return 0
    size_dif = q_ali - t_ali
    if size_dif < 0:
        size_dif = 0 if is_mrna else -size_dif
    insert_factor = p.q_num_insert
    if not is_mrna:
        insert_factor += p.t_num_insert
    total = size_mul * (p.matches + p.rep_matches + p.mis_matches)
    if total == 0:
        return 0
    return int(1000.0 * (p.mis_matches * size_mul + insert_factor
                         + c_round(3.0 * math.log(1 + size_dif))) / total)


def psl_score(p: Psl) -> int:
    """kent ``pslScore``: matches + repMatches/2 - misMatches - inserts (protein x3)."""
    size_mul = 3 if psl_is_protein(p) else 1
    return (size_mul * (p.matches + (p.rep_matches >> 1)) - size_mul * p.mis_matches
            - p.q_num_insert - p.t_num_insert)


def psl_ident(p: Psl) -> float:
    """(matches + repMatches) / (matches + repMatches + misMatches); 0 when nothing aligned."""
    aligned = p.matches + p.mis_matches + p.rep_matches
    return (p.matches + p.rep_matches) / aligned if aligned else 0.0


def psl_aligned_bases(p: Psl) -> int:
    """Sum of the block sizes (in query units)."""
    return sum(p.block_sizes)


def query_blocks_forward(p: Psl) -> list[tuple[int, int]]:
    """Query ranges of the blocks on the forward strand, in block order."""
    if p.q_strand == "-":
        qs = p.q_size
        return [(qs - (s + z), qs - s) for s, z in zip(p.q_starts, p.block_sizes)]
    return [(s, s + z) for s, z in zip(p.q_starts, p.block_sizes)]


def target_blocks_forward(p: Psl) -> list[tuple[int, int]]:
    """Target ranges of the blocks on the forward strand, in block order."""
    mul = 3 if psl_is_protein(p) else 1
    if p.t_strand == "-":
        ts = p.t_size
        return [(ts - (s + mul * z), ts - s) for s, z in zip(p.t_starts, p.block_sizes)]
    return [(s, s + mul * z) for s, z in zip(p.t_starts, p.block_sizes)]


# ---------------------------------------------------------------------------------------------
# pslCheck

def check_psl(p: Psl, q_sizes: dict[str, int] | None = None,
              t_sizes: dict[str, int] | None = None) -> list[str]:
    """Problems kent's ``pslCheck`` reports for one row (empty when the row is valid).

    Checked: blockCount and the block arrays agree; the query and target ranges equal the
    first and last blocks (strand-converted); ranges lie within the sequence sizes; blocks do
    not overlap and are in increasing order on both sequences; and, when size tables are
    given, the names are present with the same sizes.
    """
    errs: list[str] = []
    n = p.block_count
    if n < 1:
        errs.append(f"{_where(p)}: blockCount must be > 0")
        return errs
    if len(p.block_sizes) != n or len(p.q_starts) != n or len(p.t_starts) != n:
        errs.append(f"{_where(p)}: block arrays do not match blockCount {n}")
        return errs
    mul = 3 if psl_is_protein(p) else 1
    sizes = p.block_sizes
    for side, strand, start, end, size, starts, bmul in (
            ("query", p.strand[0], p.q_start, p.q_end, p.q_size, p.q_starts, 1),
            ("target", p.t_strand, p.t_start, p.t_end, p.t_size, p.t_starts, mul)):
        first_s = starts[0]
        last_e = starts[-1] + bmul * sizes[-1]
        if strand == "-":
            first_s, last_e = size - last_e, size - first_s
        if first_s != start:
            errs.append(f"{_where(p)}: {side} start {start} does not match first block start {first_s}")
        if last_e != end:
            errs.append(f"{_where(p)}: {side} end {end} does not match last block end {last_e}")
        if end > size:
            errs.append(f"{_where(p)}: {side} end {end} is past {side} size {size}")
        if start > end:
            errs.append(f"{_where(p)}: {side} start {start} is after {side} end {end}")
        prev_end = starts[0] + bmul * sizes[0]
        for i in range(1, n):
            s = starts[i]
            if s < prev_end:
                errs.append(f"{_where(p)}: {side} block {i} overlaps or precedes block {i - 1}")
            prev_end = s + bmul * sizes[i]
    if q_sizes is not None:
        qs = q_sizes.get(p.q_name)
        if qs is None:
            errs.append(f"{_where(p)}: query {p.q_name} not in query sizes")
        elif qs != p.q_size:
            errs.append(f"{_where(p)}: qSize {p.q_size} differs from query size {qs}")
    if t_sizes is not None:
        ts = t_sizes.get(p.t_name)
        if ts is None:
            errs.append(f"{_where(p)}: target {p.t_name} not in target sizes")
        elif ts != p.t_size:
            errs.append(f"{_where(p)}: tSize {p.t_size} differs from target size {ts}")
    return errs


def _where(p: Psl) -> str:
    return f"{p.q_name}:{p.q_start}-{p.q_end} {p.t_name}:{p.t_start}-{p.t_end}"
