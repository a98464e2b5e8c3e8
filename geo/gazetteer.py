"""Gazetteer and geocoding: place names → coordinates, offline, never a silent guess.

Entries come from GeoNames (cities500 of the Middle East and North Africa, with alternate names),
curated entries with a cited source (``data/gazetteer/curated.csv``), the crossings
and governorates of the reference layers, names learned from coded event files
(``data/gazetteer/learned.csv``; :func:`learn`) and, for a store-aware gazetteer, the store's
shared layer (places analysts added with a citation; :mod:`geo.places`).

Matching goes exact normalised name → consonant skeleton → fuzzy (rapidfuzz), with
country / admin1 context and population to disambiguate. Anything uncertain comes
back as :class:`Unresolved` with the best candidates listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from geo import layers
from geo.areas import canonical_governorate, governorate_distance_km
from geo.countries import country_code, country_label
from geo.distance import haversine_km
from geo.normalize import FEATURE_WORDS, light_key, normalize, skeleton, variants
from geo.paths import GAZETTEER_DIR, REFERENCE_DIR
from geo.reference import COUNTRY_NAMES

ADMIN1_TOLERANCE_KM = 5.0  # a candidate this close to the context governorate still counts as in it
SAME_PLACE_KM = 15.0  # hits closer than this are one place; a learned name spreading wider is ambiguous
FUZZY_MIN = 88.0  # rapidfuzz ratio a fuzzy hit must reach
FUZZY_MARGIN = 4.0  # ... and lead the next distinct place by
COUNTRY_CODES: dict[str, str] = {v.lower(): k for k, v in COUNTRY_NAMES.items()} | {k.lower(): k for k in COUNTRY_NAMES}
REGION_WORDS = re.compile(r"\b(governorate|province|provinces|governorates|countryside|muhafazat)\b", re.IGNORECASE)
DIRECTION_WORDS = re.compile(r"\b(?:north|south|east|west|central|northern|southern|eastern|western)(?:[- ]?(?:east|west)(?:ern)?)?\b", re.IGNORECASE)
SOURCE_RANK = {"curated": 0, "crossing": 0, "shared": 0, "learned": 1, "geonames": 2, "governorate": 3}


@dataclass(frozen=True)
class Match:
    """A resolved place.

    Attributes
    ----------
    query
        The name asked for.
    name
        The gazetteer's name for the place.
    kind
        ``place``, ``site`` (base, airport, district…), ``crossing``, ``governorate`` or ``region``
        (a natural feature such as a mountain range, wadi or desert, or the border zone).
    score
        100 for an exact normalised match, 95 for a skeleton match, the fuzzy ratio otherwise.
    source
        Where the coordinate comes from (GeoNames id, curated citation, learned file).
    geo_precision
        ACLED precision the coordinate deserves: 1 for a point place, 2–3 for a natural feature
        (its curated ``precision``), 3 for a governorate.
    """

    query: str
    name: str
    lat: float
    lon: float
    country: str | None
    admin1: str | None
    kind: str
    score: float
    source: str
    method: str
    geo_precision: int

    def to_dict(self) -> dict[str, object]:
        """The JSON object ``python -m geo geocode`` prints."""
        return asdict(self)


@dataclass(frozen=True)
class Unresolved:
    """A name the gazetteer will not place, with why and the best candidates."""

    query: str
    reason: str
    candidates: tuple[dict[str, object], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        """The JSON object ``python -m geo geocode`` prints."""
        return {"query": self.query, "unresolved": True, "reason": self.reason, "candidates": list(self.candidates)}


class Gazetteer:
    """An indexed table of named places.

    Parameters
    ----------
    entries
        One row per (name, place): ``name, lat, lon, country, admin1, kind, population,
        source, origin, place_id, count, spread_km, ambiguous``.
    """

    #: The version of the store's shared layer added to the shipped sources (:func:`geo.places.layer_version`;
    #: ``""`` for none): what a cache of results looked up in this gazetteer is keyed by.
    layer: str = ""

    def __init__(self, entries: pd.DataFrame) -> None:
        frame = entries.reset_index(drop=True).copy()
        frame["key"] = [normalize(str(n)) for n in frame["name"]]
        frame = frame[frame["key"].str.len() > 0].reset_index(drop=True)
        frame["skel"] = [skeleton(k) for k in frame["key"]]
        self.entries = frame
        self._by_key = frame.groupby("key").indices
        self._by_skel = frame.groupby("skel").indices
        self._keys = list(self._by_key)
        # Fuzzy matching compares the distinctive words only ("Tabqa Military Airbase" → "tabka").
        frame["core"] = [_core(k) for k in frame["key"]]
        contexts = {"": frame.index.to_numpy()}
        contexts |= dict(frame.groupby(frame["country"].fillna("")).indices)
        by_gov = frame.groupby(frame["country"].fillna("") + "|" + frame["admin1"].fillna("")).indices
        contexts |= by_gov
        self._core_rows = {ctx: _group_rows(frame["core"], rows) for ctx, rows in contexts.items()}
        #: The countries whose places the gazetteer holds: a name is never looked up outside them.
        self.countries: tuple[str, ...] = tuple(sorted(frame["country"].dropna().astype(str).unique()))
        # Region names (admin1 of any entry, governorate spellings) → the countries they lie in.
        regions = frame[frame["admin1"].notna() & frame["country"].notna()]
        named = pd.concat([
            pd.DataFrame({"key": [normalize(str(a)) for a in regions["admin1"]], "country": regions["country"]}),
            frame.loc[frame["kind"] == "governorate", ["key", "country"]],
        ])  # fmt: skip
        self._region_countries = named.groupby("key")["country"].agg(lambda c: frozenset(c.astype(str))).to_dict()

    def __len__(self) -> int:
        return len(self.entries)

    def knows(self, name: str) -> bool:
        """Whether ``name`` matches an entry exactly after normalisation (cheap pre-check for free text)."""
        return normalize(name) in self._by_key

    def lookup(
        self, name: str, *, country: str | None = None, admin1: str | None = None, one_country: bool = False
    ) -> Match | Unresolved:
        """Resolve ``name``, using ``country`` and ``admin1`` as context.

        Parameters
        ----------
        name
            The place name.
        country
            Any country name or ISO code. The name is looked up only among that country's
            places: a country the gazetteer does not cover, or a text that names no
            country, leaves the name unresolved (a namesake elsewhere is no answer).
        admin1
            The governorate, to disambiguate and to allow approximate matches.
        one_country
            Without ``country``: refuse a name whose candidates lie in more than one
            country, instead of choosing between them (a file that names no country).
        """
        if country is not None and str(country).strip():
            cc = COUNTRY_CODES.get(str(country).strip().lower()) or country_code(str(country))
            if cc is None:
                return Unresolved(str(name), f"country not recognised: {str(country).strip()[:60]!r}", ())
            if cc not in self.countries:
                return Unresolved(str(name), f"{country_label(cc)} is not covered by the gazetteer (covered: {', '.join(self.countries)})", ())
        else:
            cc = None
        gov = canonical_governorate(admin1) if admin1 else None
        return self._lookup(str(name), cc, gov, one_country=one_country)

    def region_countries(self, admin1: str) -> frozenset[str]:
        """The covered countries that have a region (governorate, province) of this name; empty when none."""
        gov = canonical_governorate(admin1)
        keys = [normalize(gov)] if gov else []
        keys += [normalize(admin1), normalize(REGION_WORDS.sub(" ", admin1))]
        return frozenset().union(*(self._region_countries.get(k, frozenset()) for k in keys if k))

    def _lookup(self, name: str, cc: str | None, gov: str | None, *, one_country: bool = False) -> Match | Unresolved:
        if REGION_WORDS.search(name):
            region = self._region(name, cc)
            if region is not None:
                return region
            # "Western Aleppo countryside" is a region, never a fuzzy namesake ("Eastern Aleppo").
            return Unresolved(name, "region not resolved", ())
        last: Unresolved | None = None
        for variant in variants(name):
            key = normalize(variant)
            if not key:
                continue
            for method, rows, score in self._stages(key, cc, gov):
                result = self._decide(name, rows, cc=cc, gov=gov, method=method, score=score, one_country=one_country)
                if isinstance(result, Match):
                    return result
                if result is not None and (last is None or last.reason == "name in no source"):
                    last = result
        if last is None and cc is not None:
            return Unresolved(name, f"no place of that name in {country_label(cc)}", self._suggest(normalize(name), cc))
        return last or Unresolved(name, "name in no source", self._suggest(normalize(name)))

    def _region(self, name: str, cc: str | None) -> Match | None:
        """'Idlib Governorate', 'Aleppo province' → the governorate, at precision 3."""
        key = normalize(DIRECTION_WORDS.sub(" ", REGION_WORDS.sub(" ", name)))
        rows = self._by_key.get(key)
        if rows is None:
            return None
        cand = self.entries.iloc[rows]
        cand = cand[cand["kind"] == "governorate"].assign(score=100.0)
        if cc:
            cand = cand[cand["country"] == cc]
        if cand.empty or cand["place_id"].nunique() > 1:
            return None
        return _pick(name, cand, method="exact")

    def _stages(self, key: str, cc: str | None, gov: str | None):
        if key in self._by_key:
            yield "exact", self._by_key[key], 100.0
            return
        if gov is None:
            # Without a governorate an approximate match is mostly a namesake elsewhere (on UCDP 2017
            # with the country only, 63 of 74 skeleton and fuzzy placements were > 10 km off): exact only.
            return
        skel = skeleton(key)
        if len(skel.replace(" ", "")) >= 5 and skel in self._by_skel:
            yield "skeleton", self._by_skel[skel], 95.0
            return
        yield from self._fuzzy(key, cc, gov)

    def _fuzzy(self, key: str, cc: str | None, gov: str | None):
        """Fuzzy candidates among the places of the context (governorate, else country, else all)."""
        core = _core(key)
        if len(core.replace(" ", "")) < 5:  # short names are too easy to confuse
            return
        ctx = f"{cc or ''}|{gov}" if gov else (cc or "")
        index = self._core_rows.get(ctx, {})
        hits = process.extract(core, list(index), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN - 10, limit=8)
        if not hits:
            return
        rows = np.concatenate([index[k] for k, _, _ in hits])
        scores = dict.fromkeys(self.entries["key"].iloc[rows], 0.0)
        for k, s, _ in hits:
            for r in index[k]:
                scores[self.entries["key"].iat[r]] = max(scores[self.entries["key"].iat[r]], s)
        yield "fuzzy", rows, scores

    def _decide(self, query, rows, *, cc, gov, method, score, one_country=False) -> Match | Unresolved | None:
        cand = self.entries.iloc[np.asarray(rows)]
        if isinstance(score, dict):
            cand = cand.assign(score=[score.get(k, 0.0) for k in cand["key"]])
        else:
            cand = cand.assign(score=score)
        if cc:
            cand = cand[cand["country"].isna() | (cand["country"] == cc)]
        # A bare name means the town, not the governorate of the same name ("Hama", "Idlib").
        if (cand["kind"] != "governorate").any():
            cand = cand[cand["kind"] != "governorate"]
        if cand.empty:
            return None
        if gov:
            in_gov = cand[(cand["admin1"] == gov) | (cand["kind"] == "crossing")]
            if in_gov.empty:
                # Sources draw governorate lines differently: accept a place just across the line.
                in_gov = cand[_km_to_governorate(cand, gov) <= ADMIN1_TOLERANCE_KM]
            if in_gov.empty:
                return Unresolved(query, "conflicts with admin1 context", _listing(cand))
            cand = in_gov
        if one_country and cc is None and cand["country"].nunique() > 1:
            # No country given: a name shared by places in two countries is no answer (a Yemeni
            # district that is also a Syrian village). Choosing by population would be a guess.
            found = ", ".join(sorted(cand["country"].dropna().astype(str).unique()))
            return Unresolved(query, f"places of that name in several countries ({found}) and no country given", _listing(cand))
        if method == "fuzzy":
            return self._decide_fuzzy(query, cand)
        return _pick(query, cand, method=method)

    def _decide_fuzzy(self, query: str, cand: pd.DataFrame) -> Match | Unresolved:
        places = cand.sort_values("score", ascending=False).drop_duplicates("place_id")
        top = places.iloc[0]
        others = places[_km(places, top) > SAME_PLACE_KM]
        if top["score"] < FUZZY_MIN:
            return Unresolved(query, "below threshold", _listing(places))
        if len(others) and top["score"] - others["score"].max() < FUZZY_MARGIN:
            return Unresolved(query, "ambiguous", _listing(places))
        return _pick(query, cand[cand["place_id"] == top["place_id"]], method="fuzzy")

    def _suggest(self, key: str, cc: str | None = None) -> tuple[dict[str, object], ...]:
        # A name looked up in one country suggests only that country's places.
        keys = self._keys if cc is None else list(dict.fromkeys(self.entries.loc[self.entries["country"] == cc, "key"]))
        hits = process.extract(key, keys, scorer=fuzz.ratio, limit=3) if key else []
        rows = [self._by_key[k][0] for k, _, _ in hits]
        listed = self.entries.iloc[rows].assign(score=[s for _, s, _ in hits])
        return _listing(listed)


def _pick(query: str, cand: pd.DataFrame, *, method: str) -> Match | Unresolved:
    """One place from exact/skeleton candidates, or Unresolved when they disagree."""
    learned_ambiguous = cand[cand["ambiguous"].fillna(False).astype(bool)]
    clear = cand.drop(learned_ambiguous.index)
    if clear.empty:
        return Unresolved(query, "ambiguous", _listing(cand))
    clear = clear.assign(rank=clear["origin"].map(SOURCE_RANK).fillna(9))
    clear = clear.sort_values(["rank", "population"], ascending=[True, False])
    top = clear.iloc[0]
    far = clear[_km(clear, top) > SAME_PLACE_KM]
    if len(far):
        # Lossy rules (q→k, vowels) can merge distinct names: Kaltah vs Qaltah. Exact spelling decides.
        same_spelling = clear[clear["name"].map(light_key) == light_key(query)]
        if same_spelling["place_id"].nunique() == 1:
            clear, top = same_spelling, same_spelling.iloc[0]
            far = clear.iloc[0:0]
    # A coded file (or an analyst's shared entry) put this name at one point, and GeoNames has a place
    # of that name there too: two independent sources agree on which namesake is meant.
    if len(far) and top["origin"] in ("learned", "shared") and ((clear["origin"] != "learned") & (_km(clear, top) < 1)).any():
        far = far.iloc[0:0]
    if len(far):
        by_pop = clear.sort_values("population", ascending=False)
        # A much larger namesake (10x the population) is what a source means by the bare name.
        if by_pop["population"].iloc[0] >= 10 * max(far["population"].max(), 1) and _km(by_pop.iloc[[0]], top).iloc[0] < 1:
            top = by_pop.iloc[0]
        else:
            return Unresolved(query, "ambiguous", _listing(clear))
    if not learned_ambiguous.empty and (_km(learned_ambiguous, top) > SAME_PLACE_KM).any():
        return Unresolved(query, "ambiguous", _listing(cand))
    return Match(
        query=query, name=str(top["name"]), lat=float(top["lat"]), lon=float(top["lon"]),
        country=_str(top["country"]), admin1=_str(top["admin1"]), kind=str(top["kind"]),
        score=float(top["score"]), source=str(top["source"]), method=method,
        geo_precision=int(top["precision"]) if pd.notna(top.get("precision")) else (3 if top["kind"] == "governorate" else 1),
    )  # fmt: skip


def _group_rows(core: pd.Series, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Core key → entry rows, among ``rows``."""
    sub = core.iloc[rows]
    return {k: rows[v] for k, v in sub.groupby(sub.to_numpy()).indices.items()}


