"""Exchange with pyranges: Transcripts ↔ PyRanges tables.

Coordinates stay 0-based half-open (pyranges' own convention), so ``Start``/``End`` are genePred
coordinates unchanged.  Columns written by :func:`to_pyranges` (pyranges spelling for the
interval columns, UCSC/GTF spelling for the rest):

- every row: ``Chromosome Start End Strand Feature transcript_id gene_name ThickStart ThickEnd
  cdsStartStat cdsEndStat Score`` (``ThickStart``/``ThickEnd`` = cdsStart/cdsEnd of the
  transcript, as in BED; ``gene_name`` = genePred name2);
- ``feature="exon"``: one row per exon with ``exon_number`` (1-based, 5'→3' as genePredToGtf
  counts) and ``Frame`` (the genePred exonFrame, computed when absent);
- ``feature="cds"``: one row per coding part of an exon, ``Feature`` = ``CDS``, same extra
  columns;
- ``feature="transcript"``: one row per transcript with ``BlockCount BlockSizes BlockStarts``
  (comma lists with a trailing comma, relative to Start, as in BED12 / ``pyranges.read_bed``)
  and ``ExonFrames`` (the genePred exonFrames list, empty when the transcript has none).

:func:`from_pyranges` reads any of these back, and also plain tables: exon rows grouped by
``transcript_id`` (or ``Name``) with the CDS taken from ``CDS``/``stop_codon`` rows (GTF style)
or from ``ThickStart``/``ThickEnd``; BED12-like rows with ``BlockSizes``/``BlockStarts``.  A
transcript without CDS gets ``cdsStart = cdsEnd = txEnd`` as gff3ToGenePred writes it.
pyranges and pandas are imported only when these functions run.
"""
from __future__ import annotations

from typing import Any, Iterable, Literal

from refseqtracks.errors import ConversionError
from refseqtracks.frames import calc_exon_frames
from refseqtracks.model import Transcript

__all__ = ["to_pyranges", "from_pyranges"]

_COMMON = ("Chromosome", "Start", "End", "Strand", "Feature", "transcript_id", "gene_name",
           "ThickStart", "ThickEnd", "cdsStartStat", "cdsEndStat", "Score")


def _rows(tx: Transcript, feature: str) -> list[tuple]:
    common = (tx.name, tx.name2, tx.cds_start, tx.cds_end, tx.cds_start_stat, tx.cds_end_stat,
              tx.score)
    if feature == "transcript":
        sizes = "".join(f"{e - s}," for s, e in zip(tx.exon_starts, tx.exon_ends))
        rel = "".join(f"{s - tx.tx_start}," for s in tx.exon_starts)
        frames = None if tx.exon_frames is None else "".join(f"{f}," for f in tx.exon_frames)
        return [(tx.chrom, tx.tx_start, tx.tx_end, tx.strand, "transcript", *common,
                 len(tx.exon_starts), sizes, rel, frames)]
    frames = tx.exon_frames if tx.exon_frames is not None else calc_exon_frames(tx)
    n = len(tx.exon_starts)
    out = []
    for i, (s, e) in enumerate(zip(tx.exon_starts, tx.exon_ends)):
        number = n - i if tx.strand == "-" else i + 1
        if feature == "cds":
            s, e = max(s, tx.cds_start), min(e, tx.cds_end)
            if s >= e:
                continue
        out.append((tx.chrom, s, e, tx.strand, "CDS" if feature == "cds" else "exon", *common,
                    number, frames[i]))
    return out


def to_pyranges(transcripts: Iterable[Transcript], *,
                feature: Literal["exon", "transcript", "cds"] = "exon") -> Any:
    """A PyRanges of the transcripts' exons, whole transcripts, or CDS parts."""
    if feature not in ("exon", "transcript", "cds"):
        raise ValueError(f"feature must be 'exon', 'transcript' or 'cds', not {feature!r}")
    import pandas as pd
    import pyranges as pr
    extra = ("BlockCount", "BlockSizes", "BlockStarts", "ExonFrames") if feature == "transcript" \
        else ("exon_number", "Frame")
    rows = [r for tx in transcripts for r in _rows(tx, feature)]
    df = pd.DataFrame.from_records(rows, columns=list(_COMMON + extra))
    for col in ("Start", "End", "ThickStart", "ThickEnd"):
        df[col] = df[col].astype("int64")
    return pr.PyRanges(df)


def _frame(gr: Any):
    df = getattr(gr, "df", gr)  # pyranges 0.x keeps a .df; pyranges1 is a DataFrame itself
    if len(df) == 0:
        return df
    for col in ("Chromosome", "Start", "End"):
        if col not in df.columns:
            raise ConversionError(f"from_pyranges: the table has no {col} column")
    return df


def _opt(value: Any) -> Any:
    import pandas as pd
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    return value


def _int_list(text: Any, what: str, name: str) -> list[int]:
    parts = str(text).split(",")
    if parts and parts[-1] == "":
        parts.pop()
    try:
        return [int(p) for p in parts]
    except ValueError:
        raise ConversionError(f"{name}: invalid {what} \"{text}\"") from None


