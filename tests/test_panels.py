"""Panels as view models: computed from (events, query) without Streamlit; the map popup and the
map page's detail box are one description of an event."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from geo.border import border_events
from geo.elements import js_json
from geo.io import read_events
from geo.mapview import build_map, map_html
from geo.panels import (
    CHART_MAX_PERIODS,
    border_panel,
    chart_freq,
    daily_chart_spec,
    event_detail,
    event_details,
    map_panel,
    selected_event,
)
from geo.paths import DATA
from geo.query import Query, lean_events, vocabulary, with_defaults
from geo.summary import PERIODS, daily_by_type


@pytest.fixture(scope="module")
def bundled_events():
    return read_events(DATA / "events.parquet").events


@pytest.fixture(scope="module")
def full_range(bundled_events):
    return with_defaults(Query(), vocabulary(bundled_events, areas=[], datasets=[]))


def test_map_panel_counts_what_the_query_shows(bundled_events, full_range):
    query = Query(**{**vars(full_range), "types": ("Battles",)})
    panel = map_panel(bundled_events, query)
    shown = query.apply(bundled_events)
    assert {k.label: k.value for k in panel.kpis}["events"] == len(shown)
    assert panel.daily["events"].sum() == len(shown)
    assert panel.detail is None and panel.marker_day is None


def test_kpis_against_a_period_before_the_data_say_so_instead_of_a_change(bundled_events, full_range):
    """The whole bundled range (27 Nov – 12 Dec) compared with 11–26 Nov, which the dataset does not cover: no "+157"."""
    panel = map_panel(bundled_events, full_range)
    assert all(k.delta is None and k.delta_text is None for k in panel.kpis)
    assert panel.kpi_note == ("No change shown: the previous period (11 Nov – 26 Nov 2024) reaches before this dataset's "
                              "first day (27 Nov 2024), so there is nothing to compare with.")  # fmt: skip
    partly = Query(**{**vars(full_range), "date_from": date(2024, 11, 29), "date_to": date(2024, 12, 2)})  # 25–28 Nov before it
    assert all(k.delta is None for k in map_panel(bundled_events, partly).kpis) and map_panel(bundled_events, partly).kpi_note


def test_kpis_against_a_covered_period_show_the_change(bundled_events, full_range):
    query = Query(**{**vars(full_range), "date_from": date(2024, 12, 5), "date_to": date(2024, 12, 12)})  # against 27 Nov – 4 Dec
    panel = map_panel(bundled_events, query)
    before = Query(**{**vars(full_range), "date_from": date(2024, 11, 27), "date_to": date(2024, 12, 4)}).apply(bundled_events)
    events = {k.label: k for k in panel.kpis}["events"]
    assert panel.kpi_note is None and events.delta == len(query.apply(bundled_events)) - len(before) != 0
    assert events.delta_text == f"{events.delta:+,}"


@pytest.mark.parametrize("change", [
    {}, {"areas": ("aleppo",)}, {"areas": ("border",), "border_km": 50}, {"actors": ("HTS",)},
    {"day": "2024-11-30"}, {"min_fatalities": 3, "text": "aleppo"},
])  # fmt: skip
def test_panels_from_lean_rows_equal_panels_from_full_rows(bundled_events, full_range, change):
    """A rerun counts lean rows (some text columns as categories); every panel reads the same."""
    if "day" in change:
        change = {"day": pd.Timestamp(change["day"]).date()}
    query = Query(**{**vars(full_range), **change})
    lean = lean_events(bundled_events)
    assert isinstance(lean["location"].dtype, pd.CategoricalDtype)
    full = map_panel(bundled_events, query)
    shown, ranged = query.apply(bundled_events, lean=lean), query.apply(bundled_events, use_slice=False, lean=lean)
    fast = map_panel(bundled_events, query, shown=shown, ranged=ranged, lean=lean)
    assert fast.kpis == full.kpis and fast.marker_day == full.marker_day
    for name in ("daily", "latest", "top_actors", "by_area", "by_governorate"):
        a, b = getattr(fast, name), getattr(full, name)
        pd.testing.assert_frame_equal(a.astype(str).reset_index(drop=True), b.astype(str).reset_index(drop=True))


def test_a_slice_step_reuses_the_daily_counts_of_its_filters(bundled_events, full_range):
    """The page keeps ``daily`` per filter set: every slice of that set has the same daily counts."""
    whole = map_panel(bundled_events, full_range).daily
    for day in ("2024-11-27", "2024-11-30", "2024-12-08"):
        query = Query(**{**vars(full_range), "day": pd.Timestamp(day).date()})
        assert query.filter_key() == full_range.filter_key()
        pd.testing.assert_frame_equal(map_panel(bundled_events, query).daily, whole)
        kept = map_panel(bundled_events, query, daily=whole)
        assert kept.daily is whole and kept.kpis == map_panel(bundled_events, query).kpis
    assert Query(**{**vars(full_range), "min_fatalities": 1}).filter_key() != full_range.filter_key()


def test_the_daily_chart_keeps_its_spec_when_the_slice_moves(bundled_events, full_range):
    """Only the data changes between slice steps, so the browser updates the chart in place."""
    daily = map_panel(bundled_events, full_range).daily
    first, second = (daily_chart_spec(daily, pd.Timestamp(d)) for d in ("2024-11-30", "2024-12-01"))
    without = [{k: v for k, v in spec.items() if k != "datasets"} for spec in (first, second)]
    assert without[0] == without[1]
    # Every layer names its dataset: a lone named dataset would become every layer's data.
    assert [layer["data"]["name"] for layer in first["layer"]] == ["daily", "marker"]
    assert first["datasets"]["daily"] is daily and first["datasets"]["marker"]["date"].tolist() == [pd.Timestamp("2024-11-30")]
    assert daily_chart_spec(daily, None)["datasets"]["marker"].empty


def test_an_events_detail_says_what_is_missing():
    row = pd.Series({"event_id": "X1", "event_type": "Battles", "sub_event_type": "Armed clash", "event_date": pd.Timestamp("2024-11-30"),
                     "location": "Saraqib", "geo_precision": pd.NA, "actor1": "HTS", "actor2": pd.NA, "fatalities": pd.NA,
                     "source": "Outlet", "source_url": "javascript:alert(1) || https://example.org/a", "sentence": pd.NA, "notes": "n"})  # fmt: skip
    d = event_detail(row)
    assert d.when_where == "30 Nov 2024 · Saraqib (geo precision not given)"
    assert (d.actors, d.fatalities, d.sentence) == ("HTS vs —", "fatalities: not reported", None)
    assert d.links == ("https://example.org/a",)  # only http(s) links


def test_a_layers_details_read_column_wise_match_each_rows_own(bundled_events):
    """The points layer reads its popups for all rows at once; each must equal the row's own detail."""
    events = bundled_events.copy()
    events.loc[events.index[:3], ["geo_precision", "actor2", "fatalities"]] = pd.NA  # missing values too
    batch = event_details(events)
    assert len(batch) == len(events) and batch == [event_detail(row) for _, row in events.iterrows()]
    assert batch[0].actors.endswith(" vs —") and batch[0].fatalities == "fatalities: not reported"
    assert batch[0].when_where.startswith(f"{events['event_date'].iloc[0]:%d %b %Y} · ")


