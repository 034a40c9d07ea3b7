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

and collects what the link table needs (:class:`refseqtracks.annotate_facts.GffFacts`, or for a
piece scanned on its own the sorted entries of :mod:`refseqtracks.link_join` in a file), the
``##sequence-region`` sizes and the sequence names in use.

Why hand-written this way: the pass reads every line of a ~4 M line file before conversion,
so it works on blocks of text (:meth:`GffScan.feed_text`), taken in chunks of whole lines that
fit in the processor's cache (:data:`CHUNK_CHARS`; splitting a 16 MB piece at once costs about
three times as much): one split into lines per chunk, one split into columns per line, and
for the exon, CDS and alignment lines (nine lines in ten) only a few comparisons; the
``SO_type=`` test and the Select names come from one search of the chunk for both words (only
the lines holding a word are looked at: about one in ten), and the comment test looks at the
whole chunk at once.
Exactness: lines end at ``\n``, ``\r\n`` or a lone ``\r`` as when a file is read line by line
(blocks with lone ``\r`` take the line-by-line way); every line reaches the same rules in the
same order as one line at a time (:meth:`GffScan.feed`), which the tests check on random files
cut into random blocks and chunks (and the Select and ``SO_type=`` rules against the original
line-by-line tests).  :func:`scan_text` scans a piece of a file on its own (for workers);
:meth:`GffScan.merge` adds the pieces in order and gives the one-pass result.
"""
from __future__ import annotations

import io
import itertools
import os
import re
import shutil
from array import array
from typing import IO, Callable, Iterator

from refseqtracks import accessions as acc
from refseqtracks.annotate_facts import GffFacts
from refseqtracks.errors import RefseqtracksError
from refseqtracks.fileio import Source, input_name, open_input

__all__ = ["Progress", "annotation_release", "GffScan", "PieceTap", "ScanPart", "SedStream", "scan_file",
           "scan_text"]

_SO_TYPE = re.compile(r"([;\t])SO_type=")
_SKIP_TYPES = frozenset(("exon", "region", "cDNA_match", "match", "sequence_feature"))
#: every line a Select name can come from holds it (``tag=RefSeq Select``, ``tag=MANE Select``)
_SELECT_WORD = "Select"
_SELECT_SEARCH = re.compile(_SELECT_WORD).search  # (faster than str.find here)
#: either word, in one search (costs what one word costs)
_WORDS_SEARCH = re.compile(_SELECT_WORD + "|SO_type=").search
#: characters per chunk of whole lines taken at a time by :meth:`GffScan.feed_range`
CHUNK_CHARS = 1 << 17

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
    """One pass over raw GFF3 lines collecting what the build needs besides the transcripts.

    Feed whole lines, one at a time (:meth:`feed`) or many at once (:meth:`feed_text`, the
    fast way: most lines are exons, CDS pieces and alignments, which cost a split and a few
    comparisons each).
    """

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
        #: the pieces' link-table entry files, in file order (:func:`scan_text` with ``facts_path``;
        #: ``facts`` then stays empty)
        self.fact_files: list[str] = []
        self._files_last_cds: str | None = None
        #: the ``hash`` values of the pieces' genePred names (``array("q")`` bytes, set by the
        #: build when the conversion ran in pieces)
        self.name_hashes: list[bytes] | None = None
        #: the files of the PSL step's first pass over each piece's alignment lines, when every
        #: piece made it (set by the build: :func:`refseqtracks.ncbirefseq_psl_rows.scan_piece`)
        self.psl_first_pass: list[str] | None = None
        #: the run files ``(path, count)`` of the All names of every piece, when the workers
        #: filed every piece (set by the build)
        self.link_runs: list[tuple[str, int]] | None = None

    def finish(self) -> None:
        """The input is complete: keep only the facts link rows can ask for
        (:meth:`GffFacts.compact`).  :func:`scan_file` calls it."""
        compact = getattr(self.facts, "compact", None)
        if compact is not None:
            compact()

    def merge(self, part: ScanPart) -> None:
        """Add the :func:`scan_text` result of the next piece of the file."""
        if part.first_lineno != self.lineno + 1:
            raise ValueError(f"scan pieces out of order: line {part.first_lineno} after line {self.lineno}")
        self.lineno = part.lineno
        self.first_lines += part.first_lines
        self.comment_head += part.comment_head[:max(0, 10 - len(self.comment_head))]
        self.select_names |= part.select_names
        if part.psl_file is not None or part.psl_text:
            # (a piece's file is copied into a file sink as it is: no text then)
            text = part.psl_text if part.psl_file is None else self._psl_file_text(part.psl_file)
            if text and self.psl_sink is not None:
                self.psl_sink.write(text)
            elif text:
                self.psl_lines += [p + "\n" for p in text.split("\n")[:-1]]
            self.psl_linenos.extend(part.psl_linenos)
        seqids = self.seqids
        for k, v in part.seqids.items():
            seqids[k] = seqids.get(k, 0) + v
        for k, v in part.region_sizes.items():
            self.region_sizes.setdefault(k, v)
        self.has_so_type = self.has_so_type or part.has_so_type
        if part.facts_file is not None:
            if part.first_cds_id is not None and part.first_cds_id == self._files_last_cds:
                # the piece's facts were made without knowing that its first CDS line continues
                # the previous piece's last CDS: the conversion must take the one-process way
                raise RefseqtracksError("a CDS continues across pieces")
            if part.last_cds_seen:
                self._files_last_cds = part.last_cds_id
            self.fact_files.append(part.facts_file)
            return
        facts = self.facts
        facts.merge(part.facts)
        first = part.first_cds
        if first is not None and not (part.first_cds_id is not None and part.first_cds_id == facts._last_cds):
            facts.merge(first)
        facts.merge(part.facts_after)

    def _psl_file_text(self, path: str) -> str:
        """The alignment lines a piece left in a file (UTF-8, ``surrogateescape``; removed
        afterwards): copied straight into a sink that is a text file (then ""), or the text."""
        sink = self.psl_sink
        with open(path, "rb") as f:
            buffer = getattr(sink, "buffer", None)
            if buffer is not None:  # (a text file: the bytes go straight through)
                sink.flush()  # type: ignore[union-attr]
                shutil.copyfileobj(f, buffer, 1 << 20)
                text = ""
            else:
                text = f.read().decode("utf-8", "surrogateescape")
        os.unlink(path)
        return text

    def feed(self, line: str) -> None:
        """Take one line (with or without its line end)."""
        self.feed_text(line)

    def feed_text(self, text: str) -> None:
        """Take whole lines (each ending in a line end, but for the last line of the input)."""
        self.feed_range(text, 0, len(text))

    def feed_range(self, text: str, start: int, end: int) -> None:
        """:meth:`feed_text` of ``text[start:end]`` (whole lines), without copying it whole."""
        if start >= end:
            return
        if text.find("\r", start, end) >= 0 and text.count("\r", start, end) != text.count("\r\n", start, end):
            # lone carriage returns end lines too (as when reading the file by lines)
            lines = io.StringIO(text[start:end], newline="").readlines()
            self._take([ln[:-1] if ln[-1:] == "\n" else ln for ln in lines], text, lines)
            return
        find = text.find
        while start < end:
            # in chunks of whole lines: their lines fit in the processor's cache, and the
            # memory of one chunk's lines is used again for the next one's
            cut = find("\n", start + CHUNK_CHARS, end) + 1 or end
            chunk = text[start:cut]
            start = cut
            pieces = chunk.split("\n")
            if pieces[-1]:  # the last line of the input, without a line end
                self._take(pieces, chunk, None, last_open=True, exact=True)
            else:
                pieces.pop()
                self._take(pieces, chunk, None, exact=True)

    def _take(self, pieces: list[str], text: str, lines: list[str] | None, *,
              last_open: bool = False, exact: bool = False, records: tuple | None = None) -> None:
        """Take ``pieces`` (lines without ``\\n``; ``lines``: with their line ends, when they are
        not ``piece + "\\n"``); ``text`` holds them (and maybe parts of neighbouring lines;
        ``exact``: ``text`` is the pieces joined by ``\\n``, maybe with a last ``\\n``).
        ``records``: the reader's record of each piece, in order (see :meth:`_records`)."""
        n = len(pieces)
        base = self.lineno
        self.lineno = base + n
        if base < 100:
            if lines is not None:
                first = lines[:100 - base]
            else:
                first = [p + "\n" for p in pieces[:100 - base]]
                if last_open and len(first) == n:
                    first[-1] = pieces[-1]
            self.first_lines += first
        if not exact:
            text = "\n".join(pieces)  # (before the comment lines are taken out)
        self._words(text)
        if "#" in text and (text[0] == "#" or "\n#" in text):
            self._comments(pieces)
        if records is not None:
            self._records(records, pieces, base)
        else:
            self._features(pieces, base)

    def _comments(self, pieces: list[str]) -> None:
        """Take the comment lines out of ``pieces`` (left as empty lines)."""
        for i, line in enumerate(pieces):
            if line[:1] != "#":
                continue
            pieces[i] = ""
            if len(self.comment_head) < 10:
                self.comment_head.append(line + "\n")
            if line.startswith("##sequence-region"):
                parts = line.split()
                if len(parts) >= 4 and parts[3].isdigit():
                    self.region_sizes.setdefault(parts[1], int(parts[3]))

    def _words(self, text: str) -> None:
        """The ``SO_type=`` test and the Select names of the lines of ``text`` (whole lines
        ending at ``\\n``), in one search for both words: only the lines holding them are
        looked at (the Select rule is the line's alone).  A line whose column 9 is the last
        one's, holding a Select tag, adds the same names again: skipped (the pieces of one CDS)."""
        select = self.select_names
        search = _SELECT_SEARCH if self.has_so_type else _WORDS_SEARCH
        find = text.find
        rfind = text.rfind
        tags = acc.SELECT_TAGS
        last = None  # the last column 9 holding a Select tag whose names were taken
        done = 0  # the end of the last line looked at for Select names
        m = search(text)
        while m is not None:
            at = m.start()
            if text[at + 1] == "O":  # SO_type=: the sed runs on every line
                if at and text[at - 1] in ";\t":
                    self.has_so_type = True
                    search = _SELECT_SEARCH
                m = search(text, at + 8)
                continue
            if at < done:  # (in a line already looked at, still searched for SO_type=)
                m = search(text, at + 6)
                continue
            start = rfind("\n", 0, at) + 1
            end = find("\n", at)
            if end < 0:
                end = len(text)
            done = end
            if text[start] != "#" and find("Name=", start, end) >= 0:  # (a comment line, or no name)
                cols = text[start:end].split("\t", 8)
                if len(cols) == 9 and cols[2] != "cDNA_match" and cols[2] != "match":
                    c9 = cols[8]
                    if c9 != last and "Select" in c9 and "Name=" in c9:
                        select.update(acc.select_names_from_gff3_line(text[start:end]))
                        if any(t in c9 for t in tags):
                            last = c9
            m = search(text, at + 6 if search is _WORDS_SEARCH else end)

    def _features(self, pieces: list[str], base: int) -> None:
        """Sequence names, alignment lines and the facts of the feature lines."""
        facts = self.facts
        feed_cds = facts.feed_cds
        feed_other = facts.feed_other
        skip = _SKIP_TYPES
        seqids = self.seqids
        psl: list[str] = []
        prefix = facts.cds_prefix
        seq = None  # the sequence name of the current run of lines, and their number
        run = 0
        for line in pieces:
            try:
                s, source, t, _, _, _, _, _, c9 = line.split("\t", 8)
            except ValueError:  # not a feature line (a comment line is left empty)
                continue
            if s == seq:
                run += 1
            else:
                if run:
                    seqids[seq] = seqids.get(seq, 0) + run  # type: ignore[index]
                seq = s
                run = 1
            if t == "exon":
                continue
            if t == "CDS":
                if not c9.startswith(prefix):  # not another piece of the last CDS
                    feed_cds(source, c9)
                    prefix = facts.cds_prefix
                continue
            if t == "cDNA_match" or t == "match":
                if "NG_" not in line:
                    psl.append(line)
                continue
            if t not in skip:
                feed_other(source, c9)
        if run:
            seqids[seq] = seqids.get(seq, 0) + run  # type: ignore[index]
        if psl:
            at = -1
            index = pieces.index
            numbers = self.psl_linenos
            for line in psl:  # their line numbers: the same string objects, found in order
                at = index(line, at + 1)
                numbers.append(base + at + 1)
            self._psl(psl)

    def _records(self, records: tuple[list[list], set[int]], pieces: list[str], base: int) -> None:
        """:meth:`_features` of lines that the reader has made into records: ``(lists of them,
        in order, every line but blank, comment and directive lines having one; the line
        numbers of those with columns 1-3 decoded)``, without splitting again the lines of the
        converter's records (:class:`~refseqtracks.assemble_rules.Ann`: column 9 as read,
        ``text``, and columns 1-3 as the line has them, but on the lines given)."""
        from refseqtracks.assemble_rules import Ann
        records, decoded = records
        facts = self.facts
        feed_cds = facts.feed_cds
        feed_other = facts.feed_other
        skip = _SKIP_TYPES
        seqids = self.seqids
        psl: list[str] = []
        numbers = self.psl_linenos
        prefix = facts.cds_prefix
        seq = None  # the sequence name of the current run of lines, and their number
        run = 0
        for rec in itertools.chain.from_iterable(records):
            if rec.__class__ is Ann and not (decoded and rec.lineno in decoded):
                s = rec.seqid
                t = rec.type
                cols = None
            else:  # (a line read the per-line way, or decoded: its columns as they are)
                cols = pieces[rec.lineno - base - 1].split("\t", 8)
                if len(cols) != 9:
                    continue
                s = cols[0]
                t = cols[2]
            if s == seq:
                run += 1
            else:
                if run:
                    seqids[seq] = seqids.get(seq, 0) + run  # type: ignore[index]
                seq = s
                run = 1
            if t == "exon":
                continue
            if t == "CDS":
                c9 = rec.text if cols is None else cols[8]
                if not c9.startswith(prefix):  # not another piece of the last CDS
                    feed_cds(rec.source if cols is None else cols[1], c9)
                    prefix = facts.cds_prefix
                continue
            if t == "cDNA_match" or t == "match":
                line = pieces[rec.lineno - base - 1]
                if "NG_" not in line:
                    psl.append(line)
                    numbers.append(rec.lineno)
                continue
            if t not in skip:
                if cols is None:
                    feed_other(rec.source, rec.text)
                else:
                    feed_other(cols[1], cols[8])
        if run:
            seqids[seq] = seqids.get(seq, 0) + run  # type: ignore[index]
        if psl:
            self._psl(psl)

    def _psl(self, psl: list[str]) -> None:
        """Keep alignment lines (without their line ends)."""
        psl.append("")
        if self.psl_sink is not None:
            self.psl_sink.write("\n".join(psl))
        else:
            self.psl_lines += [p + "\n" for p in psl[:-1]]


