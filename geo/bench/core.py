"""What every benchmark shares: a measured row, a timer, and the table they print."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from geo.paths import ROOT

UCDP_EVAL = ROOT.parent / "shared" / "eval" / "ucdp_ged_syria_2016_2017.csv"

@dataclass
class Row:
    """One benchmark measurement."""

    case: str
    n: int
    method: str
    seconds: float
    rows_per_s: float | None = None
    html_bytes: int | None = None
    peak_mb: float | None = None
    note: str = ""


def timed(fn: Callable[[], object], *, repeat: int = 1, memory: bool = False) -> tuple[float, object, float | None]:
    """Median wall time of ``fn`` over ``repeat`` runs, its last result, and peak traced MB.

    Memory is traced in one extra, untimed run (tracing slows allocation-heavy code).
    """
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    peak = None
    if memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return statistics.median(times), result, peak


def format_table(rows: list[Row]) -> str:
    """The rows as a Markdown table, with the speed-up over the naive method per case."""
    lines = ["| case | n | method | seconds | rows/s | HTML bytes | peak MB | vs naive |", "|---|---|---|---|---|---|---|---|"]
    naive = {(r.case, r.n): r for r in rows if r.method.startswith("naive")}
    naive_any = {r.case: r for r in rows if r.method.startswith("naive")}
    for r in rows:
        ratio = ""
        base = naive.get((r.case, r.n))
        base = base or naive.get((r.case.replace("naive", ""), r.n))
        if not r.method.startswith("naive") and base is not None:
            ratio = f"{base.seconds / r.seconds:.1f}× faster"
        elif not r.method.startswith("naive") and r.case in naive_any and r.rows_per_s:
            ratio = f"{r.rows_per_s / naive_any[r.case].rows_per_s:.0f}× the naive rows/s"
        lines.append(
            f"| {r.case} | {r.n:,} | {r.method} | {r.seconds:.3f} | {_fmt(r.rows_per_s)} | "
            f"{_fmt(r.html_bytes)} | {'' if r.peak_mb is None else f'{r.peak_mb:.0f}'} | {ratio or r.note} |"
        )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def as_json(rows: list[Row]) -> list[dict]:
    """The rows as plain dicts (``--json``)."""
    return [{k: (float(v) if isinstance(v, np.floating) else v) for k, v in asdict(r).items()} for r in rows]
