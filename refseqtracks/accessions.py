"""RefSeq accessions: prefixes, the UCSC ncbiRefSeq subsets, and FASTA deflines.

RefSeq accessions are a two-letter prefix, an underscore, digits and usually a ``.version``
(``NM_000546.6``).  The prefix says what the record is (NCBI RefSeq documentation, "RefSeq
accession numbers and molecule types"):

======  ========  ======================================================  ===========
prefix  kind      molecule                                                curation
======  ========  ======================================================  ===========
NM\\_    rna       mRNA (protein-coding transcript)                        curated
NR\\_    rna       ncRNA (non-coding transcript)                           curated
XM\\_    rna       mRNA, model                                             predicted
XR\\_    rna       ncRNA, model                                            predicted
NP\\_    protein   protein (of an NM\\_ or an NC\\_ gene)                   curated
YP\\_    protein   protein annotated on a genome without a transcript      curated
AP\\_    protein   protein annotated on an AC\\_ alternate assembly         curated
XP\\_    protein   protein, model (of an XM\\_)                             predicted
WP\\_    protein   non-redundant protein (many strains/species)            non-redundant
NC\\_    genomic   complete molecule (chromosome, organelle, plasmid)      curated
AC\\_    genomic   complete molecule, alternate assembly                   curated
NG\\_    genomic   genomic region (RefSeqGene)                             curated
NT\\_    genomic   contig or scaffold (clone-based or WGS)                 assembly
NW\\_    genomic   contig or scaffold (WGS)                                assembly
NZ\\_    genomic   complete genome or unfinished WGS                       assembly
======  ========  ======================================================  ===========

The UCSC subsets (kent ``doNcbiRefSeq.pl``) are defined by extended regexes on the genePred
*name* (column 1 of the file), and we apply exactly those, not :func:`classify`:

- **Curated** ``^[NY][MRP]_`` (NM\\_, NR\\_, NP\\_, YP\\_; also YM\\_/YR\\_ by construction)
- **Predicted** ``^X[MR]_``
- **All** ``^[NXY][MRP]_`` (curated + predicted; an ``XP_`` name is in All only)
- **Other** everything not matching ``^[NXY][MRP]_``
- **Select** curated rows whose name is in the RefSeq/MANE Select list (see
  :func:`select_names_from_gff3_line`), matched as ``fgrep -f list`` matches a name: a listed
  name that is a prefix of the row's name selects it (``NM_1.1`` selects ``NM_1.1`` and ``NM_1.12``).

NCBI FASTA deflines (:func:`accession_from_defline`): ``>NM_000546.6 Homo sapiens ...``,
``>gi|1234|ref|NM_000546.6|`` (old GenBank style), and non-redundant deflines with several
entries separated by Ctrl-A (``\\x01``), of which the first RefSeq one is taken.
"""
from __future__ import annotations

from typing import Callable, Iterable, Literal, NamedTuple

__all__ = [
    "PREFIXES", "AccessionInfo", "classify", "split_version", "is_refseq_accession",
    "is_curated", "is_predicted", "is_all", "is_other", "is_select", "select_test", "subset_of", "subsets_of", "SUBSETS",
    "accession_from_defline", "select_names_from_gff3_line", "SELECT_TAGS", "filter_names",
]

Kind = Literal["rna", "protein", "genomic"]
Curation = Literal["curated", "predicted", "non-redundant", "assembly"]

#: prefix -> (kind, molecule, curation)
PREFIXES: dict[str, tuple[Kind, str, Curation]] = {
    "NM_": ("rna", "mRNA", "curated"),
    "NR_": ("rna", "ncRNA", "curated"),
    "XM_": ("rna", "mRNA", "predicted"),
    "XR_": ("rna", "ncRNA", "predicted"),
    "NP_": ("protein", "protein", "curated"),
    "YP_": ("protein", "protein", "curated"),
    "AP_": ("protein", "protein", "curated"),
    "XP_": ("protein", "protein", "predicted"),
    "WP_": ("protein", "protein", "non-redundant"),
    "NC_": ("genomic", "complete molecule", "curated"),
    "AC_": ("genomic", "complete molecule", "curated"),
    "NG_": ("genomic", "genomic region", "curated"),
    "NT_": ("genomic", "contig/scaffold", "assembly"),
    "NW_": ("genomic", "contig/scaffold", "assembly"),
    "NZ_": ("genomic", "complete genome or WGS", "assembly"),
}


class AccessionInfo(NamedTuple):
    """What a RefSeq accession is."""

    accession: str
    prefix: str
    kind: Kind
    molecule: str
    curation: Curation
    version: int | None

    @property
    def curated(self) -> bool:
        return self.curation == "curated"

    @property
    def predicted(self) -> bool:
        return self.curation == "predicted"


def split_version(accession: str) -> tuple[str, int | None]:
    """``"NM_000546.6"`` -> ``("NM_000546", 6)``; no version -> ``(acc, None)``."""
    base, dot, ver = accession.rpartition(".")
    if dot and ver.isdigit() and base:
        return base, int(ver)
    return accession, None


def classify(accession: str) -> AccessionInfo | None:
    """What kind of RefSeq record ``accession`` is; ``None`` if it is not a RefSeq accession.

    Accepted: prefix, ``_``, one or more digits (WGS-style ``NZ_CP012345`` letters too), an
    optional ``.version``.
    """
    info = PREFIXES.get(accession[:3])
    if info is None:
        return None
    base, version = split_version(accession)
    body = base[3:]
    if not body or not body.isascii() or not body.isalnum() or not body[-1].isdigit():
        return None
    if not body.isdigit() and info[0] != "genomic":
        return None
    return AccessionInfo(accession, accession[:3], info[0], info[1], info[2], version)


