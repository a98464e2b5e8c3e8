"""Natural features in the curated gazetteer: mountains, ranges, wadis, plains and deserts of Syria and Iraq.

News names places the towns list lacks ("clashes in the Hamrin Mountains", "strikes on Wadi Hauran",
"the slopes of Mount Hermon"). Each feature is a curated row of kind ``region`` with one cited
coordinate and a coarse ACLED precision (2 for a mountain, hill, wadi or plain, 3 for a range or
desert spanning tens of km).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import shapely

from geo import layers
from geo.areas import canonical_governorate
from geo.articles import Article
from geo.extract import extract
from geo.gazetteer import Match, Unresolved, build_gazetteer, curated_entries, default_gazetteer
from geo.normalize import normalize
from geo.paths import DATA, GAZETTEER_DIR

CURATED = pd.read_csv(GAZETTEER_DIR / "curated.csv", keep_default_na=False)
FEATURES = CURATED[CURATED["kind"] == "region"]
#: Natural Earth's lines are ~1–2 km off at this scale (as for the landmarks, tests/test_offline_map.py):
#: Qandil's cited point is 0.4 km outside Iraq's polygon, on the Iranian border.
TOLERANCE_DEG = 0.02


@pytest.fixture(scope="module")
def gazetteer():
    return default_gazetteer()


def test_enough_features_each_with_a_cited_source_and_a_coarse_precision():
    assert len(FEATURES) >= 30
    assert FEATURES["name"].is_unique
    assert set(FEATURES["country"]) == {"SY", "IQ"}
    assert set(FEATURES["precision"].astype(int)) == {2, 3}
    for row in FEATURES.itertuples():
        page, _, rest = row.source.partition(": ")
        coordinate, _, description = rest.partition("; ")
        assert page and coordinate and len(description) > 20, row.name  # "<page>: <coordinate>; <description>"
        assert row.name not in row.aliases.split("|"), row.name


@pytest.mark.parametrize("row", list(CURATED.itertuples()), ids=list(CURATED["name"]))
def test_every_curated_row_lies_in_its_country_and_governorate(row):
    """A typo in a cited coordinate, or a feature given the wrong governorate, would put it elsewhere."""
    point = shapely.Point(row.lon, row.lat)
    country = layers.countries().set_index("iso").loc[row.country].geometry
    governorates = layers.governorates()
    assert canonical_governorate(row.admin1) == row.admin1, "admin1 must be the project's governorate name"
    governorate = governorates.set_index("name").loc[row.admin1]
    assert governorate.country == row.country
    assert country.buffer(TOLERANCE_DEG).contains(point), row.name
    assert governorate.geometry.buffer(TOLERANCE_DEG).contains(point), row.name


@pytest.mark.parametrize("row", list(FEATURES.itertuples()), ids=list(FEATURES["name"]))
def test_every_name_and_alias_resolves_to_the_feature_alone(gazetteer, row):
    """No alias is a town's name or another place's: each one, looked up in its country, is this feature."""
    for name in [row.name, *row.aliases.split("|")]:
        hit = gazetteer.lookup(name, country=row.country)
        assert isinstance(hit, Match), (name, hit)
        assert (hit.lat, hit.lon, hit.kind, hit.method) == (row.lat, row.lon, "region", "exact"), name
        assert hit.geo_precision == int(row.precision) and hit.admin1 == row.admin1, name
        assert hit.source.startswith("curated: ") and row.source in hit.source


def test_no_two_features_share_a_name():
    keys = [(normalize(n), r.name) for r in FEATURES.itertuples() for n in [r.name, *r.aliases.split("|")]]
    owners: dict[str, set[str]] = {}
    for key, name in keys:
        owners.setdefault(key, set()).add(name)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


@pytest.mark.parametrize(
    ("query", "country", "feature", "precision"),
    [
        ("Hamreen hills", "Iraq", "Hamrin Mountains", 3),
        ("Jabal Hamrin", None, "Hamrin Mountains", 3),
        ("جبال حمرين", None, "Hamrin Mountains", 3),
        ("Wadi Houran", "IQ", "Wadi Hauran", 3),
        ("Mount Sinjar", "Iraq", "Sinjar Mountains", 3),
        ("Jabal al-Sheikh", "Syria", "Mount Hermon", 2),
        ("Qalamoun", "Syria", "Qalamun Mountains", 3),
        ("Jebel Druze", "Syria", "Jabal al-Druze", 3),
        ("Wadi al-Tharthar", "Iraq", "Tharthar", 3),
        ("Tharthar area", "Iraq", "Tharthar", 3),  # "area" is a feature word: the name is Tharthar
        ("al-Ghab", "Syria", "Ghab Plain", 2),
        ("Kurd Dagh", "Syria", "Kurd Mountains", 3),
    ],
)
def test_lookups_by_alias(gazetteer, query, country, feature, precision):
    row = FEATURES.set_index("name").loc[feature]
    hit = gazetteer.lookup(query, country=country)
    assert isinstance(hit, Match), hit
    assert (hit.lat, hit.lon, hit.geo_precision, hit.kind) == (row.lat, row.lon, precision, "region")


def test_a_range_in_context_of_a_neighbouring_governorate_is_still_found(gazetteer):
    """The Hamrin ridge crosses Diyala, Salah al-Din and Kirkuk; its point is in Salah al-Din."""
    assert isinstance(gazetteer.lookup("Hamrin", country="IQ", admin1="Salah al-Din"), Match)
    assert isinstance(gazetteer.lookup("Hamrin", country="IQ", admin1="Basra"), Unresolved)


@pytest.mark.parametrize(("town", "country"), [("Sinjar", "Iraq"), ("Bashiqa", "Iraq"), ("Makhmur", "Iraq"), ("Afrin", "Syria"),
                                             ("al-Hara", "Syria"), ("Hauran", "Syria"), ("Nabi Yunus", "Iraq")])  # fmt: skip
def test_a_town_named_like_a_feature_never_lands_on_the_feature(gazetteer, town, country):
    """Sinjar is the town, not the range; Bashiqa the town (which the gazetteer lacks), not its hill."""
    hit = gazetteer.lookup(town, country=country)
    assert not (isinstance(hit, Match) and hit.kind == "region"), hit
    if town in ("Sinjar", "Afrin"):
        assert isinstance(hit, Match) and hit.kind == "place" and hit.geo_precision == 1, hit


def test_a_row_without_precision_keeps_the_default(tmp_path):
    header = "name,aliases,lat,lon,country,admin1,kind,source"
    (tmp_path / "old.csv").write_text(f"{header}\nVillage,,35.5,40.6,SY,Deir ez-Zor,place,src\n")
    (tmp_path / "new.csv").write_text(f"{header},precision\nVillage,,35.5,40.6,SY,Deir ez-Zor,place,src,\n"
                                      "Ridge,,35.0,43.6,IQ,Salah al-Din,region,src,3\n")  # fmt: skip
    none = tmp_path / "none.csv"
    assert curated_entries(tmp_path / "old.csv", landmarks=none)["precision"].isna().all()
    new = curated_entries(tmp_path / "new.csv", landmarks=none).set_index("name")["precision"]
    assert pd.isna(new["Village"]) and new["Ridge"] == 3
    assert build_gazetteer(include_shipped_learned=False).lookup("As-Suwar", country="SY").geo_precision == 1


def _article(body: str, published: date = date(2024, 12, 5)) -> Article:
    return Article("test", "Test article", published, "Test Outlet", "https://example.org/a", body, "test.txt")


@pytest.mark.parametrize(
    ("sentence", "feature", "country"),
    [
        ("Iraqi aircraft struck hideouts in the Hamreen hills on Tuesday.", "Hamrin Mountains", "Iraq"),
        ("Turkish drones struck PKK positions in the Qandil mountains on Friday.", "Qandil Mountains", "Iraq"),
        ("Israeli forces shelled positions on the slopes of Mount Hermon on Monday.", "Mount Hermon", "Syria"),
    ],
)
def test_the_extractor_places_an_event_at_the_feature_with_its_precision(sentence, feature, country):
    events, _ = extract(_article(sentence))
    row = FEATURES.set_index("name").loc[feature]
    assert len(events) == 1, events[["location", "sub_event_type"]]
    event = events.iloc[0]
    assert (event["latitude"], event["longitude"]) == (row.lat, row.lon)
    assert event["geo_precision"] == int(row.precision) and event["geo_precision_source"] == "article:region"
    assert (event["country"], event["admin1"]) == (country, row.admin1)


def test_a_feature_word_in_lower_case_names_the_feature_not_the_town():
    """In "the Sinjar mountains" the capitalised name alone is a town (in Syria first, for an article
    that names no country); with its feature word it is the range. A village the gazetteer lacks is not
    placed at the range's one point as if it were a town."""
    events, _ = extract(_article("ISIS fighters attacked the village of Qzxwvut in the Sinjar mountains on Tuesday."))
    row = FEATURES.set_index("name").loc["Sinjar Mountains"]
    assert events["location"].tolist() == ["Sinjar mountains"]
    event = events.iloc[0]
    assert (event["latitude"], event["longitude"], event["geo_precision"]) == (row.lat, row.lon, 3)


def test_a_feature_that_locates_a_town_is_no_event_of_its_own():
    """In "the town of Salma in the Jabal al-Akrad" the range says where Salma is, as a governorate would."""
    sentence = "Syrian army troops clashed with rebels in the town of Salma in the Jabal al-Akrad on Tuesday."
    events, _ = extract(_article(sentence))
    assert events["location"].tolist() == ["Salma"] and events.iloc[0]["geo_precision"] == 1


def test_natural_features_are_not_map_labels():
    from geo.labels import label_candidates

    curated = label_candidates().query("kind == 'curated'")
    assert not set(FEATURES["name"]) & set(curated["name"])
    assert "As-Suwar" in set(curated["name"])


def test_data_readme_cites_every_natural_feature():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in FEATURES["name"]:
        assert name in readme, name
