"""The places worklist and the shared gazetteer layer: records and pure logic (no storage here).

About one place name in eight in real coded files is in no offline source. A load rejects such a
row with its reason (:mod:`geo.io.geocode`) and an article's unknown village is anchored at a
place its text names (:mod:`geo.extract`). Each use of such a name is a :class:`Sighting` — of a
dataset (its rows, by line) or of an article (its sentences); :func:`worklist_entries` groups them by
name, country and admin1. An analyst who finds the place adds a :class:`SharedPlace` — a point
checked against the country it lies in and a citation kept verbatim — to the store's shared
layer, which a store-aware gazetteer includes (:func:`gazetteer_for`, cached by the layer's
version). :mod:`geo.place_store` keeps these in the store; :mod:`geo.place_learning` learns
shared places from a coded dataset.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import cache

import pandas as pd

from geo.areas import canonical_governorate, governorate_distance_km
from geo.countries import country_at, country_code, country_label, in_country
from geo.errors import GeoError
from geo.gazetteer import (
    ADMIN1_TOLERANCE_KM,
    ENTRY_COLUMNS,
    Gazetteer,
    build_gazetteer,
    covered_countries,
    default_gazetteer,
)
from geo.io.geocode import PLACE_COUNTRY, REASON_PREFIX
from geo.normalize import normalize
from geo.report import REJECT_COLUMNS
from geo.review import free_text

#: The longest place name and citation kept (characters); longer text is refused, never cut.
MAX_PLACE_NAME_CHARS = 200
MAX_CITATION_CHARS = 1_000
#: Examples kept per name (per source, and in a worklist entry).
MAX_EXAMPLES = 5
#: The geocoder's reasons a shared entry can answer: the name is in no source, not in its country
#: or governorate, or shared by several places. (A country the gazetteer does not cover, or
#: contradictory country columns, are not questions of a name.)
WORKLIST_REASONS = ("name in no source", "no place of that name in", "ambiguous", "below threshold",
                    "conflicts with admin1 context", "places of that name in several countries")  # fmt: skip
#: Where a sighting comes from.
SOURCES = ("dataset", "article")
#: How an article's village the gazetteer lacks is placed (``geocoded_by`` of its event).
ANCHORED = "anchored match"


class ChangedMeanwhile(GeoError):  # noqa: N818 - an answer ("changed meanwhile: again"), as AlreadyDecided is
    """A dataset changed between reading its events and writing their new version (another re-place, a moment ago)."""


def place_key(name: str, country: str, admin1: str) -> tuple[str, str, str]:
    """What makes two uses of a name the same worklist entry: its matching key, country and governorate."""
    return normalize(name), country, canonical_governorate(admin1) or admin1.strip()


@dataclass(frozen=True)
class Sighting:
    """One source's use of a name no source places: rows of a dataset, or sentences of an article.

    ``examples`` are where: ``line 12`` of the dataset's file, or the article's sentence.
    """

    name: str
    country: str
    admin1: str
    source: str
    source_id: str
    count: int
    examples: tuple[str, ...]
    reason: str
    seen: str

    @property
    def key(self) -> tuple[str, str, str]:
        return place_key(self.name, self.country, self.admin1)

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "examples": list(self.examples)}

    @classmethod
    def from_dict(cls, record: dict) -> Sighting:
        return cls(**{**record, "examples": tuple(record["examples"])})


@dataclass(frozen=True)
class WorklistEntry:
    """A name to place: every visible use of it, grouped (``examples``: ``(source id, where)``)."""

    name: str
    country: str
    admin1: str
    count: int
    examples: tuple[tuple[str, str], ...]
    datasets: tuple[str, ...]
    articles: tuple[str, ...]
    reasons: tuple[str, ...]
    first_seen: str
    last_seen: str
    #: The shared place that now answers the name (its id), ``""`` while none does.
    placed_by: str = ""


@dataclass(frozen=True)
class SharedPlace:
    """A place in the store's shared layer: a point, who added it when, and the source they cite.

    ``dataset_id`` is the dataset it was learned from (``""`` for one an analyst added by hand).
    """

    id: str
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    citation: str
    author: str
    added: str
    dataset_id: str = ""
    count: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return place_key(self.name, self.country, self.admin1)

    @property
    def source(self) -> str:
        """How the gazetteer (and so an event's ``geocoded_by``) names this entry."""
        return f"shared: {self.citation} (by {self.author}, {self.added[:10]})"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict) -> SharedPlace:
        return cls(**record)


@dataclass(frozen=True)
class HeldRows:
    """A dataset's rows left unplaced, as read (:attr:`geo.report.LoadReport.unplaced`), and how the file was read."""

    dataset_id: str
    fmt: str
    dataset: str
    date_order: str | None
    country: str | None
    rows: pd.DataFrame

    def to_dict(self) -> dict[str, object]:
        table = self.rows.astype("string").fillna("")
        return {"dataset_id": self.dataset_id, "fmt": self.fmt, "dataset": self.dataset, "date_order": self.date_order,
                "country": self.country, "columns": [str(c) for c in table.columns], "data": table.to_numpy().tolist()}  # fmt: skip

    @classmethod
    def from_dict(cls, record: dict) -> HeldRows:
        rows = pd.DataFrame(record["data"], columns=record["columns"], dtype="string")
        return cls(record["dataset_id"], record["fmt"], record["dataset"], record["date_order"], record["country"], rows)


