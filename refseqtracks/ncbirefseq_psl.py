"""The ncbiRefSeqPsl step of kent ``doNcbiRefSeq.pl``: NCBI's own alignments as PSL.

Coordinates are 0-based half-open (PSL).

doNcbiRefSeq (process step) builds the table from the GFF3's ``cDNA_match``/``match`` rows,
which NCBI gives only for transcripts that do not match the genome exactly, then fakes the
rest:

1. ``gffForPsl.gff``: the first 10 ``#`` lines (``##gff-version 3`` first) and every
   ``cDNA_match``/``match`` line that does not contain ``NG_``;
2. ``gff3ToPsl -dropT genome.sizes rna.sizes`` (one PSL per GFF3 line: the seqid is the
   *query*, the ``Target`` RNA the *target*), ``pslPosTarget``;
3. ``simpleChain -outPsl -maxGap=300000`` rejoins the per-exon pieces of one alignment;
   ``pslSwap`` makes the RNA the query and the genome the target, ``liftUp`` renames;
4. ``genePredToFakePsl`` of the All transcripts (one block per exon), keeping only those with
   no real alignment of the same RNA on the same chromosome (``pslSomeRecords -tToo -not``);
5. sorted by target name and start (``sort -k14,14 -k16,16n``).

What differs, for want of sequences: ``pslRecalcMatch`` (match/mismatch/repMatch/N counts
recomputed from the genome and RNA sequences) and ``pslFixCdsJoinGap`` are not run, so counts
are gff3ToPsl's and the fake PSLs count every exon base as a match.  ``simpleChain`` is
reproduced for NCBI's pieces: pieces of the same RNA, chromosome and strand are joined when
they follow each other on both sequences with gaps under 300,000 bases (counts are summed and
the insert counts recomputed from the blocks, as simpleChain does); kent's scoring order and
its handling of pieces that overlap a chain are not.  RNA sizes default to the
largest aligned RNA position (or, for fake PSLs, the exon total) unless given.

Two routes make the same rows: NCBI's usual lines are converted and chained directly on tuples
(:mod:`refseqtracks.ncbirefseq_psl_rows`, two passes over the lines, a group chained once its
last line is read); any line, size or header that route does not vouch for sends the whole step
down the general route above (gffForPsl.gff, gff3ToPsl, :class:`Psl` objects), which also
reports refused alignments.  The final sort goes through
:class:`~refseqtracks.extsort.ExternalSorter`, so memory holds at most :data:`SORT_LIMIT` rows.
"""
from __future__ import annotations

import contextlib
import heapq
import os
import tempfile
from dataclasses import dataclass, field
from operator import itemgetter
from typing import IO, TYPE_CHECKING, Callable, Iterable, Iterator

from refseqtracks.errors import RefseqtracksError

from refseqtracks.formats.psl import Psl, format_psl_line, read_psl
from refseqtracks.model import Transcript, replace
from refseqtracks.ncbirefseq_psl_rows import fake_row

if TYPE_CHECKING:
    from refseqtracks.extsort import ExternalSorter

__all__ = ["MAX_GAP", "gff_for_psl", "psl_pos_target", "psl_swap", "simple_chain", "fake_psl",
           "psl_from_gff3_lines", "rna_sizes_from_targets", "real_psl_rows", "RealRows", "RealRowsJob",
           "fake_item"]

MAX_GAP = 300_000

#: rows the final sort holds in memory before a sorted run goes to a temporary file
SORT_LIMIT = 16_000  # (about 8 MB of rows: human RefSeq has about 60,000 alignment rows)


def gff_for_psl(comment_head: list[str], lines: list[str]) -> str:
    """doNcbiRefSeq's ``gffForPsl.gff`` text."""
    head = list(comment_head)
    if not head or not head[0].startswith("##gff-version"):
        head.insert(0, "##gff-version 3\n")
    return "".join(head) + "".join(lines)


def rna_sizes_from_targets(lines: Iterable[str]) -> dict[str, int]:
    """RNA sizes as the largest ``Target`` end of each RNA (a lower bound of the real size)."""
    sizes: dict[str, int] = {}
    for line in lines:
        col9 = line.rstrip("\r\n").split("\t", 8)[-1]
        for item in col9.split(";"):
            if item.startswith("Target="):
                parts = item[7:].split()
                if len(parts) >= 3 and parts[2].isdigit():
                    name = _unescape(parts[0])
                    sizes[name] = max(sizes.get(name, 0), int(parts[2]))
                break
    return sizes


