"""bigBed writer: decoded with pyBigWig and with our own reader (extra index, zoom levels)."""
from __future__ import annotations

import random
import struct

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import FIXTURES
from refseqtracks.errors import ParseError, RefseqtracksError
from refseqtracks.formats.autosql import parse_autosql
from refseqtracks.formats.bbi import coverage
from refseqtracks.formats.bigbed import bed_to_bigbed, read_chrom_sizes
from refseqtracks.formats.bigbed_reader import BigBedFile
from refseqtracks.formats.biggenepred import big_genepred_as_text, to_big_genepred
from refseqtracks.formats.genepred import read_genepred

pyBigWig = pytest.importorskip("pyBigWig")

SMALL_GP = FIXTURES / "bed" / "small.gp"
SIZES = FIXTURES / "bed" / "small.chrom.sizes"
AS_TEXT = big_genepred_as_text()
TABLE = parse_autosql(AS_TEXT)


def _bgp(tmp_path):
    lines = sorted((to_big_genepred(tx) for tx in read_genepred(SMALL_GP)),
                   key=lambda s: (s.split("\t")[0], int(s.split("\t")[1])))
    p = tmp_path / "in.bgp"
    p.write_text("".join(lines))
    return p, lines


def _write(tmp_path, bed, sizes=None, **kw):
    out = tmp_path / "out.bb"
    opts = dict(as_text=AS_TEXT, table=TABLE, bed_n=12, field_count=20, tab=True,
                extra_index=["name"])
    opts.update(kw)
    bed_to_bigbed(bed, sizes or read_chrom_sizes(SIZES), out, **opts)
    return out


def _pybigwig_items(path):
    bb = pyBigWig.open(str(path))
    try:
        out = []
        for chrom, size in bb.chroms().items():
            for s, e, rest in bb.entries(chrom, 0, size) or []:
                out.append("\t".join([chrom, str(s), str(e), rest]) + "\n")
        return out, bb.SQL(), bb.header()
    finally:
        bb.close()


def test_big_genepred_round_trip_pybigwig(tmp_path):
    bed, lines = _bgp(tmp_path)
    out = _write(tmp_path, bed)
    items, sql, header = _pybigwig_items(out)
    assert items == lines
    sql = sql.encode() if isinstance(sql, str) else sql
    assert sql.rstrip(b"\0") == AS_TEXT.encode()
    assert header["version"] == 4 and header["nLevels"] >= 1


def test_header_fields_and_own_reader(tmp_path):
    bed, lines = _bgp(tmp_path)
    bb = BigBedFile(_write(tmp_path, bed))
    assert (bb.field_count, bb.defined_field_count) == (20, 12)
    assert bb.item_count == 4
    assert bb.autosql == AS_TEXT
    assert {n: s for n, (_, s) in bb.chroms.items()} == {"chr1": 5000, "chr2": 1000}
    got = [f"{i.chrom}\t{i.start}\t{i.end}\t{i.rest}\n" for i in bb.items()]
    assert got == lines
    assert [i.rest.split("\t")[0] for i in bb.items("chr1", 1100, 1200)] == ["XM_000003.2"]
    assert len(bb.items("chr1", 650, 700)) == 3 and bb.items("chr3") == []


def test_extra_index_finds_each_name(tmp_path):
    bed, _ = _bgp(tmp_path)
    bb = BigBedFile(_write(tmp_path, bed))
    assert list(bb.extra_indexes()) == [3]
    for name in ("NM_000001.1", "NR_000002.1", "XM_000003.2", "NM_000004.3"):
        found = bb.find(3, name)
        assert [f.rest.split("\t")[0] for f in found] == [name]
    assert bb.find(3, "NM_999") == []


def _many(tmp_path, n_chroms=40, per_chrom=60, seed=7):
    rng = random.Random(seed)
    sizes = {}
    lines = []
    names = []
    for c in range(n_chroms):
        chrom = f"NC_{c:06d}.1"
        sizes[chrom] = 10_000_000
        pos = 0
        for k in range(per_chrom):
            pos += rng.randint(0, 3000)
            length = rng.randint(1, 5000)
            name = f"NM_{rng.randint(0, 400):06d}.1"  # duplicates across the file on purpose
            names.append(name)
            lines.append(f"{chrom}\t{pos}\t{pos + length}\t{name}\t0\t+\n")
    p = tmp_path / "many.bed"
    p.write_text("".join(lines))
    return p, lines, sizes, names


