"""A small bigBed reader: header, chromosomes, items, autoSql, zoom summaries, extra indexes.

It reads the structures :mod:`refseqtracks.formats.bigbed` writes (and kent's bigBed files):
the chromosome B+ tree, the data R-tree, zlib blocks of ``chromId start end rest\\0`` items,
zoom levels of 32-byte summaries, and the one-field ``-extraIndex`` B+ trees that
``bigBedNamedItems`` searches.  Coordinates are 0-based half-open.  Whole files are read into
memory; this is meant for checking and small lookups, not for remote access.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from refseqtracks.errors import RefseqtracksError

__all__ = ["BigBedFile", "BigBedItem", "ZoomSummary"]

BIGBED_MAGIC = 0x8789F2EB


@dataclass(frozen=True)
class BigBedItem:
    chrom: str
    start: int
    end: int
    rest: str


@dataclass(frozen=True)
class ZoomSummary:
    chrom: str
    start: int
    end: int
    valid_count: int
    min_val: float
    max_val: float
    sum_data: float
    sum_squares: float


class BigBedFile:
    """An in-memory view of a bigBed file."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = f.read()
        buf = self.buf
        if len(buf) < 64 or struct.unpack_from("<I", buf)[0] != BIGBED_MAGIC:
            raise RefseqtracksError(f"{path}: not a little-endian bigBed file")
        (_, self.version, self.zoom_count, self.chrom_tree_offset, self.data_offset,
         self.index_offset, self.field_count, self.defined_field_count, self.as_offset,
         self.summary_offset, self.uncompress_buf_size, self.ext_offset) = struct.unpack_from(
            "<IHHQQQHHQQIQ", buf, 0)
        if struct.unpack_from("<I", buf, len(buf) - 4)[0] != BIGBED_MAGIC:
            raise RefseqtracksError(f"{path}: bigBed file does not end with the magic number")
        self.zooms = [struct.unpack_from("<IIQQ", buf, 64 + 24 * i) for i in range(self.zoom_count)]
        self.chroms: dict[str, tuple[int, int]] = {}
        for key, val in self._bpt_items(self.chrom_tree_offset):
            cid, size = struct.unpack("<II", val)
            self.chroms[key.rstrip(b"\0").decode("utf-8", "surrogateescape")] = (cid, size)
        self.chrom_names = {cid: name for name, (cid, _) in self.chroms.items()}

    # ------------------------------------------------------------------ structures
    def _bpt_items(self, offset: int) -> list[tuple[bytes, bytes]]:
        magic, _, key_size, val_size, _, _ = struct.unpack_from("<IIIIQQ", self.buf, offset)
        if magic != 0x78CA8C91:
            raise RefseqtracksError("bad B+ tree magic number")
        out: list[tuple[bytes, bytes]] = []

        def node(off: int) -> None:
            leaf, _, count = struct.unpack_from("<BBH", self.buf, off)
            off += 4
            for _ in range(count):
                key = self.buf[off:off + key_size]
                if leaf:
                    out.append((key, self.buf[off + key_size:off + key_size + val_size]))
                    off += key_size + val_size
                else:
                    node(struct.unpack_from("<Q", self.buf, off + key_size)[0])
                    off += key_size + 8

        node(offset + 32)
        return out

    def _rtree_blocks(self, offset: int, cid: int | None = None, start: int = 0,
                      end: int = 1 << 32) -> list[tuple[int, int]]:
        if struct.unpack_from("<I", self.buf, offset)[0] != 0x2468ACE0:
            raise RefseqtracksError("bad R-tree magic number")
        out: list[tuple[int, int]] = []

        def overlaps(sc, sb, ec, eb) -> bool:
            if cid is None:
                return True
            return (sc, sb) < (cid, end) and (ec, eb) > (cid, start)

        def node(off: int) -> None:
            leaf, _, count = struct.unpack_from("<BBH", self.buf, off)
            off += 4
            for _ in range(count):
                sc, sb, ec, eb = struct.unpack_from("<IIII", self.buf, off)
                if leaf:
                    if overlaps(sc, sb, ec, eb):
                        out.append(struct.unpack_from("<QQ", self.buf, off + 16))
                    off += 32
                else:
                    if overlaps(sc, sb, ec, eb):
                        node(struct.unpack_from("<Q", self.buf, off + 16)[0])
                    off += 24

        node(offset + 48)
        return out

    def _block(self, off: int, size: int) -> bytes:
        raw = self.buf[off:off + size]
        return zlib.decompress(raw) if self.uncompress_buf_size else raw

    def _block_items(self, off: int, size: int) -> list[BigBedItem]:
        blk = self._block(off, size)
        items = []
        p = 0
        while p < len(blk):
            cid, s, e = struct.unpack_from("<III", blk, p)
            z = blk.index(b"\0", p + 12)
            items.append(BigBedItem(self.chrom_names[cid], s, e,
                                    blk[p + 12:z].decode("utf-8", "surrogateescape")))
            p = z + 1
        return items

    # ------------------------------------------------------------------ public
    @property
    def autosql(self) -> str:
        if not self.as_offset:
            return ""
        end = self.buf.index(b"\0", self.as_offset)
        return self.buf[self.as_offset:end].decode("utf-8", "surrogateescape")

    @property
    def item_count(self) -> int:
        return struct.unpack_from("<Q", self.buf, self.data_offset)[0]

    def total_summary(self) -> tuple[int, float, float, float, float]:
        return struct.unpack_from("<Qdddd", self.buf, self.summary_offset)

    def items(self, chrom: str | None = None, start: int = 0, end: int = 1 << 32) -> list[BigBedItem]:
        """Items in file order, all or those overlapping chrom:start-end."""
        cid = None
        if chrom is not None:
            if chrom not in self.chroms:
                return []
            cid = self.chroms[chrom][0]
        out = []
        for off, size in self._rtree_blocks(self.index_offset, cid, start, end):
            for it in self._block_items(off, size):
                if chrom is None or (it.chrom == chrom and it.start < end and it.end > start):
                    out.append(it)
        return out

    def zoom_summaries(self, level: int) -> list[ZoomSummary]:
        """All summaries of zoom level ``level`` (0 = finest)."""
        _, _, data_off, index_off = self.zooms[level]
        out = []
        for off, size in self._rtree_blocks(index_off):
            blk = self._block(off, size)
            for p in range(0, len(blk), 32):
                cid, s, e, n, lo, hi, sm, sq = struct.unpack_from("<IIIIffff", blk, p)
                out.append(ZoomSummary(self.chrom_names[cid], s, e, n, lo, hi, sm, sq))
        return out

    def extra_indexes(self) -> dict[int, int]:
        """Field number → B+ tree offset of each ``-extraIndex``."""
        if not self.ext_offset:
            return {}
        _, count, list_off = struct.unpack_from("<HHQ", self.buf, self.ext_offset)
        out = {}
        for i in range(count):
            _, nfields, off = struct.unpack_from("<HHQ", self.buf, list_off + 20 * i)
            field = struct.unpack_from("<H", self.buf, list_off + 20 * i + 16)[0]
            if nfields == 1:
                out[field] = off
        return out

    def find(self, field: int, key: str) -> list[BigBedItem]:
        """kent bigBedNamedItems: items whose column ``field`` equals ``key``, via its index."""
        offset = self.extra_indexes().get(field)
        if offset is None:
            raise RefseqtracksError(f"no extra index on field {field}")
        want = key.encode("utf-8", "surrogateescape")
        found = []
        seen = set()
        for k, val in self._find_bpt(offset, want):
            block = struct.unpack("<QQ", val)
            if block in seen:
                continue
            seen.add(block)
            for it in self._block_items(*block):
                cols = [it.chrom, str(it.start), str(it.end)] + it.rest.split("\t")
                if field < len(cols) and cols[field] == key:
                    found.append(it)
        return found

    def _find_bpt(self, offset: int, want: bytes) -> list[tuple[bytes, bytes]]:
        _, _, key_size, val_size, _, _ = struct.unpack_from("<IIIIQQ", self.buf, offset)
        if len(want) > key_size:
            return []
        padded = want + b"\0" * (key_size - len(want))
        out: list[tuple[bytes, bytes]] = []

        def node(off: int) -> None:
            leaf, _, count = struct.unpack_from("<BBH", self.buf, off)
            off += 4
            if leaf:
                for _ in range(count):
                    if self.buf[off:off + key_size] == padded:
                        out.append((padded, self.buf[off + key_size:off + key_size + val_size]))
                    off += key_size + val_size
                return
            keys = [(self.buf[off + i * (key_size + 8):off + i * (key_size + 8) + key_size],
                     struct.unpack_from("<Q", self.buf, off + i * (key_size + 8) + key_size)[0])
                    for i in range(count)]
            # descend into every child whose key range may hold the key (duplicates span nodes)
            for i, (k, child) in enumerate(keys):
                nxt = keys[i + 1][0] if i + 1 < count else None
                if k <= padded and (nxt is None or nxt >= padded):
                    node(child)

        node(offset + 32)
        return out
