"""``Query``: one object for the whole view — it applies itself, describes itself, and
round-trips to URL query parameters.

URL parameters: ``from``, ``to``, ``day`` (current slice), ``step`` (day/week),
``slice`` (window/cumulative), ``actor`` (repeatable), ``role`` (either/actor1/actor2),
``type``, ``sub``, ``area`` (repeatable), ``fat``, ``q``, ``dataset``, ``mode``,
``view`` (``lat,lon,zoom``), ``event``, ``km`` (border zone width). A bad parameter never raises: it falls back to
its default and :meth:`Query.from_params` reports which one was ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.taxonomy import EVENT_TYPES, SUB_EVENT_TYPES

ROLES = ("either", "actor1", "actor2")
STEPS = ("day", "week")
SLICES = ("window", "cumulative")
MODES = ("auto", "points", "clusters", "heatmap", "choropleth", "grid")
MAX_ZOOM = 18
MIN_ZOOM = 3


@dataclass(frozen=True)
class Vocabulary:
    """What the loaded data knows: used to reject tampered parameters (unknown actor…)."""

    actors: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    datasets: frozenset[str] = frozenset()
    date_min: date | None = None
    date_max: date | None = None


@dataclass(frozen=True)
class Query:
    """The analyst's whole view. Immutable; change it with :func:`dataclasses.replace`."""

    date_from: date | None = None
    date_to: date | None = None
    day: date | None = None
    step: str = "day"
    slice_mode: str = "window"
    actors: tuple[str, ...] = ()
    role: str = "either"
    types: tuple[str, ...] = ()
    subs: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    min_fatalities: int = 0
    text: str = ""
    dataset: str = "bundled"
    mode: str = "auto"
    view: tuple[float, float, int] | None = None
    event: str | None = None
    border_km: int = 25
    _ignored: tuple[str, ...] = field(default=(), compare=False, repr=False)

    # ------------------------------------------------------------------ apply

    def apply(self, events: pd.DataFrame, *, use_slice: bool = True) -> pd.DataFrame:
        """Rows of ``events`` (sorted by ``event_date``) matching the query.

        The date window is a ``searchsorted`` slice; every other filter is a vectorised mask.
        ``use_slice=False`` ignores the time slice (the whole range, e.g. for charts).
        """
        start, end = self.window(use_slice=use_slice)
        dates = events["event_date"].to_numpy()
        lo = np.searchsorted(dates, np.datetime64(start), side="left") if start else 0
        hi = np.searchsorted(dates, np.datetime64(end + timedelta(days=1)), side="left") if end else len(events)
        sub = events.iloc[lo:hi]
        mask = self._mask(sub)
        return sub if mask is None else sub[mask]

    def window(self, *, use_slice: bool = True) -> tuple[date | None, date | None]:
        """The inclusive date range shown: the slice when one is set, else the full range."""
        if not use_slice or self.day is None:
            return self.date_from, self.date_to
        end = self.day + timedelta(days=(7 if self.step == "week" else 1) - 1)
        end = min(end, self.date_to) if self.date_to else end
        start = self.date_from if self.slice_mode == "cumulative" else self.day
        return start, end

    def _mask(self, events: pd.DataFrame) -> np.ndarray | None:
        masks = []
        if self.actors:
            a1, a2 = events["actor1"].isin(self.actors), events["actor2"].isin(self.actors)
            assoc = _assoc_match(events, self.actors)
            masks.append({"actor1": a1, "actor2": a2}.get(self.role, a1 | a2 | assoc).to_numpy())
        if self.types or self.subs:
            t = events["event_type"].isin(self.types).to_numpy() if self.types else np.zeros(len(events), bool)
            s = events["sub_event_type"].isin(self.subs).to_numpy() if self.subs else np.zeros(len(events), bool)
            masks.append(t | s)
        if self.areas:
            from geo.areas import in_areas

            masks.append(in_areas(events, self.areas, border_km=self.border_km))
        if self.min_fatalities > 0:
            masks.append((events["fatalities"].fillna(0) >= self.min_fatalities).to_numpy())
        if self.text:
            masks.append(_text_match(events, self.text))
        if not masks:
            return None
        return np.logical_and.reduce(masks)

    def previous(self) -> Query | None:
        """The same query over the previous period of equal length (for KPI deltas)."""
        start, end = self.window()
        if start is None or end is None:
            return None
        length = (end - start).days + 1
        return replace(self, date_from=start - timedelta(days=length), date_to=start - timedelta(days=1), day=None)

    # ------------------------------------------------------------------ describe

    def describe(self) -> str:
        """The query in words: "Battles involving HTS in Idlib, 27 Nov – 8 Dec 2024"."""
        what = _join(self.types + self.subs) or "Events"
        parts = [what]
        if self.actors:
            verb = {"actor1": "by", "actor2": "against"}.get(self.role, "involving")
            parts.append(f"{verb} {_join(self.actors)}")
        if self.areas:
            from geo.areas import areas as all_areas

            labels = {a.key: a.label for a in all_areas()}
            parts.append(f"in {_join(tuple(labels.get(a, a) for a in self.areas))}")
        if self.min_fatalities:
            parts.append(f"with at least {self.min_fatalities} fatalities")
        if self.text:
            parts.append(f"mentioning “{self.text}”")
        start, end = self.window()
        sentence = " ".join(parts)
        return f"{sentence}, {_date_range(start, end)}" if start and end else sentence

    # ------------------------------------------------------------------ URL

    def to_params(self) -> dict[str, str | list[str]]:
        """URL query parameters stating every filter explicitly."""
        p: dict[str, str | list[str]] = {}
        if self.date_from:
            p["from"] = self.date_from.isoformat()
        if self.date_to:
            p["to"] = self.date_to.isoformat()
        if self.day:
            p["day"] = self.day.isoformat()
        p["step"], p["slice"], p["role"], p["mode"] = self.step, self.slice_mode, self.role, self.mode
        for key, values in (("actor", self.actors), ("type", self.types), ("sub", self.subs), ("area", self.areas)):
            if values:
                p[key] = list(values)
        p["fat"] = str(self.min_fatalities)
        if self.text:
            p["q"] = self.text
        p["dataset"] = self.dataset
        if self.view:
            p["view"] = f"{self.view[0]:.5f},{self.view[1]:.5f},{self.view[2]}"
        if self.event:
            p["event"] = self.event
        p["km"] = str(self.border_km)
        return p

    @classmethod
    def from_params(cls, params: Mapping[str, str | Iterable[str]], *, vocab: Vocabulary | None = None) -> Query:
        """Parse URL parameters; anything invalid falls back to its default and is listed in ``ignored``."""
        ignored = [f"{str(k)[:40]!r}: unknown parameter" for k in list(params)[:MAX_NOTES] if k not in _PARSERS]
        values: dict[str, object] = {}
        for name, parser in _PARSERS.items():
            raw = _values(params, name)
            if not raw:
                continue
            if name not in MULTI_VALUED and len(raw) > 1:
                ignored.append(f"{name}: given {len(raw)} times, used the first")
            try:
                parsed = parser(raw, vocab)
            except (ValueError, TypeError) as exc:
                ignored.append(f"{name}: {exc}")
                continue
            ignored += [f"{name}: {note}" for note in parsed.pop("_ignored", [])]
            values.update(parsed)
        query = cls(**values)
        query, more = _check_dates(query, vocab)
        return replace(query, _ignored=tuple(ignored + more))

    @property
    def ignored(self) -> tuple[str, ...]:
        """Parameters that were invalid and fell back to their defaults, with why."""
        return self._ignored


