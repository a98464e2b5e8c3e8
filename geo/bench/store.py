"""Store benchmark (``python -m geo bench --cases store``): upload into and open from each backend.

Each measured step runs in a fresh Python process — an upload as the Data page does it
(:meth:`geo.store.Store.save` on the file's bytes), then an open as a *second replica* would
(a new process, :meth:`~geo.store.Store.load`) — and reports its wall time and the process's
peak RSS. Inputs: the real UCDP GED file (when ``shared/eval`` is present) and synthetic events
(:mod:`geo.synthetic`, labelled) at each size, written once as GeoParquet. PostGIS needs
``CONFLICT_MAP_DATABASE_URL``; without it only the embedded store is measured, and the table
says so. The naive way of filling PostGIS — one parameterised ``INSERT`` per event, which is what
a loop over the rows sends — is measured beside ``COPY`` at the real file's size. Each open checks it
got the number of events it was given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from geo.bench.core import UCDP_EVAL, Row

_WORKER = "geo.bench.store"
NAIVE_MAX = 20_000  # the row-by-row INSERT is measured up to this size (about 1 ms per event)


def bench_store(sizes: tuple[int, ...], *, database_url: str | None = None) -> list[Row]:
    """Upload and second-process open timings per backend and size (plus the naive INSERT upload)."""
    database_url = database_url or os.environ.get("CONFLICT_MAP_DATABASE_URL")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, path, n in _inputs(sizes, Path(tmp)):
            rows += _measure("embedded", str(Path(tmp) / f"store-{n}"), path, n, label)
            if database_url:
                rows += _measure("postgis", database_url, path, n, label)
                if n <= NAIVE_MAX:
                    rows.append(_row("naive-insert", database_url, path, n, label, op="naive"))
    if not database_url:
        rows.append(Row("store", 0, "postgis", float("nan"), note="not measured: CONFLICT_MAP_DATABASE_URL unset"))
    return rows


def _inputs(sizes: tuple[int, ...], folder: Path):
    """(label, GeoParquet path, events) for the real file and each synthetic size."""
    from geo.bench.map import synthetic_canonical
    from geo.bench.realshape import real_events

    if UCDP_EVAL.exists():
        path = folder / "ucdp.parquet"
        events = real_events(UCDP_EVAL)
        events.to_parquet(path, index=False)
        yield "UCDP GED Syria 2016–17 (real)", path, len(events)
        del events
    for n in sizes:
        path = folder / f"synthetic-{n}.parquet"
        synthetic_canonical(n).to_parquet(path, index=False)
        yield "synthetic", path, n


def _measure(backend: str, target: str, path: Path, n: int, label: str) -> list[Row]:
    return [_row(backend, target, path, n, label, op="upload"), _row(backend, target, path, n, label, op="open")]


def _row(backend: str, target: str, path: Path, n: int, label: str, *, op: str) -> Row:
    """Run one step in a fresh process; check it handled ``n`` events."""
    out = subprocess.run([sys.executable, "-m", _WORKER, op, backend, target, str(path)], check=True,
                         capture_output=True, text=True)  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["rows"] != n:
        msg = f"{backend} {op}: expected {n:,} events, got {result['rows']:,}"
        raise AssertionError(msg)
    what = {"upload": "upload (save)", "open": "open in a second process", "naive": "upload, one INSERT per event"}[op]
    return Row(f"store {what}", n, backend, result["seconds"], rows_per_s=n / result["seconds"], peak_mb=result["peak_mb"],
               note=label)  # fmt: skip


def _work(op: str, backend: str, target: str, path: str) -> dict:
    """One step, in this process: upload the file or open the dataset uploaded before."""
    import resource
    import time

    from geo.access import User
    from geo.store import EmbeddedStore

    user = User("bench", role="analyst")
    store = EmbeddedStore(Path(target)) if backend == "embedded" else _postgis(target)
    content = Path(path).read_bytes() if op == "upload" else b""
    start = time.perf_counter()
    if op == "upload":
        _, result = store.save(content, name=Path(path).name, user=user, max_file_mb=float("inf"), max_rows=float("inf"))
        rows = result.report.rows_loaded
    elif op == "open":
        dataset_id = next(i.id for i in store.datasets(user) if i.name == Path(path).name)
        rows = len(store.load(dataset_id, user))
    else:
        rows = _naive_insert(target, path)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _postgis(url: str):
    from geo.pgstore import PostgisStore

    return PostgisStore(url)


def _naive_insert(url: str, path: str) -> int:
    """The common way: read the file, then one INSERT per event, five columns only (a temporary table)."""
    import geopandas as gpd
    import psycopg

    events = gpd.read_parquet(path)
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TEMP TABLE naive_events (event_id text, event_date timestamp, actor1 text, notes text, geom geometry(Point, 4326))")
        values = [(e, d, a, t, f"POINT({x!r} {y!r})") for e, d, a, t, x, y in zip(
            events["event_id"], events["event_date"], events["actor1"].astype(object), events["notes"].astype(object),
            events.geometry.x, events.geometry.y, strict=True)]  # fmt: skip
        with conn.cursor() as cur:
            for value in values:  # one statement and one round trip per event, as a loop over rows does
                cur.execute("INSERT INTO naive_events VALUES (%s, %s, %s, %s, ST_GeomFromText(%s, 4326))", value)
        return conn.execute("SELECT count(*) FROM naive_events").fetchone()[0]


if __name__ == "__main__":
    print(json.dumps(_work(*sys.argv[1:5])))