@pytest.mark.parametrize("block_size,items_per_slot,compress", [
    (256, 512, True), (4, 3, True), (2, 1, False), (3, 7, False)],
    ids=["defaults", "deep-trees", "deepest-uncompressed", "odd-sizes-uncompressed"])
def test_deep_trees_read_back(tmp_path, block_size, items_per_slot, compress):
    bed, lines, sizes, names = _many(tmp_path)
    out = tmp_path / "many.bb"
    bed_to_bigbed(bed, sizes, out, bed_n=6, field_count=6, extra_index=["name"],
                  block_size=block_size, items_per_slot=items_per_slot, compress=compress)
    items, _, header = _pybigwig_items(out)
    assert items == lines
    bb = BigBedFile(out)
    assert bool(bb.uncompress_buf_size) == compress
    for name in sorted(set(names))[::7]:
        want = [ln for ln in lines if ln.split("\t")[3] == name]
        got = [f"{i.chrom}\t{i.start}\t{i.end}\t{i.rest}\n" for i in bb.find(3, name)]
        assert sorted(got) == sorted(want)


def test_zoom_levels_summarise_coverage(tmp_path):
    bed, lines, sizes, _ = _many(tmp_path, n_chroms=3, per_chrom=200)
    out = tmp_path / "z.bb"
    bed_to_bigbed(bed, sizes, out, bed_n=6, field_count=6)
    bb = BigBedFile(out)
    assert bb.zoom_count >= 1
    cid = {c: i for i, c in enumerate(dict.fromkeys(ln.split("\t")[0] for ln in lines))}
    items = [(cid[c], int(s), int(e), "") for c, s, e, *_ in (ln.split("\t") for ln in lines)]
    cov = coverage(items)
    bases = sum(e - s for _, s, e, _ in cov)
    depth_sum = sum((e - s) * d for _, s, e, d in cov)
    total = bb.total_summary()
    assert total[0] == bases and total[3] == depth_sum
    assert total[2] == max(d for *_, d in cov) and total[1] == min(d for *_, d in cov)
    reductions = [z[0] for z in bb.zooms]
    assert reductions == sorted(reductions)
    for level in range(bb.zoom_count):
        sums = bb.zoom_summaries(level)
        assert sum(s.valid_count for s in sums) == bases
        assert all(s.end <= sizes[s.chrom] and s.start < s.end for s in sums)
    # the file also opens in pyBigWig, zoom headers included
    assert _pybigwig_items(out)[2]["nLevels"] == bb.zoom_count


def test_empty_input(tmp_path):
    bed = tmp_path / "empty.bed"
    bed.write_text("")
    out = tmp_path / "e.bb"
    bed_to_bigbed(bed, {"chr1": 10}, out, bed_n=3, field_count=3)
    bb = BigBedFile(out)
    assert bb.item_count == 0 and bb.items() == [] and bb.chroms == {}


BAD = [
    ("not_sorted", "chr1\t50\t60\nchr1\t40\t45\n", "is not sorted at line 2"),
    ("chrom_split", "chr1\t50\t60\nchr2\t1\t5\nchr1\t70\t80\n", "is not sorted at line 3"),
    ("chrom_unknown", "chrX\t1\t2\n", "chrX is not found in chromosome sizes file"),
    ("end_past_size", "chr1\t1\t2\nchr3\t1\t101\n", "End coordinate 101 bigger than chr3 size of 100 line 2"),
    ("field_count", "chr1\t1\t2\tname\n", "expecting 3 words, got 4"),
    ("start_not_number", "chr1\tone\t2\n", "must be integers"),
    ("start_after_end", "chr1\t5\t2\n", "chromStart after chromEnd"),
]


