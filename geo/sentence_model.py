"""A learned reading of one sentence: does it report a specific event, and of which ACLED sub-type.

Two spaCy text classifiers in one pipeline, trained by :mod:`geo.train_sentences` and shipped in
the package (``geo/models/sentences``; nothing is downloaded at run time):

- ``event`` — ``EVENT`` or ``NOT_EVENT``: whether the sentence itself reports one specific
  occurrence that has happened (a strike, a clash, a capture, an arrest), as opposed to a plan, a
  habit, a total over a period, background, a statement or a description;
- ``subtype`` — one label per ACLED sub-event type (:data:`geo.taxonomy.SUB_EVENT_TYPES`), read
  only where the first says ``EVENT``.

The extractor asks both for every sentence that names a place: the first decides, beside the
rules, whether the sentence is a candidate at all; the second types a sentence whose wording no
rule recognises. The models were trained only on UCDP GED headlines (CC BY 4.0) and on sentences
the project wrote itself (``data/training/``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

#: Where the trained pipeline lives inside the package.
MODEL_DIR = Path(__file__).parent / "models" / "sentences"
EVENT, NOT_EVENT = "EVENT", "NOT_EVENT"
#: Separates event type and sub-type in a ``subtype`` label ("Battles|Armed clash").
LABEL_SEP = "|"


@dataclass(frozen=True)
class Reading:
    """What the classifiers read in one sentence.

    Attributes
    ----------
    event : float
        Probability that the sentence reports one specific event that has happened.
    event_type, sub_event_type : str
        The most probable ACLED type and sub-type, if it is one.
    type_score : float
        That sub-type's probability.
    """

    event: float
    event_type: str
    sub_event_type: str
    type_score: float


@cache
def pipeline(path: Path = MODEL_DIR):
    """The trained pipeline (``spacy.Language``), loaded once per process."""
    import spacy  # heavy: only when a sentence is read

    return spacy.load(path)


def available(path: Path = MODEL_DIR) -> bool:
    """Whether a trained pipeline is present at ``path``."""
    return (path / "meta.json").is_file()


@lru_cache(maxsize=4096)
def read(sentence: str) -> Reading:
    """The classifiers' reading of one sentence (cached: the extractor asks more than once)."""
    return read_many([sentence])[0]


def read_many(sentences: Sequence[str], *, path: Path = MODEL_DIR) -> list[Reading]:
    """The classifiers' readings of several sentences at once (one batched pass)."""
    return [_reading(doc.cats) for doc in pipeline(path).pipe(normalise(s) for s in sentences)]


def normalise(text: str) -> str:
    """What the classifiers see: lower case (the bag of words is case-sensitive; headlines are title case), digits as 0."""
    return re.sub(r"\d", "0", text.lower())


def _reading(cats: dict[str, float]) -> Reading:
    subtypes = {k: v for k, v in cats.items() if LABEL_SEP in k}
    best = max(subtypes, key=subtypes.__getitem__) if subtypes else ""
    event_type, _, sub_event_type = best.partition(LABEL_SEP)
    return Reading(event=float(cats.get(EVENT, 0.0)), event_type=event_type, sub_event_type=sub_event_type,
                   type_score=float(subtypes.get(best, 0.0)))  # fmt: skip
