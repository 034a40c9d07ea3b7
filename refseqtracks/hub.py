"""UCSC track hub from a ``refseqtracks build`` folder, as doNcbiRefSeq.pl and asmHubTrackDb.sh
package the ncbiRefSeq tracks for assembly hubs.

Input: the build folder's ``manifest.json`` (each output's ``key`` and ``file``).  Output, a hub
folder (coordinates everywhere 0-based half-open)::

    hub.txt  genomes.txt  [groups.txt]
    DB/trackDb.txt
    DB/bbi/DB.ncbiRefSeq.bb  DB.ncbiRefSeqCurated.bb  DB.ncbiRefSeqPredicted.bb
           DB.ncbiRefSeqSelectCurated.bb  DB.ncbiRefSeqOther.bb  DB.bigPsl.bb
    DB/ixIxx/DB.ncbiRefSeq.ix/.ixx ... DB.ncbiRefSeqOther.ix/.ixx

What each file is, with the kent step it reproduces:

- gene subsets (All, Curated, Predicted, Select): ``updateName2.pl attrs.txt SUBSET.gp | sort
  -k1,1 -k2,2n`` then ``bedToBigBed -type=bed12+8 -tab -as=bigGenePredRefSeq.as
  -extraIndex=name`` (21 columns, :mod:`refseqtracks.hub_rows`).  Without an attributes file,
  plain ``genePredToBigGenePred`` rows with ``bigGenePred.as`` (20 columns).
  Trix: ``gpToIx.pl SUBSET.gp | sort -u`` then ``ixIxx`` (:mod:`refseqtracks.trix`).
- Other: ``ncbiRefSeqOtherAttrs.pl other.bed attrs.txt`` then ``bedToBigBed -type=bed12+N -tab
  -as=ncbiRefSeqOther.as -extraIndex=name``; trix from ``ncbiRefSeqOtherIxIxx.pl``.  Without an
  attributes file: the plain BED12 (``bigBed 12``) and a trix of the names.
- PSL: ``pslToBigPsl [-fa=rna.fa]`` (no CDS) ``| sort -k1,1 -k2,2n`` then ``bedToBigBed
  -type=bed12+13 -tab -as=bigPsl.as -extraIndex=name``.
- trackDb.txt: asmHubTrackDb.sh's ``refSeqComposite`` stanzas (labels, colours, ``searchIndex
  name``, ``searchTrix``, ``baseColorUseCds given``, ``baseColorDefault genomicCodons`` ...).

``sort -k1,1 -k2,2n`` is C-locale: chromosome bytes, numeric start, then the whole line.  The hub
is written into a temporary folder beside the target and renamed at the end, so a failure leaves
no partial hub.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from refseqtracks.errors import RefseqtracksError

__all__ = ["BuildFolder", "read_build_folder", "make_hub", "HubResult", "sort_bed_lines",
           "GENE_TRACKS"]


@dataclass(frozen=True)
class GeneTrack:
    """One subtrack: subset key, track name, file stem, labels, colour, parent state, priority."""

    subset: str
    track: str
    stem: str
    short_label: str
    long_label: str
    color: str
    on: bool
    priority: int


GENE_TRACKS: tuple[GeneTrack, ...] = (
    GeneTrack("all", "ncbiRefSeq", "ncbiRefSeq", "RefSeq All",
              "NCBI RefSeq genes, curated and predicted sets (NM_*, XM_*, NR_*, XR_*, NP_* or YP_*)",
              "12,12,120", True, 1),
    GeneTrack("curated", "ncbiRefSeqCurated", "ncbiRefSeqCurated", "RefSeq Curated",
              "NCBI RefSeq genes, curated subset (NM_*, NR_*, NP_* or YP_*)", "12,12,120", True, 2),
    GeneTrack("predicted", "ncbiRefSeqPredicted", "ncbiRefSeqPredicted", "RefSeq Predicted",
              "NCBI RefSeq genes, predicted subset (XM_* or XR_*)", "12,12,120", True, 3),
    GeneTrack("other", "ncbiRefSeqOther", "ncbiRefSeqOther", "RefSeq Other",
              "NCBI RefSeq other annotations (not NM_*, NR_*, XM_*, XR_*, NP_* or YP_*)",
              "32,32,32", True, 4),
    GeneTrack("psl", "ncbiRefSeqPsl", "bigPsl", "RefSeq Alignments", "RefSeq Alignments of RNAs",
              "0,0,0", False, 5),
    GeneTrack("select", "ncbiRefSeqSelect", "ncbiRefSeqSelectCurated", "RefSeq Select",
              "NCBI RefSeq/MANE Select: one representative transcript per protein-coding gene",
              "20,20,160", False, 7),
)
TRACK_OF = {t.subset: t for t in GENE_TRACKS}

_GENE_URLS = ('urls name2="https://www.ncbi.nlm.nih.gov/gene/?term=$$" '
              'geneName="https://www.ncbi.nlm.nih.gov/gene/$$" '
              'geneName2="https://www.ncbi.nlm.nih.gov/nuccore/$$"')
_OTHER_URLS = ('urls GeneID="https://www.ncbi.nlm.nih.gov/gene/$$" '
               'MIM="https://www.ncbi.nlm.nih.gov/omim/$$" '
               'HGNC="http://www.genenames.org/cgi-bin/gene_symbol_report?hgnc_id=$$" '
               'FlyBase="http://flybase.org/reports/$$" '
               'WormBase="http://www.wormbase.org/db/gene/gene?name=$$" '
               'RGD="https://rgd.mcw.edu/rgdweb/search/search.html?term=$$" '
               'SGD="https://www.yeastgenome.org/locus/$$" '
               'miRBase="http://www.mirbase.org/cgi-bin/mirna_entry.pl?acc=$$" '
               'ZFIN="https://zfin.org/$$" MGI="http://www.informatics.jax.org/marker/$$"')


# ------------------------------------------------------------------------------ build folder
@dataclass
class BuildFolder:
    """A build folder: its manifest and the path of each output by key."""

    path: Path
    manifest: dict
    files: dict[str, Path]

    @property
    def prefix(self) -> str:
        return str(self.manifest.get("prefix") or self.path.name)

    def get(self, key: str) -> Path | None:
        """The path of an output, None when the manifest does not list it."""
        return self.files.get(key)

    def need(self, key: str, what: str) -> Path:
        """The path of an output the caller cannot do without."""
        p = self.files.get(key)
        if p is None:
            raise RefseqtracksError(f"{self.path / 'manifest.json'}: no '{key}' output ({what}); "
                                    "was this folder made by 'refseqtracks build'?")
        return p


def read_build_folder(path) -> BuildFolder:
    """Read and check a build folder's manifest.json: every listed file must exist."""
    folder = Path(path)
    if not folder.exists():
        raise RefseqtracksError(f"build folder {folder} does not exist")
    if not folder.is_dir():
        raise RefseqtracksError(f"{folder} is not a folder (expected a 'refseqtracks build' output folder)")
    mpath = folder / "manifest.json"
    try:
        text = mpath.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RefseqtracksError(f"{folder}: no manifest.json (expected a 'refseqtracks build' "
                                "output folder)") from None
    except OSError as ex:
        raise RefseqtracksError(f"can't read {mpath}: {ex.strerror or ex}") from None
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as ex:
        raise RefseqtracksError(f"{mpath}:{ex.lineno}: not valid JSON: {ex.msg}") from None
    outputs = manifest.get("outputs") if isinstance(manifest, dict) else None
    if not isinstance(outputs, list):
        raise RefseqtracksError(f"{mpath}: no 'outputs' list")
    files: dict[str, Path] = {}
    for out in outputs:
        if not isinstance(out, dict) or not isinstance(out.get("key"), str) \
                or not isinstance(out.get("file"), str):
            raise RefseqtracksError(f"{mpath}: an output without 'key' and 'file'")
        p = folder / out["file"]
        if not p.is_file():
            raise RefseqtracksError(f"{mpath}: lists {out['file']} ('{out['key']}') but "
                                    f"{p} does not exist")
        files[out["key"]] = p
    return BuildFolder(folder, manifest, files)