def is_refseq_accession(text: str) -> bool:
    """True when ``text`` is a RefSeq accession (with or without version)."""
    return classify(text) is not None


# The subset predicates test the first three characters exactly as UCSC's regexes do.

def is_curated(name: str) -> bool:
    """UCSC Curated: ``^[NY][MRP]_``."""
    return len(name) >= 3 and name[0] in "NY" and name[1] in "MRP" and name[2] == "_"


def is_predicted(name: str) -> bool:
    """UCSC Predicted: ``^X[MR]_``."""
    return len(name) >= 3 and name[0] == "X" and name[1] in "MR" and name[2] == "_"


def is_all(name: str) -> bool:
    """UCSC All (the ncbiRefSeq table): ``^[NXY][MRP]_``."""
    return len(name) >= 3 and name[0] in "NXY" and name[1] in "MRP" and name[2] == "_"


def is_other(name: str) -> bool:
    """UCSC Other: not ``^[NXY][MRP]_``."""
    return not is_all(name)


def is_select(name: str, select_names: "set[str] | frozenset[str]") -> bool:
    """UCSC Select: curated, and a listed name is a prefix of ``name`` (``fgrep -f`` on the row).

    ``fgrep`` matches a listed name anywhere on the genePred row; for curated rows a RefSeq
    accession can only start at the name's first character, so prefixes of the name are tested.
    """
    if not is_curated(name):
        return False
    if name in select_names:
        return True
    # shortest accession with version is "NM_1.1": start looking at length 4
    return any(name[:i] in select_names for i in range(4, len(name)))


def select_test(select_names: "set[str] | frozenset[str]") -> "Callable[[str], bool]":
    """:func:`is_select` against one list, for many names: only the prefixes as long as a
    listed name can be one (a name's prefix of each length is looked up at most once)."""
    lengths = sorted({len(n) for n in select_names if len(n) >= 4})

    def test(name: str) -> bool:
        if not is_curated(name):
            return False
        if name in select_names:
            return True
        n = len(name)
        return any(name[:k] in select_names for k in lengths if k < n)
    return test


SUBSETS = ("all", "curated", "predicted", "other", "select")


def subsets_of(name: str, select_names: "set[str] | frozenset[str]" = frozenset()) -> list[str]:
    """Every subset a genePred name is in, in :data:`SUBSETS` order (one pass of the tests)."""
    out = []
    if is_all(name):
        out.append("all")
    if is_curated(name):
        out.append("curated")
    elif is_predicted(name):
        out.append("predicted")
    if not out:
        out.append("other")
    elif select_names and out[-1] == "curated" and is_select(name, select_names):
        out.append("select")
    return out


def subset_of(name: str, subset: str, select_names: "set[str] | frozenset[str]" = frozenset()) -> bool:
    """Whether a genePred name belongs to a subset (one of :data:`SUBSETS`)."""
    if subset == "all":
        return is_all(name)
    if subset == "curated":
        return is_curated(name)
    if subset == "predicted":
        return is_predicted(name)
    if subset == "other":
        return is_other(name)
    if subset == "select":
        return is_select(name, select_names)
    raise ValueError(f"unknown subset {subset!r}")


#: the tags ``zegrep 'tag=(RefSeq|MANE) Select'`` looks for
SELECT_TAGS = ("tag=RefSeq Select", "tag=MANE Select")


def select_names_from_gff3_line(line: str) -> list[str]:
    """The Select transcript names one raw GFF3 line contributes (doNcbiRefSeq's pipeline).

    ``zegrep 'tag=(RefSeq|MANE) Select' | cut -f9- | tr ';' '\\n' | grep 'Name=' | grep -v NP_ |
    cut -d= -f2``: every ``;``-separated piece of columns 9+ that contains ``Name=`` and not
    ``NP_``, cut to its second ``=`` field.
    """
    if "Select" not in line or not any(t in line for t in SELECT_TAGS):
        return []
    cols = line.rstrip("\r\n").split("\t", 8)
    if len(cols) < 9:
        return []
    out = []
    for piece in cols[8].split(";"):
        if "Name=" in piece and "NP_" not in piece:
            out.append(piece.split("=")[1])
    return out


def accession_from_defline(defline: str) -> str | None:
    """The RefSeq accession of an NCBI FASTA defline (``>`` optional); ``None`` if there is none.

    Handles ``>NM_000546.6 description``, ``>gi|1234|ref|NM_000546.6|`` (any ``ref|ACC|`` pair)
    and non-redundant deflines whose entries are separated by Ctrl-A: the first RefSeq entry wins.
    """
    text = defline.rstrip("\r\n")
    if text.startswith(">"):
        text = text[1:]
    for entry in text.split("\x01"):
        ident = entry.strip().split(None, 1)[0] if entry.strip() else ""
        if "|" in ident:
            parts = ident.split("|")
            for i in range(len(parts) - 1):
                if parts[i] == "ref" and classify(parts[i + 1]) is not None:
                    return parts[i + 1]
            for p in parts:
                if classify(p) is not None:
                    return p
            continue
        if classify(ident) is not None:
            return ident
    return None


def filter_names(names: Iterable[str], subset: str,
                 select_names: "set[str] | frozenset[str]" = frozenset()) -> list[str]:
    """The names of ``names`` in ``subset`` (order kept)."""
    return [n for n in names if subset_of(n, subset, select_names)]
