"""From article sentences to events: rule-based, offline, explainable.

Every candidate sentence (one with an event trigger) becomes events or a rejection
with its reason (background, no place, low confidence). Rules are data
(:data:`TRIGGERS`, :data:`REGION_PATTERNS`) so the Articles page can show why.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

import geopandas as gpd
import pandas as pd

from geo import layers, nlp, sentence_model
from geo.actors import ActorMention, canonical_actor, find_actors, kind_of
from geo.articles import Article, parse_article
from geo.gazetteer import Gazetteer, Match, active_gazetteer, default_gazetteer, using
from geo.schema import CRS, coerce, empty_events
from geo.taxonomy import DISORDER_TYPES

MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Trigger:
    """Words that signal an event type; ``strong`` triggers name the event outright."""

    key: str
    pattern: str
    event_type: str
    sub_event_type: str
    strong: bool = True


TRIGGERS: tuple[Trigger, ...] = (
    Trigger("closure", r"\b(?:clos(?:e|ed|es|ing|ure of)|shut(?:ting|s)? down|shuts?|seal(?:ed|ing|s)?)\s+(?:all\s+|its\s+|the\s+|national\s+)*(?:[\w'’-]+\s+){0,2}(?:borders?|crossings?)|\bborders? (?:have been|has been|were|was) (?:entirely |completely |fully )?(?:sealed|closed)", "Strategic developments", "Other"),
    Trigger("deployment", r"\b(?:troop deployments?|deploy(?:ed|ing|s|ment)?\s+(?:more\s+|thousands of\s+)?(?:troops|forces|reinforcements|soldiers)|sen[dt]s?\s+(?:more\s+)?(?:troops|reinforcements))", "Strategic developments", "Change to group/activity"),
    Trigger("air", r"\b(?:bombing raids?|air ?strikes?|air raids?|drone strikes?|warplanes?\s+(?:struck|hit|bombed|launched)|barrel bombs?|raids on|(?:launched|carried out|conducted)\s+(?:\w+\s+){0,2}strikes|strikes (?:on|in|against|hit|struck|targeted|pounded)\b|\d+ strikes)", "Explosions/Remote violence", "Air/drone strike"),
    Trigger("shelling", r"\b(?:shell(?:ed|ing)|artillery fire|rocket fire|missile strikes?)", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    Trigger("protest_force", r"\b(?:opened fire on|fired (?:live ammunition )?(?:at|on)|dispersed?)\s+(?:\w+\s+){0,2}(?:demonstrators|protesters|crowds?)", "Protests", "Excessive force against protesters"),
    Trigger("territory", r"\b(?:seiz(?:e|ed|es|ing|ure of)|(?:took|taken|take|taking|gained|gains?|seized|assumed|regained) (?:full |complete |total )?control|captur(?:e|ed|es|ing)|swept through|overr(?:an|un)|(?:took|taken|taking) over|fell to|fall of|under (?:opposition|rebel|their) control|entered|enter(?:s|ing)? the (?:city|town|capital)|storm(?:ed|s|ing)|liberat(?:e|ed|es|ing)|declared? (?:the city of )?[A-Z][\w'’-]+ (?:\w+ )?free|lost control|now controls?|in control of|control (?:over|of) |clear(?:ed|ing)|withdr(?:ew|awn|awing|aw|aws) (?:\w+ ){0,2}from|retreat(?:ed|ing)? from)", "Battles", "Non-state actor overtakes territory"),
    Trigger("clash", r"\b(?:clash(?:es|ed)?|heavy fighting|fierce fighting|street fighting|firefights?|battles? (?:for|in|over))\b", "Battles", "Armed clash"),
    Trigger("suicide", r"\bsuicide (?:bomb(?:er|ing|ings)?|attack(?:er)?s?|car bomb)\b", "Explosions/Remote violence", "Suicide bomb"),
    Trigger("ied", r"\b(?:roadside bombs?|car bombs?|IEDs?|improvised explosive devices?|landmines?|explosive devices?|booby[- ]trap)", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    Trigger("drone", r"\b(?:drone attacks?|kamikaze drones?|armed drones? (?:struck|hit|targeted))", "Explosions/Remote violence", "Air/drone strike"),
    Trigger("civilians", r"\b(?:executed|massacred?|gunned down|summarily killed|killed (?:\d+|dozens of|several) civilians)\b", "Violence against civilians", "Attack"),
    Trigger("abduction", r"\b(?:abduct(?:ed|s|ing|ion of)|kidnapp?(?:ed|ing|s)|forcibly disappeared)\b", "Violence against civilians", "Abduction/forced disappearance"),
    Trigger("arrests", r"\b(?:arrested|detained|rounded up|apprehended)\s+(?:\w+\s+){0,3}(?:people|men|suspects|members|fighters|officers|soldiers|individuals|cell|leader|commander|officials?)\b|\b(?:arrest|detention)\s+of\b|\b(?:were|was|been)\s+(?:arrested|detained|apprehended)\b", "Strategic developments", "Arrests"),
    Trigger("protest", r"\b(?:protested|took to the streets|demonstrators gathered|rallied|staged (?:a |sit-ins?|protests?|demonstrations?)|protesters gathered)\b", "Protests", "Peaceful protest"),
    Trigger("agreement", r"\b(?:ceasefire|truce|agreement|deal)\s+(?:was |has been )?(?:reached|signed|agreed|brokered)\b", "Strategic developments", "Agreement"),
    Trigger("looting", r"\b(?:looted|looting|torched|set (?:on )?fire to|burned down)\b", "Strategic developments", "Looting/property destruction"),
    Trigger("missile", r"\b(?:(?:missiles?|rockets?|mortars?|shells|artillery)\s+(?:\w+\s+)?(?:hit|struck|landed|targeted|fell|slammed|pounded)|fired\s+(?:\w+\s+){0,2}(?:rockets|missiles|mortars?|shells)|rocket (?:attacks?|barrages?)|bombard(?:ed|ing|ment)|pound(?:ed|ing)|(?:rockets?|missiles?|mortars?|shells)\s+(?:have\s+|had\s+|were\s+|was\s+)?(?:been\s+)?(?:fired|launched))", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    Trigger("air_single", r"\b(?:(?:a|an|the|one|another|second|new)\s+(?:\w+\s+){0,2}strike\s+(?:on|in|against|near|targeting|that)|drones?\s+(?:\w+\s+)?(?:struck|hit|targeted|attacked|bombed)|(?:struck|targeted|hit)\s+by\s+(?:an?\s+)?(?:\w+\s+){0,2}(?:drone|warplane|aircraft|jet|strike)s?|air(?:craft|planes?)\s+(?:struck|hit|bombed|targeted))", "Explosions/Remote violence", "Air/drone strike"),
    Trigger("fighting", r"\b(?:(?:the\s+)?fighting\s+(?:in|around|near|between|erupted|broke out|continued|raged|intensified)|gun ?battles?|ambush(?:ed|es)?|exchanged fire|skirmish(?:es)?)\b", "Battles", "Armed clash"),
    Trigger("attack", r"(?<!heart )(?<!panic )(?<!cyber )(?<!cyber-)\b(?:attack(?:ed|s|ing)?|assault(?:ed|s)?|target(?:ed|ing)|struck)\b"
                      r"(?!\s+(?:helicopters?|drones?|aircraft|(?:an?\s+|the\s+)?(?:\w+\s+)?(?:deal|agreement|accord|pact|bargain|chord|balance|tone|note|deals)\b))", "Battles", "Armed clash"),
    Trigger("downed", r"\b(?:shot down|intercepted|downed)\b", "Strategic developments", "Disrupted weapons use"),
    Trigger("took", r"\b(?:took|taking|takes)\s+(?!\S+\s+(?:\S+\s+)?(?:\w+\s+)?(?:days?|hours?|weeks?|months?|years?)\b)(?:over\s+)?(?:the\s+)?(?:(?:city|town|village|area|district|neighbou?rhood|strategic\s+\w+)\s+of\s+)?(?-i:[A-Z])", "Battles", "Non-state actor overtakes territory"),
    # Weak triggers: worth a look, never enough on their own.
    Trigger("advance", r"\b(?:advances?|advanced (?:on|into|toward)|gains|incursions?|offensive|retaken|retook|intervention|infiltrat\w*|crossed into|pushed into|fell back|pulled back)\b", "Battles", "Non-state actor overtakes territory", strong=False),
    Trigger("explosion", r"\b(?:explosions?|blasts?|exploded|detonated)\b", "Explosions/Remote violence", "Remote explosive/landmine/IED", strong=False),
    Trigger("killing", r"\b(?:shot dead|shot and killed|(?:was|were) killed|killed|killing|murdered)\b", "Violence against civilians", "Attack", strong=False),
)  # fmt: skip

#: Words that say something happened; in a sentence with a place but no trigger they make it a candidate
#: that is listed among the rejected, never dropped silently.
EVENT_WORDS = (r"\b(?:kill\w*|wound\w*|injur\w*|dead|deaths?|casualt\w*|martyr\w*|attack\w*|assault\w*|fight\w*|fought|"
               r"clash\w*|battles?|forces|troops|fighters|militants|soldiers|gunmen|bomb\w*|shell\w*|fire[ds]?|firing|"
               r"strikes?|struck|hit|target\w*|drones?|missiles?|rockets?|mortars?|artillery|explo\w*|blasts?|"
               r"offensive|raid\w*|ambush\w*|captur\w*|seiz\w*|took|taken|control|advanc\w*|withdr\w*|retreat\w*|"
               r"infiltrat\w*|crossed|incursion\w*|arrest\w*|detain\w*|kidnap\w*|abduct\w*|execut\w*|massacre\w*|"
               r"protest\w*|demonstrat\w*|clos(?:ed|ure)|deploy\w*)\b")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
NOT_PLACES = frozenset(w.lower() for w in (*WEEKDAYS, *MONTHS, "Syria", "Iraq", "Turkey", "Iran", "Russia", "Jordan", "Lebanon", "President", "Islamist", "Analysts", "Meanwhile", "This", "The", "By", "While", "As", "Security", "Joint", "Operations", "Command"))
#: Words before a person's name; a name they introduce is a person, and so is its surname anywhere in the article.
PERSON_TITLES = (r"(?:President|Prime Minister|Minister|Foreign Minister|Defence Minister|Defense Minister|Gen\.|General|"
                 r"Lt\.?(?: Gen\.)?|Lieutenant General|Maj\.?(?: Gen\.)?|Major General|Brig\.?(?: Gen\.)?|Col\.|Colonel|"
                 r"Commander|Sheikh|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|leader|spokesman|spokesperson|envoy|chief)")
PERSON_ROLES = r"(?:deputy |the )?(?:commander|spokesman|spokesperson|minister|leader|head|chief|president|envoy|governor)"
GOVERNORATE_WORDS = r"(?:provinces?|governorates?|regions?|countryside)"


@dataclass
class Candidate:
    """An event found in a sentence, before merging."""

    article: Article
    sentence: str
    span: tuple[int, int]
    trigger: Trigger
    event_date: date
    time_precision: int
    place: Match
    location: str
    actor1: str | None
    assoc_actor_1: str | None
    actor2: str | None
    fatalities: int | None
    confidence: float
    extra_sentences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rejection:
    """A candidate sentence that produced no event, and why."""

    article_id: str
    sentence: str
    span: tuple[int, int]
    trigger: str
    reason: str


def split_sentences(body: str) -> list[tuple[int, int, str]]:
    """Sentences with their character spans in ``body``."""
    out, start = [], 0
    for m in re.finditer(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[A-Z\"“‘])|\n\s*\n", body):
        text = body[start : m.start()].strip()
        if text:
            lead = len(body[start : m.start()]) - len(body[start : m.start()].lstrip())
            out.append((start + lead, start + lead + len(text), text))
        start = m.end()
    tail = body[start:].strip()
    if tail:
        lead = len(body[start:]) - len(body[start:].lstrip())
        out.append((start + lead, start + lead + len(tail), tail))
    return out


#: A day named more than this many days before publication is background ("the fall of Assad on December 8"
#: in a March article): news reports what happened in the days before it, as the coding rules count it.
STALE_DAYS = 14


def resolve_date(sentence: str, published: date) -> tuple[date | None, int, str | None]:
    """The date a sentence talks about, its ACLED time precision, and a background year if any.

    Weekdays resolve to the latest such day on or before publication; an explicit
    year before the publication year, or a day more than :data:`STALE_DAYS` before it,
    marks the sentence as background.
    """
    low = sentence.lower()
    # "for the first time since 2016" dates nothing: only a year the sentence is set in is background.
    years = [int(y) for y in re.findall(r"(?<!since )(?<!since early )(?<!since late )\b(19\d{2}|20\d{2})\b", sentence)]
    if any(y < published.year for y in years) and not any(y == published.year for y in years):
        return None, 0, str(min(years))
    explicit = _explicit_date(low, published)
    if explicit is not None and (published - explicit).days > STALE_DAYS:
        return None, 0, explicit.isoformat()  # a dated event weeks back is background, not this article's news
    if explicit is not None:
        return explicit, 1, None
    for i, day in enumerate(WEEKDAYS):
        if re.search(rf"\b{day}\b", low):
            return published - timedelta(days=(published.weekday() - i) % 7), 1, None
    if "yesterday" in low or re.search(r"\blast night\b", low):
        return published - timedelta(days=1), 1, None
    if re.search(r"\b(?:within|in|over)\s+(?:the\s+)?(?:past\s+|last\s+)?(?:24|48|twenty-four|forty-eight)\s+hours\b", low):
        # A span ending at publication: the day before it, to within the span (ACLED precision 2).
        return published - timedelta(days=1), 2, None
    if re.search(r"\blast week\b", low):
        return published - timedelta(days=7), 2, None
    if re.search(r"\btoday\b|\bthis morning\b", low):
        return published, 1, None
    return published, 2, None  # reported as under way by publication: within the week


def _explicit_date(low: str, published: date) -> date | None:
    # Full names, then the abbreviations newswires use ("Nov. 27", "Dec 1").
    month_re = "|".join([*MONTHS, *(m[:3] + r"\.?" for m in MONTHS), r"sept\.?"])
    m = re.search(rf"\b(\d{{1,2}})\s+({month_re})(?![a-z])(?:\s+(\d{{4}}))?", low) or re.search(
        rf"\b({month_re})\s+(\d{{1,2}})\b(?:,?\s+(\d{{4}}))?", low
    )
    if not m:
        return None
    a, b, year = m.groups()
    day, month = (int(a), b) if a.isdigit() else (int(b), a)
    month = next(full for full in MONTHS if full.startswith(month.rstrip(".")[:3]))
    year = int(year) if year else published.year
    try:
        found = date(year, MONTHS.index(month) + 1, day)
    except ValueError:
        return None
    if not m.group(3) and found > published:
        found = date(year - 1, found.month, found.day)
    return found


def people(body: str) -> frozenset[str]:
    """Lower-case names of the people an article introduces (after a title, or before ", the commander"),
    with their surnames (``al-Assad`` and ``Assad`` of ``President Bashar al-Assad``)."""
    name = r"((?:[A-Z][\w'’]*(?:-[A-Z]?[\w'’]+)*)(?:\s+(?:al-|el-|bin |ibn )?[A-Z][\w'’-]+){0,3})"
    found = [m.group(1) for m in re.finditer(rf"\b{PERSON_TITLES}\s+{name}", body)]
    found += [m.group(1) for m in re.finditer(rf"{name},\s+{PERSON_ROLES}\b", body)]
    # "Bashar al-Assad's regime": a regime, a rule or a departure belongs to a person, never to a town.
    found += [m.group(1) for m in re.finditer(rf"{name}['’]s\s+(?:regime|rule|departure|ouster|downfall|fall from power)\b", body)]
    out = set()
    for full in found:
        full = re.sub(r"['’]s$", "", full.strip())
        last = full.split()[-1]
        out |= {full.lower(), last.lower(), re.sub(r"^(?:al|el)-", "", last.lower())}
    return frozenset(out)


def find_places(
    sentence: str, *, previous_city: Match | None, persons: frozenset[str] = frozenset(),
    governorates: frozenset[str] = frozenset(), doc=None, offset: int = 0, countries: tuple[str, ...] = ("SY", "IQ"),
    neighbour: str = "IQ",
) -> list[tuple[Match, str]]:  # fmt: skip
    """Places a sentence names, as ``(match, phrase)``: regions first, then sites and towns.

    ``persons`` are the article's people (:func:`people`): a name of theirs is never a place.
    ``governorates`` are those the article's other places lie in: they place an ambiguous name.
    ``doc`` is the parsed article (:func:`geo.nlp.parse`) and ``offset`` where the sentence starts
    in it: a word inside a longer person or organisation name is not a place. ``countries`` is the
    order in which Syria and Iraq are searched (:func:`article_countries`). ``neighbour`` is the country
    whose border with Syria the article is about (:func:`article_neighbour`): "the border" in a sentence
    naming Syria is the Iraq–Syria border only when it is Iraq's.
    """
    gaz = active_gazetteer()
    found: list[tuple[Match, str]] = []
    taken: list[tuple[int, int]] = []

    def add(match: Match | None, phrase: str, span: tuple[int, int]) -> None:
        if match is not None and not any(s < span[1] and span[0] < e for s, e in taken):
            found.append((match, phrase))
            taken.append(span)

    def add_pair(m: re.Match[str]) -> None:
        pair = [_governorate(m.group(1)), _governorate(m.group(2))]
        if all(pair) and not any(s < m.end() and m.start() < e for s, e in taken):
            found.extend((g, f"{g.admin1} province") for g in pair)
            taken.append(m.span())

    for m in re.finditer(rf"\b([A-Z][\w'-]+)\s+and\s+([A-Z][\w'-]+)\s+{GOVERNORATE_WORDS}\b", sentence):
        add_pair(m)
    for m in re.finditer(r"\bparts of ([A-Z][\w'-]+) and ([A-Z][\w'-]+)\b", sentence):
        add_pair(m)
    for m in re.finditer(r"\b(?:province|governorate) of ([A-Z][\w'-]+(?:\s+(?:(?:al|el|ez|ad|as)-)?[A-Z][\w'-]+)?)", sentence):
        add(_governorate(m.group(1)), f"{m.group(1)} province", m.span())
    for m in re.finditer(rf"\b([A-Z][\w'-]+)(?:'s)?\s+{GOVERNORATE_WORDS}\b", sentence):
        add(_governorate(m.group(1)), f"{m.group(1)} province", m.span())
    names_iraq = re.search(r"\bIraq", sentence) or (neighbour == "IQ" and re.search(r"\bSyria", sentence))
    if re.search(r"\bborders?\b|\bcrossings?\b", sentence, re.IGNORECASE) and names_iraq:
        m = re.search(r"\b(?:its |the )?(?:borders?(?: with (?:Syria|Iraq))?|crossings)", sentence)
        add(border_zone_match(), "Iraq–Syria border zone", m.span() if m else (0, 0))
    for m in re.finditer(CAPITAL_WORDS, sentence):
        capital = CAPITALS[(m.group(1) or m.group(2)).lower()]
        if capital not in sentence[m.end() : m.end() + 30]:  # "Syria's capital Damascus": the name itself is found below
            add(_exact(gaz, capital), capital, m.span())
    for m in re.finditer(FACILITY, sentence):
        add(_facility(gaz, m.group("name"), m.group("kind")), m.group(0), m.span())
    for m in re.finditer(r"\b([A-Z][\w-]+)'s\s+(airport|airbase|air base|citadel|university)\b", sentence):
        add(_exact(gaz, f"{m.group(1)} {m.group(2)}"), f"{m.group(1)} {m.group(2)}", m.span())
    for m in re.finditer(r"\b(north|south|east|west)(?:ern)? of the city\b", sentence, re.IGNORECASE):
        if previous_city is not None:
            near = replace(previous_city, geo_precision=2)
            add(near, f"{m.group(1).lower()} of {previous_city.name}", m.span())
    facilities = [m.span() for m in re.finditer(FACILITY_RUN, sentence)]
    for span, phrase in _capitalised_ngrams(sentence):
        if any(a <= span[0] and span[1] < b for a, b in facilities):
            continue  # "Qara" of "Qara Qozak Bridge": a facility the gazetteer lacks, not the town Qara
        if phrase.lower() in persons or re.sub(r"^(?:al|el)-", "", phrase.lower()) in persons:
            continue
        if doc is not None and nlp.inside_name(doc, offset + span[0], offset + span[1]):
            continue  # "al-Sham" of "Hayat Tahrir al-Sham"
        tail = FEATURE_TAIL.match(sentence, span[1])
        feature = _exact(gaz, f"{phrase} {tail.group(1)}", countries) if tail else None
        if feature is not None:  # "the Sinjar mountains" is the range, not the town of Sinjar
            add(feature, f"{phrase} {tail.group(1)}", (span[0], tail.end()))
            continue
        match = _exact(gaz, phrase, countries) or in_context(phrase, governorates)
        if match is None and not gaz.knows(phrase) and re.search(LOCATIVE, sentence[: span[0]]):
            match = fuzzy_in_context(phrase, governorates)  # a spelling the gazetteer lacks, after "in", "near" …
        if match is None and gaz.knows(phrase) and not any(a < span[1] and span[0] < b for a, b in taken):
            taken.append(span)  # a known but ambiguous name: never fall back on a fragment of it ("Dali" of "Abu Dali")
        add(match, phrase, span)
    if previous_city is not None and not found:
        for m in re.finditer(r"\bthe (?:city|town|village)\b(?!\s+(?:of|and)\b)", sentence, re.IGNORECASE):
            add(previous_city, f"{m.group(0)} ({previous_city.name})", m.span())  # refers back to the last named
    for name, span in _unlisted(sentence):
        if name.isupper() or canonical_actor(name) or find_actors(name) or _common_word(name):
            continue  # an acronym, an actor ("the district center of PKK") or a plain word ("Another village")
        if not gaz.knows(name) and name.lower() not in persons and name.lower() not in NOT_PLACES and not any(a < span[1] and span[0] < b for a, b in taken):
            anchor = next((p for p, _ in found if p.kind != "region"), previous_city)
            if anchor is not None:  # a village the gazetteer lacks, placed at what the text locates it by
                add(replace(anchor, query=name, method="anchored", geo_precision=max(2, anchor.geo_precision),
                            source=f"not in the gazetteer; placed at {anchor.name}, which the text names with it"), name, span)  # fmt: skip
    return found


#: A lower-case feature word after a capitalised name ("the Sinjar mountains", "the Hamrin hills"): the
#: two together may name a natural feature (a curated ``region``) where the name alone is a town.
FEATURE_TAIL = re.compile(r"\s+(mountains?|hills?|heights|range|valley|plains?|desert)\b")

#: A capitalised name ending in a facility or feature word: its first words are not a place of their own.
FACILITY_RUN = (r"\b[A-Z][\w'’-]+(?:\s+(?:al-|el-)?[A-Z][\w'’-]+)*\s+(?:Bridge|Dam|Forest|Base|Air Base|Airbase|Airport|Field|"
                r"Oil Field|Gas Field|Station|Camp|Hospital|School|Mosque|Church|Road|Highway|Mountains?|Hills?|Valley|"
                r"Lake|River|Square|Street|University|Prison|Crossing)\b")

#: Places by the text's own words, even when the gazetteer lacks them: "the village of X", "villages
#: south of K, including X and Y", "areas such as X, Y and Z", "X village", "Mount X".
NAME = r"[\"“]?(?:(?:al|el|ad|as|ash|ez|an|ar)-)?[A-Z][\w'’]+(?:[- ](?:(?:al|el|ad|as|ash|ez|an|ar)-)?[A-Z][\w'’]+){0,2}[\"”]?"
UNLISTED = (
    rf"(?i:\bof|such as|including|like|named)\s+(?P<list>{NAME}(?:\s*,\s*(?:and\s+)?{NAME})*(?:,?\s+and\s+{NAME})?)",
    rf"(?P<list>{NAME})\s+(?i:village|area|camp|hills?)\b",
    r"(?P<list>(?:Mount|Mt\.|Jabal|Jebel)\s+[A-Z][\w'’-]+)",
)
#: A list introduced by "of", "including"… names places only after a word of this kind ("villages south of K, including …").
PLACE_KIND = r"\b(?i:villages?|towns?|city|cities|areas?|neighbou?rhoods?|districts?|hamlets?|localities|sites)\b"


#: Words that are capitalised at a sentence start or as adjectives, never a village's name.
COMMON_WORDS = frozenset({"another", "local", "nearby", "residential", "industrial", "military", "rural", "urban", "border",
                          "same", "entire", "whole", "surrounding", "other", "each", "every", "one", "a", "an", "the",
                          "this", "that", "these", "those", "his", "her", "their", "its", "our", "several", "many",
                          "some", "frontline", "front", "camp", "desert", "mountain", "coastal", "central"})  # fmt: skip


def _common_word(name: str) -> bool:
    """A one-word "name" that is an ordinary word or a nationality adjective ("Kurdish area", "Another village")."""
    word = name.lower()
    return " " not in word and (word in COMMON_WORDS or word in NOT_PLACES or re.search(r"(?:ish|ian|ese|ern)$", word) is not None)


def _unlisted(sentence: str) -> list[tuple[str, tuple[int, int]]]:
    """Names the text calls places (:data:`UNLISTED`), with their spans, quotes stripped."""
    out = []
    for i, pattern in enumerate(UNLISTED):
        for m in re.finditer(pattern, sentence):
            if i == 0 and not re.search(PLACE_KIND + r"[^.;:]{0,40}$", sentence[: m.start()]):
                continue
            for name in re.finditer(NAME, m.group("list")):
                start = m.start("list") + name.start()
                out.append((name.group(0).strip("\"“”"), (start, start + len(name.group(0)))))
    return out


#: A name followed by a facility word ("Nayrab military airport", "Kuweires airbase", "Nasib crossing").
FACILITY = (r"\b(?P<name>[A-Z][\w'’-]+(?:\s+(?:al-|el-)?[A-Z][\w'’-]+){0,2})(?:['’]s)?\s+"
            r"(?P<kind>(?i:(?:(?:military|international|central|border)\s+)?(?:airport|air ?base|prison|crossing|dam)))\b")  # fmt: skip

#: The ways one kind of facility is written: any of them names the same entry.
FACILITY_VARIANTS = {
    "airport": ("airport", "military airport", "international airport", "airbase", "military airbase", "air base", "military air base"),
    "prison": ("prison", "military prison", "central prison"),
    "crossing": ("crossing", "border crossing", "crossing point"),
    "dam": ("dam",),
}


def _facility(gaz, name: str, kind: str) -> Match | None:
    """The gazetteer's entry for a named facility under any spelling of its kind, or None.

    A facility word picks the facility entry, never the town of the same name: "Nayrab military
    airport" is Aleppo's airport, not the village of Nayrab in Idlib. With no such entry the name
    alone is left to the ordinary lookup.
    """
    low = kind.lower().replace("air base", "airbase")
    group = next((g for g, words in FACILITY_VARIANTS.items() if low.split()[-1] in {w.split()[-1] for w in words}), None)
    if group is None:
        return None
    for word in FACILITY_VARIANTS[group]:
        match = _exact(gaz, f"{name} {word}")
        if match is not None:
            return match
    return None


def _capitalised_ngrams(sentence: str, longest: int = 4) -> list[tuple[tuple[int, int], str]]:
    """Runs of capitalised words (allowing al-/el- articles), longest first."""
    words = list(re.finditer(r"(?:(?<![\w-])(?:al|el|ad|ash|as|an|ar|at|az|ez)-)?[A-Z][\w'’-]*(?:\s+(?:al|el|ad|ash|as|an|ar|at|az|ez|es|et|ed|en|er|ul|adh|ath|dh)-[A-Z][\w'’-]*)?", sentence))
    out = []
    for i in range(len(words)):
        for j in range(min(len(words), i + longest), i, -1):
            chunk = words[i:j]
            if any(sentence[a.end() : b.start()].strip() for a, b in itertools.pairwise(chunk)):
                continue  # not contiguous
            phrase = re.sub(r"['’]s?$", "", sentence[chunk[0].start() : chunk[-1].end()])  # "Aleppo's" → "Aleppo"
            if phrase.lower() in NOT_PLACES or (phrase.isupper() and len(phrase) > 1):
                continue  # an all-capitals word is an acronym (SANA, INA) or a dateline, not where it happened
            out.append(((chunk[0].start(), chunk[-1].end()), phrase))
    return out


#: A capital named by its country ("in the Iraqi capital", "Syria's capital") is that city.
CAPITALS: dict[str, str] = {"iraqi": "Baghdad", "iraq": "Baghdad", "syrian": "Damascus", "syria": "Damascus"}
CAPITAL_WORDS = r"\b(?:the\s+)?(Iraqi|Syrian)\s+capital\b|\b(Iraq|Syria)['’]s\s+capital\b"


def _exact(gaz, phrase: str, countries: tuple[str, ...] = ("SY", "IQ")) -> Match | None:
    """A place only on an exact normalised match in Syria or Iraq (free text is noisy), looked up in
    ``countries`` order: a name both have (Sinjar) is the one in the country the article is about."""
    return _exact_in_default(phrase, countries) if gaz is default_gazetteer() else _exact_match(gaz, phrase, countries)


@lru_cache(maxsize=8192)
def _exact_in_default(phrase: str, countries: tuple[str, ...]) -> Match | None:
    """Once per phrase: an article names its places again and again."""
    return _exact_match(default_gazetteer(), phrase, countries)


#: Syria's neighbours as articles name them (ISO code → pattern).
NEIGHBOURS: dict[str, str] = {
    "IQ": r"\bIraq(?:i|is)?\b", "LB": r"\bLeban(?:on|ese)\b", "TR": r"\bTurk(?:ey|ish)\b|\bT[uü]rkiye\b",
    "JO": r"\bJordan(?:ian)?\b", "IL": r"\bIsrael(?:i|is)?\b",
}  # fmt: skip


def article_neighbour(body: str) -> str:
    """The neighbour of Syria the article names most (``IQ`` on a tie or when it names none)."""
    counts = {cc: len(re.findall(pattern, body)) for cc, pattern in NEIGHBOURS.items()}
    best = max(counts.values())
    return "IQ" if counts["IQ"] == best else max(counts, key=counts.get)


def article_countries(body: str) -> tuple[str, ...]:
    """Syria and Iraq in the order the article is about them (how often it names each)."""
    iraq = len(re.findall(NEIGHBOURS["IQ"], body))
    syria = len(re.findall(r"\bSyria(?:n|ns)?\b", body))
    return ("IQ", "SY") if iraq > syria else ("SY", "IQ")


#: Words that name a kind of place, never a place: "the Dam" is not the code DAM of Damascus.
GENERIC_PLACE_WORDS = frozenset({"dam", "city", "town", "village", "camp", "base", "airport", "prison", "border", "crossing",
                                 "province", "road", "highway", "river", "mountain", "mountains", "desert", "hospital",
                                 "school", "mosque", "church", "market", "bridge", "valley", "plain", "north", "south",
                                 "east", "west", "centre", "center", "square", "port", "island", "lake", "hill"})  # fmt: skip


def _exact_match(gaz, phrase: str, countries: tuple[str, ...] = ("SY", "IQ")) -> Match | None:
    if phrase.lower() in GENERIC_PLACE_WORDS or not gaz.knows(phrase):
        return None
    for cc in countries:
        result = gaz.lookup(phrase, country=cc)
        if isinstance(result, Match) and result.method == "exact" and result.kind != "governorate":
            # A code written in capitals (an airport's "DAM") names a place only when the text writes it so.
            if result.name.isupper() and not phrase.isupper():
                continue
            return result
    return None


def in_context(phrase: str, governorates: frozenset[str]) -> Match | None:
    """An ambiguous name placed by the article's own governorates: the one namesake in them, if exactly one.

    ("Jalama" has namesakes in several governorates; an article about Hama and Aleppo means the one
    there.) Two or none in the article's governorates stay ambiguous: never a guess.
    """
    gaz = active_gazetteer()
    if not governorates or not gaz.knows(phrase):
        return None
    found = {}
    for gov in sorted(governorates):
        result = gaz.lookup(phrase, country="SY", admin1=gov)
        if isinstance(result, Match) and result.method == "exact" and result.kind != "governorate":
            found[(round(result.lat, 2), round(result.lon, 2))] = result
    return next(iter(found.values())) if len(found) == 1 else None


#: What comes just before a place name: only there is a name the gazetteer lacks read as a spelling of one.
LOCATIVE = r"\b(?:in|on|near|at|outside|into|from|around|of|toward|towards|(?:town|village|city|area|district|neighbou?rhood)\s+of)\s+(?:the\s+)?$"
#: The least fuzzy score a spelling variant needs (the gazetteer's ratio, 0–100).
FUZZY_SCORE = 90


def fuzzy_in_context(phrase: str, governorates: frozenset[str]) -> Match | None:
    """A spelling variant the gazetteer lacks, matched approximately among the article's own governorates.

    ("Sarakeb" in an article about Idlib is Saraqib.) Only a skeleton or close fuzzy match of a place
    (not a governorate) lying in one of those governorates, and only when exactly one place qualifies.
    """
    gaz = active_gazetteer()
    return _fuzzy_in_default(phrase, governorates) if gaz is default_gazetteer() else _fuzzy_in(gaz, phrase, governorates)


@lru_cache(maxsize=4096)  # an article names its places again and again; an approximate look-up is costly
def _fuzzy_in_default(phrase: str, governorates: frozenset[str]) -> Match | None:
    return _fuzzy_in(default_gazetteer(), phrase, governorates)


def _fuzzy_in(gaz, phrase: str, governorates: frozenset[str]) -> Match | None:
    if len(phrase) < 5 or not governorates:
        return None
    found = {}
    for gov in sorted(governorates):
        result = gaz.lookup(phrase, country="SY", admin1=gov)
        if (isinstance(result, Match) and result.method != "exact" and result.score >= FUZZY_SCORE
                and result.kind != "governorate" and result.admin1 == gov):  # fmt: skip
            found[(round(result.lat, 2), round(result.lon, 2))] = result
    return next(iter(found.values())) if len(found) == 1 else None


@lru_cache(maxsize=1024)
def _governorate(name: str) -> Match | None:
    """The governorate ``name`` names, placed at its capital at precision 3, or None.

    A province-level event sits at the provincial capital, as ACLED codes it (and as the gold's
    coding rules say), not at the polygon's centre: Hama governorate's centre is 49 km from Hama.
    """
    name = re.sub(r"['’]s$", "", name)  # "Idlib's countryside"
    gaz = default_gazetteer()
    result = gaz.lookup(f"{name} governorate")
    if not isinstance(result, Match) or result.kind != "governorate":
        return None
    capital = layers.governorate_capitals().get((result.country or "", result.admin1 or ""))
    seat = gaz.lookup(capital, country=result.country) if capital else None
    if not isinstance(seat, Match):
        return result  # a governorate without a listed capital (Rif Dimashq) keeps its polygon's point
    return replace(result, lat=seat.lat, lon=seat.lon, source=f"capital {seat.name} ({seat.source}) of the governorate")


def border_zone_match() -> Match:
    """The Iraq–Syria border zone as a region-scale place (midpoint of the border line)."""

    mid = layers.border().geometry.iloc[0].interpolate(0.5, normalized=True)
    return Match("border", "Iraq–Syria border zone", round(mid.y, 5), round(mid.x, 5), None, None,
                 "region", 100.0, "midpoint of the Iraq–Syria border line (data/reference/border.geojson)", "rule", 3)  # fmt: skip


def assign_actors(mentions: list[ActorMention], trigger_at: int, coalition: list[str], *, mutual: bool = False,
                  text: str = "") -> tuple[str | None, str | None, str | None]:  # fmt: skip
    """``(actor1, assoc_actor_1, actor2)``: who acts (before the trigger) and on whom (after).

    ``mutual`` triggers ("clashes between A and B") name both sides after the word: the first is actor1.
    In ``text`` (where the mentions were found), an actor after the trigger introduced by "by" is its agent.
    """
    usable = sorted(mentions, key=lambda m: m.start)
    before = [m for m in usable if m.start < trigger_at and m.kind != "civilians"]
    after = [m for m in usable if m.start >= trigger_at]
    names_before = _expand([m.actor for m in before], coalition)
    names_after = _expand([m.actor for m in after], coalition)
    # An actor named only after the trigger is its target ("targeted an SDF facility"); the agent of a
    # passive ("was captured by HTS") is found by the parse instead.
    agents = [m.actor for m in after if re.search(r"\bby\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+){0,2}$", text[max(0, m.start - 30) : m.start])
              and not re.search(r"[,;:]", text[trigger_at : m.start])]  # fmt: skip  # the trigger's own clause
    if agents and not mutual:  # "fired at a US base by pro-Iranian militias", "hit by a Turkish drone"
        return agents[0], None, next((a for a in names_before + names_after if a != agents[0]), None)
    actor1 = names_before[0] if names_before else (names_after.pop(0) if names_after and mutual and not before else None)
    assoc = [a for a in names_before[1:] if a != actor1]
    actor2 = next((a for a in names_after if a != actor1 and a not in assoc), None)
    return actor1, ";".join(dict.fromkeys(assoc)) or None, actor2


def _expand(actors: list[str], coalition: list[str]) -> list[str]:
    out = []
    for a in actors:
        out += coalition if a == "Syrian opposition" and coalition else [a]
    return list(dict.fromkeys(out))


def _coalition(sentence: str) -> list[str]:
    """'opposition forces, led by HTS and allied factions backed by Turkey' → [HTS, SNA]."""
    m = re.search(r"(?:opposition|rebel)[^.]*?\bled by\b(.*)", sentence, re.IGNORECASE)
    if not m:
        return []
    return list(dict.fromkeys(a.actor for a in find_actors(m.group(1)) if a.strong and a.kind == "rebel"))


def _fatalities(sentence: str) -> int | None:
    m = re.search(r"\b(\d{1,5})\s+(?:\w+\s+){0,2}(?:were\s+|have been\s+)?killed\b", sentence)
    return int(m.group(1)) if m else None


def extract(article: Article) -> tuple[gpd.GeoDataFrame, list[Rejection]]:
    """Events and rejections from one article (events merged within the article).

    Names are looked up in :func:`geo.gazetteer.active_gazetteer`: the shipped gazetteer, or a
    store's with its shared layer inside :func:`geo.gazetteer.using` (governorates and their
    capitals always come from the shipped one: a shared entry is a place, never a governorate).
    """
    candidates: list[Candidate] = []
    rejections: list[Rejection] = []
    coalition: list[str] = []
    last_city: Match | None = None
    doc = nlp.parse(article.body)
    persons = people(article.body) | nlp.surnames(doc, known=active_gazetteer().knows)
    governorates = _governorates_named(article.body, persons, doc)
    countries = article_countries(article.body)
    neighbour = article_neighbour(article.body)
    # What a paragraph's earlier sentences established, shared by its later ones:
    # the day it named ("On Saturday … The rebels then …") and who acted ("… They later added …").
    carried = Carried()
    previous_end = 0
    for start, end, sentence in split_sentences(article.body):
        if "\n\n" in article.body[previous_end:start].replace("\r", "") or "\n \n" in article.body[previous_end:start]:
            carried = Carried(earlier_day=carried.day, article_actor=carried.article_actor)
        previous_end = end
        coalition = _coalition(sentence) or coalition
        places = find_places(sentence, previous_city=last_city, persons=persons, governorates=governorates, doc=doc,
                             offset=start, countries=countries, neighbour=neighbour)  # fmt: skip
        cities = [p for p, _ in places if p.kind in ("place", "site") and p.geo_precision == 1]
        stated, precision, _ = resolve_date(sentence, article.published)
        triggers = _triggers(sentence)
        not_event = next((why for pattern, why in NOT_EVENTS if re.search(pattern, sentence, re.IGNORECASE)
                          and not (why in DATED_EXCEPTIONS and precision == 1)), None)  # fmt: skip
        if triggers and not_event:
            rejections.append(Rejection(article.article_id, sentence, (start, end), ",".join(t.key for t, _ in triggers), not_event))
            triggers = []
        elif places:
            triggers, why = learned_reading(sentence, triggers)
            if why:  # something happened at a place, by the words, yet no event: say so rather than drop it silently
                rejections.append(Rejection(article.article_id, sentence, (start, end), ",".join(t.key for t, _ in triggers) or "learned", why))
                triggers = []
        if triggers:
            made, why = _candidates(article, sentence, (start, end), triggers, places, coalition, carried=carried, doc=doc)
            candidates += made
            carried.actor = next((c.actor1 for c in made if c.actor1), carried.actor)
            carried.article_actor = carried.actor or carried.article_actor
            if why:
                keys = ",".join(t.key for t, _ in triggers)
                rejections.append(Rejection(article.article_id, sentence, (start, end), keys, why))
        last_city = cities[-1] if cities else last_city
        carried.day = stated if precision == 1 else carried.day
    return _to_events(_merge(candidates)), rejections


#: The classifier's probability of a specific event below which a sentence with a trigger word is not one
#: (its wording is a plan, a habit, a total or background the rules did not catch).
NOT_EVENT_BELOW = 0.02
#: Its probability at or above which a sentence with event words but no trigger word is a candidate,
#: typed by the learned sub-type (wording the trigger list does not know).
EVENT_AT = 0.97


def learned_reading(sentence: str, triggers: list[tuple[Trigger, int]]) -> tuple[list[tuple[Trigger, int]], str | None]:
    """The triggers a sentence with a place keeps once the learned classifier has read it, or why it has none.

    The rules' triggers stand unless the classifier is nearly sure the sentence reports no specific
    event; a sentence no trigger recognises becomes a candidate when the classifier is nearly sure it
    does, typed by the learned sub-type and anchored at its first event word.
    """
    words = re.search(EVENT_WORDS, sentence, re.IGNORECASE)
    if not triggers and not words:
        return [], None
    if not sentence_model.available():
        return triggers, None if triggers else "no trigger (event words without an event type)"
    reading = sentence_model.read(sentence)
    if triggers and reading.event < NOT_EVENT_BELOW:
        return triggers, f"the sentence classifier reads no specific event (p={reading.event:.2f})"
    if triggers:
        return triggers, None
    if reading.event < EVENT_AT or not words:
        return [], f"no trigger, and the sentence classifier is not sure of an event (p={reading.event:.2f})"
    learned = Trigger("learned", "", reading.event_type, reading.sub_event_type, strong=True)
    return [(learned, words.start())], None


def _governorates_named(body: str, persons: frozenset[str], doc) -> frozenset[str]:
    """Governorates of the places an article names without doubt: the context for its ambiguous ones."""
    found = set()
    for start, _, sentence in split_sentences(body):
        for place, _ in find_places(sentence, previous_city=None, persons=persons, doc=doc, offset=start):
            if place.admin1 and place.country == "SY":
                found.add(place.admin1)
    return frozenset(found)


#: A present perfect or progressive: reported as holding by publication, not as a day's narrative.
PERFECT = r"\b(?:has|have|had)\s+(?:also\s+|now\s+|been\s+)*\w+(?:ed|en|t)\b|\b(?:is|are)\s+\w+ing\b"

#: Triggers whose word says only that something violent happened: used when nothing more specific does.
GENERIC = frozenset({"attack"})
TERRITORY = frozenset({"territory", "took"})
FIGHT = frozenset({"clash", "fighting", "attack"})


def _triggers(sentence: str) -> list[tuple[Trigger, int]]:
    found = [(t, m.start()) for t in TRIGGERS for m in [re.search(t.pattern, sentence, re.IGNORECASE)] if m]
    strong = [f for f in found if f[0].strong]
    specific = [f for f in strong if f[0].key not in GENERIC]
    if any(f[0].key in TERRITORY for f in specific):
        # Ground changing hands is the battle: the fighting that took it is not a second event.
        specific = [f for f in specific if f[0].key not in FIGHT]
    weak = [f for f in found if f[0].key != "killing"] or found  # a death is the outcome of the other weak word
    return specific or strong or weak


#: What a sentence says about how it was done, and to whom: it types an event whose trigger word does not.
HOW: tuple[tuple[str, str, str], ...] = (
    (r"\bsuicide\b", "Explosions/Remote violence", "Suicide bomb"),
    (r"\b(?:drones?|air ?strikes?|warplanes?|jets?|aircraft|helicopters?|air raids?)\b", "Explosions/Remote violence", "Air/drone strike"),
    (r"\b(?:missiles?|rockets?|mortars?|shells?|shelling|artillery)\b", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    (r"\b(?:IEDs?|explosive devices?|landmines?|mines?|car bombs?|roadside bombs?|bomb)\b", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
)
#: Words of fighting on the ground: an attack with them is not a strike from the air.
GROUND = r"\b(?:incursions?|troops|soldiers|tanks?|armou?red|patrols?|ground|raid(?:ed)?|clash\w*|gunfire|machine guns?)\b"
ARMED_VICTIMS = r"\b(?:soldiers?|troops|forces|fighters|militants|members|personnel|checkpoints?|bases?|positions?|patrols?|convoys?|officers?|guards?|police(?:men)?)\b"
CIVILIAN_VICTIMS = r"\b(?:civilians?|residents|villagers|worshippers|church|mosque|famil(?:y|ies)|women|children|shepherds?|farmers?|truffle hunters|passengers|people|men)\b"


def _typed(trigger: Trigger, sentence: str, *, actor1: str | None = None, on: date | None = None) -> Trigger:
    """A generic trigger ("attack", "killed", "explosion") typed by how and against whom (ACLED's rules).

    With no word for how, a foreign state's forces (``external``: Israel, Turkey, the US, Russia)
    attacking in Syria or Iraq strike from the air, as they almost always do there.
    """
    if trigger.key not in ("attack", "killing", "explosion", "learned"):
        return trigger
    for pattern, event_type, sub in HOW:
        if re.search(pattern, sentence, re.IGNORECASE):
            return replace(trigger, event_type=event_type, sub_event_type=sub)
    if trigger.key == "learned":  # the classifier's sub-type stands unless the sentence says how
        return trigger
    if trigger.key == "attack" and kind_of(actor1, on=on) == "external" and not re.search(GROUND, sentence, re.IGNORECASE):
        return replace(trigger, event_type="Explosions/Remote violence", sub_event_type="Air/drone strike")
    if trigger.key == "explosion":
        return trigger
    armed = re.search(ARMED_VICTIMS, sentence, re.IGNORECASE)
    if re.search(CIVILIAN_VICTIMS, sentence, re.IGNORECASE) and not armed:
        return replace(trigger, event_type="Violence against civilians", sub_event_type="Attack")
    return replace(trigger, event_type="Battles", sub_event_type="Armed clash")


@dataclass
class Carried:
    """What a paragraph's earlier sentences established: the day they named and the last actor1."""

    day: date | None = None
    actor: str | None = None
    #: The day an earlier paragraph named: a simple past ("The IOF also struck …") narrates that day,
    #: a present perfect ("have launched raids") is dated by publication.
    earlier_day: date | None = None
    #: The last actor1 of the article: who a sentence naming nobody most likely continues with.
    article_actor: str | None = None


def _candidates(article, sentence, span, triggers, places, coalition, *, carried: Carried, doc) -> tuple[list[Candidate], str | None]:
    when, precision, background = resolve_date(sentence, article.published)
    if background:
        return [], f"background (mentions {background})"
    if precision == 2 and when == article.published and carried.day is not None:
        when = carried.day  # no day of its own: the day its paragraph named
    elif precision == 2 and when == article.published and carried.earlier_day is not None and not re.search(PERFECT, sentence):
        when = carried.earlier_day
    if re.search(r"\b(?:a day earlier|the (?:previous|prior) day|the day before)\b", sentence, re.IGNORECASE):
        when, precision = (carried.day or article.published) - timedelta(days=1), 1
    if not places:
        return [], "no place"
    framed = [(p, phrase, place_frame(sentence, phrase, triggers_at=[at for _, at in triggers])) for p, phrase in places]
    places = [(p, phrase) for p, phrase, why in framed if why is None]
    if not places:
        return [], f"no place of an event ({'; '.join(sorted({why for _, _, why in framed}))})"
    reported = _reported(sentence)
    actor_text = _actor_text(reported)
    mentions = find_actors(actor_text)
    out = []
    for trigger, at in triggers:
        actor1, assoc, actor2 = assign_actors(mentions, max(0, at - (len(sentence) - len(reported))), coalition,
                                              mutual=trigger.key in FIGHT, text=actor_text)  # fmt: skip
        subject = _subject_actors(doc, span[0] + at, coalition, carried.actor)
        if subject:  # the parse names who acts: it outranks word order
            actor1, assoc = subject[0], ";".join(subject[1:]) or None
            actor2 = None if actor2 in subject else actor2
        if actor1 is None and not mentions:
            # A sentence naming no actor continues its paragraph's, else the article's ("Additional strikes hit …").
            actor1 = carried.actor or (carried.article_actor if trigger.strong else None)
        if trigger.key == "territory" and re.match(LOSS, sentence[at:], re.IGNORECASE):
            actor1, actor2 = actor2, actor1  # "X withdrew from Y": the side that takes Y acts
        trigger = _regains(_typed(trigger, sentence, actor1=actor1, on=when), sentence[at:], actor1, on=when)
        for place, phrase in _places_for(trigger, places):
            confidence = _confidence(trigger, actor1, place, precision, sentence=sentence)
            out.append(Candidate(article, sentence, span, trigger, when, precision, place, phrase, actor1, assoc,
                                 actor2, _fatalities(sentence), confidence))  # fmt: skip
    kept = [c for c in out if c.confidence >= MIN_CONFIDENCE]
    return kept, (None if kept else "low confidence")


def _subject_actors(doc, at: int, coalition: list[str], previous: str | None) -> list[str]:
    """The actors the trigger's grammatical subject names, in reading order.

    A pronoun subject ("They later added …") is the paragraph's last actor1.
    """
    subject = nlp.subject_of(doc, at)
    if subject is None:
        return []
    if subject.pronoun:
        return [previous] if previous else []
    named = [m.actor for m in find_actors(_actor_text(nlp.text_of(doc)[subject.start : subject.end])) if m.kind != "civilians"]
    return _expand(named, coalition)


#: A clause describing the target ("the Ain al-Asad base, which hosts US forces"): who it names did not act.
DESCRIBES_TARGET = r",\s*(?:which|that|where)\s+(?:hosts?|house[sd]?|(?:is|was) home to|(?:is|are) used by|(?:is|was) held by)\b[^,;]*"


def _actor_text(text: str) -> str:
    """Quote marks as spaces, so that 'Russian "warplanes' reads as an alias, and a clause describing the
    target blanked (offsets unchanged)."""
    text = re.sub(DESCRIBES_TARGET, lambda m: " " * len(m.group(0)), text, flags=re.IGNORECASE)
    return re.sub(r"[\"“”]", " ", text)


#: Words of a territory trigger in which the named actor loses ground.
LOSS = r"withdr|retreat|lost control"
#: Words of a territory trigger in which the actor itself takes ground (not "fell to", "withdrew", "under … control").
GAIN = r"(?:re)?captur|seiz|regain|retook|retak|(?:took|taken|gained|assumed) (?:full |complete |total )?control|took over|took\b|taking\b|entered|storm|liberat|clear"


def _regains(trigger: Trigger, text: str, actor1: str | None, *, on: date) -> Trigger:
    """State forces taking ground is ACLED's "Government regains territory", not a non-state actor's gain."""
    if trigger.key not in TERRITORY or actor1 is None or kind_of(actor1, on=on) != "state":
        return trigger
    if not re.match(GAIN, text, re.IGNORECASE):
        return trigger
    return replace(trigger, sub_event_type="Government regains territory")



def _reported(sentence: str) -> str:
    """The reported clause of "X said/announced that …": who acts is named there, not the speaker."""
    m = re.search(r"\b(?:said|says|announced|confirmed|claimed|admitted|reported|stated|added)\s+(?:on \w+\s+)?that\b", sentence)
    m = m or re.search(r"^[^,;]{3,80}?\b(?:said|says|announced|confirmed|stated)\s+(?=there\b|the\b|a\b|an\b)", sentence)
    return sentence[m.end() :] if m else sentence


def _places_for(trigger: Trigger, places: list[tuple[Match, str]]) -> list[tuple[Match, str]]:
    """Border closures and deployments happen at a named crossing or the border, not at towns named in passing."""
    if trigger.key in ("closure", "deployment"):
        at_crossing = [p for p in places if _crossing_name(p[1])]
        border = [p for p in places if p[0].query == "border"]
        return at_crossing or border or places
    return [p for p in places if p[0].query != "border"] or places


def _crossing_name(phrase: str) -> bool:
    aliases = {a.lower() for row in layers.crossings()["aliases"] for a in str(row).split("|")}
    return phrase.lower() in aliases


EARLIER_CLAUSE = "an earlier event in a side clause"
#: A place in one of these frames is not where the sentence's event happened (with the reason).
PLACE_FRAMES: tuple[tuple[str, str], ...] = (
    (r"\b(?:toward|towards|on the road to|the road to|march(?:ing|ed)? on|push(?:ing)? on)\s+(?:the\s+)?(?:\w+\s+){0,3}$", "movement toward it, not there yet"),
    (r"\b(?:after|following|followed|since|before)\b[^,;]*$", EARLIER_CLAUSE),
    (r"\b(?:advanc\w*|mov\w*|push\w*|march\w*|launched)\s+(?:\w+\s+){0,3}from\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}$", "where a move started, not where it led"),
    (r"\b(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s+of\s+(?:the\s+)?$", "a reference point (… of a place), not the place"),
    (r"\b\d+\s*(?:km|kilometres|kilometers|miles)\s+(?:\w+\s+){0,2}(?:of|from)\s+$", "a reference point (… km from a place)"),
    (r"\b(?:located|situated|lying|lies)\s+between\b[^.;]*$", "a reference point (located between places)"),
    (r"\b(?:told|according to|cited by|quoted by|citing)\s+(?:the\s+)?(?:\w+\s+){0,2}$", "a news source, not a place"),
    # "the official Syrian news agency Sana said", "the broadcaster Rudaw": the outlet's name, not a place.
    (r"\b(?:news agency|agency|news network|network|channel|broadcaster|newspaper|daily|outlet|website|television)\s+$",
     "a news source, not a place"),
)
#: What follows a place name that makes it a source or a government acting, not where something happened.
AFTER_FRAMES: tuple[tuple[str, str], ...] = (
    (r"\s+(?:news agency|media|television|TV)\b", "a news source, not a place"),
    (r"(?:\s+and\s+[A-Z]\w+)?(?:\s+(?:both|also|jointly|later|then|have|has))?\s+(?:said|says|blamed|accused|announced|denied|claimed|condemned|warned|vowed|urged)\b", "a government or source speaking, not a place"),
    (r"\s+from\s+(?!morning|evening|spring|building)\w+ing\b", "a government acting, not a place"),
)
#: Before a place, where a subject starts: only a place in that position can be a speaking government.
SUBJECT_START = r"(?:^|[,;:]\s*|\b(?:and|that|while|but|prevent|prevented|stop|stopped)\s+)(?:[A-Z][\w'’-]+\s+and\s+)?$"
#: A clause like this one is about something that did not happen, or not now.
CLAUSE_FRAMES: tuple[tuple[str, str], ...] = (
    (r"\b(?:would|could|might|may)\s+(?:\w+\s+)?(?:open|lead|allow|give|threaten|fall|be)\b", "hypothetical"),
    (r"\b(?:aim(?:s|ed|ing)? to|plan(?:s|ned|ning)? to|vow(?:s|ed)? to|threaten(?:s|ed)? to|seek(?:s|ing)? to|preparing to|intend(?:s|ed)? to)\b", "intended, not done"),
    (r"\b(?:efforts? to|in order to|so as to|bid to)\b", "a purpose, not an event there"),
)
#: A sentence like this one reports no single event (with the reason).
NOT_EVENTS: tuple[tuple[str, str], ...] = (
    (r"^\W*(?:read more|related|see also|also read|recommended)\s*:", "a link to another article"),
    (r"\((?:photo|file photo|image|picture)\b|\bphoto:|\bphoto credit|getty images|\bAFP(?:\s*/|\s+via)|/\s*reuters\b|\bfile photo\b", "a photo caption"),
    (r"\b(?:denied|denies|denying)\b", "a denial, not an event"),
    (r"\b(?:frequent(?:ly)?|regularly|routinely|often|usually|typically|periodically)\b", "a habit, not one event"),
    (r"\b(?:racing to|(?:is|are) expected to|will (?:be|launch|attack|strike|deploy|send|close|continue)|(?:is|are) preparing to|would (?:be|launch|attack|strike|respond))\b", "a plan or expectation, not an event"),
    (r"\b(?:since (?:the (?:beginning|start) of |early |late |mid-)?(?:\d{4}|january|february|march|april|may|june|july|august|september|october|november|december)|so far this year|this year alone)\b.*\b\d+\s+(?:\w+\s+)?(?:strikes|airstrikes|attacks|raids|operations|incidents)\b", "a total over a period, not one event"),
    (r"\b(?:over|more than|nearly|almost|at least|some)\s+[\d,]{3,}\s+(?:\w+\s+)?(?:strikes|airstrikes|attacks|raids|operations|incidents)\b"
     r"|\bso far (?:in \d{4}|this (?:year|month))\b", "a total over a period, not one event"),
)
#: Reasons that do not hold in a sentence naming its day ("on Friday, drones, which often …, struck X").
DATED_EXCEPTIONS = frozenset({"a habit, not one event"})
#: Sentences about an earlier time: their events are not dated by this article.
EARLIER = r"\b(?:last week|a week ago|weeks ago|last month|earlier this (?:month|year))\b"
#: A place followed by one of these is an attribute ("a Damascus ally"), not where something happened.
ATTRIBUTE_NOUNS = r"\s+(?:ally|allies|government|regime|authorities|officials?|leadership|-backed|-based|-aligned)\b"


def place_frame(sentence: str, phrase: str, *, triggers_at: Sequence[int] = ()) -> str | None:
    """Why ``phrase`` in ``sentence`` is not the event's place, or None when it may be.

    ``triggers_at`` are where the sentence's event words start: a side clause ("… killed following
    an attack on X") that holds an event word is where that event happened, not an earlier one.
    """
    at = sentence.find(phrase)
    if at < 0:
        return None
    before, after = sentence[:at], sentence[at + len(phrase) :]
    if re.match(ATTRIBUTE_NOUNS, after, re.IGNORECASE):
        return "named as an attribute (… ally, … government), not where it happened"
    if re.search(SUBJECT_START, before):
        for pattern, reason in AFTER_FRAMES:
            if re.match(pattern, after):
                return reason
    if re.search(EARLIER, sentence, re.IGNORECASE):
        return "an earlier event (last week or before)"
    clause = re.split(r"[,;:]\s|\band\b|\bwhile\b", after)[0]
    around = (before[-80:] + phrase + clause).lower()
    for pattern, reason in PLACE_FRAMES:
        m = re.search(pattern, before, re.IGNORECASE)
        if m and not (reason == EARLIER_CLAUSE and any(m.start() < t < at for t in triggers_at)):
            return reason
    for pattern, reason in CLAUSE_FRAMES:
        if re.search(pattern, around):
            return reason
    return None


#: Words of an accident or a disaster: deaths and blasts with them are not political violence.
ACCIDENT = r"\b(?:accident|crash(?:ed)?|earthquake|quake|flood\w*|collapse\w*|gas (?:leak|cylinder)|fire broke out|heatwave|storm)\b"


def _confidence(trigger: Trigger, actor1: str | None, place: Match, precision: int, *, sentence: str = "") -> float:
    if not trigger.strong and not actor1 and (trigger.key != "explosion" or re.search(ACCIDENT, sentence, re.IGNORECASE)):
        return 0.4  # a weak word with nobody acting is no event on its own ("killed in a crash"), but a blast is
    score = 0.3 + (0.2 if trigger.strong else 0.0) + (0.2 if actor1 else 0.0)
    score += 0.2 if place.geo_precision <= 2 else 0.1
    score += 0.1 if precision == 1 else 0.0
    return round(min(score, 1.0), 2)


def _merge(candidates: list[Candidate]) -> list[Candidate]:
    """One event per (sub-type, place) within an article: the most specific date wins.

    The place is its coordinates, not its spelling ("ALEPPO" in a dateline is Aleppo). A place
    taken that day is not also an armed clash there.
    """
    merged: dict[tuple, Candidate] = {}
    for c in _drop_subsumed(candidates):
        # An anchored village keeps its own name: two villages placed at one town are two events.
        named = c.place.query.lower() if c.place.method == "anchored" else ""
        key = (c.trigger.event_type, c.trigger.sub_event_type, round(c.place.lat, 3), round(c.place.lon, 3), c.place.geo_precision, named)
        old = merged.get(key)
        if old is None:
            merged[key] = c
            continue
        best, other = (c, old) if (c.time_precision, -c.confidence) < (old.time_precision, -old.confidence) else (old, c)
        best.extra_sentences = [*best.extra_sentences, other.sentence, *other.extra_sentences]
        best.actor1 = best.actor1 or other.actor1
        best.actor2 = best.actor2 or other.actor2
        merged[key] = best
    return list(merged.values())


def _drop_subsumed(candidates: list[Candidate]) -> list[Candidate]:
    """Drop what a more specific candidate already says.

    A place taken that day is not also an armed clash there, and a governorate that a sentence
    names to locate its town ("the town of Qusayr in Homs province") is not an event of its own;
    a governorate reported taken in a sentence of its own still is.
    """
    taken = {(c.event_date, c.place.lat, c.place.lon) for c in candidates if c.trigger.key == "territory"}
    anchors = {(c.span, c.trigger.sub_event_type, round(c.place.lat, 4), round(c.place.lon, 4)) for c in candidates if c.place.method == "anchored"}
    return [
        c for c in candidates
        if not (c.trigger.key == "clash" and (c.event_date, c.place.lat, c.place.lon) in taken)
        and not _locates_a_town(c, candidates)
        # "In Daraa, gunmen attacked the village of X": X (placed at Daraa) is the event, not Daraa too.
        and not (c.place.method != "anchored" and (c.span, c.trigger.sub_event_type, round(c.place.lat, 4), round(c.place.lon, 4)) in anchors)
    ]  # fmt: skip


def _locates_a_town(place: Candidate, candidates: list[Candidate]) -> bool:
    """Whether a candidate only says where another place of the same sentence lies.

    "the town of Qusayr in Homs province", "Jaramana near Syria's capital Damascus", "Awja in the Tal
    Tamr district", "Beit Jinn … in the Damascus countryside": the later, coarser name locates the first.
    A governorate reported taken in a sentence of its own is still an event.
    """
    name = re.escape(re.sub(r"\s+province$", "", place.location.split(" (")[0]))
    sentence = _window(place.sentence, name)
    for other in candidates:
        if other.span != place.span or other.location == place.location or other.place.geo_precision > max(2, place.place.geo_precision):
            continue
        between = rf"{re.escape(other.location)}\b[^.;:]{{0,60}}?\b(?:in|of|near|outside|around|by|overlooking)\s+(?:the\s+)?(?:[\w'’-]+\s+){{0,2}}?"
        coarse = place.place.kind in ("governorate", "region") or re.search(rf"{name}\s+{LOCATOR_WORDS}", sentence)
        if coarse and re.search(between + name, sentence):
            return True
        if re.search(rf"{re.escape(other.location)}\b[^.;:]{{0,40}}?\bnear\s+(?:the\s+)?(?:\w+['’]s\s+)?(?:capital\s+)?{name}\b", sentence):
            return True
    return False


def _window(sentence: str, name: str, *, reach: int = 300) -> str:
    """The part of a long sentence around a name: a locating phrase is near what it locates, and
    searching a 50,000-character "sentence" pair by pair would take minutes."""
    if len(sentence) <= 2 * reach:
        return sentence
    m = re.search(name, sentence)
    return sentence if m is None else sentence[max(0, m.start() - reach) : m.end() + reach // 3]


#: Words after a name that make it an area locating a finer place ("the Tal Tamr district").
LOCATOR_WORDS = r"(?:district|countryside|province|governorate|region|area|city|outskirts)\b"


def _to_events(candidates: list[Candidate]) -> gpd.GeoDataFrame:
    rows = [_row(i, c) for i, c in enumerate(candidates, start=1)]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return empty_events()
    frame = coerce(frame)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=CRS)


def _row(i: int, c: Candidate) -> dict[str, object]:
    a = c.article
    notes = c.sentence + ("" if not c.extra_sentences else f" [also: {' | '.join(c.extra_sentences)}]")
    return {
        "event_id": f"{a.article_id}-{i:02d}", "event_date": pd.Timestamp(c.event_date),
        "event_date_end": pd.Timestamp(c.event_date), "time_precision": c.time_precision,
        "event_type": c.trigger.event_type, "sub_event_type": c.trigger.sub_event_type,
        "disorder_type": DISORDER_TYPES[c.trigger.event_type], "source_event_type": f"article:{c.trigger.key}",
        "actor1": c.actor1, "assoc_actor_1": c.assoc_actor_1, "actor2": c.actor2,
        "country": {"SY": "Syria", "IQ": "Iraq"}.get(c.place.country or ""), "admin1": c.place.admin1,
        "location": c.location, "latitude": c.place.lat, "longitude": c.place.lon,
        "geo_precision": c.place.geo_precision, "geo_precision_source": f"article:{c.place.kind}",
        "geocoded_by": f"{c.place.method} match '{c.place.name}' ({c.place.source})",
        "fatalities": c.fatalities, "source": f"{a.outlet}, '{a.title}', {a.published.isoformat()}",
        "source_url": a.url or None, "notes": notes, "dataset": "articles", "source_format": "article",
        "article_id": a.article_id, "sentence": c.sentence, "span_start": c.span[0], "span_end": c.span[1],
        "confidence": c.confidence,
    }  # fmt: skip


def rejections_frame(rejections: list[Rejection]) -> pd.DataFrame:
    """Rejections as a table (article_id, sentence, span_start, span_end, trigger, reason)."""
    return pd.DataFrame(
        [(r.article_id, r.sentence, r.span[0], r.span[1], r.trigger, r.reason) for r in rejections],
        columns=["article_id", "sentence", "span_start", "span_end", "trigger", "reason"],
    )


def extract_text(text: str, *, article_id: str, name: str, gazetteer: Gazetteer) -> tuple[Article, pd.DataFrame, pd.DataFrame]:
    """An article's text read (:func:`geo.articles.parse_article`) and its events extracted with ``gazetteer``
    (a store's, its shared layer included): the article, its events as a table (no geometry) and its rejections."""
    article = parse_article(text, article_id=article_id, name=name)
    with using(gazetteer):
        events, rejected = extract(article)
    return article, events.drop(columns="geometry"), rejections_frame(rejected)
