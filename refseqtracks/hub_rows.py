"""Rows of the hub bigBeds: kent ``updateName2.pl``, ``ncbiRefSeqOtherAttrs.pl`` and ``pslToBigPsl``.

All coordinates are 0-based half-open.  The attribute file is gff3ToGenePred ``-attrsOut``: one
line per attribute, ``id<TAB>tag<TAB>values`` (values comma-joined); transcripts are keyed by
their genePred name, genes by their GFF3 ID; ``Parent`` links a transcript to its gene.

``updateName2.pl`` (doNcbiRefSeq.pl, assembly hubs) turns genePredToBigGenePred rows into the 21
columns of ``bigGenePredRefSeq.as``.  It reads only the attribute lines that contain one of the
whole words ``Parent GeneID Type gene_biotype description`` (``egrep -w``), splits each line at
whitespace into id, tag and the rest, and keeps per id: the first ``GeneID:`` of a ``Dbxref``
(tag containing "Dbxref", any case), ``description``, ``Parent``, ``gene_biotype`` (tags
containing those words) and ``Type`` (tag exactly "Type", any case).  A second, different value
for an id puts the id on a "duplicates" list: that value is forgotten and later lines of the id
are ignored.  Then, per row:

- geneName (col 18) := the GeneID number when one is known for the name; in that case
  geneName2 (col 19) := the name (the transcript accession);
- type (col 17) := gene_biotype of the name, else of its Parent;
- geneType (col 20) := Type of the name, else of its Parent;
- description (col 21) := description of the name, else of its Parent; ``n/a`` when there is a
  Parent without one; empty when there is no Parent.

``ncbiRefSeqOtherAttrs.pl`` adds attribute columns to the Other BED12 and writes the
``ncbiRefSeqOther.as`` that describes them: one column per attribute of :data:`OTHER_ATTRIBUTES`
that has at least one value in the file (``Dbxref`` values are split by source prefix: GeneID MIM
HGNC MGI miRBase WormBase XenBase BGD RGD SGD ZFIN, the first value of each kept; a ``FLYBASE:``
cross-reference fills the gene column when that is still empty, as the script's lookup does).
An item's attributes are those of the id equal to its name, else of the id whose ``gene``
attribute is its name; a missing attribute is taken from the nearest ``Parent`` that has it.

``pslToBigPsl`` (without ``-cds``): BED12 of the target side (score 1000, itemRgb 0, thick = the
aligned range), then oChromStart/oChromEnd/oStrand/oChromSize/oChromStarts (the query side; ``-``
oStrand when a ``+-``/``--`` PSL was reverse-complemented onto the target's plus strand),
oSequence (empty without ``-fa``), empty oCDS, chromSize, match, misMatch, repMatch, nCount,
seqType (0 empty, 1 nucleotide, 2 protein).  Protein PSLs have their block sizes multiplied by 3.
With ``-fa``, alignments whose query has no sequence are dropped (kent warns "Cannot find
sequence for X. Dropping") and a sequence whose length differs from qSize stops the run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

from refseqtracks.fileio import Source, input_name, open_input
from refseqtracks.formats.biggenepred import to_big_genepred
from refseqtracks.formats.psl import Psl, psl_is_protein
from refseqtracks.model import Transcript

__all__ = [
    "AttrLine", "iter_attrs", "read_attrs", "RefSeqNames", "refseq_names", "to_big_genepred_refseq",
    "OTHER_ATTRIBUTES", "OtherExtras", "other_extras", "read_rna_fasta", "to_big_psl",
]

AttrLine = tuple[str, str, str]


def iter_attrs(src: Source) -> Iterator[AttrLine]:
    """Stream the lines of a gff3ToGenePred ``-attrsOut`` file as (id, tag, value)."""
    with open_input(src) as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            cols = line.split("\t", 2)
            while len(cols) < 3:
                cols.append("")
            yield cols[0], cols[1], cols[2]


def read_attrs(src: Source) -> list[AttrLine]:
    """All lines of a gff3ToGenePred ``-attrsOut`` file as (id, tag, value)."""
    return list(iter_attrs(src))


# ------------------------------------------------------------------------------ updateName2.pl
_EGREP_W = re.compile(r"(?<![A-Za-z0-9_])(?:Parent|GeneID|Type|gene_biotype|description)"
                      r"(?![A-Za-z0-9_])")


@dataclass
class RefSeqNames:
    """updateName2.pl's per-id tables."""

    gene_id: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    biotype: dict[str, str] = field(default_factory=dict)
    type: dict[str, str] = field(default_factory=dict)


