"""Review benchmark: from a decision's key press to the next candidate painted, on a queue of ≥ 500.

The queue is real: one article per source day of the UCDP GED Syria 2017 events, its text the
day's source headlines (at most :data:`HEADLINES_PER_DAY`), each proposed through
:meth:`geo.candidate_store.CandidateStore.propose_article` as the Review page would, until at least
``n`` candidates wait. Timed in Debian Chromium (Playwright) on the page's own clock, from the
key press's event timestamp until the "Candidate k of n" caption has changed, the run the press
caused has finished (every element of the page drawn) and two animation frames passed; the
caption is what says another candidate is shown (two candidates may share one sentence). The
small map, a component frame that loads after, is timed on to its markers drawn.

The naive way, in the same run: the same decision, then the whole page loaded again (what a
server-rendered review form does after each post), timed to the same caption. It drives
Streamlit, so it lives here and not in ``geo/``: ``python -m geo bench --cases review`` loads it by path.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from browser import ARGS, CHROMIUM, _server

from geo.access import LOCAL
from geo.bench.core import UCDP_EVAL, Row
from geo.extract_silver import read_coded
from geo.paths import ROOT
from geo.storage.embedded import EmbeddedStore

HEADLINES_PER_DAY = 12
#: Decisions timed per way: ours presses A (accept), X (reject) and N (next) in turn.
PRESSES = 30
KEYS = {"a": "A (accept: the decision and its desk dataset written)", "x": "X (reject: the decision written)", "n": "N (next: nothing written)"}
NAIVE_PRESSES = 10
#: ``__rvArm(before)`` starts a measurement: its start is the next key press; ``__rvDone`` resolves with the
#: milliseconds to the caption differing from ``before`` with the run finished and two frames painted,
#: ``__rvMap`` with those to the small map's markers drawn again (``window.reviewDrawn`` grown in its frame).
TIMER_JS = """
window.__wsTimes = [];
const NativeSocket = window.WebSocket;
window.WebSocket = function(...args) {
  const ws = new NativeSocket(...args);
  ws.addEventListener('message', e => { window.__wsTimes.push(performance.now()); window.__wsBytes = (window.__wsBytes || 0) + (e.data.byteLength || e.data.size || e.data.length || 0); });
  return ws;
};
window.WebSocket.prototype = NativeSocket.prototype;
window.__rvArm = (before) => {
  window.__rvStart = null;
  const drawnBefore = new Map(Array.from(document.querySelectorAll('iframe'), f => [f.contentWindow, f.contentWindow.reviewDrawn || 0]));
  window.addEventListener('keydown', e => { if (window.__rvStart === null) window.__rvStart = e.timeStamp; },
                          {capture: true, once: true});
  const caption = () => Array.from(document.querySelectorAll("[data-testid='stCaptionContainer']"), e => e.textContent)
                          .find(t => /^Candidate \\d/.test(t)) || '';
  const idle = () => document.querySelector("[data-testid='stApp']").getAttribute('data-test-script-state') !== 'running';
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())));
  window.__rvDone = new Promise(resolve => {
    // Only the script state is watched (a watch on every node would slow the page it times).
    const seen = new MutationObserver(() => {
      if (window.__rvStart === null || caption() === before || caption() === '' || !idle()) return;
      seen.disconnect();
      frames().then(() => resolve(performance.now() - window.__rvStart));
    });
    seen.observe(document.querySelector("[data-testid='stApp']"), {attributes: true, attributeFilter: ['data-test-script-state']});
  });
  window.__rvMap = new Promise(resolve => {
    const poll = () => {
      const fresh = Array.from(document.querySelectorAll('iframe'), f => f.contentWindow)
                         .find(w => w && w.reviewPlaces > 0 && (w.reviewDrawn || 0) > (drawnBefore.get(w) || 0));
      if (window.__rvStart !== null && fresh) { resolve(performance.now() - window.__rvStart); return; }
      requestAnimationFrame(poll);
    };
    poll();
  });
  return true;
};
"""


def bench_review(sizes: tuple[int, ...]) -> list[Row]:
    """Decision → next candidate painted on a queue of at least ``min(sizes)`` ≥ 500 candidates, ours and naive."""
    if not UCDP_EVAL.exists():
        msg = f"expected the real UCDP file at {UCDP_EVAL} (../shared/eval)"
        raise FileNotFoundError(msg)
    n = max(500, min(sizes))
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        made, secs = real_queue(Path(tmp), n)
        rows = [_said(Row("review queue built", made, "propose_article per UCDP 2017 source day", secs))]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        with _server(ROOT / "app.py", ROOT, {"CONFLICT_MAP_DATASETS": tmp}) as (url, _pid):
            rows += _ours(browser, url, made)
            rows += _naive(browser, url, made)
        browser.close()
    return rows


def real_queue(directory: Path, n: int) -> tuple[int, float]:
    """Propose one article per UCDP 2017 source day into the store at ``directory`` until ``n`` candidates wait."""
    store, made, start = EmbeddedStore(directory), 0, time.perf_counter()
    coded = read_coded(UCDP_EVAL, years=(2017,))
    for day, group in coded.groupby(coded["published"].dt.date):
        lines = [h.rstrip(".") + "." for h in dict.fromkeys(group["headline"])][:HEADLINES_PER_DAY]
        text = f"---\ntitle: UCDP GED sources of {day}\ndate: {day}\noutlet: UCDP GED source headlines\n---\n" + "\n\n".join(lines)
        made += len(store.propose_article(text, LOCAL, name=f"UCDP sources {day}").candidates)
        if made >= n:
            return made, time.perf_counter() - start
    msg = f"expected at least {n} candidates from the 2017 headlines, got {made}"
    raise AssertionError(msg)


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.add_init_script(TIMER_JS)
    page.goto(f"{url}/review")
    _ready(page)
    return page


def _ready(page) -> None:
    """Until a candidate is shown, its map has drawn its markers and no run is going on."""
    page.get_by_text(re.compile(r"^Candidate \d")).first.wait_for(timeout=120_000)
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe')).some(f => f.contentWindow.reviewPlaces > 0)",
                           timeout=120_000)  # fmt: skip
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000)


def _caption(page) -> str:
    return page.locator("[data-testid='stCaptionContainer']", has_text=re.compile(r"^Candidate \d")).first.inner_text()


def _press(page, key: str) -> tuple[float, float, str]:
    """Seconds to the next candidate painted and to its map drawn, and the caption then."""
    before = _caption(page)
    page.evaluate("b => window.__rvArm(b)", before)
    page.locator("h1").first.click()  # the focus out of any box or frame: shortcuts go to the page
    page.evaluate("() => { window.__rvStart = null; }")  # the click is no key press
    page.keyboard.press(key)
    shown = _waited(page, "__rvDone", f"the press of {key!r}: no other candidate shown")
    drawn = _waited(page, "__rvMap", f"the press of {key!r}: no new map drawn")
    after = _caption(page)
    if after == before:
        msg = f"the press of {key!r} showed no other candidate ({before!r})"
        raise AssertionError(msg)
    return shown, drawn, after


def _waited(page, promise: str, failure: str, *, timeout_s: float = 60) -> float:
    """Seconds the page's promise ``window[promise]`` resolves with; AssertionError with ``failure`` after ``timeout_s``."""
    ms = page.evaluate(f"() => Promise.race([window.{promise}, new Promise(r => setTimeout(() => r(-1), {timeout_s * 1000}))])")
    if ms < 0:
        raise AssertionError(failure)
    return ms / 1000