# ------------------------------------------------------------------------------ helpers
def sort_bed_lines(lines: list[str]) -> list[str]:
    """``LC_ALL=C sort -k1,1 -k2,2n``: chromosome bytes, numeric start, then the whole line."""
    def key(line: str):
        chrom, _, rest = line.partition("\t")
        return (chrom.encode("utf-8", "surrogateescape"), int(rest.partition("\t")[0]),
                line.encode("utf-8", "surrogateescape"))
    return sorted(lines, key=key)


class _NamedText(io.StringIO):
    def __init__(self, text: str, name: str):
        super().__init__(text)
        self.name = name


def _check_chroms(chroms, sizes: dict[str, int], what: str, sizes_name: str) -> None:
    missing = sorted(set(chroms) - set(sizes))
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise RefseqtracksError(f"{what}: {', '.join(missing[:5])}{more} not in the chromosome "
                                f"sizes ({sizes_name}); give --chrom-sizes with every sequence")


def _bigbed(lines: list[str], name: str, sizes: dict[str, int], dest: Path, as_text: str,
            field_count: int) -> int:
    from refseqtracks.formats.autosql import parse_autosql
    from refseqtracks.formats.bigbed import bed_to_bigbed
    return bed_to_bigbed(_NamedText("".join(lines), name), sizes, dest, as_text=as_text,
                         table=parse_autosql(as_text), bed_n=12, field_count=field_count,
                         tab=True, extra_index=["name"])