def refseq_names(attrs: Iterable[AttrLine]) -> RefSeqNames:
    """Build updateName2.pl's tables from attribute lines (see the module docstring)."""
    t = RefSeqNames()
    dups: set[str] = set()
    for rid, tag, value in attrs:
        line = f"{rid}\t{tag}\t{value}"
        if not _EGREP_W.search(line):
            continue
        a = line.split(None, 2)  # perl split(/\s+/, $line, 3)
        if len(a) < 2:
            continue
        name, key = a[0], a[1]
        rest = a[2] if len(a) > 2 else ""
        if name in dups:
            continue
        lkey = key.lower()
        if "dbxref" in lkey:
            for xref in rest.split(","):
                if xref[:6].lower() != "geneid":
                    continue
                gid = re.sub("geneid:", "", xref, count=1, flags=re.IGNORECASE)
                old = t.gene_id.get(name)
                if old is not None:
                    if old != gid:
                        dups.add(name)
                        del t.gene_id[name]
                        continue
                else:
                    t.gene_id[name] = gid
                break
            continue
        if "description" in lkey:
            table = t.description
        elif "parent" in lkey:
            table = t.parent
        elif "gene_biotype" in lkey:
            table = t.biotype
        elif lkey == "type":
            table = t.type
        else:
            continue
        if not rest:  # perl: an undefined value is never stored
            continue
        old = table.get(name)
        if old is None:
            table[name] = rest
        elif old != rest:
            dups.add(name)
            del table[name]
    return t


def to_big_genepred_refseq(tx: Transcript, names: RefSeqNames) -> str:
    """One 21-column bigGenePredRefSeq line (with newline), as updateName2.pl writes it."""
    a = to_big_genepred(tx).rstrip("\n").split("\t")
    name = a[3]
    if a[3] == a[17] and name in names.gene_id:
        a[17] = names.gene_id[name]
        if a[12] == a[18]:
            a[18] = name
    parent = names.parent.get(name)
    if not a[16]:
        if name in names.biotype:
            a[16] = names.biotype[name]
        elif parent is not None and parent in names.biotype:
            a[16] = names.biotype[parent]
    if not a[19]:
        if name in names.type:
            a[19] = names.type[name]
        elif parent is not None and parent in names.type:
            a[19] = names.type[parent]
    if name in names.description:
        a.append(names.description[name])
    elif parent is not None:
        a.append(names.description.get(parent, "n/a"))
    else:
        a.append("")
    return "\t".join(a) + "\n"


# --------------------------------------------------------------------- ncbiRefSeqOtherAttrs.pl
#: (GFF3 attribute, column name, description), in column order
OTHER_ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    ("gene", "gene", "Gene name"),
    ("GeneID", "GeneID", "Entrez Gene"),
    ("MIM", "MIM", "OMIM"),
    ("HGNC", "HGNC", "HGNC"),
    ("MGI", "MGI", "MGI"),
    ("WormBase", "WormBase", "WormBase"),
    ("XenBase", "XenBase", "XenBase"),
    ("BGD", "BGD", "BGD"),
    ("RGD", "RGD", "RGD"),
    ("SGD", "SGD", "SGD"),
    ("ZFIN", "ZFIN", "ZFIN"),
    ("FlyBase", "FlyBase", "FlyBase"),
    ("miRBase", "miRBase", "miRBase"),
    ("description", "description", "Description"),
    ("Note", "Note", "Note"),
    ("exception", "exception", "Exceptional properties"),
    ("product", "product", "Gene product"),
    ("gene_synonym", "geneSynonym", "Gene synonyms"),
    ("model_evidence", "modelEvidence", "Supporting evidence for gene model"),
    ("gbkey", "gbkey", "Feature type"),
    ("gene_biotype", "geneBiotype", "Gene biotype"),
    ("pseudo", "pseudo", "'true' if pseudogene"),
    ("partial", "partial", "'true' if partial"),
    ("anticodon", "anticodon", "Anticodon position within tRNA"),
    ("codons", "codons", "Number of codons in anticodon range"),
    ("start_range", "startRange", "Start range on genome"),
    ("end_range", "endRange", "End range on genome"),
    ("ID", "ID", "Unique ID in RefSeq GFF3"),
)
_ATTR_IX = {a: i for i, (a, _, _) in enumerate(OTHER_ATTRIBUTES)}
_XREF_SOURCES = ("GeneID", "MIM", "HGNC", "MGI", "miRBase", "WormBase", "XenBase", "BGD", "RGD",
                 "SGD", "ZFIN", "FLYBASE")