def _km_to_governorate(cand: pd.DataFrame, gov: str) -> np.ndarray:
    return governorate_distance_km(cand["lon"].to_numpy(float), cand["lat"].to_numpy(float), gov)


GENERIC_WORDS = frozenset(
    "military airbase air base airport mountain hill dam river field fields farms farm road bridge school "
    "hospital factory prison station border crossing roundabout square junction highway mosque".split()
)


#: The generic words as they appear in normalised keys ("crossing" → "crosing", "mountain" → "muntain").
GENERIC_KEYS = frozenset(normalize(w, drop_feature_words=False) for w in GENERIC_WORDS)


def _core(key: str) -> str:
    """A normalised key without generic feature words, for fuzzy comparison."""
    return " ".join(w for w in key.split() if w not in GENERIC_KEYS)


def _str(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value) else str(value)


def _km(frame: pd.DataFrame, ref: pd.Series) -> pd.Series:
    """Great-circle distance in km from each row to ``ref``."""
    km = haversine_km(frame["lat"].to_numpy(float), frame["lon"].to_numpy(float), float(ref["lat"]), float(ref["lon"]))
    return pd.Series(km, index=frame.index)


def _listing(cand: pd.DataFrame, limit: int = 5) -> tuple[dict[str, object], ...]:
    cols = ["name", "lat", "lon", "country", "admin1", "kind", "source"]
    listed = cand.drop_duplicates("place_id").head(limit)
    out = []
    for row in listed.itertuples():
        item = {c: _str(getattr(row, c)) if c not in ("lat", "lon") else float(getattr(row, c)) for c in cols}
        item["score"] = float(getattr(row, "score", 0.0))
        out.append(item)
    return tuple(out)