def _data_text(name: str) -> str:
    from importlib.resources import files
    return files("refseqtracks").joinpath("data", name).read_text(encoding="utf-8")


def _read_psl_rows(path: Path):
    """PSL rows of a build's PSL (a leading bin column, from ``build --bin``, is dropped)."""
    from refseqtracks.fileio import open_input
    from refseqtracks.formats.psl import parse_psl_line
    name = str(path)
    out = []
    with open_input(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#") or line.startswith("psLayout"):
                continue
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) == 22 and cols[0].isdigit():
                line = "\t".join(cols[1:])
            out.append(parse_psl_line(line, path=name, lineno=lineno))
    return out


# ------------------------------------------------------------------------------ the hub
@dataclass
class HubResult:
    """What :func:`make_hub` wrote: hub folder, genome name, per-track item counts, notes."""

    hub_dir: Path
    db: str
    tracks: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _stanza(lines: list[str], indent: str = "        ") -> str:
    return "".join(f"{indent}{ln}\n" for ln in lines) + "\n"


def _gene_stanza(t: GeneTrack, db: str, refseq_as: bool, trix: bool) -> str:
    lines = [f"track {t.track}"]
    if t.subset == "select":
        lines += [f"parent refSeqComposite {'on' if t.on else 'off'}", f"priority {t.priority}",
                  "type bigGenePred", f"shortLabel {t.short_label}", f"longLabel {t.long_label}",
                  "idXref ncbiRefSeqLink mrnaAcc name", f"color {t.color}",
                  "labelFields name,geneName,geneName2", "searchIndex name"]
        if trix:
            lines.append(f"searchTrix ixIxx/{db}.{t.stem}.ix")
        lines += [f"bigDataUrl bbi/{db}.{t.stem}.bb", "baseColorUseCds given",
                  "baseColorDefault genomicCodons"]
        return _stanza(lines)
    parent = f"parent refSeqComposite {'on' if t.on else 'off'}"
    labels = ([_GENE_URLS, "labelFields name2,geneName,geneName2"] if refseq_as
              else ["labelFields name2,name"]) + ["defaultLabelFields name2", "searchIndex name"]
    trix_line = [f"searchTrix ixIxx/{db}.{t.stem}.ix"] if trix else []
    url = f"bigDataUrl bbi/{db}.{t.stem}.bb"
    tail = ["baseColorUseCds given", "baseColorDefault genomicCodons", f"priority {t.priority}"]
    if t.subset == "all":   # asmHubTrackDb.sh's order for each stanza
        lines += [parent, f"color {t.color}", f"shortLabel {t.short_label}", "type bigGenePred",
                  *labels, *trix_line, url, f"longLabel {t.long_label}",
                  "idXref ncbiRefSeqLink mrnaAcc name", *tail]
    else:
        lines += [f"color {t.color}", parent, f"shortLabel {t.short_label}",
                  f"longLabel {t.long_label}", "type bigGenePred", *labels, *trix_line,
                  "idXref ncbiRefSeqLink mrnaAcc name", url, *tail]
    return _stanza(lines)


