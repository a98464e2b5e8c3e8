"""The sourced 2024 reference timeline (``timeline-2024.tsv``) → canonical events.

Each row cites its sources and leaves ``lat``/``lon`` blank: places are geocoded with
the project's gazetteer, down a chain that never guesses (exact place → its parent
town at precision 2 → the governorate at precision 3), and each event records how.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.actors import find_actors
from geo.extract import border_zone_match
from geo.gazetteer import Match, default_gazetteer
from geo.schema import CRS, coerce
from geo.taxonomy import DISORDER_TYPES

#: Timeline ``category`` → (ACLED event type, sub-event type).
CATEGORIES: dict[str, tuple[str, str]] = {
    "territory captured": ("Battles", "Non-state actor overtakes territory"),
    "battle": ("Battles", "Armed clash"),
    "airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "troop deployment": ("Strategic developments", "Change to group/activity"),
    "border closure": ("Strategic developments", "Other"),
    "other": ("Strategic developments", "Other"),
}
BORDER_WORDS = re.compile(r"iraq-syria border|border strip|border sector|jordan-border sector", re.IGNORECASE)


def timeline_events(path: Path) -> gpd.GeoDataFrame:
    """Read the timeline TSV and return canonical, geocoded, sourced events."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    rows = [_row(r) for r in table.to_dict("records")]
    frame = coerce(pd.DataFrame(rows))
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=CRS)


def _row(r: dict[str, str]) -> dict[str, object]:
    event_type, sub = CATEGORIES[r["category"]]
    actor1, assoc1 = _actors(r["side_a"])
    actor2, assoc2 = _actors(r["side_b"])
    if event_type == "Battles" and sub.startswith("Non-state") and _is_state(actor1):
        sub = "Government regains territory"
    place, how = geocode_place(r)
    sources = [s.strip() for s in r["sources"].split("||") if s.strip()]
    notes = " ".join(filter(None, [r["description"], f"Sides as reported: {r['side_a']} vs {r['side_b'] or '—'}.",
                                   f"Fatalities as reported: {r['fatalities']}." if r["fatalities"] else "",
                                   f"Sources disagree: {r['conflicts_notes']}" if r["conflicts_notes"] else "",
                                   r["verified"]]))  # fmt: skip
    fat = _fatalities(r["fatalities"])
    return {
        "event_id": r["id"], "event_date": pd.Timestamp(r["date"]), "event_date_end": pd.Timestamp(r["date"]),
        "time_precision": 1, "event_type": event_type, "sub_event_type": sub, "disorder_type": DISORDER_TYPES[event_type],
        "source_event_type": f"timeline:{r['category']}", "actor1": actor1, "assoc_actor_1": assoc1,
        "actor2": actor2, "assoc_actor_2": assoc2, "country": r["country"], "admin1": place.admin1 or r["admin1"],
        "location": r["place"], "latitude": place.lat, "longitude": place.lon, "geo_precision": place.geo_precision,
        "geo_precision_source": how, "geocoded_by": f"{place.method} match '{place.name}' ({place.source})",
        "fatalities": fat, "fatalities_low": fat, "fatalities_high": fat,
        "source": " || ".join(_outlet_title_date(s) for s in sources), "source_url": " || ".join(_urls(sources)),
        "notes": notes, "tags": r["verified"].split(":")[0] if r["verified"] else None,
        "dataset": "timeline-2024", "source_format": "timeline",
    }  # fmt: skip


def geocode_place(r: dict[str, str]) -> tuple[Match, str]:
    """Place a timeline row; returns the match and how (``place``, ``parent``, ``border``, ``governorate``)."""
    gaz = default_gazetteer()
    country = r["country"] if r["country"] in ("Syria", "Iraq") else None
    admin1 = r["admin1"] if "/" not in r["admin1"] else None
    place = r["place"]
    crossing = re.search(r"Al-Qaim|Albu Kamal|Al-Bukamal", place) and re.search(r"crossing|gate|border", place, re.IGNORECASE)
    if BORDER_WORDS.search(place) and not crossing:
        return border_zone_match(), "border zone"
    bare = re.sub(r"\s*\([^)]*\)", "", place).strip()
    alts = [a.strip() for a in r["alt_spellings"].split(";")]
    # An "alternative" that is only part of the name ("al-Maari" for "Jamiat al-Maari") names another place.
    alts = [a for a in alts if a and not a.startswith("(") and a.lower() not in bare.lower()]
    for name in [bare, *alts]:
        if name:
            found = gaz.lookup(name, country=country, admin1=admin1)
            if isinstance(found, Match):
                return found, "place" if found.geo_precision < 3 else "governorate"
    parent = _parent(place)
    if parent:
        found = gaz.lookup(parent, country=country, admin1=admin1)
        if isinstance(found, Match) and found.geo_precision == 1:
            return _near(found, place), "parent"
    gov = gaz.lookup(f"{admin1 or r['admin1'].split('/')[0].strip()} governorate", country=country)
    return gov, "governorate"


def _parent(place: str) -> str | None:
    """'al-Sukkari (Aleppo district)' → 'Aleppo'; 'Aleppo city - western edge' → 'Aleppo'."""
    m = re.search(r"\(([^)]*)\)", place)
    if m:
        inner = re.sub(r"\b(district|countryside|outskirts|vicinity|area|sector|city)\b", "", m.group(1)).strip(" ,")
        if inner and inner[0].isupper():
            return inner
    m = re.match(r"(.+?) city\b", place) or re.match(r"(.+?)\s+-\s+", place)
    return m.group(1).strip() if m else None


def _near(found: Match, place: str) -> Match:
    return replace(found, query=place, geo_precision=2, kind="near", method=f"parent ({found.method})")


def _actors(text: str) -> tuple[str | None, str | None]:
    # "Russian and Syrian air forces" names two actors: "Russian air forces and Syrian air forces".
    text = re.sub(r"\b(\w+) and (\w+) (air forces|forces|aircraft)\b", r"\1 \3 and \2 \3", text)
    found = find_actors(text)
    names = list(dict.fromkeys(m.actor for m in found if m.kind != "civilians" or len(found) == 1))
    if not names:
        return (text.strip() or None), None
    return names[0], ";".join(names[1:]) or None


def _is_state(actor: str | None) -> bool:
    return actor in ("Syrian government forces", "Iraqi Security Forces")


def _fatalities(text: str) -> int | None:
    """A count only when the row states one for this event (not cumulative, not 'see …')."""
    if not text or re.search(r"cumulative|see |unspecified|unverified|dozens|several|no deaths", text, re.IGNORECASE):
        return None
    m = re.match(r"\s*(?:>=|>)?\s*(\d+)\b", text)
    return int(m.group(1)) if m else None


def _outlet_title_date(source: str) -> str:
    return re.sub(r",?\s*https?://\S+", "", source).strip()


def _urls(sources: list[str]) -> list[str]:
    return [u.rstrip(",") for s in sources for u in re.findall(r"https?://\S+", s)]
