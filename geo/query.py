"""``Query``: one object for the whole view — it applies itself, describes itself, and
round-trips to URL query parameters.

The parameters are a table (:data:`geo.params.PARAMS`): each row says its URL key, the field it
sets and how it is parsed. A bad parameter never raises: it falls back to its default and
:meth:`Query.from_params` reports which one was ignored, and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from geo.areas import areas as all_areas
from geo.areas import in_areas
from geo.detail_text import contains
from geo.params import (  # noqa: F401  (re-exported: the vocabulary of a view)
    BUNDLED_ID,
    DEFAULT_BORDER_KM,
    MAX_MEMBERS,
    MAX_ZOOM,
    MIN_ZOOM,
    MODES,
    PARAMS,
    ROLES,
    SLICES,
    STEPS,
    Vocabulary,
    field_values,
    format_value,
    parse_params,
)


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
    dataset: str = BUNDLED_ID
    mode: str = "auto"
    view: tuple[float, float, int] | None = None
    event: str | None = None
    border_km: int = DEFAULT_BORDER_KM
    _ignored: tuple[str, ...] = field(default=(), compare=False, repr=False)

    # ------------------------------------------------------------------ apply

    def apply(self, events: pd.DataFrame, *, use_slice: bool = True, lean: pd.DataFrame | None = None) -> pd.DataFrame:
        """Rows of ``events`` (sorted by ``event_date``) matching the query.

        The date window is a ``searchsorted`` slice; every other filter is a vectorised mask.
        ``use_slice=False`` ignores the time slice (the whole range, e.g. for charts). With
        ``lean`` (:func:`lean_events` of ``events``) the masks still read ``events`` but the rows
        come from ``lean``: a rerun copies the few columns panels count, not every text field.
        """
        start, end = self.window(use_slice=use_slice)
        dates = events["event_date"].to_numpy()
        lo = np.searchsorted(dates, np.datetime64(start), side="left") if start else 0
        hi = np.searchsorted(dates, np.datetime64(end + timedelta(days=1)), side="left") if end else len(events)
        mask = self._mask(events.iloc[lo:hi])
        rows = (events if lean is None else lean).iloc[lo:hi]
        return rows if mask is None else rows[mask]

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
            masks.append(in_areas(events, self.areas, border_km=self.border_km))
        if self.min_fatalities > 0:
            masks.append((events["fatalities"].fillna(0) >= self.min_fatalities).to_numpy())
        if self.text:
            masks.append(_text_match(events, self.text))
        if not masks:
            return None
        return np.logical_and.reduce(masks)

    def filter_key(self) -> str:
        """A stable key of the filters alone (not the slice, view, selection or map mode): what a
        per-day aggregate of the whole range depends on (e.g. a cache key)."""
        params = {k: v for k, v in self.to_params().items() if k not in ("day", "view", "event", "mode")}
        return repr(sorted(params.items()))

    @property
    def freq(self) -> str:
        """The pandas frequency of the query's step: ``D`` for days, ``W-MON`` for weeks starting Monday."""
        return "W-MON" if self.step == "week" else "D"

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
            labels = {a.key: a.label for a in all_areas()}
            parts.append(f"in {_join(tuple(labels.get(a, a) for a in self.areas))}")
        if self.min_fatalities:
            parts.append(f"with at least {self.min_fatalities} fatalities")
        if self.text:
            parts.append(f"mentioning “{self.text}”")
        start, end = self.window()
        sentence = " ".join(parts)
        return f"{sentence}, {date_range_text(start, end)}" if start and end else sentence

    # ------------------------------------------------------------------ URL

    def to_params(self) -> dict[str, str | list[str]]:
        """URL query parameters stating every filter explicitly (one per row of :data:`geo.params.PARAMS`)."""
        out = {p.key: format_value(p, getattr(self, p.field)) for p in PARAMS}
        return {k: v for k, v in out.items() if v is not None}

    def link(self) -> str:
        """The view as a link's query string (``?from=…&to=…``), to paste after the app's address."""
        return "?" + urlencode(self.to_params(), doseq=True)

    @classmethod
    def from_params(cls, params: Mapping[str, str | Iterable[str]], *, vocab: Vocabulary | None = None) -> Query:
        """Parse URL parameters; anything invalid falls back to its default and is listed in ``ignored``."""
        values, ignored = parse_params(params, vocab=vocab)
        query, more = _check_dates(cls(**values))
        return replace(query, _ignored=tuple(ignored + more))

    @property
    def ignored(self) -> tuple[str, ...]:
        """Parameters that were invalid and fell back to their defaults, with why."""
        return self._ignored


def _check_dates(query: Query) -> tuple[Query, list[str]]:
    """The query without a reversed range's end or a slice day outside its range, and why each went."""
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


