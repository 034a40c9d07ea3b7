"""The raw-line pass of the ncbiRefSeq build (kent ``doNcbiRefSeq.pl``'s greps and seds).

Coordinates do not appear here: this module only looks at raw GFF3 lines, as the script's
shell steps do.  It reproduces:

- the annotation release: ``head -100 | grep ^#.annotation-source | sed -e 's/.*annotation-source
  //; s/ Updated Annotation Release//;'``;
- the Select list: ``zegrep 'tag=(RefSeq|MANE) Select'`` lines, their ``Name=`` values without
  ``NP_`` (:func:`refseqtracks.accessions.select_names_from_gff3_line`);
- the PSL input: ``zgrep "^#" | head`` then ``zegrep -v "NG_" | awk '$3 == "cDNA_match" ||
  $3 == "match"'``;
- the ``SO_type=`` fix: ``sed -re 's/([;\\t])SO_type=/\\1so_type=/;'`` (first occurrence per line);

and collects what the link table needs (:class:`refseqtracks.annotate.GffFacts`), the
``##sequence-region`` sizes and the sequence names in use.
"""
from __future__ import annotations

import io
import os
import re
from array import array
from typing import IO, Callable, Iterator

from refseqtracks import accessions as acc
from refseqtracks.annotate import GffFacts
from refseqtracks.errors import RefseqtracksError
from refseqtracks.fileio import Source, input_name, open_input

__all__ = ["Progress", "annotation_release", "GffScan", "SedStream", "scan_file"]

_SO_TYPE = re.compile(r"([;\t])SO_type=")

#: progress callback: (stage text, fraction done or None)
Progress = Callable[[str, "float | None"], None]


def annotation_release(lines: list[str]) -> str:
    """doNcbiRefSeq's release text from header lines (``grep ^#.annotation-source | sed``)."""
    out = []
    for line in lines:
        line = line.rstrip("\r\n")
        if len(line) > 1 and line[0] == "#" and line[2:].startswith("annotation-source"):
            text = line.rpartition("annotation-source ")[2] if "annotation-source " in line else line
            out.append(text.replace(" Updated Annotation Release", "", 1))
    return "\n".join(out)


class GffScan:
    """One pass over raw GFF3 lines collecting what the build needs besides the transcripts."""

    def __init__(self, *, facts: GffFacts | None = None, psl_sink: IO[str] | None = None):
        self.lineno = 0
        self.first_lines: list[str] = []     # the first 100 lines (annotation-source)
        self.comment_head: list[str] = []    # the first 10 '#' lines (PSL input header)
        self.select_names: set[str] = set()
        #: the cDNA_match/match lines for the PSL step: in ``psl_sink`` when given (they can be
        #: a million lines for human), else in this list
        self.psl_sink = psl_sink
        self.psl_lines: list[str] = []
        self.psl_linenos = array("l")        # their line numbers in the GFF3
        self.seqids: dict[str, int] = {}     # feature seqid -> number of lines
        self.region_sizes: dict[str, int] = {}
        self.has_so_type = False
        self.facts = facts if facts is not None else GffFacts(keep_children=False, keep_named=acc.is_all)

    def feed(self, line: str) -> None:
        self.lineno += 1
        if self.lineno <= 100:
            self.first_lines.append(line)
        if "SO_type=" in line and _SO_TYPE.search(line):  # the sed runs on every line
            self.has_so_type = True
        if line[:1] == "#":
            if len(self.comment_head) < 10:
                self.comment_head.append(line if line.endswith("\n") else line + "\n")
            if line.startswith("##sequence-region"):
                parts = line.split()
                if len(parts) >= 4 and parts[3].isdigit():
                    self.region_sizes.setdefault(parts[1], int(parts[3]))
            return
        cols = line.split("\t", 8)
        if len(cols) < 9:
            return
        seqids = self.seqids
        seqids[cols[0]] = seqids.get(cols[0], 0) + 1
        ftype = cols[2]
        if ftype == "cDNA_match" or ftype == "match":
            if "NG_" not in line:
                line = line if line.endswith("\n") else line + "\n"
                if self.psl_sink is not None:
                    self.psl_sink.write(line)
                else:
                    self.psl_lines.append(line)
                self.psl_linenos.append(self.lineno)
            return
        col9 = cols[8]
        if "Select" in col9:
            self.select_names.update(acc.select_names_from_gff3_line(line))
        self.facts.feed_cols(cols)


class SedStream(io.TextIOBase):
    """The GFF3 lines with doNcbiRefSeq's ``SO_type=`` fix, optionally scanned as they pass."""

    def __init__(self, src: Source, scan: GffScan | None = None):
        self._f = open_input(src)
        self.name = input_name(src)
        self._scan = scan
        self._it = self._lines()

    def _lines(self) -> Iterator[str]:
        feed = self._scan.feed if self._scan is not None else None
        for line in self._f:
            if feed is not None:
                feed(line)
            if "SO_type=" in line:
                line = _SO_TYPE.sub(r"\1so_type=", line, count=1)
            yield line

    def __iter__(self) -> Iterator[str]:
        return self._it

    def readline(self, size: int | None = -1) -> str:
        return next(self._it, "")

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._f.close()
        super().close()


def scan_file(path: Source, scan: GffScan, progress: Progress | None) -> None:
    """Pass 1 over a GFF3 file, reporting progress by compressed bytes read."""
    raw = None
    total = 0
    if isinstance(path, (str, os.PathLike)):
        try:
            raw = open(path, "rb")
        except OSError as ex:
            raise RefseqtracksError(f"can't open {input_name(path)}: {ex.strerror or ex}") from None
        total = os.fstat(raw.fileno()).st_size
    try:
        f = open_input(raw if raw is not None else path)
        try:
            feed = scan.feed
            next_report = 0
            for line in f:
                feed(line)
                if progress is not None and scan.lineno >= next_report:
                    next_report = scan.lineno + 200_000
                    progress("reading GFF3", (raw.tell() / total) if total else None)
        finally:
            f.close()
    finally:
        if raw is not None:
            raw.close()
    if progress is not None:
        progress("reading GFF3", 1.0)
