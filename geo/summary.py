"""Summary panels: KPIs with deltas, daily series, top actors, counts by area, latest events."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.query import Query


@dataclass(frozen=True)
class Kpi:
    """One headline number and its change against the previous period of equal length."""

    label: str
    value: int
    delta: int | None


def kpis(events: pd.DataFrame, query: Query) -> list[Kpi]:
    """Events, fatalities, distinct actors and locations in the view, with deltas."""
    current = query.apply(events)
    prev_q = query.previous()
    previous = prev_q.apply(events) if prev_q is not None else None
    out = []
    for label, fn in (("events", len), ("fatalities", _fatalities), ("actors", _n_actors), ("locations", _n_locations)):
        value = int(fn(current))
        delta = None if previous is None else value - int(fn(previous))
        out.append(Kpi(label, value, delta))
    return out


def _fatalities(events: pd.DataFrame) -> int:
    return int(events["fatalities"].fillna(0).sum())


def _n_actors(events: pd.DataFrame) -> int:
    return len(set(events["actor1"].dropna().astype(str)) | set(events["actor2"].dropna().astype(str)))


def _n_locations(events: pd.DataFrame) -> int:
    return int(events["location"].nunique())


def daily_by_type(events: pd.DataFrame, *, freq: str = "D") -> pd.DataFrame:
    """Events per day (or week) and event type: ``date, event_type, events, fatalities``."""
    if events.empty:
        return pd.DataFrame(columns=["date", "event_type", "events", "fatalities"])
    grouped = events.groupby([pd.Grouper(key="event_date", freq=freq), events["event_type"].astype(str)], observed=True)
    out = grouped.agg(events=("event_id", "size"), fatalities=("fatalities", lambda s: int(s.fillna(0).sum())))
    out = out.reset_index().rename(columns={"event_date": "date"})
    return out[out["events"] > 0].reset_index(drop=True)


def top_actors(events: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """Actors by number of events on either side: ``actor, events, as_actor1, as_actor2``."""
    a1 = events["actor1"].dropna().astype(str).value_counts()
    a2 = events["actor2"].dropna().astype(str).value_counts()
    table = pd.DataFrame({"as_actor1": a1, "as_actor2": a2}).fillna(0).astype(int)
    table["events"] = table["as_actor1"] + table["as_actor2"]
    table = table.sort_values(["events", "as_actor1"], ascending=False).head(n)
    return table.rename_axis("actor").reset_index()[["actor", "events", "as_actor1", "as_actor2"]]


def by_governorate(events: pd.DataFrame) -> pd.DataFrame:
    """Events per governorate (the polygon containing the point): ``admin1, events, fatalities``."""
    col = "admin1_polygon" if "admin1_polygon" in events and events["admin1_polygon"].notna().any() else "admin1"
    grouped = events.groupby(events[col].astype("string").fillna("outside SY/IQ"))
    out = grouped.agg(events=("event_id", "size"), fatalities=("fatalities", lambda s: int(s.fillna(0).sum())))
    return out.sort_values("events", ascending=False).rename_axis("admin1").reset_index()


def by_area(events: pd.DataFrame) -> pd.DataFrame:
    """Events per area of interest (an event can be in several): ``area, label, events``."""
    from geo.areas import areas, in_area

    rows = [(a.key, a.label, int(in_area(events, a.key).sum())) for a in areas()]
    return pd.DataFrame(rows, columns=["area", "label", "events"])


def latest(events: pd.DataFrame, *, n: int = 12) -> pd.DataFrame:
    """The most recent events, newest first, with the columns an analyst scans."""
    cols = ["event_id", "event_date", "event_type", "actor1", "actor2", "location", "fatalities"]
    out = events.sort_values(["event_date", "event_id"], ascending=False).head(n)[cols].reset_index(drop=True)
    out["event_date"] = out["event_date"].dt.strftime("%Y-%m-%d")
    return out
