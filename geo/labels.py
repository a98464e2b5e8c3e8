"""Place labels for the offline map: which names a view shows, by zoom, without overlaps.

Candidates come from the shipped gazetteer and reference files — GeoNames places (with their
Arabic name), names learned from coded events, the curated places, the landmarks
(``data/reference/landmarks.csv``) and the named rivers and lakes. Each has a zoom from which it
is drawn (:data:`TIERS`: the largest towns at country zoom, every town and village by zoom 11,
districts and landmarks beyond) and a priority. :func:`labels_for_view` keeps the candidates
inside the view, then places them greedily by priority, skipping any whose box would overlap a
label already placed — so only what is in view is sent, and never more than :data:`MAX_LABELS`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from geo.paths import GAZETTEER_DIR, REFERENCE_DIR
from geo.viewport import MAP_PX, to_pixels, view_bounds

MAX_LABELS = 160
#: Label box per character and height at the map's 11 px label font (measured in Chromium here:
#: the widest names average 6.1 px per character; the margin keeps neighbours readable).
CHAR_PX, LABEL_H_PX, GAP_PX = 6.8, 15, 3
SYMBOL_PX = 14  # a landmark's symbol, drawn left of its name
WATER_REPEAT_PX = 400  # a river's name again only this far from where it was placed
#: From this zoom landmarks are placed before towns: over a city the analyst already knows the
#: city, and the citadel or a district beside its centre point is what orients.
LANDMARKS_FIRST_ZOOM = 12
_ARABIC = re.compile(r"[\u0600-\u06FF]")


@dataclass(frozen=True)
class Tier:
    """From which zoom a kind of place (and, for towns, which population) is labelled."""

    kind: str
    min_population: int
    min_zoom: int


#: The first tier a candidate matches gives its zoom and its priority (earlier = placed first).
TIERS: tuple[Tier, ...] = (
    Tier("place", 1_000_000, 4), Tier("place", 200_000, 6), Tier("place", 50_000, 7),
    Tier("airport", 0, 8), Tier("airbase", 0, 8), Tier("place", 10_000, 8), Tier("water", 0, 7), Tier("place", 1, 9),
    Tier("place", 0, 10), Tier("learned", 0, 11),
    Tier("citadel", 0, 12), Tier("prison", 0, 12), Tier("district", 0, 12), Tier("site", 0, 13),
)  # fmt: skip
LANDMARK_KINDS = frozenset({"airport", "airbase", "citadel", "prison", "district", "site"})


@dataclass(frozen=True)
class Label:
    """One label to draw: the name, its tooltip (GeoNames' form and the Arabic name where known), where, what kind and its box."""

    name: str
    arabic: str
    lat: float
    lon: float
    kind: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in world pixels at the view's zoom


def labels_for_view(view: tuple[float, float, int], *, size_px: tuple[int, int] = MAP_PX, limit: int = MAX_LABELS) -> list[Label]:
    """The labels the map shows at ``view`` (lat, lon, zoom): in view, by priority, none overlapping."""
    zoom = int(view[2])
    west, south, east, north = view_bounds(view, size_px=size_px, margin=0.1)
    cand = label_candidates()
    cand = cand[(cand["min_zoom"] <= zoom) & cand["lon"].between(west, east) & cand["lat"].between(south, north)]
    if zoom >= LANDMARKS_FIRST_ZOOM:
        cand = cand.sort_values("kind", key=lambda k: ~k.isin(LANDMARK_KINDS), kind="stable")
    x, y = to_pixels(cand["lat"].to_numpy(), cand["lon"].to_numpy(), zoom)
    placed: list[Label] = []
    boxes = np.empty((0, 4))
    water: dict[str, list[tuple[float, float]]] = {}
    for row, px, py in zip(cand.itertuples(), x, y, strict=True):
        box = _box(row.name, row.kind, px, py)
        if len(boxes) and _overlaps(box, boxes):
            continue
        if row.kind == "water":
            seen = water.setdefault(row.name, [])
            if any(np.hypot(px - sx, py - sy) < WATER_REPEAT_PX for sx, sy in seen):
                continue
            seen.append((px, py))
        placed.append(Label(row.name, row.arabic, float(row.lat), float(row.lon), row.kind, box))
        boxes = np.vstack([boxes, box])
        if len(placed) >= limit:
            break
    return placed


def _box(name: str, kind: str, px: float, py: float) -> tuple[float, float, float, float]:
    """The label's screen box: a dot or symbol at the point, the name to its right."""
    lead = SYMBOL_PX if kind in LANDMARK_KINDS else 6
    if kind == "water":  # centred just below its point (a river's point is beside a town, named to its right)
        half, top = len(name) * CHAR_PX / 2, py + LABEL_H_PX / 2 + GAP_PX + 1
        return (px - half - GAP_PX, top, px + half + GAP_PX, top + LABEL_H_PX + 2 * GAP_PX)
    return (px - lead / 2 - GAP_PX, py - LABEL_H_PX / 2 - GAP_PX, px + lead + len(name) * CHAR_PX + GAP_PX, py + LABEL_H_PX / 2 + GAP_PX)


def _overlaps(box: tuple[float, float, float, float], boxes: np.ndarray) -> bool:
    return bool(((boxes[:, 0] < box[2]) & (boxes[:, 2] > box[0]) & (boxes[:, 1] < box[3]) & (boxes[:, 3] > box[1])).any())


@cache
def label_candidates() -> pd.DataFrame:
    """Every place that may be labelled: ``name, arabic, lat, lon, kind, min_zoom, rank``, in placing order."""
    frame = pd.concat([_geonames(), _curated(), _learned(), _landmarks(), _water()], ignore_index=True)
    frame = _drop_repeats(frame)
    tier = frame.apply(lambda r: _tier(r["kind"], int(r["population"])), axis=1)
    frame["min_zoom"] = [TIERS[i].min_zoom for i in tier]
    frame["rank"] = tier
    order = frame.sort_values(["rank", "population", "count"], ascending=[True, False, False], kind="stable")
    return order.reset_index(drop=True)[["name", "arabic", "lat", "lon", "kind", "min_zoom", "rank", "population"]]


def _tier(kind: str, population: int) -> int:
    group = "place" if kind in ("place", "curated") else kind
    for i, t in enumerate(TIERS):
        if t.kind == group and population >= t.min_population:
            return i
    msg = f"label tiers: expected a tier for kind {kind!r}, got none"
    raise ValueError(msg)


def _frame(names, arabic, lat, lon, kind, population=0, count=0) -> pd.DataFrame:
    return pd.DataFrame({"name": names, "arabic": arabic, "lat": lat, "lon": lon, "kind": kind,
                         "population": population, "count": count})  # fmt: skip


def _geonames() -> pd.DataFrame:
    """GeoNames places, named in plain Latin letters; the tooltip keeps the scholarly form and the Arabic."""
    gn = pd.read_csv(GAZETTEER_DIR / "geonames.csv", dtype={"alternatenames": str}, keep_default_na=False)
    arabic = gn["alternatenames"].str.split("|").map(lambda names: next((n for n in names if _ARABIC.search(n)), ""))
    plain = gn["name"].map(plain_latin)
    tooltip = [" · ".join(dict.fromkeys(x for x in (name, ar) if x and x != p)) for name, ar, p in zip(gn["name"], arabic, plain, strict=True)]
    return _frame(plain, tooltip, gn["lat"], gn["lon"], "place", gn["population"].astype(int))


_APOSTROPHES = str.maketrans({"ʿ": "'", "ʾ": "'", "‘": "'", "’": "'", "ı": "i", "İ": "I"})


def plain_latin(name: str) -> str:
    """A transliterated name without its diacritics, as the press writes it: ``Ḩamāh`` → ``Hamah``."""
    folded = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    return "".join(c for c in folded if not unicodedata.combining(c))


def _curated() -> pd.DataFrame:
    """The curated towns; a natural feature (kind ``region``: a range, wadi, desert) is a place to
    geocode, not a label: its one cited point is not where a range's name belongs on a map."""
    cur = pd.read_csv(GAZETTEER_DIR / "curated.csv", keep_default_na=False)
    cur = cur[cur["kind"] == "place"]
    return _frame(cur["name"], "", cur["lat"], cur["lon"], "curated")


def _learned() -> pd.DataFrame:
    """Names learned from coded events: villages and quarters GeoNames' cities500 lacks.

    Ambiguous names (spread over places) and variant spellings written as ``A/B`` or with a
    parenthesis are left out; a name with digits is a unit or a sector, not a place to read.
    """
    ln = pd.read_csv(GAZETTEER_DIR / "learned.csv", keep_default_na=False)
    ok = (ln["ambiguous"].astype(str) != "True") & ~ln["name"].str.contains(r"[\d/()]", regex=True)
    ln = ln[ok]
    return _frame(ln["name"], "", ln["lat"], ln["lon"], "learned", 0, ln["count"].astype(int))


def _landmarks() -> pd.DataFrame:
    lm = pd.read_csv(REFERENCE_DIR / "landmarks.csv", keep_default_na=False)
    return _frame(lm["name"], "", lm["lat"], lm["lon"], lm["kind"])


def _water() -> pd.DataFrame:
    wl = pd.read_csv(REFERENCE_DIR / "water_labels.csv", keep_default_na=False)
    return _frame(wl["name"], "", wl["lat"], wl["lon"], "water")


def _drop_repeats(frame: pd.DataFrame) -> pd.DataFrame:
    """One candidate per name and place: a name seen again within ~2 km keeps its first source."""
    key = frame["name"].str.casefold().str.replace(r"[^a-z]", "", regex=True)
    cell = (frame["lat"] / 0.02).round().astype(int).astype(str) + ":" + (frame["lon"] / 0.02).round().astype(int).astype(str)
    return frame[~pd.Series(list(zip(key, cell, strict=True)), index=frame.index).duplicated()]
