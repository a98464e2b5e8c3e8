"""Panels as view models: what each page shows, computed from ``(events, query)`` by pure functions.

A page lays a panel out and computes nothing itself; a test checks a panel without Streamlit.
:class:`EventDetail` is the one description of an event, rendered as the map popup (HTML,
:func:`geo.mapview`) and as the map page's detail box (text).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from geo.actors import aliases_of, merge_aliases
from geo.areas import DEFAULT_CROSSING_KM
from geo.border import approach, border_events, by_actor, crossing_series, crossing_status, distance_histogram, trend
from geo.detail_text import DETAIL_TEXT, with_text
from geo.escape import source_urls
from geo.query import Query
from geo.summary import (
    PERIODS,
    Kpi,
    actor_activity,
    actor_pairs,
    biggest_changes,
    by_area,
    by_governorate,
    compare_periods,
    daily_by_type,
    kpis,
    latest,
    previous_period,
    series_by,
    top_actors,
)
from geo.taxonomy import EVENT_TYPE_COLORS


@dataclass(frozen=True)
class EventDetail:
    """One event as an analyst reads it: each line plain text (escape it for HTML or Markdown)."""

    event_id: str
    title: str
    when_where: str
    actors: str
    fatalities: str
    source: str
    links: tuple[str, ...]
    sentence: str | None
    notes: str

    def text_lines(self) -> tuple[str, ...]:
        """The detail box's lines under the title, as plain text (the links are drawn apart, as links)."""
        lines = (f"{self.when_where} · {self.fatalities}", f"Actors: {self.actors}", f"Source: {self.source}")
        return lines + ((f"Sentence: {self.sentence}",) if self.sentence else ()) + (f"Notes: {self.notes}",)


#: The columns an :class:`EventDetail` is made from (a missing one reads as ``None``).
DETAIL_COLUMNS: tuple[str, ...] = (
    "event_id", "event_type", "sub_event_type", "event_date", "location", "geo_precision", "actor1", "actor2",
    "fatalities", "source", "source_url", "sentence", "notes",
)  # fmt: skip


def event_detail(row: pd.Series) -> EventDetail:
    """The detail of one event row."""
    return event_details(pd.DataFrame([row]))[0]


def event_details(events: pd.DataFrame) -> list[EventDetail]:
    """The detail of every row of ``events``, in order.

    Column-wise: each column is read once as Python values (missing ones as ``None``), so the
    ≤ 4,000 popups of a points layer cost milliseconds rather than a pandas row object each.
    """
    v = {c: _values(events, c) for c in DETAIL_COLUMNS}
    dates = _day_labels(events["event_date"]) if "event_date" in events else v["event_date"]
    return [
        EventDetail(
            event_id=str(eid), title=f"{etype} — {sub}",
            when_where=f"{day} · {loc} (geo precision {prec if prec is not None else 'not given'})",
            actors=f"{a1} vs {a2 if a2 is not None else '—'}",
            fatalities=f"fatalities: {fat if fat is not None else 'not reported'}",
            source=str(src), links=tuple(source_urls(url)), sentence=None if sent is None else str(sent), notes=str(notes),
        )
        for eid, etype, sub, day, loc, prec, a1, a2, fat, src, url, sent, notes in zip(
            v["event_id"], v["event_type"], v["sub_event_type"], dates, v["location"], v["geo_precision"], v["actor1"],
            v["actor2"], v["fatalities"], v["source"], v["source_url"], v["sentence"], v["notes"], strict=True,
        )
    ]  # fmt: skip


def _day_labels(dates: pd.Series) -> list[str]:
    """``01 Dec 2024`` for each date, formatted once per distinct day (a points layer spans few days)."""
    codes, days = pd.factorize(pd.to_datetime(dates))
    labels = days.strftime("%d %b %Y").tolist()
    return [labels[c] if c >= 0 else "NaT" for c in codes]


def _values(events: pd.DataFrame, column: str) -> list[object]:
    """A column as Python values with every missing value (``NaN``, ``NA``, ``NaT``) as ``None``."""
    if column not in events:
        return [None] * len(events)
    col = events[column]
    return col.astype(object).where(col.notna(), None).tolist()


def selected_event(events: pd.DataFrame, query: Query) -> EventDetail | None:
    """The detail of the event the query selects (``event``), if it is in the data."""
    if not query.event:
        return None
    hit = events[events["event_id"] == query.event]
    return event_detail(with_text(hit.head(1), DETAIL_TEXT).iloc[0]) if len(hit) else None