def _other_stanza(db: str, extra_cols: bool, trix: bool) -> str:
    t = TRACK_OF["other"]
    lines = [f"track {t.track}", f"color {t.color}", "parent refSeqComposite on",
             f"shortLabel {t.short_label}", f"longLabel {t.long_label}", f"priority {t.priority}",
             "searchIndex name"]
    if trix:
        lines.append(f"searchTrix ixIxx/{db}.{t.stem}.ix")
    lines += [f"bigDataUrl bbi/{db}.{t.stem}.bb", "type bigBed 12 +" if extra_cols else "type bigBed 12",
              "labelFields name", "skipEmptyFields on"]
    if extra_cols:
        lines.append(_OTHER_URLS)
    return _stanza(lines)


def _psl_stanza(db: str, sequences: bool) -> str:
    t = TRACK_OF["psl"]
    # base colouring by codons needs the RNA sequences inside the bigPsl
    colors = ["baseColorDefault diffCodons", "pslSequence no", "baseColorUseSequence lfExtra"] \
        if sequences else ["pslSequence no"]
    return _stanza([f"track {t.track}", f"priority {t.priority}",
                    f"parent refSeqComposite {'on' if t.on else 'off'}",
                    f"shortLabel {t.short_label}", f"longLabel {t.long_label}", "type bigPsl",
                    "searchIndex name", f"bigDataUrl bbi/{db}.{t.stem}.bb",
                    "indelDoubleInsert on", "indelQueryInsert on", "showDiffBasesAllScales .",
                    "showDiffBasesMaxZoom 10000.0", "showCdsMaxZoom 10000.0", "showCdsAllScales .",
                    *colors, "baseColorUseCds table given", f"color {t.color}"])


def _composite(data_version: str | None, group: str) -> str:
    lines = ["track refSeqComposite", "compositeTrack on", "shortLabel NCBI RefSeq",
             "longLabel RefSeq gene predictions from NCBI", f"group {group}", "visibility pack",
             "type bigBed", "dragAndDrop subTracks", "allButtonPair on"]
    if data_version:
        lines.append(f"dataVersion {data_version}")
    lines.append("priority 2")
    return _stanza(lines, indent="")


def _trix(lines: list[str], work: Path, db: str, stem: str) -> bool:
    """ixIxx of the lines into ixIxx/DB.STEM.ix/.ixx; False (nothing written) when no word."""
    from refseqtracks.trix import make_ix, make_ixx
    ix = make_ix(lines)
    if not ix:
        return False
    (work / "ixIxx" / f"{db}.{stem}.ix").write_text(ix, encoding="utf-8", errors="surrogateescape")
    (work / "ixIxx" / f"{db}.{stem}.ixx").write_text(make_ixx(ix), encoding="utf-8")
    return True


