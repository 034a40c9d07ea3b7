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

:class:`GffFacts` (:mod:`refseqtracks.annotate_facts`) collects, from raw GFF3 lines, what the
transcripts themselves do not carry: column 2, the parent gene's attributes and the
``protein_id`` of the CDS, as compact records.  :class:`LinkTable` hands rows to an external
sort as they are made (memory holds names, not rows) and gives the sorted lines once, joined
with NCBI Gene on the way (:meth:`LinkTable.lines`).  The NCBI Gene files are read streaming
and only for the accessions and GeneIDs asked for, so a full ``gene2refseq.gz`` costs time,
not memory.  The build makes the same rows by name without holding the facts
(:class:`refseqtracks.link_join.NameLinkTable`).

Status colours (browser ``hgTracks`` shading of ncbiRefSeq items, described behaviour): Reviewed
and Validated keep the track colour, Provisional is ``(6c + 4*255) // 10`` per channel, every
other status ``(c + 2*255) // 3`` (:func:`status_color`).
"""
from __future__ import annotations

from typing import IO, Iterable, Iterator, Mapping, NamedTuple, Sequence

from refseqtracks.annotate_facts import DBXREF, GffFacts, fields_from_attrs
from refseqtracks.errors import ParseError
from refseqtracks.fileio import Source, input_name, open_input
from refseqtracks.model import Transcript

__all__ = [
    "LINK_FIELDS", "STATUSES", "GeneInfo", "read_gene_info", "Gene2RefseqRow", "read_gene2refseq",
    "normalize_status", "GffFacts", "LinkTable", "link_row", "link_rows", "join_gene", "merge_note", "format_link_line", "write_link_table",
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


def _row(name: str, t: list, g: list | None, *, source: str, protein_id: str, status: str,
         description: str | None, note: str) -> list[str]:
    """:func:`link_row` on :func:`~refseqtracks.annotate_facts.record_fields` lists."""
    if g is None:
        g = _NO_FIELDS
    symbol = g[1] or t[1] or g[2]
    syn_tx, syn_gene = t[9], g[9]
    xrefs = split_dbxrefs(t[DBXREF] + g[DBXREF]) if t[DBXREF] or g[DBXREF] else {}
    external = next((xrefs[db] for db in _EXTERNAL_DBS if xrefs.get(db)), "") if xrefs else ""
    if description is None:
        description = g[12] or t[12]
    return [name, status, symbol, t[3] or g[3], t[4], protein_id or t[5],
            xrefs.get("geneid", ""), xrefs.get("mim", ""), xrefs.get("hgnc", ""),
            xrefs.get("genbank", ""), t[6] or g[6], t[7], source, t[8] or g[8],
            syn_gene if len(syn_gene) > len(syn_tx) else syn_tx, t[10], note, description, external]


_NO_FIELDS = fields_from_attrs({})


def link_row(name: str, attrs: Mapping[str, Sequence[str]], *,
             gene_attrs: Mapping[str, Sequence[str]] | None = None, source: str = "",
             protein_id: str = "", status: str = "Unknown", description: str | None = None,
             child_note: str = "", note: str | None = None) -> list[str]:
    """One ncbiRefSeqLink row (19 strings) from a transcript's and its gene's attributes.

    Merge order as gff3ToRefLink.pl: the transcript's value first, then its children's (the CDS
    ``Note``), then the gene's; but the gene's ``gene`` symbol wins, the longer
    ``gene_synonym`` list wins, and a missing ``gene`` falls back to the gene's ``Name``.
    """
    t = fields_from_attrs(attrs)
    g = fields_from_attrs(gene_attrs or {})
    if note is None:
        note = t[11] or child_note or g[11]
    return _row(name, t, g, source=source, protein_id=protein_id, status=status,
                description=description, note=note)


def _encode_row(row: list[str]) -> str:
    """A row as one string for the external sort: ``R`` + tab-joined values, or ``J`` + JSON
    when a value holds a tab or a newline."""
    text = "\t".join(row)
    if "\n" in text or text.count("\t") != len(row) - 1:
        import json
        return "J" + json.dumps(row)
    return "R" + text


def _decode_row(text: str) -> list[str]:
    if text[0] == "R":
        return text[1:].split("\t")
    import json
    return json.loads(text[1:])


class LinkTable:
    """Builds the link table one transcript at a time.

    Rows go to an external sort as they are made (:class:`~refseqtracks.extsort.ExternalSorter`),
    so memory holds the names seen and the accessions and GeneIDs to join, not the rows.
    Read the table once, with :meth:`lines` or :meth:`rows`.
    """

    def __init__(self, *, facts: GffFacts | None = None,
                 gene2refseq: Mapping[str, Gene2RefseqRow] | None = None,
                 gene_info: Mapping[str, GeneInfo] | None = None, sort_limit: int | None = None):
        from refseqtracks.extsort import ExternalSorter

        self.facts = facts or GffFacts()
        self.gene2refseq = gene2refseq
        self.gene_info = gene_info
        self._names: set[str] = set()
        self._accessions: set[str] = set()
        self._gene_ids: set[str] = set()
        self._sorter: ExternalSorter | None = ExternalSorter(limit=sort_limit) if sort_limit else ExternalSorter()

    def __len__(self) -> int:
        return len(self._names)

    def accessions(self) -> set[str]:
        """The RNA accessions a gene2refseq join looks up: each row's ``mrnaAcc`` (or ``id``
        when empty) and ``id``."""
        return set(self._accessions)

    def gene_ids(self) -> set[str]:
        """The non-empty ``locusLinkId`` values (GeneIDs a gene_info join looks up)."""
        return set(self._gene_ids)

    def add(self, tx: Transcript) -> None:
        """Add the row of ``tx`` (a name already seen is skipped)."""
        name = tx.name
        if name in self._names:
            return
        row = self._make_row(tx)
        self._names.add(name)
        self._accessions.add(row[4] or name)
        self._accessions.add(name)
        if row[6]:
            self._gene_ids.add(row[6])
        if self._sorter is None:
            raise RuntimeError("the link table was already read")
        self._sorter.add(name.encode("utf-8", "surrogateescape"), _encode_row(row))

    def _make_row(self, tx: Transcript) -> list[str]:
        facts = self.facts
        name = tx.name
        attrs = tx.attrs
        g = None
        if attrs:
            ids = attrs.get("ID")
            fid = ids[0] if ids else facts.by_name.get(name)
            source = _first(attrs, "Source") or facts.source(fid)
            t = fields_from_attrs(attrs, source)
            top = facts.top_id(fid)
            g = facts.fields(top) if top is not None else None
            if g is None:  # the converter's copy of the parent gene's attributes, if any
                gene_attrs = {k[5:]: v for k, v in attrs.items() if k.startswith("gene:")}
                if gene_attrs:
                    g = fields_from_attrs(gene_attrs)
        else:
            fid = facts.by_name.get(name)
            t = facts.fields(fid) if fid else None
            if t is None:
                fid = None
                t = _NO_FIELDS
            else:
                top = facts.top_id(fid)
                if top is not None:
                    g = facts.fields(top)
            source = t[0]
        gf = g if g is not None else _NO_FIELDS
        status = "Unknown"
        if self.gene2refseq is not None:
            acc = t[4] or name
            g2r = self.gene2refseq.get(acc) or self.gene2refseq.get(name)
            if g2r is not None:
                status = normalize_status(g2r.status)
        description = None
        if self.gene_info is not None:
            gid = split_dbxrefs(t[DBXREF] + gf[DBXREF]).get("geneid")
            info = self.gene_info.get(gid) if gid else None
            if info is not None:
                description = info.description
        # Note merged over the transcript, its CDS, the other placements, then the gene
        cds_notes = facts.cds_notes
        note = merge_note(t[11], cds_notes.get(fid, "") if fid and cds_notes else "")
        if name in facts.more_by_name:
            for other in facts.placements(name)[1:]:
                other_fields = facts.fields(other)
                note = merge_note(note, other_fields[11] if other_fields is not None else "")
                note = merge_note(note, cds_notes.get(other, ""))
        note = merge_note(note, gf[11])
        return _row(name, t, gf, source=source,
                    protein_id=facts.protein_ids.get(fid, "") if fid else "",
                    status=status, description=description, note=note)

    def _texts(self) -> Iterator[str]:
        if self._sorter is None:
            raise RuntimeError("the link table was already read")
        sorter, self._sorter = self._sorter, None
        return iter(sorter)

    def lines(self, *, gene2refseq: Mapping[str, Gene2RefseqRow] | None = None,
              gene_info: Mapping[str, GeneInfo] | None = None) -> Iterator[str]:
        """The formatted link lines (:func:`format_link_line`), sorted by id bytewise; once.

        ``gene2refseq`` sets ``status`` from the row of ``mrnaAcc`` (else of ``id``);
        ``gene_info`` sets ``description`` from the row of ``locusLinkId`` when it has one.
        """
        for text in self._texts():
            if gene2refseq is None and gene_info is None and text[0] == "R":
                yield text[1:] + "\n"
                continue
            r = _decode_row(text)
            join_gene(r, gene2refseq, gene_info)
            yield format_link_line(r)

    def rows(self) -> list[list[str]]:
        """The rows, sorted by id bytewise (once)."""
        return [_decode_row(text) for text in self._texts()]


def join_gene(row: list[str], gene2refseq: Mapping[str, Gene2RefseqRow] | None,
              gene_info: Mapping[str, GeneInfo] | None) -> None:
    """Join a link row with NCBI Gene in place: ``status`` from the gene2refseq row of
    ``mrnaAcc`` (else of ``id``), ``description`` from the gene_info row of ``locusLinkId``."""
    if gene2refseq is not None:
        hit = gene2refseq.get(row[4]) or gene2refseq.get(row[0])
        if hit is not None:
            row[1] = normalize_status(hit.status)
    if gene_info is not None:
        info = gene_info.get(row[6]) if row[6] else None
        if info is not None and info.description:
            row[17] = info.description


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
