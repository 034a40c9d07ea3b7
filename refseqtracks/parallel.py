"""gff3ToGenePred on several cores: the input cut into pieces at safe places, converted apart.

Why: one CPython process parses a human RefSeq GFF3 (about 4 M lines) at roughly the speed of
one core; the conversion of one gene never looks at another gene, so pieces of the file can be
converted at the same time and their results put together afterwards.  This uses only the
standard library (``concurrent.futures.ProcessPoolExecutor`` with ``fork``); ``numpy``
(already installed with pyranges) checks the feature IDs of all pieces for overlaps in one
sort, when it is present.

How the result stays exactly kent's (byte-identical to the one-process path):

* The main process decompresses the input and cuts it before a *boundary line*: a ``gene``,
  ``pseudogene`` or ``ncRNA_gene`` line without ``Parent``/``Derives_from`` whose ID differs
  from the previous line's (NCBI writes a gene's features after it, before the next gene).  Each piece is written to a
  temporary file and converted by the usual streaming converter in a worker process, with the
  line numbers of the whole file (messages name the real lines).
* kent's output order is the roots in reverse file order; pieces are in file order, so the
  results are the pieces' results (each in kent's order) from the last piece to the first.  The
  conversion error budget (``-maxConvertErrors``, ``-warnAndContinue``) is applied to that
  sequence by the caller exactly as in one process.
* A converter with a ``tx_post`` attribute (``post(gp_line, Transcript | None)``) has it called
  on each record in the worker; a result other than None is handed to ``on_transcript`` in
  the transcript's place (the build formats its rows there: :mod:`refseqtracks.ncbirefseq_rows`).
* A converter with a ``piece_filer`` attribute (``filer(piece results, first_line)``) has it
  called on each piece's results (after ``tx_post``) in the worker; a result other than None
  replaces them: the main process gets it as one ``("piece", filed)`` event (the build files
  the whole piece's rows into its outputs in the worker).  A piece is filed only when nothing
  in it counts against the error budget; a filed piece that would come after the budget is
  spent (its roots would be unprocessed roots) makes the run fall back.
* A converter with a ``piece_hook`` attribute (``hook(piece_path, first_line)``) has it
  called on each piece's text file (a ``##gff-version`` line, then the piece) in the worker
  after a good conversion; the results are left in ``conv.piece_parts`` in file order, or
  handed to ``conv.piece_sink(part)`` in file order as they come (the build hands over its
  scan of the piece's raw lines there, made as the converter's reader read them through
  ``conv.reader_tap``; a run that falls back has handed over some of them).  A hook that
  raises makes the run fall back like any other failure.
* Anything that depends on more than one piece makes the whole run fall back to the
  one-process path (the pieces' work is thrown away, the output is the same, only slower): a
  parse problem or a warning of any kind in a piece (parse errors count against one budget); a
  ``Parent`` or ``Derives_from`` that a piece cannot resolve (it may be in another piece); an ID
  seen in two pieces (kent joins features sharing an ID); a ``##sequence-region`` given in two
  pieces or two ``##genome-build`` lines; a ``##FASTA`` section; a carriage return that is not
  part of ``\\r\\n`` (the text reader also ends lines there); a worker failure of any kind.

Workers: :func:`piece_workers` (the usable cores, at most 4; one worker on one core, which still
keeps memory flat; ``REFSEQTRACKS_JOBS=1`` or ``parallel_jobs = 1``: one process).  They run in
a ``ProcessPoolExecutor``, which stops them by asking (``multiprocessing.Pool.terminate`` kills
them and can then wait forever for a queue lock one of them held).  A worker takes Ctrl-C only
while it converts a piece, and says so: the run stops (it does not fall back).  On Linux a
worker ends when the main process ends, however it ends (:func:`end_with_parent`).

Memory stays flat: at most ``jobs + 2`` pieces (``chunk_bytes`` each, 16 MB by default) exist
at a time, results wait in temporary files, and the main process keeps one 64-bit hash per ID.
"""
from __future__ import annotations

import copy
import gc
import marshal
import os
import shutil
import signal
import tempfile
from array import array
from collections import deque
from typing import IO, Iterator

from refseqtracks.assemble_rules import RootResult
from refseqtracks.errors import RefseqtracksError
from refseqtracks.gff3 import Gff3Reader, _strtol
from refseqtracks.model import Transcript
from refseqtracks.process import end_with_parent, keep_freed_memory, keep_object_arenas

