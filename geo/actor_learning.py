"""Actor aliases learned from a coded record: the names its sources use for the sides it coded.

UCDP GED gives each event the headline of its source beside the two sides it coded. A name in
a headline that almost always comes with one coded actor, and far more often than that actor
comes at all, is that actor's alias ("Syria Democratic Forces" → SDF, "Syria's New Army" → the
opposition's New Syrian Army). Candidates are capitalised phrases with a word that names an armed
group (Forces, Army, Brigade, Front, Jaysh, Liwa …) that the dictionary, the gazetteer and the
coded actors' own names do not already know. Each learned alias keeps its evidence (headlines,
share, lift, years) in ``data/actors_learned.csv``; :mod:`geo.actors` reads it after the hand
dictionary, whose aliases always win.

``python -m geo learn-actors --coded FILE --years 2016 --test-years 2017`` learns and measures on
the test years: of the headlines that name a learned alias, the share whose coded sides include
the alias's side.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from geo.actors import LEARNED_ACTORS_CSV, canonical_actor, side_of
from geo.extract_silver import read_coded
from geo.gazetteer import default_gazetteer

COLUMNS = ["alias", "actor", "headlines", "share", "lift", "years", "source"]
#: A capitalised word, or a lowercase Arabic article joined to one ("al-Yarmouk").
NAME_WORD = r"(?:[A-Z][\w'’]*(?:-[A-Z]?[\w'’]+)*|(?:al|el|ad|as|ash|ar|an|az|ez)-[A-Z][\w'’]+)"
PHRASE = re.compile(rf"{NAME_WORD}(?:\s+(?:of\s+(?:the\s+)?)?{NAME_WORD}){{0,3}}")
#: Words that make a phrase an armed group's name rather than a place or an outlet.
GROUP_WORDS = re.compile(r"(?:^|\s)(?:Forces|Army|Brigades?|Front|Corps|Division|Movement|Battalions?|Regiment|Room|Units?|"
                         r"Party|Organi[sz]ation|Group|Militias?|Fighters|Guards?|Jaysh|Jaish|Liwa|Harakat|Jabhat|Faylaq|Kataib)(?:\s|$)")  # fmt: skip
#: Coded actors that are not a side a phrase can name (the victims of one-sided violence).
NOT_TARGETS = frozenset({"Civilians"})


def coded_actors(side: object) -> frozenset[str]:
    """The canonical actors of a UCDP side field (names joined by commas); an unknown name stands for itself."""
    if not isinstance(side, str):
        return frozenset()
    return frozenset(canonical_actor(n) or n for n in (p.strip() for p in side.split(",")) if n)


def headline_actors(coded: pd.DataFrame) -> dict[str, frozenset[str]]:
    """Each distinct headline with every actor coded for the events that cite it."""
    found: dict[str, set[str]] = defaultdict(set)
    for headline, a, b in zip(coded["headline"], coded["side_a"], coded["side_b"], strict=True):
        found[headline] |= coded_actors(a) | coded_actors(b)
    return {h: frozenset(v) for h, v in found.items()}


def phrases(headline: str, *, longest: int = 4) -> frozenset[str]:
    """The capitalised phrases of a headline and their sub-phrases of up to ``longest`` words that name a group."""
    out = set()
    for m in PHRASE.finditer(headline):
        words = m.group(0).split()
        for i in range(len(words)):
            out.update(" ".join(words[i:j]) for j in range(i + 1, min(len(words), i + longest) + 1))
    # A group word alone ("Forces") names nobody; a leading article is not part of the name.
    out = {re.sub(r"^The\s+", "", p) for p in out}
    return frozenset(p for p in out if GROUP_WORDS.search(p) and GROUP_WORDS.sub(" ", p).strip())


def learn_aliases(coded: pd.DataFrame, *, min_headlines: int = 3, min_share: float = 0.8, min_lift: float = 2.0) -> pd.DataFrame:
    """Aliases whose headlines name one coded actor at least ``min_share`` of the time and ``min_lift`` times its base rate.

    A phrase that qualifies for two actors goes to the one it lifts at least 1.5 times more, else
    nowhere: in a two-sided event a name comes with both sides. Phrases the dictionary or the gazetteer already know are skipped.
    """
    actors = headline_actors(coded)
    base = Counter(a for found in actors.values() for a in found)
    seen, joint = Counter(), Counter()
    for headline, found in actors.items():
        for p in phrases(headline):
            seen[p] += 1
            joint.update((p, a) for a in found)
    known = default_gazetteer().knows
    qualified: dict[str, list[tuple[str, int, float, float]]] = defaultdict(list)
    for (p, actor), n in joint.items():
        share, total = n / seen[p], seen[p]
        if total < min_headlines or share < min_share or actor in NOT_TARGETS:
            continue
        qualified[p].append((actor, total, round(share, 3), round(share / (base[actor] / len(actors)), 1)))
    rows = []
    for p, found in sorted(qualified.items()):
        found.sort(key=lambda f: -f[3])
        actor, n, share, lift = found[0]
        # In a two-sided event a name comes with both sides: it names the one it singles out far more.
        clear = len(found) == 1 or lift >= 1.5 * found[1][3]
        if clear and lift >= min_lift and canonical_actor(actor) and not canonical_actor(p, learned=False) and not known(p):
            rows.append((p, canonical_actor(actor), n, share, lift))
    return pd.DataFrame(rows, columns=COLUMNS[:5])


def alias_precision(aliases: pd.DataFrame, coded: pd.DataFrame) -> tuple[int, int]:
    """Of the headlines naming a learned alias, how many have the alias's side among their coded sides (right, all)."""
    right = total = 0
    for headline, found in headline_actors(coded).items():
        sides = {side_of(a) for a in found} - {None}
        for alias, actor in zip(aliases["alias"], aliases["actor"], strict=True):
            if re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", headline):
                total += 1
                right += side_of(actor) in sides
    return right, total


def learn(coded_path: Path, *, years: tuple[int, ...], test_years: tuple[int, ...], out: Path = LEARNED_ACTORS_CSV) -> dict[str, object]:
    """Learn aliases from ``years`` of a UCDP GED file, write them to ``out``, and measure them on ``test_years``."""
    learned = learn_aliases(read_coded(coded_path, years=years))
    learned["years"] = ",".join(str(y) for y in years)
    learned["source"] = f"UCDP GED headlines ({coded_path.name})"
    learned.to_csv(out, index=False, columns=COLUMNS)
    right, total = alias_precision(learned, read_coded(coded_path, years=test_years))
    return {"learned": len(learned), "test_headlines_naming_one": total, "side_right": right,
            "precision": round(right / total, 3) if total else None}  # fmt: skip
