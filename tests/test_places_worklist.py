"""The places worklist and the shared gazetteer layer (#34), on both backends.

An upload naming a village no source knows puts it on the worklist (count, examples, where it came
from); an analyst gives it a point and a citation, checked against the country; the next upload of
that name is placed by the shared entry, and the earlier rejected rows are placed on request as a
new version of their dataset; a coded dataset's own precise points teach the layer names it lacks.
Viewers are refused, hostile text is kept verbatim and never run, and every step is in the audit log.

Every file here is SYNTHETIC: written in this module, with made-up villages ("Tell Zaytunat
al-Wahm", "Mazraat Test Sahl", "Khirbat Wahm") and made-up events; no real data.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo.access import ANONYMOUS, LOCAL, NotAvailable, User
from geo.gazetteer import Match, Unresolved, active_gazetteer, build_gazetteer, default_gazetteer, using
from geo.place_learning import VERDICTS
from geo.place_store import shared_entries
from geo.places import SharedPlace, Sighting, checked_place, entries_frame, gazetteer_for, worklist_entries

ALICE = User("alice", email="alice@desk.example", groups=frozenset({"syria-desk"}), role="analyst")
BOB = User("bob", email="bob@desk.example", groups=frozenset({"syria-desk"}), role="viewer")
CAROL = User("carol", email="carol@other.example", groups=frozenset({"iraq-desk"}), role="analyst")
DANA = User("dana", email="dana@desk.example", role="admin")

VILLAGE = "Tell Zaytunat al-Wahm"  # synthetic: no source has it
#: Synthetic events by place name only (no coordinates): two rows name the unknown village, one a known town.
UNKNOWN = f"""event_date,location,country,admin1,event_type,actor1,fatalities
2024-03-01,{VILLAGE},Syria,Aleppo,Battles,Military Forces of Syria,2
2024-03-02,Manbij,Syria,Aleppo,Battles,Military Forces of Syria,1
2024-03-03,{VILLAGE},Syria,Aleppo,Battles,Military Forces of Syria,0
2024-03-04,Qaryat Nowhere Test,Syria,,Battles,Military Forces of Syria,0
"""
POINT = {"lat": 36.45, "lon": 37.9, "country": "Syria", "admin1": "Aleppo"}  # in Aleppo governorate
CITATION = "https://example.org/synthetic-map#tell-zaytunat (sheet 4, grid 37-36)"
HOSTILE = "<img src=x onerror=alert(1)> '); DROP TABLE shared_places; -- \u202e {{7*7}} ${jndi:x} =cmd|' /C calc'!A0"


def _save(store, text: str, user: User = ALICE, *, name: str = "synthetic.csv") -> str:
    dataset_id, _ = store.save(text.encode(), name=name, user=user)
    return dataset_id


def _entry(store, user: User, name: str = VILLAGE):
    return next(e for e in store.worklist(user) if e.name == name)


def test_an_unknown_village_goes_on_the_worklist_once_with_its_count_and_examples(any_store):
    dataset_id, result = any_store.save(UNKNOWN.encode(), name="synthetic.csv", user=ALICE)
    assert result.report.rows_loaded == 1 and result.report.rows_rejected == 3
    entry = _entry(any_store, ALICE)
    assert (entry.country, entry.admin1, entry.count) == ("SY", "Aleppo", 2)
    assert entry.examples == ((dataset_id, "line 2"), (dataset_id, "line 4"))
    assert entry.datasets == (dataset_id,) and entry.articles == () and entry.placed_by == ""
    assert entry.reasons == ("no place of that name in Syria",) and entry.first_seen <= entry.last_seen
    assert [e.name for e in any_store.worklist(ALICE)] == [VILLAGE, "Qaryat Nowhere Test"]
    assert _save(any_store, UNKNOWN) == dataset_id  # the same file again: the same dataset, recorded once
    assert _entry(any_store, ALICE).count == 2
    assert [a for a in any_store.audit_log(DANA)["action"] if a == "worklist"] == ["worklist"]


def test_the_worklist_shows_only_the_names_of_what_the_user_may_see(any_store):
    dataset_id = _save(any_store, UNKNOWN)
    assert any_store.worklist(BOB) == [] and any_store.worklist(CAROL) == [] and any_store.worklist(ANONYMOUS) == []
    assert _entry(any_store, DANA).count == 2  # an admin sees every dataset
    any_store.share(dataset_id, ALICE, visibility="team", teams=("syria-desk",))
    assert _entry(any_store, BOB).count == 2 and any_store.worklist(CAROL) == []


def test_a_shared_place_places_the_next_upload_and_replace_moves_the_rejected_rows(any_store):
    first = _save(any_store, UNKNOWN)
    before, version = any_store.load(first, ALICE), any_store.info(first, ALICE).version
    place = any_store.add_place(VILLAGE, ALICE, **POINT, citation=CITATION)
    assert (place.country, place.admin1, place.citation, place.author) == ("SY", "Aleppo", CITATION, ALICE.label)
    assert _entry(any_store, ALICE).placed_by == place.id
    assert VILLAGE not in [e.name for e in any_store.worklist(ALICE, open_only=True)]

    second, result = any_store.save(UNKNOWN.replace("2024-03", "2024-04").encode(), name="later.csv", user=ALICE)
    placed = any_store.load(second, ALICE)
    placed = placed[placed["location"] == VILLAGE]
    assert len(placed) == 2 and result.report.rows_rejected == 1
    assert placed["geocoded_by"].str.contains(f"shared: {CITATION} (by {ALICE.label}, ", regex=False).all()
    assert placed["latitude"].tolist() == [36.45, 36.45]

    report = any_store.replace_places(first, ALICE)
    assert report.placed["line"].tolist() == [2, 4] and report.still_unplaced == 1 and report.rejected_now.empty
    assert report.placed["geocoded_by"].str.contains(f"shared: {CITATION}", regex=False).all()
    info = any_store.info(first, ALICE)
    assert (info.rows, info.rejected, info.version) == (3, 1, report.version) and report.version != version
    after = any_store.load(first, ALICE)
    assert sorted(after["source_line"]) == [2, 3, 4]
    kept = after[after["source_line"] == 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.DataFrame(kept.drop(columns="geometry")), pd.DataFrame(before.drop(columns="geometry")).reset_index(drop=True),
                                  check_dtype=False, check_categorical=False)  # fmt: skip
    assert [(e.name, e.count) for e in any_store.worklist(ALICE)] == [("Qaryat Nowhere Test", 2)]  # both files' row 5

    again = any_store.replace_places(first, ALICE)  # nothing left to place: no new version
    assert again.placed.empty and again.version == report.version and any_store.info(first, ALICE).version == report.version
    actions = any_store.audit_log(DANA).iloc[::-1]
    steps = [(a, d) for a, d in zip(actions["action"], actions["dataset"], strict=True) if a != "export"]
    assert steps == [("upload", first), ("worklist", first), ("shared_place", place.id), ("upload", second), ("worklist", second),
                     ("replace_places", first), ("replace_places", first)]  # fmt: skip
    assert "2 rows placed" in actions[actions["action"] == "replace_places"]["detail"].iloc[0]


def test_a_dataset_whose_every_row_was_unplaced_gets_its_events_by_replace(any_store):
    only = "event_date,location,country,admin1\n2024-05-01,Mazraat Nowhere Test,Syria,Aleppo\n"
    dataset_id = _save(any_store, only)
    assert any_store.info(dataset_id, ALICE).rows == 0
    any_store.add_place("Mazraat Nowhere Test", ALICE, lat=36.3, lon=37.5, country="SY", citation="synthetic field note 7")
    report = any_store.replace_places(dataset_id, ALICE)
    assert report.placed["line"].tolist() == [2]
    assert any_store.load(dataset_id, ALICE)["location"].tolist() == ["Mazraat Nowhere Test"]


def test_viewers_and_other_analysts_are_refused_and_logged(any_store):
    dataset_id = _save(any_store, UNKNOWN)
    any_store.share(dataset_id, ALICE, visibility="signed_in")
    for user in (BOB, ANONYMOUS):
        with pytest.raises(PermissionError, match="add_place: expected an analyst or an admin"):
            any_store.add_place(VILLAGE, user, **POINT, citation=CITATION)
        with pytest.raises(PermissionError, match="expected an analyst or an admin"):
            any_store.replace_places(dataset_id, user)
        with pytest.raises(PermissionError, match="expected an analyst or an admin"):
            any_store.learn_places(dataset_id, user)
    with pytest.raises(PermissionError, match="replace_places: expected the dataset's owner or an admin"):
        any_store.replace_places(dataset_id, CAROL)  # she sees it, but it is Alice's
    with pytest.raises(NotAvailable):
        any_store.replace_places("0" * 32, ALICE)
    assert any_store.shared_places(ALICE) == []
    denied = any_store.audit_log(DANA).query("action == 'denied'")["detail"].tolist()
    assert sorted(denied) == sorted(["add_place", "replace_places", "learn_places"] * 2 + ["replace_places"])
    assert any_store.replace_places(dataset_id, DANA).placed.empty  # an admin may (nothing to place yet)


def test_a_shared_place_is_removed_by_its_author_or_an_admin_and_its_name_reopens(any_store):
    _save(any_store, UNKNOWN)  # the village on the worklist
    place = any_store.add_place(VILLAGE, ALICE, **POINT, citation=CITATION)
    assert _entry(any_store, ALICE).placed_by == place.id
    placed = _save(any_store, UNKNOWN.replace("2024-03", "2024-04"), name="placed.csv")  # its two rows placed by the entry
    with pytest.raises(PermissionError, match="expected an analyst or an admin"):
        any_store.remove_place(place.id, BOB, reason="wrong village")
    with pytest.raises(PermissionError, match=r"expected the place's author \(alice"):
        any_store.remove_place(place.id, CAROL, reason="wrong village")  # another analyst
    with pytest.raises(ValueError, match="reason"):
        any_store.remove_place(place.id, ALICE, reason="  ")
    assert [p.id for p in any_store.shared_places(ALICE)] == [place.id]  # nothing refused took it out
    gone = any_store.remove_place(place.id, ALICE, reason="the point is the next village's; sheet 5 has it")
    assert gone == place and any_store.shared_places(ALICE) == []
    with pytest.raises(NotAvailable):
        any_store.remove_place(place.id, DANA, reason="again")  # removed already (on another replica, say)
    assert _entry(any_store, ALICE).placed_by == "" and VILLAGE in [e.name for e in any_store.worklist(ALICE, open_only=True)]
    _, result = any_store.save(UNKNOWN.replace("2024-03", "2024-05").encode(), name="later.csv", user=ALICE)
    assert result.report.rows_rejected == 3  # the layer no longer places it
    kept = any_store.load(placed, ALICE)
    assert (kept["location"] == VILLAGE).sum() == 2  # events it placed keep their point and provenance
    again = any_store.add_place(VILLAGE, DANA, **{**POINT, "lat": 36.46}, citation="synthetic sheet 5")  # corrected: added again
    with pytest.raises(PermissionError, match="author"):
        any_store.remove_place(again.id, ALICE, reason="mine now?")
    any_store.remove_place(again.id, DANA, reason="an admin may")
    log = any_store.audit_log(DANA)
    assert log[log["action"] == "remove_place"]["detail"].str.startswith(VILLAGE).tolist() == [True, True]
    assert (log[log["action"] == "denied"]["detail"] == "remove_place").sum() == 3  # Bob, Carol, Alice on Dana's


@pytest.mark.parametrize(("change", "message"), [
    ({"lat": 33.31, "lon": 44.36}, "lat, lon: expected a point in Syria, the country given with 'Tell Zaytunat al-Wahm'; got 33.31, 44.36, which lies in Iraq"),
    ({"lat": 34.5, "lon": 33.0}, "which lies in no country"),
    ({"lat": 95.0}, "lat: expected decimal degrees from -90 to 90, got '95.0'"),
    ({"lon": "east"}, "lon: expected decimal degrees from -180 to 180, got 'east'"),
    ({"lat": float("nan")}, "lat: expected decimal degrees"),
    ({"country": "France"}, "country: expected a country the gazetteer covers"),
    ({"country": ""}, "country: expected a country the gazetteer covers"),
    ({"admin1": "Idlib"}, "lat, lon: expected a point in Idlib \\(admin1\\)"),
    ({"citation": "   "}, "citation: expected text of 1 to 1,000 characters"),
    ({"citation": "x" * 1001}, "citation: expected text of 1 to 1,000 characters"),
    ({"citation": "a\x00b"}, "citation: expected text of 1 to 1,000 characters \\(no NUL\\)"),
])  # fmt: skip
def test_a_bad_place_is_refused_naming_the_argument(any_store, change, message):
    with pytest.raises(ValueError, match=message):
        any_store.add_place(VILLAGE, ALICE, **{**POINT, "citation": CITATION, **change})
    assert any_store.shared_places(ALICE) == [] and "shared_place" not in set(any_store.audit_log(DANA)["action"])


def test_a_name_already_shared_is_refused(any_store):
    any_store.add_place(VILLAGE, ALICE, **POINT, citation=CITATION)
    with pytest.raises(ValueError, match=r"name: expected a name not in the shared layer yet, got 'Tal Zaytunat al Wahm' in SY Aleppo \(added by alice@desk.example on "):
        any_store.add_place("Tal Zaytunat al Wahm", DANA, **POINT, citation="another source")  # the same name, another spelling


def test_hostile_names_and_citations_are_kept_verbatim_and_never_run(any_store):
    name = f"Qaryat {HOSTILE}"
    quoted = '"' + name.replace('"', '""') + '"'
    dataset_id = _save(any_store, f"event_date,location,country\n2024-06-01,{quoted},SY\n2024-06-02,{quoted},SY\n")
    assert _entry(any_store, ALICE, name).count == 2
    place = any_store.add_place(name, ALICE, lat=35.0, lon=38.0, country="SY", citation=HOSTILE)
    assert any_store.shared_places(BOB)[0].name == name and any_store.shared_places(BOB)[0].citation == HOSTILE
    report = any_store.replace_places(dataset_id, ALICE)
    assert report.placed["location"].tolist() == [name, name]
    assert report.placed["geocoded_by"].iloc[0] == f"exact match '{name}' ({place.source})"
    assert shared_entries(any_store)["source"].tolist() == [place.source]
    log = any_store.audit_log(DANA)
    assert log["action"].tolist() == ["replace_places", "shared_place", "worklist", "upload"]  # every table is still there
    assert log["detail"].iloc[1].endswith(HOSTILE[:80]) and any_store.datasets(ALICE)


def test_learn_places_adds_a_datasets_own_names_with_provenance(any_store):
    manbij = default_gazetteer().lookup("Manbij", country="SY")
    jarabulus = default_gazetteer().lookup("Jarabulus", country="SY")
    assert isinstance(manbij, Match) and isinstance(jarabulus, Match)
    coded = f"""event_date,location,country,admin1,latitude,longitude,geo_precision
