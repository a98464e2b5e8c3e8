"""Query: apply, describe and URL round trip (table-driven + hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.io import read_events
from geo.paths import DATA
from geo.playback import slice_options
from geo.query import MODES, ROLES, SLICES, STEPS, Query, Vocabulary, clamp_to_data
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


# ---------------------------------------------------------------------- dates outside the data

D = date.fromisoformat
#: (case, query, expected range, expected slice day, words the notes must contain: none means no note)
CLAMPS = [
    ("inside", Query(date_from=D("2024-11-28"), date_to=D("2024-12-01")), ("2024-11-28", "2024-12-01"), None, None),
    ("none given: the data's range", Query(), ("2024-11-27", "2024-12-12"), None, None),
    ("partly before", Query(date_from=D("2024-11-01"), date_to=D("2024-11-30")), ("2024-11-27", "2024-11-30"), None,
     "The link's dates 2024-11-01 – 2024-11-30 reach outside this dataset (2024-11-27 – 2024-12-12): showing 2024-11-27 – 2024-11-30."),
    ("partly after", Query(date_from=D("2024-12-10"), date_to=D("2025-01-31")), ("2024-12-10", "2024-12-12"), None,
     "reach outside this dataset (2024-11-27 – 2024-12-12): showing 2024-12-10 – 2024-12-12."),
    ("around it", Query(date_from=D("2024-01-01"), date_to=D("2025-12-31")), ("2024-11-27", "2024-12-12"), None, "reach outside"),
    ("wholly before", Query(date_from=D("2016-01-01"), date_to=D("2017-12-31")), ("2024-11-27", "2024-12-12"), None,
     "The link's dates 2016-01-01 – 2017-12-31 lie outside this dataset (2024-11-27 – 2024-12-12): showing its whole range, "
     "2024-11-27 – 2024-12-12."),
    ("wholly after", Query(date_from=D("2030-01-01"), date_to=D("2030-02-01")), ("2024-11-27", "2024-12-12"), None, "lie outside"),
    ("only from, after the data", Query(date_from=D("2030-01-01")), ("2024-11-27", "2024-12-12"), None, "dates from 2030-01-01 lie outside"),
    ("only to, before the data", Query(date_to=D("2010-01-01")), ("2024-11-27", "2024-12-12"), None, "dates up to 2010-01-01 lie outside"),
    ("only from, before the data", Query(date_from=D("2010-01-01")), ("2024-11-27", "2024-12-12"), None, "from 2010-01-01 reach outside"),
    ("slice day kept", Query(date_from=D("2024-11-01"), date_to=D("2024-11-30"), day=D("2024-11-29")), ("2024-11-27", "2024-11-30"),
     "2024-11-29", "reach outside"),
    ("slice day outside after the cut", Query(date_from=D("2024-11-01"), date_to=D("2024-11-30"), day=D("2024-11-20")),
     ("2024-11-27", "2024-11-30"), None, "The time slice 2024-11-20 lies outside the dates shown: showing the whole range."),
    ("slice day with a wholly outside range", Query(date_from=D("2016-01-01"), date_to=D("2016-02-01"), day=D("2016-01-10")),
     ("2024-11-27", "2024-12-12"), None, "The time slice 2016-01-10"),
    ("slice day outside an inside range", Query(date_from=D("2024-11-28"), date_to=D("2024-11-30"), day=D("2024-12-05")),
     ("2024-11-28", "2024-11-30"), None, "The time slice 2024-12-05 lies outside"),
    ("week slice moved by the cut", Query(date_from=D("2024-11-20"), date_to=D("2024-12-12"), step="week", day=D("2024-12-04")),
     ("2024-11-27", "2024-12-12"), "2024-12-04", "reach outside"),
    ("week slice off the weeks", Query(date_from=D("2024-11-25"), date_to=D("2024-12-12"), step="week", day=D("2024-12-06")),
     ("2024-11-27", "2024-12-12"), "2024-12-04", "The time slice 2024-12-06 starts no week from 2024-11-27: showing the week from 2024-12-04."),
]  # fmt: skip


@pytest.mark.parametrize(("case", "query", "span", "day", "note"), CLAMPS, ids=[c[0] for c in CLAMPS])
def test_dates_are_clamped_to_the_data_with_a_note(case, query, span, day, note):
    clamped, notes = clamp_to_data(query, VOCAB)
    assert (clamped.date_from.isoformat(), clamped.date_to.isoformat()) == span
    assert (clamped.day.isoformat() if clamped.day else None) == day
    if note is None:
        assert notes == ()
    else:
        assert any(note in n for n in notes), notes
    assert VOCAB.date_min <= clamped.date_from <= clamped.date_to <= VOCAB.date_max
    assert clamped.day is None or clamped.date_from <= clamped.day <= clamped.date_to
    assert clamp_to_data(clamped, VOCAB)[1] == ()  # the clamped view is itself inside: the URL then holds it
    assert replace(clamped, date_from=query.date_from, date_to=query.date_to, day=query.day) == query  # nothing else moved


def test_clamping_names_whose_dates_moved():
    _, notes = clamp_to_data(Query(date_from=D("2016-01-01"), date_to=D("2016-01-31")), VOCAB, source="The dates in view")
    assert notes[0].startswith("The dates in view 2016-01-01 – 2016-01-31 lie outside")


def test_no_dated_events_bound_nothing():
    query = Query(date_from=D("2016-01-01"), date_to=D("2016-01-31"))
    assert clamp_to_data(query, Vocabulary()) == (query, ())


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2040, 1, 1)) | st.none(), st.dates(date(2000, 1, 1), date(2040, 1, 1)) | st.none(),
       st.dates(date(2000, 1, 1), date(2040, 1, 1)) | st.none(), st.sampled_from(STEPS))  # fmt: skip
def test_any_dates_end_inside_the_widgets_bounds(start, end, day, step):
    clamped, notes = clamp_to_data(Query(date_from=start, date_to=end, day=day, step=step), VOCAB)
    assert VOCAB.date_min <= clamped.date_from <= clamped.date_to <= VOCAB.date_max  # the date input's bounds
    assert clamped.day is None or clamped.day.isoformat() in slice_options(clamped)  # one of the time slider's options
    moved = (start or VOCAB.date_min, end or VOCAB.date_max, day) != (clamped.date_from, clamped.date_to, clamped.day)
    assert bool(notes) == moved  # never a silent change, never a note without one