__all__ = ["parallel_results", "default_jobs", "piece_workers", "spools_stdin", "PARALLEL_MIN_BYTES"]

#: inputs smaller than this (bytes on disk) are converted in one process
PARALLEL_MIN_BYTES = 8_000_000
_CHUNK_BYTES = 16 << 20
_HEADER = b"##gff-version 3\n"


class _Fallback(Exception):
    """The pieces cannot be converted apart; use the one-process path."""


def default_jobs() -> int:
    """Worker processes to use: the usable cores (at most 4), 1 when ``fork`` is unavailable."""
    env = os.environ.get("REFSEQTRACKS_JOBS")
    if env is not None and env.strip().isdigit():
        return max(1, int(env))
    import multiprocessing
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(n, 4))


def piece_workers(requested: int | None = None) -> int:
    """Worker processes for converting in pieces; 0: convert in one process.

    ``requested`` (``Gff3Converter.parallel_jobs``), else ``REFSEQTRACKS_JOBS``, may ask for a
    number, 1 meaning one process.  Otherwise :func:`default_jobs`, one worker on one core:
    the main process cuts the pieces while the worker converts them, and memory stays flat.
    Without ``fork``: 0.
    """
    import multiprocessing
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if requested is None:
        env = os.environ.get("REFSEQTRACKS_JOBS")
        if env is None or not env.strip().isdigit():
            return default_jobs()  # (one core: one worker)
        requested = default_jobs()  # (what REFSEQTRACKS_JOBS asks for)
    return requested if requested > 1 else 0


def spools_stdin(src, jobs: int | None = None) -> bool:
    """Whether ``src`` is standard input worth copying to a file first
    (:func:`refseqtracks.fileio.spool_stdin`), to be converted in pieces
    (``jobs``: as for :func:`piece_workers`)."""
    from refseqtracks.fileio import is_stdin
    return is_stdin(src) and piece_workers(jobs) > 0


# -- cutting -----------------------------------------------------------------------------
def _line_id(line: bytes) -> bytes | None:
    i = line.rfind(b"\t")
    for item in line[i + 1:].split(b";"):
        if item.startswith(b"ID="):
            return item[3:]
    return None


_GENE_COLS = (b"gene", b"pseudogene", b"ncRNA_gene")


def _is_boundary(line: bytes, prev: bytes) -> bool:
    if not line or line[:1] == b"#" or line.count(b"\t") != 8 or line.split(b"\t", 3)[2] not in _GENE_COLS:
        return False
    col9 = line[line.rfind(b"\t") + 1:]
    if b"Parent=" in col9 or b"Derives_from=" in col9:
        return False
    fid = _line_id(line)
    return fid is None or fid != _line_id(prev)


def _find_cut(buf: bytes, lo: int = 0) -> int:
    """Start of the last boundary line in ``buf`` that has a complete line before it; 0 if none.

    ``lo``: where the first complete line starts (what comes before is the end of a line).
    """
    end = buf.rfind(b"\n")
    while end > lo:
        nl = buf.rfind(b"\n", lo, end)
        if nl < 0:
            return 0
        start = nl + 1
        prev_start = buf.rfind(b"\n", 0, start - 1) + 1
        if _is_boundary(buf[start:end], buf[prev_start:start - 1]):
            return start
        end = start - 1
    return 0


def _has_fasta(data: bytes) -> bool:
    """Whether ``##FASTA`` occurs in ``data`` (found from its rare ``#``: a search for the
    whole word costs as much as counting the lines)."""
    i = data.find(b"#")
    for _ in range(64):
        if i < 0:
            return False
        if data.startswith(b"##FASTA", i):
            return True
        i = data.find(b"#", i + 1)
    return i >= 0 and b"##FASTA" in data[i:]


