"""Opening inputs and writing outputs the way kent's tools do, safely.

Inputs: a path (``str`` or ``Path``), an open file object (text or binary), or ``-``/``stdin``
for standard input.  Gzip is recognised by its magic bytes, not the file name, and decompressed
with ISA-L (``isal.igzip``) when installed, else :mod:`gzip`.  Text is decoded as UTF-8 with
``surrogateescape`` so that any byte sequence survives a read/write round trip unchanged, as it
does in kent's byte-oriented C tools.

Outputs: :func:`atomic_output` writes to a temporary file beside the target and renames it into
place only when the writer finishes without an exception, so a failed run never leaves a partial
output file.  ``-``/``stdout`` write to standard output, and ``/dev/null`` is written directly.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import zlib
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Union

from refseqtracks.errors import RefseqtracksError

__all__ = [
    "ENCODING", "ERRORS", "Source", "open_input", "input_name", "atomic_output", "is_stdio",
    "write_lines", "ensure_dir", "SpooledInput", "spool_stdin", "is_stdin",
]

ENCODING = "utf-8"
ERRORS = "surrogateescape"
GZIP_MAGIC = b"\x1f\x8b"
_BUFSIZE = 1 << 20

Source = Union[str, os.PathLike, IO]

_STDIN_NAMES = ("-", "stdin", "/dev/stdin")
_STDOUT_NAMES = ("-", "stdout", "/dev/stdout")


def is_stdin(name: object) -> bool:
    """True for the names kent treats as standard input."""
    return isinstance(name, str) and not isinstance(name, SpooledInput) and name in _STDIN_NAMES


def is_stdio(name: object) -> bool:
    """True for the names kent treats as standard input/output."""
    return isinstance(name, str) and name in (_STDIN_NAMES + _STDOUT_NAMES)


def input_name(src: Source) -> str:
    """The name to print in ``path:line:`` messages for an input (as the user gave it)."""
    if isinstance(src, SpooledInput):
        return src.display_name
    if isinstance(src, (str, os.PathLike)):
        return os.fspath(src)
    return getattr(src, "name", None) if isinstance(getattr(src, "name", None), str) else "<stream>"


class SpooledInput(str):
    """The path of a temporary copy of standard input (:func:`spool_stdin`).

    It opens like any path; :func:`input_name` gives the name the user gave (``-``, ``stdin``),
    so messages read as if standard input were read directly."""

    display_name = ""


def spool_stdin(src: str, directory: str | None = None) -> SpooledInput:
    """Copy standard input as it comes (still compressed if it is gzip) to a temporary file.

    A file can be cut into pieces and converted on several cores, which a stream cannot.  The
    caller removes the file (``os.unlink``) when done.
    """
    def failed(ex: OSError, where: str) -> RefseqtracksError:
        return RefseqtracksError(f"can't copy {src} to a temporary file in {where}: {ex.strerror or ex} "
                                 "(set TMPDIR, or give the input as a file)")

    try:
        fd, tmp = tempfile.mkstemp(prefix="refseqtracks-stdin.", dir=directory)
    except OSError as ex:
        raise failed(ex, directory or tempfile.gettempdir()) from None
    try:
        with os.fdopen(fd, "wb") as out:
            src_buf = sys.stdin.buffer
            while True:
                data = src_buf.read(_BUFSIZE)
                if not data:
                    break
                out.write(data)
    except OSError as ex:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise failed(ex, os.path.dirname(tmp)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    path = SpooledInput(tmp)
    path.display_name = src
    return path


def _gunzip_stream(raw: IO[bytes]) -> IO[bytes]:
    try:
        from isal import igzip  # fast path: ISA-L inflate is ~3x zlib's
        return igzip.IGzipFile(fileobj=raw, mode="rb")
    except ImportError:  # pragma: no cover - isal is a declared dependency
        import gzip
        return gzip.GzipFile(fileobj=raw, mode="rb")


class _Gunzipped:
    """What the two gzip streams share: the decompressor, the file under it, and our error
    for truncated or corrupt gzip."""

    def __init__(self, inner: IO[bytes], name: str, raw: IO[bytes]):
        self._inner = inner
        self._raw = raw
        self.name = name

    @property
    def compressed(self) -> IO[bytes]:
        """The compressed file under the decompressor (how far into it the reading is)."""
        return self._raw

    def readable(self) -> bool:
        return True

    def _call(self, method: Callable, arg):
        try:
            return method(arg)
        except (EOFError, OSError, zlib.error) as ex:
            raise RefseqtracksError(f"{self.name}: cannot decompress: {ex or 'truncated gzip file'}") from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._inner.close()
        with contextlib.suppress(Exception):
            self._raw.close()
        super().close()  # type: ignore[misc]


class _SafeGzip(_Gunzipped, io.BufferedIOBase):
    """The binary stream of a gzip file (:func:`open_input` with ``binary``): the decompressor's
    reads straight through.  (A buffered reader over :class:`_SafeReader` makes every large read
    about four times as dear as the decompression: the data is copied twice more, into fresh
    memory each time.)"""

    def read(self, size: int | None = -1) -> bytes:
        return self._call(self._inner.read, size)

    def read1(self, size: int = -1) -> bytes:
        return self._call(self._inner.read1, size)

    def readinto(self, buf) -> int:
        return self._call(self._inner.readinto, buf)

    def readline(self, size: int | None = -1) -> bytes:
        return self._call(self._inner.readline, size)

    def peek(self, size: int = 0) -> bytes:
        return self._call(self._inner.peek, size)


class _SafeReader(_Gunzipped, io.RawIOBase):
    """The raw stream of a gzip file under the text reader (:func:`open_input`)."""

    def readinto(self, buf) -> int:
        data = self._call(self._inner.read, len(buf))
        n = len(data)
        buf[:n] = data
        return n


def open_input(src: Source, *, binary: bool = False) -> IO:
    """Open ``src`` for reading as text (or bytes), transparently gunzipping.

    The caller closes the returned object; closing it does not close a file object that the
    caller passed in.
    """
    name = input_name(src)
    if isinstance(src, (str, os.PathLike)):
        if isinstance(src, str) and src in _STDIN_NAMES:
            raw: IO[bytes] = sys.stdin.buffer
            raw = _NoClose(raw)
        else:
            try:
                raw = open(src, "rb", buffering=_BUFSIZE)
            except OSError as ex:
                raise RefseqtracksError(f"can't open {name}: {ex.strerror or ex}") from None
            if os.path.isdir(src):
                raw.close()
                raise RefseqtracksError(f"can't open {name}: is a directory")
    else:
        if isinstance(src, io.TextIOBase):
            if binary:
                buf = getattr(src, "buffer", None)
                if buf is None:
                    raise RefseqtracksError(f"{name}: need a binary stream")
                return _NoClose(buf)
            return _NoCloseText(src)
        raw = _NoClose(src)
    head = _peek(raw, 2)
    stream: IO[bytes] = raw
    if head == GZIP_MAGIC:
        if binary:
            return _SafeGzip(_gunzip_stream(raw), name, raw)
        stream = io.BufferedReader(_SafeReader(_gunzip_stream(raw), name, raw), buffer_size=_BUFSIZE)
    if binary:
        return stream
    return io.TextIOWrapper(stream, encoding=ENCODING, errors=ERRORS, newline="")


def _peek(raw: IO[bytes], n: int) -> bytes:
    peek = getattr(raw, "peek", None)
    if peek is not None:
        try:
            return peek(n)[:n]
        except (OSError, ValueError):
            return b""
    return b""


class _NoClose(io.BufferedReader):
    """A buffered view of a caller's binary stream that leaves it open on close."""

    def __init__(self, raw: IO[bytes]):
        self._src = raw
        super().__init__(_Passthrough(raw), buffer_size=_BUFSIZE)

    def close(self) -> None:  # the caller owns the underlying stream
        pass


