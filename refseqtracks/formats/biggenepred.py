"""bigGenePred text (BED12+8): kent's genePredToBigGenePred, and a reader back to Transcripts.

Format facts (UCSC ``bigGenePred.as``): 20 tab-separated columns, 0-based half-open coordinates:
the 12 BED columns (``reserved`` is itemRgb) then ``name2 cdsStartStat cdsEndStat exonFrames
type geneName geneName2 geneType`` (:data:`FIELDS`).  Lists carry a trailing comma.

kent ``genePredToBigGenePred`` fill rules, reproduced by :func:`to_big_genepred`:

- chromStart/chromEnd = txStart/txEnd, thickStart/thickEnd = cdsStart/cdsEnd, blocks = exons;
- score 0 (or from the ``-score`` file: ``name score``), itemRgb ``0`` (or ``-colors``:
  ``name r g b`` → ``r,g,b``);
- name2 = genePred name2 (empty when absent); cdsStartStat/cdsEndStat = the genePred values
  (``none`` when absent); exonFrames = genePred exonFrames, or from the ``-cds`` file
  (``name startStat endStat exonCount frames``), else computed like genePredAddExonFrames;
- type is always empty; geneName = name and geneName2 = name2 (``-geneNames``: ``name gene
  gene2``); geneType empty (``-geneType``: ``name type``).
- ``-known``: the input is a knownGene table (genePred columns then proteinID, alignID), so
  only its first 10 columns are genePred columns.

The package ships ``refseqtracks/data/bigGenePred.as`` (:func:`big_genepred_as_text`), the same
text kent embeds in bigGenePred bigBed files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

from refseqtracks.errors import ParseError
from refseqtracks.fileio import Source, atomic_output, input_name, open_input, write_lines
from refseqtracks.formats.bed import FIELDS as BED_FIELDS
from refseqtracks.formats.bed import parse_bed_line
from refseqtracks.frames import calc_exon_frames
from refseqtracks.model import CDS_STATS, Transcript

__all__ = [
    "FIELDS", "SideFiles", "to_big_genepred", "read_side_files", "iter_big_genepred",
    "read_big_genepred", "write_big_genepred", "big_genepred_as_text", "parse_big_genepred_line",
]

#: bigGenePred columns in UCSC spelling (bigGenePredCommaSepFieldNames).
FIELDS = BED_FIELDS + ("name2", "cdsStartStat", "cdsEndStat", "exonFrames", "type", "geneName",
                       "geneName2", "geneType")

#: kent caps the number of exons of a bigGenePred item.
MAX_EXONS = 10000


@dataclass
class SideFiles:
    """The optional per-name tables of genePredToBigGenePred."""

    scores: Mapping[str, str] = field(default_factory=dict)
    colors: Mapping[str, str] = field(default_factory=dict)
    gene_names: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    cds: Mapping[str, tuple[str, str, tuple[int, ...]]] = field(default_factory=dict)
    gene_types: Mapping[str, str] = field(default_factory=dict)
    known: bool = False


def _read_table(path: str, ncols: int) -> Iterator[tuple[int, list[str]]]:
    name = input_name(path)
    with open_input(path) as f:
        for lineno, line in enumerate(f, 1):
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) == 1:
                cols = cols[0].split()
            if not cols or not cols[0] or cols[0].startswith("#"):
                continue
            if len(cols) < ncols:
                raise ParseError(name, lineno, f"expected {ncols} columns, got {len(cols)}")
            yield lineno, cols


def read_side_files(*, score: str | None = None, colors: str | None = None,
                    gene_names: str | None = None, cds: str | None = None,
                    gene_type: str | None = None, known: bool = False) -> SideFiles:
    """Load genePredToBigGenePred's ``-score -colors -geneNames -cds -geneType`` files."""
    side = SideFiles(known=known)
    if score:
        side.scores = {c[0]: str(_num(c[1], score, n)) for n, c in _read_table(score, 2)}
    if colors:
        side.colors = {}
        for n, c in _read_table(colors, 4):
            side.colors[c[0]] = ",".join(str(_num(v, colors, n)) for v in c[1:4])
    if gene_names:
        side.gene_names = {c[0]: (c[1], c[2]) for _, c in _read_table(gene_names, 3)}
    if cds:
        side.cds = {}
        for n, c in _read_table(cds, 5):
            for stat in (c[1], c[2]):
                if stat not in CDS_STATS:
                    raise ParseError(input_name(cds), n, f"invalid cds status \"{stat}\"")
            frames = tuple(_num(v, cds, n) for v in c[4].rstrip(",").split(",") if v != "")
            if len(frames) != _num(c[3], cds, n):
                raise ParseError(input_name(cds), n, f"exonCount {c[3]} but {len(frames)} frames")
            side.cds[c[0]] = (c[1], c[2], frames)
    if gene_type:
        side.gene_types = {c[0]: c[1] for _, c in _read_table(gene_type, 2)}
    return side


