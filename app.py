"""Conflict map — the entry point: loads the data once, turns the URL and the sidebar into
one ``Query``, writes it back to the URL, then runs the selected page.

Pages read ``st.session_state["query"]`` and ``st.session_state["events"]``; all computing
happens in ``geo``.
"""

from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st

from geo.actors import aliases_of
from geo.areas import areas
from geo.assets import ensure_static
from geo.escape import markdown_text
from geo.params import field_values, state_values
from geo.query import MODES, ROLES, Query, lean_events, vocabulary, with_defaults
from geo.settings import settings
from geo.store import BUNDLED_ID, BUNDLED_LABEL, dataset_ids, load_dataset
from geo.taxonomy import EVENT_TYPES
from geo.tiles import map_tiles
from geo.ui_state import MIRRORED, SIDEBAR

STARTED = time.perf_counter()
st.set_page_config(page_title="Conflict map — Aleppo, Idlib, Iraq–Syria border", page_icon="🗺️", layout="wide")
ensure_static()
SETTINGS = settings()


@st.cache_resource(show_spinner="Loading events…")
def cached_dataset(dataset_id: str):
    """Loaded once per server process and shared by every session (never copied per rerun)."""
    events = load_dataset(dataset_id, datasets_dir=SETTINGS.datasets_dir)
    vocab = vocabulary(events, areas=[a.key for a in areas()], datasets=dataset_ids(datasets_dir=SETTINGS.datasets_dir))
    return events, vocab, lean_events(events)


@st.cache_resource(show_spinner="Preparing the basemap…")
def cached_tiles():
    """The tile layer, once per process: an MBTiles file is extracted on first use, then reused."""
    try:
        return map_tiles(SETTINGS), None
    except ValueError as exc:  # a broken basemap file: the offline map still works, and says why
        return SETTINGS.tiles if SETTINGS.tiles else "none", exc.args[0]


def _url_query() -> Query:
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    params.setdefault("km", [str(SETTINGS.border_km)])  # the deployment's zone width, unless the link gives one
    ids = dataset_ids(datasets_dir=SETTINGS.datasets_dir)
    dataset = params.get("dataset", [BUNDLED_ID])[0]
    if dataset in ids and dataset != BUNDLED_ID:
        try:
            cached_dataset(dataset)
        except KeyError as exc:  # a damaged stored file: the link falls back to the bundled data, and says why
            st.session_state["dataset_error"] = exc.args[0]
            ids = [i for i in ids if i != dataset]
    _, vocab, _ = cached_dataset(dataset if dataset in ids else BUNDLED_ID)
    return Query.from_params(params, vocab=replace(vocab, datasets=frozenset(ids)))


def _seed_widgets(q: Query, vocab) -> None:
    """First run of a session: the URL decides every widget's starting value (one per parameter)."""
    q = with_defaults(q, vocab)
    seeds = {**state_values(vars(q)), "ignored": q.ignored}
    for key, value in seeds.items():
        st.session_state.setdefault(key, value)  # a value already set (by a test harness) wins


# Streamlit drops a widget's state when a run does not draw it (another page, or a page that
# runs this file as its frame). Every widget's value is therefore mirrored under a plain key
# (geo.ui_state.MIRRORED) and restored from it: the view survives navigation, and the URL states it.
for widget_key, state_key in MIRRORED.items():
    if widget_key in st.session_state:
        st.session_state[state_key] = st.session_state[widget_key]
    if state_key in st.session_state and widget_key in SIDEBAR:
        # Re-set in this run, so a widget re-created in another page's context keeps the value.
        st.session_state[widget_key] = st.session_state[state_key]

if "w_range" not in st.session_state:
    first = _url_query()
    _seed_widgets(first, cached_dataset(first.dataset)[1])

try:
    events, vocab, lean = cached_dataset(st.session_state["dataset"])
except KeyError as exc:  # damaged or removed while this session had it open
    st.session_state["dataset_error"] = exc.args[0]
    st.session_state["dataset"] = BUNDLED_ID
    events, vocab, lean = cached_dataset(BUNDLED_ID)
