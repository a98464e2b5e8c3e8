"""Every session-state key the UI uses is declared in geo.ui_state (no page invents one)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from geo.params import WHOLE_RANGE, WIDGET_NAMES, Vocabulary, field_values, state_values, widget_key
from geo.query import Query, with_defaults
from geo.ui_state import (
    DATASET_KEYED,
    PREFIXED,
    SIDEBAR,
    STATE_KEYS,
    dataset_key,
    keep_in_bounds,
    mirror_widgets,
    open_dataset,
    prefixed_key,
    sync_view,
    view_notes,
)
from tests.conftest import ROOT

SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
#: geo modules that read or write the session state they are handed (``state``).
SESSION_MODULES = [ROOT / "geo" / f"{m}.py" for m in ("ui_state", "map_session", "data_session", "review_session", "review_edit", "places_session", "page")]
#: A key used as a literal or an f-string: ``session_state["k"]``, ``state.get(f"w_{x}")``, ``key="k"``.
USES = re.compile(r"""(?:\b(?:session_state|state)(?:\.(?:get|pop|setdefault)\(|\[)|\bkey=)\s*(f?)(["'])(.*?)\2""")
#: Keys made by the declared helpers: ``dataset_key("sh_teams", …)``, ``prefixed_key("map_", …)``, ``widget_key("km")``…
MADE = re.compile(r"""\b(dataset_key|is_dataset_key\([^,()]+,|prefixed_key|widget_key|restore_widgets\([^,()]+,)\(?\s*["']([A-Za-z_]+)["']""")


def undeclared(text: str) -> list[str]:
    """The session-state keys ``text`` uses that geo.ui_state does not declare (an f-string key counts by its
    literal start, which must be a declared prefix: a key made from parts is made by a helper instead)."""
    bad = []
    for is_f, _, key in USES.findall(text):
        if is_f:
            start = key.split("{", 1)[0]
            if start not in PREFIXED and start.rstrip(":") not in DATASET_KEYED:
                bad.append(key)
        elif key not in STATE_KEYS:
            bad.append(key)
    for helper, name in MADE.findall(text):
        declared = {"dataset_key": DATASET_KEYED, "prefixed_key": PREFIXED, "widget_key": WIDGET_NAMES}.get(
            helper, DATASET_KEYED if helper.startswith("is_dataset_key") else WIDGET_NAMES)
        if name not in declared:
            bad.append(f"{helper}({name!r})")
    return bad


@pytest.mark.parametrize("script", SCRIPTS + SESSION_MODULES, ids=[s.name for s in SCRIPTS + SESSION_MODULES])
def test_every_key_a_script_uses_is_declared(script):
    text = script.read_text(encoding="utf-8")
    assert USES.findall(text) or MADE.findall(text), "the pattern found no key at all: it is broken"
    assert not undeclared(text), f"undeclared session-state keys: {undeclared(text)}"


def test_the_key_scan_sees_f_strings_and_helpers():
    """The scan used to miss f-string keys (``key=f"map_{c}"`` was never declared)."""
    text = """st.session_state[f"w_{name}"] = 1; st.selectbox("x", [], key=f"map_{c}"); state.get("nope")
    x = widget_key("nobody"); y = dataset_key("sh_nope", i); st.radio("r", [], key="w_km"); prefixed_key("map_", c)"""
    assert undeclared(text) == ["w_{name}", "nope", "widget_key('nobody')", "dataset_key('sh_nope')"]


def test_the_widgets_geo_hands_the_pages_have_declared_keys():
    """Widget tables are data: their keys are checked as they are built, not as text."""
    from geo import data_session, map_session
    from geo.export import map_page_downloads, view_exports
    from geo.query import Query
    from geo.sidebar import filter_widgets

    vocab = Vocabulary(actors=frozenset({"HTS"}), date_min=date(2024, 11, 27), date_max=date(2024, 12, 12))
    widgets = [*filter_widgets(vocab), *data_session.upload_widgets(), data_session.upload_widget(),
               *map_session.slice_controls({}, ["all"]), *map_session.slice_controls({"playing": True}, ["all"]),
               *data_session.mapping_widgets(data_session.Peek(("",))), *map_page_downloads(None, Query()),
               *view_exports(None, Query()), data_session.rejected_download(None), data_session.audit_download(None)]  # fmt: skip
    keys = {w.key for w in widgets if w.key is not None}
    made = {k for k in keys if any(k.startswith(p) for p in PREFIXED)}
    assert keys - made <= STATE_KEYS, sorted(keys - made - STATE_KEYS)


def test_dataset_keyed_widgets_are_made_per_dataset():
    from geo.access import LOCAL
    from geo.data_session import share_widgets
    from geo.storage.interface import bundled_info

    info = bundled_info()
    keys = {w.key for w in share_widgets(info, LOCAL)}
    assert keys == {dataset_key("sh_visibility", info.id), dataset_key("sh_teams", info.id)}


def test_per_dataset_keys_are_declared_and_distinct():
    assert dataset_key("sh_teams", "abc") == "sh_teams:abc" != dataset_key("sh_visibility", "abc")
    with pytest.raises(KeyError):
        dataset_key("sh_undeclared", "abc")
    with pytest.raises(KeyError):
        prefixed_key("undeclared_", "x")


WIDGET_VALUES = {  # a value other than the seeded default for each parameter a widget sets
    "range": (date(2024, 11, 28), date(2024, 12, 1)), "day": "2024-11-29", "step": "week", "slice": "cumulative",
    "actor": ["HTS"], "role": "actor2", "type": ["Battles"], "sub": ["Air/drone strike"], "area": ["border"],
    "fat": 4, "q": "airport", "mode": "grid", "km": 60,
}  # fmt: skip


@pytest.mark.parametrize("name", WIDGET_NAMES)
def test_a_widget_value_reaches_the_view_and_the_url_and_survives_another_page(name):
    """Set under its widget key, a value reaches the Query and the link; on a run that does not draw the
    widget (another page) its mirror keeps it, and a sidebar filter is drawn with it again."""
    assert set(WIDGET_VALUES) == set(WIDGET_NAMES), "a widget without a test value"
    state = _session(Query(), BUNDLED, on_map=False)
    state[widget_key(name)] = WIDGET_VALUES[name]
    url = _Url()
    query = sync_view(state, BUNDLED, url)
    expected = Query(**field_values({**state_values(vars(with_defaults(Query(), BUNDLED))), name: WIDGET_VALUES[name]}))
    assert query == expected != with_defaults(Query(), BUNDLED) and state["query"] == query and url.params == query.to_params()
    del state[widget_key(name)]  # a run that did not draw it
    mirror_widgets(state, restore_sidebar=True)
    assert state[name] == WIDGET_VALUES[name]
    assert (state.get(widget_key(name)) == WIDGET_VALUES[name]) == (widget_key(name) in SIDEBAR)


def test_opening_another_dataset_forgets_what_belonged_to_the_last_one():
    state = _session(Query(actors=("HTS",), day=date(2024, 11, 30), view=(36.2, 37.1, 9), event="E060"), BUNDLED)
    state["w_type"] = ["Battles"]
    mirror_widgets(state, restore_sidebar=False)
    open_dataset(state, "0123456789abcdef0123456789abcdef")
    assert state["dataset"] == "0123456789abcdef0123456789abcdef"
    assert not {"range", "w_range", "actor", "w_actor", "day", "w_day", "view", "event"} & set(state)
    assert state["type"] == state["w_type"] == ["Battles"]  # filters that mean the same on any dataset stay


class _Url:
    """``st.query_params`` as sync_view writes it."""

    def __init__(self):
        self.params = {}

    def from_dict(self, params):
        self.params = dict(params)


BUNDLED = Vocabulary(actors=frozenset({"HTS", "SNA"}), date_min=date(2024, 11, 27), date_max=date(2024, 12, 12))
UCDP = Vocabulary(actors=frozenset({"13th Division", "HTS"}), date_min=date(2016, 1, 1), date_max=date(2017, 12, 31))


def _session(query: Query, vocab: Vocabulary, *, on_map: bool = True) -> dict[str, object]:
    """A session's state as a run leaves it: the widgets seeded from ``query`` and mirrored."""
    state = state_values(vars(with_defaults(query, vocab)))
    if on_map:
        state["w_day"] = state["day"]
    mirror_widgets(state, restore_sidebar=True)
    return state


def test_a_session_holding_another_datasets_dates_is_moved_inside_with_notes():
    """A session showed the UCDP file (2016–17) with an actor and a slice; it was deleted, the bundled one opened."""
    state = _session(Query(actors=("13th Division", "HTS"), day=date(2017, 3, 1)), UCDP)
    notes = keep_in_bounds(state, BUNDLED)
    assert state["w_range"] == state["range"] == (date(2024, 11, 27), date(2024, 12, 12))
    assert state["w_day"] == state["day"] == WHOLE_RANGE
    assert state["w_actor"] == state["actor"] == ["HTS"]
    assert "The dates in view 2016-01-01 – 2017-12-31 lie outside this dataset (2024-11-27 – 2024-12-12)" in notes[0]
    assert any("The time slice 2017-03-01" in n for n in notes) and any("13th Division" in n for n in notes)
    assert view_notes(state) == notes
    assert keep_in_bounds(state, BUNDLED) == () and view_notes(state) == notes  # the next run: nothing more to move, the notes stay
    state["w_range"] = (date(2024, 11, 28), date(2024, 11, 30))  # the analyst picks dates: the notes are stale
    assert view_notes(state) == ()


def test_a_session_inside_the_data_is_left_alone():
    state = _session(Query(date_from=date(2024, 11, 28), date_to=date(2024, 12, 1), actors=("HTS",)), BUNDLED, on_map=False)
    before = dict(state)
    assert keep_in_bounds(state, BUNDLED) == ()
    assert state == before and view_notes(state) == ()


def test_a_half_picked_range_is_kept_unless_it_is_outside():
    state = _session(Query(), BUNDLED)
    state["w_range"] = (date(2024, 11, 29),)  # the first day picked, the second not yet
    assert keep_in_bounds(state, BUNDLED) == () and state["w_range"] == (date(2024, 11, 29),)
    state["w_range"] = (date(2016, 5, 1),)
    assert keep_in_bounds(state, BUNDLED) and state["w_range"] == (date(2024, 11, 27), date(2024, 12, 12))