# ---------------------------------------------------------------- building the gazetteer


def covered_countries(path: Path = GAZETTEER_DIR / "geonames.csv") -> tuple[str, ...]:
    """The countries whose places the shipped gazetteer holds (ISO 3166 alpha-2, sorted).

    A place name from any other country is never geocoded: with its country given it stays
    unplaced ("Yemen is not covered by the gazetteer"), without one it could only land on a
    namesake in one of these.

    Parameters
    ----------
    path
        The GeoNames extract (``data/gazetteer/geonames.csv``, its ``country`` column).
    """
    return tuple(sorted(pd.read_csv(path, usecols=["country"], keep_default_na=False)["country"].unique()))


ENTRY_COLUMNS = ["name", "lat", "lon", "country", "admin1", "kind", "population", "source", "origin", "place_id", "count", "spread_km", "ambiguous", "precision"]


def geonames_entries(path: Path = GAZETTEER_DIR / "geonames.csv") -> pd.DataFrame:
    """One row per GeoNames name or alternate name."""
    gn = pd.read_csv(path, dtype={"alternatenames": str}, keep_default_na=False)
    names = gn["name"] + "|" + gn["alternatenames"]
    long = gn.assign(name=names.str.split("|")).explode("name")
    long = long[long["name"].str.len() > 0]
    return pd.DataFrame({
        "name": long["name"], "lat": long["lat"], "lon": long["lon"], "country": long["country"],
        "admin1": long["admin1"].replace("", None), "kind": "place", "population": long["population"],
        "source": "GeoNames " + long["geonameid"].astype(str), "origin": "geonames",
        "place_id": "gn:" + long["geonameid"].astype(str),
    })  # fmt: skip