_LSTRING = ("Note", "geneSynonym")
#: columns ncbiRefSeqOtherIxIxx.pl indexes (besides the name)
OTHER_INDEXED = ("gene", "GeneID", "WormBase", "MIM", "MGI", "miRBase", "product", "geneSynonym",
                 "ID")

_OTHER_AS_HEAD = """table ncbiRefSeqOther
"Additional information for NCBI 'Other' annotation"
    (
    string chrom;      "Chromosome (or contig, scaffold, etc.)"
    uint   chromStart; "Start position in chromosome"
    uint   chromEnd;   "End position in chromosome"
    string name;       "Name of item"
    uint   score;      "Placeholder for BED format (score 0-1000)"
    char[1] strand;    "+ or -"
    uint thickStart;   "CDS start/end in chromosome if coding"
    uint thickEnd;     "CDS start/end in chromosome if coding"
    uint reserved;     "Placeholder for BED format (itemRgb)"
    int blockCount;    "Number of alignment blocks"
    int[blockCount] blockSizes; "Comma separated list of block sizes"
    int[blockCount] chromStarts; "Block start positions relative to chromStart"

"""


@dataclass
class OtherExtras:
    """The Other bigBed input: autoSql text, BED12+N lines, and the trix input lines."""

    as_text: str
    lines: list[str]
    columns: list[str]
    ix_lines: list[str]
    warnings: list[str] = field(default_factory=list)


def other_extras(bed_lines: Sequence[str], attrs: Iterable[AttrLine]) -> OtherExtras:
    """ncbiRefSeqOtherAttrs.pl + ncbiRefSeqOtherIxIxx.pl over BED12 lines (see the docstring)."""
    from refseqtracks.trix import other_ix_lines

    n_attr = len(OTHER_ATTRIBUTES)
    found = [False] * n_attr
    items: dict[str, list[str | None]] = {}
    gene_to_id: dict[str, str] = {}
    parent_of: dict[str, str] = {}
    warnings: list[str] = []
    for rid, tag, val in attrs:
        rid = rid.replace(" ", "_")
        if tag == "Dbxref":
            for xref in val.split(","):
                for source in _XREF_SOURCES:
                    if xref.startswith(source + ":"):
                        xref = xref[len(source) + 1:]
                        # FLYBASE has no column of its name: the script's lookup lands on column 0
                        ix = _ATTR_IX.get(source, 0)
                        row = items.setdefault(rid, [None] * n_attr)
                        if row[ix] is None:
                            row[ix] = xref
                        found[ix] = True
        elif tag == "Parent":
            parent_of[rid] = val.replace(" ", "_")
        else:
            ix = _ATTR_IX.get(tag)
            if ix is not None:
                if tag == "gene":
                    gene_to_id[val] = rid
                items.setdefault(rid, [None] * n_attr)[ix] = val
                found[ix] = True
    cols = [i for i in range(n_attr) if found[i]]
    as_parts = [_OTHER_AS_HEAD]
    for i in cols:
        _, col, desc = OTHER_ATTRIBUTES[i]
        typ = "lstring" if col in _LSTRING else "string"
        as_parts.append(f"    {typ} {col};   \"{desc}\"\n")
    as_parts.append(")\n")
    names = [OTHER_ATTRIBUTES[i][1] for i in cols]
    indexed = [k for k, c in enumerate(names) if c in OTHER_INDEXED]
    out: list[str] = []
    ix_items: list[tuple[str, list[str]]] = []
    for line in bed_lines:
        bed = line.split()
        if len(bed) < 4:
            continue
        rid: str | None = bed[3]
        extra = items.get(rid)
        if extra is None:
            rid = gene_to_id.get(bed[3])
            extra = items.get(rid) if rid is not None else None
        if extra is None:
            from refseqtracks.errors import ConversionError
            raise ConversionError(f"no attributes for Other item '{bed[3]}' in the attributes file")
        for i in cols:
            pid = parent_of.get(rid)
            seen: set[str] = set()
            while extra[i] is None and pid is not None and pid not in seen:  # Parent cycles end
                seen.add(pid)
                parent = items.get(pid)
                if parent is None and pid in gene_to_id:
                    parent = items.get(gene_to_id[pid])
                if parent is None:
                    warnings.append(f"Can't find parent for id '{rid}'")
                    break
                if parent[i] is not None:
                    extra[i] = parent[i]
                else:
                    pid = parent_of.get(pid)
            if extra[i] is None:
                extra[i] = ""
        values = [extra[i] or "" for i in cols]
        out.append("\t".join(bed + values) + "\n")
        ix_items.append((bed[3], [values[k] for k in indexed]))
    return OtherExtras("".join(as_parts), out, names, other_ix_lines(ix_items), warnings)


