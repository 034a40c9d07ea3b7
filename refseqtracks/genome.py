"""Genome sequence access for codon checks and sequence extraction, through ``pysam.FastaFile``.

Accepted genomes: plain FASTA, bgzip-compressed FASTA (``.fa.gz`` written by ``bgzip``, as NCBI's
``*_genomic.fna.gz`` are) and ordinary gzip-compressed FASTA.

* An existing samtools index beside the file (``GENOME.fai``, plus ``GENOME.gzi`` for bgzip) is used
  as it is.  Otherwise the index is built on demand -- never beside the user's file, which may be
  read-only -- in the cache directory (``cache_dir=``, else ``$REFSEQTRACKS_CACHE``, else
  ``$XDG_CACHE_HOME/refseqtracks``, else ``~/.cache/refseqtracks``), named after the genome's
  absolute path, size and modification time, so a changed genome gets a fresh index.
* A plain-gzip (not bgzip) genome cannot be indexed in place: it is decompressed once into the
  same cache directory and indexed there (disk, not memory, so a mammalian genome works too).

Sequence names: an exact match wins; otherwise a name that differs only by an accession version
is accepted when it is unique (``NC_001802.1`` in the annotation finds ``>NC_001802`` in the
FASTA and vice versa) -- NCBI and Nextclade FASTA headers often drop the version.

Fetched bases keep the case of the FASTA (soft-masking).  Every fetch is checked: the range must
lie inside the sequence, and the bases must be nucleotide codes (``ACGTUN`` or the IUPAC
ambiguity codes ``RYSWKMBDHV``, any case); anything else is a :class:`GenomeError`.
Coordinates are 0-based half-open.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from refseqtracks.errors import ConversionError, RefseqtracksError

__all__ = ["Genome", "GenomeError", "open_genome", "default_cache_dir"]

_BAD_BASE = re.compile(r"[^ACGTUNRYSWKMBDHVacgtunryswkmbdhv]")
_VERSION = re.compile(r"\.\d+$")


class GenomeError(ConversionError):
    """The genome cannot serve a requested sequence (missing, too short, not nucleotides)."""


def default_cache_dir() -> Path:
    """Where on-demand indexes and decompressed genomes go."""
    env = os.environ.get("REFSEQTRACKS_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "refseqtracks"


def _sniff(path: str) -> str:
    """'bgzf', 'gzip' or 'plain'; raises for files that cannot be FASTA."""
    try:
        with open(path, "rb") as f:
            head = f.read(18)
            if head[:2] == b"\x1f\x8b":
                if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC":
                    return "bgzf"
                return "gzip"
            first = head.lstrip()[:1]
            if first != b">":
                if not head:
                    raise RefseqtracksError(f"genome {path} is empty")
                raise RefseqtracksError(f"genome {path} is not a FASTA file (does not start with '>')")
            return "plain"
    except OSError as ex:
        raise RefseqtracksError(f"can't open genome {path}: {ex.strerror or ex}") from None


def _key(path: str) -> str:
    st = os.stat(path)
    raw = f"{os.path.abspath(path)}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape")
    return hashlib.sha1(raw).hexdigest()[:24]


def _ensure_dir(d: Path) -> Path:
    try:
        d.mkdir(parents=True, exist_ok=True)
        if not os.access(d, os.W_OK):
            raise OSError("not writable")
        return d
    except OSError:
        return Path(tempfile.mkdtemp(prefix="refseqtracks-genome-"))


def _gunzip_to(src: str, dest: Path) -> None:
    from refseqtracks.fileio import open_input

    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-", suffix=".fa")
    try:
        with os.fdopen(fd, "wb") as out, open_input(src, binary=True) as inp:
            shutil.copyfileobj(inp, out, 1 << 22)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _quiet_stderr():
    """htslib prints its own messages on file descriptor 2; we report failures ourselves."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _build_index(fasta: str, fai: Path, gzi: Path | None) -> None:
    import pysam

    d = fai.parent
    tmp = Path(tempfile.mkdtemp(dir=d, prefix=".tmp-idx-"))
    try:
        args = [fasta, "--fai-idx", str(tmp / "x.fai")]
        if gzi is not None:
            args += ["--gzi-idx", str(tmp / "x.gzi")]
        try:
            with _quiet_stderr():
                pysam.faidx(*args)
        except pysam.SamtoolsError as ex:
            raise _IndexFailed(str(ex)) from None
        if gzi is not None:
            os.replace(tmp / "x.gzi", gzi)
        os.replace(tmp / "x.fai", fai)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _IndexFailed(Exception):
    pass


