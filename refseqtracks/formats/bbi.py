"""kent's bbi building blocks shared by bigBed (and bigWig) files: B+ trees, R-trees, zoom summaries.

All integers little-endian; coordinates 0-based half-open.

- ``bptFile`` (B+ tree, magic ``0x78CA8C91``): 32-byte header (blockSize, keySize, valSize,
  itemCount), then nodes of ``isLeaf, reserved, count`` followed by ``count`` entries: leaves
  hold ``key[keySize] value[valSize]``, inner nodes ``key[keySize] childOffset(u64)``.  Keys are
  NUL-padded and sorted bytewise; every node is padded to ``blockSize`` entries; the root comes
  first, leaves last (kent's bptFileBulkIndexToOpenFile layout).
- ``cirTree`` (R-tree, magic ``0x2468ACE0``): 48-byte header (blockSize, itemCount, overall
  bounds, end of data, itemsPerSlot), then nodes whose entries are ``startChromIx startBase
  endChromIx endBase`` plus ``dataOffset dataSize`` (leaves) or ``childOffset`` (inner nodes).
- zoom summaries: coverage depth per bin, ``chromId start end validCount min max sum sumSquares``
  (32 bytes on disk as u32 x4 + float x4).  The first two levels are built from the coverage
  like kent's bbiAddRangeToSummary, later ones reduce the previous level like
  bbiSummarySimpleReduce; levels stop, as in bbiWriteZoomLevels, when a coarser level would not
  have fewer summaries.
"""
from __future__ import annotations

import struct

__all__ = ["BPT_MAGIC", "CIRTREE_MAGIC", "MAX_ZOOM_LEVELS", "ZOOM_INCREMENT", "MIN_ZOOM",
           "bpt_bytes", "rtree_bytes", "coverage", "summarize", "reduce_summaries", "zoom_plan"]

BPT_MAGIC = 0x78CA8C91
CIRTREE_MAGIC = 0x2468ACE0
MAX_ZOOM_LEVELS = 10
ZOOM_INCREMENT = 4
MIN_ZOOM = 10


def _levels(n: int, bs: int) -> int:
    levels = 1
    while n > bs:
        n = (n + bs - 1) // bs
        levels += 1
    return levels


