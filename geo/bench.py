"""Benchmarks (``python -m geo bench``): our vectorised paths against the naive approach, same run.

Each case prints one row: size, method, seconds, rate and, where relevant, HTML bytes and
peak memory. Inputs are **synthetic** (:mod:`geo.synthetic`, clearly labelled) plus the
real UCDP file when ``shared/eval`` is present. Never run as a timed test.
"""

from __future__ import annotations

import csv
import math
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

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


def bench_ingest(sizes: tuple[int, ...], *, naive_max: int, workdir: Path) -> list[Row]:
    """Read an ACLED CSV: :func:`geo.read_events` vs a per-row csv.DictReader loop."""
    from geo.io import read_events
    from geo.synthetic import write_synthetic_acled

    rows = []
    for n in sizes:
        path = write_synthetic_acled(workdir / f"acled_{n}.csv", n)
        path.read_bytes()  # warm the OS file cache for both methods alike
        secs, _, peak = timed(lambda p=path: read_events(p, max_file_mb=math.inf, max_rows=math.inf), repeat=3 if n <= 100_000 else 1, memory=n <= 100_000)
        rows.append(Row("ingest ACLED CSV", n, "geo.read_events (pyarrow, vectorised)", secs, n / secs, peak_mb=peak))
        if n <= naive_max:
            secs, _, _ = timed(lambda p=path: _naive_ingest(p))
            rows.append(Row("ingest ACLED CSV", n, "naive: csv.DictReader + strptime + Point per row", secs, n / secs))
    if UCDP_EVAL.exists():
        secs, res, _ = timed(lambda: read_events(UCDP_EVAL), repeat=3)
        rows.append(Row("ingest UCDP (real)", res.report.rows_read, "geo.read_events", secs, res.report.rows_read / secs))
    return rows


def _naive_ingest(path: Path) -> list[dict]:
    from shapely.geometry import Point

    out = []
    with path.open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            rec["event_date"] = datetime.strptime(rec["event_date"], "%Y-%m-%d")
            rec["geometry"] = Point(float(rec["longitude"]), float(rec["latitude"]))
            out.append(rec)
    return out


def bench_tag(sizes: tuple[int, ...], *, naive_n: int) -> list[Row]:
    """Tag events with admin1, areas, border distance: vectorised vs a per-row shapely loop."""
    import geopandas as gpd

    from geo.areas import tag_events
    from geo.schema import CRS
    from geo.synthetic import synthetic_events

    rows = []
    tag_events(_points(1000))  # load and prepare the layers once, outside the timing
    for n in sizes:
        gdf = _points(n)
        secs, _, peak = timed(lambda g=gdf: tag_events(g), memory=n <= 100_000)
        rows.append(Row("tag areas + border_km", n, "geo.areas.tag_events (vectorised)", secs, n / secs, peak_mb=peak))
    raw = synthetic_events(naive_n, seed=3)
    gdf = gpd.GeoDataFrame(raw, geometry=gpd.points_from_xy(raw.longitude.astype(float), raw.latitude.astype(float)), crs=CRS)
    secs, _, _ = timed(lambda: _naive_tag(gdf))
    rows.append(Row("tag areas + border_km", naive_n, "naive: per-row contains() and distance()", secs, naive_n / secs))
    return rows


def _points(n: int):
    import geopandas as gpd
    import pandas as pd

    from geo.schema import CRS
    from geo.synthetic import synthetic_events

    raw = synthetic_events(n, seed=2)
    frame = pd.DataFrame({"latitude": raw.latitude.astype(float), "longitude": raw.longitude.astype(float), "admin1": raw.admin1.astype("category")})
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.longitude, frame.latitude), crs=CRS)


def _naive_tag(gdf) -> list[tuple]:
    from geo import layers

    gov = layers.governorates()
    line = layers.border().to_crs("EPSG:32637").geometry.iloc[0]
    projected = gdf.to_crs("EPSG:32637").geometry
    out = []
    for point, metric in zip(gdf.geometry, projected, strict=True):
        admin1 = next((g.name for g in gov.itertuples() if g.geometry.contains(point)), None)
        out.append((admin1, line.distance(metric) / 1000))
    return out


def bench_extract(*, words: int = 1500) -> list[Row]:
    """Extract events from an article of ``words`` words: the pipeline loaded once vs once per article.

    The article is the seed article's body repeated until it is ``words`` words long (real text,
    repeated: labelled as such); each copy is dated afresh so no sentence is a duplicate.
    """
    from geo import nlp
    from geo.articles import read_article
    from geo.extract import extract

    seed = read_article(next((ROOT / "seeds").glob("*.txt")))
    body, copies = seed.body, 1
    while len(body.split()) < words:
        copies += 1
        body += f"\n\nCopy {copies}.\n\n" + seed.body
    article = replace(seed, body=body)
    measured = len(body.split())
    if measured < words:
        msg = f"expected an article of at least {words} words, got {measured}"
        raise AssertionError(msg)
    nlp.pipeline()  # loaded once per process, as the app and CLI do
    secs, (events, _), _ = timed(lambda: (nlp.parse.cache_clear(), extract(article))[1], repeat=3)
    note = f"{measured:,} words, {len(events)} events; seed body ×{copies}"
    rows = [Row("extract one article", measured, "ours: pipeline loaded once per process", secs, note=note)]
    secs, _, _ = timed(lambda: (nlp.pipeline.cache_clear(), nlp.parse.cache_clear(), extract(article))[2])
    rows.append(Row("extract one article", measured, "naive: spaCy model loaded per article", secs))
    return rows


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


def run(cases: tuple[str, ...], *, sizes: tuple[int, ...]) -> list[Row]:
    """Run the named benchmark cases at the given sizes."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        if "ingest" in cases:
            rows += bench_ingest(sizes, naive_max=1_000_000, workdir=Path(tmp))
        if "tag" in cases:
            rows += bench_tag(sizes, naive_n=5_000)
        if "map" in cases:
            from geo.bench_map import bench_map

            rows += bench_map(sizes)
        if "extract" in cases:
            rows += bench_extract()
        if "browser" in cases:
            from geo.bench_browser import bench_browser

            rows += bench_browser((max(sizes),))
    return rows


def as_json(rows: list[Row]) -> list[dict]:
    """The rows as plain dicts (``--json``)."""
    return [{k: (float(v) if isinstance(v, np.floating) else v) for k, v in asdict(r).items()} for r in rows]