def curated_entries(path: Path = GAZETTEER_DIR / "curated.csv", *, landmarks: Path = REFERENCE_DIR / "landmarks.csv") -> pd.DataFrame:
    """Hand-added places and the map's landmarks (bases, airports, districts…), each with a cited source.

    A landmark is a gazetteer ``site`` whatever its kind on the map (airbase, prison, district…).
    A curated row may give its ACLED ``precision`` (2 for a mountain, hill, wadi or plain, 3 for a
    range or desert spanning tens of km); a row without one keeps its kind's default (1 for a place).
    """
    frames = [pd.read_csv(path, keep_default_na=False)] if path.exists() else []
    if landmarks.exists():
        frames.append(pd.read_csv(landmarks, keep_default_na=False).assign(kind="site"))
    if not frames:
        return pd.DataFrame(columns=ENTRY_COLUMNS)
    cur = pd.concat(frames, ignore_index=True)
    names = (cur["name"] + "|" + cur["aliases"]).str.split("|")
    long = cur.assign(alias=names).explode("alias")
    long = long[long["alias"].str.len() > 0]
    return pd.DataFrame({
        "name": long["alias"], "lat": long["lat"], "lon": long["lon"], "country": long["country"],
        "admin1": long["admin1"], "kind": long["kind"], "population": 0, "source": "curated: " + long["source"],
        "origin": "curated", "place_id": "cur:" + long["name"],
        "precision": pd.to_numeric(long["precision"], errors="coerce") if "precision" in long else np.nan,
    })  # fmt: skip


