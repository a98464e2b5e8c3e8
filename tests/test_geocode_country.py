"""Place names without coordinates land only in the country their row or file names.

Small files of names written here: a name that exists in Syria too, from a country the
gazetteer does not cover, stays unplaced with its reason; a country column (any spelling of
one), a mapped column or the ``--country`` flag bounds where names may land; a row naming no
country is placed only on a name found in one covered country, never against its admin1; and
the load report counts what was placed, how and where.
"""

from __future__ import annotations

import json

import pytest

from geo.cli import main
from geo.countries import country_code
from geo.gazetteer import covered_countries
from geo.io import read_events

COVERED = ", ".join(covered_countries())
SUDAN = f"place not geocoded: Sudan is not covered by the gazetteer (covered: {COVERED})"

# (case, CSV text, read_events options, {location or row: country placed in}, {reason: rows})
CASES = [
    (
        "Yemeni name that is also Syrian, country column: each in its own country",
        "date,place,country\n2024-01-02,Al Mansura,Yemen\n2024-01-03,Saraqeb,Syria\n",
        {}, {"Al Mansura": "YE", "Saraqeb": "SY"}, {},
    ),
    (
        "a country the gazetteer does not cover: never its namesake in Syria",
        "date,place,country\n2024-01-02,Al Mansura,Sudan\n2024-01-03,Saraqeb,Syria\n",
        {}, {"Saraqeb": "SY"}, {SUDAN: 1},
    ),
    (
        "the file's country flag",
        "date,place\n2024-01-02,Al Mansura\n2024-01-03,Saraqeb\n",
        {"country": "SD"}, {}, {SUDAN: 2},
    ),
    (
        "Syrian name, file's country Syria",
        "date,place\n2024-01-03,Saraqeb\n",
        {"country": "Syria"}, {"Saraqeb": "SY"}, {},
    ),
    (
        "iso3 column mixing Syria and Iraq: each row in its own country",
        "date,place,iso3\n2024-01-02,Nasiriyah,SYR\n2024-01-03,Nasiriyah,IRQ\n",
        {}, {0: "SY", 1: "IQ"}, {},
    ),
    (
        "numeric ISO column (ACLED's iso)",
        "date,place,iso\n2024-01-02,Nasiriyah,368\n",
        {}, {0: "IQ"}, {},
    ),
    (
        "mapped country column",
        "date,place,pays\n2024-01-02,Al Mansura,SDN\n",
        {"mapping": {"country": "pays"}}, {}, {SUDAN: 1},
    ),
    (
        "no country: a name in Syria and Turkey is no answer",
        "date,place\n2024-01-02,Derik\n2024-01-03,Saraqeb\n",
        {}, {"Saraqeb": "SY"},
        {"place not geocoded: places of that name in several countries (SY, TR) and no country given": 1},
    ),
    (
        "no country, admin1 of a country the gazetteer does not cover",
        "date,place,admin1\n2024-01-02,Al Mansura,Khartoum\n2024-01-03,Saraqeb,Idlib\n",
        {}, {"Saraqeb": "SY"},
        {f"place not geocoded: no country given and admin1 is no region of a covered country ({COVERED})": 1},
    ),
    (
        "row's country contradicts the file's",
        "date,place,country\n2024-01-02,Nasiriyah,Iraq\n2024-01-03,Saraqeb,\n",
        {"country": "SY"}, {"Saraqeb": "SY"},
        {"place not geocoded: the row's country contradicts the file's country": 1},
    ),
    (
        "country columns that disagree",
        "date,place,country,iso3\n2024-01-02,Nasiriyah,Syria,IRQ\n",
        {}, {}, {"place not geocoded: the row's country columns disagree": 1},
    ),
    (
        "a country no one recognises",
        "date,place,country\n2024-01-02,Saraqeb,Atlantis\n",
        {}, {}, {"place not geocoded: country not recognised": 1},
    ),
    (
        "country_id is a Gleditsch-Ward number, not an ISO code: no country evidence",
        "date,place,country_id,admin1\n2024-01-02,Saraqeb,652,Idlib\n",
        {}, {0: "SY"}, {},
    ),
    (
        "a column named cc that holds no countries is no country evidence",
        "date,place,cc,admin1\n2024-01-02,Saraqeb,x1,Idlib\n2024-01-03,Saraqeb,x2,Idlib\n",
        {}, {0: "SY", 1: "SY"}, {},
    ),
]


