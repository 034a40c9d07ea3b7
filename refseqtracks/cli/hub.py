"""``refseqtracks hub`` (a UCSC track hub) and ``refseqtracks custom-track`` (a custom-track file),
both from a ``refseqtracks build`` output folder (see docs/hub.md)."""
from __future__ import annotations

import argparse
import os
import re
import sys

from refseqtracks.cli.gnuopts import ArgumentParser
from refseqtracks.errors import RefseqtracksError, UsageError

__all__ = ["main_hub", "main_custom_track"]


def _hub_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="refseqtracks hub",
                description="Make a UCSC track hub (bigGenePred, bigBed and bigPsl files, trix "
                            "search indexes, trackDb.txt) from a 'refseqtracks build' folder.")
    p.add_argument("build_dir", help="output folder of 'refseqtracks build' (with manifest.json)")
    p.add_argument("-o", "--outdir", required=True, help="hub folder to write (replaced if it holds a hub)")
    p.add_argument("--db", "--genome", dest="db",
                   help="genome name: a UCSC database (hg38, mm39 ...) or, with --twobit, the "
                        "assembly hub's name (default: the build's prefix)")
    p.add_argument("--hub-name", help="the hub.txt 'hub' name (default: DB_ncbiRefSeq)")
    p.add_argument("--short-label", help="hub short label")
    p.add_argument("--long-label", help="hub long label")
    p.add_argument("--email", help="contact e-mail for hub.txt (UCSC asks for one)")
    p.add_argument("--chrom-sizes", metavar="FILE",
                   help="chromosome sizes (default: the build's *.chrom.sizes)")
    p.add_argument("--twobit", "--twobit-url", dest="twobit", metavar="PATH_OR_URL",
                   help="make an assembly hub: the genome's .2bit (relative to genomes.txt, or a URL)")
    p.add_argument("--organism", help="assembly hub: organism name")
    p.add_argument("--rna-fasta", metavar="FILE",
                   help="RNA sequences (RefSeq *_rna.fna[.gz]) to put into the bigPsl")
    p.add_argument("--default-pos", metavar="CHR:START-END", help="genome's default position")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    return p


def main_hub(argv: list[str]) -> int:
    """refseqtracks hub BUILD_DIR -o HUB_DIR [--db NAME] ..."""
    from refseqtracks.hub import make_hub

    a = _hub_parser().parse_args(argv)
    if a.default_pos is not None:
        _check_position(a.default_pos)

    def report(msg: str) -> None:
        if not a.quiet:
            sys.stderr.write(msg + "\n")

    res = make_hub(a.build_dir, a.outdir, db=a.db, hub_name=a.hub_name, short_label=a.short_label,
                   long_label=a.long_label, email=a.email, chrom_sizes=a.chrom_sizes,
                   twobit=a.twobit, organism=a.organism, default_pos=a.default_pos,
                   rna_fasta=a.rna_fasta, report=report)
    if not a.email:
        report("note: hub.txt has 'email none'; give --email before publishing the hub")
    if not a.quiet:
        parts = ", ".join(f"{t} {n}" for t, n in res.tracks.items())
        sys.stderr.write(f"hub for {res.db} in {res.hub_dir}/ (hub.txt): {parts}\n")
    return 0


_POSITION = re.compile(r"^[^\s:]+:[0-9,]+-[0-9,]+$")


def _check_position(pos: str) -> None:
    if not _POSITION.match(pos):
        raise UsageError(f"invalid position '{pos}': expected CHROM:START-END (e.g. chr1:1000-2000)")


