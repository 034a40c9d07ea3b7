"""Transcript, CDS and protein sequences from a genome (what ``gffread -w``/``-x``/``-y`` write).

* ``rna``: the exons spliced together, 5' to 3' (reverse-complemented on ``-``).
* ``cds``: the coding parts of the exons spliced together, stop codon included, from the first
  complete codon (a 5'-partial CDS loses its phase bases), as gffread ``-x``.
* ``protein``: the translation from :func:`refseqtracks.codons.walk_codons` (genetic code,
  ``transl_except`` and start codons honoured), without the final stop, incomplete end codons
  dropped, as NCBI's ``/translation``.  In-frame stops are ``*`` (gffread writes ``.``, kent's
  genePredToProt ``X``).

Nucleotides keep the genome's case (soft-masking), as gffread does; proteins are upper case.
FASTA: ``>name name2`` (``>name`` when there is no name2) and 70 bases per line, gffread's line
width.  Non-coding transcripts have no CDS or protein record.  Coordinates are 0-based half-open.
"""
from __future__ import annotations

from typing import IO, Iterable, Literal

from refseqtracks.codons import coding_blocks
from refseqtracks.genetic_code import reverse_complement
from refseqtracks.genome import Genome, GenomeError
from refseqtracks.model import Transcript

__all__ = ["transcript_rna", "transcript_cds", "format_fasta_record", "FASTA_WIDTH", "SeqType",
           "fasta_defline"]

FASTA_WIDTH = 70
SeqType = Literal["rna", "cds", "protein"]


def _spliced(tx: Transcript, genome: Genome, blocks: Iterable[tuple[int, int]]) -> str:
    try:
        seq = "".join([genome.fetch(tx.chrom, s, e) for s, e in blocks])
    except GenomeError as ex:
        raise GenomeError(f"transcript {tx.name}: {ex}") from None
    return reverse_complement(seq) if tx.strand == "-" else seq


def transcript_rna(tx: Transcript, genome: Genome) -> str:
    """The spliced exons of ``tx`` in transcription orientation."""
    return _spliced(tx, genome, tx.exons)


def transcript_cds(tx: Transcript, genome: Genome) -> str:
    """The spliced coding bases of ``tx`` in transcription orientation ('' when non-coding).

    A 5'-partial CDS (its 5'-most coding exon has frame 1 or 2) starts at its first complete
    codon: the ``(3 - frame) % 3`` leading bases (the GFF3 phase) are left out, as gffread does.
    """
    if not tx.is_coding:
        return ""
    seq = _spliced(tx, genome, tx.cds_blocks())
    blocks = coding_blocks(tx)
    frame = blocks[0][3] if blocks else 0
    if frame in (1, 2):
        seq = seq[(3 - frame) % 3:]
    return seq


def fasta_defline(tx: Transcript) -> str:
    """``>name name2`` (``>name`` when name2 is empty)."""
    return f">{tx.name} {tx.name2}" if tx.name2 else f">{tx.name}"


def format_fasta_record(defline: str, seq: str, *, width: int = FASTA_WIDTH) -> str:
    """One FASTA record, ``width`` letters per line (``width <= 0``: one line)."""
    if width <= 0 or len(seq) <= width:
        return f"{defline}\n{seq}\n"
    lines = [defline]
    lines += [seq[i:i + width] for i in range(0, len(seq), width)]
    lines.append("")
    return "\n".join(lines)


def write_fasta_record(out: IO[str], defline: str, seq: str, *, width: int = FASTA_WIDTH) -> None:
    out.write(format_fasta_record(defline, seq, width=width))