def reference_entries() -> pd.DataFrame:
    """Crossings (points, cited) and governorates (representative points, precision 3)."""
    cr = layers.crossings()
    rows = []
    for c in cr.itertuples():
        admin1 = "Anbar" if c.key != "rabia" else "Nineveh"
        for alias in [c.name, f"{c.name} crossing", *c.aliases.split("|")]:
            rows.append([alias, c.lat, c.lon, "IQ", admin1, "crossing", 0, f"crossings.csv: {c.source}", "crossing", f"x:{c.key}"])
    gov = layers.governorates()
    for g in gov.itertuples():
        pt = g.geometry.representative_point()
        for alias in [g.name, *str(g.aliases).split("|")]:
            rows.append([alias, round(pt.y, 5), round(pt.x, 5), g.country, g.name, "governorate", 0, "Natural Earth admin-1 polygon", "governorate", f"gov:{g.code}"])
    return pd.DataFrame(rows, columns=ENTRY_COLUMNS[:10])


def alias_entries(frame: pd.DataFrame, path: Path = GAZETTEER_DIR / "aliases.csv") -> pd.DataFrame:
    """Names that mean an existing entry (``Kweires`` = UCDP's ``Qwaris Military Air Base``).

    ``precision`` 2 marks a "near" alias: the place itself has no cited coordinate, so it
    is placed at a cited neighbour and says so.
    """
    if not path.exists():
        return pd.DataFrame(columns=ENTRY_COLUMNS)
    table = pd.read_csv(path, keep_default_na=False)
    keyed = frame.assign(key=[normalize(str(n)) for n in frame["name"]])
    rows = []
    for a in table.itertuples():
        hits = keyed[(keyed["key"] == normalize(a.target)) & (keyed["admin1"] == a.admin1)]
        if hits.empty:
            continue
        top = hits.sort_values("origin", key=lambda s: s.map(SOURCE_RANK)).iloc[0]
        rows.append({**top.drop("key").to_dict(), "name": a.alias, "origin": "curated", "precision": int(a.precision),
                     "kind": top["kind"] if a.precision == 1 else "near",
                     "source": f"alias of {top['name']} ({a.evidence}); coordinate: {top['source']}"})  # fmt: skip
    return pd.DataFrame(rows, columns=ENTRY_COLUMNS)


