"""Judging cross-source matching against hand-matched gold pairs, beside the naive rule.

The gold is a sample of candidate pairs (one event of each source, within a broad window), each
coded by a person who never saw the matcher's output: ``yes`` (one incident), ``no`` or ``unsure``.
A pair counts as matched when the matcher put exactly those two events together. Precision is over
the gold pairs the matcher matched, recall over the gold pairs coded ``yes``; ``unsure`` pairs are
left out and counted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import GeoError
from geo.matching import Windows, candidate_pairs

#: The naive rule the matcher is judged beside: the same day (spans meeting), within 10 km, any type, any number of partners.
NAIVE = Windows(days=0, km=10.0)
LABELS = ("yes", "no", "unsure")


@dataclass(frozen=True)
class MatchScore:
    """How a set of matched pairs fares on the gold."""

    method: str
    precision: float | None
    recall: float | None
    matched_gold: int
    right: int
    gold_yes: int
    judged: int
    unsure: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def read_gold(path: Path) -> pd.DataFrame:
    """Gold pairs (``pair_id`` as ``<a event_id>~<b event_id>``, ``same`` yes/no/unsure) as ``a_id``, ``b_id``, ``same``.

    Raises
    ------
    GeoError
        When a column is missing or a label is not one of :data:`LABELS`.
    """
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    if missing := {"pair_id", "same"} - set(gold.columns):
        msg = f"gold {path.name}: expected columns pair_id and same, missing {', '.join(sorted(missing))}"
        raise GeoError(msg)
    gold["same"] = gold["same"].str.strip().str.lower()
    if bad := sorted(set(gold["same"]) - set(LABELS)):
        msg = f"gold {path.name}: same must be one of {', '.join(LABELS)}, got {', '.join(map(repr, bad[:3]))}"
        raise GeoError(msg)
    ids = gold["pair_id"].str.split("~", n=1, expand=True)
    return pd.DataFrame({"a_id": ids[0], "b_id": ids[1], "same": gold["same"]})


def score(matched: pd.DataFrame, gold: pd.DataFrame, *, method: str) -> MatchScore:
    """``matched`` (``a_id``, ``b_id``) judged on ``gold`` (:func:`read_gold`)."""
    pairs = set(zip(matched["a_id"].astype(str), matched["b_id"].astype(str), strict=True))
    judged = gold[gold["same"] != "unsure"]
    hit = [(a, b) in pairs for a, b in zip(judged["a_id"], judged["b_id"], strict=True)]
    yes = (judged["same"] == "yes").to_numpy()
    right = int((pd.Series(hit, dtype=bool).to_numpy() & yes).sum())
    matched_gold, gold_yes = sum(hit), int(yes.sum())
    return MatchScore(method, right / matched_gold if matched_gold else None, right / gold_yes if gold_yes else None,
                      matched_gold, right, gold_yes, len(judged), int((gold["same"] == "unsure").sum()))  # fmt: skip


def naive_pairs(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every pair the naive rule (:data:`NAIVE`) takes, as ``a_id``, ``b_id``."""
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    pairs = candidate_pairs(a, b, NAIVE)
    return pd.DataFrame({"a_id": a["event_id"].to_numpy()[pairs["i"]], "b_id": b["event_id"].to_numpy()[pairs["j"]]})
