"""Candidate events: what the extractor proposes from a stored article, before an analyst decides.

An extracted event does not go to the map on its own. :func:`candidates_from_events` turns the
extractor's events (:func:`geo.extract.extract`) into pending :class:`Candidate` records, each with
the sentence it came from, why it was proposed and the places the gazetteer weighed; a reviewer
accepts one (perhaps edited: :func:`checked_changes`) or rejects it, and :func:`desk_events` makes the
accepted ones the events of a desk dataset. :class:`geo.candidate_store.CandidateStore` keeps them.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd

from geo.distance import haversine_km
from geo.errors import GeoError
from geo.gazetteer import Unresolved, active_gazetteer
from geo.normalize import normalize
from geo.schema import CRS, coerce
from geo.storage.upload import canonical_events
from geo.taxonomy import DISORDER_TYPES, SUB_EVENT_TYPES

#: A candidate's life: proposed (pending), then decided once, for good.
STATUSES: tuple[str, ...] = ("pending", "accepted", "rejected")
#: The event fields a reviewer may change when accepting.
EDITABLE: tuple[str, ...] = ("event_date", "event_type", "sub_event_type", "actor1", "actor2", "location",
                             "latitude", "longitude", "geo_precision", "fatalities")  # fmt: skip
#: The longest free text a reviewer types: an actor or a place, a reject reason, a desk dataset's name.
MAX_NAME_CHARS = 200
MAX_REASON_CHARS = 1_000
#: The most place alternatives kept per candidate (the gazetteer's listing is as long).
MAX_PLACES = 5
#: A desk dataset's ``format`` (what the Data page lists) and the start of its content key.
DESK_FORMAT = "review desk"
DESK_KEY = "desk:"


T = TypeVar("T", bound=Any)  # a frozen dataclass with rows, date_min, date_max and version


class AlreadyDecided(GeoError):  # noqa: N818 - an answer ("already accepted by …"), as NotAvailable is
    """A candidate someone else decided first (the store's answer to the second of two decisions)."""


@dataclass(frozen=True)
class Place:
    """One place the gazetteer weighed for a candidate's location."""

    name: str
    lat: float
    lon: float
    admin1: str | None
    source: str


@dataclass(frozen=True)
class Candidate:
    """A proposed event, its provenance and, once decided, the decision.

    The proposed fields stay as the extractor gave them; ``changes`` holds the reviewer's edits
    as ``(field, old, new)`` and :meth:`final` applies them.
    """

    id: str
    article_id: str
    sentence: str
    span: tuple[int, int]
    event_date: str
    event_type: str
    sub_event_type: str
    actor1: str | None
    actor2: str | None
    location: str | None
    latitude: float
    longitude: float
    geo_precision: int | None
    fatalities: int | None
    confidence: float
    reasons: tuple[str, ...]
    places: tuple[Place, ...]
    status: str = "pending"
    reviewer: str = ""
    decided_at: str = ""
    changes: tuple[tuple[str, object, object], ...] = ()
    reject_reason: str = ""
    #: The desk dataset it was accepted into: the name the reviewer gave, and its id.
    dataset: str = ""
    dataset_id: str = ""
    proposed_at: str = ""
    #: What makes a proposal of the same event from the same sentence the same candidate.
    key: str = ""
    country: str | None = None
    source: str = ""
    source_url: str | None = None

    def final(self) -> dict[str, object]:
        """The event fields with the reviewer's changes applied."""
        values = {f: getattr(self, f) for f in EDITABLE}
        return {**values, **{name: new for name, _, new in self.changes}}

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (what both backends store)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, object]) -> Candidate:
        """The candidate :meth:`to_dict` gave (JSON lists back to tuples)."""
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in values.items() if k in known}
        data["span"] = tuple(data["span"])
        data["reasons"] = tuple(data["reasons"])
        data["places"] = tuple(Place(**p) for p in data["places"])
        data["changes"] = tuple(tuple(c) for c in data.get("changes", ()))
        return cls(**data)


# ---------------------------------------------------------------------- from the extractor's events


def candidates_from_events(article_id: str, events: pd.DataFrame, *, at: str) -> list[Candidate]:
    """Pending candidates from :func:`geo.extract.extract`'s events of one article (one per event).

    Raises
    ------
    ValueError
        When ``events`` lacks the extractor's columns or holds events of another article.
    """
    missing = {"sentence", "span_start", "span_end", "event_date", "sub_event_type", "latitude", "longitude"} - set(events.columns)
    if missing:
        msg = f"events: expected the extractor's columns, missing {sorted(missing)}"
        raise ValueError(msg)
    others = set(events["article_id"].dropna().astype(str)) - {article_id} if "article_id" in events else set()
    if others:
        msg = f"events: expected events of article {article_id}, got events of {sorted(others)[0][:40]!r}"
        raise ValueError(msg)
    return [_candidate(article_id, row, at) for row in events.drop(columns="geometry", errors="ignore").to_dict("records")]


