"""PSL commands: kent's ``gff3ToPsl``, ``pslReps``, ``pslCDnaFilter`` and ``filter-alignments``.

The kent commands take kent-style options (``-opt=value``); ``filter-alignments`` is the
GNU-style front door with named presets.
"""
from __future__ import annotations

import contextlib
import sys
from typing import IO

from refseqtracks.cli.gnuopts import ArgumentParser
from refseqtracks.cli.kentopts import parse_kent_args
from refseqtracks.errors import ParseError, UsageError
from refseqtracks.fileio import atomic_output, input_name, open_input

__all__ = ["main_gff3_to_psl", "main_psl_reps", "main_psl_cdna_filter", "main_filter_alignments"]

CDNA_USAGE = """pslCDnaFilter - Filter cDNA alignments in psl format.
usage:
    pslCDnaFilter [options] inPsl outPsl

Filtering criteria are comparative, selecting near best in genome alignments for each
given cDNA and non-comparative, based only on the quality of an individual alignment.
The input must be grouped by query name ('sort -k 10,10').

Options:
   -minId=0.0 -minCover=0.0 -localNearBest=-1.0 -globalNearBest=-1.0 -minQSize=0
   -minNonRepSize=0 -minAlnSize=0 -maxRepMatch=1.0 -ignoreNs -ignoreIntrons -bestOverlap
   -minSpan=0.0 -maxAligns=-1 -maxAlignsDrop=-1 -uniqueMapped -polyASizes=file
   -usePolyTHead -repsAsMatch -decayMinCover -blackList=file -filterWeirdOverlapped
   -dropped=psl -weirdOverlapped=psl -statsOut=file -noValidate -verbose=1
   -hapRegions=psl -hapLociAlns=file
(kent's haplotype debugging outputs -hapRefMapped and -hapRefCDnaAlns are not supported)
"""

_CDNA_SPEC = {
    "minId": (float, 0.0), "minCover": (float, 0.0), "localNearBest": (float, -1.0),
    "globalNearBest": (float, -1.0), "minQSize": (int, 0), "minNonRepSize": (int, 0),
    "minAlnSize": (int, 0), "maxRepMatch": (float, 1.0), "ignoreNs": (bool, False),
    "ignoreIntrons": (bool, False), "bestOverlap": (bool, False), "minSpan": (float, 0.0),
    "maxAligns": (int, -1), "maxAlignsDrop": (int, -1), "uniqueMapped": (bool, False),
    "polyASizes": (str, None), "usePolyTHead": (bool, False), "repsAsMatch": (bool, False),
    "decayMinCover": (bool, False), "blackList": (str, None), "dropped": (str, None),
    "weirdOverlapped": (str, None), "statsOut": (str, None), "noValidate": (bool, False),
    "filterWeirdOverlapped": (bool, False), "verbose": (int, 1),
    "hapRegions": (str, None), "hapLociAlns": (str, None),
}

_HAP_DEBUG_OPTS = ("hapRefMapped", "hapRefCDnaAlns")


def _read_black_list(path: str) -> list[tuple[str, int, str, int]]:
    from refseqtracks.alignfilter import _split_acc

    name = input_name(path)
    out = []
    with open_input(path) as f:
        for lineno, line in enumerate(f, 1):
            cols = line.split()
            if not cols or cols[0].startswith("#"):
                continue
            if len(cols) != 2:
                raise ParseError(name, lineno, "expected two accessions (first last) per line")
            p1, n1 = _split_acc(cols[0])
            p2, n2 = _split_acc(cols[1])
            if n1 is None or n2 is None or p1 != p2:
                raise ParseError(name, lineno, f"invalid accession range {cols[0]} {cols[1]}")
            out.append((p1, n1, p2, n2))
    return out


def _read_poly_a_sizes(path: str) -> dict[str, tuple[int, int]]:
    """kent polyASizes: ``id seqSize tailPolyASize headPolyTSize``."""
    name = input_name(path)
    out: dict[str, tuple[int, int]] = {}
    with open_input(path) as f:
        for lineno, line in enumerate(f, 1):
            cols = line.split()
            if not cols or cols[0].startswith("#"):
                continue
            if len(cols) < 4 or not all(c.isdigit() for c in cols[1:4]):
                raise ParseError(name, lineno, "expected 'id seqSize tailPolyASize headPolyTSize'")
            out[cols[0]] = (int(cols[2]), int(cols[3]))
    return out


def _cdna_options(o) -> dict[str, object]:
    return dict(
        min_id=o.minId, min_cover=o.minCover, local_near_best=o.localNearBest,
        global_near_best=o.globalNearBest, min_q_size=o.minQSize,
        min_non_rep_size=o.minNonRepSize, min_aln_size=o.minAlnSize,
        max_rep_match=o.maxRepMatch, ignore_ns=o.ignoreNs, ignore_introns=o.ignoreIntrons,
        best_overlap=o.bestOverlap, min_span=o.minSpan, max_aligns=o.maxAligns,
        max_aligns_drop=o.maxAlignsDrop, unique_mapped=o.uniqueMapped,
        poly_a_sizes=_read_poly_a_sizes(o.polyASizes) if o.polyASizes else None,
        use_poly_t_head=o.usePolyTHead, reps_as_match=o.repsAsMatch,
        decay_min_cover=o.decayMinCover,
        black_list=_read_black_list(o.blackList) if o.blackList else None,
        filter_weird_overlapped=o.filterWeirdOverlapped, validate=not o.noValidate,
        hap_regions=_read_hap_regions(o.hapRegions) if o.hapRegions else None,
    )


