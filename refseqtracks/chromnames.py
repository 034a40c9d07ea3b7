"""Sequence names: NCBI seqids to UCSC chromosome names, and chromosome sizes.

Three sources, as kent ``doNcbiRefSeq.pl`` allows (its ``-liftFile``, or the database's
``ucscToRefSeq`` table, of which the NCBI assembly report and UCSC's chromAlias are the files):

**NCBI assembly report** (``*_assembly_report.txt``): ``#`` header lines, then tab-separated
rows with the columns of :data:`REPORT_FIELDS`.  Each row maps its RefSeq-Accn, its GenBank-Accn
and its Sequence-Name (first assignment wins, in that order of priority) to the row's
UCSC-style-name.  Where the UCSC-style-name is ``na`` (GRCh38's patches, most non-UCSC
assemblies) the name is derived from the row the way UCSC names such sequences, with the
GenBank accession's ``.`` written as ``v`` (``KN196472.1`` -> ``KN196472v1``):

==========================  =============================  ==========================
Sequence-Role               derived name                   example
==========================  =============================  ==========================
assembled-molecule          ``chr`` + Assigned-Molecule    ``chr1``, ``chrM`` (MT)
unlocalized-scaffold        ``chr<mol>_<acc>_random``      ``chr1_KI270706v1_random``
unplaced-scaffold           ``chrUn_<acc>``                ``chrUn_KI270302v1``
alt-scaffold, novel-patch   ``chr<mol>_<acc>_alt``         ``chr1_KQ458382v1_alt``
fix-patch                   ``chr<mol>_<acc>_fix``         ``chr1_KN196472v1_fix``
==========================  =============================  ==========================

A row whose molecule or GenBank accession is ``na`` (so no name can be derived) is left
unmapped.  Sizes come from Sequence-Length and are kept under every name.

**UCSC chromAlias**, in any of its three layouts: the BED form (``chrom 0 size alias...``, as
``bedToBigBed`` indexes), the table dump (``alias<TAB>chrom<TAB>source``, no header) and the
GenArk text form (a ``# sequenceName ...`` header, then ``name<TAB>alias...``).  Every alias maps
to the row's name.

**liftUp lift file** (``.lft``): ``offset oldName oldSize newName newSize``; ``oldName`` maps to
``newName`` and coordinates move by ``offset`` (doNcbiRefSeq's lift files all have offset 0).

Renaming never loses a record silently: a :class:`Renamer` counts every seqid that had no name,
keeps those records under their own name or drops them (``drop_unmapped``), and reports both.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator

from refseqtracks.errors import ParseError
from refseqtracks.fileio import Source, input_name, open_input
from refseqtracks.model import Transcript

__all__ = [
    "REPORT_FIELDS", "AssemblyReportRow", "read_assembly_report", "derived_ucsc_name",
    "ChromMap", "chrom_map_from_assembly_report", "chrom_map_from_chrom_alias",
    "chrom_map_from_lift", "chrom_sizes_from_assembly_report", "Renamer",
]

#: assembly report columns, NCBI spelling
REPORT_FIELDS = ("Sequence-Name", "Sequence-Role", "Assigned-Molecule",
                 "Assigned-Molecule-Location/Type", "GenBank-Accn", "Relationship", "RefSeq-Accn",
                 "Assembly-Unit", "Sequence-Length", "UCSC-style-name")


@dataclass(frozen=True, slots=True)
class AssemblyReportRow:
    """One sequence of an assembly report (``na`` kept as ``None``)."""

    sequence_name: str
    sequence_role: str
    assigned_molecule: str | None
    location_type: str | None
    genbank_accn: str | None
    relationship: str | None
    refseq_accn: str | None
    assembly_unit: str | None
    sequence_length: int | None
    ucsc_style_name: str | None


def _na(v: str) -> str | None:
    v = v.strip()
    return None if v in ("na", "") else v


def read_assembly_report(src: Source) -> list[AssemblyReportRow]:
    """Parse an NCBI assembly report."""
    name = input_name(src)
    rows = []
    with open_input(src) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 9:
                raise ParseError(name, lineno, f"expected {len(REPORT_FIELDS)} assembly report columns "
                                               f"(Sequence-Name .. UCSC-style-name), got {len(cols)}")
            cols += [""] * (len(REPORT_FIELDS) - len(cols))
            length = _na(cols[8])
            if length is not None and not length.isdigit():
                raise ParseError(name, lineno, f"invalid Sequence-Length \"{cols[8]}\"")
            rows.append(AssemblyReportRow(cols[0].strip(), cols[1].strip(), _na(cols[2]), _na(cols[3]),
                                          _na(cols[4]), _na(cols[5]), _na(cols[6]), _na(cols[7]),
                                          int(length) if length is not None else None, _na(cols[9])))
    return rows


def _ucsc_acc(acc: str) -> str:
    base, dot, ver = acc.rpartition(".")
    return f"{base}v{ver}" if dot else acc


def _chr(molecule: str) -> str:
    return "chrM" if molecule in ("MT", "M", "mitochondrion", "Mito") else f"chr{molecule}"


def derived_ucsc_name(row: AssemblyReportRow) -> str | None:
    """The UCSC-style name of a row whose UCSC-style-name is ``na`` (``None`` if underivable)."""
    role, mol, acc = row.sequence_role, row.assigned_molecule, row.genbank_accn
    if role == "assembled-molecule":
        return _chr(mol) if mol else None
    if acc is None:
        return None
    if role == "unplaced-scaffold":
        return f"chrUn_{_ucsc_acc(acc)}"
    if mol is None:
        return None
    suffix = {"unlocalized-scaffold": "random", "alt-scaffold": "alt", "novel-patch": "alt",
              "fix-patch": "fix"}.get(role)
    if suffix is None:
        return None
    return f"{_chr(mol)}_{_ucsc_acc(acc)}_{suffix}"


@dataclass
class ChromMap:
    """seqid -> new name (and optional coordinate offset), plus sizes under the new names."""

    names: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    offsets: dict[str, int] = field(default_factory=dict)
    source: str = ""
    #: new names that were derived rather than given by the source
    derived: set[str] = field(default_factory=set)

    def get(self, seqid: str) -> str | None:
        """The new name of ``seqid``, or ``None`` if it has none."""
        return self.names.get(seqid)

    def __len__(self) -> int:
        return len(self.names)

    def _add(self, alias: str, new: str) -> None:
        if alias and alias not in self.names:
            self.names[alias] = new


def chrom_map_from_assembly_report(src: Source, *, derive: bool = True) -> ChromMap:
    """Names from an assembly report: RefSeq-Accn, GenBank-Accn, Sequence-Name -> UCSC name."""
    cmap = ChromMap(source=f"assembly report {input_name(src)}")
    rows = read_assembly_report(src)
    for key in ("refseq_accn", "genbank_accn", "sequence_name"):
        for row in rows:
            new = row.ucsc_style_name
            if new is None and derive:
                new = derived_ucsc_name(row)
                if new is not None:
                    cmap.derived.add(new)
            if new is None:
                continue
            alias = getattr(row, key)
            if alias:
                cmap._add(alias, new)
            if row.sequence_length is not None:
                cmap.sizes.setdefault(new, row.sequence_length)
    return cmap


def chrom_sizes_from_assembly_report(src: Source, *, key: str = "refseq") -> dict[str, int]:
    """Sequence lengths from a report, by ``refseq``/``genbank``/``sequence`` name or ``ucsc`` name."""
    attr = {"refseq": "refseq_accn", "genbank": "genbank_accn", "sequence": "sequence_name"}.get(key)
    sizes: dict[str, int] = {}
    for row in read_assembly_report(src):
        if row.sequence_length is None:
            continue
        name = getattr(row, attr) if attr else (row.ucsc_style_name or derived_ucsc_name(row))
        if name:
            sizes.setdefault(name, row.sequence_length)
    return sizes


def chrom_map_from_chrom_alias(src: Source) -> ChromMap:
    """Names from a UCSC chromAlias file (BED, table-dump or GenArk text layout)."""
    name = input_name(src)
    cmap = ChromMap(source=f"chromAlias {name}")
    genark = False
    with open_input(src) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                genark = genark or lineno == 1
                continue
            cols = line.split("\t")
            if len(cols) == 1:
                cols = line.split()
            if len(cols) < 2:
                raise ParseError(name, lineno, "expected a name and at least one alias")
            if len(cols) >= 4 and cols[1].isdigit() and cols[2].isdigit():  # BED layout
                chrom = cols[0]
                cmap.sizes.setdefault(chrom, int(cols[2]))
                aliases = cols[3:]
            elif len(cols) == 3 and not genark:  # alias, chrom, source
                chrom, aliases = cols[1], [cols[0]]
            else:
                chrom, aliases = cols[0], cols[1:]
            cmap._add(chrom, chrom)
            for a in aliases:
                cmap._add(a.strip(), chrom)
    return cmap


def chrom_map_from_lift(src: Source) -> ChromMap:
    """Names (and offsets) from a liftUp lift file: ``offset oldName oldSize newName newSize``."""
    name = input_name(src)
    cmap = ChromMap(source=f"lift file {name}")
    with open_input(src) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t") if "\t" in line else line.split()
            if len(cols) < 5:
                raise ParseError(name, lineno, f"expected 5 lift columns (offset oldName oldSize newName "
                                               f"newSize), got {len(cols)}")
            if not (cols[0].isdigit() and cols[2].isdigit() and cols[4].isdigit()):
                raise ParseError(name, lineno, "offset, oldSize and newSize must be integers")
            if len(cols) > 5 and cols[5] == "-":
                raise ParseError(name, lineno, "lifting onto the minus strand is not supported")
            old, new = cols[1], cols[3]
            if old in cmap.names and (cmap.names[old], cmap.offsets.get(old, 0)) != (new, int(cols[0])):
                raise ParseError(name, lineno, f"{old} is lifted twice")
            cmap.names[old] = new
            if int(cols[0]):
                cmap.offsets[old] = int(cols[0])
            cmap.sizes.setdefault(new, int(cols[4]))
    return cmap


class Renamer:
    """Applies a :class:`ChromMap` to records and remembers the seqids it could not map."""

    def __init__(self, cmap: ChromMap, *, drop_unmapped: bool = False):
        self.cmap = cmap
        self.drop_unmapped = drop_unmapped
        #: seqid -> number of records that had it and no new name
        self.unmapped: Counter[str] = Counter()

    def name(self, seqid: str) -> str | None:
        """The new name, or (counting it) the old one / ``None`` when dropping unmapped."""
        new = self.cmap.names.get(seqid)
        if new is not None:
            return new
        self.unmapped[seqid] += 1
        return None if self.drop_unmapped else seqid

    def transcript(self, tx: Transcript) -> Transcript | None:
        """The transcript on its new chromosome (shifted by a lift offset), or ``None`` if dropped."""
        new = self.name(tx.chrom)
        if new is None:
            return None
        off = self.cmap.offsets.get(tx.chrom, 0)
        if off == 0:
            return tx if new == tx.chrom else replace(tx, chrom=new)
        return replace(tx, chrom=new, tx_start=tx.tx_start + off, tx_end=tx.tx_end + off,
                       cds_start=tx.cds_start + off, cds_end=tx.cds_end + off,
                       exon_starts=tuple(s + off for s in tx.exon_starts),
                       exon_ends=tuple(e + off for e in tx.exon_ends))

    def transcripts(self, txs: Iterable[Transcript]) -> Iterator[Transcript]:
        """Rename a stream of transcripts."""
        for tx in txs:
            out = self.transcript(tx)
            if out is not None:
                yield out

    def summary(self) -> str:
        """One line for the log: how many seqids were unmapped and what happened to them."""
        if not self.unmapped:
            return "all sequence names mapped"
        n = sum(self.unmapped.values())
        names = ", ".join(sorted(self.unmapped)[:10]) + (" ..." if len(self.unmapped) > 10 else "")
        what = "dropped" if self.drop_unmapped else "kept under their own names"
        return f"{len(self.unmapped)} sequence name(s) not in the {self.cmap.source}: {names} ({n} record(s) {what})"