class ScanPart:
    """What :func:`scan_text` found in one piece of a GFF3 file (picklable; column 9 of the
    kept features is already made into records).  Merge the pieces in file order with
    :meth:`GffScan.merge`."""

    __slots__ = ("first_lineno", "lineno", "first_lines", "comment_head", "select_names", "psl_text",
                 "psl_file", "psl_linenos", "seqids", "region_sizes", "has_so_type", "facts", "first_cds",
                 "first_cds_id", "facts_after", "facts_file", "last_cds_seen", "last_cds_id")

    def __getstate__(self):
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state):
        for k, v in zip(self.__slots__, state):
            setattr(self, k, v)


class _Parts(list):
    """A text sink keeping what is written as a list of strings."""

    write = list.append


def _first_cds_line(text: str) -> tuple[int, int]:
    """Offsets of the first CDS feature line of ``text`` (``(len, len)`` if none)."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        at = 0  # lone carriage returns end lines too
        for line in io.StringIO(text, newline=""):
            if _is_cds_line(line):
                return at, at + len(line)
            at += len(line)
        return at, at
    at = text.find("\tCDS\t")
    while at >= 0:  # (only the lines that can be CDS lines are looked at)
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at) + 1 or len(text)
        if _is_cds_line(text[start:end]):
            return start, end
        at = text.find("\tCDS\t", end)
    return len(text), len(text)


def _is_cds_line(line: str) -> bool:
    if "\tCDS\t" not in line or line[:1] == "#":
        return False
    cols = line.split("\t", 8)
    return len(cols) == 9 and cols[2] == "CDS"


def scan_text(text: str, first_lineno: int = 1, *, facts_path: str | None = None) -> ScanPart:
    """Scan one piece of a GFF3 file: whole lines, the first being line ``first_lineno``.

    Scanning the pieces of a file and merging them in order (:meth:`GffScan.merge`) gives what
    one pass over the file gives (the build's :class:`GffScan` settings).  The piece's first
    CDS line is kept apart: it adds nothing if it continues the CDS the previous piece ended
    with.

    With ``facts_path``, the piece's facts are not returned but written there as sorted
    link-table entries (:func:`refseqtracks.link_join.name_entries`); merging such a piece
    records the file in :attr:`GffScan.fact_files` and refuses a piece whose first CDS line
    continues the previous piece's last CDS.  (The piece's lines then go to one set of facts:
    before the first CDS line there is no CDS, so that line is taken as by fresh facts.)
    """
    if facts_path is not None:
        tap = PieceTap(first_lineno)
        tap(text, None, False)
        tap(None, None, False)
        return tap.part(facts_path)
    psl = _Parts()
    scan = GffScan(psl_sink=psl)  # type: ignore[arg-type]
    scan.lineno = first_lineno - 1
    a, b = _first_cds_line(text)
    part = ScanPart()
    part.first_lineno = first_lineno
    before = scan.facts
    scan.feed_range(text, 0, a)
    first = scan.facts = GffFacts(keep_children=False, keep_named=acc.is_all)
    scan.feed_range(text, a, b)
    after = scan.facts = GffFacts(keep_children=False, keep_named=acc.is_all)
    after._last_cds, after.cds_prefix = first._last_cds, first.cds_prefix
    scan.feed_range(text, b, len(text))
    for facts in (before, first, after):
        facts.parse_records()
    part.first_cds_id = first._last_cds
    part.facts = before
    part.first_cds = first if a < b else None
    part.facts_after = after
    part.facts_file = None
    part.last_cds_seen = False
    part.last_cds_id = None
    return _filled(part, scan, psl)


def _filled(part: ScanPart, scan: GffScan, psl: _Parts) -> ScanPart:
    """``part`` with what ``scan`` found besides the facts."""
    part.lineno = scan.lineno
    part.first_lines = scan.first_lines
    part.comment_head = scan.comment_head
    part.select_names = scan.select_names
    part.psl_text = "".join(psl)
    part.psl_file = None  # (or the file holding psl_text, when it was moved there)
    part.psl_linenos = scan.psl_linenos
    part.seqids = scan.seqids
    part.region_sizes = scan.region_sizes
    part.has_so_type = scan.has_so_type
    return part


class PieceTap:
    """:func:`scan_text` with ``facts_path`` of a piece, fed block by block as it is read.

    A :attr:`~refseqtracks.gff3.Gff3Reader.block_tap` for the reader converting the piece (the
    build's workers scan the lines the conversion has already read and split, instead of
    reading the piece again).  Call with whole lines of text (``lines``: them split at
    ``\\n``, or None), then ``(None, None, False)`` at the end; :attr:`done` then says the
    whole piece was seen, and :meth:`part` gives what :func:`scan_text` gives.
    """

    __slots__ = ("first_lineno", "done", "_psl", "_scan", "_cds_found", "_first_cds_id")

    def __init__(self, first_lineno: int):
        self.first_lineno = first_lineno
        self.done = False
        self._psl = _Parts()
        self._scan = GffScan(psl_sink=self._psl)  # type: ignore[arg-type]
        self._scan.lineno = first_lineno - 1
        self._cds_found = False
        self._first_cds_id: str | None = None

    def __call__(self, text: str | None, lines: list[str] | None, opened: bool,
                 records: tuple | None = None) -> None:
        if text is None:
            self.done = True
            return
        scan = self._scan
        if not self._cds_found:
            a, b = _first_cds_line(text)
            if a < b:  # the piece's first CDS line: what the facts hold after it is noted
                self._cds_found = True
                if opened:
                    text = text[:-1]  # (the input's last line, without its line end)
                    b = min(b, len(text))
                scan.feed_range(text, 0, b)
                self._first_cds_id = scan.facts._last_cds
                if records is None or lines is None or b >= len(text):
                    scan.feed_range(text, b, len(text))
                    return
                # the lines after it from their records, as below
                cut = scan.lineno
                batches, decoded = records
                rest = [rec for batch in batches for rec in batch if rec.lineno > cut]
                lines = lines[text.count("\n", 0, b):]
                scan._take(lines, text[b:], None, last_open=opened, exact=True, records=([rest], decoded))
                return
        if lines is None:
            scan.feed_text(text[:-1] if opened else text)
        else:
            # (the lines are the reader's, which is done with them: the comment lines are
            # emptied in place)
            scan._take(lines, text, None, last_open=opened, exact=True, records=records)

    def part(self, facts_path: str) -> ScanPart:
        """The piece's :class:`ScanPart`, its link-table entries written to ``facts_path``."""
        from refseqtracks.link_join import name_entries, write_entries
        scan = self._scan
        facts = scan.facts
        write_entries(name_entries(facts), facts_path)
        part = ScanPart()
        part.first_lineno = self.first_lineno
        part.first_cds_id = self._first_cds_id  # (None if the piece has no CDS line)
        part.facts = part.first_cds = part.facts_after = None
        part.facts_file = facts_path
        part.last_cds_seen = facts.cds_seen
        part.last_cds_id = facts._last_cds
        return _filled(part, scan, self._psl)


