"""The map page under Streamlit's AppTest: URL in → widgets and KPIs; widgets → URL out."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _run(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_opens_on_bundled_data():
    at = _run()
    assert not at.exception
    assert int(_metric(at, "Events").replace(",", "")) >= 150
    assert at.query_params["from"] == "2024-11-27" and at.query_params["to"] == "2024-12-12"
    # The whole dataset against the 16 days before it, which it does not cover: no "+157", and why.
    assert all(not m.delta for m in at.metric)
    assert any("No change shown" in c.value and "first day" in c.value for c in at.caption)


def test_url_params_drive_widgets_and_kpis():
    at = _run({"from": "2024-11-30", "to": "2024-11-30", "actor": "HTS", "type": "Battles"})
    assert not at.exception
    assert at.multiselect(key="w_actor").value == ["HTS"]
    assert at.multiselect(key="w_type").value == ["Battles"]
    assert 0 < int(_metric(at, "Events")) < 40
    assert any("Battles involving HTS, 30 Nov 2024" in c.value for c in at.caption)  # stated above the map
    links = [c.value for c in at.code]  # the map page's own link to this view (its fragment keeps it current)
    assert len(links) == 1 and "actor=HTS" in links[0] and "type=Battles" in links[0] and links[0].startswith("?from=2024-11-30")


def test_widget_change_updates_url():
    # Under st.navigation, AppTest reruns only the page script, not app.py (reproduced with a
    # 5-line app), so the widgets are set by key before the run that builds the query.
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["w_area"] = ["border"]
    at.session_state["w_fat"] = 3
    at.run()
    assert at.multiselect(key="w_area").value == ["border"]
    assert not at.exception
    assert at.query_params["area"] == "border"
    assert at.query_params["fat"] == "3"
    assert int(_metric(at, "Events")) < 20


@pytest.mark.parametrize(
    "params",
    [
        {"actor": "Nobody", "view": "1,2,999"},
        {"from": "2024-12-10", "to": "2024-11-01"},
        {"mode": "<script>alert(1)</script>", "fat": "lots"},
        {"dataset": "../../etc/passwd"},
    ],
)
def test_tampered_params_warn_not_crash(params):
    at = _run(params)
    assert not at.exception
    assert any("Ignored link parameters" in w.value for w in at.warning)


def test_selected_event_shows_its_source():
    at = _run({"event": "E060"})
    assert not at.exception
    texts = " ".join(t.value for t in at.text)
    assert "Source:" in texts and "Aleppo International Airport" in texts


def test_hostile_search_text_is_not_rendered_as_markdown():
    at = _run({"q": "[click](javascript:alert(1)) <img src=x onerror=alert(1)>"})
    assert not at.exception
    described = " ".join(c.value for c in at.caption if "mentioning" in c.value)
    assert "\\[click\\]\\(javascript" in described and "\\<img" in described