def _candidate(article_id: str, row: dict[str, object], at: str) -> Candidate:
    span = (int(row["span_start"]), int(row["span_end"]))
    location, country, admin1 = _text(row.get("location")), _text(row.get("country")), _text(row.get("admin1"))
    key_parts = [article_id, *span, _text(row.get("event_type")), _text(row.get("sub_event_type")), location]
    return Candidate(
        id=secrets.token_hex(16), article_id=article_id, sentence=str(row["sentence"]), span=span,
        event_date=pd.Timestamp(row["event_date"]).date().isoformat(),
        event_type=_text(row.get("event_type")) or "", sub_event_type=_text(row.get("sub_event_type")) or "",
        actor1=_text(row.get("actor1")), actor2=_text(row.get("actor2")), location=location,
        latitude=float(row["latitude"]), longitude=float(row["longitude"]),
        geo_precision=_int(row.get("geo_precision")), fatalities=_int(row.get("fatalities")),
        confidence=float(row.get("confidence") or 0.0), reasons=_reasons(row),
        places=place_alternatives(location, country=country, admin1=admin1) if location else (),
        proposed_at=at, key=hashlib.sha256(json.dumps(key_parts).encode()).hexdigest(), country=country,
        source=_text(row.get("source")) or "", source_url=_text(row.get("source_url")),
    )  # fmt: skip


def _reasons(row: Mapping[str, object]) -> tuple[str, ...]:
    """Why the extractor proposed it: the trigger, how the place was found, the extractor's confidence."""
    trigger = (_text(row.get("source_event_type")) or "").removeprefix("article:")
    found = [f"trigger: {trigger}" if trigger else None,
             f"place: {row['geocoded_by']}" if _text(row.get("geocoded_by")) else None,
             f"place kind: {row['geo_precision_source']}".replace("article:", "") if _text(row.get("geo_precision_source")) else None,
             f"confidence: {float(row.get('confidence') or 0.0):.2f}"]  # fmt: skip
    return tuple(r for r in found if r)


def place_alternatives(location: str, *, country: str | None = None, admin1: str | None = None) -> tuple[Place, ...]:
    """The places the gazetteer weighs for ``location``: the one it resolves to first, then its namesakes.

    An unresolved name gives the gazetteer's own candidates (ambiguous namesakes, near spellings).
    The gazetteer is :func:`geo.gazetteer.active_gazetteer` (a store's, with its shared layer, when it proposes).
    """
    gazetteer = active_gazetteer()
    found = gazetteer.lookup(location, country=country, admin1=admin1)
    if isinstance(found, Unresolved):
        return _distinct([_place(c) for c in found.candidates])
    keys = {normalize(location), normalize(found.name)}
    namesakes = gazetteer.entries[gazetteer.entries["key"].isin(keys)].drop_duplicates("place_id")
    chosen = Place(found.name, found.lat, found.lon, found.admin1, found.source)
    return _distinct([chosen, *map(_place, namesakes.to_dict("records"))])


def _distinct(places: list[Place]) -> tuple[Place, ...]:
    """The first :data:`MAX_PLACES` places at least 1 km from every earlier one (sources give one town
    coordinates a few hundred metres apart: that is one place, not an alternative)."""
    kept: list[Place] = []
    for place in places:
        if all(haversine_km(place.lat, place.lon, k.lat, k.lon) > 1 for k in kept):
            kept.append(place)
    return tuple(kept[:MAX_PLACES])


def _place(listed: Mapping[str, object]) -> Place:
    return Place(str(listed["name"]), float(listed["lat"]), float(listed["lon"]), _text(listed.get("admin1")), str(listed.get("source") or ""))


def _text(value: object) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) or str(value) == "" else str(value)


def _int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


# ---------------------------------------------------------------------- a reviewer's edits


def checked_changes(candidate: Candidate, changes: Mapping[str, object] | None) -> tuple[tuple[str, object, object], ...]:
    """The reviewer's edits as ``(field, old, new)``, each checked; a value equal to the old one is no change.

    Raises
    ------
    ValueError
        Naming the field and what was expected: an unknown field, a date that is no real day,
        coordinates out of range, an event type and sub-event type that are not an ACLED pair,
        fatalities that are not a non-negative whole number, text that is too long.
    """
    changes = dict(changes or {})
    unknown = [k for k in changes if k not in EDITABLE]
    if unknown:
        msg = f"changes: expected fields among {', '.join(EDITABLE)}; got {str(unknown[0])[:40]!r}"
        raise ValueError(msg)
    checked = {name: CHECKS[name](name, value) for name, value in changes.items()}
    final = {**candidate.final(), **checked}
    if SUB_EVENT_TYPES.get(str(final["sub_event_type"])) != final["event_type"]:
        owner = SUB_EVENT_TYPES.get(str(final["sub_event_type"]))
        hint = f"'{final['sub_event_type']}' is a sub-event type of '{owner}'" if owner else "see geo.taxonomy.EVENT_TYPES"
        msg = f"sub_event_type: expected a sub-event type of '{str(final['event_type'])[:60]}', got '{str(final['sub_event_type'])[:60]}' ({hint})"
        raise ValueError(msg)
    return tuple((name, getattr(candidate, name), new) for name, new in checked.items() if new != getattr(candidate, name))