class _Passthrough(io.RawIOBase):
    def __init__(self, raw: IO[bytes]):
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        data = self._raw.read(len(buf))
        n = len(data)
        buf[:n] = data
        return n

    def close(self) -> None:
        pass


class _NoCloseText(io.TextIOBase):
    """A caller's text stream, passed through; closing it is a no-op."""

    def __init__(self, inner: IO[str]):
        self._inner = inner
        self.name = getattr(inner, "name", "<stream>")

    def __iter__(self) -> Iterator[str]:
        return iter(self._inner)

    def read(self, size: int | None = -1) -> str:
        return self._inner.read(size)

    def readline(self, size: int | None = -1) -> str:
        return self._inner.readline(size)

    def close(self) -> None:
        pass


@contextlib.contextmanager
def atomic_output(dest: Union[str, os.PathLike, IO, None], *, binary: bool = False) -> Iterator[IO]:
    """Yield a file to write ``dest``; it appears under its name only if the block succeeds.

    ``dest`` may be a path, ``-``/``stdout`` (standard output), ``/dev/null``, or an open file
    object (written in place; the caller owns it).
    """
    if dest is None:
        yield open(os.devnull, "wb" if binary else "w", encoding=None if binary else ENCODING)
        return
    if not isinstance(dest, (str, os.PathLike)):
        yield dest
        return
    path = os.fspath(dest)
    if path in _STDOUT_NAMES:
        out = sys.stdout.buffer if binary else sys.stdout
        yield out
        out.flush()
        return
    if path == os.devnull or (os.path.exists(path) and not os.path.isfile(path)):
        mode = "wb" if binary else "w"
        try:
            f = open(path, mode) if binary else open(path, mode, encoding=ENCODING, errors=ERRORS, newline="")
        except OSError as ex:
            raise RefseqtracksError(f"can't open {path} to write: {ex.strerror or ex}") from None
        with f:
            yield f
        return
    directory = os.path.dirname(path) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    except OSError as ex:
        raise RefseqtracksError(f"can't open {path} to write: {ex.strerror or ex}") from None
    try:
        if binary:
            f = os.fdopen(fd, "wb", buffering=_BUFSIZE)
        else:
            f = os.fdopen(fd, "w", encoding=ENCODING, errors=ERRORS, newline="", buffering=_BUFSIZE)
        with f:
            yield f
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_lines(out: IO[str], lines: Iterable[str], *, chunk: int = 4096) -> int:
    """Write text lines to ``out`` in large joined chunks; returns how many were written."""
    n = 0
    buf: list[str] = []
    for line in lines:
        buf.append(line)
        if len(buf) >= chunk:
            out.write("".join(buf))
            n += len(buf)
            buf.clear()
    out.write("".join(buf))
    return n + len(buf)


def ensure_dir(path: Union[str, os.PathLike]) -> Path:
    """Create an output folder (and parents) if needed; our error if impossible."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as ex:
        raise RefseqtracksError(f"can't create folder {p}: {ex.strerror or ex}") from None
    return p
