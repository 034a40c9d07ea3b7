"""The UCSC ncbiRefSeq table set from a RefSeq GFF3 (kent ``doNcbiRefSeq.pl``, process step).

Coordinates are 0-based half-open throughout (the GFF3 reader converts them).

What the process step does and this module reproduces, in order:

1. ``#!annotation-source`` in the first 100 lines -> the annotation release (the text after
   ``annotation-source ``, without `` Updated Annotation Release``; the assembly id when there
   is none), written with the GFF3 file's modification date as ``ncbiRefSeqVersion.txt``:
   ``RELEASE (YYYY-MM-DD)``.  The build date (``date +%F``) is a second date: it names the
   GTF source.
2. ``sed 's/([;\\t])SO_type=/\\1so_type=/'`` (the first ``SO_type=`` attribute of a line is
   renamed, since kent rejects upper-case non-standard tags), then
   ``gff3ToGenePred -refseqHacks -attrsOut -unprocessedRootsOut`` (``-warnAndContinue`` with
   ``warn_and_continue``) -> every transcript, genePredExt, kent's order.  When the renaming
   source gives the sizes of the NCBI sequences (assembly report, chromAlias BED, lift file),
   ``genePredFilter -chromSizes`` drops records that fail genePredCheck against them (each
   reported).
3. The RefSeq/MANE Select list: ``Name=`` values (not containing ``NP_``) of lines with
   ``tag=RefSeq Select`` or ``tag=MANE Select``, ``sort -u``.
4. ``liftUp``: sequence names mapped to UCSC names (:mod:`refseqtracks.chromnames`).
5. The subsets by the regexes of :mod:`refseqtracks.accessions` on the name: All, Curated,
   Predicted, Other, Select (lines unchanged, in the converter's order).
6. ``genePredToGtf -utr`` of every record, from a file named ``ncbiRefSeq.DATE`` (so that is
   the GTF source); ``genePredToBed`` of each subset, and for Other ``genePredToBed -tab
   -fillSpace | sort -k1,1 -k2n,2n`` (the input of UCSC's ncbiRefSeqOther bigBed).
7. The link table (:mod:`refseqtracks.annotate`) of All, made by name from the link-table
   entries of the pieces (:mod:`refseqtracks.link_join`).
8. PSL from the ``cDNA_match``/``match`` lines not containing ``NG_`` (gff3ToPsl path).

All outputs are written through one set of atomic files: a failed build leaves none of them.

Memory: when the conversion runs in pieces, the main process keeps nothing per gene or
transcript: the workers file each piece's rows in a data file the main process copies into the
outputs (:class:`~refseqtracks.ncbirefseq_rows.PieceFiler`), the link-table facts stay in the
pieces' sorted entry files, the names and the fake PSL rows go to external sorts (as the
pieces' sorted runs), the PSL step's first pass waits in the pieces' files, and the GTF's
unique ``transcript_id`` state holds only names whose hash occurs in more than one record.
(The one-process way keeps the link-table facts in memory.)
"""
from __future__ import annotations

import gc
import json
import os
import re
import shutil
import tempfile
import time
from array import array
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import IO, Callable

from refseqtracks import accessions as acc
from refseqtracks.annotate import read_gene2refseq, read_gene_info
from refseqtracks.chromnames import ChromMap, Renamer
from refseqtracks.errors import RefseqtracksError
from refseqtracks.batchfile import dump_batch
from refseqtracks.extsort import ExternalSorter
from refseqtracks.fileio import Source, atomic_output, ensure_dir, input_name, is_stdio, spool_stdin, write_lines
from refseqtracks.link_join import LinesJob, NameLinkTable, name_entries, read_entries
from refseqtracks.formats.genepred import check_transcript, format_genepred_line, parse_genepred_line
from refseqtracks.model import Transcript
from refseqtracks.ncbirefseq_psl import SORT_LIMIT, fake_item
from refseqtracks.ncbirefseq_rows import FiledPiece, PieceFiler, RowMaker, other_bed_item
from refseqtracks.ncbirefseq_scan import GffScan, Progress, SedStream, annotation_release, scan_file
from refseqtracks.ncbirefseq_split import SUBSET_FILES, read_select_list, split_genepred

__all__ = [
    "SUBSET_FILES", "GffScan", "annotation_release", "build_ncbi_refseq", "split_genepred",
    "default_prefix", "Progress", "read_select_list", "check_date",
]