# ---------------------------------------------------------------------- parsing helpers


def _values(params: Mapping[str, str | Iterable[str]], name: str) -> list[str]:
    raw = params.get_all(name) if hasattr(params, "get_all") else params.get(name)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [str(v) for v in items if str(v).strip() != ""]


def _date(raw: list[str], _vocab: Vocabulary | None, key: str) -> dict[str, object]:
    try:
        return {key: date.fromisoformat(raw[0].strip())}
    except ValueError:
        msg = f"expected a date like 2024-11-30, got {raw[0][:40]!r}"
        raise ValueError(msg) from None


def _choice(options: tuple[str, ...], key: str):
    def parse(raw: list[str], _vocab: Vocabulary | None) -> dict[str, object]:
        if raw[0] not in options:
            msg = f"expected one of {', '.join(options)}, got {raw[0][:40]!r}"
            raise ValueError(msg)
        return {key: raw[0]}

    return parse


def _members(known_from, key: str, label: str):
    """A multi-valued parameter: known values are kept, unknown ones noted (the rest of the link still applies)."""

    def parse(raw: list[str], vocab: Vocabulary | None) -> dict[str, object]:
        known = known_from(vocab)
        values = list(dict.fromkeys(v[:200] for v in raw))
        notes = []
        if len(values) > MAX_MEMBERS:
            notes.append(f"{len(values):,} values, kept the first {MAX_MEMBERS}")
            values = values[:MAX_MEMBERS]
        unknown = [v for v in values if known is not None and v not in known]
        if unknown:
            shown = ", ".join(repr(u[:40]) for u in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
            notes.append(f"unknown {label} {shown}")
        return {key: tuple(v for v in values if v not in unknown), "_ignored": notes}

    return parse


def _fat(raw: list[str], _vocab: Vocabulary | None) -> dict[str, object]:
    if not raw[0].isdigit() or int(raw[0]) > 100_000:
        msg = f"expected a whole number of fatalities, got {raw[0][:40]!r}"
        raise ValueError(msg)
    return {"min_fatalities": int(raw[0])}


def _view(raw: list[str], _vocab: Vocabulary | None) -> dict[str, object]:
    parts = raw[0].split(",")
    try:
        lat, lon, zoom = float(parts[0]), float(parts[1]), int(parts[2])
    except (ValueError, IndexError):
        msg = f"expected lat,lon,zoom, got {raw[0][:40]!r}"
        raise ValueError(msg) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and MIN_ZOOM <= zoom <= MAX_ZOOM):
        msg = f"expected lat in ±90, lon in ±180, zoom {MIN_ZOOM}–{MAX_ZOOM}, got {raw[0][:40]!r}"
        raise ValueError(msg)
    return {"view": (round(lat, 5), round(lon, 5), zoom)}


