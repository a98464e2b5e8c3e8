"""The README's "Where things go" recipes, walked on a copy of the project.

Each test copies the project, makes exactly the edits its recipe names, and checks that what the
recipe promises follows (the link, the CLI flag, the widget, the page) and that the tests the recipe
names fail until its docs/test step is done. A change that makes a recipe need one more file fails
here: the edit set is compared with the recipe's list.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

COPIED = ("geo", "pages", "tests", "data", "seeds", ".streamlit", "app.py", "README.md", "pyproject.toml")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project the recipe is applied to (never the working tree itself)."""
    out = tmp_path / "project"
    out.mkdir()
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=IGNORED)
        elif src.exists():
            shutil.copy2(src, out / name)
    return out


def _insert_after(path: Path, anchor: str, text: str) -> None:
    """Insert ``text`` after the one line matching the regular expression ``anchor`` (the recipe's place)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if re.search(anchor, line)]
    assert len(hits) == 1, f"{path.name}: expected one line matching {anchor!r}, got {len(hits)}"
    lines.insert(hits[0] + 1, text)
    path.write_text("".join(lines), encoding="utf-8")


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project), "CONFLICT_MAP_DATASETS": str(project / "var" / "datasets")}
    return subprocess.run([sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False)


def _changed(project: Path) -> set[str]:
    """Files of the copy that differ from the working tree, or are new in it (caches aside)."""
    out = set()
    for path in project.rglob("*"):
        rel = path.relative_to(project)
        if path.is_dir() or "__pycache__" in rel.parts or rel.parts[0] in ("var", ".pytest_cache"):
            continue
        original = ROOT / rel
        if not original.exists() or original.read_bytes() != path.read_bytes():
            out.add(rel.as_posix())
    return out


FILTER_PROBE = """
import subprocess, sys
from geo.params import parse_params, widget_key, WIDGET_NAMES, SIDEBAR_NAMES, Vocabulary
from geo.query import Query
from geo.sidebar import filter_widgets
from geo.ui_state import STATE_KEYS, SIDEBAR
from geo.storage.bundled import load_bundled

values, ignored = parse_params({"place": "Aleppo"})
assert values["place_text"] == "Aleppo" and not ignored, (values, ignored)
query = Query(place_text="Aleppo")
assert query.to_params()["place"] == "Aleppo"
assert Query(**parse_params(query.to_params())[0]) == query
assert "place" in WIDGET_NAMES and "place" in SIDEBAR_NAMES and widget_key("place") in SIDEBAR and "place" in STATE_KEYS
widgets = filter_widgets(Vocabulary())
assert any(getattr(w, "key", None) == widget_key("place") for w in widgets), [getattr(w, "key", None) for w in widgets]
events = load_bundled()
kept = query.apply(events, use_slice=False)
assert 0 < len(kept) < len(events) and kept["location"].str.contains("Aleppo", case=False).all()
help_text = subprocess.run([sys.executable, "-m", "geo", "map", "--help"], capture_output=True, text=True, check=True).stdout
assert "--place" in help_text, help_text
print("filter recipe holds")
"""


def test_a_new_filter_touches_params_query_and_the_sidebar_only(project):
    """README: a row in PARAMS, a field and a mask line on Query, a widget in WIDGETS; tests/docs fail until done."""
    _insert_after(project / "geo" / "params.py", r'^\s+Param\("q", ',
                  '    Param("place", "place_text", "text", "text searched in the location name", widget="sidebar"),\n')
    _insert_after(project / "geo" / "query.py", r'^    text: str = ""$', '    place_text: str = ""\n')
    _insert_after(project / "geo" / "query.py", r"masks\.append\(_text_match\(events, self\.text\)\)",
                  "        if self.place_text:\n"
                  '            masks.append(events["location"].astype("string").str.contains(self.place_text, case=False,'
                  " regex=False).fillna(False).to_numpy(bool))\n")  # fmt: skip
    _insert_after(project / "geo" / "sidebar.py", r'^\s+"q": lambda v:',
                  '    "place": lambda v: _filter("place", "text_input", "Search places", max_chars=200),\n')
    probe = _run(project, "-c", FILTER_PROBE)
    assert probe.returncode == 0, probe.stderr[-3000:]
    # The tests the recipe names fail until the parameter is documented and its widget has a test value.
    before = _run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_params.py", "tests/test_ui_state.py")
    assert before.returncode != 0
    for failing in ("test_the_readme_lists_every_parameter", "a widget without a test value",
                    "test_a_parameter_round_trips_through_the_link[place]"):  # fmt: skip
        assert failing in before.stdout, failing
    table = _run(project, "-c", "from geo.params import params_table; print(params_table(), end='')").stdout
    readme = project / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index(table.splitlines()[0])
    end = text.index("\n\n", start)
    readme.write_text(text[:start] + table + text[end:], encoding="utf-8")
    _insert_after(project / "tests" / "test_ui_state.py", r'^\s+"fat": 4, "q": "airport"', '    "place": "Aleppo",\n')
    _insert_after(project / "tests" / "test_params.py", r'^\s+"dataset": "0123456789abcdef", "mode"', '    "place_text": "Aleppo",\n')
    after = _run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_params.py", "tests/test_ui_state.py")
    assert after.returncode == 0, after.stdout[-3000:]
    assert _changed(project) == {"geo/params.py", "geo/query.py", "geo/sidebar.py", "README.md",
                                 "tests/test_ui_state.py", "tests/test_params.py"}


PANEL = '''

@dataclass(frozen=True)
class PlacePanel:
    """Events per place in the view: where the fighting concentrates."""

    counts: pd.DataFrame


def place_panel(events: pd.DataFrame, query: Query) -> PlacePanel:
    """The view's events counted by their ``location`` (most first)."""
    rows = query.apply(events, use_slice=False)
    counts = rows["location"].fillna("").replace("", "(none)").value_counts().rename_axis("location").reset_index(name="events")
    return PlacePanel(counts)
