"""NCBI Gene joins and the ncbiRefSeqLink table (kent ``doNcbiRefSeq.pl`` + ``gff3ToRefLink.pl``).

The link table has the 19 columns of kent's ``ncbiRefSeqLink.as`` (:data:`LINK_FIELDS`), one row
per transcript of the All subset (names ``^[NXY][MRP]_``), sorted by ``id`` bytewise, as
``sort | join`` leaves it.  Columns are filled as ``gff3ToRefLink.pl`` fills them from the
GFF3, merging the transcript's own attributes with those of its top-level gene:

==============  ==========================================================================
column          source
==============  ==========================================================================
id              the genePred name
status          gene2refseq status of the RNA accession (title case: ``VALIDATED`` ->
                ``Validated``); ``Unknown`` without a gene2refseq row.  (UCSC takes it from
                the rna.gbff COMMENT; NCBI's gene2refseq carries the same RefSeq status.)
name            ``gene`` attribute (the gene's wins; else the gene's ``Name``)
product         ``product``
mrnaAcc         ``transcript_id``
protAcc         ``protein_id`` of the transcript's CDS
locusLinkId     ``Dbxref`` ``GeneID:``
omimId          ``Dbxref`` ``MIM:``
hgnc            ``Dbxref`` ``HGNC:HGNC:n`` -> ``n``
genbank         ``Dbxref`` ``GenBank:``/``Genbank:``
pseudo          ``pseudo``
gbkey           ``gbkey``
source          GFF3 column 2 of the transcript (``BestRefSeq``, ``Gnomon`` ...)
gene_biotype    ``gene_biotype`` (the gene's)
gene_synonym    ``gene_synonym``
ncrna_class     ``ncrna_class``
note            ``Note``: the transcript's, else its CDS's, else the gene's; differing alignment
                notes of several placements become "Mappings of the RefSeq transcript to
                different genomic sequences have varying alignment differences"
description     gene_info ``description`` of the GeneID when a gene_info file is given, else
                the gene's ``description`` attribute (UCSC: the rna.gbff summary)
externalId      first of the ``Dbxref`` MGI, BGD, RGD, SGD, ZFIN, FlyBase, WormBase, Xenbase
==============  ==========================================================================

Multi-valued attributes are joined with ``,``.  Values are fully percent-decoded (UCSC decodes
only ``%2C``, ``%3B`` and ``%25``; other escapes are rare in RefSeq GFF3).  The longer
``gene_synonym`` list wins.

:class:`GffFacts` collects, from raw GFF3 lines in the same pass that feeds the converter, what
the transcripts themselves do not carry: column 2, the parent gene's attributes and the
``protein_id`` of the CDS.  The NCBI Gene files are read streaming and only for the accessions
and GeneIDs asked for, so a full ``gene2refseq.gz`` costs time, not memory.

Status colours (browser ``hgTracks`` shading of ncbiRefSeq items, described behaviour): Reviewed
and Validated keep the track colour, Provisional is ``(6c + 4*255) // 10`` per channel, every
other status ``(c + 2*255) // 3`` (:func:`status_color`).
"""
from __future__ import annotations

from typing import IO, Callable, Iterable, Mapping, NamedTuple, Sequence

from refseqtracks.errors import ParseError
from refseqtracks.fileio import Source, input_name, open_input
from refseqtracks.model import Transcript

__all__ = [
    "LINK_FIELDS", "STATUSES", "GeneInfo", "read_gene_info", "Gene2RefseqRow", "read_gene2refseq",
    "normalize_status", "GffFacts", "LinkTable", "link_row", "link_rows", "merge_note", "format_link_line", "write_link_table",
    "status_color", "split_dbxrefs",
]

#: kent ncbiRefSeqLink.as columns
LINK_FIELDS = ("id", "status", "name", "product", "mrnaAcc", "protAcc", "locusLinkId", "omimId",
               "hgnc", "genbank", "pseudo", "gbkey", "source", "gene_biotype", "gene_synonym",
               "ncrna_class", "note", "description", "externalId")

#: the RefSeq statuses the link table knows, gene2refseq spelling -> link spelling
STATUSES = {"INFERRED": "Inferred", "MODEL": "Model", "PREDICTED": "Predicted",
            "PROVISIONAL": "Provisional", "REVIEWED": "Reviewed", "VALIDATED": "Validated"}

