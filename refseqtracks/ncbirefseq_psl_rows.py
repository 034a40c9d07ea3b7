"""The ncbiRefSeqPsl rows straight from NCBI's ``cDNA_match``/``match`` lines, in two passes.

Coordinates: GFF3 columns 4/5 and the ``Target`` range are 1-based closed; everything computed
here is 0-based half-open (PSL).

Why hand-written: the general route (:mod:`refseqtracks.ncbirefseq_psl`) writes the lines to a
``gffForPsl.gff`` file, reads it back with the full GFF3 reader, writes ``gff3ToPsl`` rows,
reads those back, then makes a :class:`~refseqtracks.formats.psl.Psl` object for every
``pslPosTarget``, ``pslSwap`` and ``simpleChain`` step.  For NCBI's lines all of that composes
into a few integer operations per CIGAR block, done here on tuples, and the finished rows go
straight to the caller.

How it stays exact: the rows equal what the general route makes, because

* a line is taken only when the GFF3 reader would read it without a message and
  ``gff3ToPsl -dropT`` would convert it without an error: exactly 9 non-empty columns, ASCII,
  no ``%`` escape, no ``\\r``, integer columns 4/5 (column 4 >= 1), a plain score, strand
  ``+ - . ?``, phase ``. 0 1 2``, column 9 of ``tag=value`` items with distinct valid tags
  (checked once per distinct sequence of tags), single-valued reserved tags without a comma,
  ``Target=id start end [strand]`` with plain integers >= 1, ``Gap`` of ``M``/``I``/``D``
  operations whose lengths match both ranges, at least one aligned block, and minus-strand
  ranges inside the sequence sizes (the general route would otherwise read a negative PSL
  number back and refuse it); every size-table name must survive the ``name<TAB>size`` file
  round trip, and the ``#`` header lines must read cleanly;
* anything else raises :class:`Unusual` and the caller runs the general route from the start
  (which then reports the same errors with the same line numbers as before);
* the alignment algebra is the general route's, specialised: ``gff3ToPsl`` walks the CIGAR from
  the strand-specific starts of both sequences (merging ``M`` blocks that touch after zero-length
  operations); ``pslPosTarget`` and ``pslSwap`` only re-express those blocks on the forward
  strands with the RNA as query, so each block is kept as (genome start, RNA start on the
  alignment strand, size), sorted by genome position; the insert counts are recounted from the
  sorted blocks as ``pslSwap`` does;
* ``simpleChain`` groups pieces by (RNA, genome sequence, strand) over the whole input; the first
  pass records the last line of every group, so a group is chained as soon as its last piece is
  read (NCBI's pieces of one alignment are consecutive lines, so few groups are open at a time)
  with the general route's choice of chain for every piece (pieces in (start, query start) order,
  the open chain with the smallest target gap under the maximum gap on both sequences).

The fake PSLs of ``genePredToFakePsl`` are formatted directly too (:func:`fake_row`) when the
exons are in increasing order, the case where the general route's block sort changes nothing.
The build makes them with the other rows of each record (:mod:`refseqtracks.ncbirefseq_rows`)
when the sequence sizes are known beforehand, and they wait sorted while the tables are written.

The first pass can also run piece by piece where the input is read in pieces (the build's
workers: :func:`scan_piece`, :func:`merge_scans`), which leaves the step only the second.

Public API: :class:`Unusual`, :func:`check_header`, :func:`check_sizes`, :func:`scan_rows`,
:func:`scan_piece`, :func:`merge_scans`, :func:`iter_chains`, :func:`format_chain`, :func:`fake_row`.
"""
from __future__ import annotations

import itertools
import operator
import re
from typing import Iterable, Iterator

from refseqtracks.formats.genepred import format_int_list
from refseqtracks.gff3 import STANDARD_ATTRS
from refseqtracks.model import Transcript

__all__ = ["Unusual", "check_header", "check_sizes", "scan_rows", "scan_piece", "merge_scans", "iter_chains",
           "format_chain", "fake_row"]