def learned_entries(path: Path = GAZETTEER_DIR / "learned.csv") -> pd.DataFrame:
    """Names learned from coded event files (median coordinate, count, spread)."""
    if not path.exists():
        return pd.DataFrame(columns=ENTRY_COLUMNS)
    return _learned_frame(pd.read_csv(path, keep_default_na=False))


def _learned_frame(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "name": table["name"], "lat": table["lat"], "lon": table["lon"], "country": table["country"].replace("", None),
        "admin1": table["admin1"].replace("", None), "kind": "place", "population": 0,
        "source": "learned: " + table["dataset"] + " (n=" + table["count"].astype(str) + ", spread " + table["spread_km"].round(1).astype(str) + " km)",
        "origin": "learned", "place_id": "ln:" + table["name"] + "|" + table["admin1"], "count": table["count"],
        "spread_km": table["spread_km"], "ambiguous": table["ambiguous"].astype(bool),
    })  # fmt: skip


def learn(events: pd.DataFrame, *, dataset: str, max_spread_km: float = SAME_PLACE_KM) -> pd.DataFrame:
    """Learn name → median coordinate from events that carry a place name and coordinates.

    Only rows with ``geo_precision`` 1–2 teach (a region-level point says nothing about
    the name). Feature words are dropped ("Khan Shaykhun town" → "Khan Shaykhun").

    Parameters
    ----------
    events
        Canonical events (``location``, ``latitude``, ``longitude``, ``geo_precision``, ``admin1``, ``country``).
    dataset
        Name recorded as the source of each learned entry.
    max_spread_km
        A name whose points lie further than this (90th percentile) from their median is
        kept as **ambiguous**, never as one point.

    Returns
    -------
    pandas.DataFrame
        ``name, lat, lon, country, admin1, count, spread_km, ambiguous, dataset``.
    """
    ev = events[events["geo_precision"].fillna(9).astype(int) <= 2]
    ev = ev[ev["location"].notna()]
    frame = pd.DataFrame({
        "name": ev["location"].astype(str).to_numpy(), "lat": ev["latitude"].to_numpy(), "lon": ev["longitude"].to_numpy(),
        "country": ev["country"].astype("string").fillna("").map(lambda c: COUNTRY_CODES.get(c.lower(), "")).to_numpy(),
        "admin1": ev["admin1"].astype("string").fillna("").map(lambda a: canonical_governorate(a) or "").to_numpy(),
    })  # fmt: skip
    # "Palmyra/Tadmur town" teaches "Palmyra" and "Tadmur"; feature words are dropped.
    frame["name"] = frame["name"].map(lambda n: [_strip_feature_words(v) for v in variants(n)])
    frame = frame.explode("name")
    frame = frame[frame["name"].str.len() > 0]
    # One entry per name and governorate: same-named villages in two governorates stay apart.
    grouped = frame.groupby(["name", "country", "admin1"])
    out = grouped.agg(lat=("lat", "median"), lon=("lon", "median"), count=("lat", "size")).reset_index()
    merged = frame.merge(out[["name", "country", "admin1", "lat", "lon"]], on=["name", "country", "admin1"], suffixes=("", "_m"))
    merged["d"] = _pairwise_km(merged)
    spread = merged.groupby(["name", "country", "admin1"])["d"].quantile(0.9).rename("spread_km").reset_index()
    out = out.merge(spread, on=["name", "country", "admin1"])
    out["spread_km"] = out["spread_km"].round(2)
    out["ambiguous"] = out["spread_km"] > max_spread_km
    out["lat"], out["lon"] = out["lat"].round(5), out["lon"].round(5)
    out["dataset"] = dataset
    cols = ["name", "lat", "lon", "country", "admin1", "count", "spread_km", "ambiguous", "dataset"]
    return out[cols].sort_values(["name", "admin1"]).reset_index(drop=True)