def worklist_reason(reason: str) -> str | None:
    """The geocoder's reason behind a rejection's, when it is one :data:`WORKLIST_REASONS` names; else ``None``."""
    text = reason.removeprefix(REASON_PREFIX + ": ") if reason.startswith(REASON_PREFIX + ": ") else ""
    return text if text.startswith(WORKLIST_REASONS) else None


def dataset_sightings(dataset_id: str, unplaced: pd.DataFrame, *, at: str) -> list[Sighting]:
    """The worklist's sightings in a dataset's unplaced rows: one per name, country and admin1, with its lines."""
    if unplaced.empty or "location" not in unplaced:
        return []
    reasons = unplaced[REJECT_COLUMNS[0]].map(lambda r: worklist_reason(str(r)))
    rows = unplaced[reasons.notna()].assign(_why=reasons)
    if rows.empty:
        return []
    country = rows[PLACE_COUNTRY] if PLACE_COUNTRY in rows else pd.Series("", index=rows.index)
    admin1 = rows["admin1"] if "admin1" in rows else pd.Series("", index=rows.index)
    keys = [place_key(str(n), str(c), str(a)) for n, c, a in zip(rows["location"], country, admin1, strict=True)]
    sightings = []
    for _, group in rows.groupby(pd.Series([repr(k) for k in keys], index=rows.index), sort=False):
        first = group.index[0]
        sightings.append(Sighting(str(rows.at[first, "location"]), str(country[first]), str(admin1[first]), "dataset", dataset_id,
                                  len(group), tuple(f"line {n}" for n in group["line"].head(MAX_EXAMPLES)),
                                  str(group["_why"].iat[0]), at))  # fmt: skip
    return sightings


def article_sightings(article_id: str, events: pd.DataFrame, *, at: str) -> list[Sighting]:
    """The worklist's sightings in an article's events: villages the gazetteer lacks, placed at an anchor."""
    if events.empty or "geocoded_by" not in events:
        return []
    rows = events[events["geocoded_by"].astype("string").fillna("").str.startswith(ANCHORED)]
    by_key: dict[tuple[str, str, str], list] = {}
    for row in rows.itertuples():
        cc = (country_code(row.country) or "") if isinstance(row.country, str) else ""
        admin1 = str(row.admin1) if isinstance(row.admin1, str) else ""
        by_key.setdefault(place_key(str(row.location), cc, admin1), []).append((str(row.location), cc, admin1, str(row.sentence)))
    return [Sighting(uses[0][0], uses[0][1], uses[0][2], "article", article_id, len(uses),
                     tuple(dict.fromkeys(u[3][:300] for u in uses))[:MAX_EXAMPLES], "not in the gazetteer; placed at a place the text names", at)
            for uses in by_key.values()]  # fmt: skip


def worklist_entries(sightings: Iterable[Sighting], shared: Iterable[SharedPlace] = ()) -> list[WorklistEntry]:
    """Sightings grouped into worklist entries, most used first; ``placed_by`` names a shared place that answers each."""
    groups: dict[tuple[str, str, str], list[Sighting]] = {}
    for s in sightings:
        groups.setdefault(s.key, []).append(s)
    layer = list(shared)
    entries = [_entry(group, _answer(key, layer)) for key, group in groups.items()]
    return sorted(entries, key=lambda e: (-e.count, e.name.lower(), e.country, e.admin1))


def _answer(key: tuple[str, str, str], layer: list[SharedPlace]) -> str:
    """The id of the first shared place with the name's key, in its country (any, when the rows named none)
    and its governorate (any, when either names none); ``""`` when none. A hint: the gazetteer decides."""
    name, cc, gov = key
    found = (p for p in layer if p.key[0] == name and cc in ("", p.country) and (not gov or not p.key[2] or gov == p.key[2]))
    return next((p.id for p in found), "")


def _entry(group: list[Sighting], placed_by: str) -> WorklistEntry:
    """One worklist entry from the sightings of one name (spelled as most of them spell it)."""
    group = sorted(group, key=lambda s: s.seen)
    name = Counter(s.name for s in group).most_common(1)[0][0]
    examples = tuple((s.source_id, where) for s in group for where in s.examples)[:MAX_EXAMPLES]
    return WorklistEntry(name, group[0].country, group[0].admin1, sum(s.count for s in group), examples,
                         tuple(dict.fromkeys(s.source_id for s in group if s.source == "dataset")),
                         tuple(dict.fromkeys(s.source_id for s in group if s.source == "article")),
                         tuple(dict.fromkeys(s.reason for s in group)), group[0].seen, group[-1].seen, placed_by)  # fmt: skip


