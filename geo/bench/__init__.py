"""Benchmarks (``python -m geo bench``): our vectorised paths against the naive approach, same run.

Each case prints one row: size, method, seconds, rate and, where relevant, HTML bytes and
peak memory. Inputs are **synthetic** (:mod:`geo.synthetic`, clearly labelled) plus the
real UCDP file when ``shared/eval`` is present. Never run as a timed test. One module per
case (``ingest``, ``map``, ``extract``, ``store``, ``browser``) on top of :mod:`geo.bench.core`; none imports
this package's ``run``, so there is no import cycle.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from geo.bench.core import Row, as_json, format_table, timed

__all__ = ["Row", "as_json", "format_table", "run", "timed"]


def run(cases: tuple[str, ...], *, sizes: tuple[int, ...]) -> list[Row]:
    """Run the named benchmark cases at the given sizes."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        if "ingest" in cases:
            from geo.bench.ingest import bench_ingest

            rows += bench_ingest(sizes, naive_max=1_000_000, workdir=Path(tmp))
        if "tag" in cases:
            from geo.bench.ingest import bench_tag

            rows += bench_tag(sizes, naive_n=5_000)
        if "map" in cases:
            from geo.bench.map import bench_map

            rows += bench_map(sizes)
        if "extract" in cases:
            from geo.bench.extract import bench_extract

            rows += bench_extract()
        if "store" in cases:
            from geo.bench.store import bench_store

            rows += bench_store(sizes)
        if "browser" in cases:
            from geo.bench.browser import bench_browser

            rows += bench_browser(sizes)
    return rows


