"""Silver evaluation of the extractor from a coded record: UCDP GED headlines as one-sentence articles.

UCDP GED gives each event the headline and date of its source (``source_headline``,
``source_date``) beside the coded date, place, sides and type of violence. Each distinct
headline is extracted as an article published on its source date, and every coded event that
cites it is compared with what the headline yielded. The figures are *silver*: a headline
often names a region rather than the coded village, or several events at once, so they
measure how far the extractor gets on real wording at scale, not its accuracy per event
(that is the hand-coded gold's job, :mod:`geo.extract_eval`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from geo.actors import side_of
from geo.articles import Article
from geo.distance import haversine_km
from geo.extract import extract
from geo.extract_eval import PLACE_KM, fold

#: UCDP's three types of violence.
STATE_BASED, NON_STATE, ONE_SIDED = 1, 2, 3
#: Sides that are states (or a state's forces): a fight with one of them is UCDP's state-based violence.
STATE_SIDES = frozenset({"government", "iraq", "turkey", "us", "israel"})
#: "Government of X" → the side of X's forces, as the gold's sides name them.
GOVERNMENT_SIDES = {"Syria": "government", "Russia (Soviet Union)": "government", "Russia": "government",
                    "Iraq": "iraq", "Turkey": "turkey", "United States of America": "us", "Israel": "israel",
                    "Iran": "iran_backed"}  # fmt: skip
#: Names of UCDP non-state sides that are not the Syrian armed opposition.
OTHER_SIDES = {"IS": "islamic_state", "SDF": "sdf", "PYD": "sdf", "YPG": "sdf", "Civilians": "civilians",
               "Hezbollah": "iran_backed", "PKK": "pkk"}  # fmt: skip
#: Feature words UCDP appends to a place name ("Ein Laroz village").
FEATURE_WORDS = r"\s+(?:village|town|city|area|district|region|province|governorate|neighbou?rhood|camp|airbase|airport|hill|mountains?|dam)$"


def ucdp_side(name: object) -> frozenset[str]:
    """The sides of a UCDP actor field (several names joined by commas: one side each)."""
    if not isinstance(name, str) or not name.strip():
        return frozenset()
    sides = set()
    for part in re.split(r",\s*", name.strip()):
        country = re.fullmatch(r"Government of (.+)", part)
        sides.add(GOVERNMENT_SIDES.get(country.group(1), "other state") if country else OTHER_SIDES.get(part, "opposition"))
    return frozenset(sides)


@dataclass(frozen=True)
class SilverScores:
    """Shares over coded events (``events``) and headlines (``headlines``)."""

    headlines: int
    yielded: int
    events: int
    place_named: int
    place_right: int
    with_event: int
    date_exact: int
    sides_right: int
    sides_known: int
    violence_right: int
    violence_known: int

    def to_dict(self) -> dict[str, object]:
        def share(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        return {"headlines": self.headlines, "yielded": self.yielded, "yield": share(self.yielded, self.headlines),
                "events": self.events, "place_named": self.place_named,
                "place_within_10km": share(self.place_right, self.place_named),
                "date_exact": share(self.date_exact, self.with_event),
                "actor1_side_in_dyad": share(self.sides_right, self.sides_known),
                "violence_type": share(self.violence_right, self.violence_known)}  # fmt: skip


def read_coded(path: str | Path, *, years: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The coded events of a UCDP GED file that cite a headline, each with its first headline and date.

    An event whose source is dated before the event began is left out, and counted in
    ``attrs["source_before_event"]``: a report cannot precede what it reports, so its date is a
    placeholder (UCDP's 2017 rows carry 1753-01-01, SQL Server's smallest date) or a slip, and a
    headline "published" then would be scored against a date it cannot know.
    """
    coded = pd.read_csv(path, low_memory=False)
    missing = {"source_headline", "source_date", "date_start", "latitude", "longitude", "side_a", "side_b", "type_of_violence"} - set(coded.columns)
    if missing:
        raise ValueError(f"coded: expected a UCDP GED file with {sorted(missing)} columns")
    if years:
        coded = coded[pd.to_datetime(coded["date_start"]).dt.year.isin(years)]
    coded = coded[coded["source_headline"].notna() & coded["source_date"].notna()].copy()
    # Several sources are joined with ';' in the same order in both columns: keep the first.
    coded["headline"] = coded["source_headline"].astype(str).str.split(";").str[0].str.strip()
    coded["published"] = pd.to_datetime(coded["source_date"].astype(str).str.split(";").str[0].str.strip(), errors="coerce")
    coded["date_start"] = pd.to_datetime(coded["date_start"])
    coded = coded[(coded["headline"].str.len() > 0) & coded["published"].notna()]
    before = coded["published"] < coded["date_start"]
    kept = coded[~before].copy()
    kept.attrs["source_before_event"] = int(before.sum())
    return kept


