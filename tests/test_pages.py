"""One AppTest per page (switched to from the entry point, as st.navigation runs it)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _page(page: str, params: dict | None = None, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    return at.switch_page(page).run()


def test_border_watch_uses_km_from_the_url():
    at = _page("pages/border.py", {"km": "50"})
    assert not at.exception
    assert at.slider(key="w_km").value == 50
    assert any("within 50 km of the border" in c.value for c in at.caption)
    texts = " ".join(t.value for t in at.text)
    assert "Status from events:" in texts and "closed" in texts


def test_timeline_page_compares_periods_and_opens_a_day():
    at = _page("pages/timeline.py")
    assert not at.exception
    assert len(at.dataframe) >= 1
    at.selectbox(key="tl_day").set_value("2024-11-30")
    at.button(key="tl_open").click().run()
    assert not at.exception
    assert at.session_state["day"] == "2024-11-30"


def test_actors_page_lists_top_actors_and_pairs():
    at = _page("pages/actors.py", {"actor": "HTS"})
    assert not at.exception
    top = at.dataframe[0].value
    assert top.iloc[0]["actor"] == "HTS"
    assert any("Known as:" in c.value and "Hay'at Tahrir al-Sham" in c.value for c in at.caption)


def test_articles_page_highlights_and_rejects():
    at = _page("pages/articles.py")
    assert not at.exception
    html = " ".join(m.value for m in at.markdown)
    assert "<mark>" in html and "?event=000_01c4ab2752bbdb4c-" in html
    reasons = " ".join(" ".join(map(str, df.value.get("reason", []))) for df in at.dataframe)
    assert "background (mentions 2016)" in reasons


def test_articles_page_escapes_a_hostile_article(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path))  # the pasted article is stored here
    hostile = "---\ntitle: <script>alert(1)</script>\ndate: 2024-12-01\noutlet: x\n---\nOn Monday HTS captured Saraqib. <img src=x onerror=alert(1)>\n"
    at = _page("pages/articles.py")
    at.text_area(key="art_text").input(hostile)
    at.button(key="art_add").click().run()
    assert not at.exception
    assert len(list((tmp_path / "articles").glob("*.md"))) == 1  # kept in the store, not in the session
    html = " ".join(m.value for m in at.markdown)
    assert "<img" not in html and "&lt;img src&#61;x" in html
    assert any("\\<script\\>" in h.value for h in at.subheader)  # the title is shown as text


def test_data_page_shows_quality_and_schema():
    at = _page("pages/data.py")
    assert not at.exception
    assert {m.label for m in at.metric} >= {"Duplicate ids", "Without coordinates", "admin1 disagrees with polygon"}
    assert any("`event_id`" in m.value for m in at.markdown)


@pytest.mark.parametrize("page", ["pages/border.py", "pages/timeline.py", "pages/actors.py", "pages/data.py"])
def test_pages_keep_the_query_in_the_url(page):
    at = _page(page, {"type": "Battles", "from": "2024-11-29", "to": "2024-12-02"})
    assert not at.exception
    assert at.query_params["type"] == "Battles" and at.query_params["from"] == "2024-11-29"


def test_border_watch_takes_any_km_a_link_may_carry():
    """The slider's bounds are the link parameter's (1–300 km): ?km=200 used to be out of the slider's range."""
    at = _page("pages/border.py", {"km": "200"})
    assert not at.exception
    assert at.slider(key="w_km").value == 200


def test_data_page_shares_deletes_and_shows_the_audit_log(tmp_path, monkeypatch):
    """Sign-in off: the analyst at the machine owns every upload; Share, Delete and the audit log work by key."""
    from geo.access import LOCAL
    from geo.storage.embedded import EmbeddedStore
    from tests.conftest import FIXTURES

    store = EmbeddedStore(tmp_path)
    dataset_id, _ = store.save((FIXTURES / "acled_new_text_inter.csv").read_bytes(), name="acled.csv")
    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path))
    at = _page("pages/data.py")
    assert not at.exception
    assert not any(str(tmp_path) in c.value for c in at.caption)  # no server path on the page
    assert at.selectbox(key="sh_dataset").value == dataset_id
    at.radio(key=f"sh_visibility:{dataset_id}").set_value("link")  # signed_in → link narrows: saved at once
    at.button(key="sh_save").click().run()
    assert not at.exception and any("now visible to anyone with its link" in s.value for s in at.success)
    assert store.info(dataset_id, LOCAL).visibility == "link"
    at.checkbox(key=f"del_confirm:{dataset_id}").check().run()
    at.button(key="del_go").click().run()
    assert not at.exception and any(f"Deleted acled.csv ({dataset_id})" in s.value.replace("\\", "") for s in at.success)
    assert store.version(dataset_id) is None
    log = store.audit_log(LOCAL)
    assert log["action"].tolist() == ["delete", "share", "upload"]
    assert any(f.value.equals(log) for f in at.dataframe if list(f.value.columns) == list(log.columns))


PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))


def _code_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


@pytest.mark.parametrize("path", PAGE_FILES, ids=[p.name for p in PAGE_FILES])
def test_a_page_lays_out_and_starts_from_its_context(path):
    """A page is layout: at most 90 code lines, its first statement after the imports is the one page_context call."""
    text = path.read_text(encoding="utf-8")
    assert len(_code_lines(text)) <= 90, f"{path.name}: {len(_code_lines(text))} code lines"
    statements = [line for line in _code_lines(text) if not line.startswith(("from ", "import ", '"""', " ", ")"))]
    assert statements[0] == f'ctx = page_context(st.session_state, page="{path.stem}")'
    assert "runpy" not in text and "_frame_active" not in text


@pytest.mark.parametrize("page", [f"pages/{p.name}" for p in PAGE_FILES])
def test_no_callable_travels_in_the_session_state(page):
    """What a run leaves in the session is data: a function there could be called by any later run (and pickles badly)."""
    at = _page(page) if page != "pages/map.py" else AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    callables = {k: type(v).__name__ for k, v in at.session_state._state.filtered_state.items() if callable(v)}
    assert not callables, callables


def test_geo_never_imports_streamlit():
    """geo computes, the pages lay out (geo/bench/ is a harness: its naive baseline is itself a Streamlit app)."""
    import ast

    for path in sorted(p for p in (ROOT / "geo").rglob("*.py") if "bench" not in p.parts):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] in ("streamlit", "streamlit_folium") for n in names), f"{path} imports {names}"