def _unescape(text: str) -> str:
    if "%" not in text:
        return text
    from refseqtracks.gff3 import unescape
    return unescape(text)


def _blocks_fwd(p: Psl) -> list[tuple[int, int, int]]:
    """(qStart, tStart, size) of each block, both on the forward strands."""
    out = []
    qrev = p.strand[0] == "-"
    trev = len(p.strand) > 1 and p.strand[1] == "-"
    for size, qs, ts in zip(p.block_sizes, p.q_starts, p.t_starts):
        q = p.q_size - (qs + size) if qrev else qs
        t = p.t_size - (ts + size) if trev else ts
        out.append((q, t, size))
    return out


def _from_fwd(p: Psl, q_name: str, q_size: int, t_name: str, t_size: int, strand: str,
              blocks: list[tuple[int, int, int]], counts: tuple[int, int, int, int]) -> Psl:
    """A PSL from forward-strand blocks; single-char ``strand`` is the query's, target is '+'."""
    blocks = sorted(blocks, key=lambda b: b[1])
    if strand == "-":
        qs = [q_size - (q + size) for q, _, size in blocks]
    else:
        qs = [q for q, _, _ in blocks]
    ts = [t for _, t, _ in blocks]
    sizes = [s for _, _, s in blocks]
    q_ins = q_base = t_ins = t_base = 0
    for i in range(1, len(blocks)):
        qg = qs[i] - (qs[i - 1] + sizes[i - 1])
        tg = ts[i] - (ts[i - 1] + sizes[i - 1])
        if qg > 0:
            q_ins += 1
            q_base += qg
        if tg > 0:
            t_ins += 1
            t_base += tg
    q_lo = min(q for q, _, _ in blocks)
    q_hi = max(q + s for q, _, s in blocks)
    return Psl(counts[0], counts[1], counts[2], counts[3], q_ins, q_base, t_ins, t_base, strand,
               q_name, q_size, q_lo, q_hi, t_name, t_size, ts[0], ts[-1] + sizes[-1], len(blocks),
               tuple(sizes), tuple(qs), tuple(ts))


def psl_pos_target(p: Psl) -> Psl:
    """kent ``pslPosTarget``: the same alignment with the target on the '+' strand."""
    if len(p.strand) < 2 or p.strand[1] != "-":
        return p
    q_strand = "-" if p.strand[0] == "+" else "+"
    blocks = _blocks_fwd(p)
    out = _from_fwd(p, p.q_name, p.q_size, p.t_name, p.t_size, q_strand, blocks,
                    (p.matches, p.mis_matches, p.rep_matches, p.n_count))
    out.strand = q_strand + "+"
    return out


def psl_swap(p: Psl) -> Psl:
    """kent ``pslSwap``: query and target exchanged, target kept on '+' (single-char strand)."""
    same = (p.strand[0] == (p.strand[1] if len(p.strand) > 1 else "+"))
    blocks = [(t, q, s) for q, t, s in _blocks_fwd(p)]
    return _from_fwd(p, p.t_name, p.t_size, p.q_name, p.q_size, "+" if same else "-", blocks,
                     (p.matches, p.mis_matches, p.rep_matches, p.n_count))


def simple_chain(psls: Iterable[Psl], *, max_gap: int = MAX_GAP) -> list[Psl]:
    """Rejoin pieces of one alignment (same names and strand, colinear, gaps < ``max_gap``).

    Works on single-char-strand PSLs (target '+'); output keeps the input order of each
    chain's first piece.
    """
    groups: dict[tuple[str, str, str], list[tuple[int, Psl]]] = {}
    for i, p in enumerate(psls):
        groups.setdefault((p.q_name, p.t_name, p.strand), []).append((i, p))
    chains: list[tuple[int, list[Psl]]] = []
    for members in groups.values():
        members.sort(key=lambda m: (m[1].t_start, m[1].q_starts[0] if m[1].q_starts else 0))
        open_chains: list[tuple[int, list[Psl]]] = []
        for i, p in members:
            q0 = p.q_starts[0]
            best = None
            for ch in open_chains:
                last = ch[1][-1]
                q_gap = q0 - (last.q_starts[-1] + last.block_sizes[-1])
                t_gap = p.t_start - last.t_end
                if 0 <= q_gap < max_gap and 0 <= t_gap < max_gap:
                    if best is None or t_gap < best[0]:
                        best = (t_gap, ch)
            if best is None:
                open_chains.append((i, [p]))
            else:
                best[1][1].append(p)
        chains += open_chains
    chains.sort(key=lambda c: c[0])
    out = []
    for _, pieces in chains:
        if len(pieces) == 1:
            out.append(pieces[0])
            continue
        first = pieces[0]
        blocks = [b for piece in pieces for b in _blocks_fwd(piece)]
        counts = tuple(sum(getattr(x, a) for x in pieces)
                       for a in ("matches", "mis_matches", "rep_matches", "n_count"))
        out.append(_from_fwd(first, first.q_name, first.q_size, first.t_name, first.t_size,
                             first.strand, blocks, counts))  # type: ignore[arg-type]
    return out


