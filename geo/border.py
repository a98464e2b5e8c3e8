"""Border Watch: is the war spilling into Iraq? Border-zone events, crossings and the approach."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo import layers
from geo.areas import crossing_distance_km, in_border_zone
from geo.detail_text import with_text
from geo.extract import border_zone_match
from geo.query import Query

#: Sub-event types (and words in notes) that say something about a crossing's status, strongest first.
STATUS_RULES: tuple[tuple[str, str], ...] = (
    ("clos", "closed"),
    ("shut", "closed"),
    ("reopen", "reopened"),
    ("deploy", "troops deployed"),
    ("reinforc", "troops deployed"),
    ("clash", "clashes"),
    ("armed clash", "clashes"),
    ("air/drone strike", "air strikes"),
    ("overtakes territory", "changed hands"),
    ("withdr", "forces withdrew"),
)


def border_events(events: pd.DataFrame, *, km: float) -> pd.DataFrame:
    """Events within ``km`` of the Iraq–Syria border line, on either side."""

    return events[in_border_zone(events["border_distance_km"], width_km=km)]


def crossing_events(events: pd.DataFrame, *, key: str, radius_km: float) -> pd.DataFrame:
    """Events within ``radius_km`` of crossing ``key`` (great-circle distance)."""

    dist = crossing_distance_km(events["longitude"].to_numpy(float), events["latitude"].to_numpy(float), key)
    return events[dist <= radius_km]


@dataclass(frozen=True)
class CrossingStatus:
    """What the events near a crossing say about it."""

    key: str
    name: str
    events: int
    latest_date: pd.Timestamp | None
    latest: str
    status: str
    sources: tuple[str, ...]


def crossing_status(events: pd.DataFrame, *, radius_km: float) -> list[CrossingStatus]:
    """Per crossing: count, latest event and a status line derived from the events, with sources."""
    out = []
    for c in layers.crossings().itertuples():
        near = crossing_events(events, key=c.key, radius_km=radius_km).sort_values("event_date")
        # Border-wide events (closing all crossings) count for every crossing.
        wide = events[border_wide(events)]
        relevant = pd.concat([near, wide]).drop_duplicates("event_id").sort_values("event_date")
        status, sources = _status(relevant)
        last = relevant.iloc[-1] if len(relevant) else None
        out.append(CrossingStatus(
            c.key, c.name, len(near), None if last is None else last["event_date"],
            "" if last is None else f"{last['event_date']:%d %b %Y}: {last['sub_event_type']} at {last['location']}",
            status, sources,
        ))  # fmt: skip
    return out


def border_wide(events: pd.DataFrame) -> pd.Series:
    """Events placed at the border zone as a whole (the border-zone point at region precision),
    such as the closure of every crossing: they concern each crossing."""

    zone = border_zone_match()
    lat, lon = pd.to_numeric(events["latitude"]), pd.to_numeric(events["longitude"])
    return ((lat - zone.lat).abs() < 1e-5) & ((lon - zone.lon).abs() < 1e-5) & (events["geo_precision"] == zone.geo_precision)


def _status(events: pd.DataFrame) -> tuple[str, tuple[str, ...]]:
    if events.empty:
        return "no events reported", ()
    events = with_text(events, ("notes", "source"))
    text = (events["sub_event_type"].astype("string").fillna("") + " " + events["notes"].astype("string").fillna("")).str.lower()
    found: dict[str, pd.Timestamp] = {}
    sources: list[str] = []
    for word, label in STATUS_RULES:
        hit = events[text.str.contains(word, regex=False).to_numpy()]
        if len(hit):
            found[label] = max(found.get(label, hit["event_date"].max()), hit["event_date"].max())
            sources += [str(s).split(" || ")[0] for s in hit.sort_values("event_date")["source"].tail(2)]
    ordered = sorted(found.items(), key=lambda kv: kv[1], reverse=True)
    line = "; ".join(f"{label} (latest {when:%d %b})" for label, when in ordered)
    return line or "events reported, no status words", tuple(dict.fromkeys(sources))


def trend(events: pd.DataFrame, query: Query, *, km: float, freq: str = "D") -> pd.DataFrame:
    """Border-zone events per period split by side, for the query and its previous period."""
    frames = []
    for label, q in (("current", query), ("previous", query.previous())):
        if q is None:
            continue
        zone = border_events(q.apply(events, use_slice=False), km=km)
        if zone.empty:
            continue
        grouped = zone.groupby([pd.Grouper(key="event_date", freq=freq), zone["border_side"].astype(str)], observed=True).size()
        frame = grouped.rename("events").reset_index().rename(columns={"event_date": "date", "border_side": "side"})
        frame["period"] = label
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["date", "side", "events", "period"])


def by_actor(events: pd.DataFrame, *, km: float) -> pd.DataFrame:
    """Border-zone events by actor1 and side."""
    zone = border_events(events, km=km)
    return zone.groupby([zone["actor1"].astype(str), zone["border_side"].astype(str)], observed=True).size().rename("events").reset_index()


def approach(events: pd.DataFrame) -> pd.DataFrame:
    """The nearest event to the border each day (``date, border_distance_km, location, side, event_id``)."""
    if events.empty:
        return pd.DataFrame(columns=["date", "border_distance_km", "location", "side", "event_id"])
    idx = events.groupby(events["event_date"].dt.normalize())["border_distance_km"].idxmin()
    nearest = events.loc[idx.to_numpy()]
    return pd.DataFrame({
        "date": nearest["event_date"].to_numpy(), "border_distance_km": nearest["border_distance_km"].round(1).to_numpy(),
        "location": nearest["location"].astype(str).to_numpy(), "side": nearest["border_side"].astype(str).to_numpy(),
        "event_id": nearest["event_id"].astype(str).to_numpy(),
    })  # fmt: skip


def distance_histogram(events: pd.DataFrame, *, bins: tuple[int, ...] = (0, 5, 10, 25, 50, 100, 200, 400, 800)) -> pd.DataFrame:
    """Events by distance-to-border band."""
    cut = pd.cut(events["border_distance_km"], bins=list(bins), right=True, include_lowest=True)
    return cut.value_counts().sort_index().rename_axis("km").rename("events").reset_index().assign(km=lambda f: f["km"].astype(str))


def crossing_series(events: pd.DataFrame, *, key: str, radius_km: float) -> pd.DataFrame:
    """Events per day within ``radius_km`` of crossing ``key`` (``date, events``)."""
    near = crossing_events(events, key=key, radius_km=radius_km)
    counts = near.groupby(near["event_date"].dt.normalize()).size()
    return counts.rename_axis("date").rename("events").reset_index()
