"""pslCDnaFilter statistics (kent ``-statsOut``): queries and alignments per outcome.

The table has a header line and one line per outcome, ``%18s:\t<queries>\t<alignments>``:
``total`` and ``kept`` always, the others (weird overlaps, each drop reason in kent's order,
kept weird) only when they counted an alignment.  A query counts once per line when at least
one of its alignments does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["REASONS", "FilterStats"]

#: drop reasons, in the order kent prints them in its statistics, with kent's labels
REASONS: dict[str, str] = {
    "invalid": "drop invalid",
    "blackList": "drop blackList",
    "minQSize": "drop min size",
    "minAlnSize": "drop minAlnSize",
    "minNonRepSize": "drop minNonRepSize",
    "maxRepMatch": "drop maxRepMatch",
    "minId": "drop minIdent",
    "minCover": "drop minCover",
    "overlap": "drop overlap",
    "minSpan": "drop minSpan",
    "localBest": "drop localBest",
    "globalBest": "drop globalBest",
    "maxAligns": "drop maxAligns",
    "nonUnique": "drop nonUnique",
    "weird": "drop weird",
}


class _Counted(Protocol):
    drop: str | None
    weird: bool


class _Cnt:
    __slots__ = ("queries", "aligns")

    def __init__(self) -> None:
        self.queries = 0
        self.aligns = 0

    def add(self, n: int) -> None:
        if n:
            self.queries += 1
            self.aligns += n


@dataclass
class FilterStats:
    """Counts of queries and alignments per outcome, as kent's ``-statsOut`` prints them."""

    total: _Cnt = field(default_factory=_Cnt)
    kept: _Cnt = field(default_factory=_Cnt)
    weird_over: _Cnt = field(default_factory=_Cnt)
    kept_weird: _Cnt = field(default_factory=_Cnt)
    dropped: dict[str, _Cnt] = field(default_factory=lambda: {r: _Cnt() for r in REASONS})

    def add_query(self, alns: list[_Counted]) -> None:
        """Count one query's alignments after filtering."""
        self.total.add(len(alns))
        kept = [a for a in alns if a.drop is None]
        self.kept.add(len(kept))
        self.weird_over.add(sum(1 for a in alns if a.weird))
        self.kept_weird.add(sum(1 for a in kept if a.weird))
        per: dict[str, int] = {}
        for a in alns:
            if a.drop is not None:
                per[a.drop] = per.get(a.drop, 0) + 1
        for r, n in per.items():
            self.dropped[r].add(n)

    def format(self) -> str:
        """kent's statistics table."""
        out = [f"{'':19}\tseqs\taligns\n"]

        def line(label: str, c: _Cnt, always: bool = False) -> None:
            if always or c.aligns > 0:
                out.append(f"{label:>18}:\t{c.queries}\t{c.aligns}\n")

        line("total", self.total, True)
        line("weird over", self.weird_over)
        for r, label in REASONS.items():
            line(label, self.dropped[r])
        line("kept weird", self.kept_weird)
        line("kept", self.kept, True)
        return "".join(out)
