"""Column names: a file's columns named as the reader's own, mappings written as the header is, ACLED by its columns."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from geo.cli import main
from geo.errors import ReadError
from geo.io import read_events

GOOD = "2024-11-30,36.2,37.16"
BAD_DATE = "not a date,36.2,37.16"

# (name as the file writes it, the name it is kept under): every name the readers, validation
# and the rejected-rows table use themselves, in the spellings analysts write.
RESERVED = [
    ("line", "file_line"),
    ("Line", "file_line"),
    ("reason", "file_reason"),
    ("REASON", "file_reason"),
    ("detail", "file_detail"),
    ("Source Line", "file_source_line"),
    ("source_line", "file_source_line"),
    ("_reject_reason", "file_reject_reason"),
    ("_reject_detail", "file_reject_detail"),
    ("_geometry_type", "file_geometry_type"),
    ("_line", "file_line"),
]


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("column", "kept_as"), RESERVED, ids=[r[0] for r in RESERVED])
def test_a_column_named_as_ours_is_renamed_kept_and_reported(tmp_path, column, kept_as):
    path = _csv(tmp_path, "own_names.csv", f"event_date,latitude,longitude,{column}\n{GOOD},v1\n{BAD_DATE},v2\n")
    report = read_events(path).report
    assert (report.rows_loaded, report.reasons) == (1, {"unparseable date": 1})  # not the file's "reason"
    rejected = report.rejected
    assert list(rejected.columns[:3]) == ["line", "reason", "detail"] and rejected.columns.is_unique
    assert (int(rejected.at[0, "line"]), rejected.at[0, kept_as]) == (3, "v2")
    assert any(repr(column) in n and kept_as in n for n in report.notes)


@pytest.mark.parametrize(("column", "kept_as"), RESERVED[:3], ids=[r[0] for r in RESERVED[:3]])
def test_a_column_named_as_ours_is_kept_on_loaded_events(tmp_path, column, kept_as):
    events = read_events(_csv(tmp_path, "own_names.csv", f"event_date,latitude,longitude,{column}\n{GOOD},v1\n")).events
    assert events.at[0, kept_as] == "v1" and int(events.at[0, "source_line"]) == 2


def test_a_file_column_named_as_our_rename_is_numbered(tmp_path):
    path = _csv(tmp_path, "both.csv", f"event_date,latitude,longitude,line,file_line\n{BAD_DATE},a,b\n")
    rejected = read_events(path).report.rejected
    assert (rejected.at[0, "file_line_2"], rejected.at[0, "file_line"]) == ("a", "b")


def test_a_ragged_row_keeps_its_line_beside_a_line_column(tmp_path):
    path = _csv(tmp_path, "ragged_line.csv", f"event_date,latitude,longitude,line\n{GOOD},7\n{GOOD}\n{GOOD},8\n{GOOD},9\n")
    rejected = read_events(path).report.rejected
    assert (int(rejected.at[0, "line"]), rejected.at[0, "reason"]) == (3, "ragged row")


def test_a_geojson_property_named_as_ours(tmp_path):
    props = {"event_date": "2024-11-30", "line": "7", "_reject_reason": "from the file", "_geometry_type": "x"}
    features = [{"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [37.16, 36.2]}}]
    path = tmp_path / "own_names.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = read_events(path)
    assert result.report.rows_loaded == 1  # the property is no rejection of the reader's
    row = result.events.iloc[0]
    assert (row["file_line"], row["file_reject_reason"], row["file_geometry_type"]) == ("7", "from the file", "x")


def test_a_sheet_column_named_line(tmp_path):
    buf = io.BytesIO()
    frame = pd.DataFrame({"event_date": ["2024-11-30", "bad"], "latitude": [36.2, 36.2], "longitude": [37.16, 37.16],
                          "_line": ["a", "b"], "line": ["c", "d"]})  # fmt: skip
    frame.to_excel(buf, index=False)
    path = tmp_path / "own_names.xlsx"
    path.write_bytes(buf.getvalue())
    rejected = read_events(path).report.rejected
    assert (int(rejected.at[0, "line"]), rejected.at[0, "file_line"], rejected.at[0, "file_line_2"]) == (3, "b", "d")


def test_a_workbook_of_several_sheets_keeps_its_own_sheet_column(tmp_path):
    """The reader names each row's sheet in ``sheet``; a column of the file's own of that name is kept."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as book:
        for year in ("2016", "2017"):
            pd.DataFrame({"event_date": [f"{year}-03-01"], "latitude": [36.2], "longitude": [37.16],
                          "Sheet": [f"map sheet {year}"]}).to_excel(book, sheet_name=year, index=False)  # fmt: skip
    path = tmp_path / "by_year.xlsx"
    path.write_bytes(buf.getvalue())
    result = read_events(path)
    events = result.events.sort_values("event_date").reset_index(drop=True)
    assert list(events["sheet"]) == ["2016", "2017"] and list(events["file_sheet"]) == ["map sheet 2016", "map sheet 2017"]
    assert any("file_sheet" in note for note in result.report.notes)