def _count_lines(data, end: int) -> int:
    """``data.count(b"\\n", 0, end)``, four times faster with numpy (installed with pyranges)."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with pyranges
        return data.count(b"\n", 0, end)
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8, count=end) == 10))


def _pieces(src, chunk_bytes: int, header: Gff3Reader) -> Iterator[tuple[tuple, int]]:
    """``(parts, first line number)`` pieces of the input after its header line (checked by
    ``header``, which records its version); a piece is its ``parts`` (bytes or memoryview)
    one after the other."""
    from refseqtracks.fileio import open_input
    with open_input(src, binary=True) as fh:
        first = fh.readline()
        if not first.endswith(b"\n") or b"\r" in first:
            raise _Fallback()
        try:
            header._check_header(first[:-1].decode("utf-8", "surrogateescape"))
        except RefseqtracksError:
            raise _Fallback() from None
        lineno = 2
        rest = b""
        size = max(chunk_bytes >> 3, 1)  # the first pieces are smaller: every worker starts sooner
        # the last ones too: while the last piece is converted, the other workers have nothing
        # to do (the text left is estimated from how far into the file on disk the reading is)
        disk = getattr(fh, "compressed", fh)  # (a gzip input: the file under the decompressor)
        try:
            disk_size = os.fstat(disk.fileno()).st_size
        except (AttributeError, OSError, ValueError):
            disk_size = 0
        text_read = 0
        while True:
            data = fh.read(size)
            text_read += len(data)
            size = min(size * 2, chunk_bytes)
            if disk_size and _text_left(disk, disk_size, text_read) < _SMALL_END_PIECES * chunk_bytes:
                size = max(chunk_bytes >> 2, 1)
            if not data:
                break
            if data[-1:] == b"\r":  # (a \r\n split between two reads is still one line end)
                data += fh.read(1)
            if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
                raise _Fallback()
            if _has_fasta(data) or (rest and b"##FASTA" in rest[-8:] + data[:8]):
                raise _Fallback()
            # the usual way: the cut is in the new data, after its first complete line; the
            # piece is written from the rest and a view of the data, without a copy of either
            # (a cut at the data's first complete line or before it is found the slow way)
            lo = data.find(b"\n") + 1 if rest else 0
            cut = _find_cut(data, lo) if lo or not rest else 0
            if cut:
                yield (rest, memoryview(data)[:cut]), lineno
                lineno += rest.count(b"\n") + _count_lines(data, cut)
                rest = data[cut:]
                continue
            buf = rest + data if rest else data
            cut = _find_cut(buf)
            if cut == 0:
                if len(buf) > 16 * chunk_bytes:
                    raise _Fallback()  # no place to cut: one huge locus
                rest = buf
                continue
            yield (buf[:cut],), lineno
            lineno += _count_lines(buf, cut)
            rest = buf[cut:]
        if rest:
            yield (rest,), lineno


#: the text left (estimated) below which pieces are a quarter of the usual size, in pieces
_SMALL_END_PIECES = 4


def _text_left(disk: IO[bytes], disk_size: int, text_read: int) -> float:
    """The text still to come, estimated from the share of the file on disk read so far."""
    try:
        at = disk.tell()
    except (OSError, ValueError):
        return float("inf")
    if at <= 0:
        return float("inf")
    return (disk_size - at) * text_read / at


# -- the workers -------------------------------------------------------------------------
_JOB: dict = {}


#: the signals the workers are started with blocked (their handlers are set first)
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_in_piece = False


def _interrupt(signum, frame) -> None:
    # Ctrl-C: a piece being converted is dropped at once; a worker waiting for a piece ignores
    # it (the main process, interrupted too, ends it by sending no more)
    if _in_piece:
        raise KeyboardInterrupt


def _worker_start() -> None:
    """In each worker as it starts: Ctrl-C as :func:`_interrupt` says (no traceback, no worker
    ending while it holds a queue's lock); SIGTERM ends it (a handler of the caller is not
    kept), and so does the end of the main process (:func:`end_with_parent`); freed memory is
    kept for the next piece (:mod:`refseqtracks.process`)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, _interrupt)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    end_with_parent(_JOB["parent"])
    keep_freed_memory()
    keep_object_arenas()


def _work(index: int, path: str, first_line: int, out_path: str):
    """Convert one piece; returns ``(index, ok, id hashes, (pragmas, comments, last line), part,
    (conversion errors, filed))`` (``ok`` None: interrupted by Ctrl-C)."""
    global _in_piece
    _in_piece = True
    try:
        if _JOB["stop"].is_set():  # the run falls back: the pieces still queued are not wanted
            return index, False, b"", None, None, None
        return _convert_piece(index, path, first_line, out_path)
    except KeyboardInterrupt:  # Ctrl-C: the main process stops too (even if it missed its own)
        return index, None, b"", None, None, None
    except BaseException:  # noqa: BLE001 - any failure: the one-process run reports it properly
        return index, False, b"", None, None, None
    finally:
        _in_piece = False
        try:
            os.unlink(path)
        except OSError:
            pass
        # the conversion runs without the cyclic collector: what it left in cycles goes now,
        # so a worker's memory does not grow piece after piece: the piece's converter and its
        # grouper are such a cycle, holding the piece's IDs and state (collecting only every
        # few pieces raised a build's peak memory by half).  The piece's results are gone by
        # now: collecting while they were alive walked every one of them, a tenth of the work.
        gc.collect()


