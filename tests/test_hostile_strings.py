"""Hostile strings: script, HTML, Markdown links and formulas render as text everywhere.

The events come from ``tests/fixtures/hostile_events.csv`` (synthetic payloads in actor
names, places, notes, event types and source URLs).
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.areas import tag_events
from geo.articles import highlight_html, read_article
from geo.escape import LINK_REL, html_text, link_html, markdown_text, safe_url, source_urls
from geo.export import FORMULA_PREFIXES, safe_csv
from geo.io import read_events
from geo.mapview import build_map, map_html, standalone_html
from geo.query import Query
from geo.storage.embedded import EmbeddedStore
from tests.conftest import FIXTURES, ROOT

PAYLOADS = ["<script>alert('actor1')</script>", "<img src=x onerror=alert('actor2')>", "<svg onload=alert('location')>",
            "<iframe src=javascript:alert('iframe')>", "<b onmouseover=alert('sub')>"]  # fmt: skip


@pytest.fixture(scope="module")
def hostile_events_gdf():
    return tag_events(read_events(FIXTURES / "hostile_events.csv").events)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a?b=1&c=2", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/x", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("//evil.example/x", False),
        ("/relative/path", False),
        ("http://", False),
        ('https://example.org/"><script>alert(1)</script>', False),
        ("https://example.org/a b", False),
        ("https://example.org/\x00", False),
        ("ftp://example.org/file", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_links_are_made_clickable(url, safe):
    assert (safe_url(url) is not None) is safe
    html = link_html(url, "source")
    assert ("<a " in html) is safe
    if safe:
        assert f'rel="{LINK_REL}"' in html and 'target="_blank"' in html and LINK_REL == "noopener noreferrer"


@pytest.mark.parametrize("payload", [*PAYLOADS, "[click](javascript:alert(1))", "![x](https://evil/x.png)", "line\n\n<script>x</script>"])
def test_html_text_leaves_no_tag_or_markdown_link(payload):
    text = html_text(payload)
    assert "<" not in text.replace("<br>", "") and ">" not in text.replace("<br>", "")
    assert "](" not in text and "\n" not in text


@pytest.mark.parametrize("payload", [*PAYLOADS, "[click](javascript:alert(1))", "**bold** _it_ $x$ `code`"])
def test_markdown_text_escapes_every_markdown_construct(payload):
    escaped = markdown_text(payload)
    assert re.search(r"(?<!\\)[<>\[\]()*_`$]", escaped) is None


def test_map_popups_and_tooltips_show_payloads_as_text(hostile_events_gdf):
    m, mode = build_map(hostile_events_gdf, Query(mode="points"))
    html = map_html(m)
    assert mode == "points"
    for payload in PAYLOADS:
        assert payload not in html
    # Popups travel as JSON inside a <script>: no raw '<' can close it.
    assert "\\u003cscript\\u003e" not in html.split("conflictMapEvents", 1)[-1][:20]
    assert "&amp;lt;script&amp;gt;alert" not in html  # escaped once, not twice
    assert re.search(r'href=\\?"(javascript|data|vbscript):', html, re.IGNORECASE) is None
    assert "example.org/ok" in html and "noopener noreferrer" in html


def test_standalone_html_escapes_payloads(hostile_events_gdf):
    m, _ = build_map(hostile_events_gdf, Query(mode="points"))
    html = standalone_html(m)
    for payload in PAYLOADS:
        assert payload not in html
    assert "cdn" not in html.lower().split("<body", 1)[-1]


def test_legend_escapes_unknown_event_type(hostile_events_gdf):
    html = map_html(build_map(hostile_events_gdf, Query(mode="points"))[0])
    assert "<img src=x onerror=alert('type')>" not in html


def test_source_urls_drop_unsafe_and_keep_safe():
    cell = "javascript:alert(1) || https://example.org/ok || data:text/html,x || http://example.com/b"
    assert source_urls(cell) == ["https://example.org/ok", "http://example.com/b"]
    assert source_urls(pd.NA) == [] and source_urls(None) == [] and source_urls(float("nan")) == []


def test_article_payloads_are_text(tmp_path):
    path = tmp_path / "hostile.md"
    path.write_text(
        "---\ntitle: <script>alert(1)</script>\ndate: 2024-12-01\noutlet: x\nurl: javascript:alert(1)\n---\n"
        "On Monday HTS captured Saraqib. <img src=x onerror=alert(1)>\n\n[click](javascript:alert(2))\n\n<script>alert(3)</script>\n",
        encoding="utf-8",
    )
    article = read_article(path)
    html = highlight_html(article, [(0, 31, "e-1")], link_params="from=2024-11-27")
    assert "<img" not in html and "<script" not in html and "](" not in html
    assert html.count("<a ") == 1 and 'href="./?event=e-1&amp;from=2024-11-27"' in html
    assert safe_url(article.url) is None


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_csv_export_neutralises_formula_cells(prefix):
    frame = pd.DataFrame({"actor1": [f"{prefix}HYPERLINK(\"http://evil\")", "plain"], "fatalities": [-3, 4]})
    out = pd.read_csv(io.BytesIO(safe_csv(frame)), keep_default_na=False)
    assert out["actor1"].iloc[0].startswith(f"'{prefix}".replace("\r", ""))
    assert out["actor1"].iloc[1] == "plain"
    assert out["fatalities"].tolist() == [-3, 4]  # numbers stay numbers


def test_csv_export_of_hostile_events(hostile_events_gdf):
    out = pd.read_csv(io.BytesIO(safe_csv(hostile_events_gdf)), keep_default_na=False, dtype=str)
    cells = out.to_numpy().ravel()
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?\d+(\.\d+)?", c)]
    assert risky == []
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in cells and "'@SUM(1+1)" in cells and "'+cmd" in cells


def test_rejected_rows_download_is_formula_safe(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('event_id,event_date,latitude,longitude,notes\n=cmd,not a date,1,2,"@x"\n', encoding="utf-8")
    rejected = read_events(path).report.rejected
    out = safe_csv(rejected).decode()
    assert "'=cmd" in out and "'@x" in out


def test_event_detail_shows_payloads_as_text_and_only_safe_links(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path))
    dataset_id, _ = EmbeddedStore(tmp_path).save((FIXTURES / "hostile_events.csv").read_bytes(), name="<b>hostile</b>.csv")
    for event_id, links in (("X1", 0), ("X2", 1), ("X3", 0)):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["dataset"] = dataset_id
        at.query_params["event"] = event_id
        at.run()
        assert not at.exception
        texts = " ".join(t.value for t in at.text)
        assert "Actors:" in texts
        markdown = [m.value for m in at.markdown]
        anchors = [a for m in markdown for a in re.findall(r"<a [^>]*>", m)]
        assert len(anchors) == links
        assert all(f'rel="{LINK_REL}"' in a and 'href="https://' in a for a in anchors)
        for m in markdown:
            assert "<script" not in m and "<img" not in m and "javascript:" not in m
        if event_id == "X1":
            assert "<script>alert('actor1')</script>" in texts  # shown literally, as text
