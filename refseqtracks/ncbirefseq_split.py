"""UCSC's ncbiRefSeq subsets of a genePred file (kent ``doNcbiRefSeq.pl``'s zegrep/fgrep steps).

Lines are routed by the genePred name with the rules of :func:`refseqtracks.accessions.subsets_of`
and written unchanged, in input order (a leading bin column is recognised).
"""
from __future__ import annotations

import os
from contextlib import ExitStack

from refseqtracks import accessions as acc
from refseqtracks.fileio import Source, atomic_output, ensure_dir, open_input

__all__ = ["SUBSET_FILES", "split_genepred", "read_select_list"]

#: subset -> (genePred file suffix, BED file suffix, what it is)
SUBSET_FILES = {
    "all": ("ncbiRefSeq.gp", "ncbiRefSeq.bed", "RefSeq All: curated + predicted (^[NXY][MRP]_)"),
    "curated": ("curated.gp", "curated.bed", "RefSeq Curated (^[NY][MRP]_)"),
    "predicted": ("predicted.gp", "predicted.bed", "RefSeq Predicted (^X[MR]_)"),
    "other": ("other.gp", "other.bed", "RefSeq Other (not ^[NXY][MRP]_)"),  # BED sorted
    "select": ("refseqSelect.curated.gp", "refseqSelect.curated.bed",
               "RefSeq Select: curated, tagged RefSeq Select or MANE Select"),
}


def split_genepred(src: Source, outdir: str | os.PathLike, *, prefix: str,
                   select_names: set[str] | None = None) -> dict[str, int]:
    """Split genePred lines into the subset files (lines unchanged); returns counts per subset.

    A leading bin column is recognised and the name taken after it.  The Select file is written
    only when ``select_names`` is given.
    """
    from refseqtracks.bins import detect_layout

    ensure_dir(outdir)
    select = set(select_names or ())
    wanted = [s for s in SUBSET_FILES if s != "select" or select_names is not None]
    counts = {s: 0 for s in wanted}
    name_col = None
    with ExitStack() as stack:
        outs = {s: stack.enter_context(atomic_output(os.path.join(outdir, f"{prefix}.{SUBSET_FILES[s][0]}")))
                for s in wanted}
        bufs: dict[str, list[str]] = {s: [] for s in wanted}
        with open_input(src) as f:
            for line in f:
                if not line.strip() or line[0] == "#":
                    continue
                if name_col is None:
                    cols = line.rstrip("\r\n").split("\t")
                    lay = detect_layout(cols, kind="genePred")
                    name_col = 1 if lay is not None and lay.bin else 0
                name = line.split("\t", name_col + 1)[name_col]
                for s in acc.subsets_of(name, select):
                    if s in bufs:
                        bufs[s].append(line if line.endswith("\n") else line + "\n")
                        counts[s] += 1
                if len(bufs["all"]) + len(bufs["other"]) >= 8192:
                    for s, b in bufs.items():
                        outs[s].write("".join(b))
                        b.clear()
        for s, b in bufs.items():
            outs[s].write("".join(b))
    return counts


def read_select_list(src: Source) -> set[str]:
    """Select names: one per line, or (a GFF3 input) doNcbiRefSeq's extraction from tagged lines."""
    names: set[str] = set()
    with open_input(src) as f:
        first = True
        gff = False
        for line in f:
            if first:
                gff = line.startswith("##gff-version")
                first = False
            if gff:
                if line[:1] != "#":
                    names.update(acc.select_names_from_gff3_line(line))
                continue
            word = line.strip()
            if word and not word.startswith("#"):
                names.add(word.split()[0])
    return names