def _pairwise_km(frame: pd.DataFrame) -> np.ndarray:
    return haversine_km(frame["lat"].to_numpy(float), frame["lon"].to_numpy(float),
                        frame["lat_m"].to_numpy(float), frame["lon_m"].to_numpy(float))  # fmt: skip


def _strip_feature_words(name: str) -> str:
    words = name.split()
    while words and words[-1].lower() in FEATURE_WORDS:
        words.pop()
    return " ".join(words).strip()


def build_gazetteer(
    *, learned: pd.DataFrame | None = None, include_shipped_learned: bool = True, shared: pd.DataFrame | None = None
) -> Gazetteer:
    """Assemble a gazetteer from GeoNames, curated, reference, learned and shared entries.

    Parameters
    ----------
    learned
        Extra learned names (from :func:`learn`), e.g. for an evaluation.
    include_shipped_learned
        Whether to include ``data/gazetteer/learned.csv`` (off when evaluating, so that
        nothing learned from the test rows leaks in).
    shared
        A store's shared layer as entries (:data:`ENTRY_COLUMNS`, ``origin`` ``shared``;
        :func:`geo.places.shared_entries`): places analysts added with a citation.
    """
    parts = [geonames_entries(), curated_entries(), reference_entries()]
    if include_shipped_learned:
        parts.append(learned_entries())
    if learned is not None:
        parts.append(_learned_frame(learned))
    if shared is not None:
        parts.append(shared)
    frame = pd.concat([p.reindex(columns=ENTRY_COLUMNS) for p in parts if len(p)], ignore_index=True)
    frame = pd.concat([frame, alias_entries(frame)], ignore_index=True)
    frame["precision"] = pd.to_numeric(frame["precision"], errors="coerce").fillna(
        frame["kind"].map({"governorate": 3}).fillna(1)
    )
    frame["population"] = pd.to_numeric(frame["population"], errors="coerce").fillna(0)
    frame["ambiguous"] = frame["ambiguous"].astype("boolean").fillna(False)
    return Gazetteer(frame)


