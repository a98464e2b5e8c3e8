"""Cross-source matching (geo.matching, geo.match_eval, ``python -m geo match``).

The small sources here are SYNTHETIC (made up in the tests: places near Aleppo, dates in 2017);
the real pair is ACLED Syria 2017 (Battles) and UCDP GED Syria 2017 from ../shared/eval.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli import main
from geo.errors import GeoError
from geo.io import read_events
from geo.match_eval import naive_pairs, read_gold, score
from geo.matching import Windows, actor_agreement, actor_sets, match

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
ACLED = SHARED / "acled_syria_2017.csv"
UCDP = SHARED / "ucdp_ged_syria_2016_2017.csv"
KM = 1 / 111.2  # degrees of latitude in a kilometre


def _events(rows: list[dict]) -> gpd.GeoDataFrame:
    """A source of SYNTHETIC events: id, day (and last day), type, actors, lat/lon."""
    frame = pd.DataFrame([{"event_date_end": None, "source_event_type": None, "actor2": None, "fatalities": 1} | r for r in rows])
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    frame["event_date_end"] = pd.to_datetime(frame["event_date_end"])
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.pop("lon"), frame.pop("lat")), crs="EPSG:4326")


def _acled(event_id: str, day: str, lat: float = 36.2, lon: float = 37.15, **more) -> dict:
    return {"event_id": event_id, "event_date": day, "event_type": "Battles", "actor1": "Military Forces of Syria (2000-)",
            "actor2": "Islamic State (Syria)", "lat": lat, "lon": lon} | more  # fmt: skip


def _ucdp(event_id: str, day: str, lat: float = 36.2, lon: float = 37.15, **more) -> dict:
    return {"event_id": event_id, "event_date": day, "event_type": "Battles", "source_event_type": "ucdp:1",
            "actor1": "Government of Syria", "actor2": "IS", "lat": lat, "lon": lon} | more  # fmt: skip


def _pairs(a: list[dict], b: list[dict], **windows) -> set[tuple[str, str]]:
    found = match(_events(a), _events(b), windows=Windows(**windows))
    return set(zip(found["a_id"], found["b_id"], strict=True))


def test_windows_say_which_argument_is_wrong():
    with pytest.raises(ValueError, match="days: expected 0 to 30"):
        Windows(days=-1)
    with pytest.raises(ValueError, match="km: expected more than 0"):
        Windows(km=0)


def test_events_within_both_windows_are_matched_and_others_not():
    a = [_acled("a1", "2017-03-01"), _acled("a2", "2017-03-10"), _acled("a3", "2017-03-20", lat=36.2 + 12 * KM)]
    b = [_ucdp("u1", "2017-03-02"), _ucdp("u2", "2017-03-13"), _ucdp("u3", "2017-03-20")]
    assert _pairs(a, b, days=1, km=10) == {("a1", "u1")}  # a2/u2 three days apart, a3/u3 12 km apart
    assert _pairs(a, b, days=3, km=15) == {("a1", "u1"), ("a2", "u2"), ("a3", "u3")}


def test_a_span_of_days_meets_an_event_inside_it():
    a = [_acled("a1", "2017-05-04")]
    assert _pairs(a, [_ucdp("u1", "2017-05-01", event_date_end="2017-05-06")], days=0, km=5) == {("a1", "u1")}
    assert _pairs(a, [_ucdp("u1", "2017-05-01", event_date_end="2017-05-02")], days=1, km=5) == set()


def test_types_must_agree_through_the_crosswalk():
    a = [_acled("a1", "2017-03-01", event_type="Protests")]
    assert _pairs(a, [_ucdp("u1", "2017-03-01")]) == set()
    shelling = [_acled("a1", "2017-03-01", event_type="Explosions/Remote violence")]
    assert _pairs(shelling, [_ucdp("u1", "2017-03-01")]) == {("a1", "u1")}  # UCDP counts shelling in its battle code
    assert _pairs(shelling, [_ucdp("u1", "2017-03-01", source_event_type="ucdp:3", event_type="Violence against civilians")]) == {("a1", "u1")}


def test_actors_of_known_opposed_sides_never_match_and_acleds_name_forms_resolve():
    sets = actor_sets(_events([_acled("a1", "2017-03-01", actor2="QSD: Syrian Democratic Forces")]))
    assert "SDF" in sets[0]  # ACLED's "ABBR: Name" form
    assert actor_agreement(frozenset({"Islamic State"}), frozenset({"SDF"})) == 0.0
    assert actor_agreement(frozenset({"Islamic State"}), frozenset({"Islamic State", "x"})) == 1.0
    assert actor_agreement(frozenset({"someone unknown"}), frozenset({"SDF"})) == 0.5
    a = [_acled("a1", "2017-03-01", actor1="Islamic State (Syria)", actor2=None)]
    assert _pairs(a, [_ucdp("u1", "2017-03-01", actor1="SDF", actor2="HTS")]) == set()


def test_each_event_is_matched_once_the_best_pair_first():
    a = [_acled("far", "2017-03-01", lat=36.2 + 4 * KM), _acled("near", "2017-03-01", lat=36.2 + 0.5 * KM)]
    assert _pairs(a, [_ucdp("u1", "2017-03-01")]) == {("near", "u1")}


def test_gold_scores_ours_and_the_naive_rule(tmp_path):
    gold_csv = tmp_path / "gold.csv"
    gold_csv.write_text("pair_id,same,confidence,reason\na1~u1,yes,high,x\na2~u2,no,high,x\na3~u3,unsure,low,x\n")
    gold = read_gold(gold_csv)
    matched = pd.DataFrame({"a_id": ["a1", "a2"], "b_id": ["u1", "u9"]})
    s = score(matched, gold, method="ours")
    assert (s.precision, s.recall, s.judged, s.unsure) == (1.0, 1.0, 2, 1)
    naive = naive_pairs(_events([_acled("a1", "2017-03-01"), _acled("a2", "2017-03-01")]), _events([_ucdp("u1", "2017-03-01"), _ucdp("u2", "2017-03-01")]))
    assert len(naive) == 4  # any partner within the day and 10 km
    assert score(naive, gold, method="naive").precision == 0.5
    bad = tmp_path / "bad.csv"
    bad.write_text("pair_id,same\na1~u1,maybe\n")
    with pytest.raises(GeoError, match="same must be one of yes, no, unsure, got 'maybe'"):
        read_gold(bad)


def test_the_cli_writes_pairs_and_scores_gold(tmp_path, capsys):
    header = "event_id,event_date,latitude,longitude,event_type,actor1,actor2,country\n"
    (tmp_path / "a.csv").write_text(header + "a1,2017-03-01,36.2,37.15,Battles,Military Forces of Syria,Islamic State,Syria\n")
    (tmp_path / "b.csv").write_text(header + "b1,2017-03-02,36.21,37.15,Battles,Government of Syria,IS,Syria\n")
    (tmp_path / "gold.csv").write_text("pair_id,same\na1~b1,yes\n")
    assert main(["match", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--out", str(tmp_path / "p.csv"), "--gold", str(tmp_path / "gold.csv"), "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["pairs"] == 1 and said["scores"][0]["recall"] == 1.0 and said["scores"][1]["recall"] == 0.0  # naive: not the same day
    assert pd.read_csv(tmp_path / "p.csv")[["a_id", "b_id"]].values.tolist() == [["a1", "b1"]]
    assert main(["match", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--days", "99"]) == 2


@pytest.mark.skipif(not (ACLED.exists() and UCDP.exists()), reason="../shared/eval ACLED and UCDP files absent")
def test_real_acled_and_ucdp_2017_match_one_to_one_within_the_windows():
    acled = read_events(ACLED).events
    ucdp = read_events(UCDP).events
    found = match(acled, ucdp, windows=Windows(days=1, km=10))
    assert found["a_id"].is_unique and found["b_id"].is_unique
    assert found["days"].le(1).all() and found["km"].le(10).all()
    assert 1_000 < len(found) < len(ucdp[ucdp["event_date"].dt.year == 2017])  # battles both report, not every UCDP event
    assert set(found["a_id"]) <= set(acled["event_id"]) and set(found["b_id"]) <= set(ucdp["event_id"])