def _read_hap_regions(path: str):
    from refseqtracks.hapregions import HapRegions

    return HapRegions.read(path)


def _run_filter(in_psl: str, out_psl: str, *, dropped: str | None, weird: str | None,
                stats_out: str | None, verbose: int, sort: bool = False,
                summary: str | None = None, preset: str | None = None,
                require_grouped: bool = True, hap_loci: str | None = None,
                options: dict[str, object]) -> None:
    from refseqtracks.alignfilter import FilterStats, filter_alignments
    from refseqtracks.formats.psl import format_psl_line, iter_psl

    stats = FilterStats()
    name = input_name(in_psl)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(atomic_output(out_psl))
        drop_fh: IO[str] | None = stack.enter_context(atomic_output(dropped)) if dropped else None
        weird_fh: IO[str] | None = stack.enter_context(atomic_output(weird)) if weird else None
        sum_fh: IO[str] | None = stack.enter_context(atomic_output(summary)) if summary else None
        hap_fh: IO[str] | None = stack.enter_context(atomic_output(hap_loci)) if hap_loci else None
        hap_ids = [0]

        def on_hap_set(members: list) -> None:
            hap_ids[0] += 1
            hap_fh.write("".join(f"{hap_ids[0]}\t{format_psl_line(m)}" for m in members))  # type: ignore[union-attr]

        if sum_fh is not None:
            sum_fh.write("qName\ttName\ttStart\ttEnd\tstrand\tstatus\treason\n")
        keep_buf: list[str] = []
        drop_buf: list[str] = []
        weird_buf: list[str] = []
        sum_buf: list[str] = []
        for p, reason, is_weird in filter_alignments(iter_psl(in_psl), preset=preset, sort=sort,
                                                     stats=stats,
                                                     path=name if require_grouped else None,
                                                     require_grouped=require_grouped,
                                                     on_hap_set=on_hap_set if hap_fh else None,
                                                     **options):
            line = format_psl_line(p)
            if reason is None:
                keep_buf.append(line)
            elif drop_fh is not None:
                drop_buf.append(line)
            if is_weird and weird_fh is not None:
                weird_buf.append(line)
            if sum_fh is not None:
                sum_buf.append(f"{p.q_name}\t{p.t_name}\t{p.t_start}\t{p.t_end}\t{p.strand}\t"
                               f"{'kept' if reason is None else 'dropped'}\t{reason or ''}\n")
            if len(keep_buf) >= 4096:
                out.write("".join(keep_buf))
                keep_buf.clear()
            if len(drop_buf) >= 4096:
                drop_fh.write("".join(drop_buf))  # type: ignore[union-attr]
                drop_buf.clear()
            if len(sum_buf) >= 4096:
                sum_fh.write("".join(sum_buf))  # type: ignore[union-attr]
                sum_buf.clear()
        out.write("".join(keep_buf))
        if drop_fh is not None:
            drop_fh.write("".join(drop_buf))
        if weird_fh is not None:
            weird_fh.write("".join(weird_buf))
        if sum_fh is not None:
            sum_fh.write("".join(sum_buf))
        text = stats.format()
        if stats_out:
            with atomic_output(stats_out) as fh:
                fh.write(text)
    if not stats_out and verbose >= 1:
        sys.stderr.write(text)


def main_psl_cdna_filter(argv: list[str]) -> int:
    """``pslCDnaFilter [options] inPsl outPsl``."""
    spec = dict(_CDNA_SPEC)
    for h in _HAP_DEBUG_OPTS:
        spec[h] = (str, None)
    o = parse_kent_args(argv, spec, CDNA_USAGE, 2)
    for h in _HAP_DEBUG_OPTS:
        if o[h] is not None:
            raise UsageError(f"-{h} (a kent debugging output) is not supported by refseqtracks")
    if o.hapLociAlns and not o.hapRegions:
        raise UsageError("-hapLociAlns requires -hapRegions")
    _run_filter(o.args[0], o.args[1], dropped=o.dropped, weird=o.weirdOverlapped,
                stats_out=o.statsOut, verbose=o.verbose, require_grouped=False,
                hap_loci=o.hapLociAlns, options=_cdna_options(o))
    return 0