_SINGLE_VALUED = ("ID", "Name", "Target", "Gap", "Derives_from")
_TAG_CHARS = frozenset(  # the GFF3 reader's rule for attribute tags
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
_STRANDS = frozenset("+-.?")
_PHASES = frozenset((".", "0", "1", "2"))
_CIGAR_OPS = frozenset("MID")
_piece_order = operator.itemgetter(0, 1)
_VALUES = re.compile("=[^;]*")  # column 9 without its values: the tags and separators


class Unusual(Exception):
    """A line (or size, or header) the direct conversion does not vouch for."""


def _tag_ok(tag: str) -> bool:
    if not tag or not _TAG_CHARS.issuperset(tag):
        return False
    return not ("A" <= tag[0] <= "Z") or tag in STANDARD_ATTRS


def _gap_value(col9: str) -> str | None:
    """The ``Gap`` value (column 9 has distinct tags), None without one."""
    if col9.startswith("Gap="):
        j = 4
    else:
        j = col9.find(";Gap=")
        if j < 0:
            return None
        j += 5
    k = col9.find(";", j)
    return col9[j:] if k < 0 else col9[j:k]


def check_header(head_text: str) -> None:
    """The ``gffForPsl.gff`` header lines must read cleanly and hold no ``##FASTA``."""
    import io

    from refseqtracks.errors import RefseqtracksError
    from refseqtracks.gff3 import iter_gff3_features

    if any(line.rstrip() == "##FASTA" for line in head_text.splitlines()):
        raise Unusual("##FASTA in the header")
    try:
        for _ in iter_gff3_features(io.StringIO(head_text, newline="")):
            raise Unusual("a feature line in the header")
    except RefseqtracksError:
        raise Unusual("header refused") from None


def check_sizes(sizes: dict[str, int]) -> None:
    """Every entry must come back unchanged from a ``name<TAB>size`` file (read_chrom_sizes)."""
    for name, size in sizes.items():
        if type(size) is not int or size < 0 or name[:1] in ("", "#") or name.split() != [name]:
            raise Unusual(f"size entry {name!r}")


def _check_shape(shape: str) -> None:
    """Column 9 judged by its tags (``tag=;tag=;...``, the values cut out).

    Raises :class:`Unusual` unless every item is ``tag=value`` with a valid, distinct tag and
    a ``Target`` among them (empty items are skipped by the GFF3 reader, as here).
    """
    tags = [item for item in shape.split(";") if item]
    if (any(item[-1] != "=" or not _tag_ok(item[:-1]) for item in tags)
            or len(set(tags)) != len(tags) or "Target=" not in tags):
        raise Unusual(f"column 9 tags {shape}")


def _single_values_have_commas(col9: str) -> bool:
    for item in col9.split(";"):
        tag, _, value = item.partition("=")
        if tag in _SINGLE_VALUED and "," in value:
            return True
    return False


def _plain_lines(rows: Iterable[str]) -> Iterator[str]:
    """The lines without their newline, checked for what :func:`scan_rows` wants of every line:
    ASCII without '%' or carriage return, a newline at the end of all but the last."""
    unterminated = False
    for i, line in enumerate(rows):
        if unterminated or not line.isascii() or "%" in line or "\r" in line:
            raise Unusual(i)
        if line[-1:] == "\n":
            yield line[:-1]
        else:
            unterminated = True  # only the last line may lack its newline
            yield line


def scan_rows(rows: Iterable[str], genome_sizes: dict[str, int], *, plain: bool = False
              ) -> tuple[dict[str, int], dict[str, int], dict[tuple[str, str, str], int]]:
    """First pass: check every line; RNA sizes, extra genome sizes and each group's last line.

    Returns ``(rna_sizes, genome_sizes_added, last)``: the largest ``Target`` end of each RNA,
    the largest end of each seqid missing from ``genome_sizes``, and the index of the last line
    of each (RNA, seqid, strand) group.  Raises :class:`Unusual` for anything not plain.
    ``plain``: the lines are known to be ASCII without '%', carriage return or newline.
    """
    rsizes: dict[str, int] = {}
    gextra: dict[str, int] = {}
    last: dict[tuple[str, str, str], int] = {}
    shapes: set[str] = set()  # column 9 with the values cut out, checked
    cut_values = _VALUES.sub
    # the text around the Target value of the last line whose shape was checked: the lines of
    # one alignment differ only there (and in Gap), and the shape does not depend on it
    head = tail = None
    i = -1
    for i, line in enumerate(rows if plain else _plain_lines(rows)):
        cols = line.split("\t")
        if len(cols) != 9 or "" in cols or "\n" in line:
            raise Unusual(i)
        seqid, _, ftype, c4, c5, score, strand, phase, col9 = cols
        if (seqid[0] == "#" or not c4.isdigit() or not c5.isdigit() or c4 == "0" * len(c4)
                or strand not in _STRANDS or phase not in _PHASES or ftype == "CDS"
                or (score != "." and not score.replace(".", "", 1).isdigit())):
            raise Unusual(i)
        j = 7 if col9.startswith("Target=") else col9.find(";Target=") + 8
        k = col9.find(";", j)
        if not (head is not None and col9.startswith(head) and len(head) == j
                and (col9.endswith(tail) and len(col9) - k == len(tail) if k >= 0 else not tail)):
            shape = cut_values("=", col9)
            if shape not in shapes:
                _check_shape(shape)  # (which wants a Target: so head ends with 'Target=')
                shapes.add(shape)
            head, tail = col9[:j], col9[k:] if k >= 0 else ""
        if "," in col9 and _single_values_have_commas(col9):
            raise Unusual(i)
        words = (col9[j:] if k < 0 else col9[j:k]).split()
        n = len(words)
        if (n != 3 and n != 4 or not words[1].isdigit() or not words[2].isdigit()
                or words[1][0] == "0" or words[2][0] == "0"):
            raise Unusual(i)
        t_strand = "+"
        if n == 4:
            t_strand = words[3]
            if t_strand not in _STRANDS:
                raise Unusual(i)
        gap = _gap_value(col9) if "Gap=" in col9 else None
        if gap is not None:
            for w in gap.split():
                if w[0] not in _CIGAR_OPS or not w[1:].isdigit():
                    raise Unusual(i)
        name = words[0]
        end = int(words[2])
        if rsizes.get(name, -1) < end:
            rsizes[name] = end
        if seqid not in genome_sizes:
            end = int(c5)
            if gextra.get(seqid, -1) < end:
                gextra[seqid] = end
        last[(name, seqid, "-" if (strand == "-") != (t_strand == "-") else "+")] = i
    return rsizes, gextra, last


def scan_piece(text: str) -> tuple | None:
    """:func:`scan_rows` of the alignment lines of one piece of the input (``text``: whole
    lines, each with its newline), for every sequence: ``(RNA sizes, largest end of each
    sequence, last, number of lines)`` with ``last`` indexed from the piece's first line; None
    when a line is unusual (the step then runs its first pass itself, and decides).
    :func:`merge_scans` puts the pieces together."""
    if not text:
        return {}, {}, {}, 0
    if text[-1] != "\n":  # (only the input's last line can lack it: left to the step)
        return None
    if not text.isascii() or "%" in text or "\r" in text:  # (a line scan_rows refuses)
        return None
    lines = text.split("\n")
    lines.pop()  # (the empty text after the last newline)
    try:
        rsizes, ends, last = scan_rows(lines, {}, plain=True)
    except Unusual:
        return None
    return rsizes, ends, last, len(lines)


def merge_scans(scans: Iterable[tuple | None]) -> tuple | None:
    """The :func:`scan_rows` result ``(RNA sizes, largest end of each sequence, last)`` of the
    pieces' :func:`scan_piece` results in file order (sequences not yet filtered by the known
    sizes: :func:`iter_chains` takes ``scan_rows(rows, genome_sizes)``'s ``genome_sizes_added``);
    None if any piece was unusual."""
    rsizes: dict[str, int] = {}
    ends: dict[str, int] = {}
    last: dict[tuple[str, str, str], int] = {}
    offset = 0
    for scan in scans:
        if scan is None:
            return None
        r, e, piece_last, n = scan
        for table, new in ((rsizes, r), (ends, e)):
            if table.keys().isdisjoint(new):
                table.update(new)
            else:
                for k, v in new.items():
                    if table.get(k, -1) < v:
                        table[k] = v
        last.update({k: v + offset for k, v in piece_last.items()} if offset else piece_last)
        offset += n
    return rsizes, ends, last


def iter_chains(rows: Iterable[str], rna_sizes: dict[str, int], genome_sizes: dict[str, int],
                last: dict[tuple[str, str, str], int], *, max_gap: int
                ) -> Iterator[tuple[str, str, str, list[tuple[int, int, int]]]]:
    """Second pass over the lines :func:`scan_rows` accepted: the chained alignments.

    Yields ``(rna, seqid, strand, blocks)`` per chain (``pslSwap`` orientation: the RNA is the
    query, ``strand`` its strand), ``blocks`` as ``(genome start, RNA start on the strand,
    size)`` in genome order.  Raises :class:`Unusual` where ``gff3ToPsl`` would refuse a line.
    """
    open_groups: dict[tuple[str, str, str], list] = {}
    for i, line in enumerate(rows):
        cols = line.split("\t")  # the newline stays on column 9: split() below drops it
        seqid = cols[0]
        q_start = int(cols[3]) - 1
        q_end = int(cols[4])
        q_minus = cols[6] == "-"
        col9 = cols[8]
        j = 7 if col9.startswith("Target=") else col9.find(";Target=") + 8
        k = col9.find(";", j)
        words = (col9[j:] if k < 0 else col9[j:k]).split()
        name = words[0]
        t_start = int(words[1]) - 1
        t_end = int(words[2])
        t_minus = len(words) == 4 and words[3] == "-"
        rsize = rna_sizes[name]
        if (q_minus and q_end > genome_sizes[seqid]) or (t_minus and t_end > rsize):
            raise Unusual(i)
        minus = q_minus != t_minus
        gap = _gap_value(col9) if "Gap=" in col9 else None
        if gap is None:  # one block: the same forward starts on either strand
            n = q_end - q_start
            if n <= 0 or n != t_end - t_start:
                raise Unusual(i)
            blocks = [(q_start, rsize - t_end if minus else t_start, n)]
        else:
            walk = []
            qo = to = 0
            for w in gap.split():
                op = w[0]
                n = int(w[1:])
                if op == "M":
                    if n:
                        if walk and walk[-1][0] + walk[-1][2] == qo and walk[-1][1] + walk[-1][2] == to:
                            walk[-1] = (walk[-1][0], walk[-1][1], walk[-1][2] + n)
                        else:
                            walk.append((qo, to, n))
                        qo += n
                        to += n
                elif op == "D":
                    qo += n
                else:
                    to += n
            if not walk or qo != q_end - q_start or to != t_end - t_start:
                raise Unusual(i)
            blocks = []
            for qo, to, n in walk:
                g = q_end - qo - n if q_minus else q_start + qo
                r = t_end - to - n if t_minus else t_start + to
                blocks.append((g, rsize - r - n if minus else r, n))
            if q_minus:
                blocks.reverse()
        key = (name, seqid, "-" if minus else "+")
        group = open_groups.get(key)
        if group is None:
            if last[key] == i:  # the usual one-line group
                yield name, seqid, key[2], blocks
                continue
            group = open_groups[key] = []
        first, end = blocks[0], blocks[-1]
        group.append((first[0], first[1], end[0] + end[2], end[1] + end[2], blocks))
        if last[key] == i:
            del open_groups[key]
            for chained in _chain(group, max_gap):
                yield name, seqid, key[2], chained


def _chain(pieces: list, max_gap: int) -> list[list[tuple[int, int, int]]]:
    """kent ``simpleChain`` over the pieces of one group (see the module docstring)."""
    if len(pieces) == 1:
        return [pieces[0][4]]
    chains: list[list] = []  # [t_end, q_end of the last piece, blocks], in the order started
    # the chains a piece may still extend, in the same order: the pieces come by their start,
    # so a chain ending max_gap or more before a piece's start ends so before every later one's
    # (without this, a group of n pieces that do not chain costs n * n / 2 comparisons)
    active: list[list] = []
    for t_start, q_start, t_end, q_end, blocks in sorted(pieces, key=_piece_order):
        best = None
        best_gap = 0
        still = []
        for ch in active:
            t_gap = t_start - ch[0]
            if t_gap >= max_gap:
                continue
            still.append(ch)
            q_gap = q_start - ch[1]
            if 0 <= q_gap < max_gap and 0 <= t_gap and (best is None or t_gap < best_gap):
                best, best_gap = ch, t_gap
        active = still
        if best is None:
            chain = [t_end, q_end, list(blocks)]
            chains.append(chain)
            active.append(chain)
        else:
            best[0] = t_end
            best[1] = q_end
            best[2].extend(blocks)
    return [ch[2] for ch in chains]


def _csv(vals: list[int]) -> str:
    return ",".join(map(str, vals)) + ","


def format_chain(strand: str, q_name: str, q_size: int, t_name: str, t_size: int, offset: int,
                 blocks: list[tuple[int, int, int]]) -> tuple[int, int, str]:
    """One PSL row of a chain; returns ``(tStart, tEnd, line)``; the genome side moved by ``offset``."""
    ts: list[int] = []
    qs: list[int] = []
    sizes: list[int] = []
    q_ins = q_base = t_ins = t_base = 0
    prev_t = prev_q = None
    for t, q, n in blocks:
        t += offset
        if prev_t is not None:
            gap = q - prev_q
            if gap > 0:
                q_ins += 1
                q_base += gap
            gap = t - prev_t
            if gap > 0:
                t_ins += 1
                t_base += gap
        ts.append(t)
        qs.append(q)
        sizes.append(n)
        prev_t = t + n
        prev_q = q + n
    if strand == "-":
        q_lo = min(q_size - q - n for _, q, n in blocks)
        q_hi = max(q_size - q for _, q, _ in blocks)
    else:
        q_lo = min(qs)
        q_hi = max(q + n for _, q, n in blocks)
    t_start = ts[0]
    return t_start, prev_t, (
        f"{sum(sizes)}\t0\t0\t0\t{q_ins}\t{q_base}\t{t_ins}\t{t_base}\t{strand}\t{q_name}\t"
        f"{q_size}\t{q_lo}\t{q_hi}\t{t_name}\t{t_size}\t{t_start}\t{prev_t}\t{len(sizes)}\t"
        f"{_csv(sizes)}\t{_csv(qs)}\t{_csv(ts)}\n")


def fake_row(tx: Transcript, q_size: int | None, t_size: int | None, chrom: str | None = None) -> str | None:
    """kent ``genePredToFakePsl`` of one transcript as a PSL row; None for unordered or negative
    exons.  ``chrom``: the sequence name when not ``tx.chrom`` (a renamed record's)."""
    starts = tx.exon_starts
    ends = tx.exon_ends
    n = len(starts)
    if n == 0 or len(ends) != n or not all(map(operator.lt, starts, starts[1:])):
        return None
    sizes = list(map(operator.sub, ends, starts))
    if min(sizes) < 0:
        return None
    total = sum(sizes)
    if q_size is None or q_size < total:
        q_size = total
    if t_size is None or t_size < tx.tx_end:
        t_size = tx.tx_end
    gaps = [g for g in map(operator.sub, starts[1:], ends) if g > 0]
    if tx.strand == "-":
        strand = "-"
        qs = itertools.accumulate(sizes[:-1], initial=q_size - total)
    else:
        strand = "+"
        qs = itertools.accumulate(sizes[:-1], initial=0)
    if chrom is None:
        chrom = tx.chrom
    return (f"{total}\t0\t0\t0\t0\t0\t{len(gaps)}\t{sum(gaps)}\t{strand}\t{tx.name}\t{q_size}\t0\t"
            f"{total}\t{chrom}\t{t_size}\t{starts[0]}\t{ends[-1]}\t{n}\t{format_int_list(sizes)}\t"
            f"{format_int_list(qs)}\t{format_int_list(starts)}\n")
