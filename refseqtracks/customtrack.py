"""UCSC custom-track files: ``track`` lines followed by BED12, optionally coloured by RefSeq status.

A custom-track file is what a user pastes or uploads into the browser's "Add custom tracks"
page: an optional ``browser position chr:start-end`` line (1-based, inclusive start as the
browser shows it), then per track one line ``track name="..." description="..." visibility=pack
color=R,G,B itemRgb=On useScore=0`` followed by that track's BED12 lines (0-based half-open
coordinates, as every BED).  ``itemRgb=On`` makes the browser draw each item in the colour of its
column 9, so every item carries a colour: the track colour, or with status colouring the shade
the browser gives the ncbiRefSeq DB tracks:

- Reviewed or Validated: the track colour;
- Provisional: ``(6*c + 4*255) / 10`` per channel (60% colour, 40% white), integer division;
- any other status (Predicted, Inferred, Model, Unknown, ...): ``(c + 2*255) / 3``;
- no link-table row: the track colour.

With the RefSeq track colour 12,12,120 this gives 12,12,120 / 109,109,174 / 174,174,210.
Statuses come from the link table (ncbiRefSeqLink: ``id`` column 1, ``status`` column 2).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from refseqtracks.errors import ParseError, RefseqtracksError
from refseqtracks.fileio import Source, atomic_output, input_name, open_input

__all__ = ["CUSTOM_SUBSETS", "status_color", "read_status", "custom_track_line",
           "write_custom_track", "CustomTrack"]

#: subset → (track name, description, colour, build manifest key of its BED)
CUSTOM_SUBSETS: dict[str, tuple[str, str, tuple[int, int, int], str]] = {
    "all": ("RefSeq All", "NCBI RefSeq genes, curated and predicted sets (NM_*, XM_*, NR_*, XR_*, "
            "NP_* or YP_*)", (12, 12, 120), "all.bed"),
    "curated": ("RefSeq Curated", "NCBI RefSeq genes, curated subset (NM_*, NR_*, NP_* or YP_*)",
                (12, 12, 120), "curated.bed"),
    "predicted": ("RefSeq Predicted", "NCBI RefSeq genes, predicted subset (XM_* or XR_*)",
                  (12, 12, 120), "predicted.bed"),
    "other": ("RefSeq Other", "NCBI RefSeq other annotations (not NM_*, NR_*, XM_*, XR_*, NP_* "
              "or YP_*)", (32, 32, 32), "other.bed"),
    "select": ("RefSeq Select", "NCBI RefSeq/MANE Select: one representative transcript per "
               "protein-coding gene", (20, 20, 160), "select.bed"),
}

RGB = tuple[int, int, int]


def status_color(color: RGB, status: str | None) -> RGB:
    """The browser's ncbiRefSeq status shade of a track colour (see the module docstring)."""
    if status is None or status in ("Reviewed", "Validated"):
        return color
    if status == "Provisional":
        return tuple((6 * c + 4 * 255) // 10 for c in color)  # type: ignore[return-value]
    return tuple((c + 2 * 255) // 3 for c in color)  # type: ignore[return-value]


def read_status(src: Source) -> dict[str, str]:
    """id → status from an ncbiRefSeqLink table (first two tab-separated columns)."""
    name = input_name(src)
    out: dict[str, str] = {}
    with open_input(src) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t", 2)
            if len(cols) < 2:
                raise ParseError(name, lineno, "expected the ncbiRefSeqLink columns id and status")
            out.setdefault(cols[0], cols[1])
    return out


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def custom_track_line(name: str, description: str, color: RGB, *, visibility: str = "pack") -> str:
    """One ``track`` line (with newline)."""
    rgb = ",".join(map(str, color))
    return (f"track name={_quote(name)} description={_quote(description)} "
            f"visibility={visibility} color={rgb} itemRgb=On useScore=0\n")


@dataclass
class CustomTrack:
    """One track of a custom-track file: subset name and its BED12 lines."""

    subset: str
    bed_lines: list[str]
    source: str = ""


def _colored(lines: Iterable[str], color: RGB, status: Mapping[str, str] | None,
             path: str) -> list[str]:
    from refseqtracks.formats.bed import parse_bed_line
    base = ",".join(map(str, color))
    out = []
    for lineno, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 12:
            raise ParseError(path, lineno, f"expected 12 BED columns, got {len(cols)}")
        parse_bed_line(line, path=path, lineno=lineno, bed_n=12)  # checked before it is written
        rgb = base
        if status is not None:
            rgb = ",".join(map(str, status_color(color, status.get(cols[3]))))
        cols[8] = rgb
        out.append("\t".join(cols) + "\n")
    return out


def write_custom_track(tracks: Iterable[CustomTrack], dest, *,
                       status: Mapping[str, str] | None = None, position: str | None = None,
                       visibility: str = "pack", gzip: bool | None = None) -> int:
    """Write a custom-track file (``gzip``: None = by the ``.gz`` suffix); returns item count.

    ``status`` (id → RefSeq status) colours the items; otherwise every item gets its track colour.
    """
    parts: list[str] = []
    if position:
        parts.append(f"browser position {position}\n")
    n = 0
    for tr in tracks:
        if tr.subset not in CUSTOM_SUBSETS:
            raise RefseqtracksError(f"unknown subset '{tr.subset}' "
                                    f"(one of {', '.join(CUSTOM_SUBSETS)})")
        name, desc, color, _ = CUSTOM_SUBSETS[tr.subset]
        parts.append(custom_track_line(name, desc, color, visibility=visibility))
        lines = _colored(tr.bed_lines, color, status, tr.source or f"{tr.subset} BED")
        n += len(lines)
        parts.append("".join(lines))
    text = "".join(parts)
    if gzip is None:
        gzip = str(dest).endswith(".gz")
    if gzip:
        import gzip as gz
        with atomic_output(dest, binary=True) as f:
            f.write(gz.compress(text.encode("utf-8", "surrogateescape"), mtime=0))
    else:
        with atomic_output(dest) as f:
            f.write(text)
    return n