def _num(text: str, path: str, lineno: int) -> int:
    try:
        return int(text)
    except ValueError:
        raise ParseError(input_name(path), lineno, f"invalid number \"{text}\"") from None


def to_big_genepred(tx: Transcript, side: SideFiles | None = None) -> str:
    """kent genePredToBigGenePred: the bigGenePred text line (with newline) of one transcript."""
    name = tx.name
    start = tx.tx_start
    n = len(tx.exon_starts)
    if n > MAX_EXONS:
        raise ParseError(None, None, f"{name} has {n} exons, more than the {MAX_EXONS} allowed")
    score = "0"
    rgb = "0"
    name2 = tx.name2 or ""
    ss = tx.cds_start_stat or "none"
    es = tx.cds_end_stat or "none"
    frames = tx.exon_frames
    gene_name, gene_name2 = name, name2
    gene_type = ""
    if side is not None:
        score = side.scores.get(name, score)
        rgb = side.colors.get(name, rgb)
        if name in side.gene_names:
            gene_name, gene_name2 = side.gene_names[name]
        if name in side.cds:
            ss, es, frames = side.cds[name]
        gene_type = side.gene_types.get(name, gene_type)
    if frames is None or len(frames) != n:
        frames = calc_exon_frames(tx)
    sizes = "".join([f"{e - s}," for s, e in zip(tx.exon_starts, tx.exon_ends)])
    rel = "".join([f"{s - start}," for s in tx.exon_starts])
    fr = "".join([f"{f}," for f in frames])
    return (f"{tx.chrom}\t{start}\t{tx.tx_end}\t{name}\t{score}\t{tx.strand}\t{tx.cds_start}\t"
            f"{tx.cds_end}\t{rgb}\t{n}\t{sizes}\t{rel}\t{name2}\t{ss}\t{es}\t{fr}\t\t"
            f"{gene_name}\t{gene_name2}\t{gene_type}\n")


def write_big_genepred(transcripts: Iterable[Transcript], dest, *,
                       side: SideFiles | None = None) -> int:
    """Write bigGenePred text lines atomically (input order, unsorted, as kent does)."""
    with atomic_output(dest) as out:
        return write_lines(out, (to_big_genepred(tx, side) for tx in transcripts))


def parse_big_genepred_line(line: str, *, path: object = None,
                            lineno: int | None = None) -> Transcript:
    """One bigGenePred line back as a genePredExt Transcript (name2, cds stats, frames)."""
    rec = parse_bed_line(line, path=path, lineno=lineno, bed_n=12)
    extra = rec.extra
    if len(extra) != 8:
        raise ParseError(path, lineno, f"expected 20 bigGenePred columns, got {12 + len(extra)}")
    name2, ss, es, fr = extra[0], extra[1], extra[2], extra[3]
    for what, stat in (("cdsStartStat", ss), ("cdsEndStat", es)):
        if stat not in CDS_STATS:
            raise ParseError(path, lineno, f"invalid {what} \"{stat}\"")
    parts = fr.split(",")
    if parts and parts[-1] == "":
        parts.pop()
    try:
        frames = tuple(int(p) for p in parts)
    except ValueError:
        raise ParseError(path, lineno, f"invalid exonFrames \"{fr}\"") from None
    if len(frames) != rec.block_count:
        raise ParseError(path, lineno,
                         f"exonFrames has {len(frames)} values, blockCount is {rec.block_count}")
    starts = tuple(rec.chrom_start + r for r in rec.chrom_starts)
    ends = tuple(s + z for s, z in zip(starts, rec.block_sizes))
    return Transcript(rec.name, rec.chrom, rec.strand, rec.chrom_start, rec.chrom_end,
                      rec.thick_start, rec.thick_end, starts, ends, rec.score, name2, ss, es, frames)


def iter_big_genepred(src: Source) -> Iterator[Transcript]:
    """Lazily read bigGenePred text lines as Transcripts."""
    name = input_name(src)
    f = open_input(src)
    try:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            yield parse_big_genepred_line(line, path=name, lineno=lineno)
    finally:
        f.close()


def read_big_genepred(src: Source) -> list[Transcript]:
    """Read a whole bigGenePred text file."""
    return list(iter_big_genepred(src))


def big_genepred_as_text() -> str:
    """The bigGenePred autoSql definition shipped with the package (as kent embeds it)."""
    from importlib.resources import files
    return files("refseqtracks").joinpath("data", "bigGenePred.as").read_text(encoding="utf-8")