def _convert_piece(index: int, path: str, first_line: int, out_path: str):
    messages: list[str] = []
    # a copy of the caller's converter (inherited through fork): every option carries over
    conv = copy.copy(_JOB["conv"])
    conv.opts = copy.copy(conv.opts)
    conv.src = path
    conv.messages = messages
    conv.report = messages.append
    conv.parallel_jobs = 1
    conv.spool_results = False  # (a piece's results are small: no temporary file per root)
    conv.line_offset = first_line - 2
    results = conv.run()
    post = getattr(conv, "tx_post", None)
    events_out = []
    for res in results:
        events = res.events
        if post is not None:
            events = [_posted(ev, post) if ev[0] == "tx" else ev for ev in events]
        elif any(ev[0] == "tx" and ev[2] is not None for ev in events):
            events = [(ev[0], ev[1], _tx_fields(ev[2]), ev[3]) if ev[0] == "tx" and ev[2] is not None
                      else ev for ev in events]
        events_out.append((res.processed, events, res.line))
    if messages or not conv.grouper.streaming:
        return index, False, b"", None, None, None
    filer = getattr(conv, "piece_filer", None)
    filed = filer(events_out, first_line) if filer is not None else None
    hook = getattr(conv, "piece_hook", None)
    part = hook(path, first_line) if hook is not None else None
    errors = 0
    if filed is None:
        errors = sum(1 for _, events, _ in events_out for ev in events if ev[0] == "err")
    with open(out_path, "wb") as fh:
        marshal.dump(events_out if filed is None else ("filed", filed), fh)
    ids = array("q", map(hash, conv.grouper.flushed)).tobytes()
    reader = conv.reader
    return (index, True, ids, (reader.pragmas[1:], reader.comments, reader.lineno), part,
            (errors, filed is not None))


def _posted(ev: tuple, post) -> tuple:
    """A ``tx`` event with ``post(line, transcript)``'s result in place of the transcript (a
    5-tuple), or as it was (transcript fields) when ``post`` leaves it to the main process."""
    made = post(ev[1], ev[2])
    if made is not None:
        return ev[0], ev[1], made, ev[3], True
    return (ev[0], ev[1], _tx_fields(ev[2]), ev[3]) if ev[2] is not None else ev


def _tx_fields(tx: Transcript) -> tuple:
    return (tx.name, tx.chrom, tx.strand, tx.tx_start, tx.tx_end, tx.cds_start, tx.cds_end, tx.exon_starts,
            tx.exon_ends, tx.score, tx.name2, tx.cds_start_stat, tx.cds_end_stat, tx.exon_frames,
            dict(tx.attrs) if tx.attrs is not None else None)


def _ids_overlap(parts: list[bytes]) -> bool:
    total = sum(len(p) for p in parts) // 8
    if total < 2:
        return False
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with pyranges
        seen: set[int] = set()
        for p in parts:
            a = array("q")
            a.frombytes(p)
            if not seen.isdisjoint(a):
                return True
            seen.update(a)
        return False
    allids = np.concatenate([np.frombuffer(p, dtype=np.int64) for p in parts if p])
    allids.sort()
    return bool((allids[1:] == allids[:-1]).any())


def _merge_headers(reader: Gff3Reader, parts: list[tuple]) -> bool:
    """The pieces' ``#`` lines and ``##`` directives into ``reader``; False when they clash.

    (kent complains about a ``##sequence-region`` given twice or two ``##genome-build`` lines.)
    """
    for pragmas, comments, last in parts:
        reader.comments.extend(comments)
        for key, rest in pragmas:
            if key == "##sequence-region":
                words = rest.split()
                if words[0] in reader.sequence_regions:
                    return False
                reader.sequence_regions[words[0]] = (_strtol(words[1]) - 1, _strtol(words[2]))
            elif key == "##genome-build" and any(k == key for k, _ in reader.pragmas):
                return False
            reader.pragmas.append((key, rest))
        reader.lineno = last
    return True