def test_the_popup_and_the_detail_box_are_one_description(bundled_events, full_range):
    event = bundled_events.iloc[5]
    query = Query(**{**vars(full_range), "event": event["event_id"], "mode": "points"})
    detail = selected_event(bundled_events, query)
    assert detail == event_detail(event)
    popup_html = map_html(build_map(bundled_events, query)[0])
    for line in (detail.title, detail.when_where, detail.actors):
        assert js_json(line) in popup_html  # the popup's lines travel as text, built with textContent


@pytest.mark.parametrize("km", [10, 50, 200])
def test_border_panel_follows_the_querys_km(bundled_events, full_range, km):
    query = Query(**{**vars(full_range), "border_km": km})
    panel = border_panel(bundled_events, query)
    assert panel.km == km
    assert len(panel.zone) == len(border_events(query.apply(bundled_events), km=km))
    assert {c.key for c, _ in panel.crossings} >= {"qaim"}


@pytest.mark.parametrize("by", ["event_type", "area"])
def test_timeline_panel_series_and_period_b(bundled_events, full_range, by):
    from datetime import timedelta

    from geo.panels import compare, timeline_panel

    panel = timeline_panel(bundled_events, full_range, by=by)
    assert panel.days[0] == full_range.date_from.isoformat() and panel.days[-1] == full_range.date_to.isoformat()
    length = (full_range.date_to - full_range.date_from).days + 1
    assert panel.period_b == (full_range.date_from - timedelta(days=length), full_range.date_from - timedelta(days=1))
    if by == "event_type":
        assert panel.series["events"].sum() == len(full_range.apply(bundled_events, use_slice=False))
    a, b, table = compare(bundled_events, full_range, panel.period_b)
    assert (a.date_from, b.date_from) == (full_range.date_from, panel.period_b[0]) and len(table)