def _gene_subset(build: BuildFolder, t: GeneTrack, db: str, sizes, sizes_name, names, work: Path,
                 res: HubResult) -> str | None:
    from refseqtracks.formats.biggenepred import big_genepred_as_text, to_big_genepred
    from refseqtracks.formats.genepred import read_genepred
    from refseqtracks.hub_rows import to_big_genepred_refseq
    from refseqtracks.trix import gp_to_ix_lines

    gp = build.get(f"{t.subset}.gp")
    if gp is None:
        if t.subset == "all":
            build.need("all.gp", "the RefSeq All genePred")
        res.notes.append(f"{t.track}: the build has no {t.subset}.gp; track left out")
        return None
    txs = read_genepred(gp, bin=None)
    if not txs:
        res.notes.append(f"{t.track}: no records; track left out")
        return None
    _check_chroms((tx.chrom for tx in txs), sizes, str(gp), sizes_name)
    if names is not None:
        lines = [to_big_genepred_refseq(tx, names) for tx in txs]
        as_text, nfields = _data_text("bigGenePredRefSeq.as"), 21
    else:
        lines = [to_big_genepred(tx) for tx in txs]
        as_text, nfields = big_genepred_as_text(), 20
    bb = work / "bbi" / f"{db}.{t.stem}.bb"
    res.tracks[t.track] = _bigbed(sort_bed_lines(lines), f"{gp.name} (bigGenePred)", sizes, bb,
                                  as_text, nfields)
    trix = _trix(gp_to_ix_lines((tx.name, tx.name2) for tx in txs), work, db, t.stem)
    return _gene_stanza(t, db, names is not None, trix)


def _other(build: BuildFolder, db: str, sizes, sizes_name, attrs_path: Path | None, work: Path,
           res: HubResult) -> str | None:
    from refseqtracks.formats.autosql import bed_as_text
    from refseqtracks.formats.bed import to_bed12
    from refseqtracks.formats.genepred import read_genepred
    from refseqtracks.hub_rows import iter_attrs, other_extras
    from refseqtracks.trix import other_ix_lines

    bed = build.get("other.bed")
    gp = build.get("other.gp")
    if bed is not None:
        with open(bed, encoding="utf-8", errors="surrogateescape") as f:
            lines = [ln if ln.endswith("\n") else ln + "\n" for ln in f if ln.strip()]
        src = bed
    elif gp is not None:
        lines = [to_bed12(tx, fill_space=True) for tx in read_genepred(gp, bin=None)]
        src = gp
    else:
        res.notes.append("ncbiRefSeqOther: the build has no other.bed or other.gp; track left out")
        return None
    if not lines:
        res.notes.append("ncbiRefSeqOther: no records; track left out")
        return None
    lines = sort_bed_lines(lines)
    _check_chroms((ln.split("\t", 1)[0] for ln in lines), sizes, str(src), sizes_name)
    bb = work / "bbi" / f"{db}.ncbiRefSeqOther.bb"
    if attrs_path is not None:
        ex = other_extras(lines, iter_attrs(attrs_path))
        res.tracks["ncbiRefSeqOther"] = _bigbed(ex.lines, f"{src.name} (with attributes)", sizes, bb,
                                                ex.as_text, 12 + len(ex.columns))
        (work / "ncbiRefSeqOther.as").write_text(ex.as_text, encoding="utf-8")
        res.notes.extend(f"ncbiRefSeqOther: {w}" for w in ex.warnings[:20])
        ix_lines = ex.ix_lines
    else:
        res.tracks["ncbiRefSeqOther"] = _bigbed(lines, src.name, sizes, bb, bed_as_text(12, 12), 12)
        ix_lines = other_ix_lines((ln.split("\t")[3], []) for ln in lines)
        res.notes.append("ncbiRefSeqOther: no attributes file in the build; plain BED12 bigBed")
    trix = _trix(ix_lines, work, db, "ncbiRefSeqOther")
    return _other_stanza(db, attrs_path is not None, trix)