_EXTERNAL_DBS = ("mgi", "bgd", "rgd", "sgd", "zfin", "flybase", "wormbase", "xenbase")
#: attributes kept from GFF3 lines (gff3ToRefLink's tag list, plus what the link table derives from)
_KEEP = frozenset(("ID", "Parent", "Dbxref", "Name", "gene", "product", "transcript_id",
                   "protein_id", "pseudo", "gbkey", "gene_biotype", "gene_synonym", "ncrna_class",
                   "Note", "description"))
_SKIP_TYPES = frozenset(("exon", "region", "cDNA_match", "match", "sequence_feature"))


def normalize_status(text: str | None) -> str:
    """gene2refseq status -> link-table status (``Unknown`` for anything else)."""
    if not text:
        return "Unknown"
    return STATUSES.get(text.strip().upper(), "Unknown")


class GeneInfo(NamedTuple):
    """The gene_info columns the link table uses."""

    gene_id: str
    symbol: str
    synonyms: str
    description: str
    type_of_gene: str


def _dash(v: str) -> str:
    return "" if v == "-" else v


def read_gene_info(src: Source, *, gene_ids: "set[str] | None" = None) -> dict[str, GeneInfo]:
    """NCBI ``gene_info`` (tab-separated, ``#`` header): GeneID -> :class:`GeneInfo`."""
    name = input_name(src)
    out: dict[str, GeneInfo] = {}
    with open_input(src) as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\r\n").split("\t", 10)
            if len(cols) < 10:
                raise ParseError(name, lineno, f"expected at least 10 gene_info columns, got {len(cols)}")
            gid = cols[1]
            if gene_ids is not None and gid not in gene_ids:
                continue
            if not gid.isdigit():
                raise ParseError(name, lineno, f"invalid GeneID \"{gid}\"")
            out.setdefault(gid, GeneInfo(gid, _dash(cols[2]), _dash(cols[4]).replace("|", ","),
                                         _dash(cols[8]), _dash(cols[9])))
    return out


class Gene2RefseqRow(NamedTuple):
    """The gene2refseq columns the link table uses."""

    gene_id: str
    status: str
    rna: str
    protein: str
    symbol: str


def read_gene2refseq(src: Source, *, accessions: "set[str] | None" = None,
                     tax_id: str | None = None) -> dict[str, Gene2RefseqRow]:
    """NCBI ``gene2refseq`` (16 columns, header optional): RNA accession.version -> row.

    The first row of an accession wins (an RNA is listed once per assembly, with one status).
    """
    name = input_name(src)
    out: dict[str, Gene2RefseqRow] = {}
    with open_input(src) as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) < 8:
                raise ParseError(name, lineno, f"expected 16 gene2refseq columns, got {len(cols)}")
            rna = cols[3]
            if rna == "-" or rna in out or (accessions is not None and rna not in accessions):
                continue
            if tax_id is not None and cols[0] != tax_id:
                continue
            out[rna] = Gene2RefseqRow(cols[1], cols[2], rna, _dash(cols[5]),
                                      _dash(cols[15]) if len(cols) > 15 else "")
    return out


def split_dbxrefs(values: Iterable[str]) -> dict[str, str]:
    """``["GeneID:7157", "HGNC:HGNC:11998", "MIM:191170"]`` -> ``{"geneid": "7157", ...}``.

    Keys are lower-case database names; the first value of each database wins; ``HGNC:HGNC:n``
    becomes ``n``.
    """
    out: dict[str, str] = {}
    for v in values:
        db, colon, acc = v.partition(":")
        if not colon:
            continue
        db = db.lower()
        if db == "hgnc" and acc.upper().startswith("HGNC:"):
            acc = acc[5:]
        out.setdefault(db, acc)
    return out


def _unescape(text: str) -> str:
    if "%" not in text:
        return text
    from refseqtracks.gff3 import unescape

    return unescape(text)


def _parse_col9(col9: str) -> dict[str, tuple[str, ...]]:
    attrs: dict[str, tuple[str, ...]] = {}
    for item in col9.rstrip("\r\n").split(";"):
        tag, eq, value = item.strip().partition("=")
        if not eq or tag not in _KEEP:
            continue
        if "%" in value:
            vals = tuple([_unescape(v) for v in value.split(",") if v])
        else:
            vals = tuple([v for v in value.split(",") if v])
        old = attrs.get(tag)
        attrs[tag] = old + vals if old else vals
    return attrs


