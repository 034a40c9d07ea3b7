"""What a RefSeq GFF3 says about translating each CDS (beyond what a genePred can hold).

NCBI writes translation facts on the ``CDS`` rows, not on the mRNA: ``transl_table=2``,
``transl_except=(pos:…,aa:…)``, ``exception=ribosomal slippage`` (or ``RNA editing``,
``annotated by transcript or proteomic data`` …), ``partial=true`` with ``start_range``/``end_range``
for CDSs that run off the annotated sequence; the ``region`` row of a sequence carries
``genome=mitochondrion`` (or ``chloroplast`` …).  A genePred keeps none of this, so
:func:`scan_gff3_cds` reads those rows in one light pass (no full GFF3 parse) and indexes them by
the CDS's placement ``(seqid, strand, cdsStart, cdsEnd)`` -- the one key that a transcript built
by gff3ToGenePred is sure to share with its CDS rows, whatever name it was given.

For each transcript, :meth:`CdsAnnotations.for_transcript` merges that with the transcript's own
GFF3 attributes (``Transcript.attrs``).  Coordinates are 0-based half-open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from refseqtracks.fileio import Source
from refseqtracks.genetic_code import TranslExcept, choose_transl_table, parse_transl_except
from refseqtracks.gff3 import raw_feature_columns, unescape
from refseqtracks.model import Transcript

__all__ = ["CdsAnnotation", "CdsAnnotations", "scan_gff3_cds"]

_WANTED = ("transl_table", "transl_except", "exception", "start_range", "end_range", "partial")


@dataclass
class CdsAnnotation:
    """Translation facts for one CDS."""

    transl_table: int | None = None
    transl_except: tuple[TranslExcept, ...] = ()
    exceptions: tuple[str, ...] = ()
    partial_start: bool = False  # genomic start (low end) is partial
    partial_end: bool = False

    @property
    def slippage(self) -> bool:
        return any("ribosomal slippage" in e for e in self.exceptions)


@dataclass
class _Acc:
    strand: str
    start: int
    end: int
    attrs: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class CdsAnnotations:
    """Index of :class:`CdsAnnotation` by CDS placement, plus mitochondrial sequences."""

    by_span: dict[tuple[str, str, int, int], CdsAnnotation] = field(default_factory=dict)
    mito_seqids: set[str] = field(default_factory=set)

    def for_transcript(self, tx: Transcript, *, override: int | None = None) -> tuple[CdsAnnotation, int]:
        """The transcript's CDS annotation and the transl_table to use."""
        ann = self.by_span.get((tx.chrom, tx.strand, tx.cds_start, tx.cds_end))
        attrs: Mapping[str, object] = tx.attrs or {}
        if ann is None:
            ann = CdsAnnotation()
            if attrs:
                tt = _first(attrs, "transl_table")
                ann.transl_table = int(tt) if tt and tt.isdigit() else None
                te = attrs.get("transl_except")
                if te:
                    ann.transl_except = parse_transl_except(list(te) if not isinstance(te, str) else te)
                ex = attrs.get("exception")
                if ex:
                    ann.exceptions = tuple([ex] if isinstance(ex, str) else ex)
        if attrs:
            ann = CdsAnnotation(ann.transl_table, ann.transl_except, ann.exceptions,
                                ann.partial_start or "start_range" in attrs,
                                ann.partial_end or "end_range" in attrs)
        tt_attrs = {"transl_table": (str(ann.transl_table),)} if ann.transl_table else None
        table = choose_transl_table(tx.chrom, tt_attrs, mito_seqids=self.mito_seqids, override=override)
        return ann, table


def _first(attrs: Mapping[str, object], key: str) -> str | None:
    v = attrs.get(key)
    if v is None:
        return None
    if isinstance(v, str):
        return v
    for x in v:  # type: ignore[union-attr]
        return str(x)
    return None


def _attrs(col: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in col.split(";"):
        tag, eq, val = item.partition("=")
        if eq:
            out[tag.strip()] = val
    return out


def scan_gff3_cds(src: Source) -> CdsAnnotations:
    """One pass over a GFF3: CDS translation facts by placement, and mitochondrial seqids."""
    result = CdsAnnotations()
    acc: dict[tuple[str, str], _Acc] = {}
    for cols in raw_feature_columns(src, lambda line: "\tCDS\t" in line or "\tregion\t" in line):
        if cols[2] == "region":
            if "genome=mitochondrion" in cols[8]:
                result.mito_seqids.add(cols[0])
            continue
        if cols[2] != "CDS":
            continue
        a = _attrs(cols[8])
        parent = a.get("Parent") or a.get("ID") or ""
        try:
            start, end = int(cols[3]) - 1, int(cols[4])
        except ValueError:
            continue
        key = (cols[0], parent.split(",")[0])
        rec = acc.get(key)
        if rec is None:
            rec = acc[key] = _Acc(cols[6], start, end)
        else:
            rec.start = min(rec.start, start)
            rec.end = max(rec.end, end)
        for tag in _WANTED:
            v = a.get(tag)
            if v is not None:
                vals = rec.attrs.setdefault(tag, [])
                if tag == "transl_except":
                    if v not in vals:
                        vals.append(v)
                else:
                    for x in v.split(","):
                        x = _unescape(x)
                        if x not in vals:
                            vals.append(x)
    for (seqid, _), rec in acc.items():
        at = rec.attrs
        tt = at.get("transl_table", [None])[0]
        ann = CdsAnnotation(
            transl_table=int(tt) if tt and tt.isdigit() else None,
            transl_except=parse_transl_except(at.get("transl_except", [])),
            exceptions=tuple(at.get("exception", ())),
            partial_start="start_range" in at,
            partial_end="end_range" in at,
        )
        result.by_span.setdefault((seqid, rec.strand, rec.start, rec.end), ann)
    return result


def _unescape(text: str) -> str:
    if "%" not in text:
        return text
    try:
        return unescape(text)
    except Exception:  # a bad escape is the GFF3 reader's business, not ours
        return text
