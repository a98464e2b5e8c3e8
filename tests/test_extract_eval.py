"""The extractor's yardstick: one-to-one pairing of extracted and hand-coded events, and per-field scores."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from geo.actors import side_of
from geo.extract_eval import load_gold, score

ALEPPO, SARAQIB, IDLIB, BUKAMAL = (36.2012, 37.1612), (35.8645, 36.8059), (35.9306, 36.6339), (34.4523, 40.9185)


def _event(article, day, place, where, sub="Armed clash", etype="Battles", actor1="HTS", **extra):
    return {"article": article, "article_id": article, "event_date": pd.Timestamp(day), "location": place,
            "latitude": where[0], "longitude": where[1], "event_type": etype, "sub_event_type": sub, "actor1": actor1, **extra}  # fmt: skip


@pytest.fixture
def gold_events() -> pd.DataFrame:
    return pd.DataFrame([
        _event("a1", "2024-11-30", "Aleppo", ALEPPO, "Non-state actor overtakes territory", actor1_side="opposition"),
        _event("a1", "2024-12-01", "Saraqib", SARAQIB, actor1_side="opposition"),
        _event("a1", "2024-12-01", "Idlib", IDLIB, "Air/drone strike", "Explosions/Remote violence", actor1_side="government"),
    ])  # fmt: skip


def test_pairs_are_one_to_one_and_fields_scored(gold_events):
    extracted = pd.DataFrame([
        _event("a1", "2024-11-30", "Aleppo", ALEPPO, "Non-state actor overtakes territory"),  # all right
        _event("a1", "2024-11-30", "Aleppo", (36.25, 37.2), "Non-state actor overtakes territory"),  # a second claim on Aleppo
        _event("a1", "2024-12-02", "Sarakib", (35.87, 36.80), actor1="Syrian government forces"),  # a day late, wrong side
        _event("a1", "2024-12-01", "Al-Bukamal", BUKAMAL),  # nothing like it in the gold
        _event("other", "2024-12-01", "Idlib", IDLIB),  # another article: not counted
    ])  # fmt: skip
    scores = score(extracted, gold_events)
    assert (scores.gold, scores.extracted, scores.matched) == (3, 4, 2)
    assert scores.recall == pytest.approx(2 / 3) and scores.precision == pytest.approx(2 / 4)
    assert scores.fields == {"date exact": 1, "place within 10 km": 2, "event type": 2, "sub-event type": 2, "actor1 side": 1}
    assert scores.missed["location"].tolist() == ["Idlib"]
    assert sorted(scores.spurious["location"]) == ["Al-Bukamal", "Aleppo"]


@pytest.mark.parametrize(("actor", "side"), [("HTS", "opposition"), ("SNA", "opposition"), ("Russian armed forces", "government"),
                                            ("SDF", "sdf"), ("PMF", "iraq"), (None, None), ("Nobody", None)])  # fmt: skip
def test_actor_sides_come_from_the_actor_dictionary(actor, side):
    assert side_of(actor) == side


def test_cli_scores_the_seed_article(tmp_path):
    from tests.conftest import ROOT

    gold = tmp_path / "gold.jsonl"
    rows = [{"article": "000_01c4ab2752bbdb4c", "event_date": "2024-11-30", "location": "Aleppo International Airport",
             "latitude": 36.1807, "longitude": 37.2244, "event_type": "Battles",
             "sub_event_type": "Non-state actor overtakes territory", "actor1_side": "opposition"}]  # fmt: skip
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert load_gold(gold)["event_date"].iloc[0] == pd.Timestamp("2024-11-30")
    cmd = [sys.executable, "-m", "geo", "evaluate-extractor", str(ROOT / "seeds"), "--gold", str(gold), "--json"]
    report = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout)
    assert report["gold"] == 1 and report["matched"] == 1 and report["fields"]["date exact"] == 1
    assert (report["absent_articles"], report["absent_events"]) == (0, 0)


def test_gold_of_an_article_with_no_text_is_left_out_and_counted(tmp_path):
    from tests.conftest import ROOT

    gold = tmp_path / "gold.jsonl"
    here = {"article": "000_01c4ab2752bbdb4c", "event_date": "2024-11-30", "location": "Aleppo International Airport",
            "latitude": 36.1807, "longitude": 37.2244, "event_type": "Battles",
            "sub_event_type": "Non-state actor overtakes territory", "actor1_side": "opposition"}  # fmt: skip
    gone = [{**here, "article": "lost_article", "event_date": day} for day in ("2024-12-01", "2024-12-02")]
    gold.write_text("\n".join(json.dumps(r) for r in [here, *gone]) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "geo", "evaluate-extractor", str(ROOT / "seeds"), "--gold", str(gold)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    # Recall is over the gold that has a text: a lost text neither lowers nor hides the figure.
    assert "gold 1 " in out and "recall 100.0%" in out
    assert "left out: 1 gold articles with no text in the folder (2 events)" in out


def test_equally_close_pairs_prefer_the_same_sub_event_type():
    gold = pd.DataFrame([
        _event("a1", "2024-11-30", "Aleppo", ALEPPO, "Non-state actor overtakes territory", actor1_side="opposition"),
        _event("a1", "2024-11-30", "Aleppo", ALEPPO, "Air/drone strike", "Explosions/Remote violence", actor1_side="government"),
    ])  # fmt: skip
    extracted = pd.DataFrame([
        _event("a1", "2024-11-30", "Aleppo", ALEPPO, "Air/drone strike", "Explosions/Remote violence", actor1="Russian armed forces"),
        _event("a1", "2024-11-30", "Aleppo", ALEPPO, "Non-state actor overtakes territory"),
    ])  # fmt: skip
    scores = score(extracted, gold)
    assert scores.fields["sub-event type"] == 2 and scores.fields["actor1 side"] == 2
