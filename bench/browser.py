"""Browser benchmark: ours against the naive Streamlit + folium app, same files, same run.

Timed in Debian Chromium (Playwright) from the action to the browser having painted: the end
of the run the action caused (Streamlit's ``script_finished``, which sets the app's script state
back to ``notRunning``), then two animation frames in every frame (the map lives in a component
iframe). Interactions are timed inside the page, on its own clock: from the input event's
timestamp (or the call that pans the map) to the second animation frame, so the milliseconds
Playwright's own messages take are not counted. First paint is timed from the navigation call.
Per interaction it also counts the bytes the server sent over the websocket; per server the
peak resident memory (``VmHWM``). Datasets: the real
UCDP GED Syria file and sets made from it (:mod:`geo.bench.realshape`), stored through
:meth:`geo.storage.interface.Store.save`; each page must show the number of events it was given.

It drives Streamlit, so it lives here and not in ``geo/`` (which never imports Streamlit):
``python -m geo bench --cases browser`` loads this file by its path (:mod:`geo.bench`).
"""

from __future__ import annotations

import gc
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from geo.bench.core import UCDP_EVAL, Row
from geo.bench.realshape import real_events, real_shaped
from geo.paths import ROOT
from geo.storage.embedded import EmbeddedStore

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
REPEAT = 5
NAIVE_CAP_S = 120.0  # a naive rerun slower than this is measured once, not five times
PAINTED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
#: Installed in every page before its scripts: ``__benchArm()`` starts a measurement. Its start is
#: the next input event's timestamp (or ``__benchStart`` set by the caller); it ends when a run
#: finishes (the script state leaves ``running``) and two animation frames passed in every frame.
TIMER_JS = """
window.__benchArm = () => {
  window.__benchStart = null;
  const app = document.querySelector("[data-testid='stApp']");
  const mark = e => { if (window.__benchStart === null) window.__benchStart = e.timeStamp; };
  for (const kind of ['keydown', 'pointerdown']) document.addEventListener(kind, mark, {capture: true, once: true});
  window.__benchDone = new Promise(resolve => {
    const seen = new MutationObserver(records => {
      // A run ending before the action started its clock is an earlier one's: wait for the next.
      if (window.__benchStart === null || !records.some(r => r.oldValue === 'running')) return;
      seen.disconnect();
      const frames = [window, ...Array.from(document.querySelectorAll('iframe'), f => f.contentWindow)];
      const twoFrames = w => new Promise(r => {
        try { w.requestAnimationFrame(() => w.requestAnimationFrame(() => r())); } catch (err) { r(); }
      });
      Promise.all(frames.map(twoFrames)).then(() => resolve(performance.now() - window.__benchStart));
    });
    seen.observe(app, {attributes: true, attributeFilter: ['data-test-script-state'], attributeOldValue: true});
  });
  return true;
};
"""


def bench_browser(sizes: tuple[int, ...], *, naive_sizes: tuple[int, ...] = (11_757, 100_000)) -> list[Row]:
    """First paint, filter change, time-slice step and pan for ours; first paint and rerun for the naive app."""
    if not UCDP_EVAL.exists():
        msg = f"expected the real UCDP file at {UCDP_EVAL} (../shared/eval)"
        raise FileNotFoundError(msg)
    rows: list[Row] = []
    real = real_events(UCDP_EVAL)
    # "11757" means the real file as it loads (its accepted rows), whatever their exact count.
    sizes = tuple(sorted({len(real) if n == 11_757 else n for n in sizes}))
    naive_sizes = tuple(sorted({len(real) if n == 11_757 else n for n in naive_sizes}))
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmp_path = Path(tmp)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        datasets = tmp_path / "datasets"
        files, ids = {}, {}
        for n in sorted(set(sizes) | set(naive_sizes)):
            events = real_shaped(real, n)
            files[n] = tmp_path / f"set_{n}.parquet"
            events.to_parquet(files[n], index=False)
            if n in sizes:
                ids[n] = _store(files[n], n, datasets)
        big = max(sizes)
        memory_ids = [ids[big]]
        if big >= 1_000_000:  # three different sets of the largest size, for the memory target
            for seed in (12, 13):
                path = tmp_path / f"set_{big}_seed{seed}.parquet"
                real_shaped(real, big, seed=seed).to_parquet(path, index=False)
                memory_ids.append(_store(path, big, datasets))
        # The sets live in files from here on: a benchmark process holding millions of objects
        # spends a core on garbage collection while it times the browser.
        del real, events
        gc.collect()
        with _server(ROOT / "app.py", ROOT, {"CONFLICT_MAP_DATASETS": str(datasets)}) as (url, pid):
            rows += _ours_first_paint(browser, url)
            for n in sizes:
                rows += _ours(browser, url, n, ids[n])
            rows.append(_said(Row("server peak memory (ours)", max(sizes), "VmHWM after every set was opened", 0.0,
                                  peak_mb=_peak_mb(pid), note=f"{len(sizes)} datasets open in one process")))  # fmt: skip
        if len(memory_ids) == 3:
            rows += _memory(browser, datasets, big, memory_ids)
        for n in naive_sizes:
            rows += _naive(browser, tmp_path, files[n], n)
        browser.close()
    return rows


