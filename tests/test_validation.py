"""Validation: every bad row is rejected with its reason, line and raw values."""

from __future__ import annotations

import pytest

from geo import read_events

HEADER = "event_id,event_date,latitude,longitude,fatalities,event_type\n"
GOOD = "E0,2024-11-30,36.2,37.16,1,Battles\n"


def _load(tmp_path, *rows: str):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + GOOD + "".join(rows), encoding="utf-8")
    return read_events(path)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("E1,,36.2,37.1,0,Battles\n", "missing date"),
        ("E1,30/30/2024,36.2,37.1,0,Battles\n", "unparseable date"),
        ("E1,yesterday,36.2,37.1,0,Battles\n", "unparseable date"),
        ("E1,2024-11-30,,37.1,0,Battles\n", "missing coordinates"),
        ("E1,2024-11-30,north,37.1,0,Battles\n", "non-numeric coordinates"),
        ("E1,2024-11-30,95.5,137.1,0,Battles\n", "latitude out of range"),
        ("E1,2024-11-30,36.2,190.0,0,Battles\n", "longitude out of range"),
        ("E1,2024-11-30,137.1,36.2,0,Battles\n", "probable lat/lon swap"),
        ("E1,2024-11-30,0,0,0,Battles\n", "null island (0, 0)"),
        ("E1,2024-11-30,36.2,37.1,-3,Battles\n", "negative fatalities"),
        ("E0,2024-11-30,36.2,37.1,0,Battles\n", "duplicate event_id"),
    ],
)
def test_bad_row_rejected_with_reason(tmp_path, row, reason):
    result = _load(tmp_path, row)
    report = result.report
    assert report.rows_read == 2
    assert report.rows_loaded == 1
    assert report.reasons == {reason: 1}
    rejected = report.rejected.iloc[0]
    assert rejected["line"] == 3
    assert rejected["event_id"] in ("E1", "E0")  # raw values are kept


def test_duplicate_names_the_row_kept(tmp_path):
    report = _load(tmp_path, "E0,2024-12-01,36.2,37.1,0,Battles\n").report
    assert report.rejected["detail"].iloc[0].startswith("event_id=E0 kept from line 2; different content in ")


def test_unknown_event_type_is_kept_with_a_warning(tmp_path):
    result = _load(tmp_path, "E1,2024-11-30,36.2,37.1,0,Skirmish\n")
    assert result.report.rows_loaded == 2
    assert result.report.warnings == {"unknown event type (kept)": 1}


def test_rejects_written_to_csv(tmp_path):
    result = _load(tmp_path, "E1,,36.2,37.1,0,Battles\n", "E2,2024-11-30,0,0,0,Battles\n")
    out = result.report.write_rejects(tmp_path / "rejects.csv")
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith('"line","reason","detail","event_id"')  # text is always quoted (geo.export.safe_csv)
    assert "missing date" in text and "null island (0, 0)" in text
