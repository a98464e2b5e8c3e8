"""Real-browser helpers: a `streamlit run app.py` server, Debian Chromium via Playwright, and
waits on conditions (a script run finished, a URL parameter, an element) — never fixed sleeps.

Waiting for "the app is idle" needs more than the DOM: right after a click the page still says
"not running" until the server answers. :class:`Runs` counts the ``script_finished`` messages
on the app's websocket, so an action can wait for the run it caused to end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync"]  # fmt: skip
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
LOGS = ROOT / "var" / "logs"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"Debian chromium not installed at {CHROMIUM} (.ci/run installs it)")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(script: Path, *, cwd: Path = ROOT, env: dict[str, str] | None = None, port: int | None = None,
                     options: tuple[str, ...] = ()) -> Iterator[tuple[str, Path]]:  # fmt: skip
    """Run ``streamlit run script`` on ``port`` (a free one by default) with extra ``options``; yield its URL and log file."""
    port = port or _free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"streamlit-{port}.log"
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.headless", "true", *options]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, **(env or {})})  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log_path)
        yield url, log_path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


def _wait_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)  # polling the health endpoint, not waiting on the page
    pytest.fail(f"streamlit did not start:\n{log_path.read_text(errors='replace')[-3000:]}")


#: How a run ended (``ForwardMsg.script_finished``): the whole app, or only fragments of it.
FULL_RUN = ForwardMsg.FINISHED_SUCCESSFULLY
FRAGMENT_RUN = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


class Runs:
    """Counts finished script runs of a page (from its websocket) and the page's own errors.

    A run stopped early for another (a callback that reruns a fragment ends the run it started)
    is not counted: the run the action caused is the one after it. ``ended`` keeps how each
    counted run ended (:data:`FULL_RUN` or :data:`FRAGMENT_RUN`).
    """

    def __init__(self, page) -> None:
        self.page = page
        self.ended: list[int] = []
        self.errors: list[str] = []
        self.trace: list[str] = []  # what the page asked and was told, for a failure's message
        page.on("websocket", self._watch)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _watch(self, ws) -> None:
        ws.on("framereceived", self._frame)
        ws.on("framesent", self._sent)

    def _note(self, line: str) -> None:
        self.trace = [*self.trace[-59:], f"{time.monotonic():.2f} {line}"]

    def _frame(self, payload) -> None:
        if isinstance(payload, bytes | bytearray):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(bytes(payload))
            except Exception:  # noqa: BLE001 - not every frame is a ForwardMsg we can read
                return
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                self._note(f"finished {ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)}")
                if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self.ended.append(msg.script_finished)
            elif kind in ("new_session", "auto_rerun", "stop_auto_rerun"):
                self._note(f"{kind} {msg.auto_rerun.fragment_id[:8] if kind == 'auto_rerun' else ''}")

    def _sent(self, payload) -> None:
        if isinstance(payload, bytes | bytearray):
            msg = BackMsg()
            try:
                msg.ParseFromString(bytes(payload))
            except Exception:  # noqa: BLE001 - a frame we cannot read is left out of the trace
                return
            if msg.WhichOneof("type") == "rerun_script":
                rerun = msg.rerun_script
                triggers = [w.id.rsplit("-", 1)[-1] for w in rerun.widget_states.widgets if w.WhichOneof("value") == "trigger_value" and w.trigger_value]
                self._note(f"rerun fragment={rerun.fragment_id[:8] or '-'} auto={rerun.is_auto_rerun} triggers={triggers}")

    @property
    def finished(self) -> int:
        """How many runs have finished (not counting those ended early for another)."""
        return len(self.ended)

    def wait_idle(self, timeout_ms: float = 60_000) -> None:
        """Until the app says no script is running (and the connection is up); on a timeout the failure
        lists the page's last rerun requests and run ends."""
        try:
            self.page.wait_for_selector(IDLE, timeout=timeout_ms)
        except PlaywrightTimeout:
            pytest.fail(f"the app kept running for {timeout_ms / 1000:.0f} s; last messages:\n" + "\n".join(self.trace))

    def settle(self, *, quiet_ms: float = 1500, timeout_ms: float = 60_000) -> None:
        """Until the app is idle and has started no run for ``quiet_ms``.

        A map reports its centre and zoom after it is drawn, and that report is one more run
        that nothing on the page announces; a click that lands in it can be lost.
        """
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            self.wait_idle(timeout_ms)
            seen, quiet_until = self.finished, time.monotonic() + quiet_ms / 1000
            while time.monotonic() < quiet_until and self.finished == seen:
                self.page.wait_for_timeout(100)  # a poll for new runs, not a sleep to sync on
            if self.finished == seen and self.page.locator(IDLE).count():
                return
        pytest.fail(f"the app kept rerunning for {timeout_ms / 1000:.0f} s")

    def act(self, action: Callable[[], object], *, timeout_ms: float = 60_000) -> None:
        """Do ``action``, then wait until the run it caused has finished and the app is idle."""
        before = self.finished
        action()
        deadline = time.monotonic() + timeout_ms / 1000
        while self.finished <= before:
            if time.monotonic() > deadline:
                pytest.fail("the action caused no script run")
            self.page.wait_for_timeout(50)  # lets Playwright deliver websocket events (a poll, not a sleep to sync on)
        self.wait_idle(timeout_ms)

    def check(self) -> None:
        """No exception element on the page and no uncaught script error in it."""
        assert self.page.locator(EXCEPTION).count() == 0, self.page.locator(EXCEPTION).first.inner_text()
        assert self.errors == [], self.errors