def _store(path: Path, n: int, datasets: Path) -> str:
    """Store the ``n`` events of ``path`` through the store's own API (as an upload would); return the dataset id."""
    dataset_id, result = EmbeddedStore(datasets).save(path.read_bytes(), name=f"UCDP real-shaped {n}.parquet",
                                                      max_file_mb=math.inf, max_rows=math.inf)  # fmt: skip
    if result.report.rows_loaded != n:
        msg = f"expected {n:,} events stored, got {result.report.rows_loaded:,}"
        raise AssertionError(msg)
    return dataset_id


# ---------------------------------------------------------------------- one page, timed


class Page:
    """A browser page with its websocket watched: finished script runs and bytes received."""

    def __init__(self, browser) -> None:
        self.page = browser.new_page(viewport={"width": 1500, "height": 1100})
        self.page.add_init_script(TIMER_JS)
        self.finished = 0
        self.bytes = 0
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        data = payload if isinstance(payload, bytes | bytearray) else str(payload).encode()
        self.bytes += len(data)
        msg = ForwardMsg()
        try:
            msg.ParseFromString(bytes(data))
        except Exception:  # noqa: BLE001 - not every frame is a ForwardMsg
            return
        if msg.WhichOneof("type") == "script_finished":
            self.finished += 1

    def timed(self, action: Callable[[], object], *, timeout_s: float = 600) -> tuple[float, int]:
        """Seconds from ``action`` to painted after the run it caused, and the websocket bytes meanwhile.

        Timed on the page's clock, from the input event (or ``window.__benchStart``) to painted;
        navigations are timed by :meth:`navigated` (a new page has a new clock).
        """
        before, sent = self.finished, self.bytes
        self.page.evaluate("window.__benchArm()")
        start = time.perf_counter()
        action()
        secs = self.page.evaluate("window.__benchDone") / 1000  # NaN when no input event started the clock
        if not secs >= 0:
            msg = "the action started no clock in the page (no input event, no __benchStart)"
            raise RuntimeError(msg)
        self._wait_finished(before, timeout_s)
        self.page.wait_for_selector(IDLE, timeout=timeout_s * 1000)
        if secs > time.perf_counter() - start:
            msg = f"the page's own timing ({secs:.3f} s) exceeds the wall clock"
            raise RuntimeError(msg)
        return secs, self.bytes - sent

    def navigated(self, url: str, *, timeout_s: float = 600) -> tuple[float, int]:
        """Seconds from ``goto(url)`` to painted after the page's first run, and the websocket bytes meanwhile."""
        before, sent = self.finished, self.bytes
        start = time.perf_counter()
        self.page.goto(url)
        self._wait_finished(before, timeout_s)
        self.page.wait_for_selector(IDLE, timeout=timeout_s * 1000)
        self.painted()
        return time.perf_counter() - start, self.bytes - sent

    def _wait_finished(self, before: int, timeout_s: float) -> None:
        """Until the websocket carried a ``script_finished`` after ``before`` of them."""
        deadline = time.monotonic() + timeout_s
        while self.finished <= before:
            if time.monotonic() > deadline:
                msg = "the action caused no script run"
                raise TimeoutError(msg)
            self.page.wait_for_timeout(5)  # lets Playwright deliver websocket events

    def painted(self) -> None:
        for frame in self.page.frames:
            try:
                frame.evaluate(PAINTED)
            except Exception:  # noqa: BLE001, S112 - a frame replaced meanwhile has nothing left to paint
                continue

    def settle(self, quiet_s: float = 1.5) -> None:
        """Until no run has started for ``quiet_s`` (the map reports its view once after drawing)."""
        while True:
            self.page.wait_for_selector(IDLE, timeout=600_000)
            seen, until = self.finished, time.monotonic() + quiet_s
            while time.monotonic() < until and self.finished == seen:
                self.page.wait_for_timeout(50)
            if self.finished == seen:
                return

    def shows(self, n: int, timeout_s: float = 600) -> None:
        """The page states it shows ``n`` events: a link that fell back to another dataset is no measurement."""
        self.page.get_by_text(f"{n:,} events ·").first.wait_for(timeout=timeout_s * 1000)


def _median_row(case: str, n: int, method: str, runs: list[tuple[float, int]]) -> Row:
    secs = [s for s, _ in runs]
    kb = statistics.median(b for _, b in runs) / 1000
    return _said(Row(case, n, method, statistics.median(secs), note=f"runs {', '.join(f'{s:.2f}' for s in secs)} s; {kb:,.0f} kB sent"))


def _said(row: Row) -> Row:
    """Each row as it is measured, on stderr: a long run that fails later keeps what it measured."""
    print(f"{row.case} | {row.n:,} | {row.method} | {row.seconds:.3f} | {row.peak_mb or ''} | {row.note}", file=sys.stderr, flush=True)
    return row


# ---------------------------------------------------------------------- ours


