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
from geo.storage.embedded import EmbeddedStore
from tests.conftest import ROOT, UCDP_EVAL

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
    ("path-like dataset", {"dataset": ["../../etc/passwd"]}, "dataset: expected 'bundled' or a dataset id", ("dataset", "bundled")),
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
    assert at.multiselect(key="w_type").value == ["Battles"]


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


# ---------------------------------------------------------------------- dates outside the dataset's range
# The sidebar's date input is bounded by the data's first and last day: a link made on another
# dataset used to raise StreamlitValueBelowMinError there, and every page lost its filters.

PAGES = ["pages/map.py", "pages/timeline.py", "pages/actors.py", "pages/border.py", "pages/articles.py", "pages/data.py"]
TITLES = {"pages/map.py": "Aleppo, Idlib", "pages/timeline.py": "Timeline", "pages/actors.py": "Actors",
          "pages/border.py": "Border Watch", "pages/articles.py": "Articles", "pages/data.py": "Data"}  # fmt: skip


def _open_page(page: str, params: dict[str, str]) -> AppTest:
    """The link opened on the map page (the default), then ``page`` switched to as st.navigation runs it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at if page == "pages/map.py" else at.switch_page(page).run()


def _notes(at: AppTest) -> str:
    return " ".join(w.value.replace("\\", "") for w in at.warning)  # Markdown-escaped on the page


def _assert_page_shows_the_note(at: AppTest, page: str, note: str, span: tuple[str, str]) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert any(TITLES[page] in t.value for t in at.title)  # the page itself rendered
    assert note in _notes(at), _notes(at)
    assert (at.query_params["from"], at.query_params["to"]) in (span, ([span[0]], [span[1]]))  # the URL holds the clamped view


@pytest.mark.parametrize("page", PAGES)
def test_every_page_clamps_a_link_from_before_the_bundled_data(page):
    at = _open_page(page, {"from": "2016-01-01", "to": "2017-12-31", "day": "2016-06-01", "type": "Battles"})
    _assert_page_shows_the_note(at, page, "The link's dates 2016-01-01 – 2017-12-31 lie outside this dataset "
                                "(2024-11-27 – 2024-12-12): showing its whole range", ("2024-11-27", "2024-12-12"))  # fmt: skip
    assert "The time slice 2016-06-01 lies outside the dates shown" in _notes(at)
    assert at.multiselect(key="w_type").value == ["Battles"]  # the rest of the link kept


@pytest.mark.parametrize("page", ["pages/map.py", "pages/timeline.py"])
def test_a_link_partly_outside_the_bundled_data_is_cut_where_it_falls_out(page):
    at = _open_page(page, {"from": "2024-11-01", "to": "2024-11-30", "day": "2024-11-29"})
    _assert_page_shows_the_note(at, page, "The link's dates 2024-11-01 – 2024-11-30 reach outside this dataset "
                                "(2024-11-27 – 2024-12-12): showing 2024-11-27 – 2024-11-30.", ("2024-11-27", "2024-11-30"))  # fmt: skip
    assert at.session_state["query"].day == date(2024, 11, 29)  # the slice inside the cut range stays


@pytest.fixture(scope="module")
def ucdp_store(tmp_path_factory):
    """The real UCDP GED file of 2016–17 stored in a store of its own, which the app then opens."""
    if not UCDP_EVAL.exists():
        pytest.skip(f"real UCDP file not present at {UCDP_EVAL} (../shared is absent in this checkout)")
    directory = tmp_path_factory.mktemp("ucdp_store")
    store = EmbeddedStore(directory)
    dataset_id, _ = store.save(UCDP_EVAL.read_bytes(), name="ucdp_ged_syria_2016_2017.csv")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONFLICT_MAP_DATASETS", str(directory))
        yield store, dataset_id


@pytest.mark.parametrize("page", PAGES)
def test_every_page_clamps_a_link_from_after_a_stored_dataset(page, ucdp_store):
    _, dataset_id = ucdp_store
    at = _open_page(page, {"dataset": dataset_id, "from": "2024-11-01", "to": "2024-11-30"})
    _assert_page_shows_the_note(at, page, "The link's dates 2024-11-01 – 2024-11-30 lie outside this dataset "
                                "(2016-01-01 – 2017-12-31): showing its whole range", ("2016-01-01", "2017-12-31"))  # fmt: skip
    assert at.session_state["query"].dataset == dataset_id


@pytest.mark.parametrize("page", ["pages/map.py", "pages/timeline.py"])
def test_a_dataset_deleted_while_a_session_shows_its_dates(page, tmp_path, monkeypatch):
    """The session shows a stored dataset with its dates and one of its actors; another session deletes
    it; the next run falls back to the bundled dataset, whose range is nowhere near."""
    if not UCDP_EVAL.exists():
        pytest.skip(f"real UCDP file not present at {UCDP_EVAL}")
    store = EmbeddedStore(tmp_path)
    dataset_id, _ = store.save(UCDP_EVAL.read_bytes(), name="ucdp.csv")
    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path))
    at = _open_page(page, {"dataset": dataset_id, "from": "2017-03-01", "to": "2017-03-31", "actor": "13th Division"})
    assert not at.exception and at.session_state["w_range"] == (date(2017, 3, 1), date(2017, 3, 31))
    store.delete(dataset_id, LOCAL)
    at.run()
    _assert_page_shows_the_note(at, page, "The dates in view 2017-03-01 – 2017-03-31 lie outside this dataset "
                                "(2024-11-27 – 2024-12-12): showing its whole range", ("2024-11-27", "2024-12-12"))  # fmt: skip
    assert any(f"dataset {dataset_id}: not available to you — showing the bundled dataset" in e.value.replace("\\", "")
               for e in at.error)  # fmt: skip
    assert "Actors not in this dataset dropped: 13th Division" in _notes(at)
    assert at.session_state["query"].dataset == "bundled" and at.session_state["query"].actors == ()
    at.run()  # and the runs after it (a map's own view report is one) keep the note and the view
    assert not at.exception and "The dates in view 2017-03-01" in _notes(at)
    assert at.session_state["w_range"] == (date(2024, 11, 27), date(2024, 12, 12))