# ------------------------------------------------------------------------------ pslToBigPsl
def _psl_rc(p: Psl) -> tuple[str, tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """kent pslRc: strand flipped, blocks reversed and mirrored on both sequences."""
    flip = {"+": "-", "-": "+"}
    strand = "".join(flip.get(c, c) for c in p.strand)
    mult = 3 if psl_is_protein(p) else 1
    sizes = tuple(reversed(p.block_sizes))
    q = tuple(p.q_size - (qs + z) for qs, z in zip(reversed(p.q_starts), sizes))
    t = tuple(p.t_size - (ts + z * mult) for ts, z in zip(reversed(p.t_starts), sizes))
    return strand, sizes, q, t


_DNA = str.maketrans({c: "n" for c in map(chr, range(256)) if c not in "acgtn"})


def read_rna_fasta(src: Source, wanted: set[str] | None = None) -> dict[str, str]:
    """pslToBigPsl ``-fa``: name (defline up to the first whitespace) → sequence.

    Sequences are lower-cased and every character other than a, c, g, t, n becomes ``n``, as
    kent's DNA FASTA reader does.  With ``wanted``, only those names are kept.
    """
    from refseqtracks.errors import ParseError
    name = input_name(src)
    out: dict[str, str] = {}
    cur: str | None = None
    keep = False
    parts: list[str] = []

    def flush() -> None:
        if cur is not None and keep:
            out[cur] = "".join(parts).lower().translate(_DNA)

    with open_input(src) as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith(">"):
                flush()
                words = line[1:].split()
                if not words:
                    raise ParseError(name, lineno, "FASTA record without a name")
                cur = words[0]
                keep = wanted is None or cur in wanted
                parts = []
            elif cur is None:
                if line.strip():
                    raise ParseError(name, lineno, "sequence before the first '>' line")
            elif keep:
                parts.append(line.strip())
    flush()
    return out


def to_big_psl(p: Psl, seqs: dict[str, str] | None = None) -> str | None:
    """One pslToBigPsl line (with newline), without CDS; ``seqs`` is ``-fa``.

    With ``seqs``, oSequence is the query sequence and seqType 1 (nucleotide) or 2 (protein);
    a query without a sequence gives None (kent drops it with a warning) and a sequence whose
    length is not qSize is an error.
    """
    strand, sizes, q_starts, t_starts = p.strand, p.block_sizes, p.q_starts, p.t_starts
    o_strand = "+"
    if len(p.strand) > 1 and p.strand[1] == "-":
        strand, sizes, q_starts, t_starts = _psl_rc(p)
        o_strand = "-"
    mult = 3 if psl_is_protein(p) else 1
    start = p.t_start
    bsizes = "".join([f"{z * mult}," for z in sizes])
    rel = "".join([f"{t - start}," for t in t_starts])
    qs = "".join([f"{q}," for q in q_starts])
    seq, seq_type = "", 0
    if seqs is not None:
        seq = seqs.get(p.q_name)
        if seq is None:
            return None
        if len(seq) != p.q_size:
            from refseqtracks.errors import ConversionError
            raise ConversionError(f"{p.q_name} FASTA sequence length ({len(seq)}) does not match "
                                  f"PSL qSize ({p.q_size})")
        seq_type = 2 if mult == 3 else 1
    return (f"{p.t_name}\t{start}\t{p.t_end}\t{p.q_name}\t1000\t{strand[0]}\t{start}\t{p.t_end}\t0\t"
            f"{p.block_count}\t{bsizes}\t{rel}\t{p.q_start}\t{p.q_end}\t{o_strand}\t{p.q_size}\t"
            f"{qs}\t{seq}\t\t{p.t_size}\t{p.matches}\t{p.mis_matches}\t{p.rep_matches}\t"
            f"{p.n_count}\t{seq_type}\n")