def test_a_parquet_column_named_line(tmp_path):
    path = tmp_path / "own_names.parquet"
    pd.DataFrame({"event_date": ["2024-11-30"], "latitude": ["36.2"], "longitude": ["37.16"], "_line": ["x"], "reason": ["y"]}).to_parquet(path)
    events = read_events(path).events
    assert (events.at[0, "file_line"], events.at[0, "file_reason"], int(events.at[0, "source_line"])) == ("x", "y", 1)


def test_ingest_writes_the_rejects_of_a_file_with_a_line_column(tmp_path, capsys):
    path = _csv(tmp_path, "line_column.csv", f"event_date,latitude,longitude,line,reason,detail\n{GOOD},1,2,3\n{BAD_DATE},4,5,6\n")
    rejects = tmp_path / "rejects.csv"
    assert main(["ingest", str(path), "--json", "--rejects", str(rejects)]) == 0
    assert json.loads(capsys.readouterr().out)["rows_rejected"] == 1
    written = pd.read_csv(rejects, dtype=str)
    assert list(written.columns) == ["line", "reason", "detail", "event_date", "latitude", "longitude", "file_line", "file_reason", "file_detail"]
    assert written.iloc[0].tolist()[:2] == ["3", "unparseable date"]


HEADER = "Incident ID,Date,Governorate,Lat Y,Lon X\n"
ROW = "a1,2024-11-30,Aleppo,36.2,37.16\n"

# (how the analyst wrote the mapping): the header as written, the normalised name, another case, a number.
MAPPINGS = [
    ("as written", {"event_id": "Incident ID", "event_date": "Date", "admin1": "Governorate", "latitude": "Lat Y", "longitude": "Lon X"}),
    ("normalised", {"event_id": "incident_id", "event_date": "date", "admin1": "governorate", "latitude": "lat_y", "longitude": "lon_x"}),
    ("any case", {"event_id": "INCIDENT ID", "event_date": "date", "admin1": "GOVERNORATE", "latitude": "lat y", "longitude": "LON-X"}),
    ("by number", {"event_id": "1", "event_date": "2", "admin1": "3", "latitude": "4", "longitude": "5"}),
]  # fmt: skip


@pytest.mark.parametrize(("case", "mapping"), MAPPINGS, ids=[m[0] for m in MAPPINGS])
def test_a_mapping_names_columns_as_the_header_writes_them(tmp_path, case, mapping):
    result = read_events(_csv(tmp_path, "governorates.csv", HEADER + ROW), mapping=mapping)
    row = result.events.iloc[0]
    assert (row["event_id"], row["admin1"], row["latitude"]) == ("a1", "Aleppo", 36.2)
    assert result.report.mapped["event_id"] == "Incident ID"  # the report shows the file's own name


