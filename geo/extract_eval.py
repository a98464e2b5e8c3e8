"""Scoring the article extractor against events coded by hand: recall, precision, per-field accuracy.

A gold file is JSON Lines, one event per line (``article`` = the article file's stem, ``event_date``,
``location``, ``latitude``, ``longitude``, ``event_type``, ``sub_event_type``, ``actor1_side``, and
``url`` of the article). Extracted and gold events of the same article are paired one to one,
closest first, when they lie within :data:`MATCH_KM` and :data:`MATCH_DAYS` of each other; the fields
of each pair are then scored.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from geo.actors import side_of
from geo.articles import read_article
from geo.distance import haversine_km
from geo.extract import extract
from geo.paths import DATA, ROOT

#: A pair further apart than this is two different events, not one event with a wrong field.
MATCH_KM = 30.0
MATCH_DAYS = 3
#: "Place right" and "date exact" as the issue measures them.
PLACE_KM = 10.0
FIELDS: tuple[str, ...] = ("date exact", "place within 10 km", "event type", "sub-event type", "actor1 side")
#: The project's gold, split by article: ``dev`` is read while the extractor changes; the others are locked
#: (their texts and gold are not read; only their figures are printed, at the end of a piece of work).
#: ``test2`` is a fresh locked split coded on 2026-12-07, after ``test``'s figures had been printed often.
SPLITS: tuple[str, ...] = ("dev", "test", "test2")
LOCKED: tuple[str, ...] = ("test", "test2")
GOLD_DIR = DATA / "extract_gold"
#: Article texts stay outside the repository (third-party text): one folder per split.
ARTICLES_DIR = ROOT / "var" / "articles"


def split_paths(split: str | None, *, articles: Path | None = None, gold: Path | None = None) -> tuple[Path | None, Path | None]:
    """The articles folder and gold file of a split, unless given explicitly."""
    if split is None:
        return articles, gold
    return articles or ARTICLES_DIR / split, gold or GOLD_DIR / f"{split}.jsonl"


@dataclass(frozen=True)
class Scores:
    """What an evaluation found: counts, rates, and every pair and miss for reading."""

    gold: int
    extracted: int
    matched: int
    fields: dict[str, int]
    pairs: pd.DataFrame
    missed: pd.DataFrame
    spurious: pd.DataFrame
    #: Gold articles with no text in the folder, and their events: left out of every figure, and said so.
    absent_articles: int = 0
    absent_events: int = 0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 0.0

    @property
    def by_name(self) -> int:
        """Pairs made on the place's name alone (the gold place had no coordinate): their place is not scored."""
        return int(self.pairs["by_name"].sum()) if "by_name" in self.pairs else 0

    @property
    def strict(self) -> tuple[float, float]:
        """Recall and precision counting only pairs made by distance (none on a name alone)."""
        n = self.matched - self.by_name
        return (n / self.gold if self.gold else 0.0, n / self.extracted if self.extracted else 0.0)

    def to_dict(self) -> dict[str, object]:
        rates = {k: round(v / self.matched, 3) if self.matched else 0.0 for k, v in self.fields.items()}
        with_coords = self.matched - self.by_name
        rates["place within 10 km"] = round(self.fields["place within 10 km"] / with_coords, 3) if with_coords else 0.0
        return {"gold": self.gold, "extracted": self.extracted, "matched": self.matched, "by_name": self.by_name,
                "strict_recall": round(self.strict[0], 3), "strict_precision": round(self.strict[1], 3),
                "recall": round(self.recall, 3), "precision": round(self.precision, 3), "fields": self.fields,
                "field_rates": rates, "absent_articles": self.absent_articles, "absent_events": self.absent_events}  # fmt: skip