def headline_article(headline: str, published: date, number: int) -> Article:
    """A headline as a one-paragraph article published on its source date."""
    return Article(article_id=f"h{number}", title=headline, published=published, outlet="", url="", body=headline, path="")


def names_place(headline: str, where: object) -> bool:
    """Whether a headline names UCDP's coded place (its name without the feature word, accents folded)."""
    if not isinstance(where, str) or not where.strip():
        return False
    name = fold(re.sub(FEATURE_WORDS, "", where.strip(), flags=re.IGNORECASE))
    return len(name) >= 3 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", fold(headline)) is not None


def violence_type(event: pd.Series) -> int | None:
    """UCDP's type of violence for an extracted event, from its ACLED type and the sides of its actors."""
    if event["event_type"] == "Violence against civilians":
        return ONE_SIDED
    if event["event_type"] not in ("Battles", "Explosions/Remote violence"):
        return None
    on = pd.Timestamp(event["event_date"]).date()
    sides = {side_of(event.get("actor1"), on=on), side_of(event.get("actor2"), on=on)} - {None}
    if not sides:
        return None
    return STATE_BASED if sides & STATE_SIDES else NON_STATE


def evaluate_coded(coded: pd.DataFrame, *, limit: int | None = None) -> tuple[SilverScores, pd.DataFrame]:
    """Extract every distinct headline once and score each coded event that cites it."""

    groups = list(coded.groupby(["headline", "published"], sort=True))[:limit]
    rows = []
    for number, ((headline, published), events) in enumerate(groups):
        found = extract(headline_article(headline, published.date(), number))[0]
        rows += [_judge(headline, e, found) for _, e in events.iterrows()]
    table = pd.DataFrame(rows)
    yielded = int(table.groupby("headline")["yielded"].first().sum()) if len(table) else 0
    return _scores(table, headlines=len(groups), yielded=yielded), table


def _judge(headline: str, coded: pd.Series, found: pd.DataFrame) -> dict[str, object]:
    """What the extraction of one headline got right for one coded event: the nearest extracted event decides."""
    row = {"headline": headline, "yielded": len(found) > 0, "place_named": names_place(headline, coded.get("where_coordinates")),
           "km": None, "date_exact": None, "side_right": None, "violence_right": None}  # fmt: skip
    if found.empty:
        return row
    km = [haversine_km(coded["latitude"], coded["longitude"], lat, lon) for lat, lon in zip(found["latitude"], found["longitude"], strict=True)]
    best = found.iloc[min(range(len(km)), key=km.__getitem__)]
    dyad = ucdp_side(coded["side_a"]) | ucdp_side(coded["side_b"])
    side = side_of(best.get("actor1"), on=coded["date_start"].date())
    kind = violence_type(best)
    row.update(km=min(km), date_exact=pd.Timestamp(best["event_date"]).date() == coded["date_start"].date(),
               side_right=None if side is None else side in dyad,
               violence_right=None if kind is None else kind == int(coded["type_of_violence"]))  # fmt: skip
    return row


def _scores(table: pd.DataFrame, *, headlines: int, yielded: int) -> SilverScores:
    if table.empty:
        return SilverScores(headlines, yielded, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    named = table[table["place_named"]]
    with_event = table[table["yielded"]]
    sides = with_event["side_right"].dropna()
    kinds = with_event["violence_right"].dropna()
    return SilverScores(
        headlines=headlines, yielded=yielded, events=len(table), place_named=len(named),
        place_right=int((named["km"].fillna(1e9) <= PLACE_KM).sum()), with_event=len(with_event),
        date_exact=int(with_event["date_exact"].astype(bool).sum()), sides_right=int(sides.astype(bool).sum()),
        sides_known=len(sides), violence_right=int(kinds.astype(bool).sum()), violence_known=len(kinds),
    )  # fmt: skip


def format_silver(scores: SilverScores) -> str:
    """The silver figures as an analyst reads them."""
    s = scores.to_dict()
    return "\n".join([
        f"headlines {s['headlines']}  yielded an event {s['yielded']} ({s['yield']:.1%})  coded events {s['events']}",
        f"  place within {PLACE_KM:.0f} km, of {s['place_named']} events whose headline names the coded place: {s['place_within_10km']:.1%}",
        f"  date exact, of {scores.with_event} events whose headline yielded one: {s['date_exact']:.1%}",
        f"  actor1's side among the coded dyad's, of {scores.sides_known} with a known side: {s['actor1_side_in_dyad']:.1%}",
        f"  UCDP type of violence, of {scores.violence_known} with a type: {s['violence_type']:.1%}",
    ])  # fmt: skip