2024-02-01,Mazraat Test Sahl,Syria,Aleppo,36.301,37.601,1
2024-02-02,Mazraat Test Sahl,Syria,Aleppo,36.303,37.603,1
2024-02-03,Manbij,Syria,Aleppo,{manbij.lat},{manbij.lon},1
2024-02-04,Jarabulus,Syria,Aleppo,{jarabulus.lat - 0.4},{jarabulus.lon},1
2024-02-05,Wadi Spread Test,Syria,Aleppo,36.10,37.10,1
2024-02-06,Wadi Spread Test,Syria,Aleppo,36.40,37.50,1
2024-02-07,Region Only Test,Syria,Aleppo,36.20,37.20,3
"""  # synthetic: a made-up village twice, two known towns (one 44 km off), a name 48 km apart, a region-level row
    dataset_id = _save(any_store, coded, name="coded.csv")
    report = any_store.learn_places(dataset_id, ALICE)
    verdicts = dict(zip(report.table["name"], report.table["verdict"], strict=True))
    assert verdicts == {"Jarabulus": "conflict", "Manbij": "known", "Mazraat Test Sahl": "add", "Wadi Spread Test": "spread"}
    assert set(VERDICTS) >= set(verdicts.values())
    assert report.conflicts["name"].tolist() == ["Jarabulus"] and "km away" in report.conflicts["detail"].iloc[0]
    (added,) = report.added
    assert (added.name, added.dataset_id, added.count, added.author, added.country, added.admin1) == (
        "Mazraat Test Sahl", dataset_id, 2, ALICE.label, "SY", "Aleppo")
    assert added.citation.startswith("learned from dataset 'coded.csv': median of 2 events") and dataset_id not in added.citation
    assert abs(added.lat - 36.302) < 1e-6
    assert any_store.shared_places(CAROL)[0].dataset_id == ""  # she may not list the dataset: its id stays unsaid
    assert any_store.learn_places(dataset_id, ALICE).added == ()  # learned once
    later = _save(any_store, "event_date,location,country,admin1\n2024-07-01,Mazraat Test Sahl,Syria,Aleppo\n", name="later.csv")
    assert any_store.load(later, ALICE)["geocoded_by"].str.contains("learned from dataset 'coded.csv'").all()
    log = any_store.audit_log(DANA)
    assert log.query("action == 'learn_places'")["detail"].tolist() == ["conflict 1, known 1, shared 1, spread 1", "conflict 1, known 1, add 1, spread 1"]
    assert log.query("action == 'shared_place'")["detail"].str.startswith(f"learned from dataset {dataset_id}: Mazraat Test Sahl").any()


def test_an_articles_unknown_village_is_listed_and_a_shared_place_places_it_in_the_next(any_store):
    text = """---