def from_pyranges(gr: Any) -> list[Transcript]:
    """Transcripts from a PyRanges (or DataFrame) made by :func:`to_pyranges` or read from GTF/BED.

    The result is sorted by chromosome, txStart, txEnd and name.
    """
    df = _frame(gr)
    if len(df) == 0:
        return []
    id_col = "transcript_id" if "transcript_id" in df.columns else "Name" if "Name" in df.columns else None
    if id_col is None:
        raise ConversionError("from_pyranges: the table needs a transcript_id or Name column")
    if "BlockSizes" in df.columns and "BlockStarts" in df.columns:
        sel = df if "Feature" not in df.columns else df[df["Feature"].isin(["transcript"])]
        if len(sel):
            return _sorted([_from_block_row(row, id_col) for row in sel.to_dict("records")])
    groups: dict[str, list[dict]] = {}
    for row in df.to_dict("records"):
        groups.setdefault(str(row[id_col]), []).append(row)
    return _sorted([_from_rows(name, rows) for name, rows in groups.items()])


def _sorted(txs: list[Transcript]) -> list[Transcript]:
    return sorted(txs, key=lambda t: (t.chrom, t.tx_start, t.tx_end, t.name))


def _strand(row: dict, name: str) -> str:
    strand = _opt(row.get("Strand"))
    if strand not in ("+", "-"):
        raise ConversionError(f"{name}: strand must be + or -, got {strand!r}")
    return strand


def _ext(row: dict) -> dict:
    score = _opt(row.get("Score"))
    return dict(score=int(score) if score is not None else None,
                name2=_opt(row.get("gene_name")),
                cds_start_stat=_opt(row.get("cdsStartStat")),
                cds_end_stat=_opt(row.get("cdsEndStat")))


def _from_block_row(row: dict, id_col: str) -> Transcript:
    name = str(row[id_col])
    start, end = int(row["Start"]), int(row["End"])
    sizes = _int_list(row["BlockSizes"], "BlockSizes", name)
    rel = _int_list(row["BlockStarts"], "BlockStarts", name)
    if len(sizes) != len(rel) or not sizes:
        raise ConversionError(f"{name}: BlockSizes and BlockStarts differ in length")
    starts = tuple(start + r for r in rel)
    ends = tuple(s + z for s, z in zip(starts, sizes))
    if ends[-1] != end or starts[0] != start:
        raise ConversionError(f"{name}: blocks do not span Start to End")
    ts, te = _opt(row.get("ThickStart")), _opt(row.get("ThickEnd"))
    cds = (int(ts), int(te)) if ts is not None and te is not None else (end, end)
    frames = _opt(row.get("ExonFrames"))
    if frames is not None:
        frames = tuple(_int_list(frames, "ExonFrames", name))
        if len(frames) != len(starts):
            raise ConversionError(f"{name}: ExonFrames has {len(frames)} values for {len(starts)} blocks")
    return Transcript(name, str(row["Chromosome"]), _strand(row, name), start, end, *cds,
                      starts, ends, exon_frames=frames, **_ext(row))


def _from_rows(name: str, rows: list[dict]) -> Transcript:
    has_feature = "Feature" in rows[0]
    exons = [r for r in rows if not has_feature or r["Feature"] == "exon"]
    coding = [r for r in rows if has_feature and r["Feature"] in ("CDS", "stop_codon", "start_codon")]
    if not exons:
        exons = [r for r in rows if r["Feature"] == "CDS"]
    if not exons:
        raise ConversionError(f"{name}: no exon rows")
    first = exons[0]
    chrom = str(first["Chromosome"])
    strand = _strand(first, name)
    if any(str(r["Chromosome"]) != chrom or r.get("Strand") != strand for r in rows):
        raise ConversionError(f"{name}: rows on different chromosomes or strands")
    ordered = sorted(exons, key=lambda r: int(r["Start"]))
    starts = tuple(int(r["Start"]) for r in ordered)
    ends = tuple(int(r["End"]) for r in ordered)
    for i in range(1, len(starts)):
        if starts[i] < ends[i - 1]:
            raise ConversionError(f"{name}: exons overlap at {chrom}:{starts[i]}")
    tx_start, tx_end = starts[0], ends[-1]
    if coding:
        cds = (min(int(r["Start"]) for r in coding), max(int(r["End"]) for r in coding))
    else:
        ts, te = _opt(first.get("ThickStart")), _opt(first.get("ThickEnd"))
        cds = (int(ts), int(te)) if ts is not None and te is not None else (tx_end, tx_end)
    frames = None
    if "Frame" in first and all(_opt(r.get("Frame")) is not None for r in ordered):
        frames = tuple(int(r["Frame"]) for r in ordered)
    return Transcript(name, chrom, strand, tx_start, tx_end, *cds, starts, ends,
                      exon_frames=frames, **_ext(first))