def main_psl_reps(argv: list[str]) -> int:
    """``pslReps [options] in.psl out.psl out.psr``."""
    from refseqtracks.pslreps import USAGE, run_psl_reps

    spec = {"minAli": (float, 0.93), "nearTop": (float, 0.01), "minCover": (float, 0.0),
            "minNearTopSize": (int, 30), "ignoreSize": (bool, False), "noIntrons": (bool, False),
            "singleHit": (bool, False), "noHead": (bool, False), "ignoreNs": (bool, False),
            "ignoreNAs": (bool, False), "coverQSizes": (str, None), "verbose": (int, 1)}
    o = parse_kent_args(argv, spec, USAGE, 3)
    run_psl_reps(o.args[0], o.args[1], o.args[2], min_ali=o.minAli, near_top=o.nearTop,
                 min_cover=o.minCover, min_near_top_size=o.minNearTopSize,
                 ignore_size=o.ignoreSize, no_introns=o.noIntrons, single_hit=o.singleHit,
                 no_head=o.noHead, ignore_ns=o.ignoreNs, ignore_nas=o.ignoreNAs,
                 cover_q_sizes=o.coverQSizes, verbose=o.verbose)
    return 0


def main_gff3_to_psl(argv: list[str]) -> int:
    """``gff3ToPsl [-dropT] querySizes targetSizes in.gff3 out.psl``."""
    from refseqtracks.gff3topsl import USAGE, gff3_to_psl

    o = parse_kent_args(argv, {"dropT": (bool, False), "verbose": (int, 1)}, USAGE, 4)
    gff3_to_psl(o.args[2], o.args[3], q_sizes=o.args[0], t_sizes=o.args[1], drop_t=o.dropT)
    return 0


def main_filter_alignments(argv: list[str]) -> int:
    """``refseqtracks filter-alignments IN.psl OUT.psl --preset NAME [overrides]``."""
    ap = ArgumentParser(prog="refseqtracks filter-alignments",
                 description="Near-best alignment filter with UCSC presets. 'ucsc-refseq' is "
                 "pslReps -minCover=0.15 -minAli=0.96 -nearTop=0.001 (the UCSC RefSeq track "
                 "text); 'genbank-finished' is pslCDnaFilter -minId=0.95 -minCover=0.25 "
                 "-globalNearBest=0.001 -minQSize=20 -minNonRepSize=16 -ignoreNs -bestOverlap.")
    ap.add_argument("input", help="PSL input, grouped by query name (or use --sort)")
    ap.add_argument("output", help="PSL output (kept alignments)")
    ap.add_argument("--preset", choices=("ucsc-refseq", "genbank-finished"), required=True,
                    help="the option set to start from")
    ap.add_argument("--min-cover", type=float, metavar="F", help="minimum fraction of the query aligned")
    ap.add_argument("--min-id", type=float, metavar="F", help="genbank-finished: minimum identity")
    ap.add_argument("--min-ali", type=float, metavar="F", help="ucsc-refseq: minimum 1 - milliBad/1000")
    ap.add_argument("--near-top", type=float, metavar="F", help="ucsc-refseq: per-base near-top fraction")
    ap.add_argument("--global-near-best", type=float, metavar="F", help="genbank-finished: near-best fraction")
    ap.add_argument("--local-near-best", type=float, metavar="F", help="genbank-finished: local near-best")
    ap.add_argument("--min-q-size", type=int, metavar="N", help="genbank-finished: minimum query size")
    ap.add_argument("--min-non-rep-size", type=int, metavar="N", help="genbank-finished: min non-repeat bases")
    ap.add_argument("--summary", metavar="FILE", help="write a per-alignment kept/dropped table (TSV) here")
    ap.add_argument("--dropped", metavar="FILE", help="write the dropped alignments here (PSL)")
    ap.add_argument("--stats", metavar="FILE", help="write kent's statistics table here (genbank-finished)")
    ap.add_argument("--sort", action="store_true",
                    help="sort the input by query name in memory instead of requiring grouping")
    a = ap.parse_args(argv)
    if a.preset == "ucsc-refseq":
        from refseqtracks.pslreps import run_psl_reps_filter

        for opt in ("min_id", "global_near_best", "local_near_best", "min_q_size",
                    "min_non_rep_size", "stats"):
            if getattr(a, opt) is not None:
                raise UsageError(f"--{opt.replace('_', '-')} does not apply to --preset ucsc-refseq")
        run_psl_reps_filter(a.input, a.output, min_cover=0.15 if a.min_cover is None else a.min_cover,
                            min_ali=0.96 if a.min_ali is None else a.min_ali,
                            near_top=0.001 if a.near_top is None else a.near_top,
                            summary=a.summary, dropped=a.dropped, sort=a.sort)
        return 0
    for opt in ("min_ali", "near_top"):
        if getattr(a, opt) is not None:
            raise UsageError(f"--{opt.replace('_', '-')} does not apply to --preset genbank-finished")
    overrides = {k: getattr(a, k) for k in ("min_cover", "min_id", "global_near_best",
                                            "local_near_best", "min_q_size", "min_non_rep_size")
                 if getattr(a, k) is not None}
    if "local_near_best" in overrides:
        overrides.setdefault("global_near_best", -1.0)
    _run_filter(a.input, a.output, dropped=a.dropped, weird=None, stats_out=a.stats, verbose=0,
                sort=a.sort, summary=a.summary, preset="genbank-finished", options=overrides)
    return 0