def _psl(build: BuildFolder, db: str, sizes, sizes_name, work: Path, res: HubResult,
         rna_fasta=None) -> str | None:
    from refseqtracks.hub_rows import read_rna_fasta, to_big_psl
    path = build.get("psl")
    if path is None:
        res.notes.append("ncbiRefSeqPsl: the build has no PSL; track left out")
        return None
    psls = _read_psl_rows(path)
    if not psls:
        res.notes.append("ncbiRefSeqPsl: no alignments; track left out")
        return None
    _check_chroms((p.t_name for p in psls), sizes, str(path), sizes_name)
    seqs = read_rna_fasta(rna_fasta, {p.q_name for p in psls}) if rna_fasta is not None else None
    rows = [to_big_psl(p, seqs) for p in psls]
    lines = sort_bed_lines([r for r in rows if r is not None])
    dropped = sorted({p.q_name for p, r in zip(psls, rows) if r is None})
    if dropped:
        more = " ..." if len(dropped) > 5 else ""
        res.notes.append(f"ncbiRefSeqPsl: no sequence in {rna_fasta} for {len(dropped)} RNAs "
                         f"({', '.join(dropped[:5])}{more}); their alignments are left out")
    if not lines:
        res.notes.append("ncbiRefSeqPsl: no alignments left; track left out")
        return None
    res.tracks["ncbiRefSeqPsl"] = _bigbed(lines, f"{path.name} (bigPsl)", sizes,
                                          work / "bbi" / f"{db}.bigPsl.bb", _data_text("bigPsl.as"), 25)
    return _psl_stanza(db, seqs is not None)


def _replace_dir(tmp: Path, dest: Path) -> None:
    if dest.exists():
        if not dest.is_dir():
            raise RefseqtracksError(f"{dest} exists and is not a folder")
        if any(dest.iterdir()) and not (dest / "hub.txt").is_file():
            raise RefseqtracksError(f"{dest} exists, is not empty and holds no hub.txt; "
                                    "refusing to replace it")
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
        os.replace(dest, old / dest.name)
        try:
            os.replace(tmp, dest)
        except OSError:
            os.replace(old / dest.name, dest)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, dest)