def clamp_to_data(query: Query, vocab: Vocabulary, *, source: str = "The link's dates") -> tuple[Query, tuple[str, ...]]:
    """The query with its dates inside the data's range, and a note for every date it moved.

    The sidebar's date input is bounded by the data's first and last day, and the time slider
    offers the slices of the range shown: a date outside them raises in Streamlit and takes the
    page's filters down. A link made on another dataset, or a session left holding the dates of
    a dataset deleted since, carries such dates; they are moved here, and never silently.

    Parameters
    ----------
    query
        The view asked for: a link's, or the one a session's widgets hold.
    vocab
        The opened dataset's vocabulary; ``date_min`` and ``date_max`` are the bounds.
    source
        Whose dates these are: each note starts with it ("The link's dates", "The dates in view").

    Returns
    -------
    tuple[Query, tuple[str, ...]]
        The query with both ends of its range set (the data's where none was given) and the
        notes, one per change (none: nothing was moved). A range partly outside is cut where
        it falls out; one wholly outside (or reversed) becomes the data's whole range. A slice
        day outside the range shown is dropped (the whole range is shown); one that starts no
        week of a week step moves to the first day of its week.
    """
    low, high = vocab.date_min, vocab.date_max
    if low is None or high is None:  # no dated events: nothing bounds the widgets
        return query, ()
    start, end = query.date_from or low, query.date_to or high
    given = _given_range(query.date_from, query.date_to)
    data = f"this dataset ({low.isoformat()} – {high.isoformat()})"
    notes: list[str] = []
    if end < low or start > high or start > end:
        notes.append(f"{source} {given} lie outside {data}: showing its whole range, {low.isoformat()} – {high.isoformat()}.")
        start, end = low, high
    elif start < low or end > high:
        start, end = max(start, low), min(end, high)
        notes.append(f"{source} {given} reach outside {data}: showing {start.isoformat()} – {end.isoformat()}.")
    day = query.day
    if day is not None and not start <= day <= end:
        notes.append(f"The time slice {day.isoformat()} lies outside the dates shown: showing the whole range.")
        day = None
    elif day is not None and query.step == "week" and (day - start).days % 7:
        # The slider's week slices start at the range's first day (geo.playback.slice_days).
        day = day - timedelta(days=(day - start).days % 7)
        notes.append(f"The time slice {query.day.isoformat()} starts no week from {start.isoformat()}: "
                     f"showing the week from {day.isoformat()}.")  # fmt: skip
    return replace(query, date_from=start, date_to=end, day=day), tuple(notes)


def _given_range(start: date | None, end: date | None) -> str:
    """A range as a link gives it, open ends said in words."""
    if start and end:
        return f"{start.isoformat()} – {end.isoformat()}"
    return f"from {start.isoformat()}" if start else f"up to {end.isoformat()}" if end else "(none given)"


def query_from_state(state: Mapping[str, object], vocab: Vocabulary) -> Query:
    """The view the widgets and the session state say, with the data's dates where none are chosen.

    The entry script and the map page's partial rerun (a slice step, a pan) both build it here,
    so a fragment's view is the one a full run would build. A time slice outside the date range
    is dropped (the whole range is shown).
    """
    values = field_values(state)
    start, end = values["date_from"] or vocab.date_min, values["date_to"] or vocab.date_max
    query = Query(**{**values, "date_from": start, "date_to": end})
    return replace(query, day=None) if query.day and not (start <= query.day <= end) else query


def distinct_values(values: pd.Series) -> set:
    """Distinct non-missing values, via category codes when possible (1 M rows in milliseconds,
    where iterating the values took 1.8 s per column)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = pd.unique(values.cat.codes.to_numpy())
        return set(values.cat.categories[codes[codes >= 0]])
    return set(values.dropna().unique())


def vocabulary(events: pd.DataFrame, *, areas: Iterable[str], datasets: Iterable[str]) -> Vocabulary:
    """The vocabulary of a loaded dataset."""
    actors = {str(a) for a in distinct_values(events["actor1"]) | distinct_values(events["actor2"])}
    dates = events["event_date"]
    return Vocabulary(
        actors=frozenset(actors),
        areas=frozenset(areas),
        datasets=frozenset(datasets),
        date_min=dates.min().date() if len(dates) else None,
        date_max=dates.max().date() if len(dates) else None,
    )


#: What filters, map counts and summary panels read. The rest of a row (notes, sources, sentences,
#: a source's extra columns) is read only for rows on screen: popups, the detail box, downloads.
LEAN_COLUMNS: tuple[str, ...] = (
    "event_id", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "admin1",
    "admin1_polygon", "latitude", "longitude", "fatalities", "areas", "border_distance_km", "border_side",
)  # fmt: skip


#: Lean text columns held as categories: a filter copies their codes, not their strings (at 1 M
#: events the two were 40 % of the time to take the rows a filter keeps).
LEAN_CATEGORIES: tuple[str, ...] = ("location", "areas")


def lean_events(events: pd.DataFrame) -> pd.DataFrame:
    """The :data:`LEAN_COLUMNS` of ``events`` (same rows, same index, same values), for :meth:`Query.apply`'s ``lean``."""
    lean = pd.DataFrame(events[[c for c in LEAN_COLUMNS if c in events.columns]])
    lean.attrs = dict(events.attrs)  # a reader of the text kept in storage (geo.detail_text) comes along
    for col in LEAN_CATEGORIES:
        if col in lean and not isinstance(lean[col].dtype, pd.CategoricalDtype):
            lean[col] = lean[col].astype("category")
    return lean


def _assoc_match(events: pd.DataFrame, actors: tuple[str, ...]) -> pd.Series:
    """Associated actors (``;``-separated) containing one of ``actors``."""
    hit = pd.Series(False, index=events.index)
    for col in ("assoc_actor_1", "assoc_actor_2"):
        text = (";" + events[col].astype("string").fillna("") + ";")
        for a in actors:
            hit |= text.str.contains(f";{a};", regex=False)
    return hit


#: The columns a text search looks in (``notes`` may be read from storage: :mod:`geo.detail_text`).
TEXT_SEARCHED: tuple[str, ...] = ("location", "notes", "actor1", "actor2", "admin1")


def _text_match(events: pd.DataFrame, text: str) -> np.ndarray:
    hit = np.zeros(len(events), bool)
    for col in TEXT_SEARCHED:
        hit |= contains(events, col, text)
    return hit


def _join(items: tuple[str, ...]) -> str:
    items = tuple(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def date_range_text(start: date, end: date) -> str:
    """A date range as words: ``30 Nov 2024``, ``27 Nov – 8 Dec 2024``, ``30 Dec 2024 – 2 Jan 2025``."""
    if start == end:
        return f"{start.day} {start:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"

