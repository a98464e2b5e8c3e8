"""Query: apply, describe and URL round trip (table-driven + hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.io import read_events
from geo.paths import DATA
from geo.query import MODES, ROLES, SLICES, STEPS, Query, Vocabulary
from geo.taxonomy import EVENT_TYPES, SUB_EVENT_TYPES


@pytest.fixture(scope="module")
def bundled_events():
    return read_events(DATA / "events.parquet").events


VOCAB = Vocabulary(actors=frozenset({"HTS", "SNA", "Iraqi Security Forces"}), areas=frozenset({"aleppo", "idlib", "border"}),
                   datasets=frozenset({"bundled"}), date_min=date(2024, 11, 27), date_max=date(2024, 12, 12))  # fmt: skip


@pytest.mark.parametrize(
    ("query", "text"),
    [
        (Query(), "Events"),
        (Query(date_from=date(2024, 11, 27), date_to=date(2024, 12, 8), types=("Battles",), actors=("HTS",), areas=("idlib",)),
         "Battles involving HTS in Idlib, 27 Nov – 8 Dec 2024"),
        (Query(actors=("HTS",), role="actor1"), "Events by HTS"),
        (Query(actors=("HTS", "SNA"), role="actor2", min_fatalities=5), "Events against HTS and SNA with at least 5 fatalities"),
        (Query(date_from=date(2024, 12, 1), date_to=date(2024, 12, 1), text="airport"), "Events mentioning “airport”, 1 Dec 2024"),
        (Query(areas=("border", "qaim")), "Events in Iraq–Syria border zone and Al-Qaim / Al-Bukamal crossing"),
    ],
)
def test_describe(query, text):
    assert query.describe() == text


@pytest.mark.parametrize(
    ("params", "ignored_prefix", "field", "value"),
    [
        ({"actor": ["Nobody"]}, "actor: unknown actor", "actors", ()),
        ({"from": "2024-12-05", "to": "2024-11-30"}, "to:", "date_to", None),
        ({"view": "36.2,37.1,999"}, "view:", "view", None),
        ({"view": "garbage"}, "view:", "view", None),
        ({"fat": "-3"}, "fat:", "min_fatalities", 0),
        ({"mode": "<script>"}, "mode:", "mode", "auto"),
        ({"type": ["Bombings"]}, "type: unknown event type", "types", ()),
        ({"area": ["mars"]}, "area: unknown area", "areas", ()),
        ({"from": "30/11/2024"}, "from:", "date_from", None),
        ({"dataset": "deadbeef"}, "dataset:", "dataset", "bundled"),
        ({"day": "2025-01-01", "from": "2024-11-27", "to": "2024-12-12"}, "day:", "day", None),
        ({"km": "100000"}, "km:", "border_km", 25),
    ],
)
def test_tampered_parameters_fall_back_and_are_reported(params, ignored_prefix, field, value):
    query = Query.from_params(params, vocab=VOCAB)
    assert any(i.startswith(ignored_prefix) for i in query.ignored), query.ignored
    assert getattr(query, field) == value


def test_link_states_filters_explicitly():
    params = Query(date_from=date(2024, 11, 27), date_to=date(2024, 12, 12)).to_params()
    assert {"from", "to", "step", "slice", "role", "mode", "fat", "dataset"} <= set(params)


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(lambda s: s.strip() == s)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def queries(draw):
    start = draw(days)
    end = start + timedelta(days=draw(st.integers(0, 400)))
    day = draw(st.one_of(st.none(), st.just(start)))
    return Query(
        date_from=start, date_to=end, day=day, step=draw(st.sampled_from(STEPS)), slice_mode=draw(st.sampled_from(SLICES)),
        actors=tuple(dict.fromkeys(draw(st.lists(names, max_size=3)))), role=draw(st.sampled_from(ROLES)),
        types=tuple(dict.fromkeys(draw(st.lists(st.sampled_from(list(EVENT_TYPES)), max_size=2)))),
        subs=tuple(dict.fromkeys(draw(st.lists(st.sampled_from(list(SUB_EVENT_TYPES)), max_size=2)))),
        areas=tuple(dict.fromkeys(draw(st.lists(st.sampled_from(["aleppo", "idlib", "border", "qaim"]), max_size=2)))),
        min_fatalities=draw(st.integers(0, 1000)), text=draw(st.one_of(st.just(""), names)),
        dataset=draw(st.sampled_from(["bundled", "0123456789abcdef"])), mode=draw(st.sampled_from(MODES)),
        view=draw(st.one_of(st.none(), st.tuples(st.floats(-90, 90).map(lambda v: round(v, 5)),
                                                  st.floats(-180, 180).map(lambda v: round(v, 5)), st.integers(3, 18)))),
        event=draw(st.one_of(st.none(), names)), border_km=draw(st.integers(1, 300)),
    )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(queries())
def test_params_round_trip(query):
    again = Query.from_params(query.to_params())
    assert again == query
    assert again.ignored == ()


def test_apply_date_window_and_filters(bundled_events):
    q = Query(date_from=date(2024, 11, 30), date_to=date(2024, 11, 30))
    shown = q.apply(bundled_events)
    assert len(shown) > 0 and (shown["event_date"] == "2024-11-30").all()
    hts = Query(actors=("HTS",), role="actor1").apply(bundled_events)
    assert (hts["actor1"] == "HTS").all() and len(hts) > 20
    either = Query(actors=("HTS",)).apply(bundled_events)
    assert len(either) >= len(hts)
    border = Query(areas=("border",)).apply(bundled_events)
    assert border["areas"].str.contains("border").all()
    fat = Query(min_fatalities=5).apply(bundled_events)
    assert (fat["fatalities"] >= 5).all()
    text = Query(text="airport").apply(bundled_events)
    assert len(text) >= 2


@pytest.mark.parametrize(("slice_mode", "step", "expected_days"), [("window", "day", 1), ("window", "week", 7), ("cumulative", "day", 4)])
def test_time_slice(bundled_events, slice_mode, step, expected_days):
    q = Query(date_from=date(2024, 11, 27), date_to=date(2024, 12, 12), day=date(2024, 11, 30), step=step, slice_mode=slice_mode)
    start, end = q.window()
    assert (end - start).days + 1 == expected_days
    shown = q.apply(bundled_events)
    assert shown["event_date"].between(str(start), str(end)).all()


def test_previous_period_has_equal_length():
    q = Query(date_from=date(2024, 12, 1), date_to=date(2024, 12, 7))
    prev = q.previous()
    assert (prev.date_from, prev.date_to) == (date(2024, 11, 24), date(2024, 11, 30))


def test_the_filter_key_ignores_slice_view_selection_and_mode():
    from datetime import date

    base = Query(date_from=date(2024, 11, 27), date_to=date(2024, 12, 8), actors=("HTS",))
    moved = Query(**{**vars(base), "day": date(2024, 11, 30), "view": (36.2, 37.1, 9), "event": "E1", "mode": "grid"})
    assert base.filter_key() == moved.filter_key()
    assert base.filter_key() != Query(**{**vars(base), "actors": ("SNA",)}).filter_key()