if st.session_state.get("dataset_error"):
    st.error(markdown_text(st.session_state.pop("dataset_error")) + " — showing the bundled dataset.")
actor_names = sorted(vocab.actors)

with st.sidebar:
    st.header("Filters")
    dr = st.date_input("Date range", key="w_range", min_value=vocab.date_min, max_value=vocab.date_max)
    st.multiselect(
        "Actors", actor_names, key="w_actors",
        format_func=lambda a: a if not aliases_of(a) else f"{a} ({', '.join(aliases_of(a)[1:3])})",
        help="Search matches aliases too (HTS = Hay'at Tahrir al-Sham).",
    )  # fmt: skip
    st.radio("Actor role", ROLES, key="w_role", horizontal=True, format_func={"either": "either side", "actor1": "actor 1", "actor2": "actor 2"}.get)
    st.multiselect("Event types", list(EVENT_TYPES), key="w_types")
    st.multiselect(
        "Sub-event types", [s for t in EVENT_TYPES for s in EVENT_TYPES[t]], key="w_subs",
        format_func=lambda s: f"{s} · {next(t for t in EVENT_TYPES if s in EVENT_TYPES[t])}",
    )  # fmt: skip
    area_labels = {a.key: a.label for a in areas()}
    st.multiselect("Areas", list(area_labels), key="w_areas", format_func=area_labels.get)
    st.number_input("Minimum fatalities", min_value=0, max_value=100_000, step=1, key="w_fat")
    st.text_input("Search location, notes, actors", key="w_text", max_chars=200)
    st.selectbox("Map mode", MODES, key="w_mode")

values = field_values({**st.session_state, "w_range": dr})
start, end = values["date_from"] or vocab.date_min, values["date_to"] or vocab.date_max
query = Query(**{**values, "date_from": start, "date_to": end})
if query.day and not (start <= query.day <= end):
    query = replace(query, day=None)

with st.sidebar:
    st.caption("Current view")
    st.markdown(f"**{markdown_text(query.describe())}**")
    st.caption("Copy link (paste after this app's address):")
    from urllib.parse import urlencode

    st.code("?" + urlencode(query.to_params(), doseq=True), language=None, wrap_lines=True)
    st.caption(f"Dataset: {BUNDLED_LABEL if query.dataset == BUNDLED_ID else query.dataset}")
    st.caption("Places © GeoNames (CC BY 4.0) · Boundaries: Natural Earth · Events cite their sources.")

if st.session_state.get("ignored"):
    st.warning("Ignored link parameters (fell back to defaults): " + markdown_text("; ".join(st.session_state["ignored"])))

st.query_params.from_dict(query.to_params())
st.session_state["query"] = query
st.session_state["events"] = events
st.session_state["lean"] = lean
st.session_state["vocab"] = vocab
st.session_state["settings"] = SETTINGS
st.session_state["tiles"], tiles_error = cached_tiles()
if tiles_error:
    st.warning(markdown_text(tiles_error) + " — the map is drawn without it.")

st.session_state["_frame_active"] = True  # each page pops it: "the entry script ran in this run"
if __name__ == "__main__":  # Streamlit runs the entry script as __main__; a page may run it as its frame
    page = st.navigation([
        st.Page("pages/map.py", title="Map", icon="🗺️", default=True),
        st.Page("pages/border.py", title="Border Watch", icon="🛂", url_path="border"),
        st.Page("pages/timeline.py", title="Timeline", icon="📈", url_path="timeline"),
        st.Page("pages/actors.py", title="Actors", icon="👥", url_path="actors"),
        st.Page("pages/articles.py", title="Articles", icon="📰", url_path="articles"),
        st.Page("pages/data.py", title="Data", icon="🗂️", url_path="data"),
    ])
    page.run()
    st.session_state["page"] = page.url_path or "map"  # the map page checks it: "was I the last page?"
    st.sidebar.caption(f"Server time of this view: {1000 * (time.perf_counter() - STARTED):.0f} ms")
