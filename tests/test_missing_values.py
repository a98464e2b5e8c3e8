"""Missing-value spellings (NA, N/A, null, ., -): missing in numeric columns, kept as written in text columns."""

from __future__ import annotations

import pytest

from geo.io import read_events

HEADER = "event_id,event_date,latitude,longitude,fatalities,location,country,actor1\n"

# (case, row, rows loaded, reasons, fatalities of the loaded row)
CASES = [
    ("R's NA for fatalities", "e1,2024-11-30,36.2,37.16,NA,Aleppo,Syria,A\n", 1, {}, None),
    ("Excel's #N/A for fatalities", "e1,2024-11-30,36.2,37.16,#N/A,Aleppo,Syria,A\n", 1, {}, None),
    ("Stata's . for fatalities", "e1,2024-11-30,36.2,37.16,.,Aleppo,Syria,A\n", 1, {}, None),
    ("NULL and a dash", "e1,2024-11-30,36.2,37.16, NULL ,Aleppo,Syria,A\ne2,2024-11-30,36.2,37.16,-,Aleppo,Syria,A\n", 2, {}, None),
    ("a word is still no count", "e1,2024-11-30,36.2,37.16,dozens,Aleppo,Syria,A\n", 0, {"non-numeric fatalities": 1}, None),
    ("NaN is a failed number, not a missing one", "e1,2024-11-30,NaN,37.16,1,,Syria,A\n", 0,
     {"non-finite coordinates (NaN or infinity)": 1}, None),
    ("NA coordinates without a place", "e1,2024-11-30,NA,NA,1,,Syria,A\n", 0, {"missing coordinates": 1}, None),
]  # fmt: skip


@pytest.mark.parametrize(("case", "row", "loaded", "reasons", "fatalities"), CASES, ids=[c[0] for c in CASES])
def test_missing_value_spellings_in_numeric_columns(tmp_path, case, row, loaded, reasons, fatalities):
    path = tmp_path / "missing_spellings.csv"
    path.write_text(HEADER + row)
    result = read_events(path, geocode=False)
    assert (result.report.rows_loaded, result.report.reasons) == (loaded, reasons)
    if loaded:
        assert result.events["fatalities"].isna().all()


def test_na_coordinates_reach_the_geocoder(tmp_path):
    path = tmp_path / "na_coordinates.csv"
    path.write_text(HEADER + "e1,2024-11-30,NA,NA,1,Aleppo,Syria,A\ne2,2024-11-30,N/A,N/A,1,Idlib,Syria,A\n")
    result = read_events(path)
    assert result.report.rows_loaded == 2 and result.events["geocoded_by"].notna().all()
    note = next(n for n in result.report.notes if "read as missing" in n)
    assert "'N/A', 'NA'" in note and "latitude (2)" in note


def test_text_columns_keep_na_as_written(tmp_path):
    path = tmp_path / "na_words.csv"
    path.write_text(HEADER + "e1,2024-11-30,36.2,37.16,NA,None,NA,NULL\n")  # Namibia's code; an actor called None
    row = read_events(path).events.iloc[0]
    assert (row["location"], row["country"], row["actor1"]) == ("None", "NA", "NULL")


def test_a_rejected_row_keeps_the_spelling_as_written(tmp_path):
    path = tmp_path / "na_rejected.csv"
    path.write_text(HEADER + "e1,2024-11-30,NA,NA,NA,,Syria,A\n")
    rejected = read_events(path).report.rejected
    assert rejected.loc[0, ["reason", "latitude", "fatalities"]].tolist() == ["missing coordinates", "NA", "NA"]
