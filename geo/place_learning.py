"""Shared places learned from a coded dataset: its own precise points, for names the gazetteer lacks.

A coded file that gives a place name *and* a precise point (``geo_precision`` 1) says where that
name is. :func:`learned_names` takes each name's median point (:func:`geo.gazetteer.learn`),
and :func:`sort_learned` decides, name by name, whether the shared layer gains it: only when the
gazetteer does not already place it, its points agree within :data:`LEARN_SPREAD_KM`, and the
point lies in the country the rows give. A name the gazetteer places elsewhere is a conflict,
reported and never added (two sources disagree: a person decides).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.countries import country_label, in_country
from geo.distance import haversine_km
from geo.gazetteer import SAME_PLACE_KM, Gazetteer, Match, learn
from geo.places import MAX_PLACE_NAME_CHARS, SharedPlace, covered, place_key

#: The widest spread (km, 90th percentile from the median) of a name's points that still makes one place.
LEARN_SPREAD_KM = 5.0
#: What :func:`sort_learned` decides for each name.
VERDICTS: dict[str, str] = {
    "add": "added to the shared layer",
    "known": "the gazetteer places it already, at the same place",
    "conflict": "the gazetteer places it elsewhere: not added",
    "shared": "in the shared layer already",
    "spread": "its points disagree: not one place",
    "outside": "its point lies outside the country its rows give",
    "uncovered": "no country, or one the gazetteer does not cover",
    "long": f"name longer than {MAX_PLACE_NAME_CHARS} characters",
}
#: :attr:`LearnReport.table`'s columns.
LEARN_COLUMNS = ["name", "country", "admin1", "lat", "lon", "count", "spread_km", "verdict", "detail"]


@dataclass(frozen=True)
class LearnReport:
    """What learning a dataset's places did: the shared places added, and every name with its verdict (:data:`VERDICTS`)."""

    dataset_id: str
    added: tuple[SharedPlace, ...]
    table: pd.DataFrame

    @property
    def conflicts(self) -> pd.DataFrame:
        """The names the gazetteer places elsewhere than the dataset does."""
        return self.table[self.table["verdict"] == "conflict"].reset_index(drop=True)


def learned_names(events: pd.DataFrame, *, dataset: str) -> pd.DataFrame:
    """Each place name of ``events`` with a precise point (``geo_precision`` 1): median point, count, spread."""
    precise = events[pd.to_numeric(events["geo_precision"], errors="coerce") == 1]
    if precise.empty:
        return pd.DataFrame(columns=["name", "lat", "lon", "country", "admin1", "count", "spread_km", "ambiguous", "dataset"])
    return learn(precise, dataset=dataset, max_spread_km=LEARN_SPREAD_KM)


def sort_learned(learned: pd.DataFrame, gazetteer: Gazetteer, *, shared: frozenset[tuple[str, str, str]]) -> pd.DataFrame:
    """Each learned name with its verdict and why (:data:`LEARN_COLUMNS`); ``shared`` are the layer's keys already."""
    rows = [{**row, **dict(zip(("verdict", "detail"), _verdict(row, gazetteer, shared), strict=True))}
            for row in learned.to_dict("records")]  # fmt: skip
    return pd.DataFrame(rows, columns=LEARN_COLUMNS)


def _verdict(row: dict, gazetteer: Gazetteer, shared: frozenset[tuple[str, str, str]]) -> tuple[str, str]:
    name, cc, admin1 = str(row["name"]), str(row["country"]), str(row["admin1"])
    if not cc or cc not in covered():
        return "uncovered", f"country {cc or 'not given'}"
    if len(name) > MAX_PLACE_NAME_CHARS:
        return "long", VERDICTS["long"]
    if row["ambiguous"]:
        return "spread", f"its points spread {row['spread_km']:.1f} km from their median (more than {LEARN_SPREAD_KM:g} km)"
    if not in_country(row["lat"], row["lon"], cc):
        return "outside", f"{row['lat']}, {row['lon']} is not in {country_label(cc)}"
    if place_key(name, cc, admin1) in shared:
        return "shared", VERDICTS["shared"]
    found = gazetteer.lookup(name, country=cc, admin1=admin1 or None)
    if not isinstance(found, Match):
        return "add", f"not in the gazetteer ({found.reason})"
    km = float(haversine_km(row["lat"], row["lon"], found.lat, found.lon))
    if km <= SAME_PLACE_KM:
        return "known", f"{km:.1f} km from the gazetteer's {found.name!r} ({found.source[:80]})"
    return "conflict", f"the gazetteer places {found.name!r} {km:.0f} km away ({found.source[:80]})"


def learned_citation(row: pd.Series | dict, *, dataset_name: str) -> str:
    """A learned place's citation: the dataset it came from and how many of its events agree (never its id: that may be a link's secret)."""
    return (f"learned from dataset {dataset_name[:200]!r}: median of {int(row['count'])} events at precision 1, "
            f"spread {float(row['spread_km']):.1f} km")  # fmt: skip