class _MemoryFasta:
    """Fallback for FASTA that samtools cannot index (lines of unequal length): held in memory."""

    def __init__(self, path: str):
        from refseqtracks.fileio import open_input

        seqs: dict[str, str] = {}
        name: str | None = None
        chunks: list[str] = []
        with open_input(path) as f:
            for lineno, line in enumerate(f, 1):
                if line.startswith(">"):
                    if name is not None:
                        seqs[name] = "".join(chunks)
                    name = line[1:].split(None, 1)[0] if line[1:].strip() else ""
                    if not name:
                        raise RefseqtracksError(f"{path}:{lineno}: FASTA header without a name")
                    if name in seqs:
                        raise RefseqtracksError(f"{path}:{lineno}: sequence {name} appears twice")
                    chunks = []
                elif name is None:
                    if line.strip():
                        raise RefseqtracksError(f"{path}:{lineno}: FASTA text before the first '>' header")
                else:
                    chunks.append(line.strip())
        if name is not None:
            seqs[name] = "".join(chunks)
        self._seqs = seqs
        self.references = list(seqs)
        self.lengths = [len(s) for s in seqs.values()]

    def fetch(self, name: str, start: int, end: int) -> str:
        return self._seqs[name][start:end]

    def close(self) -> None:
        self._seqs = {}


class Genome:
    """A FASTA genome opened for random access (see the module docstring for formats)."""

    def __init__(self, path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None):
        import pysam

        self.path = os.fspath(path)
        kind = _sniff(self.path)
        fasta = self.path
        fai: Path | None = Path(fasta + ".fai")
        gzi: Path | None = Path(fasta + ".gzi") if kind == "bgzf" else None
        have = fai.exists() and (gzi is None or gzi.exists())
        if kind == "gzip" or not have:
            cache = _ensure_dir(Path(cache_dir) if cache_dir is not None else default_cache_dir())
            key = _key(self.path)
            if kind == "gzip":
                plain = cache / f"{key}.fa"
                if not plain.exists():
                    _gunzip_to(self.path, plain)
                fasta = str(plain)
                fai = Path(fasta + ".fai")
                gzi = None
            else:
                fai = cache / f"{key}.fai"
                gzi = cache / f"{key}.gzi" if kind == "bgzf" else None
            if not fai.exists() or (gzi is not None and not gzi.exists()):
                try:
                    _build_index(fasta, fai, gzi)
                except _IndexFailed:
                    # irregular line lengths: still FASTA, so read it into memory instead
                    self._fa = _MemoryFasta(self.path)
                    self._lengths = dict(zip(self._fa.references, self._fa.lengths))
                    self._alias = None
                    return
        try:
            self._fa = pysam.FastaFile(fasta, filepath_index=str(fai),
                                       filepath_index_compressed=str(gzi) if gzi else None)
        except (OSError, ValueError) as ex:
            raise RefseqtracksError(f"cannot open genome {self.path}: {ex}") from None
        self._lengths = dict(zip(self._fa.references, self._fa.lengths))
        self._alias: dict[str, str | None] | None = None

    # -- names -----------------------------------------------------------------------------
    def __contains__(self, seqid: str) -> bool:
        return self.resolve(seqid) is not None

    @property
    def names(self) -> list[str]:
        return list(self._lengths)

    def resolve(self, seqid: str) -> str | None:
        """The FASTA name for ``seqid`` (exact, else version-insensitive and unique), or None."""
        if seqid in self._lengths:
            return seqid
        if self._alias is None:
            alias: dict[str, str | None] = {}
            for n in self._lengths:
                base = _VERSION.sub("", n)
                alias[base] = None if base in alias and alias[base] != n else n
            self._alias = alias
        return self._alias.get(_VERSION.sub("", seqid))

    def length(self, seqid: str) -> int:
        """Length of a sequence; GenomeError when the genome lacks it."""
        name = self.resolve(seqid)
        if name is None:
            raise GenomeError(f"sequence {seqid} is not in genome {self.path}")
        return self._lengths[name]

    # -- bases -----------------------------------------------------------------------------
    def fetch(self, seqid: str, start: int, end: int) -> str:
        """Bases ``[start, end)`` of ``seqid`` (case kept), checked as described above."""
        name = self.resolve(seqid)
        if name is None:
            raise GenomeError(f"sequence {seqid} is not in genome {self.path}")
        size = self._lengths[name]
        if start < 0 or end > size or start > end:
            raise GenomeError(f"{seqid}:{start}-{end} is outside {seqid} "
                              f"({size} bp in genome {self.path})")
        seq = self._fa.fetch(name, start, end)
        bad = _BAD_BASE.search(seq)
        if bad:
            pos = start + bad.start()
            raise GenomeError(f"genome {self.path} has a non-nucleotide character "
                              f"{bad.group()!r} at {seqid}:{pos + 1}")
        return seq

    def close(self) -> None:
        self._fa.close()

    def __enter__(self) -> "Genome":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_genome(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None) -> Genome:
    """Open a FASTA genome (plain, bgzip or gzip) for random access."""
    return Genome(path, cache_dir=cache_dir)