def default_prefix(path: Source) -> str:
    """The output name prefix from the input name: ``GCF_000001405.40_GRCh38.p14`` ..."""
    base = os.path.basename(input_name(path)) if not is_stdio(path) else "ncbiRefSeq"
    for suffix in (".gz", ".gff3", ".gff", "_genomic"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base or "ncbiRefSeq"


@dataclass
class _Output:
    file: str
    what: str
    records: int = 0


@dataclass
class _Outputs:
    """The set of output files of one build, all atomic, renamed together at the end."""

    outdir: str
    prefix: str
    stack: ExitStack
    input_name: str = ""
    report: Callable[[str], None] | None = None
    files: dict[str, IO[str]] = field(default_factory=dict)
    meta: dict[str, _Output] = field(default_factory=dict)

    def open(self, key: str, filename: str, what: str) -> IO[str]:
        f = self.stack.enter_context(atomic_output(os.path.join(self.outdir, filename)))
        self.files[key] = f
        self.meta[key] = _Output(filename, what)
        return f


def _rename_line(line: str, tx: Transcript, new: Transcript) -> str:
    if new.tx_start != tx.tx_start:  # a lift offset: reformat
        return format_genepred_line(new, ext=True)
    name, _, rest = line.partition("\t")
    rest = rest.partition("\t")[2]
    return f"{name}\t{new.chrom}\t{rest}"


def build_ncbi_refseq(gff: Source, outdir: str | os.PathLike, *, prefix: str | None = None,
                      date: str | None = None, version_date: str | None = None,
                      chrom_map: ChromMap | None = None,
                      drop_unmapped: bool = False, warn_and_continue: bool = False,
                      repair_ncbi: bool = False, partial_cds_stat: bool = False,
                      bin: bool = False, gene_info: Source | None = None,
                      gene2refseq: Source | None = None, rna_sizes: dict[str, int] | None = None,
                      progress: Progress | None = None,
                      report: Callable[[str], None] | None = None) -> dict:
    """Build the ncbiRefSeq table set into ``outdir``; returns the manifest (also written)."""
    outdir = os.fspath(outdir)
    prefix = prefix or default_prefix(gff)
    date = date or time.strftime("%Y-%m-%d")
    version_date = version_date or _file_date(gff)
    with tempfile.TemporaryDirectory(prefix="refseqtracks-build-") as spill_dir:
        spill = os.path.join(spill_dir, "psl_rows.gff")
        jobs: list = []  # the PSL child process, once started
        with open(spill, "w", encoding="utf-8", errors="surrogateescape", newline="") as sink:
            scan = GffScan(psl_sink=sink)
            # what the build makes is freed by reference counting (no cycles); the cyclic
            # collector would walk the link-table facts and every loaded row again and again
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                return _build(gff, outdir, scan, spill, sink, jobs, prefix=prefix, date=date,
                              version_date=version_date, chrom_map=chrom_map,
                              drop_unmapped=drop_unmapped, warn_and_continue=warn_and_continue,
                              repair_ncbi=repair_ncbi, partial_cds_stat=partial_cds_stat, bin=bin,
                              gene_info=gene_info, gene2refseq=gene2refseq, rna_sizes=rna_sizes,
                              progress=progress, report=report)
            finally:
                if was_enabled:
                    gc.enable()
                for job in jobs:
                    job.close()


def _build(gff: Source, outdir: str, scan: GffScan, spill: str, sink: IO[str], jobs: list, *, prefix: str,
           date: str, version_date: str, chrom_map: ChromMap | None, drop_unmapped: bool,
           warn_and_continue: bool, repair_ncbi: bool, partial_cds_stat: bool,
           bin: bool, gene_info: Source | None, gene2refseq: Source | None,
           rna_sizes: dict[str, int] | None, progress: Progress | None,
           report: Callable[[str], None] | None) -> dict:
    from refseqtracks.assemble import Gff3Converter
    from refseqtracks.bins import bin_from_range
    from refseqtracks.formats.bed import to_bed12
    from refseqtracks.formats.gtf import GtfWriter, to_gtf_lines

    messages: list[str] = []

    def say(msg: str) -> None:
        messages.append(msg)
        if report is not None:
            report(msg)

    gff_name = input_name(gff)
    # genePredFilter -chromSizes: sizes of the NCBI names, when the renaming source gives them
    # (##sequence-region pragmas are not trusted for this: excerpts and toolkit files get them wrong)
    ncbi_sizes: dict[str, int] = {}
    if chrom_map is not None:
        for seqid, new in chrom_map.names.items():
            if new in chrom_map.sizes and not chrom_map.offsets.get(seqid):
                ncbi_sizes.setdefault(seqid, chrom_map.sizes[new])

    def start_psl() -> None:
        # the NCBI alignment rows are made in a child process while the tables are written
        from refseqtracks.ncbirefseq_psl import RealRowsJob
        sink.flush()
        jobs.append(RealRowsJob(
            scan.comment_head, spill, genome_sizes={**scan.region_sizes, **ncbi_sizes}, rna_sizes=rna_sizes,
            renamer=Renamer(chrom_map, drop_unmapped=drop_unmapped) if chrom_map is not None else None,
            bin=bin, out_sizes=dict(chrom_map.sizes) if chrom_map is not None else dict(scan.region_sizes),
            linenos=scan.psl_linenos, path=gff_name, first_pass_files=scan.psl_first_pass))

    def converter(src: Source):
        # the records come with their Transcript but without its attributes: keeping those for
        # the whole file costs ten times the memory
        conv = Gff3Converter(src, refseq_hacks=True, warn_and_continue=warn_and_continue,
                             want_attrs=True, want_unprocessed=True, want_transcripts=False, report=say,
                             repair_ncbi=repair_ncbi, partial_cds_stat=partial_cds_stat)
        conv.opts.bare_transcripts = True
        # the rows of each record are made in the conversion's workers when there are any
        conv.tx_post = rows_of
        return conv

    # with the output sizes known beforehand, the fake PSL rows are made with the other rows
    rows_of = RowMaker(ncbi_sizes=ncbi_sizes, names=chrom_map.names if chrom_map is not None else None,
                       offsets=chrom_map.offsets if chrom_map is not None else None, bin=bin,
                       gtf_source=f"ncbiRefSeq.{date}", path=gff_name,
                       fake_sizes=(rna_sizes, dict(chrom_map.sizes)) if chrom_map is not None else None,
                       checked=not repair_ncbi)  # (repaired records were not checked again)
    src = gff
    from refseqtracks.parallel import spools_stdin
    if spools_stdin(gff):
        # standard input is copied to a file first, which can be scanned and converted in pieces
        src = spool_stdin(gff, os.path.dirname(spill))
    seekable = isinstance(src, (str, os.PathLike)) and not is_stdio(src)
    results = None
    if seekable:
        # one pass: the pieces are scanned and converted in the workers
        conv = converter(src)
        results = _scan_and_convert_in_pieces(conv, scan, progress, os.path.dirname(spill), rows_of)
        if results is None:  # the one-process way: pass 1 (from scratch), then the conversion
            sink.seek(0)
            sink.truncate()
            scan = GffScan(psl_sink=sink)
            scan_file(src, scan, progress)
            if scan.has_so_type:
                conv = converter(SedStream(src))
            conv.parallel_jobs = 1  # (the pieces did not work out)
        start_psl()
    else:  # one pass through the converter, scanning the lines as they go by
        conv = converter(SedStream(gff, scan))
    if results is None:
        if progress is not None:
            progress("converting (gff3ToGenePred -refseqHacks)", None)
        try:
            results = conv.run()
        finally:
            if isinstance(conv.src, SedStream):
                conv.src.close()
        if not seekable:
            scan.finish()
    if not jobs:
        start_psl()
    renamer = Renamer(chrom_map, drop_unmapped=drop_unmapped) if chrom_map is not None else None
    repeated = _repeated_hashes(scan.name_hashes) if scan.name_hashes is not None else None
    select = scan.select_names
    is_select = acc.select_test(select)
    counts = {s: 0 for s in SUBSET_FILES}
    filtered: list[str] = []
    link = _link_table(scan)
    # the All transcripts' genePredToFakePsl rows (with their RNA and sequence), sorted; they
    # wait while every table is filed, so fewer of them stay in memory than in the final sort
    fake_rows = ExternalSorter(limit=SORT_LIMIT // 4)
    out_sizes = dict(chrom_map.sizes) if chrom_map is not None else dict(scan.region_sizes)

    def fake_of(tx: Transcript) -> tuple:
        return fake_item(tx, q_size=rna_sizes.get(tx.name) if rna_sizes else None,
                         t_size=out_sizes.get(tx.chrom) if out_sizes else None, bin=bin)

    ensure_dir(outdir)  # only now: a build that fails on its input leaves no folder behind
    if progress is not None:
        progress("writing tables", None)
    with ExitStack() as stack:
        stack.callback(fake_rows.close)
        stack.callback(link.close)
        link_job = None
        early_names = scan.link_runs is not None and gene2refseq is None and gene_info is None
        if early_names:
            # every piece was filed in the workers, their names are all known: the table is
            # made in a child process while the tables are written
            for path, count in scan.link_runs:
                link.add_names_run(_adopted(path), count)
            link_job = LinesJob(link, os.path.join(os.path.dirname(spill), "link.tab"))
            stack.callback(link_job.close)
        out = _Outputs(outdir, prefix, stack, input_name(gff), say)
        # (the files are written through out.files, by key)
        out.open("genePred", f"{prefix}.gp", "every transcript gff3ToGenePred -refseqHacks made (genePredExt)")
        for s in SUBSET_FILES:
            out.open(f"{s}.gp", f"{prefix}.{SUBSET_FILES[s][0]}", SUBSET_FILES[s][2] + ", genePredExt")
        for s in SUBSET_FILES:
            out.open(f"{s}.bed", f"{prefix}.{SUBSET_FILES[s][1]}",
                     SUBSET_FILES[s][2] + (", BED12 (-fillSpace, sorted by chrom and start)"
                                           if s == "other" else ", BED12"))
        out.open("gtf", f"{prefix}.ncbiRefSeq.gtf",
                 f"every record as GTF (genePredToGtf -utr, source ncbiRefSeq.{date}), "
                 "UCSC's bigZips/genes/<db>.ncbiRefSeq.gtf")
        out.open("attrs", f"{prefix}.attrs.txt", "GFF3 attributes per record (-attrsOut)")
        out.open("unprocessed", f"{prefix}.unprocessedRoots.txt",
                 "GFF3 roots that made no transcript (-unprocessedRootsOut)")
        gtf_writer = GtfWriter(source=f"ncbiRefSeq.{date}", utr=True)
        bufs: dict[str, list[str]] = {k: [] for k in out.files}
        other_bed = stack.enter_context(ExternalSorter())  # sorted at the end, as UCSC does
        gp_count = 0

        def flush() -> None:
            for k, b in bufs.items():
                if b:
                    out.files[k].write("".join(b))
                    b.clear()

        def on_transcript(line: str, tx) -> None:
            nonlocal gp_count
            made = tx if tx.__class__ is tuple else rows_of(line, tx)
            if made is None:
                slow_transcript(line, tx)
                return
            line, gtf, bed_line, fields, fake = made
            name = fields[0]
            subsets = acc.subsets_of(name, select)
            bufs["genePred"].append(line)
            out.meta["genePred"].records += 1
            # (a name that no other record has is never renamed: only possible repeats are tracked)
            unique = gtf_writer.unique_name(name) if repeated is None or hash(name) in repeated else name
            if unique != name:  # genePredToGtf's unique transcript_id (NAME_2 ...): formatted again
                gtf = "".join(to_gtf_lines(Transcript(*fields), source=gtf_writer.source, utr=True, name=unique))
            bufs["gtf"].append(gtf)
            out.meta["gtf"].records += 1
            for s in subsets:
                counts[s] += 1
                bufs[f"{s}.gp"].append(line)
                out.meta[f"{s}.gp"].records += 1
                out.meta[f"{s}.bed"].records += 1
                if s == "other":
                    other_bed.add(*other_bed_item(fields[1], fields[3], bed_line))
                    continue
                bufs[f"{s}.bed"].append(bed_line)
                if s == "all":
                    link.add_name(name)
                    fake_rows.add(*(fake or fake_of(Transcript(*fields))))
            gp_count += 1
            if gp_count % 4096 == 0:
                flush()

        def slow_transcript(line: str | None, tx) -> None:
            """A record the row maker left to this process: the whole work here."""
            nonlocal gp_count
            if tx is None:
                tx = parse_genepred_line(line, path=gff_name)
            size = ncbi_sizes.get(tx.chrom)
            if size is not None:
                errs = check_transcript(tx, chrom_size=size)
                if errs:
                    filtered.append(tx.name)
                    say(f"genePredFilter: dropping {tx.name}: {errs[0]}")
                    return
            if renamer is not None:
                new = renamer.transcript(tx)
                if new is None:
                    return
                if new is not tx:
                    line = _rename_line(line, tx, new)
                    tx = new
            if bin:
                line = f"{bin_from_range(tx.tx_start, tx.tx_end)}\t{line}"
            bufs["genePred"].append(line)
            out.meta["genePred"].records += 1
            bufs["gtf"] += gtf_writer.lines(tx)
            out.meta["gtf"].records += 1
            for s in acc.subsets_of(tx.name, select):
                counts[s] += 1
                bufs[f"{s}.gp"].append(line)
                out.meta[f"{s}.gp"].records += 1
                out.meta[f"{s}.bed"].records += 1
                if s == "other":  # genePredToBed -tab -fillSpace | sort -k1,1 -k2n,2n
                    other_bed.add(*other_bed_item(tx.chrom, tx.tx_start, to_bed12(tx, fill_space=True)))
                    continue
                bufs[f"{s}.bed"].append(to_bed12(tx))
                if s == "all":
                    link.add(tx)
                    fake_rows.add(*fake_of(tx))
            gp_count += 1
            if gp_count % 4096 == 0:
                flush()

        def on_piece(filed: tuple) -> None:
            """A piece the workers filed (:class:`~refseqtracks.ncbirefseq_rows.PieceFiler`)."""
            p = FiledPiece(*filed)
            flush()  # (what came before it is written first)
            files, meta = out.files, out.meta
            n = len(p.names)
            renamed = {}
            if repeated is None or repeated:
                for i, name in enumerate(p.names):
                    if repeated is None or hash(name) in repeated:
                        unique = gtf_writer.unique_name(name)
                        if unique != name:
                            renamed[i] = unique
            gp_lines = None
            with open(p.data, "rb") as data:
                for key, size in p.parts:
                    f = files[key]
                    f.flush()  # (the bytes go to the file under the text layer)
                    if key == "genePred" and renamed:
                        blob = data.read(size)
                        f.buffer.write(blob)
                        gp_lines = blob.split(b"\n")
                    elif key == "gtf" and renamed:
                        # genePredToGtf's unique transcript_id (NAME_2 ...): those records formatted again
                        records = _cut(data.read(size), p.gtf_sizes)
                        for i, unique in renamed.items():
                            tx = parse_genepred_line(gp_lines[i].decode("utf-8", "surrogateescape"),
                                                     path=gff_name, bin=bin)
                            records[i] = "".join(to_gtf_lines(tx, source=gtf_writer.source, utr=True, name=unique)
                                                 ).encode("utf-8", "surrogateescape")
                        f.buffer.write(b"".join(records))
                    else:
                        _copy(data, f.buffer, size)
            os.unlink(p.data)
            meta["genePred"].records += n
            meta["gtf"].records += n
            meta["unprocessed"].records += p.n_roots
            for s, count in p.counts.items():
                counts[s] += count
                meta[f"{s}.gp"].records += count
                meta[f"{s}.bed"].records += count
            for item in p.other_bed:
                other_bed.add(*item)
            cur_names, cur_gp, cur_bed = p.curated
            sel = [i for i, name in enumerate(cur_names) if is_select(name)] if select else []
            for s, gp_rows, bed_rows in (("curated", cur_gp, cur_bed),
                                         ("select", [cur_gp[i] for i in sel], [cur_bed[i] for i in sel])):
                counts[s] += len(gp_rows)
                meta[f"{s}.gp"].records += len(gp_rows)
                meta[f"{s}.bed"].records += len(gp_rows)
                files[f"{s}.gp"].write("".join(gp_rows))
                files[f"{s}.bed"].write("".join(bed_rows))
            if not early_names:
                path, count = p.link_run
                link.add_names_run(_adopted(path), count)
            if p.fake_run is not None:
                path, count = p.fake_run
                fake_rows.add_run(_adopted(path), count)
            for fields in p.fake_fields:
                fake_rows.add(*fake_of(Transcript(*fields)))

        def on_attrs(text: str) -> None:
            bufs["attrs"].append(text)

        def on_unprocessed(line: str) -> None:
            bufs["unprocessed"].append(line if line.endswith("\n") else line + "\n")
            out.meta["unprocessed"].records += 1

        conv.replay(results, on_transcript=on_transcript, on_bad=None, on_attrs=on_attrs,
                    on_unprocessed=on_unprocessed, on_piece=on_piece)
        conv.finish_message()
        flush()
        del results
        write_lines(out.files["other.bed"], other_bed)

        # the link table, joined with NCBI Gene when asked
        if progress is not None:
            progress("link table", None)
        g2r = read_gene2refseq(gene2refseq, accessions=link.accessions()) if gene2refseq is not None else None
        info = read_gene_info(gene_info, gene_ids=link.gene_ids()) if gene_info is not None else None
        f_link = out.open("link", f"{prefix}.ncbiRefSeqLink.tab",
                          "ncbiRefSeqLink: 19 columns per All transcript (kent ncbiRefSeqLink.as)")
        if g2r is not None or info is not None:
            write_lines(f_link, link.lines(gene2refseq=g2r, gene_info=info), chunk=8192)
            out.meta["link"].records = link.count
        elif link_job is None:  # made in a child process while the PSL is made here
            link_job = LinesJob(link, os.path.join(os.path.dirname(spill), "link.tab"))
            stack.callback(link_job.close)

        # the Select list, the release, sizes
        f_sel = out.open("selectList", f"{prefix}.refseqSelectTranscripts.txt",
                         "names tagged RefSeq Select or MANE Select (sort -u)")
        sel_sorted = sorted(select, key=lambda s: s.encode("utf-8", "surrogateescape"))
        f_sel.write("".join(f"{n}\n" for n in sel_sorted))
        out.meta["selectList"].records = len(sel_sorted)
        release = annotation_release(scan.first_lines)
        f_ver = out.open("version", "ncbiRefSeqVersion.txt", "annotation release and date")
        f_ver.write(f"{release or default_prefix(gff)} ({version_date})\n")
        if chrom_map is not None and chrom_map.sizes:
            f_sizes = out.open("chromSizes", f"{prefix}.chrom.sizes", "sequence sizes under the output names")
            f_sizes.write("".join(f"{k}\t{v}\n" for k, v in chrom_map.sizes.items()))
            out.meta["chromSizes"].records = len(chrom_map.sizes)

        # PSL from the cDNA_match/match lines
        if jobs[0].busy():  # (while the NCBI rows are still being made: fewer files to merge then)
            fake_rows.merge_runs()
        psl_note = _write_psl(out, scan, spill, {**scan.region_sizes, **ncbi_sizes}, rna_sizes, renamer,
                              bin, progress, fake_rows, out_sizes, jobs[0])

        if link_job is not None:
            count = link_job.result()
            if count is None:  # (the child failed: the table is made here, reporting properly)
                write_lines(f_link, link.lines(), chunk=8192)
                count = link.count
            else:
                with open(link_job.path, encoding="utf-8", errors="surrogateescape", newline="") as f:
                    shutil.copyfileobj(f, f_link, 1 << 20)
            out.meta["link"].records = count

        unmapped = dict(sorted(renamer.unmapped.items())) if renamer is not None else {}
        # every GFF3 sequence the renaming does not know, with or without records on it
        unknown = sorted(q for q in scan.seqids if chrom_map is not None and q not in chrom_map.names)
        manifest = {
            "tool": "refseqtracks build",
            "version": _version(),
            "input": input_name(gff),
            "prefix": prefix,
            "date": date,
            "version_date": version_date,
            "annotation_release": release,
            "renaming": chrom_map.source if chrom_map is not None else None,
            "records": out.meta["genePred"].records,
            "subsets": counts,
            "unmapped_seqids": {
                "count": len(unmapped),
                "names": list(unmapped),
                "records": unmapped,
                "action": ("dropped" if drop_unmapped else "kept") if unmapped else None,
            },
            "gff3_seqids_not_renamed": {"count": len(unknown), "names": unknown[:1000]},
            "filtered_by_chrom_sizes": filtered,
            "psl": psl_note,
            "warnings": messages[:1000],
            "warning_count": len(messages),
            "outputs": [{"key": k, "file": m.file, "what": m.what, "records": m.records}
                        for k, m in out.meta.items()],
        }
        f_man = stack.enter_context(atomic_output(os.path.join(outdir, "manifest.json")))
        f_man.write(json.dumps(manifest, indent=2) + "\n")
    if progress is not None:
        progress("done", 1.0)
    return manifest


def _link_table(scan: GffScan) -> NameLinkTable:
    """The link table of the names the build adds, from the pieces' entry files (or from the
    facts of a one-process scan)."""
    files = list(scan.fact_files)
    if files:
        return NameLinkTable(lambda: [read_entries(p) for p in files])
    facts = scan.facts
    return NameLinkTable(lambda: [name_entries(facts)])


def _copy(src: IO[bytes], dst: IO[bytes], size: int) -> None:
    """``size`` bytes from ``src`` to ``dst``: by the kernel (``os.copy_file_range``, about 40%
    of the cost of reading and writing them) where it can, else a megabyte at a time."""
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None and size > 0 and src.seekable() and dst.seekable():
        dst.flush()
        at, to = src.tell(), dst.tell()
        done = 0
        try:
            while done < size:
                n = copy_range(src.fileno(), dst.fileno(), size - done, at + done)
                if n <= 0:
                    break
                done += n
        except OSError:  # (another file system, an old kernel: the rest the usual way)
            pass
        src.seek(at + done)
        dst.seek(to + done)  # (the kernel moved the file's offset; the buffered writer learns it)
        size -= done
    while size > 0:
        chunk = src.read(min(size, 1 << 20))
        if not chunk:
            raise RefseqtracksError("a piece's output file ends early")
        dst.write(chunk)
        size -= len(chunk)


def _cut(blob: bytes, sizes: bytes) -> list[bytes]:
    """``blob`` cut into consecutive records of the ``array("q")`` ``sizes``."""
    lengths = array("q")
    lengths.frombytes(sizes)
    out = []
    at = 0
    for n in lengths:
        out.append(blob[at:at + n])
        at += n
    return out


def _adopted(path: str) -> IO[bytes]:
    """A worker's run file, open for reading and already unlinked (gone when closed)."""
    f = open(path, "rb")
    os.unlink(path)
    return f


def _repeated_hashes(parts: list[bytes]) -> set[int]:
    """The values that occur more than once in the pieces' ``array("q")`` bytes."""
    data = b"".join(parts)
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with pyranges
        a = array("q")
        a.frombytes(data)
        seen: set[int] = set()
        return {h for h in a if h in seen or seen.add(h)}
    a = np.frombuffer(data, dtype=np.int64).copy()
    a.sort()
    return set(a[1:][a[1:] == a[:-1]].tolist())


class _PieceScans:
    """The build's raw-line scan of each piece, in the conversion workers.

    As the converter's reader tap (``reader_tap``) it scans the lines the reader reads
    (:class:`~refseqtracks.ncbirefseq_scan.PieceTap`); as the piece hook (``piece_hook``,
    called after the piece converted well) it hands over that scan, or, when the reading did
    not see the whole piece, scans the piece's file again.  The piece's link-table entries go
    to a file in ``facts_dir``.  The hook returns the scan, the name hashes ``rows`` recorded
    for the piece, the file of the PSL step's first pass over the piece's alignment lines
    (:func:`~refseqtracks.ncbirefseq_psl_rows.scan_piece`; None when a line is unusual), and
    the run file of the link-table names when ``filer`` filed the piece."""

    def __init__(self, facts_dir: str, rows: RowMaker, filer: PieceFiler):
        self.facts_dir = facts_dir
        self.rows = rows
        self.filer = filer
        self.tap = None

    def reader_tap(self, first_lineno: int):
        from refseqtracks.ncbirefseq_scan import PieceTap
        self.tap = PieceTap(first_lineno)
        return self.tap

    def __call__(self, path: str, first_line: int):
        from refseqtracks.ncbirefseq_psl_rows import scan_piece
        from refseqtracks.ncbirefseq_scan import scan_text
        facts_path = os.path.join(self.facts_dir, f"facts.{first_line}")
        tap, self.tap = self.tap, None
        if tap is not None and tap.done and tap.first_lineno == first_line:
            part = tap.part(facts_path)
        else:
            with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
                f.readline()  # the piece's own ##gff-version line
                part = scan_text(f.read(), first_line, facts_path=facts_path)
        if part.has_so_type:
            raise ValueError("SO_type= needs the sed stream")  # the one-process way
        rows = self.rows
        hashes, rows.hashes = rows.hashes, array("q")
        link_run, self.filer.link_run = self.filer.link_run, None
        first_pass = scan_piece(part.psl_text)
        if part.psl_text:  # (the alignment lines go to the main process in a file, not pickled)
            part.psl_file = os.path.join(self.facts_dir, f"psl.{first_line}")
            with open(part.psl_file, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
                f.write(part.psl_text)
            part.psl_text = ""
        if first_pass is not None:  # (kept in a file: the PSL step's process reads them all)
            path = os.path.join(self.facts_dir, f"psl_pass.{first_line}")
            with open(path, "wb") as f:
                dump_batch(first_pass, f)
            first_pass = path
        return part, hashes.tobytes() if hashes is not None else None, first_pass, link_run


def _scan_and_convert_in_pieces(conv, scan: GffScan, progress: Progress | None, facts_dir: str,
                                rows: RowMaker):
    """Convert ``conv.src`` in pieces on several processes, the workers also scanning their
    piece's raw lines into ``scan`` (the link-table entries into files in ``facts_dir``); None
    (nothing reported, ``scan`` not to be used) when the input must go the one-process way."""
    if not conv._parallel_ok():
        return None
    from refseqtracks.fileio import open_input
    from refseqtracks.parallel import parallel_results, piece_workers
    jobs = piece_workers(conv.parallel_jobs)
    if not jobs:
        return None
    if progress is not None:
        progress("reading and converting (gff3ToGenePred -refseqHacks)", None)
    conv.piece_filer = filer = PieceFiler(facts_dir)
    scans = _PieceScans(facts_dir, rows, filer)
    conv.piece_hook = scans
    conv.reader_tap = scans.reader_tap
    hashes: list[bytes] = []
    psl_scans: list = []
    link_runs: list = []

    def take(made) -> None:  # the pieces' scans as they come, in file order
        part, names, psl_scan, link_run = made
        if names is None:
            raise RefseqtracksError("no name hashes")  # (cannot happen: the one-process way)
        hashes.append(names)
        psl_scans.append(psl_scan)
        link_runs.append(link_run)
        scan.merge(part)

    conv.piece_sink = take
    with open_input(conv.src) as f:
        scan.feed(f.readline())  # the header line, which is in no piece
    rows.hashes = array("q")  # (the workers' copies record the names of their records)
    try:
        results = parallel_results(conv, jobs=jobs, **conv._parallel_args)
    finally:
        rows.hashes = None
        conv.reader_tap = None  # (a run in one process scans apart)
    if results is None:
        return None
    scan.finish()
    scan.name_hashes = hashes
    if None not in psl_scans:
        scan.psl_first_pass = psl_scans
    if None not in link_runs:
        scan.link_runs = link_runs
    return results


def _write_psl(out: _Outputs, scan: GffScan, spill: str, genome_sizes: dict[str, int],
               rna_sizes: dict[str, int] | None, renamer: Renamer | None, bin: bool,
               progress: Progress | None, fake_rows: ExternalSorter,
               out_sizes: dict[str, int], job) -> str:
    """The ncbiRefSeqPsl step (:mod:`refseqtracks.ncbirefseq_psl`); returns a note for the manifest."""
    from refseqtracks.ncbirefseq_psl import psl_from_gff3_lines

    if progress is not None:
        progress("PSL (gff3ToPsl, genePredToFakePsl)", None)
    f = out.open("psl", f"{out.prefix}.psl",
                 "ncbiRefSeqPsl: NCBI's cDNA_match/match alignments, fake ones for the other All transcripts")
    n, note = psl_from_gff3_lines(scan.comment_head, spill, f, genome_sizes=genome_sizes,
                                  rna_sizes=rna_sizes, renamer=renamer, bin=bin, fake_rows=fake_rows,
                                  out_sizes=out_sizes, linenos=scan.psl_linenos,
                                  path=out.input_name, report=out.report, real=job.result(out.report))
    out.meta["psl"].records = n
    return note


def _file_date(gff: Source) -> str:
    """The input's modification date, local time (``ls -L --full-time``); today for streams."""
    if isinstance(gff, (str, os.PathLike)) and not is_stdio(gff):
        try:
            return time.strftime("%Y-%m-%d", time.localtime(os.path.getmtime(gff)))
        except OSError:
            pass
    return time.strftime("%Y-%m-%d")


def _version() -> str:
    from refseqtracks._version import __version__
    return __version__


def check_date(text: str) -> str:
    """A ``YYYY-MM-DD`` date, or our error."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise RefseqtracksError(f"invalid date \"{text}\": expected YYYY-MM-DD")
    return text
