"""Genetic codes (NCBI ``transl_table``), ``transl_except`` and which code applies to a transcript.

Format facts relied on:

* NCBI genetic code tables (``gc.prt``) list the amino acids of the 64 codons in the order
  ``TTT TTC TTA TTG TCT ... GGG`` (bases ``TCAG``, first base slowest); ``*`` is a stop.  The
  *start* codons of a table are translated as ``M`` when they begin a 5'-complete CDS (NCBI
  translates an ``ATT`` or ``GTG`` start as Met, e.g. human mitochondrial ND2).
* GenBank/GFF3 ``transl_except=(pos:4261..4262,aa:TERM)`` overrides the translation of the codon
  at the given 1-based sequence positions; ``pos:complement(a..b)`` is on the minus strand and
  ``pos:join(a..b,c..d)`` spans an intron.  ``aa`` is a three-letter code, ``TERM`` a stop,
  ``Sec`` selenocysteine (``U``), ``Pyl`` pyrrolysine (``O``), ``OTHER`` anything else (``X``).
  In GFF3 the comma inside the value is percent-encoded (``%2C``); both spellings are accepted.
  Mitochondrial stops completed by poly(A) (``TA``/``T`` followed by the mRNA's 3' A residues)
  are annotated this way.
* Which code applies: the CDS's ``transl_table`` attribute when present (NCBI writes it on every
  CDS that does not use the standard code, e.g. ``2`` for human mitochondrion, ``11`` for
  bacteria, ``4`` for Mycoplasma); otherwise a sequence that the annotation marks as a
  mitochondrion (``region`` feature ``genome=mitochondrion``) or that is named like the human
  mitochondrion (``chrM``, ``chrMT``, ``MT``, ``M``, ``NC_012920.x``, ``NC_001807.x``) uses the
  vertebrate mitochondrial code 2 -- the same choice UCSC's browser makes for ``chrM``; every
  other sequence uses the standard code 1.

Positions are 0-based half-open inside, as everywhere in refseqtracks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from refseqtracks.errors import RefseqtracksError

__all__ = [
    "GeneticCode", "genetic_code", "TABLES", "AA3_TO_AA1", "TranslExcept", "parse_transl_except",
    "is_mito_seqid", "choose_transl_table", "translate", "reverse_complement",
]

_BASES = "TCAG"
#: codon -> index into a 64-letter NCBI table string
_CODON_INDEX = {a + b + c: 16 * i + 4 * j + k
                for i, a in enumerate(_BASES) for j, b in enumerate(_BASES) for k, c in enumerate(_BASES)}

_STD = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"

#: NCBI transl_table id -> (name, amino acids of the 64 codons, start codons)
TABLES: dict[int, tuple[str, str, tuple[str, ...]]] = {
    1: ("Standard", _STD, ("TTG", "CTG", "ATG")),
    2: ("Vertebrate Mitochondrial",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSS**VVVVAAAADDEEGGGG",
        ("ATT", "ATC", "ATA", "ATG", "GTG")),
    3: ("Yeast Mitochondrial",
        "FFLLSSSSYY**CCWWTTTTPPPPHHQQRRRRIIMMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        ("ATA", "ATG", "GTG")),
    4: ("Mold, Protozoan, and Coelenterate Mitochondrial; Mycoplasma/Spiroplasma",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        ("TTA", "TTG", "CTG", "ATT", "ATC", "ATA", "ATG", "GTG")),
    5: ("Invertebrate Mitochondrial",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSSSSVVVVAAAADDEEGGGG",
        ("TTG", "ATT", "ATC", "ATA", "ATG", "GTG")),
    6: ("Ciliate, Dasycladacean and Hexamita Nuclear",
        "FFLLSSSSYYQQCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG", ("ATG",)),
    9: ("Echinoderm and Flatworm Mitochondrial",
        "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNNKSSSSVVVVAAAADDEEGGGG", ("ATG", "GTG")),
    10: ("Euplotid Nuclear",
         "FFLLSSSSYY**CCCWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG", ("ATG",)),
    11: ("Bacterial, Archaeal and Plant Plastid", _STD,
         ("TTG", "CTG", "ATT", "ATC", "ATA", "ATG", "GTG")),
    12: ("Alternative Yeast Nuclear",
         "FFLLSSSSYY**CC*WLLLSPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG", ("CTG", "ATG")),
    13: ("Ascidian Mitochondrial",
         "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSSGGVVVVAAAADDEEGGGG",
         ("TTG", "ATA", "ATG", "GTG")),
    14: ("Alternative Flatworm Mitochondrial",
         "FFLLSSSSYYY*CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNNKSSSSVVVVAAAADDEEGGGG", ("ATG",)),
}

#: three-letter amino-acid codes used in ``transl_except`` -> one letter
AA3_TO_AA1: dict[str, str] = {
    "ALA": "A", "ARG": "R", "ASN": "N", "ASP": "D", "CYS": "C", "GLN": "Q", "GLU": "E",
    "GLY": "G", "HIS": "H", "ILE": "I", "LEU": "L", "LYS": "K", "MET": "M", "PHE": "F",
    "PRO": "P", "SER": "S", "THR": "T", "TRP": "W", "TYR": "Y", "VAL": "V", "SEC": "U",
    "PYL": "O", "TERM": "*", "TER": "*", "STOP": "*", "OTHER": "X", "XAA": "X", "ASX": "B",
    "GLX": "Z", "XLE": "J",
}

_COMPLEMENT = str.maketrans("ACGTURYSWKMBDHVNacgturyswkmbdhvn", "TGCAAYRSWMKVHDBNtgcaayrswmkvhdbn")


def reverse_complement(seq: str) -> str:
    """Reverse complement, IUPAC-aware, case kept."""
    return seq.translate(_COMPLEMENT)[::-1]


@dataclass(frozen=True)
class GeneticCode:
    """One NCBI genetic code: ``translate_codon`` and the start/stop codon sets."""

    id: int
    name: str
    table: Mapping[str, str]
    starts: frozenset[str]
    stops: frozenset[str]

    def translate_codon(self, codon: str) -> str:
        """Amino acid of an upper-case codon; ``X`` for incomplete or ambiguous codons."""
        return self.table.get(codon, "X")


_CODES: dict[int, GeneticCode] = {}


def genetic_code(table_id: int | str = 1) -> GeneticCode:
    """The :class:`GeneticCode` for an NCBI ``transl_table`` number."""
    try:
        tid = int(table_id)
        name, aas, starts = TABLES[tid]
    except (ValueError, KeyError):
        known = ", ".join(str(k) for k in TABLES)
        raise RefseqtracksError(f"unknown genetic code transl_table={table_id} (known: {known})") from None
    code = _CODES.get(tid)
    if code is None:
        table = {codon: aas[i] for codon, i in _CODON_INDEX.items()}
        # RNA spelling translates the same way
        table.update({c.replace("T", "U"): a for c, a in table.items()})
        code = GeneticCode(tid, name, table, frozenset(starts),
                           frozenset(c for c, a in table.items() if a == "*" and "U" not in c))
        _CODES[tid] = code
    return code


def translate(seq: str, code: GeneticCode | int = 1) -> str:
    """Translate a sequence codon by codon (a trailing 1-2 bases are ignored); stops are ``*``."""
    if not isinstance(code, GeneticCode):
        code = genetic_code(code)
    seq = seq.upper()
    get = code.table.get
    return "".join([get(seq[i:i + 3], "X") for i in range(0, len(seq) - 2, 3)])


@dataclass(frozen=True)
class TranslExcept:
    """One ``transl_except``: the 0-based genomic bases of the codon and its amino acid."""

    positions: frozenset[int]
    aa: str
    text: str


_TE_RE = re.compile(r"pos:(.*?),aa:([A-Za-z]+)\)")
_RANGE_RE = re.compile(r"[<>]?(\d+)(?:\.\.[<>]?(\d+))?")


def parse_transl_except(values: Iterable[str] | str) -> tuple[TranslExcept, ...]:
    """Parse ``transl_except`` attribute values (``(pos:…,aa:…)`` groups, ``%2C`` or ``,``)."""
    if isinstance(values, str):
        values = [values]
    out: list[TranslExcept] = []
    text = ",".join(values).replace("%2C", ",").replace("%2c", ",")
    for m in _TE_RE.finditer(text):
        loc, aa3 = m.group(1), m.group(2)
        aa = AA3_TO_AA1.get(aa3.upper())
        if aa is None:
            aa = aa3.upper() if len(aa3) == 1 else "X"
        positions: set[int] = set()
        for r in _RANGE_RE.finditer(loc):
            a = int(r.group(1))
            b = int(r.group(2)) if r.group(2) else a
            if b < a:
                a, b = b, a
            positions.update(range(a - 1, b))
        if positions:
            out.append(TranslExcept(frozenset(positions), aa, f"(pos:{loc},aa:{aa3})"))
    return tuple(out)


_MITO_NAMES = frozenset(["chrM", "chrMT", "MT", "M"])


def is_mito_seqid(seqid: str) -> bool:
    """True for names of the (human-style) mitochondrial sequence: chrM, MT, NC_012920.x ..."""
    if seqid in _MITO_NAMES:
        return True
    acc = seqid.partition(".")[0]
    return acc in ("NC_012920", "NC_001807")


def choose_transl_table(seqid: str, attrs: Mapping[str, object] | None = None, *,
                        mito_seqids: Iterable[str] = (), override: int | None = None) -> int:
    """The transl_table for a CDS: override > ``transl_table`` attribute > mitochondrion > 1."""
    if override is not None:
        return int(override)
    if attrs:
        v = attrs.get("transl_table")
        if v:
            first = v if isinstance(v, str) else next(iter(v), "")
            if str(first).strip().isdigit():
                return int(str(first).strip())
    if seqid in mito_seqids or is_mito_seqid(seqid):
        return 2
    return 1