def _attr_value(col9: str, tag: str) -> str | None:
    """The raw value of one attribute (first occurrence), unescaped; None when absent."""
    key = tag + "="
    i = 0 if col9.startswith(key) else col9.find(";" + key)
    if i < 0:
        return None
    if i:
        i += 1
    i += len(key)
    j = col9.find(";", i)
    value = (col9[i:] if j < 0 else col9[i:j]).rstrip("\r\n").strip()
    return _unescape(value) if value else None


class _Feature:
    """A kept feature: column 2 and the raw column 9, parsed only when asked (saves memory)."""

    __slots__ = ("source", "col9")

    def __init__(self, source: str, col9: str):
        self.source = source
        self.col9 = col9

    @property
    def attrs(self) -> dict[str, tuple[str, ...]]:
        return _parse_col9(self.col9)


class GffFacts:
    """What the link table needs from raw GFF3 lines: sources, attributes, protein ids.

    Feed every line with :meth:`feed` (comments are ignored).  Keeps the parent of every
    feature with an ID; column 2 and the attributes of top-level features (genes), of every
    other feature except exons/CDS/alignments with ``keep_children``, or else of the child
    features (a CDS too) whose ``Name`` passes ``keep_named`` (the build keeps the All names);
    and the first ``protein_id`` and ``Note`` of each CDS parent.  Attributes are kept as the
    raw column 9 and parsed when a link row asks for them.
    """

    def __init__(self, *, keep_children: bool = True,
                 keep_named: "Callable[[str], bool] | None" = None) -> None:
        self.keep_children = keep_children
        self.keep_named = keep_named
        self.features: dict[str, _Feature] = {}
        self.parent_of: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        self.more_by_name: dict[str, list[str]] = {}
        self.protein_ids: dict[str, str] = {}
        self.cds_notes: dict[str, str] = {}
        self._last_cds: str | None = None

    def feed(self, line: str) -> None:
        """Take one raw GFF3 line."""
        if line[:1] == "#":
            return
        cols = line.split("\t", 8)
        if len(cols) == 9:
            self.feed_cols(cols)

    def _keep_named(self, source: str, col9: str, fid: str | None) -> None:
        name = _attr_value(col9, "Name")
        if name and fid and self.keep_named(name):  # type: ignore[misc]
            self._name(name, fid)
            if fid not in self.features:
                self.features[fid] = _Feature(source, col9.rstrip("\r\n"))

    def _name(self, name: str, fid: str) -> None:
        first = self.by_name.setdefault(name, fid)
        if first != fid:  # another placement of the same transcript (alt loci, patches)
            more = self.more_by_name.setdefault(name, [])
            if fid not in more:
                more.append(fid)

    def placements(self, name: str) -> list[str]:
        """Feature IDs of every placement of a named transcript, in file order."""
        first = self.by_name.get(name)
        return ([first] if first else []) + self.more_by_name.get(name, [])

    def feed_cols(self, cols: list[str]) -> None:
        """Take one feature line already split into its 9 columns."""
        ftype = cols[2]
        col9 = cols[8]
        if ftype == "CDS":
            # the pieces of one CDS share its ID and (first value wins) add nothing new
            fid_s = _attr_value(col9, "ID")
            if fid_s is not None and fid_s == self._last_cds:
                return
            self._last_cds = fid_s
            parents = _attr_value(col9, "Parent")
            if not parents:
                return
            prot = _attr_value(col9, "protein_id") if "protein_id=" in col9 else None
            note = _attr_value(col9, "Note") if "Note=" in col9 else None
            for parent in parents.split(","):
                if prot:
                    self.protein_ids.setdefault(parent, prot.split(",", 1)[0])
                if note:
                    self.cds_notes.setdefault(parent, note)
            if self.keep_named is not None and "Name=" in col9:  # YP_ records are named by their CDS
                if fid_s:
                    self.parent_of.setdefault(fid_s, parents.split(",", 1)[0])
                self._keep_named(cols[1], col9, fid_s)
            return
        if ftype in _SKIP_TYPES:
            return
        if not self.keep_children and "Parent=" in col9:
            # a child feature: its parent link, and its attributes only if its name is wanted
            fid_s = _attr_value(col9, "ID")
            parent = _attr_value(col9, "Parent")
            if fid_s and parent:
                self.parent_of.setdefault(fid_s, parent.split(",", 1)[0])
            if self.keep_named is not None:
                self._keep_named(cols[1], col9, fid_s)
            return
        fid0 = _attr_value(col9, "ID")
        if not fid0:
            return
        parent = _attr_value(col9, "Parent")
        if parent:
            self.parent_of.setdefault(fid0, parent.split(",", 1)[0])
        self.features.setdefault(fid0, _Feature(cols[1], col9.rstrip("\r\n")))
        name = _attr_value(col9, "Name")
        if name:
            self._name(name, fid0)

    def transcript(self, tx: Transcript) -> tuple[str | None, Mapping[str, Sequence[str]]] | None:
        """(feature ID, attributes) of a transcript, from its own attrs or by its name."""
        attrs = tx.attrs
        fid = None
        if attrs and attrs.get("ID"):
            fid = attrs["ID"][0]
        if fid is None:
            fid = self.by_name.get(tx.name)
        if attrs:
            return fid, attrs
        feat = self.features.get(fid) if fid else None
        return (fid, feat.attrs) if feat else None

    def top_gene(self, fid: str | None) -> _Feature | None:
        """The top-level ancestor (the gene) of a feature; ``None`` if it has no parent."""
        if not fid or fid not in self.parent_of:
            return None
        seen = {fid}
        cur = fid
        while cur in self.parent_of:
            cur = self.parent_of[cur]
            if cur in seen:  # a cycle: give up rather than loop
                return None
            seen.add(cur)
        return self.features.get(cur)

    def source(self, fid: str | None) -> str:
        feat = self.features.get(fid) if fid else None
        return feat.source if feat else ""