def _km(raw: list[str], _vocab: Vocabulary | None) -> dict[str, object]:
    if not raw[0].isdigit() or not 1 <= int(raw[0]) <= 300:
        msg = f"expected a border zone width of 1–300 km, got {raw[0][:40]!r}"
        raise ValueError(msg)
    return {"border_km": int(raw[0])}


def _text(raw: list[str], _vocab: Vocabulary | None) -> dict[str, object]:
    return {"text": raw[0][:200]}


def _event(raw: list[str], _vocab: Vocabulary | None) -> dict[str, object]:
    return {"event": raw[0][:100]}


def _dataset(raw: list[str], vocab: Vocabulary | None) -> dict[str, object]:
    value = raw[0][:100]
    if not DATASET_ID.fullmatch(value):
        msg = f"expected 'bundled' or a 16-hex-digit dataset id, got {value[:40]!r}"
        raise ValueError(msg)
    if vocab is not None and vocab.datasets and value not in vocab.datasets:
        msg = f"unknown dataset {value!r}"
        raise ValueError(msg)
    return {"dataset": value}


#: Parameters that may repeat (``?actor=A&actor=B``); any other repeat uses the first value.
MULTI_VALUED = frozenset({"actor", "type", "sub", "area"})
MAX_MEMBERS = 50  # values per multi-valued parameter: more is not a view anyone shares
MAX_NOTES = 10  # unknown parameters listed by name (a fuzzed link can carry thousands)
DATASET_ID = re.compile(r"bundled|[0-9a-f]{16}")

_PARSERS = {
    "from": lambda raw, v: _date(raw, v, "date_from"),
    "to": lambda raw, v: _date(raw, v, "date_to"),
    "day": lambda raw, v: _date(raw, v, "day"),
    "step": _choice(STEPS, "step"),
    "slice": _choice(SLICES, "slice_mode"),
    "role": _choice(ROLES, "role"),
    "mode": _choice(MODES, "mode"),
    "actor": _members(lambda v: v.actors if v and v.actors else None, "actors", "actor"),
    "type": _members(lambda v: set(EVENT_TYPES), "types", "event type"),
    "sub": _members(lambda v: set(SUB_EVENT_TYPES), "subs", "sub-event type"),
    "area": _members(lambda v: v.areas if v and v.areas else None, "areas", "area"),
    "fat": _fat,
    "q": _text,
    "dataset": _dataset,
    "view": _view,
    "event": _event,
    "km": _km,
}


def _check_dates(query: Query, vocab: Vocabulary | None) -> tuple[Query, list[str]]:
    ignored = []
    if query.date_from and query.date_to and query.date_to < query.date_from:
        ignored.append(f"to: {query.date_to.isoformat()} is before from {query.date_from.isoformat()}")
        query = replace(query, date_to=None)
    if query.day and ((query.date_from and query.day < query.date_from) or (query.date_to and query.day > query.date_to)):
        ignored.append(f"day: {query.day.isoformat()} is outside the date range")
        query = replace(query, day=None)
    return query, ignored


def with_defaults(query: Query, vocab: Vocabulary) -> Query:
    """Fill the date range from the data so the URL states it explicitly."""
    return replace(query, date_from=query.date_from or vocab.date_min, date_to=query.date_to or vocab.date_max)


def vocabulary(events: pd.DataFrame, *, areas: Iterable[str], datasets: Iterable[str]) -> Vocabulary:
    """The vocabulary of a loaded dataset."""
    actors = set(events["actor1"].dropna().astype(str)) | set(events["actor2"].dropna().astype(str))
    dates = events["event_date"]
    return Vocabulary(
        actors=frozenset(actors),
        areas=frozenset(areas),
        datasets=frozenset(datasets),
        date_min=dates.min().date() if len(dates) else None,
        date_max=dates.max().date() if len(dates) else None,
    )


def _assoc_match(events: pd.DataFrame, actors: tuple[str, ...]) -> pd.Series:
    """Associated actors (``;``-separated) containing one of ``actors``."""
    hit = pd.Series(False, index=events.index)
    for col in ("assoc_actor_1", "assoc_actor_2"):
        text = (";" + events[col].astype("string").fillna("") + ";")
        for a in actors:
            hit |= text.str.contains(f";{a};", regex=False)
    return hit


def _text_match(events: pd.DataFrame, text: str) -> np.ndarray:
    needle = text.lower()
    hit = np.zeros(len(events), bool)
    for col in ("location", "notes", "actor1", "actor2", "admin1"):
        hit |= events[col].astype("string").str.lower().str.contains(needle, regex=False).fillna(False).to_numpy()
    return hit


def _join(items: tuple[str, ...]) -> str:
    items = tuple(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _date_range(start: date, end: date) -> str:
    if start == end:
        return f"{start.day} {start:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"

