"""The actor dictionary (``data/actors.csv``): canonical names, aliases, kind and country.

Built from ``shared/reference/actors-and-crossings.md``. ``strength`` is ``weak`` for
aliases that only count when nothing more specific is named in the same sentence
("Iraq", "rebels").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

import pandas as pd

from geo.paths import DATA

ACTORS_CSV = DATA / "actors.csv"
#: Aliases learned from a coded record by :mod:`geo.actor_learning` (read after the hand dictionary).
LEARNED_ACTORS_CSV = DATA / "actors_learned.csv"


@dataclass(frozen=True)
class ActorMention:
    """An actor named in a text: canonical name, the words used, and where."""

    actor: str
    alias: str
    start: int
    end: int
    kind: str
    strong: bool


@cache
def actor_table() -> pd.DataFrame:
    """One row per alias: ``alias, actor, kind, side, country, strong, era, learned`` (from ``actors_learned.csv``)."""
    table = pd.read_csv(ACTORS_CSV, keep_default_na=False)
    rows = []
    for r in table.itertuples():
        for alias in [r.actor, *r.aliases.split("|")]:
            rows.append((alias.strip(), r.actor, r.kind, r.side, r.country, r.strength == "strong", r.era, False))
    rows += _learned_rows(table)
    frame = pd.DataFrame(rows, columns=["alias", "actor", "kind", "side", "country", "strong", "era", "learned"])
    # First spelling wins: the hand dictionary's aliases come before any learned one.
    return frame.drop_duplicates("alias").reset_index(drop=True)


def _learned_rows(table: pd.DataFrame) -> list[tuple[str, str, str, str, str, bool, str, bool]]:
    """Aliases learned from a coded record (:mod:`geo.actor_learning`), with their actor's side and kind.

    A learned alias of several words is strong; one word is weak (it counts only when nothing more
    specific is named).
    """
    if not LEARNED_ACTORS_CSV.exists():
        return []
    learned = pd.read_csv(LEARNED_ACTORS_CSV, keep_default_na=False)
    first = table.drop_duplicates("actor").set_index("actor")
    return [(r.alias.strip(), r.actor, first.at[r.actor, "kind"], first.at[r.actor, "side"], first.at[r.actor, "country"],
             len(r.alias.split()) > 1, first.at[r.actor, "era"], True) for r in learned.itertuples() if r.actor in first.index]  # fmt: skip


@cache
def _pattern() -> re.Pattern[str]:
    aliases = sorted(actor_table()["alias"], key=len, reverse=True)  # longest match first
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in aliases) + r")(?![\w-])", re.IGNORECASE)


@cache
def _by_alias() -> dict[str, tuple[str, str, bool]]:
    return {r.alias.lower(): (r.actor, r.kind, r.strong) for r in actor_table().itertuples()}


def find_actors(text: str) -> list[ActorMention]:
    """Actors named in ``text``, longest alias first, without overlaps, in reading order."""
    out = []
    for m in _pattern().finditer(text):
        actor, kind, strong = _by_alias()[re.sub(r"\s+", " ", m.group(1).lower())]
        # Capitalised aliases ("Iraq", "HTS") must be capitalised in the text too, and an acronym
        # must be in capitals ("IS" is not "Is").
        if m.group(1)[0].islower() and _alias_is_proper(m.group(1)):
            continue
        if _is_acronym(m.group(1)) is False:
            continue
        out.append(ActorMention(actor, m.group(1), m.start(), m.end(), kind, strong))
    return out


def _is_acronym(found: str) -> bool | None:
    """None when no alias written this way is an acronym; else whether ``found`` is written as one."""
    acronyms = _acronyms().get(found.lower())
    return (found in acronyms) if acronyms else None


@cache
def _acronyms() -> dict[str, frozenset[str]]:
    """Acronym aliases ("IS", "CTS") by their lower-case form, built once: a mention is checked in O(1)."""
    out: dict[str, set[str]] = {}
    for alias in actor_table()["alias"]:
        if alias.isupper() and len(alias) <= 5:
            out.setdefault(alias.lower(), set()).add(alias)
    return {k: frozenset(v) for k, v in out.items()}


def _alias_is_proper(found: str) -> bool:
    return found.lower() in _proper_aliases()


@cache
def _proper_aliases() -> frozenset[str]:
    """Lower-case forms of the aliases written with a capital ("Iraq", "HTS"), built once."""
    return frozenset(a.lower() for a in actor_table()["alias"] if a[0].isupper())


@cache
def _actor_rows() -> dict[str, tuple[str, str, str]]:
    """``actor → (side, kind, era)`` from the first row of each actor."""
    table = actor_table().drop_duplicates("actor")
    return {r.actor: (r.side, r.kind, r.era) for r in table.itertuples()}


def _in_era(actor: str, on: date | None) -> tuple[str, str] | None:
    """``(side, kind)`` of an actor on a day: a row's ``era`` (``2024-12-08:government:state``)
    gives the side and kind from that day on (HTS became the state when Damascus fell)."""
    row = _actor_rows().get(actor)
    if row is None:
        return None
    side, kind, era = row
    if era and on is not None:
        since, later_side, later_kind = era.split(":")
        if on >= date.fromisoformat(since):
            return later_side, later_kind
    return side, kind


def side_of(actor: object, *, on: date | None = None) -> str | None:
    """The side (``opposition``, ``government``, ``islamic_state``…) of a canonical actor on a day."""
    if not isinstance(actor, str) or not actor:
        return None
    found = _in_era(actor, on)
    return found[0] if found else None


def kind_of(actor: object, *, on: date | None = None) -> str | None:
    """The kind (``state``, ``rebel``, ``militia``…) of a canonical actor on a day."""
    if not isinstance(actor, str) or not actor:
        return None
    found = _in_era(actor, on)
    return found[1] if found else None


def canonical_actor(name: str, *, learned: bool = True) -> str | None:
    """The canonical actor for a name or alias (``Hayat Tahrir al-Sham`` → ``HTS``); ``learned=False`` asks the hand dictionary only."""
    hit = _by_alias().get(name.strip().lower())
    if hit and not learned and name.strip().lower() not in _hand_aliases():
        return None
    return hit[0] if hit else None


@cache
def _hand_aliases() -> frozenset[str]:
    table = actor_table()
    return frozenset(table.loc[~table["learned"], "alias"].str.lower())


@cache
def _aliases_by_actor() -> dict[str, tuple[str, ...]]:
    table = actor_table()
    return {actor: tuple(group["alias"]) for actor, group in table.groupby("actor", sort=False)}


def aliases_of(actor: str) -> list[str]:
    """Every alias of a canonical actor (for search across aliases); empty for unknown names."""
    return list(_aliases_by_actor().get(actor, ()))


def merge_aliases(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map actor names that are known aliases onto their canonical actor.

    Returns the events and a table of what was merged (``alias, actor, events``).
    """
    out = events.copy()
    merged = []
    for col in ("actor1", "actor2"):
        names = pd.Series(out[col].astype("string").dropna().unique())
        mapping = {n: canonical_actor(n) for n in names}
        mapping = {k: v for k, v in mapping.items() if v and v != k}
        if mapping:
            counts = out[col].astype("string").value_counts()
            merged += [(k, v, int(counts.get(k, 0))) for k, v in mapping.items()]
            out[col] = out[col].astype("string").replace(mapping).astype("category")
    table = pd.DataFrame(merged, columns=["alias", "actor", "events"]).groupby(["alias", "actor"], as_index=False).sum()
    return out, table