def _first(attrs: Mapping[str, Sequence[str]], *tags: str) -> str:
    for t in tags:
        v = attrs.get(t)
        if v:
            return ",".join(v)
    return ""


_MAPPINGS = ("Mappings of the RefSeq transcript to different genomic sequences have varying "
             "alignment differences")


def _is_mapping_note(text: str) -> bool:
    return ((text.startswith("The RefSeq transcript has ") and " compared to this genomic sequence" in text)
            or text.startswith("Mappings of the RefSeq transcript to different genomic"))


def merge_note(old: str, new: str) -> str:
    """gff3ToRefLink.pl's Note merge: the first Note wins, except that differing alignment notes
    of several placements become one "Mappings ... varying alignment differences" note, and a
    "... translation initiation codon" note is appended with ``;``."""
    if not new or new == old:
        return old
    if not old:
        return new
    if _is_mapping_note(old) and _is_mapping_note(new):
        return _MAPPINGS
    if (new.startswith(("The RefSeq protein ", "The RefSeq transcript ", "The sequence of the model RefSeq "))
            or " is encoded by transcript variant " in new):
        return old
    if "translation initiation codon" in new:
        return f"{old};{new}"
    return old


def link_row(name: str, attrs: Mapping[str, Sequence[str]], *,
             gene_attrs: Mapping[str, Sequence[str]] | None = None, source: str = "",
             protein_id: str = "", status: str = "Unknown", description: str | None = None,
             child_note: str = "", note: str | None = None) -> list[str]:
    """One ncbiRefSeqLink row (19 strings) from a transcript's and its gene's attributes.

    Merge order as gff3ToRefLink.pl: the transcript's value first, then its children's (the CDS
    ``Note``), then the gene's; but the gene's ``gene`` symbol wins, the longer
    ``gene_synonym`` list wins, and a missing ``gene`` falls back to the gene's ``Name``.
    """
    gene_attrs = gene_attrs or {}

    def tag(t: str) -> str:
        return _first(attrs, t) or _first(gene_attrs, t)

    symbol = _first(gene_attrs, "gene") or _first(attrs, "gene") or _first(gene_attrs, "Name")
    syn_tx, syn_gene = _first(attrs, "gene_synonym"), _first(gene_attrs, "gene_synonym")
    synonyms = syn_gene if len(syn_gene) > len(syn_tx) else syn_tx
    xrefs = split_dbxrefs(list(attrs.get("Dbxref", ())) + list(gene_attrs.get("Dbxref", ())))
    external = next((xrefs[db] for db in _EXTERNAL_DBS if xrefs.get(db)), "")
    if description is None:
        description = _first(gene_attrs, "description") or _first(attrs, "description")
    return [name, status, symbol, _first(attrs, "product") or _first(gene_attrs, "product"),
            _first(attrs, "transcript_id"), protein_id or _first(attrs, "protein_id"),
            xrefs.get("geneid", ""), xrefs.get("mim", ""), xrefs.get("hgnc", ""),
            xrefs.get("genbank", ""), tag("pseudo"), _first(attrs, "gbkey"), source,
            _first(attrs, "gene_biotype") or _first(gene_attrs, "gene_biotype"), synonyms,
            _first(attrs, "ncrna_class"),
            note if note is not None else (_first(attrs, "Note") or child_note or _first(gene_attrs, "Note")),
            description, external]