def _ours(browser, url: str, n: int) -> list[Row]:
    page = _open(browser, url)
    _press(page, "n")  # warm: the first press loads the edit form's and the map's code
    shown: dict[str, list[float]] = {key: [] for key in KEYS}
    drawn: list[float] = []
    for i in range(PRESSES):
        key = list(KEYS)[i % len(KEYS)]
        s, d, _ = _press(page, key)
        shown[key].append(s)
        drawn.append(d)
    page.close()
    return [*(_row("decision → next candidate painted", n, f"ours: {what}", shown[key]) for key, what in KEYS.items()),
            _row("decision → next candidate's map drawn", n, "ours: A, X and N in turn", drawn)]  # fmt: skip


def _naive(browser, url: str, n: int) -> list[Row]:
    page, runs = _open(browser, url), []
    for _ in range(NAIVE_PRESSES):
        before, start = _caption(page), time.perf_counter()
        page.evaluate("b => window.__rvArm(b)", before)
        page.locator("h1").first.click()
        page.keyboard.press("a")
        _waited(page, "__rvDone", "the press of 'a': no other candidate shown")  # the decision made and shown: now the page again
        page.reload()
        _ready(page)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
        runs.append(time.perf_counter() - start)
    page.close()
    return [_row("decision → next candidate painted", n, "naive: the decision, then the page loaded again", runs)]


def _row(case: str, n: int, method: str, secs: list[float]) -> Row:
    p90 = sorted(secs)[int(0.9 * (len(secs) - 1))]
    return _said(Row(case, n, method, statistics.median(secs), note=f"{len(secs)} presses; p90 {p90:.3f} s; max {max(secs):.3f} s"))


def _said(row: Row) -> Row:
    print(f"{row.case} | {row.n:,} | {row.method} | {row.seconds:.3f} | {row.note}", file=sys.stderr, flush=True)
    return row