def make_hub(build_dir, hub_dir, *, db: str | None = None, hub_name: str | None = None,
             short_label: str | None = None, long_label: str | None = None,
             email: str | None = None, chrom_sizes=None, twobit: str | None = None,
             organism: str | None = None, default_pos: str | None = None, rna_fasta=None,
             report: Callable[[str], None] | None = None) -> HubResult:
    """Write a track hub for a build folder (see the module docstring); returns what was written.

    ``db`` is the genome name (a UCSC database such as ``hg38``, or the assembly hub's name with
    ``twobit``, a .2bit path or URL relative to genomes.txt); default: the build's prefix.
    ``rna_fasta`` (RefSeq ``*_rna.fna[.gz]``) puts the RNA sequences into the bigPsl.
    """
    from refseqtracks.sizes import read_chrom_sizes
    from refseqtracks.hub_rows import iter_attrs, refseq_names

    build = read_build_folder(build_dir)
    db = db or build.prefix
    if not db or any(c.isspace() or c == "/" for c in db):
        raise RefseqtracksError(f"invalid genome name {db!r}: no spaces or '/'")
    if chrom_sizes is not None:
        sizes_path = Path(chrom_sizes)
    else:
        sizes_path = build.get("chromSizes")
        if sizes_path is None:
            raise RefseqtracksError(f"{build.path}: the build has no chromosome sizes (it was made "
                                    "without --assembly-report, --chrom-alias or --lift); give "
                                    "--chrom-sizes FILE")
    sizes = read_chrom_sizes(sizes_path)
    if not sizes:
        raise RefseqtracksError(f"{sizes_path}: no chromosome sizes")
    attrs_path = build.get("attrs")
    names = refseq_names(iter_attrs(attrs_path)) if attrs_path is not None else None

    if hub_name is not None and (not hub_name or any(c.isspace() for c in hub_name)):
        raise RefseqtracksError(f"invalid hub name {hub_name!r}: no spaces")
    for label in (short_label, long_label, organism, email, twobit, default_pos):
        if label is not None and ("\n" in label or "\r" in label):
            raise RefseqtracksError(f"invalid hub setting {label!r}: no line breaks")
    dest = Path(os.path.abspath(hub_dir))
    parent = dest.parent
    if not parent.is_dir():
        raise RefseqtracksError(f"can't write the hub: folder {parent} does not exist")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=parent))
    except OSError as ex:
        raise RefseqtracksError(f"can't write the hub in {parent}: {ex.strerror or ex}") from None
    res = HubResult(Path(hub_dir), db)
    try:
        work = tmp / db
        (work / "bbi").mkdir(parents=True)
        (work / "ixIxx").mkdir()
        stanzas: list[str] = []
        for t in GENE_TRACKS:
            if t.subset == "other":
                s = _other(build, db, sizes, str(sizes_path), attrs_path, work, res)
            elif t.subset == "psl":
                s = _psl(build, db, sizes, str(sizes_path), work, res, rna_fasta)
            else:
                s = _gene_subset(build, t, db, sizes, str(sizes_path), names, work, res)
            if s:
                stanzas.append(s)
        if not stanzas:
            raise RefseqtracksError(f"{build.path}: no records in any subset; no hub to make")
        version = None
        vpath = build.get("version")
        if vpath is not None:
            version = vpath.read_text(encoding="utf-8", errors="replace").strip().splitlines()[0:1]
            version = version[0] if version else None
        group = "genes"
        (work / "trackDb.txt").write_text(_composite(version, group) + "".join(stanzas),
                                          encoding="utf-8")
        if twobit and not default_pos:
            first, size = next(iter(sizes.items()))
            default_pos = f"{first}:1-{min(size, 100000)}"
        _write_hub_files(tmp, build, db, hub_name=hub_name, short_label=short_label,
                         long_label=long_label, email=email, twobit=twobit, organism=organism,
                         default_pos=default_pos)
        if report is not None:
            for n in res.notes:
                report(n)
        _replace_dir(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return res


def _write_hub_files(tmp: Path, build: BuildFolder, db: str, *, hub_name, short_label, long_label,
                     email, twobit, organism, default_pos) -> None:
    release = str(build.manifest.get("annotation_release") or build.prefix)
    name = hub_name or f"{db}_ncbiRefSeq"
    hub = [f"hub {name}", f"shortLabel {short_label or 'NCBI RefSeq ' + db}",
           f"longLabel {long_label or 'NCBI RefSeq genes for ' + db + ' (' + release + ')'}",
           "genomesFile genomes.txt", f"email {email or 'none'}"]
    (tmp / "hub.txt").write_text("\n".join(hub) + "\n", encoding="utf-8")
    genome = [f"genome {db}", f"trackDb {db}/trackDb.txt"]
    if twobit:
        genome += [f"twoBitPath {twobit}", "groups groups.txt",
                   f"organism {organism or db}", f"description {organism or db}",
                   f"scientificName {organism or db}"]
        if default_pos:
            genome.append(f"defaultPos {default_pos}")
        genome.append("orderKey 1")
        (tmp / "groups.txt").write_text(
            "name genes\nlabel Genes and Gene Predictions\npriority 1\ndefaultIsClosed 0\n",
            encoding="utf-8")
    elif default_pos:
        genome.append(f"defaultPos {default_pos}")
    (tmp / "genomes.txt").write_text("\n".join(genome) + "\n", encoding="utf-8")
