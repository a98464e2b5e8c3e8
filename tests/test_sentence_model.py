"""The learned sentence classifiers (#32): shipped in the package, trained reproducibly, used by the extractor."""

from __future__ import annotations

import json
from datetime import date

import pytest

from geo import extract as extract_module
from geo import sentence_model
from geo.articles import Article
from geo.sentence_model import Reading
from geo.train_sentences import held_out, own_sentences, train
from tests.conftest import ROOT

UCDP = ROOT.parent / "shared" / "eval" / "ucdp_ged_syria_2016_2017.csv"
TUESDAY = date(2025, 3, 11)


def test_the_shipped_model_loads_from_the_package_and_reads_held_out_sentences():
    assert sentence_model.available(), "geo/models/sentences is part of the package"
    held = [s for s in own_sentences() if held_out(s.text)]
    readings = sentence_model.read_many([s.text for s in held])
    right = sum((r.event >= 0.5) == s.event for r, s in zip(readings, held, strict=True))
    typed = [(r, s) for r, s in zip(readings, held, strict=True) if s.subtype]
    # Measured on 2026-12-07 on these 300 sentences it never saw: 91.0 % and 76 % (README).
    assert len(held) >= 250 and right / len(held) >= 0.87
    assert sum(r.event_type == s.subtype.split("|")[0] for r, s in typed) / len(typed) >= 0.7


def test_a_labelled_sentence_must_say_event_or_not_and_a_real_sub_type(tmp_path):
    (tmp_path / "mine.jsonl").write_text(
        json.dumps({"text": "Shelling hit Ariha.", "event": True, "event_type": "Battles", "sub_event_type": "Air/drone strike"}) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"mine\.jsonl:1: expected an ACLED event_type and one of its sub_event_types"):
        own_sentences(tmp_path)
    (tmp_path / "mine.jsonl").write_text(json.dumps({"text": "Shelling hit Ariha.", "event": "yes"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="true/false 'event'"):
        own_sentences(tmp_path)


@pytest.mark.skipif(not UCDP.exists(), reason="needs ../shared/eval/ucdp_ged_syria_2016_2017.csv")
def test_training_is_reproducible_and_reports_what_it_did_not_train_on(tmp_path):
    first = train(UCDP, out=tmp_path / "one", headlines=200, epochs=2)
    second = train(UCDP, out=tmp_path / "two", headlines=200, epochs=2)
    assert first == second
    assert first["held_out"] == len([s for s in own_sentences() if held_out(s.text)])
    assert first["headlines"] == 1000 and 0.0 <= first["accuracy"] <= 1.0
    assert (tmp_path / "one" / "meta.json").is_file() and (tmp_path / "one" / "subtype").is_dir()


def _extract(body: str):
    return extract_module.extract(Article("t", "t", TUESDAY, "", "", body, ""))


def test_wording_no_trigger_knows_is_an_event_when_the_classifier_is_sure(monkeypatch):
    body = "Soldiers and tribal fighters traded fire for hours near Saraqib on Tuesday, leaving three dead."
    sure = Reading(event=0.99, event_type="Battles", sub_event_type="Armed clash", type_score=0.8)
    monkeypatch.setattr(sentence_model, "read", lambda sentence: sure)
    events, _ = _extract(body)
    assert events["source_event_type"].tolist() == ["article:learned"]
    assert events["sub_event_type"].tolist() == ["Armed clash"] and events["location"].tolist() == ["Saraqib"]


def test_a_sentence_with_event_words_the_classifier_doubts_is_listed_with_its_probability(monkeypatch):
    body = "Soldiers and tribal fighters traded fire for hours near Saraqib on Tuesday, leaving three dead."
    unsure = Reading(event=0.6, event_type="Battles", sub_event_type="Armed clash", type_score=0.5)
    monkeypatch.setattr(sentence_model, "read", lambda sentence: unsure)
    events, rejected = _extract(body)
    assert events.empty
    assert [r.reason for r in rejected] == ["no trigger, and the sentence classifier is not sure of an event (p=0.60)"]


def test_a_trigger_in_a_sentence_the_classifier_reads_as_no_event_is_rejected_with_its_reason(monkeypatch):
    body = "Rebels captured the town of Saraqib on Tuesday."
    monkeypatch.setattr(sentence_model, "read", lambda sentence: Reading(0.01, "", "", 0.0))
    events, rejected = _extract(body)
    assert events.empty and rejected[0].reason == "the sentence classifier reads no specific event (p=0.01)"
    monkeypatch.setattr(sentence_model, "read", lambda sentence: Reading(0.5, "", "", 0.0))
    assert _extract(body)[0]["location"].tolist() == ["Saraqib"]  # the rules' trigger stands when it is not nearly sure


def test_a_learned_event_is_typed_by_how_the_sentence_says_it_was_done(monkeypatch):
    body = "Drones hovered over Saraqib for an hour on Tuesday before two cars were set ablaze, leaving three dead."
    monkeypatch.setattr(sentence_model, "read", lambda sentence: Reading(0.99, "Battles", "Armed clash", 0.4))
    events, _ = _extract(body)
    assert events["sub_event_type"].tolist() == ["Air/drone strike"]