class SedStream(io.TextIOBase):
    """The GFF3 lines with doNcbiRefSeq's ``SO_type=`` fix, optionally scanned as they pass."""

    def __init__(self, src: Source, scan: GffScan | None = None):
        self._f = open_input(src)
        self.name = input_name(src)
        self._scan = scan
        self._it = self._lines()

    def _lines(self) -> Iterator[str]:
        scan = self._scan
        buf: list[str] = []
        for line in self._f:
            if scan is not None:
                buf.append(line)
                if len(buf) >= 4096:  # scanned in blocks: the same result as line by line
                    scan.feed_text("".join(buf))
                    buf.clear()
            if "SO_type=" in line:
                line = _SO_TYPE.sub(r"\1so_type=", line, count=1)
            yield line
        if buf:
            scan.feed_text("".join(buf))  # type: ignore[union-attr]

    def __iter__(self) -> Iterator[str]:
        return self._it

    def readline(self, size: int | None = -1) -> str:
        return next(self._it, "")

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._f.close()
        super().close()


#: characters read per block by :func:`scan_file`
BLOCK_CHARS = 1 << 17  # (lines that fit in the processor's cache, as :data:`CHUNK_CHARS`)


def scan_file(path: Source, scan: GffScan, progress: Progress | None) -> None:
    """Pass 1 over a GFF3 file, in blocks of whole lines, reporting progress by compressed
    bytes read."""
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
            feed = scan.feed_text
            take = scan._take
            read = f.read
            rest = ""
            next_report = 0
            while True:
                block = read(BLOCK_CHARS)
                if not block:
                    break
                if "\r" in block:  # the general way: whole lines of text
                    block = rest + block
                    cut = block.rfind("\n") + 1
                    rest = block[cut:]
                    feed(block[:cut])
                else:  # split once, the block not copied; the line across two blocks apart
                    pieces = block.split("\n")
                    if len(pieces) == 1:
                        rest += block
                        continue
                    tail = pieces.pop()  # continued in the next block ('' after a line end)
                    if rest:
                        feed(rest + pieces[0] + "\n")
                        del pieces[0]
                    rest = tail
                    if pieces:
                        take(pieces, block, None)  # (the checks on the block may see parts
                        # of the lines around: they belong to lines of the input all the same)
                if progress is not None and scan.lineno >= next_report:
                    next_report = scan.lineno + 200_000
                    progress("reading GFF3", (raw.tell() / total) if total else None)
            feed(rest)
            scan.finish()
        finally:
            f.close()
    finally:
        if raw is not None:
            raw.close()
    if progress is not None:
        progress("reading GFF3", 1.0)