def _date(name: str, value: object) -> str:
    if isinstance(value, datetime | pd.Timestamp):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return _bad(name, "a real date YYYY-MM-DD", value)
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:  # 2025-02-30
        return _bad(name, "a real date YYYY-MM-DD", value)


def _coordinate(limit: float):
    def check(name: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or abs(value) > limit:
            return _bad(name, f"a number of degrees from {-limit:g} to {limit:g}", value)
        return float(value)

    return check


def _count(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        return _bad(name, "a whole number of at least 0 (or None: not reported)", value)
    return int(value)


def _precision(name: str, value: object) -> int | None:
    if value is None or (not isinstance(value, bool) and isinstance(value, numbers.Integral) and value in (1, 2, 3)):
        return None if value is None else int(value)
    return _bad(name, "1 (the place itself), 2 (near it) or 3 (a region), or None", value)


def _choice(choices: Mapping[str, object]):
    def check(name: str, value: object) -> str:
        return str(value) if isinstance(value, str) and value in choices else _bad(name, f"one of {sorted(choices)}", value)

    return check


def _free_text(name: str, value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return free_text(name, value, limit=MAX_NAME_CHARS)


def free_text(name: str, value: object, *, limit: int) -> str:
    """``value`` if it is non-blank text of at most ``limit`` characters with no NUL (kept verbatim), else ValueError."""
    if not isinstance(value, str) or not value.strip() or len(value) > limit or "\x00" in value:
        return _bad(name, f"text of 1 to {limit:,} characters (no NUL)", value)
    return value


def _bad(name: str, expected: str, value: object):
    shown = repr(value)[:60] + ("…" if len(repr(value)) > 60 else "")
    msg = f"{name}: expected {expected}, got {shown}"
    raise ValueError(msg)


CHECKS = {"event_date": _date, "event_type": _choice(DISORDER_TYPES), "sub_event_type": _choice(SUB_EVENT_TYPES),
          "actor1": _free_text, "actor2": _free_text, "location": _free_text, "latitude": _coordinate(90.0),
          "longitude": _coordinate(180.0), "geo_precision": _precision, "fatalities": _count}  # fmt: skip


# ---------------------------------------------------------------------- the desk dataset


def desk_events(accepted: list[Candidate], *, name: str) -> gpd.GeoDataFrame:
    """The events of a desk dataset: one per accepted candidate, edits applied, tagged like an upload.

    Each keeps its candidate's id (also its ``event_id``), reviewer, decision time and changes
    (JSON) in columns of their own, beside the canonical ones.
    """
    rows = [_desk_row(c, name) for c in accepted if c.status == "accepted"]
    frame = coerce(pd.DataFrame(rows))
    events = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=CRS)
    return canonical_events(events)


def _desk_row(c: Candidate, name: str) -> dict[str, object]:
    final = c.final()
    day = pd.Timestamp(str(final["event_date"]))
    return {
        "event_id": c.id, "event_date": day, "event_date_end": day, "event_type": final["event_type"],
        "sub_event_type": final["sub_event_type"], "disorder_type": DISORDER_TYPES[str(final["event_type"])],
        "source_event_type": "article:reviewed", "actor1": final["actor1"], "actor2": final["actor2"],
        "country": c.country, "location": final["location"], "latitude": final["latitude"], "longitude": final["longitude"],
        "geo_precision": final["geo_precision"], "fatalities": final["fatalities"], "source": c.source or None,
        "source_url": c.source_url, "notes": c.sentence, "dataset": name, "source_format": "article",
        "article_id": c.article_id, "sentence": c.sentence, "span_start": c.span[0], "span_end": c.span[1],
        "confidence": c.confidence, "candidate_id": c.id, "reviewer": c.reviewer, "reviewed_at": c.decided_at,
        "changes": json.dumps([list(ch) for ch in c.changes], ensure_ascii=False),
    }  # fmt: skip


def desk_key(owner: str, name: str) -> str:
    """The content key of ``owner``'s desk dataset ``name`` (one per owner and name)."""
    return DESK_KEY + hashlib.sha256(f"{owner}\0{name}".encode()).hexdigest()


def desk_metadata(info: T, events: pd.DataFrame) -> T:
    """A desk dataset's metadata (:class:`~geo.storage.interface.DatasetInfo`) for its events as written now."""
    days = events["event_date"].dropna()
    span = (days.min().strftime("%Y-%m-%d"), days.max().strftime("%Y-%m-%d")) if len(days) else (None, None)
    return replace(info, rows=len(events), date_min=span[0], date_max=span[1], version=uuid.uuid4().hex)


def decided(candidate: Candidate, *, status: str, reviewer: str, at: str, **decision: object) -> Candidate:
    """``candidate`` with a decision recorded (``changes``, ``reject_reason``, ``dataset``, ``dataset_id``)."""
    return replace(candidate, status=status, reviewer=reviewer, decided_at=at, **decision)