def parallel_results(conv, *, jobs: int, chunk_bytes: int = _CHUNK_BYTES) -> Iterator[RootResult] | None:
    """Convert ``conv.src`` (a file path) in pieces on ``jobs`` processes.

    Returns the per-root results in kent's order (like :meth:`Gff3Converter.run`), or None when
    the input must be converted in one process (see the module docstring); nothing has been
    reported then.
    """
    import multiprocessing
    from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
    # what the one-process run leaves in conv.reader: the header, comments and directives
    reader = Gff3Reader(conv.src, max_errors=conv.max_parse_errors)
    reader.path = conv.path
    tmpdir = tempfile.mkdtemp(prefix="refseqtracks-pieces.")
    ctx = multiprocessing.get_context("fork")
    _JOB.clear()
    _JOB.update(conv=conv, stop=ctx.Event(), parent=os.getpid())
    ok = False
    try:
        # (not multiprocessing.Pool: its terminate() can kill a worker that holds a queue's lock
        # and then wait for that lock forever; the executor stops its workers by asking them)
        pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_start)
        finished = False
        try:
            # what exists now is inherited by the workers and lives as long as they do: frozen,
            # the collection after each piece does not walk it again (the first task forks them)
            # (and they start with Ctrl-C and SIGTERM held back until they can take them quietly)
            gc.freeze()
            mask = None
            if hasattr(signal, "pthread_sigmask"):
                mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
            try:
                pool.submit(int)
            finally:
                gc.unfreeze()
                if mask is not None:  # (a Ctrl-C held back is raised here)
                    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            pending: deque = deque()
            outs: list[str] = []
            ids: list[bytes] = []
            headers: list[tuple] = []
            tallies: list[tuple] = []

            parts: list = []
            take_part = getattr(conv, "piece_sink", None) or parts.append

            def collect(fut) -> None:
                _, good, hashes, header, part, tally = fut.result()
                if not good:
                    if good is None:  # (interrupted)
                        raise KeyboardInterrupt
                    raise _Fallback()
                ids.append(hashes)
                headers.append(header)
                tallies.append(tally)
                take_part(part)

            for index, (piece, first_line) in enumerate(_pieces(conv.src, chunk_bytes, reader)):
                path = os.path.join(tmpdir, f"{index}.gff3")
                with open(path, "wb") as fh:
                    fh.write(_HEADER)
                    for part in piece:
                        fh.write(part)
                del piece
                out_path = os.path.join(tmpdir, f"{index}.out")
                outs.append(out_path)
                pending.append(pool.submit(_work, index, path, first_line, out_path))
                while len(pending) > jobs + 1:
                    collect(pending.popleft())
            while pending:
                collect(pending.popleft())
            finished = True
        finally:
            if not finished:
                _JOB["stop"].set()
            # the workers finish what they hold and exit; no thread of the executor outlives
            # the run (a later fork would copy its locks)
            pool.shutdown(wait=True, cancel_futures=True)
        if _ids_overlap(ids) or not _merge_headers(reader, headers) or _filed_after_budget(conv, tallies):
            raise _Fallback()
        ok = True
        conv.pieces = len(outs)
        conv.piece_parts = parts
        conv.reader = reader
        return _replay_pieces(outs, tmpdir)
    except (_Fallback, RefseqtracksError, BrokenExecutor):
        # (an unreadable input is reported by the one-process run; BrokenExecutor: a worker
        # died, killed or out of memory)
        return None
    finally:
        _JOB.clear()
        if not ok:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _filed_after_budget(conv, tallies: list[tuple]) -> bool:
    """Whether a filed piece comes (in kent's order) after the conversion error budget is spent:
    its roots would then be unprocessed roots, which a filed piece no longer knows."""
    count = 0
    for errors, filed in reversed(tallies):
        if filed and count >= conv.max_convert_errors:
            return True
        count += errors
    return False


def _replay_pieces(outs: list[str], tmpdir: str) -> Iterator[RootResult]:
    try:
        for out_path in reversed(outs):
            with open(out_path, "rb") as fh:
                # (marshal.load on a file reads it a few bytes at a time: four times slower)
                items = marshal.loads(fh.read())
            os.unlink(out_path)
            if items.__class__ is tuple:  # a filed piece: one event
                yield RootResult(True, [("piece", items[1])], None)
                continue
            for processed, events, line in items:
                for k, ev in enumerate(events):
                    if ev[0] == "tx" and ev[2] is not None:
                        # a posted event carries the post-processing result in the transcript's place
                        events[k] = ev[:4] if len(ev) == 5 else (ev[0], ev[1], Transcript(*ev[2]), ev[3])
                yield RootResult(processed, events, line)
            del items
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

