"""kent v492 ``gff3ToGenePred`` conversion of one resolved root (gene or transcript) to genePreds.

Coordinates are 0-based half-open.  This module holds the per-root rules described in
:mod:`refseqtracks.assemble` (hierarchy, blocks, frames, names, CDS status, genePredCheck);
the locus grouping, ordering and error budget live there.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from operator import attrgetter

from refseqtracks.formats.genepred import check_transcript, format_genepred_line
from refseqtracks.gff3_write import _attr_lines
from refseqtracks.gff3_quick import LazyAttrs, decode_attrs, quick_name
from refseqtracks.model import Transcript

__all__ = ["GENE_TYPES", "TRANSCRIPT_TYPES", "SEGMENT_TYPES", "NAME_FALLBACK_ATTRS", "Ann",
           "ConvertOptions", "RootResult", "convert_root", "attrs_text"]

#: root types treated as genes.
GENE_TYPES = frozenset(("gene", "pseudogene", "ncRNA_gene"))
#: feature types that become a transcript.
TRANSCRIPT_TYPES = frozenset((
    "mRNA", "ncRNA", "CDS", "rRNA", "tRNA", "lnc_RNA", "pseudogenic_transcript", "scRNA", "snRNA",
    "snoRNA", "unconfirmed_transcript", "C_gene_segment", "D_gene_segment", "J_gene_segment",
    "V_gene_segment", "transcript", "primary_transcript"))
#: immunoglobulin / T-cell receptor segment types (NCBI puts their CDS under the gene).
SEGMENT_TYPES = frozenset(("C_gene_segment", "D_gene_segment", "J_gene_segment", "V_gene_segment"))
#: attributes tried for the genePred name after ID-less/Name-less records.
NAME_FALLBACK_ATTRS = ("transcript_id", "transcript_name", "Name", "Gene", "gene", "gene_name")

_STRAND_KEY = {"+": 0, "-": 1, "?": 2, ".": 3}
_PHASE_TO_FRAME = {0: 0, 1: 2, 2: 1, None: -1}


class Ann:
    """One feature in a locus, linked to its parents and children (kent's ``gff3Ann``).

    Made straight from the columns of a quick line (:func:`refseqtracks.gff3_quick.parse_lazy`,
    column 9 kept as ``text`` and decoded on first use of :attr:`attrs`) or from a
    :class:`GffFeature` (:meth:`of`).  ``seq`` (the line number) orders features as the file
    does; ``parents``/``children`` are filled when the locus is resolved.
    """

    __slots__ = ("seqid", "source", "type", "start", "end", "score", "strand", "phase", "text", "lineno",
                 "id", "parent_ids", "parents", "children", "_attrs")

    #: the Derives_from value (a feature that has one is a :class:`_DerivedAnn`)
    derives: str | None = None

    def __init__(self, seqid: str, source: str, ftype: str, start: int, end: int, score: str | None,
                 strand: str, phase: int | None, text: str | None, lineno: int, fid: str | None,
                 parents: list[str] | None):
        self.seqid = seqid
        self.source = source
        self.type = ftype
        self.start = start
        self.end = end
        self.score = score
        self.strand = strand
        self.phase = phase
        self.text = text
        self.lineno = lineno
        self.id = fid
        self.parent_ids = parents or ()
        self.parents = self.children = _NONE
        self._attrs = None

    @property
    def seq(self) -> int:
        """The order of the feature in the file (its line number)."""
        return self.lineno

    @classmethod
    def of(cls, feat) -> "Ann":
        """From a :class:`GffFeature` (attrs a dict or a :class:`LazyAttrs`)."""
        a = feat.attrs
        if a.__class__ is LazyAttrs:
            fid, parents, derives = a.fid, a.parents, a.derives
        else:
            v = a.get("ID")
            fid = v[0] if v else None
            parents = a.get("Parent")
            v = a.get("Derives_from")
            derives = v[0] if v else None
        ann = (cls if derives is None else _DerivedAnn)(
            feat.seqid, feat.source, feat.type, feat.start, feat.end, feat.score, feat.strand, feat.phase, None,
            feat.lineno, fid, parents)
        if derives is not None:
            ann.derives = derives
        ann._attrs = a
        return ann

    @property
    def attrs(self):
        """Column 9 as a mapping tag -> list of values (decoded on first use)."""
        a = self._attrs
        if a is None:
            a = self._attrs = decode_attrs(self.text)
        return a

    @property
    def name(self) -> str | None:
        a = self._attrs
        if a is None:
            return quick_name(self.text)
        v = a.get("Name")
        return v[0] if v else None

    def loc_key(self):
        return (self.seqid, _STRAND_KEY[self.strand], self.start, self.end)


class _DerivedAnn(Ann):
    __slots__ = ("derives",)


_NONE: tuple = ()
_START_END = attrgetter("start", "end")


@dataclass
class ConvertOptions:
    refseq_hacks: bool = False
    use_name: bool = False
    rna_name_attr: str | None = None
    gene_name_attr: str | None = None
    process_all_gene_children: bool = False
    allow_minimal_genes: bool = False
    honor_start_stop_codons: bool = False
    default_cds_status_to_unknown: bool = False
    warn_and_continue: bool = False
    want_attrs: bool = False
    want_transcripts: bool = False
    #: without want_transcripts: the tx events carry the Transcript without attributes (for a
    #: converter's ``tx_post``, which would otherwise read the genePred line back)
    bare_transcripts: bool = False
    path: str = ""
    repair_ncbi: bool = False
    partial_cds_stat: bool = False
    circular: object = None  # refseqtracks.repair.CircularSeqs, filled while parsing
    genome: object = None


@dataclass
class RootResult:
    """What converting one root produced, in order (replayed later under the error budget).

    events: ``("tx", gp_line, Transcript|None, attrs_text|None)``, ``("msg", text)``,
    ``("err", text)`` (a counted conversion error), ``("bad", gp_line)``, ``("gattrs", text)``,
    ``("brk",)`` (where kent checks the error budget inside a gene).
    """

    processed: bool = False
    events: list = field(default_factory=list)
    line: str | None = None


def attrs_text(name: str, ann: Ann) -> str:
    """kent's -attrsOut block for one record (attributes, then v492's pseudo-attributes)."""
    text = ann.text
    # each item one tag=value, nothing to merge: the lines are column 9 rearranged, values decoded
    lines = None if text is None else _attr_lines(text)
    if lines is not None:
        lead = name + "\t"
        parts = [lead, lines.replace("\n", "\n" + lead), "\n"]
    else:
        parts = [f"{name}\t{tag}\t{','.join(vals)}\n" for tag, vals in ann.attrs.items()]
    f = ann
    parts.append(f"{name}\tSeqid\t{f.seqid}\n{name}\tSource\t{f.source}\n{name}\tType\t{f.type}\n"
                 f"{name}\tStart\t{f.start}\n{name}\tEnd\t{f.end}\n{name}\tStrand\t{f.strand}\n")
    return "".join(parts)


def _attr1(ann: Ann, tag: str) -> str | None:
    v = ann.attrs.get(tag)
    return v[0] if v else None


class _Converter:
    def __init__(self, opts: ConvertOptions, processed: set[int], res: RootResult):
        self.o = opts
        self.processed = processed
        self.res = res
        self.events = res.events

    # -- classification ------------------------------------------------------------------
    def is_transcript(self, node: Ann) -> bool:
        if node.type in TRANSCRIPT_TYPES:
            return True
        return (self.o.process_all_gene_children and bool(node.parents)
                and node.parents[0].type in GENE_TYPES)

    # -- names ---------------------------------------------------------------------------
    def rna_name(self, mrna: Ann) -> str | None:
        o = self.o
        name = None
        if o.rna_name_attr is not None:
            name = _attr1(mrna, o.rna_name_attr)
        if not name and o.refseq_hacks:
            name = self._refseq_hacks_name(mrna)
        if not name and o.use_name:
            name = mrna.name
        if not name:
            for tag in NAME_FALLBACK_ATTRS:
                name = _attr1(mrna, tag)
                if name:
                    break
        if not name:
            name = mrna.id
        return name or None

    @staticmethod
    def _refseq_hacks_name(mrna: Ann) -> str | None:
        if mrna.type not in ("gene", "mRNA") or not mrna.children:
            return None
        first = mrna.children[0]
        if first.type != "CDS":
            if first.children and first.children[0].type == "CDS":
                first = first.children[0]
            else:
                return None
        name = first.name
        if (name and len(name) > 4 and name[0] == "Y" and "A" <= name[1] <= "Z" and name[2] == "_"
                and "0" <= name[3] <= "9"):
            return name
        return None

    def gene_name(self, gene: Ann) -> str | None:
        o = self.o
        name2 = None
        if o.gene_name_attr is not None:
            name2 = _attr1(gene, o.gene_name_attr)
        if not name2 and o.use_name:
            name2 = gene.name
        if not name2:
            name2 = gene.id
        return name2 or None

    # -- processing ----------------------------------------------------------------------
    def root(self, node: Ann) -> None:
        if node.type in GENE_TYPES:
            self.res.processed = True
            self.gene(node)
        elif self.is_transcript(node):
            self.res.processed = True
            self.transcript(None, node)

    def gene(self, gene: Ann) -> None:
        o = self.o
        self.processed.add(gene.seq)
        kids = gene.children
        types = {c.type for c in kids}
        if "CDS" in types and types & SEGMENT_TYPES:
            name = self.gene_name(gene)
            self.events.append(("msg", f"Warning: dropping CDS from {gene.type} "
                                       f"{name if name is not None else '(null)'} at "
                                       f"{gene.seqid}:{gene.start}-{gene.end} as we are unable to "
                                       "convert this form of annotation to genePred"))
            for c in kids:
                if c.type == "CDS" and gene in c.parents:
                    c.parents.remove(gene)
            gene.children = kids = [c for c in kids if c.type != "CDS"]
            types = {c.type for c in kids}
        if o.allow_minimal_genes and ("exon" in types or "CDS" in types):
            self.transcript(None, gene)
        elif any(self.is_transcript(c) for c in kids):
            if o.want_attrs:
                self.events.append(("gattrs", attrs_text(gene.id if gene.id is not None else "(null)", gene)))
            for c in kids:
                if self.is_transcript(c) and c.seq not in self.processed:
                    self.transcript(gene, c)
                    self.events.append(("brk",))
        elif o.allow_minimal_genes:
            self.make(gene, gene, [gene], [])

    def transcript(self, gene: Ann | None, mrna: Ann) -> None:
        self.processed.add(mrna.seq)
        exons: list[Ann] = []
        cds: list[Ann] = []
        utrs = False
        for c in reversed(mrna.children):  # file order, as kent's getChildFeatures builds it
            t = c.type
            if t == "exon":
                exons.append(c)
            elif t == "CDS":
                cds.append(c)
            elif t == "five_prime_UTR" or t == "three_prime_UTR":
                utrs = True
        if len(exons) > 1:
            _sort_blocks(exons)
        if len(cds) > 1:
            _sort_blocks(cds)
        blocks = exons
        if not blocks:
            if utrs:
                kids = mrna.children[::-1]
                key = Ann.loc_key
                blocks = sorted([c for c in kids if c.type == "five_prime_UTR"], key=key) + cds + \
                    sorted([c for c in kids if c.type == "three_prime_UTR"], key=key)
                blocks.sort(key=key)
            else:
                blocks = cds[:]
        if not blocks:
            blocks = [mrna]
            if mrna.type == "CDS":
                cds = blocks
        self.make(gene if gene is not None else mrna, mrna, blocks, cds)

    def make(self, gene: Ann, mrna: Ann, blocks: list[Ann], cds: list[Ann]) -> None:
        o = self.o
        tx_start = blocks[0].start
        tx_end = blocks[-1].end
        if cds:
            cds_start, cds_end = cds[0].start, cds[-1].end
        else:
            cds_start = cds_end = tx_end
        strand = mrna.strand
        if strand not in ("+", "-"):
            self.events.append(("err", f"invalid strand for mRNA {mrna.id if mrna.id is not None else '(null)'}"))
            return
        name = self.rna_name(mrna)
        name2 = self.gene_name(gene)
        if o.honor_start_stop_codons:
            types = {c.type for c in mrna.children}
            has_start, has_stop = "start_codon" in types, "stop_codon" in types
            if strand == "-":
                has_start, has_stop = has_stop, has_start
            ss = "cmpl" if has_start else "incmpl"
            es = "cmpl" if has_stop else "incmpl"
        elif cds_start < cds_end:
            ss = es = "unk" if o.default_cds_status_to_unknown else "cmpl"
        else:
            ss = es = "none"
        # exons, merging blocks that touch
        starts: list[int] = []
        ends: list[int] = []
        prev_end = None
        apart = True  # exons in order, apart from each other
        for b in blocks:
            bs = b.start
            if prev_end == bs:
                ends[-1] = prev_end = b.end
            else:
                if (prev_end is not None and bs < prev_end) or b.end <= bs:
                    apart = False
                starts.append(bs)
                ends.append(b.end)
                prev_end = b.end
        n = len(starts)
        owners = None
        if apart:
            # each CDS block in the one exon that can hold it (a block ending before it starts
            # can only hold an empty or reversed one: those take the general way)
            owners = []
            for c in cds:
                cs, ce = c.start, c.end
                i = bisect_right(starts, cs) - 1
                if cs >= ce or i < 0:
                    owners = None
                    break
                if ce > ends[i]:
                    self.events.append(("err", f"no exon in {name if name is not None else '(null)'} "
                                               f"contains CDS {cs}-{ce}"))
                    return
                owners.append(i)
        if owners is None:
            for c in cds:
                cs, ce = c.start, c.end
                for i in range(n):
                    if starts[i] <= cs and ce <= ends[i]:
                        break
                else:
                    self.events.append(("err", f"no exon in {name if name is not None else '(null)'} "
                                               f"contains CDS {cs}-{ce}"))
                    return
        if not cds:
            frames = [-1] * n
        elif owners is not None:
            starts, ends, frames = _owned_frames(starts, ends, cds, owners, strand)
        else:
            starts, ends, frames = _add_frames(starts, ends, [-1] * n, cds, strand)
        tx = Transcript(name or "no_name", mrna.seqid, strand, tx_start, tx_end, cds_start, cds_end,
                        tuple(starts), tuple(ends), 0, name2 or "", ss, es, tuple(frames))
        self.output(mrna, gene, tx, cds)

    def output(self, mrna: Ann, gene: Ann, tx: Transcript, cds: list[Ann] = ()) -> None:
        o = self.o
        problems = check_transcript(tx)
        txs = [tx]
        if o.repair_ncbi:
            from refseqtracks.repair import CdsPart, repair_transcript
            size = o.circular.size(tx.chrom) if o.circular is not None else None
            r = repair_transcript(tx, [CdsPart.of(c) for c in cds], seq_len=size, is_circular=size is not None,
                                  problems=problems, path=o.path, line=mrna.lineno)
            if r is not None:
                txs, repairs = r
                self.events.extend(("msg", rep.message()) for rep in repairs)
                problems = []
        if o.partial_cds_stat:
            from refseqtracks.partial import set_partial_cds_stats
            fa = [mrna.attrs] if gene is mrna else [mrna.attrs, gene.attrs]
            table = None
            if o.genome is not None:
                from refseqtracks.genetic_code import choose_transl_table
                table = choose_transl_table(tx.chrom, cds[0].attrs if cds else None)
            txs = [set_partial_cds_stats(t, cds_attrs=[c.attrs for c in cds], feature_attrs=fa, genome=o.genome,
                                         transl_table=table) for t in txs]
        for tx in txs:
            self._output1(mrna, gene, tx, problems)

    def _output1(self, mrna, gene, tx, problems) -> None:
        o = self.o
        line = format_genepred_line(tx, ext=True)
        if problems:
            where = f"genePred from GFF3: {o.path}:{mrna.lineno}"
            for p in problems:
                self.events.append(("msg", f"Error: {where}: {p}"))
            self.events.append(("bad", line))
            self.events.append(("err", f"invalid genePred created: {tx.name} {tx.chrom}:{tx.tx_start}-{tx.tx_end}"))
            return
        text = attrs_text(tx.name, mrna) if o.want_attrs else None
        if o.want_transcripts:
            attrs = {t: tuple(v) for t, v in mrna.attrs.items()}
            f = mrna
            attrs.update(Seqid=(f.seqid,), Source=(f.source,), Type=(f.type,), Start=(str(f.start),),
                         End=(str(f.end),), Strand=(f.strand,))
            if gene is not mrna:
                for t, v in gene.attrs.items():
                    attrs["gene:" + t] = tuple(v)
            tx = Transcript(tx.name, tx.chrom, tx.strand, tx.tx_start, tx.tx_end, tx.cds_start, tx.cds_end,
                            tx.exon_starts, tx.exon_ends, tx.score, tx.name2, tx.cds_start_stat,
                            tx.cds_end_stat, tx.exon_frames, attrs)
        elif not o.bare_transcripts:
            tx = None
        self.events.append(("tx", line, tx, text))


def _c_mod3(v: int) -> int:
    r = abs(v) % 3
    return -r if v < 0 else r


def _sort_blocks(blocks: list[Ann]) -> None:
    """Sort by (seqid, strand, start, end) like kent; by (start, end) when seqid and strand agree."""
    first = blocks[0]
    seqid, strand = first.seqid, first.strand
    for b in blocks:
        if b.seqid != seqid or b.strand != strand:
            blocks.sort(key=Ann.loc_key)
            return
    blocks.sort(key=_START_END)


def _owned_frames(starts: list[int], ends: list[int], cds: list[Ann], owners: list[int],
                  strand: str) -> tuple[list[int], list[int], list[int]]:
    """:func:`_add_frames` for exons apart from each other, each CDS block in exon ``owners[k]``."""
    n = len(starts)
    if len(set(owners)) == len(owners):  # one CDS block per exon at most: no splitting
        frames = [-1] * n
        for c, i in zip(cds, owners):
            frames[i] = _PHASE_TO_FRAME.get(c.phase, -1)
        return starts, ends, frames
    inside: list[list[Ann]] = [[] for _ in range(n)]
    for c, i in zip(cds, owners):
        inside[i].append(c)
    new_s: list[int] = []
    new_e: list[int] = []
    frames = []
    for i in range(n):
        es, ee = starts[i], ends[i]
        parts = inside[i]
        k = len(parts)
        if k <= 1:
            new_s.append(es)
            new_e.append(ee)
            frames.append(_PHASE_TO_FRAME.get(parts[0].phase, -1) if k else -1)
            continue
        for j, c in enumerate(parts):
            s = es if j == 0 else c.start
            e = ee if j == k - 1 else c.end
            frame = _PHASE_TO_FRAME.get(c.phase, -1)
            if j > 0 and s <= new_e[-1]:
                dist = new_e[-1] - s
                s += dist
                if strand == "+":
                    frame = _c_mod3(frame + dist)
            new_s.append(s)
            new_e.append(e)
            frames.append(frame)
    return new_s, new_e, frames


def _add_frames(starts: list[int], ends: list[int], frames: list[int], cds: list[Ann],
                strand: str) -> tuple[list[int], list[int], list[int]]:
    """kent's addExonFrames: frames from phases, splitting exons that hold several CDS blocks."""
    i = 0
    while i < len(starts):
        es, ee = starts[i], ends[i]
        inside = [c for c in cds if es <= c.start and c.end <= ee]
        if not inside:
            i += 1
            continue
        if len(inside) == 1:
            frames[i] = _PHASE_TO_FRAME.get(inside[0].phase, -1)
            i += 1
            continue
        k = len(inside)
        starts[i + 1:i + 1] = [0] * (k - 1)
        ends[i + 1:i + 1] = [0] * (k - 1)
        frames[i + 1:i + 1] = [0] * (k - 1)
        for j, c in enumerate(inside):
            idx = i + j
            starts[idx] = es if j == 0 else c.start
            ends[idx] = ee if j == k - 1 else c.end
            frame = _PHASE_TO_FRAME.get(c.phase, -1)
            if j > 0 and starts[idx] <= ends[idx - 1]:
                dist = ends[idx - 1] - starts[idx]
                starts[idx] += dist
                if strand == "+":
                    frame = _c_mod3(frame + dist)
            frames[idx] = frame
        i += k
    return starts, ends, frames


def convert_root(root: Ann, opts: ConvertOptions, processed: set[int]) -> RootResult:
    """Convert one root feature (gene or transcript); ``processed`` is shared within the locus."""
    res = RootResult()
    _Converter(opts, processed, res).root(root)
    return res
