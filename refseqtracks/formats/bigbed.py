"""bigBed writer (kent ``bedToBigBed``, bigBed version 4), hand-written.

Why hand-written: pyBigWig reads bigBed but cannot write it, and pybigtools 0.3.0 writes bigBed
without a custom autoSql and without ``-extraIndex`` B+ trees, both of which bigGenePred hubs need
(the browser finds the column names and the ``searchIndex name`` in them).

File layout written (all integers little-endian, coordinates 0-based half-open):

1. header (64 bytes): magic ``0x8789F2EB``, version 4, zoom level count, offsets of the
   chromosome B+ tree, data, R-tree index, autoSql, total summary and extension header,
   fieldCount/definedFieldCount, uncompressBufSize (largest uncompressed block);
2. 10 zoom headers (24 bytes each; unused ones stay zero): reduction, data and index offsets;
3. the autoSql text, verbatim from ``-as``, NUL-terminated;
4. total summary (validCount, min, max, sum, sum of squares of the coverage depth);
5. extension header (64 bytes) and the extra-index list (20 bytes per one-field index);
6. chromosome B+ tree (key = name padded with NULs, value = chromId, size; ids in input order);
7. data: item count (u64), then blocks of up to ``itemsPerSlot`` items of one chromosome, each
   item ``chromId start end rest\\0`` (``rest`` = the columns after the third, tab-joined),
   zlib-compressed unless ``-unc``;
8. R-tree (cirTree) over the data blocks, ``blockSize`` children per node, one block per slot;
9. zoom levels: count (u32), compressed blocks of 32-byte summaries, and an R-tree each; the
   first reduction follows kent (average item size, at least 10, times 4 until the summaries are
   small enough), further levels reduce 4-fold while that still shrinks the level;
10. one B+ tree per ``-extraIndex`` field (key = field value, value = data block offset, size);
11. the magic again.

Input checks follow kent's bedToBigBed, each reported as ``path:line: message``: chromosomes must
be in the chrom sizes; lines grouped by chromosome and sorted by start ("... is not sorted");
"End coordinate N bigger than CHROM size of N"; the field count of ``-type=bedN+P`` / the
autoSql; the BED rules of :mod:`refseqtracks.formats.bed` and the autoSql types of the extra
columns.  Nothing is written unless every line passes.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import Iterable

from refseqtracks.errors import ParseError, RefseqtracksError
from refseqtracks.fileio import Source, atomic_output, input_name, open_input
from refseqtracks.formats.autosql import AsTable, make_row_checker
from refseqtracks.formats.bbi import bpt_bytes, rtree_bytes, zoom_plan
from refseqtracks.formats.bed import parse_bed_line
from refseqtracks.sizes import read_chrom_sizes  # re-exported: bedToBigBed reads chrom.sizes

__all__ = [
    "BIGBED_MAGIC", "BigBedItems", "read_chrom_sizes",
    "load_bed_for_bigbed", "write_bigbed", "bed_to_bigbed",
]

BIGBED_MAGIC = 0x8789F2EB
MAX_ZOOM_LEVELS = 10
HEADER_SIZE = 64
ZOOM_HEADER_SIZE = 24
SUMMARY_SIZE = 40
EXT_HEADER_SIZE = 64


@dataclass
class BigBedItems:
    """Checked input: chromosomes in input order and items as (chromId, start, end, rest)."""

    chroms: list[tuple[str, int]] = field(default_factory=list)
    items: list[tuple[int, int, int, str]] = field(default_factory=list)
    keys: list[list[bytes]] = field(default_factory=list)
    field_count: int = 3
    bed_n: int | None = None


def load_bed_for_bigbed(src: Source, chrom_sizes: dict[str, int], *, bed_n: int | None,
                        field_count: int | None, table: AsTable | None = None, tab: bool = False,
                        extra_index: Iterable[int] = (), allow_more: bool = False,
                        allow_1bp_overlap: bool = False) -> BigBedItems:
    """Read and check a bedN+P file the way bedToBigBed does.

    ``bed_n`` is the number of standard BED columns (``None``: the first line's, at most 12);
    ``field_count`` is the exact number of columns (``None``: taken from the first line);
    ``allow_more`` accepts more (``-type=bedN+``); ``extra_index`` lists column numbers whose
    values are collected for extra indexes.
    """
    name = input_name(src)
    res = BigBedItems()
    index_cols = list(extra_index)
    res.keys = [[] for _ in index_cols]
    chrom_ids: dict[str, int] = {}
    cur_chrom = None
    cur_id = -1
    cur_size = 0
    last_start = -1
    items = res.items
    std_n = min(bed_n, 12) if bed_n is not None else None
    check = make_row_checker(table, first=std_n or 3) if table is not None else None
    slack = 1 if allow_1bp_overlap else 0
    with open_input(src) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            head = line.lstrip()[:1]
            if not head or head == "#":  # kent's lineFileNextReal: blank and comment lines
                continue
            cols = line.split("\t") if tab else line.split()
            n = len(cols)
            if field_count is None:
                field_count = n
            if std_n is None:
                std_n = min(n, 12)
                res.bed_n = std_n
            if n != field_count and not (allow_more and n > field_count):
                raise ParseError(name, lineno, f"expecting {field_count} words, got {n}")
            if n < 3:
                raise ParseError(name, lineno, f"expecting at least 3 words, got {n}")
            chrom = cols[0]
            try:
                start, end = int(cols[1]), int(cols[2])
            except ValueError:
                raise ParseError(name, lineno, "chromStart and chromEnd must be integers") from None
            if chrom != cur_chrom:
                if chrom in chrom_ids:
                    raise ParseError(name, lineno, f"{name} is not sorted at line {lineno}.  Please "
                                     "use \"sort -k1,1 -k2,2n\" or bedSort and try again.")
                size = chrom_sizes.get(chrom)
                if size is None:
                    raise ParseError(name, lineno, f"{chrom} is not found in chromosome sizes file")
                cur_chrom, cur_size, cur_id = chrom, size, len(res.chroms)
                chrom_ids[chrom] = cur_id
                res.chroms.append((chrom, size))
                last_start = -1
            if start < last_start:
                raise ParseError(name, lineno, f"{name} is not sorted at line {lineno}.  Please "
                                 "use \"sort -k1,1 -k2,2n\" or bedSort and try again.")
            last_start = start
            if end > cur_size:
                raise ParseError(name, lineno, f"End coordinate {end} bigger than {chrom} size of "
                                 f"{cur_size} line {lineno} of {name}")
            if start < 0:
                raise ParseError(name, lineno, f"negative chromStart {start}")
            if end > 0xFFFFFFFF:
                raise ParseError(name, lineno, f"chromEnd {end} does not fit in 32 bits")
            if (std_n > 3 or start > end) and not _bed_fields_ok(cols, std_n, slack):
                parse_bed_line(line, path=name, lineno=lineno, bed_n=std_n, tab=tab,
                               allow_1bp_overlap=allow_1bp_overlap)
            if check is not None:
                check(cols, name, lineno)
            items.append((cur_id, start, end, "\t".join(cols[3:])))
            for k, col in zip(res.keys, index_cols):
                k.append(cols[col].encode("utf-8", "surrogateescape") if col < n else b"")
    res.field_count = field_count or 3
    return res


def _bed_fields_ok(cols: list[str], n: int, slack: int = 0) -> bool:
    """A quick pass of the BED rules; False sends the line to the full parser for the message."""
    try:
        start, end = int(cols[1]), int(cols[2])
        if start < 0 or start > end:
            return False
        if n > 4:
            int(cols[4])
        if n > 5 and cols[5] not in ("+", "-", "."):
            return False
        if n > 7:
            ts, te = int(cols[6]), int(cols[7])
            if ts < 0 or ts > te:
                return False
        if n > 8 and cols[8] != "0":
            return False
        if n == 12:
            count = int(cols[9])
            sizes = cols[10].split(",")
            rel = cols[11].split(",")
            if sizes[-1] == "":
                sizes.pop()
            if rel[-1] == "":
                rel.pop()
            if count < 1 or len(sizes) != count or len(rel) != count:
                return False
            prev = 0
            for z, r in zip(sizes, rel):
                z, r = int(z), int(r)
                if z <= 0 or r < prev - slack or r < 0:
                    return False
                prev = r + z
            if int(rel[0]) != 0 or start + prev != end:
                return False
        elif n in (10, 11):
            return False
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- the file
def _chunks(chrom_ids: list[int], limit: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges of at most ``limit`` consecutive entries of one chromosome."""
    out = []
    lo, n = 0, len(chrom_ids)
    while lo < n:
        cid = chrom_ids[lo]
        hi = lo + 1
        while hi < n and hi - lo < limit and chrom_ids[hi] == cid:
            hi += 1
        out.append((lo, hi))
        lo = hi
    return out


def _compress(data: bytes, compress: bool) -> bytes:
    return zlib.compress(data, 6) if compress else data


def write_bigbed(loaded: BigBedItems, dest, *, as_text: str, defined_field_count: int,
                 extra_index: Iterable[int] = (), block_size: int = 256,
                 items_per_slot: int = 512, compress: bool = True) -> None:
    """Write a bigBed file atomically from checked items (see :func:`load_bed_for_bigbed`)."""
    if not 2 <= block_size <= 0xFFFF:
        raise RefseqtracksError("blockSize must be between 2 and 65535")
    if items_per_slot < 1:
        raise RefseqtracksError("itemsPerSlot must be at least 1")
    index_cols = list(extra_index)
    items = loaded.items
    sizes = [sz for _, sz in loaded.chroms]
    buf = bytearray(HEADER_SIZE + MAX_ZOOM_LEVELS * ZOOM_HEADER_SIZE)
    as_offset = len(buf)
    buf += as_text.encode("utf-8", "surrogateescape") + b"\0"
    summary_offset = len(buf)
    buf += b"\0" * SUMMARY_SIZE
    ext_offset = len(buf)
    buf += b"\0" * EXT_HEADER_SIZE
    index_list_offset = len(buf)
    buf += b"\0" * (20 * len(index_cols))
    struct.pack_into("<HHQ", buf, ext_offset, EXT_HEADER_SIZE, len(index_cols),
                     index_list_offset if index_cols else 0)

    # chromosome B+ tree, keys sorted by name, ids in input order
    chrom_tree_offset = len(buf)
    named = sorted((c.encode("utf-8", "surrogateescape"), struct.pack("<II", i, sz))
                   for i, (c, sz) in enumerate(loaded.chroms))
    key_size = max((len(k) for k, _ in named), default=1)
    buf += bpt_bytes(named, block_size, key_size, 8, chrom_tree_offset)

    # data blocks
    data_offset = len(buf)
    buf += struct.pack("<Q", len(items))
    leaves = []
    block_of_item: list[int] = []
    max_unc = 0
    pack = struct.Struct("<III").pack
    for lo, hi in _chunks([it[0] for it in items], items_per_slot):
        parts = []
        for cid, s, e, rest in items[lo:hi]:
            parts.append(pack(cid, s, e))
            parts.append(rest.encode("utf-8", "surrogateescape") + b"\0")
        raw = b"".join(parts)
        max_unc = max(max_unc, len(raw))
        blob = _compress(raw, compress)
        cid = items[lo][0]
        max_end = max(it[2] for it in items[lo:hi])
        leaves.append((cid, items[lo][1], cid, max_end, len(buf), len(blob)))
        block_of_item.extend([len(leaves) - 1] * (hi - lo))
        buf += blob
    index_offset = len(buf)
    buf += rtree_bytes(leaves, block_size, index_offset, index_offset)

    # zoom levels
    levels = zoom_plan(items, sizes, index_offset - data_offset, compress)
    zoom_pack = struct.Struct("<IIIIffff").pack
    for lev_ix, (reduction, summaries) in enumerate(levels):
        zoom_data = len(buf)
        buf += struct.pack("<I", len(summaries))
        zleaves = []
        for lo, hi in _chunks([sm[0] for sm in summaries], items_per_slot):
            chunk = summaries[lo:hi]
            raw = b"".join([zoom_pack(*sm) for sm in chunk])
            max_unc = max(max_unc, len(raw))
            blob = _compress(raw, compress)
            cid = chunk[0][0]
            zleaves.append((cid, chunk[0][1], cid, max(sm[2] for sm in chunk), len(buf), len(blob)))
            buf += blob
        zoom_index = len(buf)
        buf += rtree_bytes(zleaves, block_size, zoom_index, zoom_index)
        struct.pack_into("<IIQQ", buf, HEADER_SIZE + lev_ix * ZOOM_HEADER_SIZE, reduction, 0,
                         zoom_data, zoom_index)

    # total summary (from the first zoom level, as kent does)
    if levels:
        first = levels[0][1]
        struct.pack_into("<Qdddd", buf, summary_offset, sum(s[3] for s in first),
                         float(min(s[4] for s in first)), float(max(s[5] for s in first)),
                         float(sum(s[6] for s in first)), float(sum(s[7] for s in first)))

    # extra indexes
    for k, col in enumerate(index_cols):
        keys = loaded.keys[k]
        pairs = sorted(((keys[x], x) for x in range(len(keys))))
        entries = [(key, struct.pack("<QQ", leaves[block_of_item[x]][4], leaves[block_of_item[x]][5]))
                   for key, x in pairs]
        ksize = max((len(key) for key, _ in entries), default=1)
        tree_offset = len(buf)
        buf += bpt_bytes(entries, block_size, ksize, 16, tree_offset)
        struct.pack_into("<HHQIHH", buf, index_list_offset + 20 * k, 0, 1, tree_offset, 0, col, 0)

    buf += struct.pack("<I", BIGBED_MAGIC)
    struct.pack_into("<IHHQQQHHQQIQ", buf, 0, BIGBED_MAGIC, 4, len(levels), chrom_tree_offset,
                     data_offset, index_offset, loaded.field_count, defined_field_count, as_offset,
                     summary_offset, max(max_unc, items_per_slot * 32) if compress else 0,
                     ext_offset)
    with atomic_output(dest, binary=True) as out:
        out.write(buf)


def bed_to_bigbed(bed: Source, chrom_sizes: dict[str, int], dest, *, as_text: str | None = None,
                  table: AsTable | None = None, bed_n: int | None = None,
                  field_count: int | None = None,
                  tab: bool = False, extra_index: Iterable[str] = (), block_size: int = 256,
                  items_per_slot: int = 512, compress: bool = True, allow_more: bool = False,
                  allow_1bp_overlap: bool = False) -> int:
    """kent bedToBigBed: check ``bed`` and write ``dest``; returns the number of items.

    ``table`` (the parsed ``as_text``) checks the extra columns and names the ``extra_index``
    fields; without it the standard BED names and ``field13``... are used, and ``as_text``
    defaults to a generated bed autoSql.
    """
    from refseqtracks.formats.autosql import bed_as_text
    from refseqtracks.formats.bed import FIELDS
    names = list(table.field_names) if table is not None else None
    if names is None:
        n = max(field_count or 0, 12)
        names = list(FIELDS) + [f"field{i + 1}" for i in range(12, n)]
    cols = []
    for fname in extra_index:
        if fname not in names:
            raise RefseqtracksError(f"extraIndex field {fname} is not in the autoSql definition")
        cols.append(names.index(fname))
    loaded = load_bed_for_bigbed(bed, chrom_sizes, bed_n=bed_n, field_count=field_count,
                                 table=table, tab=tab, extra_index=cols, allow_more=allow_more,
                                 allow_1bp_overlap=allow_1bp_overlap)
    if bed_n is None:
        bed_n = loaded.bed_n or 3
    if as_text is None:
        as_text = bed_as_text(min(bed_n, loaded.field_count), loaded.field_count)
    write_bigbed(loaded, dest, as_text=as_text, defined_field_count=min(bed_n, loaded.field_count),
                 extra_index=cols, block_size=block_size, items_per_slot=items_per_slot,
                 compress=compress)
    return len(loaded.items)
