"""Train the sentence classifiers of :mod:`geo.sentence_model` from the coded record and our own sentences.

Training material, nothing else (so the shipped weights carry no third-party text beyond CC BY):

- UCDP GED source headlines (CC BY 4.0) of the training years: every one reports a coded event,
  so each is an ``EVENT`` example (a sample of them, so that headlines do not outweigh the rest);
- the project's own sentences, ``data/training/*.jsonl``: written for this purpose, each labelled
  event or not, with its ACLED type and sub-type, and for a non-event the kind of statement it is
  (plan, habit, total, background …). One sentence in five, chosen by a hash of its text, is held
  out and never trained on: the figures :func:`train` returns are measured on it and on the
  headlines of the held-out years.

Run ``python -m geo train-sentence-model`` (about a minute on two cores); the result is the same for
the same inputs and seed.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.extract_silver import read_coded
from geo.paths import DATA
from geo.sentence_model import EVENT, LABEL_SEP, MODEL_DIR, NOT_EVENT, normalise, read_many
from geo.taxonomy import SUB_EVENT_TYPES

OWN_SENTENCES = DATA / "training"
#: spaCy's bag-of-words classifier: unigrams and bigrams, hashed; small and fast on a CPU.
BOW = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
       "no_output_layer": False, "length": 262144}  # fmt: skip
#: Hash buckets per component: the weights are buckets × labels, and the sub-type has some 25 labels.
LENGTH = {"event": 262144, "subtype": 32768}


@dataclass(frozen=True)
class Sentence:
    """One training sentence: its text, whether it reports an event, and its ``type|sub-type`` label if known."""

    text: str
    event: bool
    subtype: str = ""
    kind: str = ""
    source: str = ""


def held_out(text: str) -> bool:
    """Whether a sentence belongs to the held-out fifth (by a hash of its text, so stable across runs)."""
    return hashlib.sha256(text.encode("utf-8")).digest()[0] < 52  # 52/256 ≈ one in five


def own_sentences(folder: Path = OWN_SENTENCES) -> list[Sentence]:
    """The project's own labelled sentences; a line that is not a valid labelled sentence raises ``ValueError``."""
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                out.append(_own(json.loads(line), where=f"{path.name}:{number}"))
    return out


def _own(row: dict, *, where: str) -> Sentence:
    text, event = str(row.get("text", "")).strip(), row.get("event")
    if not text or not isinstance(event, bool):
        raise ValueError(f"{where}: expected 'text' and a true/false 'event'")
    subtype = ""
    if event:
        sub = str(row.get("sub_event_type", ""))
        if SUB_EVENT_TYPES.get(sub) != row.get("event_type"):
            raise ValueError(f"{where}: expected an ACLED event_type and one of its sub_event_types, got {row.get('event_type')!r} / {sub!r}")
        subtype = f"{row['event_type']}{LABEL_SEP}{sub}"
    return Sentence(text=text, event=event, subtype=subtype, kind=str(row.get("kind", "")), source=where.split(":")[0])


def headline_sentences(coded: Path, *, years: tuple[int, ...], sample: int | None, seed: int = 0) -> list[Sentence]:
    """Distinct UCDP GED headlines of ``years`` as ``EVENT`` sentences (``sample`` of them, drawn with ``seed``)."""
    headlines = sorted(set(read_coded(coded, years=years)["headline"]))
    if sample is not None and sample < len(headlines):
        headlines = sorted(random.Random(seed).sample(headlines, sample))  # noqa: S311 - a reproducible sample, not a secret
    return [Sentence(text=h, event=True, source="ucdp") for h in headlines]


