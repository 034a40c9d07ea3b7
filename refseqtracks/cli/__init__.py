"""Command-line entry point: ``refseqtracks COMMAND ...``.

Commands named like kent tools (``gff3ToGenePred``, ``genePredToGtf`` ...) take kent's options in
kent's syntax (``-opt``, ``-opt=value``) and behave like the kent tool.  The other commands
(``build``, ``convert`` ...) use ordinary ``--option`` syntax.  Each command lives in a small
module that is imported only when the command runs, so ``refseqtracks --help`` starts fast.

Every command is ``fn(argv: list[str]) -> int``; :func:`main` turns our errors into one line on
stderr and a non-zero exit status, never a traceback.
"""
from __future__ import annotations

import importlib
import os
import sys
from typing import Callable

from refseqtracks._version import __version__

__all__ = ["COMMANDS", "main", "console_main", "command"]

#: command name -> (module, function, one-line description)
COMMANDS: dict[str, tuple[str, str, str]] = {
    # the main jobs
    "build": ("refseqtracks.cli.build", "main_build",
              "the UCSC ncbiRefSeq table set (subsets, GTF, BED, PSL, link table) from a RefSeq GFF3"),
    "convert": ("refseqtracks.cli.convert", "main_convert",
                "one-step conversion of a RefSeq GFF3 to genePred/GTF/BED12/bigGenePred/bigBed"),
    "hub": ("refseqtracks.cli.hub", "main_hub",
            "a UCSC track hub (bigGenePred/bigBed/bigPsl + trackDb) from a build folder"),
    "custom-track": ("refseqtracks.cli.hub", "main_custom_track",
                     "a UCSC custom-track file (track lines + BED12) from a build folder or genePred"),
    "split": ("refseqtracks.cli.build", "main_split",
              "split a genePred into the All/Curated/Predicted/Other/Select subsets"),
    "bin": ("refseqtracks.cli.bins", "main_bin", "the UCSC bin of a 0-based half-open range"),
    "query": ("refseqtracks.cli.bins", "main_query",
              "records of a genePred/BED/PSL file overlapping chrom:start-end"),
    "filter-alignments": ("refseqtracks.cli.psl", "main_filter_alignments",
                          "near-best alignment filter with UCSC presets (pslReps/pslCDnaFilter)"),
    "codons": ("refseqtracks.cli.codons", "main_codons",
               "per-codon BED track and CDS validation table (needs the genome)"),
    "sequences": ("refseqtracks.cli.codons", "main_sequences",
                  "transcript, CDS or protein sequences (needs the genome)"),
    # kent-compatible tools
    "gff3ToGenePred": ("refseqtracks.cli.gff3togenepred", "main", "kent gff3ToGenePred"),
    "genePredCheck": ("refseqtracks.cli.genepredcheck", "main", "kent genePredCheck"),
    "genePredToGtf": ("refseqtracks.cli.gtf", "main_genepred_to_gtf", "kent genePredToGtf"),
    "gtfToGenePred": ("refseqtracks.cli.gtf", "main_gtf_to_genepred", "kent gtfToGenePred"),
    "genePredToBed": ("refseqtracks.cli.bed", "main_genepred_to_bed", "kent genePredToBed"),
    "genePredToBigGenePred": ("refseqtracks.cli.bed", "main_genepred_to_big_genepred",
                              "kent genePredToBigGenePred"),
    "bedToBigBed": ("refseqtracks.cli.bed", "main_bed_to_bigbed", "kent bedToBigBed"),
    "gff3ToPsl": ("refseqtracks.cli.psl", "main_gff3_to_psl", "kent gff3ToPsl"),
    "pslReps": ("refseqtracks.cli.psl", "main_psl_reps", "kent pslReps"),
    "pslCDnaFilter": ("refseqtracks.cli.psl", "main_psl_cdna_filter", "kent pslCDnaFilter"),
}


def command(name: str) -> Callable[[list[str]], int] | None:
    """The function behind a command, or None when it is not available in this install."""
    entry = COMMANDS.get(name)
    if entry is None:
        return None
    module, func, _ = entry
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as ex:
        if ex.name == module:
            return None
        raise
    return getattr(mod, func, None)


def _usage() -> str:
    width = max(len(n) for n in COMMANDS)
    lines = [f"refseqtracks {__version__} - NCBI RefSeq annotation to UCSC genome-browser tracks", "",
             "usage: refseqtracks COMMAND [options] ...", "", "commands:"]
    for name, (_, _, desc) in COMMANDS.items():
        lines.append(f"  {name:<{width}}  {desc}")
    lines += ["", "Run 'refseqtracks COMMAND' without arguments (kent tools) or with --help for its usage."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    from refseqtracks.errors import RefseqtracksError

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(_usage())
        return 0 if args else 1
    if args[0] in ("--version", "-V"):
        sys.stdout.write(f"refseqtracks {__version__}\n")
        return 0
    name, rest = args[0], args[1:]
    fn = command(name)
    if fn is None:
        sys.stderr.write(f"refseqtracks: unknown command '{name}'\n\n" + _usage())
        return 2
    from refseqtracks.process import keep_freed_memory
    keep_freed_memory()  # (before any child process is forked: they inherit it)
    try:
        return int(fn(rest) or 0)
    except RefseqtracksError as ex:
        _flush_quietly()
        sys.stderr.write(f"{ex}\n")
        return 255
    except BrokenPipeError:
        _silence_stdout()
        return 141
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except MemoryError:
        sys.stderr.write(f"{name}: out of memory\n")
        return 255
    except Exception as ex:  # a bug of ours: say so in one line, traceback only on request
        if os.environ.get("REFSEQTRACKS_DEBUG"):
            raise
        sys.stderr.write(f"{name}: internal error: {type(ex).__name__}: {ex}\n"
                         "(this is a bug in refseqtracks; set REFSEQTRACKS_DEBUG=1 for details)\n")
        return 70


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except Exception:
        pass


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except Exception:
        pass


def console_main() -> None:
    """Console-script entry point."""
    sys.exit(main())