def fake_psl(tx: Transcript, *, q_size: int | None = None, t_size: int | None = None) -> Psl:
    """kent ``genePredToFakePsl``: a transcript as an alignment of its exons, one block each."""
    sizes = [e - s for s, e in zip(tx.exon_starts, tx.exon_ends)]
    total = sum(sizes)
    q_size = q_size if q_size is not None and q_size >= total else total
    t_size = t_size if t_size is not None and t_size >= tx.tx_end else tx.tx_end
    strand = "-" if tx.strand == "-" else "+"
    blocks = []
    q = 0
    order = range(len(sizes) - 1, -1, -1) if strand == "-" else range(len(sizes))
    for i in order:  # query positions follow the transcript 5'->3'
        blocks.append((q, tx.exon_starts[i], sizes[i]))
        q += sizes[i]
    dummy = None
    return _from_fwd(dummy, tx.name, q_size, tx.chrom, t_size, strand, blocks,  # type: ignore[arg-type]
                     (total, 0, 0, 0))


def _relocate(msg: str, tmp_path: str, head_n: int, linenos: list[int] | None, path: str | None) -> str:
    """Point a ``gffForPsl.gff:N:`` message at the original GFF3 line."""
    prefix = f"{tmp_path}:"
    if not msg.startswith(prefix):
        return msg.replace(tmp_path, path or "gffForPsl.gff")
    num, _, rest = msg[len(prefix):].partition(":")
    if num.isdigit() and linenos and 0 < int(num) - head_n <= len(linenos) and path:
        return f"{path}:{linenos[int(num) - head_n - 1]}:{rest}"
    return f"{path or 'gffForPsl.gff'}:{rest}"


def _lift(p: Psl, renamer, out_sizes: dict[str, int] | None) -> bool:
    """liftUp of the target (genome) side; False when the record is dropped as unmapped.

    Unmapped names are already counted by the genePred renaming, so they are not counted again.
    """
    cmap = renamer.cmap
    new = cmap.names.get(p.t_name)
    if new is None:
        return not renamer.drop_unmapped
    off = cmap.offsets.get(p.t_name, 0)
    if off:
        p.t_start += off
        p.t_end += off
        p.t_starts = tuple(t + off for t in p.t_starts)
        p.t_size = (out_sizes or {}).get(new, cmap.sizes.get(new, p.t_end))
    elif new in cmap.sizes:
        p.t_size = cmap.sizes[new]
    p.t_name = new
    return True


def _write_sizes(path: str, sizes: dict[str, int]) -> None:
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("".join(f"{k}\t{v}\n" for k, v in sizes.items()))


def _open_rows(lines: "list[str] | str") -> "contextlib.AbstractContextManager[Iterable[str]]":
    """The rows as an iterable inside a ``with`` (an open file for a path)."""
    if isinstance(lines, str):
        return open(lines, encoding="utf-8", errors="surrogateescape", newline="")
    return contextlib.nullcontext(lines)


def _iter_rows(lines: "list[str] | str") -> Iterable[str]:
    if isinstance(lines, str):
        with open(lines, encoding="utf-8", errors="surrogateescape", newline="") as f:
            yield from f
    else:
        yield from lines


