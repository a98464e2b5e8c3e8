"""Panels as view models: what each page shows, computed from ``(events, query)`` by pure functions.

A page lays a panel out and computes nothing itself; a test checks a panel without Streamlit.
:class:`EventDetail` is the one description of an event, rendered as the map popup (HTML,
:func:`geo.mapview`) and as the map page's detail box (text).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.border import approach, border_events, by_actor, crossing_series, crossing_status, distance_histogram, trend
from geo.escape import source_urls
from geo.query import Query
from geo.summary import Kpi, by_area, by_governorate, daily_by_type, kpis, latest, top_actors


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


def event_detail(row) -> EventDetail:
    """The detail of one event row (a ``Series`` or an ``itertuples`` row)."""
    get = row.get if isinstance(row, pd.Series) else lambda k, d=None: getattr(row, k, d)
    precision = get("geo_precision")
    fatalities = get("fatalities")
    sentence = get("sentence")
    return EventDetail(
        event_id=str(get("event_id")),
        title=f"{get('event_type')} — {get('sub_event_type')}",
        when_where=f"{get('event_date'):%d %b %Y} · {get('location')} (geo precision {precision if pd.notna(precision) else 'not given'})",
        actors=f"{get('actor1')} vs {get('actor2') if pd.notna(get('actor2')) else '—'}",
        fatalities=f"fatalities: {fatalities if pd.notna(fatalities) else 'not reported'}",
        source=str(get("source")),
        links=tuple(source_urls(get("source_url"))),
        sentence=None if sentence is None or pd.isna(sentence) else str(sentence),
        notes=str(get("notes")),
    )


def selected_event(events: pd.DataFrame, query: Query) -> EventDetail | None:
    """The detail of the event the query selects (``event``), if it is in the data."""
    if not query.event:
        return None
    hit = events[events["event_id"] == query.event]
    return event_detail(hit.iloc[0]) if len(hit) else None


@dataclass(frozen=True)
class MapPanel:
    """Everything beside the map: KPIs, the daily chart, latest events, actors and areas."""

    kpis: tuple[Kpi, ...]
    daily: pd.DataFrame
    marker_day: pd.Timestamp | None
    latest: pd.DataFrame
    top_actors: pd.DataFrame
    by_area: pd.DataFrame
    by_governorate: pd.DataFrame
    detail: EventDetail | None


def map_panel(events: pd.DataFrame, query: Query) -> MapPanel:
    """The map page's panels for ``query`` over ``events``."""
    shown = query.apply(events)
    return MapPanel(
        kpis=tuple(kpis(events, query)),
        daily=daily_by_type(query.apply(events, use_slice=False), freq=query.freq),
        marker_day=pd.Timestamp(query.day) if query.day else None,
        latest=latest(shown),
        top_actors=top_actors(shown),
        by_area=by_area(shown, border_km=query.border_km)[["label", "events"]],
        by_governorate=by_governorate(shown),
        detail=selected_event(events, query),
    )


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
    from geo.areas import DEFAULT_CROSSING_KM

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