'''

PAGE = '''"""Hotspots: where the events in view happened."""

from __future__ import annotations

import streamlit as st

from geo.page import page_context
from geo.panels import place_panel

ctx = page_context(st.session_state, page="hotspots")
st.title("Hotspots")
st.dataframe(place_panel(ctx.events, st.session_state["query"]).counts, hide_index=True)
'''

PAGE_TEST = '''

def test_hotspots_page_counts_the_views_places():
    at = _page("pages/hotspots.py", {"actor": "HTS"})
    assert not at.exception
    counts = at.dataframe[0].value
    assert list(counts.columns) == ["location", "events"] and counts["events"].sum() > 0
'''

PANEL_TEST = '''

def test_place_panel_counts_the_filtered_events():
    from geo.panels import place_panel
    from geo.query import Query
    from geo.storage.bundled import load_bundled

    events = load_bundled()
    every = place_panel(events, Query()).counts
    hts = place_panel(events, Query(actors=("HTS",))).counts
    assert every["events"].sum() == len(events) > hts["events"].sum() > 0
'''


def test_a_new_page_is_a_panel_a_script_an_app_line_and_its_tests(project):
    """README: a panel in geo/panels.py with a unit test, a page script starting with page_context, a st.Page line
    in app.py and an AppTest; the page's checks (declared keys, ≤ 90 lines, no logic) hold without other files."""
    panels = project / "geo" / "panels.py"
    panels.write_text(panels.read_text(encoding="utf-8") + PANEL, encoding="utf-8")
    (project / "pages" / "hotspots.py").write_text(PAGE, encoding="utf-8")
    _insert_after(project / "app.py", r'st\.Page\("pages/data\.py"',
                  '        st.Page("pages/hotspots.py", title="Hotspots", icon="📍", url_path="hotspots"),\n')
    for name, text in (("test_pages.py", PAGE_TEST), ("test_panels.py", PANEL_TEST)):
        path = project / "tests" / name
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    run = _run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_pages.py::test_hotspots_page_counts_the_views_places",
               "tests/test_panels.py::test_place_panel_counts_the_filtered_events", "tests/test_ui_state.py", "tests/test_structure.py")  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
    assert "4 passed" not in run.stdout  # the whole ui_state and structure suites ran over the new page too
    assert _changed(project) == {"geo/panels.py", "pages/hotspots.py", "app.py", "tests/test_pages.py", "tests/test_panels.py"}