def _ct_parser() -> argparse.ArgumentParser:
    from refseqtracks.customtrack import CUSTOM_SUBSETS
    p = ArgumentParser(prog="refseqtracks custom-track",
                description="Write a UCSC custom-track file (track lines + BED12) from a "
                            "'refseqtracks build' folder or a genePred.")
    p.add_argument("source", help="a 'refseqtracks build' folder, or a genePred file")
    p.add_argument("-o", "--output", required=True,
                   help="custom-track file to write (.gz: gzip-compressed; - for standard output)")
    p.add_argument("--subset", action="append", metavar="SUBSET",
                   help="a subset to include, one track each; repeat or give a comma list "
                        f"({', '.join(CUSTOM_SUBSETS)}; default: curated, predicted, other)")
    p.add_argument("--color-by-status", action="store_true",
                   help="shade items by RefSeq status from the link table, as the browser does")
    p.add_argument("--link", metavar="FILE",
                   help="ncbiRefSeqLink table for --color-by-status (default: the build's)")
    p.add_argument("--select-list", metavar="FILE",
                   help="genePred input: names of the Select transcripts (one per line)")
    p.add_argument("--position", metavar="CHR:START-END", help="add a 'browser position' line")
    p.add_argument("--visibility", default="pack", choices=["hide", "dense", "squish", "pack", "full"],
                   help="track visibility (default: %(default)s)")
    return p


def _subsets(raw: list[str] | None) -> list[str]:
    from refseqtracks.customtrack import CUSTOM_SUBSETS
    if not raw:
        return ["curated", "predicted", "other"]
    out: list[str] = []
    for item in raw:
        for s in item.split(","):
            s = s.strip().lower()
            if s not in CUSTOM_SUBSETS:
                raise UsageError(f"refseqtracks custom-track: unknown subset '{s}' "
                                 f"(one of {', '.join(CUSTOM_SUBSETS)})")
            if s not in out:
                out.append(s)
    return out


def main_custom_track(argv: list[str]) -> int:
    """refseqtracks custom-track BUILD_DIR_or_GP -o OUT.txt[.gz] [--subset S ...] ..."""
    from refseqtracks.customtrack import CUSTOM_SUBSETS, CustomTrack, read_status, write_custom_track

    a = _ct_parser().parse_args(argv)
    subsets = _subsets(a.subset)
    if a.position is not None:
        _check_position(a.position)
    tracks: list[CustomTrack] = []
    link = a.link
    if os.path.isdir(a.source):
        from refseqtracks.hub import read_build_folder
        build = read_build_folder(a.source)
        for s in subsets:
            key = CUSTOM_SUBSETS[s][3]
            path = build.need(key, f"the {s} BED12")
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                tracks.append(CustomTrack(s, f.readlines(), str(path)))
        if a.color_by_status and link is None:
            link = str(build.need("link", "the ncbiRefSeqLink table for --color-by-status"))
    else:
        tracks = _tracks_from_genepred(a.source, subsets, a.select_list)
        if a.color_by_status and link is None:
            raise UsageError("refseqtracks custom-track: --color-by-status with a genePred needs "
                             "--link FILE (the ncbiRefSeqLink table)")
    status = read_status(link) if a.color_by_status else None
    n = write_custom_track(tracks, a.output, status=status, position=a.position,
                           visibility=a.visibility)
    if a.output not in ("-", "stdout"):
        sys.stderr.write(f"{n} items in {len(tracks)} tracks written to {a.output}\n")
    return 0


def _tracks_from_genepred(path: str, subsets: list[str], select_list: str | None):
    from refseqtracks.accessions import subset_of
    from refseqtracks.customtrack import CustomTrack
    from refseqtracks.fileio import open_input
    from refseqtracks.formats.bed import to_bed12
    from refseqtracks.formats.genepred import read_genepred

    if not os.path.exists(path) and path not in ("-", "stdin"):
        raise RefseqtracksError(f"{path}: no such build folder or genePred file")
    select: set[str] = set()
    if "select" in subsets:
        if select_list is None:
            raise UsageError("refseqtracks custom-track: --subset select with a genePred needs "
                             "--select-list FILE")
        with open_input(select_list) as f:
            select = {ln.strip() for ln in f if ln.strip() and not ln.startswith("#")}
    txs = read_genepred(path, bin=None)
    out = []
    for s in subsets:
        lines = [to_bed12(tx, fill_space=True) for tx in txs if subset_of(tx.name, s, select)]
        if s == "other":
            from refseqtracks.hub import sort_bed_lines
            lines = sort_bed_lines(lines)
        out.append(CustomTrack(s, lines, path))
    return out