# ---------------------------------------------------------------------- a shared place, checked


@cache
def covered() -> tuple[str, ...]:
    """The countries whose places the shipped gazetteer holds: the only ones a shared place may be in."""
    return covered_countries()


def checked_place(name: object, *, lat: object, lon: object, country: object, admin1: object = "",
                  citation: object) -> tuple[str, float, float, str, str, str]:  # fmt: skip
    """``(name, lat, lon, country code, admin1, citation)`` for a shared place, each checked; else ValueError naming the argument.

    The point must lie in (or within 0.1° of) the country given, and within
    :data:`geo.gazetteer.ADMIN1_TOLERANCE_KM` of the governorate when one the map knows is given.
    Name and citation are kept verbatim (no NUL, bounded length).
    """
    name = free_text("name", name, limit=MAX_PLACE_NAME_CHARS)
    citation = free_text("citation", citation, limit=MAX_CITATION_CHARS)
    y, x = _degrees("lat", lat, 90.0), _degrees("lon", lon, 180.0)
    cc = country_code(country) if isinstance(country, str) else None
    if cc is None or cc not in covered():
        msg = (f"country: expected a country the gazetteer covers ({', '.join(covered())}) by name or ISO code, "
               f"got {str(country)[:60]!r}")  # fmt: skip
        raise ValueError(msg)
    if not in_country(y, x, cc):
        found = country_at(y, x)
        where = f"in {country_label(found)}" if found else "in no country (at sea?)"
        msg = f"lat, lon: expected a point in {country_label(cc)}, the country given with {name[:60]!r}; got {y}, {x}, which lies {where}"
        raise ValueError(msg)
    return name, y, x, cc, _checked_admin1(admin1, y, x, cc), citation


def _degrees(argument: str, value: object, limit: float) -> float:
    """A coordinate in decimal degrees within ±``limit``, else ValueError naming ``argument``."""
    try:
        number = float(value) if isinstance(value, int | float | str) and not isinstance(value, bool) else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        msg = f"{argument}: expected decimal degrees from -{limit:g} to {limit:g}, got {str(value)[:40]!r}"
        raise ValueError(msg)
    return number


def _checked_admin1(admin1: object, lat: float, lon: float, cc: str) -> str:
    """The governorate as the map names it (the point must lie in it), or the text as given when the map has none of that name."""
    if admin1 is None or (isinstance(admin1, str) and not admin1.strip()):
        return ""
    text = free_text("admin1", admin1, limit=MAX_PLACE_NAME_CHARS)
    gov = canonical_governorate(text)
    if gov is None:
        return text.strip()
    km = float(governorate_distance_km([lon], [lat], gov)[0])
    if km > ADMIN1_TOLERANCE_KM:
        msg = f"lat, lon: expected a point in {gov} (admin1), got {lat}, {lon}, {km:.0f} km outside it"
        raise ValueError(msg)
    return gov


# ---------------------------------------------------------------------- the store-aware gazetteer


def entries_frame(places: Iterable[SharedPlace]) -> pd.DataFrame:
    """Shared places as gazetteer entries (:data:`geo.gazetteer.ENTRY_COLUMNS`, ``origin`` ``shared``)."""
    rows = [{"name": p.name, "lat": p.lat, "lon": p.lon, "country": p.country, "admin1": p.admin1 or None, "kind": "place",
             "population": 0, "source": p.source, "origin": "shared", "place_id": f"sh:{p.id}", "count": p.count,
             "spread_km": None, "ambiguous": False, "precision": 1} for p in places]  # fmt: skip
    return pd.DataFrame(rows, columns=ENTRY_COLUMNS)


def layer_version(places: Iterable[SharedPlace]) -> str:
    """What changes whenever the shared layer does (``""``: empty): a hash of its entries' ids."""
    ids = sorted(p.id for p in places)
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:32] if ids else ""


#: Store-aware gazetteers built, by layer version (two kept: the layer changes rarely, a build takes seconds).
_BUILT: OrderedDict[str, Gazetteer] = OrderedDict()
_BUILDING = threading.Lock()
KEPT_GAZETTEERS = 2


def gazetteer_for(places: list[SharedPlace]) -> Gazetteer:
    """The shipped gazetteer with ``places`` added, built once per layer version (the shipped one when there are none)."""
    version = layer_version(places)
    if not version:
        return default_gazetteer()
    with _BUILDING:  # two sessions asking at once build it once
        if version not in _BUILT:
            _BUILT[version] = build_gazetteer(shared=entries_frame(places))
            _BUILT[version].layer = version
            while len(_BUILT) > KEPT_GAZETTEERS:
                _BUILT.popitem(last=False)
        _BUILT.move_to_end(version)
        return _BUILT[version]


def lazily(places: Callable[[], list[SharedPlace]]) -> Callable[[], Gazetteer]:
    """A gazetteer asked for only when a row needs one (an upload with coordinates reads no layer)."""
    return lambda: gazetteer_for(places())