def load_gold(path: str | Path) -> pd.DataFrame:
    """The gold events of a JSON Lines file, dates parsed."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = pd.DataFrame(rows)
    gold["event_date"] = pd.to_datetime(gold["event_date"])
    return gold


def score(extracted: pd.DataFrame, gold: pd.DataFrame) -> Scores:
    """Pair extracted events with gold ones per article and count what each pair gets right."""
    pairs, used_x, used_g = [], set(), set()
    for article, g in gold.groupby("article"):
        x = extracted[extracted["article_id"] == article]
        for gi, xi, km, days in _candidates(g, x):
            if gi in used_g or xi in used_x:
                continue
            used_g.add(gi)
            used_x.add(xi)
            pairs.append(_pair(gold.loc[gi], extracted.loc[xi], km, days))
    table = pd.DataFrame(pairs, columns=["article", "gold_location", "extracted_location", "km", "days", "by_name", *FIELDS])
    fields = {f: int(table[f].sum()) for f in FIELDS}
    missed = gold.loc[[i for i in gold.index if i not in used_g]]
    spurious = extracted[extracted["article_id"].isin(set(gold["article"])) & ~extracted.index.isin(list(used_x))]
    n_extracted = int(extracted["article_id"].isin(set(gold["article"])).sum())
    return Scores(len(gold), n_extracted, len(table), fields, table, missed, spurious)


def _candidates(gold: pd.DataFrame, extracted: pd.DataFrame) -> list[tuple[object, object, float, int]]:
    """Every gold × extracted pair close enough to be one event, closest (in km, then days) first.

    Among equally close pairs the one whose sub-event type (then event type) agrees comes first,
    so that an air strike and a capture in the same city on the same day are not cross-paired.
    """
    out = []
    for gi, g in gold.iterrows():
        for xi, x in extracted.iterrows():
            km = _km(g, x)
            days = abs((pd.Timestamp(x["event_date"]) - g["event_date"]).days)
            if km <= MATCH_KM and days <= MATCH_DAYS:
                differs = (x["sub_event_type"] != g["sub_event_type"], x["event_type"] != g["event_type"])
                out.append((gi, xi, km, days, differs))
    out.sort(key=lambda c: (c[2] + 10 * c[3], c[4], str(c[0]), str(c[1])))
    return [c[:4] for c in out]


def _km(gold: pd.Series, extracted: pd.Series) -> float:
    """Distance between a gold and an extracted event; a gold place the coder found no coordinate for
    (``latitude`` null) is the same place only under the same name."""
    if pd.isna(gold["latitude"]) or pd.isna(gold["longitude"]):
        return 0.0 if _names_one_place(str(gold["location"]), str(extracted["location"])) else float("inf")
    return haversine_km(gold["latitude"], gold["longitude"], extracted["latitude"], extracted["longitude"])


def _names_one_place(gold: str, extracted: str) -> bool:
    """Whether the extracted name is the gold's place: the same words, or the whole name among the gold's
    description ("Awja" of "Awja village, Tal Tamr district"), accents and hyphens aside."""
    g, x = fold(re.split(r",", gold)[0]), fold(extracted)  # the place itself, not the district after the comma
    return bool(x) and bool(g) and (g == x or re.search(rf"\b{re.escape(x)}\b", g) is not None or re.search(rf"\b{re.escape(g)}\b", x) is not None)


def fold(text: str) -> str:
    """Lower case, accents dropped, every run of other characters one space ("Iraq–Syria" → "iraq syria")."""
    spaced = re.sub(r"[^\w]+", " ", unicodedata.normalize("NFKD", text))
    return " ".join(spaced.encode("ascii", "ignore").decode().lower().split())


def _pair(g: pd.Series, x: pd.Series, km: float, days: int) -> dict[str, object]:
    return {
        "article": g["article"], "gold_location": g["location"], "extracted_location": x["location"],
        "km": round(km, 1), "days": days, "by_name": pd.isna(g["latitude"]),
        # A pair made on the name alone has no distance: its place is not scored (not counted right).
        "date exact": days == 0, "place within 10 km": not pd.isna(g["latitude"]) and km <= PLACE_KM,
        "event type": x["event_type"] == g["event_type"], "sub-event type": x["sub_event_type"] == g["sub_event_type"],
        "actor1 side": side_of(x["actor1"], on=g["event_date"].date()) == g.get("actor1_side"),
    }  # fmt: skip


def evaluate(articles_dir: str | Path, gold_path: str | Path) -> Scores:
    """Extract every article of ``articles_dir`` (``*.md``, ``*.txt``) and score against the gold file."""

    paths = [p for p in sorted(Path(articles_dir).glob("*")) if p.suffix in (".md", ".txt")]
    frames = [extract(read_article(p))[0] for p in paths]
    extracted = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["article_id"])
    gold = load_gold(gold_path)
    # A gold article whose text is not here cannot be extracted: its events are left out, and counted.
    present = gold["article"].isin({p.stem for p in paths})
    scores = score(extracted, gold[present])
    return replace(scores, absent_articles=int(gold.loc[~present, "article"].nunique()), absent_events=int((~present).sum()))


def format_scores(scores: Scores) -> str:
    """The figures as an analyst reads them."""
    strict_recall, strict_precision = scores.strict
    with_coords = scores.matched - scores.by_name
    lines = [f"gold {scores.gold}  extracted {scores.extracted}  matched {scores.matched} ({scores.by_name} on the place's name alone)",
             f"recall {scores.recall:.1%}  precision {scores.precision:.1%}",
             f"strict (pairs by distance only): recall {strict_recall:.1%}  precision {strict_precision:.1%}"]  # fmt: skip
    lines += [f"  {k}: {v} of {with_coords if k == 'place within 10 km' else scores.matched}" for k, v in scores.fields.items()]
    if scores.absent_articles:
        lines.append(f"left out: {scores.absent_articles} gold articles with no text in the folder ({scores.absent_events} events)")
    return "\n".join(lines)
