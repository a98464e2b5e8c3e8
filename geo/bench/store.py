"""Store benchmark (``python -m geo bench --cases store``): upload into and open from each backend.

Each measured step runs in a fresh Python process — an upload as the Data page does it
(:meth:`geo.storage.interface.Store.save` on the file's bytes), then an open as a *second replica* would
(a new process, :meth:`~geo.storage.interface.Store.load`) — and reports its wall time and the process's
peak RSS. Inputs: the real UCDP GED file (when ``shared/eval`` is present) and synthetic events
(:mod:`geo.synthetic`, labelled) at each size, written once as GeoParquet. PostGIS needs
``CONFLICT_MAP_DATABASE_URL``; without it only the embedded store is measured, and the table
says so. Writing already tagged events is also timed alone, our ``COPY`` against the naive way —
one parameterised ``INSERT`` per event, as a loop over the rows sends — on the same events and
columns, up to :data:`NAIVE_MAX` events. Each open checks it
got the number of events it was given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

from geo.access import User
from geo.bench.core import UCDP_EVAL, Row
from geo.bench.map import synthetic_canonical
from geo.bench.realshape import real_events
from geo.storage.copy_text import COLUMNS, stored_columns
from geo.storage.embedded import EmbeddedStore
from geo.storage.files import read_canonical
from geo.storage.interface import bundled_info
from geo.storage.postgis import PostgisStore

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
                rows.append(_row("postgis COPY", database_url, path, n, label, op="write"))
                if n <= NAIVE_MAX:
                    rows.append(_row("naive INSERT per event", database_url, path, n, label, op="naive"))
    if not database_url:
        rows.append(Row("store", 0, "postgis", float("nan"), note="not measured: CONFLICT_MAP_DATABASE_URL unset"))
    return rows


def _inputs(sizes: tuple[int, ...], folder: Path):
    """(label, GeoParquet path, events) for the real file and each synthetic size."""

    if UCDP_EVAL.exists():
        path = folder / "ucdp.parquet"
        events = real_events(UCDP_EVAL)
        events.to_parquet(path, index=False)
        n = len(events)
        del events  # the measuring processes start from this one: keep it small
        yield "UCDP GED Syria 2016–17 (real)", path, n
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
    what = {"upload": "upload (read, tag, store)", "open": "open in a second process", "write": "write tagged events",
            "naive": "write tagged events"}[op]  # fmt: skip
    return Row(f"store {what}", n, backend, result["seconds"], rows_per_s=n / result["seconds"], peak_mb=result["peak_mb"],
               note=label)  # fmt: skip


def _work(op: str, backend: str, target: str, path: str) -> dict:
    """One step, in this process: upload the file or open the dataset uploaded before."""
    user = User("bench", role="analyst")
    store = EmbeddedStore(Path(target)) if backend == "embedded" else PostgisStore(target)
    content = Path(path).read_bytes() if op == "upload" else b""
    events = read_canonical(path) if op in ("write", "naive") else None
    start = time.perf_counter()
    if op == "upload":
        _, result = store.save(content, name=Path(path).name, user=user, max_file_mb=float("inf"), max_rows=float("inf"))
        rows = result.report.rows_loaded
    elif op == "open":
        dataset_id = next(i.id for i in store.datasets(user) if i.name == Path(path).name)
        rows = len(store.load(dataset_id, user))
    elif op == "write":
        rows = _copy_write(store, events, user)
    else:
        rows = _naive_insert(target, events)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows, "peak_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _copy_write(store, events, user) -> int:
    """Our write of already tagged events (the store's own primitive: one transaction, COPY)."""
    info = replace(bundled_info(), id=uuid.uuid4().hex[:16], name="bench write", owner=user.sub, rows=len(events),
                   visibility="private", version=uuid.uuid4().hex)  # fmt: skip
    store._write(info, events, store._entry(user, "upload", info.id, "bench"))  # the primitive itself: no file to read
    with store._connect() as conn:
        return conn.execute("SELECT count(*) FROM events WHERE dataset_id = %s", (info.id,)).fetchone()[0]


def _naive_insert(url: str, events) -> int:
    """The common way: the same tagged events and columns, one INSERT statement per event, one transaction."""
    import psycopg  # only the naive write talks to the database itself

    dataset_id = uuid.uuid4().hex[:16]

    extras = [c for c, dtype in stored_columns(events) if c not in COLUMNS and dtype != "geometry"]
    present = [c for c in COLUMNS if c in events]
    cells = {c: events[c].astype(object).where(events[c].notna(), None).tolist() for c in [*present, *extras]}
    sql = (f"INSERT INTO events (dataset_id, row_no, {', '.join(present)}, extra, geom) "  # noqa: S608 - schema names
           f"VALUES ({', '.join(['%s'] * (len(present) + 3))}, ST_SetSRID(ST_MakePoint(%s, %s), 4326))")
    xs, ys = events.geometry.x.tolist(), events.geometry.y.tolist()
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO datasets (id, name, owner, owner_label, visibility, rows, rejected, format, added, version, dtypes) "
                     "VALUES (%s, 'naive', 'bench', 'bench', 'private', %s, 0, '', '', '', '[]')", (dataset_id, len(events)))  # fmt: skip
        with conn.cursor() as cur:
            for i in range(len(events)):  # one statement and one round trip per event, as a loop over rows does
                extra = [None if cells[c][i] is None else str(cells[c][i]) for c in extras]
                cur.execute(sql, [dataset_id, i, *(cells[c][i] for c in present), extra, xs[i], ys[i]])
        return conn.execute("SELECT count(*) FROM events WHERE dataset_id = %s", (dataset_id,)).fetchone()[0]


if __name__ == "__main__":
    print(json.dumps(_work(*sys.argv[1:5])))
