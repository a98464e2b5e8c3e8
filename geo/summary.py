"""Summary panels: KPIs with deltas, daily series, top actors, counts by area, latest events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.areas import DEFAULT_BORDER_KM, area_masks, areas
from geo.query import Query, date_range_text, distinct_values


@dataclass(frozen=True)
class Kpi:
    """One headline number and its change against the previous period of equal length.

    ``delta`` is None when there is nothing to compare with: no date range, or a previous period
    the dataset does not cover (:func:`previous_period` says why).
    """

    label: str
    value: int
    delta: int | None

    @property
    def delta_text(self) -> str | None:
        """The change as shown beside the number (``+12``, ``-3``), or None."""
        return None if self.delta is None else f"{self.delta:+,}"


def previous_period(events: pd.DataFrame, query: Query) -> tuple[Query | None, str | None]:
    """The view over the previous period of equal length, when the dataset covers it; else None and why.

    A period before the dataset's first day holds no events because none were recorded, not
    because none happened: a change against it ("+157") would be read as a rise.
    """
    before = query.previous()
    if before is None or before.date_from is None:
        return None, None
    dates = events["event_date"]
    first = dates.min().date() if len(dates) else None
    if first is None or before.date_from < first:
        since = f"this dataset's first day ({first.day} {first:%b %Y})" if first else "this dataset (it has no dated events)"
        period = date_range_text(before.date_from, before.date_to)
        return None, f"No change shown: the previous period ({period}) reaches before {since}, so there is nothing to compare with."
    return before, None


def kpis(events: pd.DataFrame, query: Query, *, current: pd.DataFrame | None = None,
         lean: pd.DataFrame | None = None) -> list[Kpi]:  # fmt: skip
    """Events, fatalities, distinct actors and locations in the view, with deltas against :func:`previous_period`.

    ``current`` is ``query.apply(events)`` when the caller has it already (a rerun filters once);
    ``lean`` (:func:`geo.query.lean_events`) spares copying whole rows for the previous period.
    """
    current = query.apply(events, lean=lean) if current is None else current
    prev_q, _ = previous_period(events, query)
    previous = prev_q.apply(events, lean=lean) if prev_q is not None else None
    out = []
    for label, fn in (("events", len), ("fatalities", _fatalities), ("actors", _n_actors), ("locations", _n_locations)):
        value = int(fn(current))
        delta = None if previous is None else value - int(fn(previous))
        out.append(Kpi(label, value, delta))
    return out


def _fatalities(events: pd.DataFrame) -> int:
    return int(events["fatalities"].fillna(0).sum())


def _n_actors(events: pd.DataFrame) -> int:
    return len(distinct_values(events["actor1"]) | distinct_values(events["actor2"]))


def _n_locations(events: pd.DataFrame) -> int:
    return len(distinct_values(events["location"]))


def daily_by_type(events: pd.DataFrame, *, freq: str = "D") -> pd.DataFrame:
    """Events per period and event type: ``date`` (the period's first day), ``event_type``, ``events``, ``fatalities``.

    ``freq`` is one of :data:`PERIODS` (day, Monday-start week, month, year). Counted with
    ``bincount`` over period and type codes: 1 M events in about 20 ms.
    """
    if freq not in PERIODS:
        msg = f"freq: expected one of {sorted(PERIODS)}, got {freq!r}"
        raise ValueError(msg)
    if events.empty:
        return pd.DataFrame(columns=["date", "event_type", "events", "fatalities"])
    p_codes, p_uniques = _period_codes(events["event_date"], freq=freq)
    t_codes, t_uniques = _type_codes(events["event_type"])
    key = p_codes.astype(np.int64) * len(t_uniques) + t_codes
    size = len(p_uniques) * len(t_uniques)
    counts = np.bincount(key, minlength=size)
    fat = np.bincount(key, weights=events["fatalities"].fillna(0).to_numpy(float), minlength=size)
    nz = np.flatnonzero(counts)
    return pd.DataFrame({
        "date": pd.to_datetime(p_uniques[nz // len(t_uniques)], unit="D"), "event_type": np.asarray(t_uniques)[nz % len(t_uniques)],
        "events": counts[nz], "fatalities": fat[nz].astype(int),
    })  # fmt: skip


#: The periods events are counted by (pandas frequency → its length in days, roughly).
PERIODS: dict[str, float] = {"D": 1, "W-MON": 7, "MS": 30.44, "YS": 365.25}


def _period_codes(dates: pd.Series, *, freq: str) -> tuple[np.ndarray, np.ndarray]:
    """Each event's period (as the number of its first day) as a code into the sorted distinct periods.

    Events are kept sorted by date, so the codes are a running count of period changes (1 M
    events in a few milliseconds, where ``dt.to_period`` took 150 ms); unsorted input is sorted.
    """
    days = dates.to_numpy().astype("datetime64[D]")
    if freq in ("MS", "YS"):  # the first day of the month or year
        days = days.astype("datetime64[M]" if freq == "MS" else "datetime64[Y]").astype("datetime64[D]")
    days = days.astype(np.int64)
    if freq == "W-MON":  # day 0 (1970-01-01) was a Thursday: Monday-start weeks begin on days ≡ 4 (mod 7)
        days = days - (days - 4) % 7
    if len(days) > 1 and (np.diff(days) < 0).any():
        uniques, codes = np.unique(days, return_inverse=True)
        return codes, uniques
    change = np.empty(len(days), bool)
    change[:1], change[1:] = True, days[1:] != days[:-1]
    return np.cumsum(change) - 1, days[change]


def _type_codes(types: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Event-type codes into the alphabetically sorted type names (missing: ``unknown``)."""
    if isinstance(types.dtype, pd.CategoricalDtype):
        names = [str(c) for c in types.cat.categories] + ["unknown"]
        codes = types.cat.codes.to_numpy().astype(np.int64)
        codes[codes < 0] = len(names) - 1
        used = np.unique(codes)
        order = sorted(used, key=lambda c: names[c])
        remap = np.full(len(names), -1, np.int64)
        remap[order] = np.arange(len(order))
        return remap[codes], [names[c] for c in order]
    codes, uniques = pd.factorize(types.astype("string").fillna("unknown"), sort=True)
    return codes, list(uniques)


def top_actors(events: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """Actors by number of events on either side: ``actor, events, as_actor1, as_actor2``."""
    a1, a2 = events["actor1"].value_counts(), events["actor2"].value_counts()  # categorical: counts by code
    a1, a2 = a1[a1 > 0], a2[a2 > 0]
    a1.index, a2.index = a1.index.astype(str), a2.index.astype(str)
    table = pd.DataFrame({"as_actor1": a1, "as_actor2": a2}).fillna(0).astype(int)
    table["events"] = table["as_actor1"] + table["as_actor2"]
    table = table.sort_values(["events", "as_actor1"], ascending=False).head(n)
    return table.rename_axis("actor").reset_index()[["actor", "events", "as_actor1", "as_actor2"]]


def by_governorate(events: pd.DataFrame) -> pd.DataFrame:
    """Events per governorate (the polygon containing the point): ``admin1, events, fatalities``."""
    col = "admin1_polygon" if "admin1_polygon" in events and events["admin1_polygon"].notna().any() else "admin1"
    key = events[col]
    if isinstance(key.dtype, pd.CategoricalDtype):
        key = key.cat.add_categories(["outside SY/IQ"]) if "outside SY/IQ" not in key.cat.categories else key
    key = key.fillna("outside SY/IQ")
    fat = events["fatalities"].fillna(0)
    out = pd.DataFrame({"events": key.value_counts(), "fatalities": fat.groupby(key, observed=True).sum()}).fillna(0)
    out = out[out["events"] > 0].astype(int)
    out.index = out.index.astype(str)
    return out.sort_values("events", ascending=False).rename_axis("admin1").reset_index()


def by_area(events: pd.DataFrame, *, border_km: float | None = None) -> pd.DataFrame:
    """Events per area of interest (an event can be in several): ``area, label, events``.

    ``border_km`` is the border zone's width (the query's ``km``; the default zone when None).
    """

    km = DEFAULT_BORDER_KM if border_km is None else border_km
    shown = areas(border_km=km)
    masks = area_masks(events, [a.key for a in shown], border_km=km)
    rows = [(a.key, a.label, int(masks[a.key].sum())) for a in shown]
    return pd.DataFrame(rows, columns=["area", "label", "events"])


def latest(events: pd.DataFrame, *, n: int = 12) -> pd.DataFrame:
    """The most recent events, newest first, with the columns an analyst scans."""
    cols = ["event_id", "event_date", "event_type", "actor1", "actor2", "location", "fatalities"]
    # Events are sorted by date, so the newest are the last rows: no sort of a million rows.
    out = events.tail(n * 3).sort_values(["event_date", "event_id"], ascending=False).head(n)[cols].reset_index(drop=True)
    out["event_date"] = out["event_date"].dt.strftime("%Y-%m-%d")
    for col in out.columns:  # a category column carries every name of the dataset to the browser
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("string")
    out.attrs = {}  # a table to show, not events: no reader of their stored text (geo.detail_text)
    return out


def series_by(events: pd.DataFrame, *, by: str, freq: str = "D", border_km: float | None = None) -> pd.DataFrame:
    """Events and fatalities per day/week by ``event_type`` or by ``area`` (border zone ``border_km`` wide)."""
    if by == "area":
        km = DEFAULT_BORDER_KM if border_km is None else border_km
        shown = areas(border_km=km)
        masks = area_masks(events, [a.key for a in shown], border_km=km)
        parts = [events[masks[a.key]].assign(group=a.label) for a in shown]
        frame = pd.concat(parts, ignore_index=True) if parts else events.iloc[0:0].assign(group="")
    else:
        frame = events.assign(group=events[by].astype(str))
    if frame.empty:
        return pd.DataFrame(columns=["date", "group", "events", "fatalities"])
    grouped = frame.groupby([pd.Grouper(key="event_date", freq=freq), "group"], observed=True)
    out = grouped.agg(events=("event_id", "size"), fatalities=("fatalities", lambda s: int(s.fillna(0).sum())))
    return out.reset_index().rename(columns={"event_date": "date"})


def compare_periods(events: pd.DataFrame, a, b) -> pd.DataFrame:
    """Two queries side by side: events and fatalities by event type."""
    rows = []
    for label, q in (("A", a), ("B", b)):
        shown = q.apply(events, use_slice=False)
        counts = shown.groupby(shown["event_type"].astype(str)).agg(events=("event_id", "size"),
                                                                     fatalities=("fatalities", lambda s: int(s.fillna(0).sum())))  # fmt: skip
        rows.append(counts.add_prefix(f"{label}_"))
    table = pd.concat(rows, axis=1).fillna(0).astype(int)
    table["change"] = table["B_events"] - table["A_events"]
    return table.rename_axis("event_type").reset_index()


def biggest_changes(events: pd.DataFrame, *, n: int = 3) -> pd.DataFrame:
    """Days whose event count changed most from the day before (``date, events, change``)."""
    daily = events.groupby(events["event_date"].dt.normalize()).size()
    if daily.empty:
        return pd.DataFrame(columns=["date", "events", "change"])
    daily = daily.asfreq("D", fill_value=0)
    change = daily.diff().fillna(daily)
    top = change.abs().sort_values(ascending=False).head(n).index
    return pd.DataFrame({"date": top, "events": daily[top].to_numpy(), "change": change[top].astype(int).to_numpy()}).sort_values("date")


def actor_pairs(events: pd.DataFrame, *, n: int = 15) -> pd.DataFrame:
    """Who fights whom: ``actor1, actor2, events`` (pairs with a named second actor)."""
    pairs = events.dropna(subset=["actor2"])
    grouped = pairs.groupby([pairs["actor1"].astype(str), pairs["actor2"].astype(str)], observed=True).size()
    return grouped.rename("events").sort_values(ascending=False).head(n).reset_index()


def actor_activity(events: pd.DataFrame, actor: str, *, freq: str = "D") -> pd.DataFrame:
    """One actor's events per day/week on either side, by event type."""
    mine = events[(events["actor1"] == actor) | (events["actor2"] == actor)]
    return daily_by_type(mine, freq=freq)


def quality(events: pd.DataFrame) -> dict[str, pd.DataFrame | int]:
    """Data quality: geo-precision mix, date precision mix, admin1 disagreements, duplicate ids."""
    geo_mix = events["geo_precision"].value_counts(dropna=False).sort_index().rename_axis("geo_precision").rename("events").reset_index()
    time_mix = events["time_precision"].value_counts(dropna=False).sort_index().rename_axis("time_precision").rename("events").reset_index()
    mismatch = int(events["admin1_mismatch"].fillna(False).sum()) if "admin1_mismatch" in events else 0
    return {
        "geo_precision": geo_mix, "time_precision": time_mix, "admin1_mismatch": mismatch,
        "duplicate_ids": int(events["event_id"].duplicated().sum()),
        "without_coordinates": int(events["latitude"].isna().sum()),
    }  # fmt: skip