def psl_from_gff3_lines(comment_head: list[str], lines: "list[str] | str", out: IO[str], *,
                        genome_sizes: dict[str, int], rna_sizes: dict[str, int] | None = None,
                        renamer=None, bin: bool = False, fakes: Iterable[Transcript] = (),
                        out_sizes: dict[str, int] | None = None, linenos: list[int] | None = None,
                        path: str | None = None,
                        report: Callable[[str], None] | None = None,
                        real: "RealRows | None" = None,
                        fake_rows: "ExternalSorter | None" = None) -> tuple[int, str]:
    """Run the whole step; writes PSL rows to ``out`` and returns (count, note for the manifest).

    ``lines`` are the cDNA_match/match rows, or the path of a file holding them.  ``fakes`` are
    the (renamed) All transcripts for genePredToFakePsl, read once; or ``fake_rows`` has their
    rows already made (:func:`fake_item`, the sorter's text is ``(row, RNA, sequence)``).
    ``out_sizes``: the sizes under the output sequence names.  NCBI alignment rows that
    gff3ToPsl refuses do not fail the build: the alignments are skipped (every transcript then
    gets a fake PSL) and the problem is reported, with ``path`` and the line numbers ``linenos``
    of the original GFF3.
    Memory holds at most :data:`SORT_LIMIT` rows (the rest wait sorted in temporary files) and
    the alignments of the groups being chained.  ``real``: the NCBI rows made beforehand
    (:meth:`RealRowsJob.result`, with the same arguments).
    """
    n, note, _ = _psl_step(comment_head, lines, out, genome_sizes=genome_sizes, rna_sizes=rna_sizes,
                           renamer=renamer, bin=bin, fakes=fakes, out_sizes=out_sizes,
                           linenos=linenos, path=path, report=report, real=real, fake_rows=fake_rows)
    return n, note


def _sort_text(text: str) -> str:
    """A string whose code point order is the UTF-8 byte order of ``text`` (sort's order)."""
    return text if text.isascii() else text.encode("utf-8", "surrogateescape").decode("latin-1")


def _psl_step(comment_head: list[str], lines: "list[str] | str", out: IO[str], *,
              genome_sizes: dict[str, int], rna_sizes: dict[str, int] | None,
              renamer, bin: bool, fakes: Iterable[Transcript], out_sizes: dict[str, int] | None,
              linenos: list[int] | None, path: str | None,
              report: Callable[[str], None] | None, fast: bool = True,
              real: "RealRows | None" = None,
              fake_rows: "ExternalSorter | None" = None) -> tuple[int, str, bool]:
    """:func:`psl_from_gff3_lines`, also saying whether the direct conversion made the rows.

    ``fast=False`` takes the general route (gffForPsl.gff, gff3ToPsl, Psl objects) throughout;
    ``real`` gives the NCBI rows already made (:class:`RealRowsJob`).
    """
    if real is None:
        real = real_psl_rows(comment_head, lines, genome_sizes=genome_sizes, rna_sizes=rna_sizes,
                             renamer=renamer, bin=bin, out_sizes=out_sizes, linenos=linenos, path=path,
                             report=report, fast=fast)
    sorter, have = real.sorter, real.have
    n_fake = 0
    try:
        if fake_rows is None:
            for tx in fakes:
                if (tx.name, tx.chrom) in have:
                    continue
                q_size = rna_sizes.get(tx.name) if rna_sizes else None
                t_size = out_sizes.get(tx.chrom) if out_sizes else None
                key, (text, _, _) = fake_item(tx, q_size=q_size, t_size=t_size, bin=bin, fast=fast)
                sorter.add(key, text)
                n_fake += 1
            texts = iter(sorter)
        else:  # the fake rows are sorted already: merged with the real ones
            def kept() -> Iterator[tuple]:
                nonlocal n_fake
                for key, _, (text, name, chrom) in fake_rows.sorted_items():
                    if (name, chrom) not in have:
                        n_fake += 1
                        yield key, 0, text
            texts = map(itemgetter(2), heapq.merge(sorter.sorted_items(), kept(), key=itemgetter(0)))
        count = 0
        buf: list[str] = []
        for text in texts:
            buf.append(text)
            if len(buf) >= 8192:
                out.write("".join(buf))
                count += len(buf)
                buf.clear()
        if buf:
            out.write("".join(buf))
            count += len(buf)
    finally:
        sorter.close()
        if fake_rows is not None:
            fake_rows.close()
    notes = [f"{real.n_real} from NCBI alignments, {n_fake} from genePredToFakePsl", *real.notes]
    return count, "; ".join(notes), real.used_fast


