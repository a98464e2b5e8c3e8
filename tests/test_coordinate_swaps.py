"""The lat/lon swap check rejects a row only with evidence from the world's country polygons."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.countries import probable_swaps
from geo.io import read_events
from geo.io.validate import NO_COUNTRY_WARNING

#: (case, country as the file writes it or None, latitude, longitude, probable swap)
CASES = [
    ("Al-Bukamal written lon, lat", "Syria", 40.91854, 34.45226, True),
    ("Baghdad swapped, ISO alpha-2", "IQ", 44.36, 33.31, True),
    ("Baghdad swapped, ISO numeric", "368", 44.36, 33.31, True),
    ("Baghdad swapped, ISO alpha-3", "IRQ", 44.36, 33.31, True),
    ("Dakar at the west edge of Africa", "Senegal", 14.69, -17.45, False),
    ("Banjul on the coast", "Gambia", 13.45, -16.58, False),
    ("Nouakchott", "Mauritania", 18.08, -15.98, False),
    ("Minsk", "Belarus", 53.9, 27.56, False),
    ("Moscow", "Russia", 55.75, 37.62, False),
    ("South Africa's centroid", "South Africa", -28.5, 24.7, False),
    ("UCDP's name with a former name", "Myanmar (Burma)", 23.69, 98.77, False),
    ("both readings inside the country", "Syria", 36.2, 37.16, False),
    ("point outside its country, swap outside too", "Syria", 51.5, -0.12, False),
    ("no country: a point in Turkey stays", None, 40.91854, 34.45226, False),  # on land: no evidence of a swap
    # A point at sea with no country and nothing else in the file: landing on some land proves nothing.
    ("no country: in the Black Sea, swapped in Iraq, alone in its file", None, 44.36, 31.0, False),
    ("no country: in the Gulf of Aden, swapped in Austria", None, 12.5, 47.0, False),
    ("no country: Bahamas' centroid at sea, swapped in Antarctica", None, 24.363, -76.678, False),
    ("no country: on land", None, 14.69, -17.45, False),
    ("Yemen's centroid", "Yemen", 15.9, 47.5, False),
    ("Aleppo swapped", "Syria", 37.16117, 36.20124, True),
]


@pytest.mark.parametrize(("case", "country", "lat", "lon", "swap"), CASES, ids=[c[0] for c in CASES])
def test_swap_needs_evidence(case, country, lat, lon, swap):
    countries = None if country is None else pd.Series([country])
    assert probable_swaps(pd.Series([lat]), pd.Series([lon]), countries).tolist() == [swap]


def test_far_apart_correct_points_in_one_file_all_load(tmp_path):
    rows = ["e1,2024-11-30,14.69,-17.45,Senegal", "e2,2024-11-30,53.9,27.56,Belarus", "e3,2024-11-30,55.75,37.62,Russia",
            "e4,2024-11-30,36.2,37.16,Syria", "e5,2024-11-30,40.91854,34.45226,Syria"]  # fmt: skip
    path = tmp_path / "world.csv"
    path.write_text("event_id,date,lat,lon,country\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = read_events(path).report
    assert report.rows_loaded == 4
    assert report.rejected[["event_id", "reason"]].values.tolist() == [["e5", "probable lat/lon swap"]]


SYRIA = [(36.20124, 37.16117, "Syria"), (35.93062, 36.63393, "Syria"), (35.13179, 36.75783, "Syria")]
YEMEN = [(12.7855, 45.0187, "Yemen"), (15.3694, 44.191, "Yemen"), (14.7978, 42.9545, "Yemen")]

#: (case, rows (lat, lon, country), whether the file has a country column, the event_id → reason expected, rows at sea kept)
FILES = [
    ("maritime incident in the Gulf of Aden, no country column", [*YEMEN, (12.5, 47.0, "")], False, {}, 1),
    ("incident in the Mediterranean's international waters, no country column", [*SYRIA, (34.0, 20.0, "")], False, {}, 1),
    ("Bahamas' centroid at sea, its swap in Antarctica, no country column", [*SYRIA, (24.363, -76.678, "")], False, {}, 1),
    ("Red Sea attack on a ship, country 'International waters'", [*YEMEN, (15.0, 41.8, "International waters")], True, {}, 1),
    ("Red Sea attack on a ship, country Yemen", [*YEMEN, (15.0, 41.8, "Yemen")], True, {}, 1),
    ("Yemen's and Syria's centroids, no country column", [*YEMEN, (15.9, 47.5, ""), (35.0, 38.5, "")], False, {}, 0),
    ("Aleppo swapped, country Syria", [*SYRIA, (37.16117, 36.20124, "Syria")], True, {"e4": "probable lat/lon swap"}, 0),
    # Jableh (35.36, 35.92) swapped falls in the sea off Syria, among the file's Syrian events: still a swap.
    ("Jableh swapped into the sea, no country column", [*SYRIA, (35.92, 35.36, "")], False, {"e4": "probable lat/lon swap"}, 0),
    ("impossible latitude whose swap is on land", [*SYRIA, (137.16, 36.2, "")], False, {"e4": "probable lat/lon swap"}, 0),
    ("impossible latitude whose swap is in the Tasman Sea", [*SYRIA, (160.0, -30.0, "")], False, {"e4": "latitude out of range"}, 0),
]  # fmt: skip


@pytest.mark.parametrize(("case", "rows", "with_country", "rejected", "at_sea"), FILES, ids=[c[0] for c in FILES])
def test_points_at_sea_are_kept_unless_their_swap_is_evidence(tmp_path, case, rows, with_country, rejected, at_sea):
    header = "event_id,date,lat,lon" + (",country" if with_country else "")
    lines = [f"e{i},2024-11-30,{lat},{lon}" + (f",{country}" if with_country else "") for i, (lat, lon, country) in enumerate(rows, 1)]
    path = tmp_path / "events.csv"
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    report = read_events(path).report
    assert dict(report.rejected[["event_id", "reason"]].values.tolist()) == rejected
    assert report.rows_loaded == len(rows) - len(rejected)
    assert report.warnings.get(NO_COUNTRY_WARNING, 0) == at_sea
