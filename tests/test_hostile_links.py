"""Hostile links: every URL parameter fuzzed; the page renders, says what it ignored, keeps the rest."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from geo.access import LOCAL, NotAvailable
from geo.query import MAX_MEMBERS, Query, Vocabulary
from geo.store import EmbeddedStore
from tests.conftest import ROOT

VOCAB = Vocabulary(
    actors=frozenset({"HTS", "SNA"}), areas=frozenset({"aleppo", "idlib", "border"}), datasets=frozenset({"bundled"}),
    date_min=date(2024, 11, 27), date_max=date(2024, 12, 12),
)  # fmt: skip

#: (case, params, text the ignored list must contain, (field, value) that must survive from the rest of the link)
CASES = [
    ("unknown key", {"foo": ["bar"], "type": ["Battles"]}, "'foo': unknown parameter", ("types", ("Battles",))),
    ("repeated single-valued key", {"mode": ["points", "heatmap"], "type": ["Battles"]}, "mode: given 2 times", ("mode", "points")),
    ("huge value", {"q": ["x" * 100_000], "type": ["Battles"]}, None, ("text", "x" * 200)),
    ("huge date", {"from": ["9" * 5000], "type": ["Battles"]}, "from: expected a date", ("types", ("Battles",))),
    ("invalid date", {"from": ["2024-02-30"], "to": ["2024-12-01"]}, "from: expected a date", ("date_to", date(2024, 12, 1))),
    ("reversed dates", {"from": ["2024-12-05"], "to": ["2024-11-28"]}, "to: 2024-11-28 is before from", ("date_from", date(2024, 12, 5))),
    ("zoom=-5 (unknown key)", {"zoom": ["-5"], "type": ["Battles"]}, "'zoom': unknown parameter", ("types", ("Battles",))),
    ("view with negative zoom", {"view": ["36.2,37.1,-5"], "type": ["Battles"]}, "view: expected lat in ±90", ("view", None)),
    ("view=NaN,NaN", {"view": ["NaN,NaN,8"], "type": ["Battles"]}, "view: expected lat in ±90", ("types", ("Battles",))),
    ("view=inf", {"view": ["inf,-inf,8"]}, "view: expected lat in ±90", ("view", None)),
    ("view not numbers", {"view": ["<script>,1,2"]}, "view: expected lat,lon,zoom", ("view", None)),
    ("unknown dataset id", {"dataset": ["0123456789abcdef"], "type": ["Battles"]}, "not available to you", ("dataset", "bundled")),
    ("path-like dataset", {"dataset": ["../../etc/passwd"]}, "dataset: expected 'bundled' or a 16-hex-digit", ("dataset", "bundled")),
    ("absolute path dataset", {"dataset": ["/etc/passwd"]}, "dataset: expected", ("dataset", "bundled")),
    ("unknown actor among known", {"actor": ["HTS", "<script>alert(1)</script>"]}, "actor: unknown actor", ("actors", ("HTS",))),
    ("thousands of actors", {"actor": [f"a{i}" for i in range(5000)]}, f"kept the first {MAX_MEMBERS}", ("actors", ())),
    ("unknown event type", {"type": ["Battles", "Nope"]}, "type: unknown event type 'Nope'", ("types", ("Battles",))),
    ("negative fatalities", {"fat": ["-3"]}, "fat: expected a whole number", ("min_fatalities", 0)),
    ("border km out of range", {"km": ["0"], "area": ["border"]}, "km: expected a border zone width", ("areas", ("border",))),
    ("bad step", {"step": ["year"], "mode": ["grid"]}, "step: expected one of", ("mode", "grid")),
]  # fmt: skip


@pytest.mark.parametrize(("case", "params", "ignored", "kept"), CASES, ids=[c[0] for c in CASES])
def test_tampered_link_is_reported_and_the_rest_kept(case, params, ignored, kept):
    query = Query.from_params(params, vocab=VOCAB)
    if ignored:
        assert any(ignored in note for note in query.ignored), query.ignored
    field, value = kept
    assert getattr(query, field) == value


def test_path_like_dataset_id_never_touches_the_filesystem(tmp_path, monkeypatch):
    touched: list[str] = []
    for name in ("exists", "open", "read_bytes", "stat"):
        original = getattr(Path, name)

        def spy(self, *args, _original=original, **kwargs):
            touched.append(str(self))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Path, name, spy)
    for hostile in ("../../etc/passwd", "/etc/passwd", "..", "0123456789abcdef/../../x", "0123456789ABCDEF", "%2e%2e%2f"):
        with pytest.raises(NotAvailable, match="not available to you"):
            EmbeddedStore(tmp_path).load(hostile, LOCAL)
    assert touched == []


keys = st.one_of(st.sampled_from(["from", "to", "day", "step", "slice", "role", "mode", "actor", "type", "sub", "area",
                                  "fat", "q", "dataset", "view", "event", "km"]), st.text(max_size=12))  # fmt: skip
values = st.one_of(st.text(max_size=60), st.sampled_from(["NaN,NaN,8", "-5", "9" * 400, "../../etc/passwd", "2024-13-45",
                                                          "36.2,37.1,99", "<script>alert(1)</script>", "", " "]))  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, st.lists(values, min_size=1, max_size=4), max_size=8))
def test_any_link_gives_a_query_that_round_trips(params):
    query = Query.from_params(params, vocab=VOCAB)
    again = Query.from_params(query.to_params(), vocab=VOCAB)
    assert again == query and again.ignored == ()  # what survives is itself a clean link
    assert query.describe()  # and describes itself in words
    assert query.dataset == "bundled" or query.dataset in VOCAB.datasets


HOSTILE_LINKS = [
    {"dataset": "../../etc/passwd", "type": "Battles"},
    {"view": "NaN,NaN,8", "zoom": "-5", "type": "Battles", "from": "2024-02-30"},
    {"q": "<script>alert(1)</script>" * 50, "actor": "<img src=x onerror=alert(1)>", "type": "Battles"},
    {"event": "<svg onload=alert(1)>", "type": "Battles", "fat": "-1", "km": "100000"},
]


@pytest.mark.parametrize("params", HOSTILE_LINKS)
def test_app_renders_hostile_links_and_says_what_it_ignored(params):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Ignored link parameters" in warnings
    assert re.search(r"(?<!\\)<(script|img|svg)", warnings) is None  # Markdown-escaped: shown as text
    assert at.query_params["type"] == ["Battles"] or at.query_params["type"] == "Battles"  # the rest of the link kept
    assert at.multiselect(key="w_types").value == ["Battles"]


@settings(max_examples=12, deadline=None)
@given(st.dictionaries(keys, values, min_size=1, max_size=6))
def test_app_renders_any_fuzzed_link(params):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        if key.strip():
            at.query_params[key] = value
    at.run()
    assert not at.exception
    assert at.session_state["query"].dataset == "bundled"  # no fuzzed value reaches another dataset