def _node_layout(n: int, bs: int, levels: int, pos: int, inner_bytes: int,
                 leaf_bytes: int) -> tuple[list[int], dict[int, int]]:
    """Node count per level (0 = leaves) and each level's file offset, root level first."""
    counts = [(n + bs ** (lev + 1) - 1) // bs ** (lev + 1) for lev in range(levels)]
    starts: dict[int, int] = {}
    for lev in range(levels - 1, -1, -1):
        starts[lev] = pos
        pos += counts[lev] * (leaf_bytes if lev == 0 else inner_bytes)
    return counts, starts


def bpt_bytes(items: list[tuple[bytes, bytes]], block_size: int, key_size: int, val_size: int,
               offset: int) -> bytes:
    """A kent bptFile (B+ tree) for sorted (key, value) items, to be placed at ``offset``."""
    n = len(items)
    bs = max(1, min(block_size, n))
    key_size = max(1, key_size)
    out = bytearray(struct.pack("<IIIIQQ", BPT_MAGIC, bs, key_size, val_size, n, 0))
    if n == 0:
        out += struct.pack("<BBH", 1, 0, 0)
        return bytes(out)
    levels = _levels(n, bs)
    inner_bytes = 4 + bs * (key_size + 8)
    leaf_bytes = 4 + bs * (key_size + val_size)

    def pad(key: bytes) -> bytes:
        return key + b"\0" * (key_size - len(key))

    counts, starts = _node_layout(n, bs, levels, offset + len(out), inner_bytes, leaf_bytes)
    for lev in range(levels - 1, 0, -1):
        slot = bs ** lev
        child_bytes = leaf_bytes if lev == 1 else inner_bytes
        for node in range(counts[lev]):
            first = node * slot * bs
            m = min(bs, (n - first + slot - 1) // slot)
            buf = bytearray(struct.pack("<BBH", 0, 0, m))
            for j in range(m):
                child = node * bs + j
                buf += pad(items[(first + j * slot)][0])
                buf += struct.pack("<Q", starts[lev - 1] + child * child_bytes)
            buf += b"\0" * (inner_bytes - len(buf))
            out += buf
    for node in range(counts[0]):
        chunk = items[node * bs:(node + 1) * bs]
        buf = bytearray(struct.pack("<BBH", 1, 0, len(chunk)))
        for key, val in chunk:
            buf += pad(key)
            buf += val
        buf += b"\0" * (leaf_bytes - len(buf))
        out += buf
    return bytes(out)


def _merge(bounds: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    s = min((b[0], b[1]) for b in bounds)
    e = max((b[2], b[3]) for b in bounds)
    return (s[0], s[1], e[0], e[1])


def rtree_bytes(leaves: list[tuple[int, int, int, int, int, int]], block_size: int,
                 end_file_offset: int, offset: int) -> bytes:
    """A kent cirTree over (startChrom, start, endChrom, end, dataOffset, dataSize) blocks."""
    n = len(leaves)
    bs = max(1, min(block_size, n)) if n else 1
    if n:
        total = _merge([lf[:4] for lf in leaves])
    else:
        total = (0, 0, 0, 0)
    out = bytearray(struct.pack("<IIQIIIIQII", CIRTREE_MAGIC, bs, n, *total, end_file_offset, 1, 0))
    if n == 0:
        out += struct.pack("<BBH", 1, 0, 0) + b"\0" * (bs * 32)
        return bytes(out)
    levels = _levels(n, bs)
    inner_bytes = 4 + bs * 24
    leaf_bytes = 4 + bs * 32
    counts, starts = _node_layout(n, bs, levels, offset + len(out), inner_bytes, leaf_bytes)
    for lev in range(levels - 1, 0, -1):
        slot = bs ** lev
        child_bytes = leaf_bytes if lev == 1 else inner_bytes
        for node in range(counts[lev]):
            first = node * slot * bs
            m = min(bs, (n - first + slot - 1) // slot)
            buf = bytearray(struct.pack("<BBH", 0, 0, m))
            for j in range(m):
                lo = first + j * slot
                b = _merge([lf[:4] for lf in leaves[lo:lo + slot]])
                buf += struct.pack("<IIIIQ", *b, starts[lev - 1] + (node * bs + j) * child_bytes)
            buf += b"\0" * (inner_bytes - len(buf))
            out += buf
    for node in range(counts[0]):
        chunk = leaves[node * bs:(node + 1) * bs]
        buf = bytearray(struct.pack("<BBH", 1, 0, len(chunk)))
        for lf in chunk:
            buf += struct.pack("<IIIIQQ", *lf)
        buf += b"\0" * (leaf_bytes - len(buf))
        out += buf
    return bytes(out)


def coverage(items: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, int]]:
    """Coverage-depth ranges (chromId, start, end, depth > 0), in chromosome and position order."""
    out: list[tuple[int, int, int, int]] = []
    i, n = 0, len(items)
    while i < n:
        cid = items[i][0]
        events: dict[int, int] = {}
        while i < n and items[i][0] == cid:
            _, s, e, _ = items[i]
            if s < e:
                events[s] = events.get(s, 0) + 1
                events[e] = events.get(e, 0) - 1
            i += 1
        depth = 0
        prev = None
        for pos in sorted(events):
            if depth > 0 and prev is not None and pos > prev:
                out.append((cid, prev, pos, depth))
            depth += events[pos]
            prev = pos
    return out


def summarize(ranges, reduction: int, sizes: list[int]) -> list[list]:
    """kent's bbiAddRangeToSummary over coverage ranges: [chromId, start, end, n, min, max, sum, sumSq]."""
    out: list[list] = []
    append = out.append
    cur = None
    cur_cid = -1
    cur_end = -1
    for cid, s, e, val in ranges:
        while s < e:
            if cid != cur_cid or s >= cur_end:
                if cur is not None:
                    append(cur)
                cur_end = s + reduction
                if cur_end > sizes[cid]:
                    cur_end = sizes[cid]
                cur = [cid, s, cur_end, 0, val, val, 0.0, 0.0]
                cur_cid = cid
            ov_end = e if e < cur_end else cur_end
            ov = ov_end - s
            cur[3] += ov
            if val < cur[4]:
                cur[4] = val
            elif val > cur[5]:
                cur[5] = val
            cur[6] += val * ov
            cur[7] += val * val * ov
            s = ov_end
    if cur is not None:
        append(cur)
    return out


def reduce_summaries(summaries: list[list], reduction: int) -> list[list]:
    """kent's simple reduce: merge neighbours of one chromosome within ``reduction`` bases."""
    out: list[list] = []
    cur = None
    for sm in summaries:
        if cur is not None and sm[0] == cur[0] and sm[2] <= cur[1] + reduction:
            cur[2] = sm[2]
            cur[3] += sm[3]
            cur[4] = min(cur[4], sm[4])
            cur[5] = max(cur[5], sm[5])
            cur[6] += sm[6]
            cur[7] += sm[7]
        else:
            if cur is not None:
                out.append(cur)
            cur = list(sm)
    if cur is not None:
        out.append(cur)
    return out


def zoom_plan(items, sizes: list[int], data_size: int, compress: bool) -> list[tuple[int, list]]:
    """The zoom levels as (reduction, summaries), following kent's choice of reductions."""
    if not items:
        return []
    total = sum(e - s for _, s, e, _ in items)
    res = max(total // len(items), MIN_ZOOM)
    ranges = coverage(items)
    summaries = None
    reduction = res
    for _ in range(MAX_ZOOM_LEVELS):
        summaries = summarize(ranges, reduction, sizes)
        est = len(summaries) * 32 // (2 if compress else 1)
        if est <= data_size // 2:
            break
        reduction *= ZOOM_INCREMENT
    else:
        reduction = res
        summaries = summarize(ranges, reduction, sizes)
    levels = [(reduction, summaries)]
    # like kent, the second level is summarised from the data, later ones reduce the previous
    reduction *= ZOOM_INCREMENT
    nxt = summarize(ranges, reduction, sizes)
    while len(levels) < MAX_ZOOM_LEVELS and len(nxt) < len(levels[-1][1]):
        levels.append((reduction, nxt))
        reduction *= ZOOM_INCREMENT
        nxt = reduce_summaries(nxt, reduction)
    return levels
