"""Benchmarks (``python -m geo bench``): our vectorised paths against the naive approach, same run.

Each case prints one row: size, method, seconds, rate and, where relevant, HTML bytes and
peak memory. Inputs are **synthetic** (:mod:`geo.synthetic`, clearly labelled) plus the
real UCDP file when ``shared/eval`` is present. Never run as a timed test. One module per
case (``ingest``, ``map``, ``extract``, ``match``, ``store``) on top of :mod:`geo.bench.core`; none imports
this package's ``run``, so there is no import cycle. The ``browser`` and ``review`` cases drive
Streamlit, which ``geo/`` never imports: they live in the repository's ``bench/browser.py`` (beside
the naive app it runs) and ``bench/review.py``, and are loaded from there by their paths.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Callable
from pathlib import Path

from geo.bench.core import Row, as_json, format_table, timed
from geo.bench.extract import bench_extract
from geo.bench.ingest import bench_ingest, bench_tag
from geo.bench.map import bench_map
from geo.bench.match import bench_match
from geo.bench.store import bench_store
from geo.paths import ROOT

__all__ = ["Row", "as_json", "format_table", "run", "timed"]
#: The browser benchmarks' scripts (outside the package: they import Streamlit and Playwright).
BROWSER_BENCH = ROOT / "bench" / "browser.py"
REVIEW_BENCH = ROOT / "bench" / "review.py"


def run(cases: tuple[str, ...], *, sizes: tuple[int, ...]) -> list[Row]:
    """Run the named benchmark cases at the given sizes."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        if "ingest" in cases:
            rows += bench_ingest(sizes, naive_max=1_000_000, workdir=Path(tmp))
        if "tag" in cases:
            rows += bench_tag(sizes, naive_n=5_000)
        if "map" in cases:
            rows += bench_map(sizes)
        if "extract" in cases:
            rows += bench_extract()
        if "match" in cases:
            rows += bench_match(sizes)
        if "store" in cases:
            rows += bench_store(sizes)
        if "browser" in cases:
            rows += browser_bench()(sizes)
        if "review" in cases:
            rows += browser_bench(REVIEW_BENCH, function="bench_review")(sizes)
    return rows


def browser_bench(path: Path = BROWSER_BENCH, *, function: str = "bench_browser") -> Callable[[tuple[int, ...]], list[Row]]:
    """``function`` of a browser benchmark's script, loaded from its path (it is no module of ``geo``)."""
    if not path.exists():
        msg = f"expected the browser benchmark at {path} (a checkout of the repository, not an installed package)"
        raise FileNotFoundError(msg)
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function)