@pytest.mark.parametrize("text,needle", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_input_errors_like_kent(tmp_path, text, needle):
    bed = tmp_path / "in.bed"
    bed.write_text(text)
    out = tmp_path / "out.bb"
    with pytest.raises(ParseError) as ei:
        bed_to_bigbed(bed, read_chrom_sizes(SIZES), out, bed_n=3, field_count=3)
    assert needle in str(ei.value)
    assert str(ei.value).startswith(f"{bed}:")
    assert not out.exists()


def test_autosql_checks_extra_columns(tmp_path):
    bed, lines = _bgp(tmp_path)
    cols = lines[0].rstrip("\n").split("\t")
    cols[15] = "0,0,"  # exonFrames must have blockCount (3) values
    bed.write_text("\t".join(cols) + "\n")
    with pytest.raises(ParseError) as ei:
        _write(tmp_path, bed)
    assert "exonFrames" in str(ei.value) and str(ei.value).startswith(f"{bed}:1:")


def test_unknown_extra_index_field(tmp_path):
    bed, _ = _bgp(tmp_path)
    with pytest.raises(RefseqtracksError, match="extraIndex field nope"):
        _write(tmp_path, bed, extra_index=["nope"])


def test_two_bit_chrom_sizes(tmp_path):
    seqs = {"chrA": 13, "chrB": 4}
    index = b""
    offset = 16 + sum(1 + len(n) + 4 for n in seqs)
    records = b""
    for name, size in seqs.items():
        index += bytes([len(name)]) + name.encode() + struct.pack("<I", offset + len(records))
        records += struct.pack("<IIII", size, 0, 0, 0) + b"\0" * ((size + 3) // 4)
    p = tmp_path / "g.2bit"
    p.write_bytes(struct.pack("<IIII", 0x1A412743, 0, len(seqs), 0) + index + records)
    assert read_chrom_sizes(p, two_bit=True) == seqs
    (tmp_path / "bad.2bit").write_bytes(b"not a 2bit file at all")
    with pytest.raises(RefseqtracksError, match="not a .2bit"):
        read_chrom_sizes(tmp_path / "bad.2bit", two_bit=True)


def test_chrom_sizes_errors(tmp_path):
    p = tmp_path / "c.sizes"
    p.write_text("chr1\t100\nchr2\tbig\n")
    with pytest.raises(ParseError, match=r"c.sizes:2: "):
        read_chrom_sizes(p)


_FIELD_CHOICES = [
    ["chr1"], ["0", "5", "-1", "x"], ["10", "5", "0"], ["n"], ["0", "-3", "s"], ["+", "-", ".", "*"],
    ["0", "2", "-1"], ["10", "8", "1"], ["0", "255,0,0", "1,2"], ["1", "2", "0", "-1"],
    ["10,", "5,5,", "3,7,", "0,", "-2,12,", "a,", "5,6,", "6,5,"], ["0,", "0,5,", "0,3,", "5,", "-1,", "0,4,"],
]


@given(st.tuples(*[st.sampled_from(c) for c in _FIELD_CHOICES]), st.booleans())
@example(("chr1", "0", "10", "n", "0", "+", "0", "10", "0", "2", "5,5,", "0,5,"), False)
@example(("chr1", "0", "10", "n", "0", "+", "0", "10", "0", "2", "5,6,", "0,4,"), True)
def test_quick_bed_check_never_accepts_what_the_parser_rejects(cols, allow_1bp):
    from refseqtracks.formats.bed import parse_bed_line
    from refseqtracks.formats.bigbed import _bed_fields_ok
    try:
        parse_bed_line("\t".join(cols), bed_n=12, allow_1bp_overlap=allow_1bp)
        ok = True
    except ParseError:
        ok = False
    if _bed_fields_ok(list(cols), 12, 1 if allow_1bp else 0):
        assert ok


def test_two_extra_indexes(tmp_path):
    bed, lines = _bgp(tmp_path)
    bb = BigBedFile(_write(tmp_path, bed, extra_index=["name", "geneName2"]))
    assert sorted(bb.extra_indexes()) == [3, 18]
    assert [i.rest.split("\t")[0] for i in bb.find(18, "GENEC")] == ["XM_000003.2"]
    assert [i.rest.split("\t")[0] for i in bb.find(3, "NR_000002.1")] == ["NR_000002.1"]
    assert bb.find(18, "") and bb.find(18, "NOPE") == []  # the 10-column row has an empty name2
    assert _pybigwig_items(bb_path := tmp_path / "out.bb")[0] == lines and bb_path.exists()