def fake_item(tx: Transcript, *, q_size: int | None, t_size: int | None, bin: bool,
              fast: bool = True, chrom: str | None = None) -> tuple:
    """genePredToFakePsl's row of one (renamed) transcript as a sort item of the step:
    ``(key, (row, RNA, sequence))`` (the row with its bin when asked).  ``chrom``: the
    transcript's sequence name when not ``tx.chrom`` (renamed)."""
    if chrom is None:
        chrom = tx.chrom
    line = fake_row(tx, q_size, t_size, chrom) if fast else None
    if line is None:
        if chrom != tx.chrom:
            tx = replace(tx, chrom=chrom)
        p = fake_psl(tx, q_size=q_size, t_size=t_size)
        key, text = _row_item(bin, p.t_name, p.t_start, p.t_end, format_psl_line(p))
    else:
        key, text = _row_item(bin, chrom, tx.exon_starts[0], tx.exon_ends[-1], line)
    return key, (text, tx.name, chrom)


def _add_row(sorter, bin: bool, t_name: str, t_start: int, t_end: int, line: str) -> None:
    """One output row into ``sorter``: see :func:`_row_item`."""
    sorter.add(*_row_item(bin, t_name, t_start, t_end, line))


def _row_item(bin: bool, t_name: str, t_start: int, t_end: int, line: str) -> tuple:
    """``(key, text)`` of one output row: sort -k14,14 -k16,16n, with sort's last resort: the
    whole line, bytewise."""
    if bin:
        from refseqtracks.bins import bin_from_range
        text = f"{bin_from_range(t_start, t_end)}\t{line}"
    else:
        text = line
    return (_sort_text(t_name), t_start, _sort_text(line)), text


@dataclass
class RealRows:
    """The NCBI alignment rows of the step (sorted, waiting for the fake ones), and what is
    known about them."""

    sorter: "ExternalSorter"
    have: set = field(default_factory=set)   # (RNA, sequence) pairs with a real alignment
    n_real: int = 0
    notes: list = field(default_factory=list)
    used_fast: bool = False


def real_psl_rows(comment_head: list[str], lines: "list[str] | str", *, genome_sizes: dict[str, int],
                  rna_sizes: dict[str, int] | None, renamer, bin: bool,
                  out_sizes: dict[str, int] | None, linenos: list[int] | None, path: str | None,
                  report: Callable[[str], None] | None, fast: bool = True,
                  first_pass: tuple | None = None) -> RealRows:
    """Steps 1-3 and liftUp: the rows of NCBI's alignments, in a sorter.

    ``first_pass``: the direct conversion's first pass over ``lines``, made beforehand
    (:func:`refseqtracks.ncbirefseq_psl_rows.merge_scans`)."""
    from refseqtracks.extsort import ExternalSorter
    from refseqtracks.ncbirefseq_psl_rows import Unusual

    real = RealRows(ExternalSorter(limit=SORT_LIMIT))
    notes, have = real.notes, real.have

    def add(t_name: str, t_start: int, t_end: int, line: str) -> None:
        _add_row(real.sorter, bin, t_name, t_start, t_end, line)

    try:
        if next(iter(_iter_rows(lines)), None) is None:
            return real
        try:
            from refseqtracks.gff3topsl import gff3_to_psl
        except ImportError:
            notes.append("cDNA_match/match alignments skipped: gff3ToPsl is not available in this install")
            return real
        if not rna_sizes:
            notes.append("RNA sizes are the largest aligned RNA positions (no --rna-sizes)")
        if fast:
            try:
                real.n_real = _direct_rows(comment_head, lines, genome_sizes, rna_sizes, renamer,
                                           out_sizes, add, have, first_pass)
                real.used_fast = True
                return real
            except Unusual:  # the general route decides, and reports any error
                real.sorter.close()
                real.sorter = ExternalSorter(limit=SORT_LIMIT)
                have.clear()
        for p in _general_route(gff3_to_psl, comment_head, lines, genome_sizes, rna_sizes,
                                linenos, path, report, notes):
            if renamer is not None and not _lift(p, renamer, out_sizes):
                continue
            add(p.t_name, p.t_start, p.t_end, format_psl_line(p))
            have.add((p.q_name, p.t_name))
            real.n_real += 1
        return real
    except BaseException:
        real.sorter.close()
        raise


