"""Silver evaluation from UCDP GED's source headlines (#32): how the coded record is read and scored."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.extract_silver import evaluate_coded, names_place, read_coded, ucdp_side, violence_type

ROOT = Path(__file__).resolve().parents[1]


def test_ucdp_sides_map_onto_the_golds_sides():
    assert ucdp_side("Government of Syria") == {"government"}
    assert ucdp_side("Government of Turkey") == {"turkey"}
    assert ucdp_side("IS") == {"islamic_state"}
    assert ucdp_side("Ahrar al-Sham, HTS, Southern Front") == {"opposition"}
    assert ucdp_side("SDF") == {"sdf"}
    assert ucdp_side(None) == frozenset()


def test_a_headline_names_the_coded_place_without_its_feature_word_and_accents():
    assert names_place("Shells hit Ter Ma’la and clashes continue", "Ter Ma'la village")
    assert names_place("Clashes in Khan Shaykhun", "Khan Shaykhun town")
    assert not names_place("Bombardment targets Idlib and Hama", "Ein Laroz village")


def test_violence_type_follows_the_sides_of_an_extracted_event():
    strike = pd.Series({"event_type": "Explosions/Remote violence", "actor1": "Syrian government forces", "actor2": None, "event_date": "2016-05-01"})
    clash = pd.Series({"event_type": "Battles", "actor1": "Islamic State", "actor2": "SDF", "event_date": "2016-05-01"})
    killing = pd.Series({"event_type": "Violence against civilians", "actor1": None, "actor2": None, "event_date": "2016-05-01"})
    assert (violence_type(strike), violence_type(clash), violence_type(killing)) == (1, 2, 3)


def test_the_real_coded_record_is_read_and_scored(ucdp_eval_csv):
    coded = read_coded(ucdp_eval_csv, years=(2017,))
    assert coded["date_start"].dt.year.eq(2017).all() and len(coded) > 5000
    # Sources dated before their event (1753-01-01 placeholders among them) are left out, and counted.
    assert (coded["published"] >= coded["date_start"]).all() and coded.attrs["source_before_event"] >= 19
    scores, table = evaluate_coded(coded, limit=60)
    assert scores.headlines == 60 and scores.events == len(table) >= 60
    assert 0 < scores.yielded < 60  # real headlines: some name an event the extractor reads, some do not
    assert table["date_exact"].dropna().isin([True, False]).all()


def test_the_cli_reports_silver_figures_as_json(ucdp_eval_csv):
    cmd = [sys.executable, "-m", "geo", "evaluate-extractor", "--coded", str(ucdp_eval_csv), "--years", "2016", "--limit", "20", "--json"]
    out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout)
    assert out["headlines"] == 20 and set(out) >= {"yield", "place_within_10km", "date_exact", "actor1_side_in_dyad", "violence_type"}
    assert isinstance(out["left_out_source_before_event"], int)


@pytest.mark.parametrize("how", [["--split", "test"], ["--split", "test2"], ["--gold", "data/extract_gold/test2.jsonl", "var/articles/test2"]])
def test_the_locked_test_splits_never_print_their_pairs(how):
    cmd = [sys.executable, "-m", "geo", "evaluate-extractor", *how, "--detail"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "locked" in done.stderr and "missed" not in done.stdout


def test_a_bad_coded_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "geo", "evaluate-extractor", "--coded", str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "expected a UCDP GED file" in done.stderr and "Traceback" not in done.stderr


def test_published_dates_anchor_relative_days(tmp_path):
    # One row written for this test: a headline that dates its event "yesterday".
    row = {"source_headline": "Clashes in Homs yesterday", "source_date": "2016-05-02", "date_start": "2016-05-01",
           "latitude": 34.73, "longitude": 36.71, "side_a": "Government of Syria", "side_b": "Syrian insurgents",
           "type_of_violence": 1, "where_coordinates": "Homs city"}  # fmt: skip
    path = tmp_path / "coded.csv"
    pd.DataFrame([row]).to_csv(path, index=False)
    scores, table = evaluate_coded(read_coded(path))
    assert scores.yielded == 1 and scores.place_named == 1 and scores.place_right == 1
    assert bool(table["date_exact"].iloc[0])
