"""Decimal degrees with a hemisphere letter are read; a letter that contradicts its column or sign is a rejection."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.io import read_events
from geo.io.coords import parse_coordinates

HEADER = "event_id,event_date,latitude,longitude\n"
AXIS = "hemisphere letter contradicts the column (E/W in latitude or N/S in longitude)"
SIGN = "hemisphere letter contradicts the sign (e.g. -35.7N)"

#: (case, latitude text, longitude text, (lat, lon) read — or the reason the row is rejected)
CASES = [
    ("letter after the number", "35.7874449N", "36.0372269E", (35.7874449, 36.0372269)),
    ("letter before the number", "N35.78", "E36.03", (35.78, 36.03)),
    ("letter after a space", "35.78 N", "36.03 E", (35.78, 36.03)),
    ("letter before a space", "N 35.78", "E 36.03", (35.78, 36.03)),
    ("degree sign and letter", "35.78°N", "36.03°E", (35.78, 36.03)),
    ("lower-case letters", "35.78n", "36.03e", (35.78, 36.03)),
    ("south is negative", "33.92S", "18.42E", (-33.92, 18.42)),
    ("west is negative", "14.69N", "17.45W", (14.69, -17.45)),
    ("a minus sign that agrees with S", "-33.92S", "18.42E", (-33.92, 18.42)),
    ("decimal comma with a letter", "35,78N", "36,03E", (35.78, 36.03)),
    ("E in the latitude column", "36.0372269E", "35.7874449N", AXIS),
    ("N in the longitude column", "35.78N", "36.03N", AXIS),
    ("E in the latitude column, degrees-minutes-seconds", "36°12'30\"E", "37°9'36\"E", AXIS),
    ("a minus sign that contradicts N", "-35.78N", "36.03E", SIGN),
    ("a minus sign that contradicts N, degrees-minutes", "-35°47'N", "36.03E", SIGN),
    ("two hemispheres in one value", "N 35.78 E", "36.03 E", "non-numeric coordinates"),
]


@pytest.mark.parametrize(("case", "lat", "lon", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hemisphere_letters(tmp_path, case, lat, lon, expected):
    path = tmp_path / "lettered.csv"
    quoted = ",".join('"' + text.replace('"', '""') + '"' for text in (lat, lon))  # CSV quoting: 30" doubles its quote
    path.write_text(HEADER + f"e1,2024-11-30,{quoted}\n" + "e2,2024-11-30,36.2,37.16\n", encoding="utf-8")
    result = read_events(path)
    report = result.report
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    if isinstance(expected, str):
        assert report.reasons == {expected: 1}
        row = report.rejected.iloc[0]
        assert row["event_id"] == "e1" and row["detail"] == f"lat={lat}, lon={lon}"  # the texts as written
    else:
        event = result.events.set_index("event_id").loc["e1"]
        assert (event["latitude"], event["longitude"]) == pytest.approx(expected, abs=1e-9)
        assert any("hemisphere letter" in w for w in report.warnings), report.warnings


def test_lettered_values_among_plain_numbers_all_load(tmp_path):
    path = tmp_path / "mixed.csv"
    rows = ["e1,2024-11-30,36.2,37.16", "e2,2024-11-30,35.7874449N,36.0372269E", "e3,2024-11-30,-33.92,18.42"]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = read_events(path)
    assert result.report.rows_loaded == 3
    events = result.events.set_index("event_id")
    assert events.loc["e2", "latitude"] == 35.7874449 and events.loc["e2", "longitude"] == 36.0372269
    assert result.report.warnings == {"hemisphere letter (N/S/E/W) read as the sign of decimal degrees (kept)": 1}


def test_parser_without_an_axis_reads_any_letter():
    numbers, styles = parse_coordinates(pd.Series(["35.78N", "36.03E", "17.45W", "33.9S", "36.2"], dtype="string"))
    assert numbers.tolist() == [35.78, 36.03, -17.45, -33.9, 36.2]
    assert styles.tolist() == ["hemisphere"] * 4 + ["decimal"]