class LinkTable:
    """Builds the link table one transcript at a time (keeps rows, not transcripts)."""

    def __init__(self, *, facts: GffFacts | None = None,
                 gene2refseq: Mapping[str, Gene2RefseqRow] | None = None,
                 gene_info: Mapping[str, GeneInfo] | None = None):
        self.facts = facts or GffFacts()
        self.gene2refseq = gene2refseq
        self.gene_info = gene_info
        self._rows: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, tx: Transcript) -> None:
        """Add the row of ``tx`` (a name already seen is skipped)."""
        if tx.name in self._rows:
            return
        facts = self.facts
        got = facts.transcript(tx)
        fid, attrs = got if got else (None, {})
        gene = facts.top_gene(fid)
        if gene is not None:
            gene_attrs: Mapping[str, Sequence[str]] = gene.attrs
        else:  # the converter's copy of the parent gene's attributes, if any
            gene_attrs = {k[5:]: v for k, v in attrs.items() if k.startswith("gene:")}
        source = _first(attrs, "Source") or facts.source(fid)
        status = "Unknown"
        if self.gene2refseq is not None:
            acc = _first(attrs, "transcript_id") or tx.name
            g2r = self.gene2refseq.get(acc) or self.gene2refseq.get(tx.name)
            if g2r is not None:
                status = normalize_status(g2r.status)
        description = None
        if self.gene_info is not None:
            gid = split_dbxrefs(list(attrs.get("Dbxref", ())) + list(gene_attrs.get("Dbxref", ()))).get("geneid")
            info = self.gene_info.get(gid) if gid else None
            if info is not None:
                description = info.description
        # Note merged over the transcript, its CDS, the other placements, then the gene
        notes = [_first(attrs, "Note"), facts.cds_notes.get(fid, "") if fid else ""]
        for other in facts.placements(tx.name)[1:]:
            feat = facts.features.get(other)
            notes += [_first(feat.attrs, "Note") if feat else "", facts.cds_notes.get(other, "")]
        notes.append(_first(gene_attrs, "Note"))
        note = ""
        for n in notes:
            note = merge_note(note, n)
        self._rows[tx.name] = link_row(tx.name, attrs, gene_attrs=gene_attrs, source=source,
                                       protein_id=facts.protein_ids.get(fid, "") if fid else "",
                                       status=status, description=description, note=note)

    def rows(self) -> list[list[str]]:
        """The rows, sorted by id bytewise."""
        return [self._rows[k] for k in sorted(self._rows, key=lambda s: s.encode("utf-8", "surrogateescape"))]


def link_rows(transcripts: Iterable[Transcript], *, facts: GffFacts | None = None,
              gene2refseq: Mapping[str, Gene2RefseqRow] | None = None,
              gene_info: Mapping[str, GeneInfo] | None = None) -> list[list[str]]:
    """The link table of ``transcripts`` (one row per distinct name, sorted by name)."""
    table = LinkTable(facts=facts, gene2refseq=gene2refseq, gene_info=gene_info)
    for tx in transcripts:
        table.add(tx)
    return table.rows()


def format_link_line(row: Sequence[str]) -> str:
    """One tab-separated link line; tabs/newlines inside values become spaces."""
    return "\t".join(v.replace("\t", " ").replace("\n", " ") for v in row) + "\n"


def write_link_table(rows: Iterable[Sequence[str]], out: IO[str]) -> int:
    """Write link rows to an open text file; returns the count."""
    lines = [format_link_line(r) for r in rows]
    out.write("".join(lines))
    return len(lines)


def status_color(status: str | None, rgb: tuple[int, int, int] = (12, 12, 120)) -> tuple[int, int, int]:
    """The browser's status shading of a track colour (``None``: no link row, track colour)."""
    if status is None or status in ("Reviewed", "Validated"):
        return rgb
    if status == "Provisional":
        return tuple((6 * c + 4 * 255) // 10 for c in rgb)  # type: ignore[return-value]
    return tuple((c + 2 * 255) // 3 for c in rgb)  # type: ignore[return-value]