def _component(name: str, examples: Sequence[tuple[str, dict[str, float]]], *, epochs: int, seed: int):
    """One blank English pipeline with one trained text classifier called ``name``."""
    import spacy
    from spacy.training import Example

    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    cat = nlp.add_pipe("textcat", name=name, config={"model": {**BOW, "length": LENGTH[name]}})
    for label in sorted({k for _, cats in examples for k in cats}):
        cat.add_label(label)
    data = [Example.from_dict(nlp.make_doc(normalise(text)), {"cats": cats}) for text, cats in examples]
    optimizer = nlp.initialize(lambda: data)
    rng = random.Random(seed)  # noqa: S311 - reproducible shuffling, not a secret
    for _ in range(epochs):
        rng.shuffle(data)
        for start in range(0, len(data), 32):
            nlp.update(data[start:start + 32], sgd=optimizer, drop=0.2)
    return nlp


def fit(sentences: Iterable[Sentence], *, epochs: int = 12, seed: int = 0):
    """Train both classifiers on ``sentences``; returns one pipeline holding ``event`` and ``subtype``."""
    sentences = list(sentences)
    event = [(s.text, {EVENT: float(s.event), NOT_EVENT: float(not s.event)}) for s in sentences]
    labels = sorted({s.subtype for s in sentences if s.subtype})
    typed = [(s.text, {lab: float(lab == s.subtype) for lab in labels}) for s in sentences if s.subtype]
    nlp = _component("event", event, epochs=epochs, seed=seed)
    nlp.add_pipe("subtype", source=_component("subtype", typed, epochs=epochs, seed=seed))
    return nlp


def measure(path: Path, held: Sequence[Sentence], headlines: Sequence[Sentence], *, threshold: float = 0.5) -> dict[str, object]:
    """Figures of the pipeline at ``path`` on sentences it was not trained on."""
    readings = read_many([s.text for s in held], path=path)
    said = [r.event >= threshold for r in readings]
    truth = [s.event for s in held]
    hits = sum(a and b for a, b in zip(said, truth, strict=True))
    typed = [(r, s) for r, s in zip(readings, held, strict=True) if s.subtype]
    head = read_many([s.text for s in headlines], path=path)
    return {
        "held_out": len(held), "event_precision": _share(hits, sum(said)), "event_recall": _share(hits, sum(truth)),
        "accuracy": _share(sum(a == b for a, b in zip(said, truth, strict=True)), len(held)),
        "sub_event_type": _share(sum(f"{r.event_type}{LABEL_SEP}{r.sub_event_type}" == s.subtype for r, s in typed), len(typed)),
        "event_type": _share(sum(r.event_type == s.subtype.split(LABEL_SEP)[0] for r, s in typed), len(typed)),
        "headlines": len(headlines), "headlines_read_as_event": _share(sum(r.event >= threshold for r in head), len(head)),
        "missed_by_kind": pd.Series([s.kind for s, ok in zip(held, said, strict=True) if not s.event and ok]).value_counts().to_dict(),
    }  # fmt: skip


def _share(a: int, b: int) -> float:
    return round(a / b, 3) if b else 0.0


def train(coded: Path, *, out: Path = MODEL_DIR, train_years: tuple[int, ...] = (2016,), test_years: tuple[int, ...] = (2017,),
          headlines: int = 1000, epochs: int = 12, seed: int = 0) -> dict[str, object]:
    """Train on the own sentences outside the held-out fifth and ``headlines`` headlines of ``train_years``; save to ``out``.

    Returns the figures of :func:`measure` on the held-out fifth and on a sample of ``test_years``' headlines.
    """
    own = own_sentences()
    if not own:
        raise ValueError(f"expected labelled sentences in {OWN_SENTENCES}, found none")
    learn = [s for s in own if not held_out(s.text)] + headline_sentences(coded, years=train_years, sample=headlines, seed=seed)
    nlp = fit(learn, epochs=epochs, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    nlp.meta.update(name="conflict_map_sentences", version="1.0.0",
                    description="Event / not-event and ACLED sub-type of one sentence; trained on UCDP GED headlines (CC BY 4.0) and the project's own sentences",
                    license="CC BY 4.0 (UCDP GED headlines) and the project's licence")  # fmt: skip
    nlp.to_disk(out)
    test = headline_sentences(coded, years=test_years, sample=1000, seed=seed)
    return {"trained_on": len(learn), **measure(out, [s for s in own if held_out(s.text)], test)}