@dataclass(frozen=True)
class MapPanel:
    """Everything beside the map: KPIs (and why they show no change, if so), the daily chart, latest events, actors and areas."""

    kpis: tuple[Kpi, ...]
    kpi_note: str | None
    daily: pd.DataFrame
    daily_freq: str
    marker_day: pd.Timestamp | None
    latest: pd.DataFrame
    top_actors: pd.DataFrame
    by_area: pd.DataFrame
    by_governorate: pd.DataFrame
    detail: EventDetail | None


def view_rows(events: pd.DataFrame, query: Query, *, lean: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The view's rows (its slice) and the whole range's, each filtered once per rerun (the same rows without a slice)."""
    shown = query.apply(events, lean=lean)
    return shown, shown if query.day is None else query.apply(events, use_slice=False, lean=lean)


def map_panel(events: pd.DataFrame, query: Query, *, shown: pd.DataFrame | None = None,
              ranged: pd.DataFrame | None = None, lean: pd.DataFrame | None = None,
              daily: pd.DataFrame | None = None) -> MapPanel:  # fmt: skip
    """The map page's panels for ``query`` over ``events``.

    ``shown`` (``query.apply(events)``) and ``ranged`` (the same without the time slice) are
    passed when the page has them already, so a rerun filters each once; ``lean``
    (:func:`geo.query.lean_events`) makes every other filtering copy only the counted columns;
    ``daily`` (:func:`daily_by_type` of ``ranged`` by :func:`chart_freq`) when the page kept it from
    a run with the same filters — a time-slice step does not change it (at 1 M events it is half
    the panels' time).
    """
    shown = query.apply(events, lean=lean) if shown is None else shown
    ranged = query.apply(events, use_slice=False, lean=lean) if ranged is None else ranged
    freq = chart_freq(query)
    return MapPanel(
        kpis=tuple(kpis(events, query, current=shown, lean=lean)),
        kpi_note=previous_period(events, query)[1],
        daily=daily_by_type(ranged, freq=freq) if daily is None else daily,
        daily_freq=freq,
        marker_day=pd.Timestamp(query.day) if query.day else None,
        latest=latest(shown),
        top_actors=top_actors(shown),
        by_area=by_area(shown, border_km=query.border_km)[["label", "events"]],
        by_governorate=by_governorate(shown),
        detail=selected_event(events, query),
    )


#: At most this many periods in the map page's chart: its plot is ~480 px wide (4 px a bar), and
#: the browser's redraw grows with the bars (the real UCDP file's 963 day-and-type bars cost
#: ~150 ms of every filter change, its 210 week-and-type bars ~65 ms).
CHART_MAX_PERIODS = 120

#: How the chart names each period in its tooltip: title and date format.
_PERIOD_LABELS: dict[str, tuple[str, str]] = {
    "D": ("day", "%d %b %Y"), "W-MON": ("week of", "%d %b %Y"), "MS": ("month", "%b %Y"), "YS": ("year", "%Y"),
}  # fmt: skip


def chart_freq(query: Query) -> str:
    """The period of the map page's chart: the query's step, or the shortest longer one of
    :data:`geo.summary.PERIODS` that keeps its date range within :data:`CHART_MAX_PERIODS` bars."""
    if query.date_from is None or query.date_to is None:
        return query.freq
    days = (query.date_to - query.date_from).days + 1
    longer = [f for f, length in PERIODS.items() if length >= PERIODS[query.freq]]
    return next((f for f in longer if days / PERIODS[f] <= CHART_MAX_PERIODS), longer[-1])


def daily_chart_spec(daily: pd.DataFrame, marker_day: pd.Timestamp | None, *, freq: str = "D") -> dict:
    """The Vega-Lite spec of the map page's bars by period (``freq``) and event type, the shown slice marked.

    A plain spec rather than an Altair chart: Altair validates its schema on every rerun (about
    50 ms), this costs nothing. The marker is a named dataset (one row, or none), not part of the
    spec: the spec is then the same on every rerun and the browser updates the chart's data in
    place instead of building a new chart (~130 ms of JavaScript per time-slice step).
    """

    title, fmt = _PERIOD_LABELS[freq]
    bars = {
        "data": {"name": "daily"}, "mark": "bar",
        "encoding": {
            "x": {"field": "date", "type": "temporal", "title": None},
            "y": {"field": "events", "type": "quantitative", "title": "events"},
            "color": {"field": "event_type", "type": "nominal", "legend": None,
                      "scale": {"domain": list(EVENT_TYPE_COLORS), "range": list(EVENT_TYPE_COLORS.values())}},
            "tooltip": [{"field": "date", "type": "temporal", "title": title, "format": fmt},
                        {"field": "event_type", "type": "nominal"},
                        {"field": "events", "type": "quantitative"}, {"field": "fatalities", "type": "quantitative"}],
        },
    }  # fmt: skip
    rule = {"data": {"name": "marker"}, "mark": {"type": "rule", "color": "black", "strokeWidth": 2},
            "encoding": {"x": {"field": "date", "type": "temporal"}}}  # fmt: skip
    marker = pd.DataFrame({"date": pd.to_datetime([] if marker_day is None else [marker_day])})
    # Both datasets named: Streamlit takes a lone named dataset as every layer's default data.
    return {"height": 170, "layer": [bars, rule], "datasets": {"daily": daily, "marker": marker}}


@dataclass(frozen=True)
class BorderPanel:
    """Border Watch: the zone's events, each crossing's status and series, trend, approach, distances."""

    km: int
    zone: pd.DataFrame
    crossings: tuple[tuple[object, pd.DataFrame], ...]
    crossing_km: float
    trend: pd.DataFrame
    approach: pd.DataFrame
    distances: pd.DataFrame
    by_actor: pd.DataFrame


def border_panel(events: pd.DataFrame, query: Query) -> BorderPanel:
    """Border Watch for ``query`` over ``events`` (zone width: the query's ``km``)."""

    shown = query.apply(events)
    ranged = query.apply(events, use_slice=False)
    crossings = tuple(
        (c, crossing_series(ranged, key=c.key, radius_km=DEFAULT_CROSSING_KM))
        for c in crossing_status(ranged, radius_km=DEFAULT_CROSSING_KM)
    )
    return BorderPanel(
        km=query.border_km, zone=border_events(shown, km=query.border_km), crossings=crossings,
        crossing_km=DEFAULT_CROSSING_KM, trend=trend(events, query, km=query.border_km, freq=query.freq),
        approach=approach(ranged), distances=distance_histogram(shown), by_actor=by_actor(shown, km=query.border_km),
    )  # fmt: skip


@dataclass(frozen=True)
class TimelinePanel:
    """The Timeline: a series split by type or area, the days of largest change, the days to open,
    and period B's default (the period of equal length before the view)."""

    series: pd.DataFrame
    changes: pd.DataFrame
    days: tuple[str, ...]
    period_b: tuple[object, object] | None


def timeline_panel(events: pd.DataFrame, query: Query, *, by: str) -> TimelinePanel:
    """The Timeline for ``query``, split ``by`` ``event_type`` or ``area``."""

    ranged = query.apply(events, use_slice=False)
    before = replace(query, day=None).previous()
    days = tuple(d.isoformat() for d in pd.date_range(query.date_from, query.date_to, freq="D").date) if query.date_from and query.date_to else ()
    return TimelinePanel(
        series=series_by(ranged, by=by, freq=query.freq, border_km=query.border_km),
        changes=biggest_changes(ranged), days=days,
        period_b=None if before is None else (before.date_from, before.date_to),
    )  # fmt: skip


def compare(events: pd.DataFrame, query: Query, period_b: tuple[object, object]) -> tuple[Query, Query, pd.DataFrame]:
    """Period A (the view without its slice) against period B (same filters, other dates)."""

    a = replace(query, day=None)
    b = replace(a, date_from=period_b[0], date_to=period_b[1])
    return a, b, compare_periods(events, a, b)


@dataclass(frozen=True)
class ActorsPanel:
    """The Actors page: top actors, who fights whom, and the aliases merged into canonical names."""

    shown: pd.DataFrame
    top: pd.DataFrame
    pairs: pd.DataFrame
    merged: pd.DataFrame


def actors_panel(events: pd.DataFrame, query: Query) -> ActorsPanel:
    """The Actors page for ``query`` (actor names merged onto the actor dictionary's canonical ones)."""

    shown, merged = merge_aliases(query.apply(events))
    return ActorsPanel(shown=shown, top=top_actors(shown, n=15), pairs=actor_pairs(shown), merged=merged)


@dataclass(frozen=True)
class ActorPanel:
    """One actor: its aliases, its activity over time and its events."""

    actor: str
    aliases: tuple[str, ...]
    activity: pd.DataFrame
    events: pd.DataFrame


def actor_panel(panel: ActorsPanel, query: Query, actor: str) -> ActorPanel:
    """One actor of an :class:`ActorsPanel`."""

    shown = panel.shown
    mine = shown[(shown["actor1"] == actor) | (shown["actor2"] == actor)]
    return ActorPanel(actor, tuple(aliases_of(actor)), actor_activity(shown, actor, freq=query.freq), mine)
