"""Browser benchmark: first paint and filter-change-to-redraw, timed in Chromium via Playwright."""

from __future__ import annotations

import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from geo.bench.core import Row
from geo.paths import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def bench_browser(sizes: tuple[int, ...]) -> list[Row]:
    """First paint on the bundled data, then, per size, open a synthetic dataset and time filter changes."""
    from playwright.sync_api import sync_playwright

    from geo.bench.map import synthetic_canonical

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        datasets = Path(tmp) / "datasets"
        ids = {n: _store(synthetic_canonical(n), datasets, Path(tmp)) for n in sizes}
        port, proc = _start(datasets)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                rows += _first_paint(browser, port)
                for n in sizes:
                    rows += _filter_changes(browser, port, n, ids[n])
                browser.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
    return rows


def _store(events, datasets: Path, tmp: Path) -> str:
    """Store the events through the store's own API (as an upload would) and return their dataset id."""
    from geo.store import save_dataset

    path = tmp / f"synthetic_{len(events)}.parquet"
    events.to_parquet(path, index=False)
    dataset_id, result = save_dataset(path.read_bytes(), name=f"SYNTHETIC {len(events)} events.parquet", datasets_dir=datasets,
                                      max_file_mb=math.inf, max_rows=math.inf)  # fmt: skip
    if result.report.rows_loaded != len(events):
        msg = f"expected {len(events):,} events stored, got {result.report.rows_loaded:,}"
        raise AssertionError(msg)
    return dataset_id


def _start(datasets: Path) -> tuple[int, subprocess.Popen]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CONFLICT_MAP_DATASETS": str(datasets)}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(200):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                return port, proc
        except OSError:
            time.sleep(0.25)
    os.killpg(proc.pid, signal.SIGTERM)
    msg = "streamlit did not start"
    raise RuntimeError(msg)


def _wait_render(page, since: float, timeout_s: float = 120) -> float:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames[1:]:
            at = _rendered_at(frame)
            if at and at / 1000 > since:
                return at / 1000
        page.wait_for_timeout(20)
    msg = "map did not redraw"
    raise TimeoutError(msg)


def _rendered_at(frame) -> float:
    try:
        return frame.evaluate("window.conflictMapRenderedAt || 0")
    except Exception:  # noqa: BLE001 - frames are replaced while Streamlit renders
        return 0.0


def _first_paint(browser, port: int) -> list[Row]:
    rows = []
    for label in ("cold (first session after start)", "warm"):
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        start = time.time()
        page.goto(f"http://127.0.0.1:{port}/")
        end = _wait_render(page, start)
        rows.append(Row("first paint, bundled data (browser)", 157, f"page load → map drawn, {label}", end - start))
        page.close()
    return rows


def _filter_changes(browser, port: int, n: int, dataset_id: str) -> list[Row]:
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    start = time.time()
    page.goto(f"http://127.0.0.1:{port}/?dataset={dataset_id}")
    opened = _wait_render(page, start) - start
    # The page must say it shows all n events: a link that fell back to another dataset is no measurement.
    page.get_by_text(f"{n:,} events ·").first.wait_for(timeout=60_000)
    rows = [Row("open dataset (browser)", n, "page load → map drawn (loads the dataset once per process)", opened)]
    times = []
    for value in ("2", "5", "1", "3", "0"):
        box = page.get_by_role("spinbutton", name="Minimum fatalities")
        box.fill(value)
        t0 = time.time()
        box.press("Enter")
        times.append(_wait_render(page, t0) - t0)
    rows.append(Row("filter change → map redrawn (browser)", n, "min fatalities changed, median of 5", statistics.median(times),
                    note=f"runs: {', '.join(f'{t:.2f}' for t in times)} s"))  # fmt: skip
    page.close()
    return rows