def params(page) -> dict[str, list[str]]:
    """The page URL's query parameters."""
    return parse_qs(urlsplit(page.url).query)


def wait_param(page, name: str, value: str | None, *, timeout_ms: float = 60_000) -> None:
    """Until the URL has ``name=value`` (``value=None``: until ``name`` is absent)."""
    if value is None:
        script = f"() => !new URLSearchParams(location.search).has({name!r})"
    else:
        script = f"() => new URLSearchParams(location.search).getAll({name!r}).includes({value!r})"
    page.wait_for_function(script, timeout=timeout_ms)


MAP_READY = "typeof L !== 'undefined' && window.conflictMapMode !== undefined"


def map_frame(page, timeout_s: float = 60, *, mode: str | None = None):
    """The component iframe that holds the Leaflet map, once it has drawn its event layer (in ``mode``)."""
    ready = MAP_READY + ("" if mode is None else f" && window.conflictMapMode === {mode!r}")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames[1:]:
            try:
                if frame.evaluate(ready):
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                pass
        page.wait_for_timeout(100)  # a poll over frames, not a sleep to sync on
    pytest.fail("Leaflet map did not render in the component iframe")


def metric(page, label: str) -> int:
    loc = page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')
    return int(loc.first.inner_text().replace(",", ""))


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def upload(page, runs: Runs, path: Path) -> None:
    """Choose ``path`` in the page's file uploader and wait until the app has run with it.

    Replacing a file is two reruns (the old file removed, then the new one uploaded by HTTP);
    under load the first can finish alone, and a button pressed then acts on no file or the old
    one. So this waits for the page's own "Ready to load: <name>", which only a run that has the
    new file draws, and then for that run to end.
    """
    runs.act(lambda: page.locator('input[type="file"]').set_input_files(str(path)))
    page.get_by_text(f"Ready to load: {path.name[:6]}").first.wait_for(timeout=30_000)
    runs.wait_idle()


WATCH = """(name) => {
  window.__seen = window.__seen || {};
  const seen = window.__seen[name] = [new URLSearchParams(location.search).get(name)];
  const record = () => { const v = new URLSearchParams(location.search).get(name); if (seen[seen.length - 1] !== v) seen.push(v); };
  for (const f of ['pushState', 'replaceState']) {
    const original = history[f].bind(history);
    history[f] = (...args) => { const r = original(...args); record(); return r; };
  }
}"""


def watch_param(page, name: str) -> None:
    """Record every value URL parameter ``name`` takes from now on (the app writes the URL through
    the History API), so a fast sequence — playback steps — is checked without missing one."""
    page.evaluate(WATCH, name)


def seen_values(page, name: str) -> list[str | None]:
    """The values :func:`watch_param` recorded, in order, consecutive repeats collapsed."""
    return page.evaluate(f"() => window.__seen[{name!r}].slice()")


def wait_seen(page, name: str, count: int, *, timeout_ms: float = 60_000) -> list[str | None]:
    """Until ``name`` has taken at least ``count`` recorded values; returns them."""
    page.wait_for_function(f"() => window.__seen[{name!r}].length >= {count}", timeout=timeout_ms)
    return seen_values(page, name)