def _ours_first_paint(browser, url: str) -> list[Row]:
    rows = []
    for label in ("cold (first session after start)", "warm"):
        page = Page(browser)
        secs, sent = page.navigated(f"{url}/")
        page.shows(157)
        rows.append(_said(Row("first paint, bundled data", 157, f"ours, {label}", secs, note=f"{sent / 1000:,.0f} kB sent")))
        page.page.close()
    return rows


def _ours(browser, url: str, n: int, dataset_id: str) -> list[Row]:
    page = Page(browser)
    secs, sent = page.navigated(f"{url}/?dataset={dataset_id}")
    page.shows(n)
    rows = [_said(Row("first paint, dataset in the store", n, "ours", secs, note=f"{sent / 1000:,.0f} kB sent"))]
    page.settle()
    box = page.page.get_by_role("spinbutton", name="Minimum fatalities")
    runs = []
    for value in ("2", "5", "1", "3", "0"):
        box.fill(value)
        runs.append(page.timed(lambda: box.press("Enter")))
    rows.append(_median_row("filter change → painted", n, "ours: minimum fatalities", runs))
    page.settle()
    slider = page.page.get_by_role("slider").first
    slider.focus()
    runs = [page.timed(lambda: slider.press("ArrowRight")) for _ in range(REPEAT)]
    rows.append(_median_row("time-slice step → painted", n, "ours: slider one step", runs))
    page.settle()
    runs = [page.timed(lambda: _pan(page.page)) for _ in range(REPEAT)]
    rows.append(_median_row("pan → painted", n, "ours: map panned 200 px", runs))
    page.page.close()
    return rows


def _memory(browser, datasets: Path, n: int, dataset_ids: list[str]) -> list[Row]:
    """Peak memory of a fresh server: one set of ``n`` events open, then three different ones, one session each."""
    rows, pages = [], []
    with _server(ROOT / "app.py", ROOT, {"CONFLICT_MAP_DATASETS": str(datasets)}) as (url, pid):
        for dataset_id in dataset_ids:
            page = Page(browser)
            page.navigated(f"{url}/?dataset={dataset_id}")
            page.shows(n)
            page.settle()
            pages.append(page)
            if len(pages) in (1, len(dataset_ids)):
                rows.append(_said(Row("server peak memory (ours)", n, f"VmHWM, {len(pages)} different set(s) open", 0.0,
                                      peak_mb=_peak_mb(pid), note=f"{len(pages)} session(s), one set each")))  # fmt: skip
        for page in pages:
            page.page.close()
    return rows


def _pan(page) -> None:
    """Pan the map 200 px from the top page (same origin as the map's frame), starting the page's clock."""
    pan = """() => {
      for (const f of document.querySelectorAll('iframe')) {
        const w = f.contentWindow;
        if (w && w.map && w.map.panBy) { window.__benchStart = performance.now(); w.map.panBy([200, 0], {animate: false}); return true; }
      }
      return false;
    }"""
    if not page.evaluate(pan):
        msg = "no map frame to pan"
        raise RuntimeError(msg)


# ---------------------------------------------------------------------- naive


def _naive(browser, tmp: Path, data: Path, n: int) -> list[Row]:
    app = tmp / f"naive_app_{n}"  # one folder per size: each holds its own link to static/
    (app / ".streamlit").mkdir(parents=True, exist_ok=True)
    (app / ".streamlit" / "config.toml").write_text((ROOT / ".streamlit" / "config.toml").read_text())
    (app / "static").symlink_to(ROOT / "static", target_is_directory=True)
    (app / "naive_app.py").write_text((Path(__file__).parent / "naive_app.py").read_text())
    rows = []
    with _server(app / "naive_app.py", app, {"NAIVE_EVENTS": str(data)}) as (url, pid):
        page = Page(browser)
        secs, sent = page.navigated(f"{url}/")
        page.shows(n)
        rows.append(_said(Row("first paint, dataset in the store", n, "naive: a CircleMarker + popup per event", secs,
                              note=f"{sent / 1000:,.0f} kB sent")))  # fmt: skip
        page.settle()
        box = page.page.get_by_role("spinbutton", name="Minimum fatalities")
        runs = []
        for value in ("1", "0", "1", "0", "1"):  # each a change (the box starts at 0); the map stays about as large
            box.fill(value)
            runs.append(page.timed(lambda b=box: b.press("Enter")))
            if runs[-1][0] > NAIVE_CAP_S:
                break
        rows.append(_median_row("filter change → painted", n, "naive: minimum fatalities", runs))
        rows.append(_said(Row("server peak memory (naive)", n, "VmHWM", 0.0, peak_mb=_peak_mb(pid))))
        page.page.close()
    return rows


# ---------------------------------------------------------------------- servers


@contextmanager
def _server(script: Path, cwd: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":  # noqa: S310 - our own http://127.0.0.1 server
                    break
            except OSError:
                time.sleep(0.25)  # polling the health endpoint
        else:
            msg = "streamlit did not start"
            raise RuntimeError(msg)
        yield url, proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _peak_mb(pid: int) -> float:
    """Peak resident memory of a process in MB (``VmHWM`` in ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