@pytest.mark.parametrize(("case", "mapping"), MAPPINGS[:2], ids=[m[0] for m in MAPPINGS[:2]])
def test_ingest_mapping_file_names_columns_as_written(tmp_path, capsys, case, mapping):
    mapfile = tmp_path / "map.json"
    mapfile.write_text(json.dumps(mapping))
    assert main(["ingest", str(_csv(tmp_path, "governorates.csv", HEADER + ROW)), "--mapping", str(mapfile), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_loaded"] == 1


def test_a_mapping_to_a_renamed_column_names_it_as_written(tmp_path):
    path = _csv(tmp_path, "line_as_date.csv", "Line,Lat,Lon\n2024-11-30,36.2,37.16\n")
    assert read_events(path, mapping={"event_date": "Line"}).report.rows_loaded == 1


def test_a_wrong_mapping_lists_the_columns_as_written(tmp_path):
    with pytest.raises(ReadError) as err:
        read_events(_csv(tmp_path, "governorates.csv", HEADER + ROW), mapping={"event_id": "Incident"})
    assert "['Incident ID', 'Date', 'Governorate', 'Lat Y', 'Lon X']" in str(err.value)


@pytest.mark.parametrize("mapping", [["event_date", "Date"], "Date", 7], ids=["list", "string", "number"])
def test_a_mapping_that_is_not_an_object_is_refused_in_one_line(tmp_path, capsys, mapping):
    mapfile = tmp_path / "map.json"
    mapfile.write_text(json.dumps(mapping))
    assert main(["ingest", str(_csv(tmp_path, "governorates.csv", HEADER + ROW)), "--mapping", str(mapfile)]) == 2
    assert "mapping: expected an object" in capsys.readouterr().err


# (case, header, what the file is read as): ACLED is known by its columns as a whole, in any case.
ACLED_ROW = {
    "EVENT_DATE": "30 November 2024", "EVENT_TYPE": "Battles", "SUB_EVENT_TYPE": "Armed clash", "ACTOR1": "A", "INTER1": "1",
    "ACTOR2": "B", "INTER2": "2", "INTERACTION": "12", "ADMIN1": "Aleppo", "LOCATION": "Aleppo", "LATITUDE": "36.2",
    "LONGITUDE": "37.16", "GEO_PRECISION": "1", "TIME_PRECISION": "1", "SOURCE": "s", "NOTES": "n", "FATALITIES": "3",
}  # fmt: skip
LAYOUTS = [
    ("upper case, no EVENT_ID_CNTY", list(ACLED_ROW), "acled"),
    ("title case with spaces", [c.replace("_", " ").title() for c in ACLED_ROW], "acled"),
    ("trimmed to a few own columns", ["EVENT_DATE", "EVENT_TYPE", "SUB_EVENT_TYPE", "ACTOR1", "INTER1", "INTERACTION", "LATITUDE", "LONGITUDE"], "acled"),
    ("shared words only", ["EVENT_DATE", "EVENT_TYPE", "LOCATION", "LATITUDE", "LONGITUDE", "FATALITIES", "NOTES", "SOURCE"], "csv"),
    ("a canonical export", [*ACLED_ROW, "SOURCE_FORMAT", "SOURCE_LINE"], "csv"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "columns", "read_as"), LAYOUTS, ids=[c[0] for c in LAYOUTS])
def test_acled_is_recognised_by_its_columns_without_its_id(tmp_path, case, columns, read_as):
    values = [ACLED_ROW.get(c.upper().replace(" ", "_"), "x") for c in columns]
    path = _csv(tmp_path, "trimmed.csv", ",".join(columns) + "\n" + ",".join(values) + "\n")
    result = read_events(path)
    assert result.report.format == read_as and result.report.rows_loaded == 1
    if read_as == "acled":
        row = result.events.iloc[0]
        assert (row["inter1"], row["interaction"], row["disorder_type"]) == ("State forces", "State forces-Rebel group", "Political violence")


def test_trimmed_acled_keeps_a_date_and_id_named_as_any_table_names_them(tmp_path):
    path = _csv(tmp_path, "trimmed.csv", "Event ID,Date,Event Type,Sub Event Type,Actor1,Inter1,Interaction,Lat,Lon\n"
                                         "x9,2024-11-30,Battles,Armed clash,A,1,12,36.2,37.16\n")  # fmt: skip
    result = read_events(path)
    row = result.events.iloc[0]
    assert result.report.format == "acled" and (row["event_id"], row["latitude"], row["disorder_type"]) == ("x9", 36.2, "Political violence")
    assert "date" not in result.events and "lat" not in result.events  # used, not kept again as extras
