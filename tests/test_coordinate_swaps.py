"""The lat/lon swap check rejects a row only with evidence from the world's country polygons."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.countries import probable_swaps
from geo.io import read_events

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
    ("no country: in the sea, swapped in Iraq", None, 44.36, 31.0, True),
    ("no country: on land", None, 14.69, -17.45, False),
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