title: Synthetic places report {n}
date: 2025-01-0{n}
outlet: Test Desk
url: https://example.org/places-test-{n}
---
Government forces shelled the village of Khirbat Wahm near Saraqib on Sunday, killing 3 civilians.
"""
    first = any_store.propose_article(text.format(n=6), ALICE, name="first")
    (candidate,) = first.candidates
    assert "place: anchored match 'Saraqib' (not in the gazetteer; placed at Saraqib, which the text names with it)" in candidate.reasons
    entry = _entry(any_store, ALICE, "Khirbat Wahm")
    assert entry.articles == (first.article_id,) and entry.count == 1 and entry.admin1 == "Idlib"
    assert entry.examples[0][1].startswith("Government forces shelled the village of Khirbat Wahm")
    place = any_store.add_place("Khirbat Wahm", ALICE, lat=35.87, lon=36.75, country="SY", admin1="Idlib", citation=CITATION)
    second = any_store.propose_article(text.format(n=7), ALICE, name="second")
    (placed,) = second.candidates
    assert placed.places[0].source == place.source and (placed.latitude, placed.longitude) == (35.87, 36.75)
    assert active_gazetteer() is default_gazetteer()  # the store's gazetteer was used for that extraction only


def test_deleting_a_dataset_deletes_its_held_rows_and_worklist_names(any_store):
    dataset_id = _save(any_store, UNKNOWN)
    any_store.delete(dataset_id, ALICE)
    assert any_store.worklist(DANA) == [] and any_store._held(dataset_id) is None


# ---------------------------------------------------------------------- the pure parts


def _place(name: str, **fields: object) -> SharedPlace:
    values = {"id": "a" * 32, "name": name, "lat": 36.45, "lon": 37.9, "country": "SY", "admin1": "Aleppo",
              "citation": "synthetic", "author": "t", "added": "2025-01-01T00:00:00+00:00"} | fields  # fmt: skip
    return SharedPlace(**values)


def test_a_store_aware_gazetteer_places_a_shared_name_and_is_built_once_per_layer_version():
    assert isinstance(default_gazetteer().lookup(VILLAGE, country="SY", admin1="Aleppo"), Unresolved)
    layer = [_place(VILLAGE)]
    built = gazetteer_for(layer)
    found = built.lookup(VILLAGE, country="SY", admin1="Aleppo")
    assert isinstance(found, Match) and found.source == layer[0].source and found.geo_precision == 1
    assert gazetteer_for(list(layer)) is built and gazetteer_for([]) is default_gazetteer()
    assert gazetteer_for([*layer, _place("Other Test", id="b" * 32)]) is not built
    with using(built):
        assert active_gazetteer() is built
    assert active_gazetteer() is default_gazetteer()
    direct = build_gazetteer(shared=entries_frame(layer)).lookup(VILLAGE, country="SY")
    assert isinstance(direct, Match) and direct.name == VILLAGE


def test_sightings_group_into_entries_by_name_key_country_and_admin1():
    seen = [Sighting(VILLAGE, "SY", "Aleppo", "dataset", "d1", 3, ("line 2", "line 3", "line 9"), "ambiguous", "2025-01-02"),
            Sighting("Tal Zaytunat al Wahm", "SY", "Halab", "dataset", "d2", 4, ("line 5", "line 6", "line 7"), "ambiguous", "2025-01-01"),
            Sighting(VILLAGE, "IQ", "", "article", "a1", 1, ("A sentence.",), "not in the gazetteer", "2025-01-03")]  # fmt: skip
    first, second = worklist_entries(seen, [_place(VILLAGE)])
    assert (first.count, first.country, first.datasets, first.first_seen, first.last_seen) == (7, "SY", ("d2", "d1"), "2025-01-01", "2025-01-02")
    assert len(first.examples) == 5 and first.examples[0] == ("d2", "line 5") and first.placed_by == "a" * 32
    assert (second.count, second.articles, second.placed_by) == (1, ("a1",), "")  # the shared place is in Syria, not Iraq
    (nowhere,) = worklist_entries([Sighting(VILLAGE, "", "", "dataset", "d3", 1, ("line 2",), "ambiguous", "2025-01-04")], [_place(VILLAGE)])
    assert nowhere.placed_by == "a" * 32  # rows that named no country: a hint that the shared place may answer


def test_checked_place_keeps_text_verbatim_and_canonicalises_the_governorate():
    name, lat, lon, cc, admin1, citation = checked_place(f" {HOSTILE} ", lat="36.45", lon=37.9, country="SYR", admin1="Halab", citation=HOSTILE)
    assert (name, lat, lon, cc, admin1, citation) == (f" {HOSTILE} ", 36.45, 37.9, "SY", "Aleppo", HOSTILE)
    with pytest.raises(ValueError, match="lat: expected decimal degrees"):
        checked_place("x", lat=True, lon=37.9, country="SY", citation="c")


def test_the_local_user_may_add_a_place_with_sign_in_off(tmp_path):
    from geo.storage.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "datasets")
    assert store.add_place(VILLAGE, LOCAL, **POINT, citation=CITATION).author == LOCAL.label
