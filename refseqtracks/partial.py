"""``-partialCdsStat``: cdsStartStat/cdsEndStat from what RefSeq says about partial CDSs.

Coordinates are 0-based half-open.  kent v492 gff3ToGenePred never reads NCBI's partial flags: every
coding transcript is ``cmpl cmpl`` (its test ``ncbiProblemsTest``: a gene with
``end_range=815,.;partial=true`` comes out ``cmpl cmpl``).  That stays the default; this module is
the opt-in alternative.

Format facts (NCBI GFF3): a feature that runs off the annotated sequence (or off the known
transcript) carries ``partial=true`` and says which end with ``start_range=.,N`` (its genomic start
N, 1-based, is not the real start) and/or ``end_range=N,.`` (its genomic end N is not the real end).
NCBI writes them on the CDS rows and repeats them on the mRNA and gene.  ``partial=true`` without a
range says nothing about which end, so it is not used on its own.

genePred facts: ``cdsStartStat`` describes ``cdsStart`` and ``cdsEndStat`` ``cdsEnd``, the genomic
low and high ends whatever the strand.  On '+' cdsStart is the 5' end (start codon) and cdsEnd the
3' end (stop codon); on '-' it is the other way round.  So ``start_range`` always sets
``cdsStartStat`` and ``end_range`` ``cdsEndStat``, while the genome check below (start codon at
the 5' end, stop codon at the 3' end) is strand-aware.

Rules:

* a range marks the CDS end at its position (``N - 1 == cdsStart`` for ``start_range``,
  ``N == cdsEnd`` for ``end_range``), whether it is on a CDS row, the mRNA or the gene: a
  transcript partial in its UTR has a complete CDS, and of several CDSs under one gene only the
  one reaching the range is partial (a CDS row's range without a position is trusted);
* optionally, with a genome: the 5' end is ``incmpl`` when the first codon is not whole or not a
  start codon of the transcript's genetic code (``refseqtracks.genetic_code``, the table chosen
  by :mod:`refseqtracks.cdsannot`), the 3' end when the last codon is not a stop (a stop made by
  ``transl_except``, the mitochondrial poly(A) completion, counts);
* everything else is ``cmpl``; non-coding transcripts keep ``none``.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from refseqtracks.cdsannot import CdsAnnotation, CdsAnnotations
from refseqtracks.model import Transcript

__all__ = ["gff3_partial_ends", "codon_partial_ends", "set_partial_cds_stats"]

_PREFIXES = ("", "gene:")


def _range_pos(value: str, which: int) -> int | None:
    """Position ``which`` (0 or 1) of a ``start_range``/``end_range`` value, or None for ``.``."""
    parts = value.split(",")
    if len(parts) != 2:
        return None
    text = parts[which].strip()
    return int(text) if text.isdigit() else None


def gff3_partial_ends(tx: Transcript, *, cds: CdsAnnotation | None = None,
                      cds_attrs: Iterable[Mapping[str, Any]] = (),
                      feature_attrs: Iterable[Mapping[str, Any]] | None = None) -> tuple[bool, bool]:
    """``(low, high)``: whether RefSeq says the CDS of ``tx`` is partial at cdsStart / cdsEnd.

    ``cds`` is the transcript's :class:`CdsAnnotation` (from :func:`refseqtracks.cdsannot.scan_gff3_cds`),
    ``cds_attrs`` the attributes of its CDS rows when the caller has them.  ``feature_attrs`` are
    the attributes of the transcript's own record and its gene (their ranges count where they
    are the CDS ends); by default ``tx.attrs`` supplies them (the mRNA's, and the gene's with
    the ``gene:`` prefix).
    """
    if not tx.is_coding:
        return False, False
    low = high = False
    if cds is not None:
        low, high = cds.partial_start, cds.partial_end
    for a in cds_attrs:
        # a row's range counts where it is this CDS's end (a gene's CDSs may be split into
        # several transcripts by -repairNcbi); a value without a position is trusted
        for v in _values(a.get("start_range")):
            pos = _range_pos(v, 1)
            low = low or pos is None or pos - 1 == tx.cds_start
        for v in _values(a.get("end_range")):
            pos = _range_pos(v, 0)
            high = high or pos is None or pos == tx.cds_end
    if feature_attrs is None:
        attrs = tx.attrs or {}
        pairs = [(attrs, prefix) for prefix in _PREFIXES]
    else:
        pairs = [(a, "") for a in feature_attrs]
    for attrs, prefix in pairs:
        for v in _values(attrs.get(prefix + "start_range")):
            pos = _range_pos(v, 1)
            if pos is not None and pos - 1 == tx.cds_start:
                low = True
        for v in _values(attrs.get(prefix + "end_range")):
            pos = _range_pos(v, 0)
            if pos is not None and pos == tx.cds_end:
                high = True
    return low, high


def _values(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    vals = tuple(v)
    # a range value "N,." may have been split at its comma into two attribute values
    if len(vals) == 2 and "," not in vals[0]:
        return (f"{vals[0]},{vals[1]}",)
    return vals


def codon_partial_ends(tx: Transcript, genome: Any, *, code: Any = 1, transl_except: Iterable = (),
                       slippage: bool = False) -> tuple[bool, bool]:
    """``(low, high)``: whether the genome shows the CDS lacks its start / stop codon there.

    The 5' end (cdsStart on '+', cdsEnd on '-') lacks a start when its first codon is incomplete
    (first exon frame not 0) or not a start codon of ``code``; the 3' end lacks a stop when the
    last codon is not a stop.  ``genome`` has ``fetch(seqid, start, end)``
    (:func:`refseqtracks.genome.open_genome`).
    """
    if not tx.is_coding:
        return False, False
    from refseqtracks.codons import walk_codons
    from refseqtracks.genetic_code import GeneticCode, genetic_code

    if not isinstance(code, GeneticCode):
        code = genetic_code(code)
    walk = walk_codons(tx, genome, code=code, transl_except=transl_except, slippage=slippage,
                       five_prime_complete=True)
    codons = walk.codons
    if not codons:
        return True, True
    first, last = codons[0], codons[-1]
    no_start = not (walk.five_prime_complete and first.complete
                    and (first.bases in code.starts or first.transl_except is not None and first.aa == "M"))
    no_stop = not (last.aa == "*" and (last.complete or last.transl_except is not None))
    return (no_stop, no_start) if tx.strand == "-" else (no_start, no_stop)


def set_partial_cds_stats(tx: Transcript, *, annotations: CdsAnnotations | None = None,
                          cds_attrs: Iterable[Mapping[str, Any]] = (),
                          feature_attrs: Iterable[Mapping[str, Any]] | None = None, genome: Any = None,
                          transl_table: int | None = None) -> Transcript:
    """``tx`` with cdsStartStat/cdsEndStat ``incmpl`` at the partial ends, ``cmpl`` elsewhere.

    ``annotations`` (:func:`refseqtracks.cdsannot.scan_gff3_cds`) supplies the CDS rows' ranges,
    genetic code and transl_except; ``cds_attrs``/``feature_attrs`` as for :func:`gff3_partial_ends`;
    with ``genome`` the codons are checked as well.
    ``transl_table`` overrides the genetic code (without ``annotations``, the CDS rows'
    ``transl_table`` is used, else the standard code).  Non-coding transcripts are returned unchanged.
    """
    if not tx.is_coding:
        return tx
    ann: CdsAnnotation | None = None
    cds_attrs = list(cds_attrs)
    table = transl_table or _row_table(cds_attrs) or 1
    if annotations is not None:
        # for_transcript also folds in the mRNA's ranges wherever they lie; the rows' own flags
        # are taken from the index and the transcript's ranges checked by position below
        ann, table = annotations.for_transcript(tx, override=transl_table)
        rows = annotations.by_span.get((tx.chrom, tx.strand, tx.cds_start, tx.cds_end))
    else:
        rows = None
    low, high = gff3_partial_ends(tx, cds=rows, cds_attrs=cds_attrs, feature_attrs=feature_attrs)
    if genome is not None and not (low and high):
        if ann is not None:
            te = ann.transl_except
        else:
            from refseqtracks.genetic_code import parse_transl_except
            te = parse_transl_except([v for a in cds_attrs for v in _values(a.get("transl_except"))])
        g_low, g_high = codon_partial_ends(tx, genome, code=table, transl_except=te,
                                           slippage=bool(ann and ann.slippage))
        low, high = low or g_low, high or g_high
    ss = "incmpl" if low else "cmpl"
    es = "incmpl" if high else "cmpl"
    if ss == tx.cds_start_stat and es == tx.cds_end_stat:
        return tx
    return Transcript(tx.name, tx.chrom, tx.strand, tx.tx_start, tx.tx_end, tx.cds_start, tx.cds_end,
                      tx.exon_starts, tx.exon_ends, tx.score, tx.name2, ss, es, tx.exon_frames, tx.attrs)


def _row_table(cds_attrs: list[Mapping[str, Any]]) -> int | None:
    for a in cds_attrs:
        for v in _values(a.get("transl_table")):
            if v.isdigit():
                return int(v)
    return None