class RealRowsJob:
    """:func:`real_psl_rows` in a child process (``fork``), while the build writes its tables.

    The child hands back its messages, notes and sorted rows through temporary files;
    :meth:`result` reports the messages (where the step would have) and returns the rows.  If
    the child cannot run or fails, :meth:`result` makes the rows in this process instead, so
    the outcome is the same either way.
    """

    def __init__(self, comment_head: list[str], lines: str, *, first_pass_files: list[str] | None = None, **kw):
        self.args = (comment_head, lines)
        self.kw = kw
        #: the pieces' first passes (:func:`refseqtracks.ncbirefseq_psl_rows.scan_piece`, each in a
        #: :mod:`refseqtracks.batchfile` file), merged where the rows are made
        self.first_pass_files = first_pass_files
        self.proc = None
        self.head = self.rows = None
        try:
            import multiprocessing
            ctx = multiprocessing.get_context("fork")
        except (ImportError, ValueError):
            return
        self.head = tempfile.TemporaryFile()
        self.rows = tempfile.TemporaryFile()
        self.parent = os.getpid()
        self.proc = ctx.Process(target=self._child, daemon=True)
        self.proc.start()

    def _child(self) -> None:
        import marshal
        from refseqtracks.process import end_with_parent
        try:
            end_with_parent(self.parent)
            msgs: list[str] = []
            real = real_psl_rows(*self.args, **{**self.kw, "report": msgs.append, "first_pass": self._first_pass()})
            count = real.sorter.dump_run(self.rows)
            self.rows.flush()
            marshal.dump((count, list(real.have), real.n_real, real.notes, real.used_fast, msgs), self.head)
            self.head.flush()
        except BaseException:  # noqa: BLE001 - the parent makes the rows itself and reports properly
            os._exit(1)

    def _first_pass(self) -> tuple | None:
        if self.first_pass_files is None:
            return None
        from refseqtracks.batchfile import iter_batches
        from refseqtracks.ncbirefseq_psl_rows import merge_scans

        def read(path: str) -> tuple:
            with open(path, "rb") as f:
                return next(iter_batches(f))
        return merge_scans(map(read, self.first_pass_files))

    def busy(self) -> bool:
        """Whether the child process is still at work."""
        return self.proc is not None and self.proc.is_alive()

    def result(self, report: Callable[[str], None] | None) -> RealRows:
        import marshal
        from refseqtracks.extsort import ExternalSorter

        got = None
        if self.proc is not None:
            self.proc.join()
            if self.proc.exitcode == 0:
                try:
                    self.head.seek(0)
                    got = marshal.load(self.head)
                except (EOFError, ValueError, TypeError):
                    got = None
            self.head.close()
        if got is None:
            if self.rows is not None:
                self.rows.close()
            return real_psl_rows(*self.args, **{**self.kw, "report": report, "first_pass": self._first_pass()})
        count, have, n_real, notes, used_fast, msgs = got
        if report is not None:
            for m in msgs:
                report(m)
        sorter = ExternalSorter(limit=SORT_LIMIT)
        self.rows.seek(0)
        sorter.add_run(self.rows, count)
        return RealRows(sorter, {tuple(h) for h in have}, n_real, notes, used_fast)

    def close(self) -> None:
        """Stop the child (a build that failed meanwhile) and drop its files."""
        if self.proc is not None and self.proc.is_alive():
            self.proc.terminate()
            self.proc.join()
        for f in (self.head, self.rows):
            if f is not None:
                f.close()


def _direct_rows(comment_head: list[str], lines: "list[str] | str", genome_sizes: dict[str, int],
                 rna_sizes: dict[str, int] | None, renamer, out_sizes: dict[str, int] | None,
                 add: Callable[[str, int, int, str], None], have: set[tuple[str, str]],
                 first_pass: tuple | None = None) -> int:
    """The real rows by :mod:`refseqtracks.ncbirefseq_psl_rows`; raises ``Unusual`` to give up.
    ``first_pass``: :func:`~refseqtracks.ncbirefseq_psl_rows.merge_scans` of the lines, when
    made beforehand."""
    from refseqtracks.ncbirefseq_psl_rows import (
        Unusual, check_header, check_sizes, iter_chains, scan_rows,
    )

    head = gff_for_psl(comment_head, [])
    if not head.endswith("\n"):
        raise Unusual("header without a final newline")
    check_header(head)
    if first_pass is not None:
        rsizes, ends, last = first_pass
        rsizes = dict(rsizes)
        gextra = {k: v for k, v in ends.items() if k not in genome_sizes}
    else:
        with _open_rows(lines) as rows:
            rsizes, gextra, last = scan_rows(rows, genome_sizes)
    if rna_sizes:
        rsizes.update({k: v for k, v in rna_sizes.items() if k in rsizes})
    gsizes = dict(genome_sizes)
    gsizes.update(gextra)
    check_sizes(gsizes)
    check_sizes(rsizes)
    with _open_rows(lines) as rows:
        n = _lifted_rows(iter_chains(rows, rsizes, gsizes, last, max_gap=MAX_GAP), rsizes, gsizes,
                         renamer, out_sizes, add, have)
    return n