@pytest.mark.parametrize(("case", "text", "options", "placed", "reasons"), CASES, ids=[c[0] for c in CASES])
def test_names_land_only_in_the_rows_country(tmp_path, case, text, options, placed, reasons):
    path = tmp_path / "places.csv"
    path.write_text(text, encoding="utf-8")
    result = read_events(path, **options)
    events = result.events.reset_index(drop=True)
    where = {}
    for key in placed:
        row = events.iloc[key] if isinstance(key, int) else events[events["location"] == key].iloc[0]
        where[key] = _country_of(row)
    assert where == placed, case
    assert len(events) == len(placed)
    assert result.report.reasons == reasons
    assert result.report.geocoding["unplaced"] == sum(reasons.values())
    assert result.report.geocoding["placed"] == len(placed)


def _country_of(row) -> str:
    """The country whose polygon holds (or lies nearest) the placed point."""
    import shapely

    from geo.countries import world

    point = shapely.Point(row["longitude"], row["latitude"])
    return str(world()["iso_a2"].iat[int(shapely.distance(world().geometry.to_numpy(), point).argmin())])


def test_unplaced_rows_name_the_place_and_the_country(tmp_path):
    path = tmp_path / "yemen.csv"
    path.write_text("date,place,country\n2024-01-02,Saraqeb,Yemen\n", encoding="utf-8")
    rejected = read_events(path).report.rejected
    assert rejected["detail"].iloc[0].startswith("no place named 'Saraqeb' in Yemen in the gazetteer")


def test_report_counts_methods_countries_and_the_missing_country(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "date,place,country,admin1\n"
        "2024-01-02,Saraqeb,Syria,\n2024-01-03,Saraqeb,Syria,\n2024-01-04,Nasiriyah,Iraq,\n"
        "2024-01-05,Jisr al-Shugour,Syria,Idlib\n2024-01-06,Al Mansura,Sudan,\n2024-01-07,Derik,,\n",
        encoding="utf-8",
    )
    report = read_events(path).report
    geo = report.geocoding
    assert (geo["rows"], geo["placed"], geo["unplaced"]) == (6, 4, 2)
    assert geo["by_country"] == {"SY": 3, "IQ": 1}
    assert geo["by_method"]["exact"] == 3 and sum(geo["by_method"].values()) == 4
    assert geo["rows_without_country"] == 1 and geo["covered"] == list(covered_countries())
    assert geo["country_from"] == "column country"
    summary = report.summary()
    assert "geocoded — 4 of 6 rows" in summary and "SY 3, IQ 1" in summary
    assert "country not given for 1 rows" in summary


@pytest.mark.parametrize(("flag", "placed"), [("SD", 0), ("YE", 1), ("SY", 1), ("Syria", 1), ("syr", 1)])
def test_ingest_country_flag(tmp_path, capsys, flag, placed):
    path = tmp_path / "names.csv"
    path.write_text("date,place\n2024-01-02,Al Mansura\n", encoding="utf-8")
    assert main(["ingest", str(path), "--country", flag, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows_loaded"] == placed
    assert report["geocoding"]["placed"] == placed
    assert report["geocoding"]["country_from"].startswith("the file's country")


def test_ingest_country_flag_naming_no_country_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "names.csv"
    path.write_text("date,place\n2024-01-02,Saraqeb\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["ingest", str(path), "--country", "Atlantis"])
    assert exit_info.value.code == 2
    assert "expected a country name or ISO code" in capsys.readouterr().err


def test_read_events_refuses_a_country_naming_none(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("date,place\n2024-01-02,Saraqeb\n", encoding="utf-8")
    with pytest.raises(ValueError, match="country: expected"):
        read_events(path, country="Atlantis")


def test_store_save_passes_the_country(tmp_path):
    from geo.storage.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path)
    content = b"date,place\n2024-01-02,Al Mansura\n2024-01-03,Saraqeb\n"
    yemen_id, in_yemen = store.save(content, name="names.csv", country="YE")
    unbounded_id, unbounded = store.save(content, name="names.csv")
    assert yemen_id != unbounded_id  # the same bytes read with another country are another dataset
    assert in_yemen.report.rows_loaded == 1  # Al Mansura in Yemen; Saraqeb is no Yemeni place
    # No country: Saraqeb is a name of Syria alone; Al Mansura lies in several countries and is no answer.
    assert unbounded.report.rows_loaded == 1


@pytest.mark.parametrize(("written", "code"), [
    ("Türkiye", "TR"), ("Turkiye", "TR"), ("TÜRKİYE", "TR"), ("Turkey", "TR"), ("Viet Nam", "VN"),
    ("Iran, Islamic Republic of", "IR"), ("Syrian Arab Republic", "SY"), ("Côte d'Ivoire", "CI"), ("Cote d’Ivoire", "CI"),
    ("YEM", "YE"), ("887", "YE"), ("Korea", None), ("", None), ("Atlantis", None),
])  # fmt: skip
def test_a_country_is_known_by_its_natural_earth_and_iso_names(written, code):
    """Files name countries as ISO 3166 does (renames Natural Earth predates) or without accents."""
    assert country_code(written) == code