@cache
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer (built once per process)."""
    return build_gazetteer()


#: The gazetteer :func:`active_gazetteer` answers inside :func:`using` (this thread or task only).
_ACTIVE: ContextVar[Gazetteer | None] = ContextVar("active_gazetteer", default=None)


def active_gazetteer() -> Gazetteer:
    """The gazetteer the extractor looks names up in: the one :func:`using` set, else the shipped one."""
    return _ACTIVE.get() or default_gazetteer()


@contextmanager
def using(gazetteer: Gazetteer) -> Iterator[Gazetteer]:
    """Make ``gazetteer`` the one :func:`active_gazetteer` answers within the block (a store's, with its shared layer).

    A context variable, not an argument: the extractor asks for the gazetteer in a dozen helpers,
    and a store-aware extraction must not change what every other caller gets.
    """
    token = _ACTIVE.set(gazetteer)
    try:
        yield gazetteer
    finally:
        _ACTIVE.reset(token)


# ---------------------------------------------------------------- evaluation on a coded file


def evaluate(
    test_events: pd.DataFrame, gazetteer: Gazetteer, *, use_context: bool = True
) -> tuple[dict[str, object], pd.DataFrame]:
    """Geocode the place names of coded events and compare with their coordinates.

    Only rows with ``geo_precision_source`` 1–2 (UCDP ``where_prec``) or ``geo_precision``
    1–2 are scored: their coordinates are the named place's.

    Returns
    -------
    tuple
        A summary dict (rows, share resolved, within 5/10 km, precision, failure reasons,
        top unresolved names) and the per-row results.
    """
    prec = pd.to_numeric(test_events.get("geo_precision_source", test_events["geo_precision"]), errors="coerce")
    rows = test_events[prec.isin([1, 2]) & test_events["location"].notna()]
    keys = rows[["location", "country", "admin1"]].astype("string").fillna("")
    unique = keys.drop_duplicates()
    results = {
        tuple(k): gazetteer.lookup(k[0], country=k[1] or None, admin1=(k[2] or None) if use_context else None)
        for k in unique.itertuples(index=False)
    }
    per_row = [results[tuple(k)] for k in keys.itertuples(index=False)]
    table = _score_rows(rows, per_row)
    return _summary(table), table


def _score_rows(rows: pd.DataFrame, results: list[Match | Unresolved]) -> pd.DataFrame:
    lat = [r.lat if isinstance(r, Match) else np.nan for r in results]
    lon = [r.lon if isinstance(r, Match) else np.nan for r in results]
    table = pd.DataFrame({
        "location": rows["location"].to_numpy(), "true_lat": rows["latitude"].to_numpy(), "true_lon": rows["longitude"].to_numpy(),
        "lat": lat, "lon": lon,
        "reason": [("region only" if r.geo_precision == 3 else None) if isinstance(r, Match) else r.reason for r in results],
        "method": [r.method if isinstance(r, Match) else None for r in results],
        "source": [r.source.split(":")[0].split(" ")[0] if isinstance(r, Match) else None for r in results],
    })  # fmt: skip
    moved = table.rename(columns={"lat": "lat_m", "lon": "lon_m", "true_lat": "lat", "true_lon": "lon"})
    table["error_km"] = _pairwise_km(moved)
    return table


def _summary(table: pd.DataFrame) -> dict[str, object]:
    n = len(table)
    placed = table["reason"].isna()
    within5, within10 = (table["error_km"] <= 5) & placed, (table["error_km"] <= 10) & placed
    unresolved = table[~placed]
    return {
        "rows": n,
        "resolved": round(placed.mean(), 4) if n else 0.0,
        "within_5km": round(within5.mean(), 4) if n else 0.0,
        "within_10km": round(within10.mean(), 4) if n else 0.0,
        "rows_resolved": int(placed.sum()), "rows_within_5km": int(within5.sum()), "rows_within_10km": int(within10.sum()),
        "precision_10km": round(within10.sum() / max(placed.sum(), 1), 4),
        "median_error_km": round(float(table.loc[placed, "error_km"].median()), 2) if placed.any() else None,
        "by_method": {str(k): int(v) for k, v in table.loc[placed, "method"].value_counts().items()},
        "failures": {str(k): int(v) for k, v in unresolved["reason"].value_counts().items()},
        "top_unresolved": [[str(k), int(v)] for k, v in unresolved["location"].value_counts().head(15).items()],
    }


def format_evaluation(summary: dict[str, object]) -> str:
    """The evaluation as a Markdown table plus the worklist of unresolved names."""
    pct = lambda v: f"{100 * float(v):.2f} %"  # noqa: E731 - tiny local formatter
    lines = [
        "| rows (where_prec 1-2) | resolved | within 5 km | within 10 km | precision (placed within 10 km) | median error |",
        "|---|---|---|---|---|---|",
        f"| {summary['rows']:,} | {pct(summary['resolved'])} ({summary['rows_resolved']:,}) "
        f"| {pct(summary['within_5km'])} ({summary['rows_within_5km']:,}) | {pct(summary['within_10km'])} ({summary['rows_within_10km']:,}) "
        f"| {pct(summary['precision_10km'])} | {summary['median_error_km']} km |",
        "",
        "placed by method: " + ", ".join(f"{k} {v:,}" for k, v in summary["by_method"].items()),
        "why the rest failed: " + ", ".join(f"{k} {v:,}" for k, v in summary["failures"].items()),
        "most frequent unresolved names: " + ", ".join(f"{n} ({c})" for n, c in summary["top_unresolved"]),
    ]
    return "\n".join(lines)


def merge_learned(learned: pd.DataFrame, *, path: Path | None = None) -> Path:
    """Merge newly learned names into ``learned.csv`` (new rows replace same name+admin1+dataset)."""
    path = path or GAZETTEER_DIR / "learned.csv"
    if path.exists():
        old = pd.read_csv(path, keep_default_na=False)
        keys = ["name", "country", "admin1", "dataset"]
        old = old.merge(learned[keys], on=keys, how="left", indicator=True)
        old = old[old["_merge"] == "left_only"].drop(columns="_merge")
        learned = pd.concat([old, learned], ignore_index=True)
    learned = learned.sort_values(["name", "admin1", "dataset"]).reset_index(drop=True)
    learned.to_csv(path, index=False, lineterminator="\n")
    return path
