"""Cross-source matching: which events of one source report the same incident as events of another.

In the spirit of MELTT (Donnay, Dunford, McGrath et al., *Journal of Conflict Resolution* 2019): two
events may be the same only when they lie within a time window and a distance window of each other
and their types agree through a taxonomy crosswalk; the actors then raise or lower the pair's score,
and within a pair of sources each event is matched at most once (the best-scored pairs first).

Coordinates are compared in the UTM zone the two sources' points fall in (explicit metric CRS);
dates as day spans (``event_date`` to ``event_date_end``: a UCDP event may cover several days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.actors import canonical_actor, side_of

#: Event families the sources share: ACLED event types, UCDP ``type_of_violence`` (kept as
#: ``ucdp:N`` in ``source_event_type``) and GTD attack types each belong to one or more of them;
#: two events' types agree when their families overlap. UCDP counts shelling and air strikes
#: under its battle and one-sided codes, so those reach ACLED's remote violence too.
CROSSWALK: dict[str, frozenset[str]] = {
    "Battles": frozenset({"fighting"}),
    "Explosions/Remote violence": frozenset({"remote", "terror"}),
    "Violence against civilians": frozenset({"one-sided"}),
    "ucdp:1": frozenset({"fighting", "remote"}),
    "ucdp:2": frozenset({"fighting", "remote"}),
    "ucdp:3": frozenset({"one-sided", "remote", "terror"}),
    "gtd:Armed Assault": frozenset({"fighting", "one-sided", "terror"}),
    "gtd:Bombing/Explosion": frozenset({"remote", "terror"}),
    "gtd:Assassination": frozenset({"one-sided", "terror"}),
    "gtd:Hostage Taking (Kidnapping)": frozenset({"one-sided", "terror"}),
    "gtd:Facility/Infrastructure Attack": frozenset({"remote", "terror"}),
}

#: What a pair's score weighs (they sum to 1): closeness in space, closeness in time, actors agreeing.
WEIGHTS = {"km": 0.4, "days": 0.3, "actors": 0.3}


@dataclass(frozen=True)
class Windows:
    """How far apart two events may be and still be one incident.

    Parameters
    ----------
    days
        Days between their spans (0: the spans overlap or touch).
    km
        Kilometres between their points.
    """

    days: int = 1
    km: float = 10.0

    def __post_init__(self) -> None:
        if not 0 <= self.days <= 30:
            msg = f"days: expected 0 to 30, got {self.days!r}"
            raise ValueError(msg)
        if not 0 < self.km <= 200:
            msg = f"km: expected more than 0 and at most 200, got {self.km!r}"
            raise ValueError(msg)


def families(events: pd.DataFrame) -> list[frozenset[str]]:
    """Each event's families (:data:`CROSSWALK`): from its source's own code when the crosswalk knows it, else its ACLED event type."""
    own = events["source_event_type"].astype("string") if "source_event_type" in events else pd.Series(pd.NA, index=events.index)
    kind = events["event_type"].astype("string") if "event_type" in events else pd.Series(pd.NA, index=events.index)
    return [CROSSWALK.get(o if isinstance(o, str) and o in CROSSWALK else k, frozenset()) for o, k in zip(own, kind, strict=True)]


def actor_sets(events: pd.DataFrame) -> list[frozenset[str]]:
    """Each event's actors on both sides (main and associated): canonical names where the dictionary
    knows them (ACLED's ``Name (Syria)`` and ``ABBR: Name`` forms too), else the name in lower case."""
    columns = [c for c in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2") if c in events]
    cells = [events[c].astype("string").fillna("").to_numpy(dtype=object) for c in columns]
    return [_actor_set(";".join(row)) for row in zip(*cells, strict=True)]


@cache
def _actor_set(joined: str) -> frozenset[str]:
    return frozenset(_canonical(n) for n in joined.split(";") if n.strip())


@cache
def _canonical(name: str) -> str:
    name = name.strip()
    tries = [name, re.sub(r"\s*\([^)]*\)\s*$", "", name), *(part.strip() for part in name.split(":", 1)[::-1] if ":" in name)]
    return next((found for t in tries if (found := canonical_actor(t))), name.lower())


@cache
def actor_agreement(a: frozenset[str], b: frozenset[str]) -> float:
    """1 when the two events share an actor or a side (government, opposition, Islamic State…), 0 when
    both name sides the dictionary knows and none is shared, 0.5 when that cannot be told."""
    if a & b:
        return 1.0
    sides_a, sides_b = {side_of(x) for x in a} - {None}, {side_of(x) for x in b} - {None}
    if sides_a and sides_b:
        return 1.0 if sides_a & sides_b else 0.0
    return 0.5


def candidate_pairs(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, windows: Windows) -> pd.DataFrame:
    """Every pair of an event of ``a`` and one of ``b`` within both windows: positions ``i``/``j``, ``km`` and ``days`` apart.

    Searched day by day (a tree of ``b``'s points within reach of that day), so hotspots that fill a
    year of one place never pair every event with every other.
    """
    crs = pd.concat([a.geometry, b.geometry]).pipe(gpd.GeoSeries, crs=a.crs).estimate_utm_crs()
    pa, pb = a.geometry.to_crs(crs).to_numpy(), b.geometry.to_crs(crs).to_numpy()
    a0, a1 = _days(a)
    b0, b1 = _days(b)
    order = np.argsort(b0, kind="stable")
    starts = b0[order]  # sorted once: each day below only searches it
    longest = int((b1 - b0).max()) if len(b) else 0
    found: list[tuple[np.ndarray, np.ndarray]] = []
    for day in np.unique(a0):
        rows = np.flatnonzero(a0 == day)
        reach_end = int(a1[rows].max()) + windows.days
        lo = np.searchsorted(starts, day - windows.days - longest, side="left")
        hi = np.searchsorted(starts, reach_end, side="right")
        near = order[lo:hi]
        if not len(near):
            continue
        tree = shapely.STRtree(pb[near])
        ia, jb = tree.query(pa[rows], predicate="dwithin", distance=windows.km * 1000)
        found.append((rows[ia], near[jb]))
    i = np.concatenate([f[0] for f in found]) if found else np.array([], dtype=int)
    j = np.concatenate([f[1] for f in found]) if found else np.array([], dtype=int)
    days = np.maximum(0, np.maximum(b0[j] - a1[i], a0[i] - b1[j]))
    keep = days <= windows.days
    i, j, days = i[keep], j[keep], days[keep]
    km = shapely.distance(pa[i], pb[j]) / 1000
    return pd.DataFrame({"i": i, "j": j, "km": km, "days": days})


def _days(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each event's first and last day as day numbers (its end is its start when the source gives one day)."""
    start = events["event_date"].to_numpy("datetime64[D]").astype(np.int64)
    if "event_date_end" not in events:
        return start, start
    end = events["event_date_end"].fillna(events["event_date"]).to_numpy("datetime64[D]").astype(np.int64)
    return start, np.maximum(start, end)


def score_pairs(pairs: pd.DataFrame, a: pd.DataFrame, b: pd.DataFrame, windows: Windows) -> pd.DataFrame:
    """``pairs`` whose types agree (:data:`CROSSWALK`) and whose actors do not contradict, each with its ``score`` (0–1)."""
    types = _pairwise(families(a), families(b), pairs, lambda x, y: float(bool(x & y)))
    actors = _pairwise(actor_sets(a), actor_sets(b), pairs, actor_agreement)
    keep = (types > 0) & (actors > 0)
    pairs = pairs.assign(actors=actors)[keep]
    score = (WEIGHTS["km"] * (1 - pairs["km"] / windows.km) + WEIGHTS["days"] * (1 - pairs["days"] / (windows.days + 1))
             + WEIGHTS["actors"] * pairs["actors"])  # fmt: skip
    return pairs.assign(score=score.round(6))


def _pairwise(left: list[frozenset[str]], right: list[frozenset[str]], pairs: pd.DataFrame, judge) -> np.ndarray:
    """``judge(left[i], right[j])`` for every pair, judged once per distinct pair of sets (a source holds few distinct sets)."""
    codes_l, sets_l = pd.factorize(pd.Series(left, dtype=object))
    codes_r, sets_r = pd.factorize(pd.Series(right, dtype=object))
    combo = codes_l[pairs["i"].to_numpy()].astype(np.int64) * len(sets_r) + codes_r[pairs["j"].to_numpy()]
    distinct, back = np.unique(combo, return_inverse=True)
    verdicts = np.array([judge(sets_l[c // len(sets_r)], sets_r[c % len(sets_r)]) for c in distinct], dtype=float)
    return verdicts[back] if len(distinct) else np.zeros(0)


def one_to_one(pairs: pd.DataFrame) -> pd.DataFrame:
    """The best-scored pairs first, each event taken at most once (ties: the closer, then the earlier pair)."""
    ordered = pairs.sort_values(["score", "km", "i", "j"], ascending=[False, True, True, True], kind="stable")
    used_i: set[int] = set()
    used_j: set[int] = set()
    keep = []
    for row, i, j in zip(ordered.index, ordered["i"], ordered["j"], strict=True):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            keep.append(row)
    return ordered.loc[keep].reset_index(drop=True)


def match(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, *, windows: Windows = Windows()) -> pd.DataFrame:
    """The events of ``a`` and ``b`` that report one incident: one row per matched pair.

    Returns
    -------
    pandas.DataFrame
        ``a_id``, ``b_id`` (their ``event_id``), ``days`` and ``km`` apart, ``actors`` agreement,
        ``score``, and both fatality counts, best pairs first.
    """
    if a.crs is None or b.crs is None:
        msg = "a, b: expected GeoDataFrames with a CRS (the readers give EPSG:4326)"
        raise ValueError(msg)
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    pairs = one_to_one(score_pairs(candidate_pairs(a, b, windows), a, b, windows))
    return pd.DataFrame({
        "a_id": a["event_id"].to_numpy()[pairs["i"]], "b_id": b["event_id"].to_numpy()[pairs["j"]],
        "days": pairs["days"].to_numpy(), "km": pairs["km"].round(2).to_numpy(), "actors": pairs["actors"].to_numpy(),
        "score": pairs["score"].to_numpy(),
        "a_fatalities": a["fatalities"].to_numpy()[pairs["i"]] if "fatalities" in a else pd.NA,
        "b_fatalities": b["fatalities"].to_numpy()[pairs["j"]] if "fatalities" in b else pd.NA,
    })  # fmt: skip