def test_actors_panel_and_one_actor(bundled_events, full_range):
    from geo.panels import actor_panel, actors_panel

    panel = actors_panel(bundled_events, full_range)
    actor = panel.top["actor"].iloc[0]
    one = actor_panel(panel, full_range, actor)
    assert len(one.events) == int(((panel.shown["actor1"] == actor) | (panel.shown["actor2"] == actor)).sum()) > 0
    assert one.activity["events"].sum() >= len(one.events[one.events["actor1"] == actor])


@pytest.mark.parametrize(("days", "step", "freq"), [
    (1, "day", "D"), (120, "day", "D"), (121, "day", "W-MON"), (731, "day", "W-MON"), (840, "day", "W-MON"),
    (841, "day", "MS"), (1_096, "day", "MS"), (3_652, "day", "MS"), (3_653, "day", "YS"), (20_000, "day", "YS"),
    (10, "week", "W-MON"), (1_096, "week", "MS"),
])  # fmt: skip
def test_the_chart_period_keeps_its_range_within_the_bars_it_can_draw(days, step, freq):
    """The step's period, or the shortest longer one keeping ≤ CHART_MAX_PERIODS bars; never shorter than the step."""
    start = date(2016, 1, 1)
    query = Query(date_from=start, date_to=start + timedelta(days=days - 1), step=step)
    assert chart_freq(query) == freq
    assert days / PERIODS[freq] <= CHART_MAX_PERIODS or freq == "YS"


@pytest.mark.parametrize(("freq", "period"), [("D", "D"), ("W-MON", "W-SUN"), ("MS", "M"), ("YS", "Y")])
def test_counts_by_period_equal_a_pandas_group_by(bundled_events, freq, period):
    """Each bar's events and fatalities equal pandas' own grouping by period and type, sorted input or not."""
    earlier = bundled_events.assign(event_date=bundled_events["event_date"] - pd.Timedelta(days=400))
    events = pd.concat([bundled_events, earlier])
    expected = (events.assign(date=events["event_date"].dt.to_period(period).dt.start_time, fatalities=events["fatalities"].fillna(0))
                .groupby(["date", "event_type"]).agg(events=("event_id", "size"), fatalities=("fatalities", "sum")).reset_index())  # fmt: skip
    got = daily_by_type(events, freq=freq)
    pd.testing.assert_frame_equal(got.sort_values(["date", "event_type"]).reset_index(drop=True).astype(str),
                                  expected.astype({"fatalities": int}).astype(str))  # fmt: skip
    with pytest.raises(ValueError, match="freq: expected one of"):
        daily_by_type(events, freq="Q")


def test_the_chart_names_its_period_in_the_tooltip(bundled_events, full_range):
    weekly = daily_by_type(bundled_events, freq="W-MON")
    spec = daily_chart_spec(weekly, None, freq="W-MON")
    first = spec["layer"][0]["encoding"]["tooltip"][0]
    assert first == {"field": "date", "type": "temporal", "title": "week of", "format": "%d %b %Y"}
    # The bundled weeks fit as days.
    assert map_panel(bundled_events, full_range).daily_freq == chart_freq(full_range) == "D"