def _lifted_rows(chains, rsizes: dict[str, int], gsizes: dict[str, int], renamer,
                 out_sizes: dict[str, int] | None, add: Callable[[str, int, int, str], None],
                 have: set[tuple[str, str]]) -> int:
    """liftUp (as :func:`_lift` does) and format the chains of :func:`iter_chains`."""
    from refseqtracks.ncbirefseq_psl_rows import format_chain

    cmap = renamer.cmap if renamer is not None else None
    n = 0
    for rna, seqid, strand, blocks in chains:
        t_name, t_size, off = seqid, gsizes[seqid], 0
        if cmap is not None:
            new = cmap.names.get(seqid)
            if new is None:
                if renamer.drop_unmapped:
                    continue
            else:
                off = cmap.offsets.get(seqid, 0)
                if off:
                    t_end = blocks[-1][0] + blocks[-1][2] + off
                    t_size = (out_sizes or {}).get(new, cmap.sizes.get(new, t_end))
                elif new in cmap.sizes:
                    t_size = cmap.sizes[new]
                t_name = new
        t_start, t_end, line = format_chain(strand, rna, rsizes[rna], t_name, t_size, off, blocks)
        add(t_name, t_start, t_end, line)
        have.add((rna, t_name))
        n += 1
    return n


def _general_route(gff3_to_psl, comment_head: list[str], lines: "list[str] | str",
                   genome_sizes: dict[str, int], rna_sizes: dict[str, int] | None,
                   linenos: list[int] | None, path: str | None,
                   report: Callable[[str], None] | None, notes: list[str]) -> list[Psl]:
    """gffForPsl.gff, ``gff3ToPsl -dropT``, ``pslPosTarget``, ``pslSwap``, ``simpleChain``."""
    rsizes = rna_sizes_from_targets(_iter_rows(lines))
    if rna_sizes:
        rsizes.update({k: v for k, v in rna_sizes.items() if k in rsizes})
    gsizes = dict(genome_sizes)
    for line in _iter_rows(lines):  # a seqid without a known size: its largest aligned end
        cols = line.split("\t", 5)
        if len(cols) > 4 and cols[0] not in genome_sizes and cols[4].isdigit():
            gsizes[cols[0]] = max(gsizes.get(cols[0], 0), int(cols[4]))
    with tempfile.TemporaryDirectory(prefix="refseqtracks-psl-") as tmp:
        gff = os.path.join(tmp, "gffForPsl.gff")
        with open(gff, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
            f.write(gff_for_psl(comment_head, []))
            for line in _iter_rows(lines):
                f.write(line)
        qs, ts, res = (os.path.join(tmp, n) for n in ("genome.sizes", "rna.sizes", "out.psl"))
        _write_sizes(qs, gsizes)
        _write_sizes(ts, rsizes)
        head_n = gff_for_psl(comment_head, []).count("\n")
        try:
            gff3_to_psl(gff, res, q_sizes=qs, t_sizes=ts, drop_t=True)
            raw = read_psl(res)
            for p in raw:  # e.g. a CIGAR of inserts only: nothing for pslSwap to place
                if not p.block_count:
                    raise RefseqtracksError(f"{path or 'gffForPsl.gff'}: alignment of {p.t_name} on "
                                            f"{p.q_name} has no aligned bases")
        except RefseqtracksError as ex:
            msg = _relocate(str(ex), gff, head_n, linenos, path)
            for tmp_file, label in ((res, "gff3ToPsl output"), (qs, "genome sizes"), (ts, "RNA sizes")):
                msg = msg.replace(tmp_file, label)  # no temporary paths in the manifest
            if report is not None:
                report(f"PSL: NCBI alignments skipped: {msg}")
            notes.append(f"NCBI alignments skipped: {msg}")
            raw = []
    return simple_chain(psl_swap(psl_pos_target(p)) for p in raw)
