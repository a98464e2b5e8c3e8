"""Structural quirks and column layouts of real exports, each on a small file written here."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.errors import ReadError
from geo.io import read_events

ROOT_ROWS = ("e1,2024-11-30,36.2,37.16,Aleppo\n", "e2,2024-12-01,35.93,36.63,Idlib\n")
HEADER = "event_id,event_date,latitude,longitude,location\n"
ACLED_HEADER = "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,assoc_actor_1,inter1,country,location,latitude,longitude,fatalities"


def _write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


#: (case, file name, content, note the report must carry, first loaded line)
QUIRKS = [
    ("trailing delimiter", "t.csv", HEADER + "".join(r.replace("\n", ",\n") for r in ROOT_ROWS), "every row ends with a delimiter", 2),
    ("empty unnamed columns", "e.csv", HEADER.replace("\n", ",,,\n") + "".join(r.replace("\n", ",,,\n") for r in ROOT_ROWS),
     "3 empty column(s) without a name dropped", 2),
    ("pandas index column", "i.csv", "," + HEADER + "".join(f"{i}," + r for i, r in enumerate(ROOT_ROWS)), "row index written by pandas", 2),
    ("HXL hashtag row", "h.csv", HEADER + "#event+id,#date,#geo+lat,#geo+lon,#loc+name\n" + "".join(ROOT_ROWS), "HXL hashtag row on line 2", 3),
    ("preamble", "p.csv", "Events export\nGenerated 2024-12-02 by a desk\n\n" + HEADER + "".join(ROOT_ROWS),
     "3 line(s) above the header skipped", 5),
    ("header repeated inside (two exports pasted together)", "r.csv", HEADER + ROOT_ROWS[0] + HEADER + ROOT_ROWS[1],
     "header row repeated on line 3", 2),
    ("zipped CSV", "z.zip", _zip({"__MACOSX/._events.csv": b"junk", "data/events.csv": (HEADER + "".join(ROOT_ROWS)).encode()}),
     "member data/events.csv of z.zip", 2),
]  # fmt: skip


@pytest.mark.parametrize(("case", "name", "content", "note", "first_line"), QUIRKS, ids=[q[0] for q in QUIRKS])
def test_structural_quirk_reads_cleanly_and_is_reported(tmp_path, case, name, content, note, first_line):
    result = read_events(_write(tmp_path, name, content))
    assert (result.report.rows_loaded, result.report.rows_rejected) == (2, 0)
    assert any(note in n for n in result.report.notes), result.report.notes
    assert sorted(result.events["source_line"].tolist())[0] == first_line
    assert not [c for c in result.events.columns if c.startswith("unnamed") or c == ""]


def test_header_names_match_whatever_their_case_and_spacing(tmp_path):
    path = _write(tmp_path, "s.csv", "Event ID,Event Date,LATITUDE,Longitude,Sub-Event Type\ne1,30 November 2024,36.2,37.16,Armed clash\n")
    event = read_events(path).events.iloc[0]
    assert (event["event_id"], event["event_date"], event["sub_event_type"]) == ("e1", pd.Timestamp("2024-11-30"), "Armed clash")


def test_latin1_bytes_cp1252_cannot_hold_still_read(tmp_path):
    path = _write(tmp_path, "l.csv", (HEADER + "e1,2024-11-30,36.2,37.16,Ma\x81rrat\n").encode("latin-1"))
    assert read_events(path).report.encoding == "latin-1"


def test_cp1252_file_reports_its_encoding(tmp_path):
    path = _write(tmp_path, "w.csv", (HEADER + "e1,2024-11-30,36.2,37.16,Ma’arrat\n").encode("cp1252"))
    result = read_events(path)
    assert result.report.encoding == "cp1252" and result.report.to_dict()["encoding"] == "cp1252"
    assert result.events["location"].iloc[0] == "Ma’arrat"
    assert "encoding cp1252" in result.report.summary()


def test_headerless_csv_is_read_with_a_mapping_by_column_number(tmp_path):
    # GDELT 1.0 style: tab-separated, no header, compact dates.
    rows = ["1001\t20241130\tSYR\t36.2\t37.16\tAleppo", "1002\t20241201\tSYR\t35.93\t36.63\tIdlib"]
    path = _write(tmp_path, "gdelt.csv", "\n".join(rows) + "\n")
    with pytest.raises(ReadError, match="mapping by column number"):
        read_events(path)
    mapping = {"event_id": "1", "event_date": "2", "latitude": "4", "longitude": "5", "location": "6"}
    result = read_events(path, mapping=mapping)
    assert result.events["event_id"].tolist() == ["1001", "1002"]
    assert result.events["event_date"].iloc[0] == pd.Timestamp("2024-11-30")
    assert result.report.mapped["latitude"] == "4" and result.report.delimiter == "tabs"


def _ged_record(layout: tuple[str, ...]) -> list[str]:
    values = {"id": "900", "relid": "SYR-2017-1-1", "year": "2017", "type_of_violence": "1", "side_a": "Government of Syria",
              "side_b": "IS", "where_prec": "1", "where_coordinates": "Aleppo town", "latitude": "36.2", "longitude": "37.16",
              "geom_wkt": "POINT (37.16 36.2)", "date_start": "2017-01-02", "date_end": "2017-01-03", "best": "4", "low": "3", "high": "6"}  # fmt: skip
    return [values.get(c, "0") for c in layout]


@pytest.mark.parametrize("layout", ["UCDP_COLUMNS", "UCDP_COLUMNS_191", "unknown width"])
def test_headerless_ged_is_recognised_by_content(tmp_path, layout):
    from geo.io.ucdp import UCDP_ANCHORED, UCDP_COLUMNS, UCDP_COLUMNS_191

    layouts = {"UCDP_COLUMNS": UCDP_COLUMNS, "UCDP_COLUMNS_191": UCDP_COLUMNS_191,
               "unknown width": ("id", "x1", "x2", *UCDP_ANCHORED, "y1", "y2")}  # fmt: skip
    columns = layouts[layout]
    path = _write(tmp_path, "ged.csv", ",".join(f'"{v}"' if " " in v else v for v in _ged_record(columns)) + "\n")
    result = read_events(path)
    event = result.events.iloc[0]
    assert result.report.format == "ucdp" and "no header row" in result.report.detected
    assert (event["event_id"], event["event_date"], event["latitude"], event["longitude"]) == ("900", pd.Timestamp("2017-01-02"), 36.2, 37.16)
    if layout != "unknown width":
        assert (event["fatalities"], event["actor1"]) == (4, "Government of Syria")


def _workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for title, frame in sheets.items():
            frame.to_excel(writer, sheet_name=title, index=False, header=title != "About")
    return buf.getvalue()


def test_workbook_event_sheet_is_found_and_named(tmp_path):
    about = pd.DataFrame({"text": ["Terms of use", "Attribution required"]})
    events = pd.DataFrame({"event_id": ["e1", "e2"], "event_date": pd.to_datetime(["2024-11-30", "2024-12-01"]),
                           "latitude": [36.2, 35.93], "longitude": [37.16, 36.63]})  # fmt: skip
    result = read_events(_write(tmp_path, "w.xlsx", _workbook({"About": about, "Events": events})))
    assert result.report.rows_loaded == 2 and result.report.format == "xlsx"
    assert any("sheet 'Events' of 2" in n for n in result.report.notes)
    assert result.events["event_date"].tolist() == [pd.Timestamp("2024-11-30"), pd.Timestamp("2024-12-01")]
    assert result.events["source_line"].tolist() == [2, 3]  # the sheet's own row numbers


def test_workbook_split_by_year_is_read_whole(tmp_path):
    def year(day: str, eid: str) -> pd.DataFrame:
        return pd.DataFrame({"event_id": [eid], "event_date": [day], "latitude": [36.2], "longitude": [37.16]})

    other = pd.DataFrame({"date": ["2024-01-01"], "lat": [1.0], "lon": [2.0], "extra": ["x"]})
    sheets = {"2023": year("2023-06-01", "a"), "2024": year("2024-11-30", "b"), "Other": other}
    result = read_events(_write(tmp_path, "years.xlsx", _workbook(sheets)))
    assert result.events["event_id"].tolist() == ["a", "b"] and result.events["sheet"].tolist() == ["2023", "2024"]
    note = next(n for n in result.report.notes if n.startswith("read sheets"))
    assert "'2023', '2024' of 3" in note and "another header not read: 'Other'" in note


def test_aggregated_workbook_is_refused_as_counts(tmp_path):
    counts = pd.DataFrame({"Country": ["Syria"], "Admin1": ["Aleppo"], "Month": ["November"], "Year": [2024], "Events": [310], "Fatalities": [920]})
    with pytest.raises(ReadError, match=r"counts per period and area .* aggregated workbook"):
        read_events(_write(tmp_path, "agg.xlsx", _workbook({"Data": counts})))


@pytest.fixture
def aleppo_points_gdf() -> gpd.GeoDataFrame:
    """Two events with a point and one whose geometry is missing but whose properties say where (Idlib)."""
    return gpd.GeoDataFrame(
        {"event_date": ["2024-11-30", "2024-12-01", "2024-12-02"], "location": ["Ḥalab", "Saraqib", "Idlib"],
         "LATITUDE": [None, None, 35.93], "Longitude": [None, None, 36.63]},
        geometry=[shapely.Point(37.16, 36.2), shapely.Point(36.8, 35.86), None], crs="EPSG:4326",
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["gpkg", "shapefile zip", "kml"])
def test_vector_files_load_like_geojson(tmp_path, aleppo_points_gdf, kind):
    if kind == "gpkg":
        path = tmp_path / "e.gpkg"
        aleppo_points_gdf.to_file(path)
    elif kind == "kml":
        path = tmp_path / "e.kml"
        aleppo_points_gdf.iloc[:2].drop(columns=["LATITUDE", "Longitude"]).to_file(path, driver="KML")
    else:  # a Shapefile in its own CRS, names in cp1252 as its .cpg says
        aleppo_points_gdf.assign(location=["Halab", "Saraqib", "Ma’arrat"]).to_crs(3857).to_file(tmp_path / "e.shp", encoding="cp1252")
        members = {f"events/e.{ext}": (tmp_path / f"e.{ext}").read_bytes() for ext in ("shp", "shx", "dbf", "prj", "cpg")}
        path = _write(tmp_path, "events.zip", _zip(members))
    result = read_events(path)
    events = result.events.set_index("event_date")
    assert result.report.format == "vector" and result.report.rows_rejected == 0
    assert events.loc["2024-11-30", ["latitude", "longitude"]].round(5).tolist() == [36.2, 37.16]
    if kind != "kml":
        assert events.loc["2024-12-02", ["latitude", "longitude"]].round(5).tolist() == [35.93, 36.63]
        assert any("placed from their latitude/longitude properties" in w for w in result.report.warnings)
    if kind == "shapefile zip":
        assert events.loc["2024-12-02", "location"] == "Ma’arrat"
        assert any("transformed from EPSG:3857" in w for w in result.report.warnings)


def test_geojson_null_geometry_is_placed_from_its_properties(tmp_path):
    features = [{"type": "Feature", "geometry": None, "properties": {"EVENT_DATE": "2024-11-30", "Latitude": 36.2, "LONGITUDE": 37.16}},
                {"type": "Feature", "geometry": None, "properties": {"EVENT_DATE": "2024-11-30"}}]  # fmt: skip
    result = read_events(_write(tmp_path, "n.geojson", json.dumps({"type": "FeatureCollection", "features": features})))
    assert result.events[["latitude", "longitude"]].values.tolist() == [[36.2, 37.16]]
    assert result.report.reasons == {"missing geometry": 1}
    assert result.report.warnings["features without a geometry placed from their latitude/longitude properties (kept)"] == 1


#: (old event type, inter1, today's event type, sub-event type)
OLD_TYPES = [
    ("Battle-No change of territory", "1", "Battles", "Armed clash"),
    ("Battle-Government regains territory", "1", "Battles", "Government regains territory"),
    ("Battle-Non-state actor overtakes territory", "2", "Battles", "Non-state actor overtakes territory"),
    ("Remote violence", "1", "Explosions/Remote violence", None),
    ("Riots/Protests", "5", "Riots", None),
    ("Riots/Protests", "6", "Protests", None),
    ("Violence against civilians", "3", "Violence against civilians", None),
    ("Non-violent transfer of territory", "2", "Strategic developments", "Non-violent transfer of territory"),
    ("Headquarters or base established", "2", "Strategic developments", "Headquarters or base established"),
    ("Strategic development", "1", "Strategic developments", None),
]


@pytest.mark.parametrize(("old", "inter1", "event_type", "sub_event_type"), OLD_TYPES, ids=[f"{o[0]} {o[1]}" for o in OLD_TYPES])
def test_pre_2019_event_types_map_onto_todays_taxonomy(tmp_path, old, inter1, event_type, sub_event_type):
    from geo.taxonomy import DISORDER_TYPES

    header = "GWNO,EVENT_ID_CNTY,EVENT_ID_NO_CNTY,EVENT_DATE,YEAR,EVENT_TYPE,ACTOR1,ALLY_ACTOR_1,INTER1,ACTOR2,ALLY_ACTOR_2,INTER2,COUNTRY,LATITUDE,LONGITUDE,FATALITIES"
    row = f"652,1SYR,1,30/11/2024,2024,{old},Actor A,Ally A,{inter1},Actor B,Ally B,1,Syria,36.2,37.16,0"
    event = read_events(_write(tmp_path, "old.csv", f"{header}\n{row}\n")).events.iloc[0]
    assert event["event_type"] == event_type
    assert (event["sub_event_type"] if pd.notna(event["sub_event_type"]) else None) == sub_event_type
    assert event["disorder_type"] == DISORDER_TYPES[event_type]  # derived: the old layout has none
    assert (event["assoc_actor_1"], event["assoc_actor_2"]) == ("Ally A", "Ally B")
    expected_source = None if old == "Violence against civilians" else f"acled:{old}"
    assert (event["source_event_type"] if pd.notna(event["source_event_type"]) else None) == expected_source


def test_monadic_acled_rows_merge_into_dyadic_events(tmp_path):
    rows = [
        "SYR1,30 November 2024,2024,Battles,Armed clash,HTS,,Rebel group,Syria,Aleppo,36.2,37.16,5",
        "SYR1,30 November 2024,2024,Battles,Armed clash,Military Forces of Syria,Militia (Pro-Government),State forces,Syria,Aleppo,36.2,37.16,5",
        "SYR2,1 December 2024,2024,Protests,Peaceful protest,Protesters (Syria),,Protesters,Syria,Idlib,35.93,36.63,0",
    ]  # fmt: skip
    result = read_events(_write(tmp_path, "monadic.csv", ACLED_HEADER + "\n" + "\n".join(rows) + "\n"))
    events = result.events.set_index("event_id")
    assert result.report.rows_read == 3 and result.report.rows_loaded == 2 and result.report.rows_rejected == 0
    assert "2 monadic rows (one per actor) merged into 1 events" in result.report.notes
    assert events.loc["SYR1", ["actor1", "actor2", "assoc_actor_2", "inter2"]].tolist() == [
        "HTS", "Military Forces of Syria", "Militia (Pro-Government)", "State forces"]  # fmt: skip
    assert pd.isna(events.loc["SYR2", "actor2"])


def test_mapping_applies_on_top_of_a_detected_format(tmp_path):
    header = ACLED_HEADER + ",reported_on"
    row = "SYR1,30 November 2024,2024,Battles,Armed clash,HTS,,Rebel group,Syria,Aleppo,36.2,37.16,5,2024-12-02"
    path = _write(tmp_path, "acled.csv", f"{header}\n{row}\n")
    result = read_events(path, mapping={"event_date": "reported_on"})
    assert result.report.format == "acled" and result.report.mapped == {"event_date": "reported_on"}
    assert result.events["event_date"].iloc[0] == pd.Timestamp("2024-12-02")
    assert "mapped — event_date ← reported_on" in result.report.summary()


def test_ingest_out_is_the_tagged_canonical_file(tmp_path):
    path = _write(tmp_path, "e.csv", HEADER + "e1,2024-11-30,36.2,37.16,Aleppo\ne2,2024-12-01,34.45,40.92,Al-Bukamal\n")
    out = tmp_path / "out.parquet"
    subprocess.run([sys.executable, "-m", "geo", "ingest", str(path), "--out", str(out)], check=True, capture_output=True)
    events = gpd.read_parquet(out).set_index("event_id")
    assert events.loc["e1", "admin1_polygon"] == "Aleppo" and "aleppo" in events.loc["e1", "areas"]
    assert events.loc["e2", "border_side"] == "SY" and events.loc["e2", "border_distance_km"] < 10


@pytest.mark.parametrize(
    ("case", "body", "note"),
    [
        ("ACLED API response", {"status": 200, "success": True, "count": 1, "data": "RECORDS"}, 'the "data" list'),
        ("UCDP API response", {"TotalCount": 1, "Result": "RECORDS"}, 'the "Result" list'),
        ("array of records", "RECORDS", "a JSON array of records"),
    ],
)
def test_json_api_responses_load_their_records(tmp_path, case, body, note):
    records = [{"event_id_cnty": "SYR1", "event_date": "2024-11-30", "year": 2024, "event_type": "Battles",
                "sub_event_type": "Armed clash", "actor1": "HTS", "inter1": "Rebel group", "country": "Syria",
                "latitude": "36.2", "longitude": "37.16", "fatalities": 3}]  # fmt: skip
    content = records if body == "RECORDS" else {k: (records if v == "RECORDS" else v) for k, v in body.items()}
    result = read_events(_write(tmp_path, "api.json", json.dumps(content)))
    assert result.report.rows_loaded == 1 and result.events["event_id"].iloc[0] == "SYR1"
    assert any(note in n for n in result.report.notes)


def test_stata_file_is_read(tmp_path):
    ged = pd.DataFrame({"id": [1, 2], "date_start": pd.to_datetime(["2017-01-02", "2017-01-03"]), "type_of_violence": [1, 3],
                        "side_a": ["Government of Syria", "IS"], "side_b": ["IS", "Civilians"], "where_prec": [1, 2],
                        "latitude": [36.2, 35.9], "longitude": [37.16, 36.6], "best": [4, 2]})  # fmt: skip
    ged.to_stata(tmp_path / "ged.dta", write_index=False)
    path = _write(tmp_path, "ged-stata.zip", _zip({"ged.dta": (tmp_path / "ged.dta").read_bytes()}))
    result = read_events(path)
    assert result.report.rows_loaded == 2 and result.report.format == "stata"
    assert result.events["event_date"].tolist() == [pd.Timestamp("2017-01-02"), pd.Timestamp("2017-01-03")]
    assert result.events["fatalities"].tolist() == [4, 2]


def test_old_xls_workbook_is_read(tmp_path):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Events")
    for r, row in enumerate([["event_id", "event_date", "latitude", "longitude"], ["e1", "30/11/2024", "36.2", "37.16"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "old.xls"))
    result = read_events(tmp_path / "old.xls")
    assert result.report.rows_loaded == 1 and result.events["event_date"].iloc[0] == pd.Timestamp("2024-11-30")
    assert any("sheet 'Events'" in n for n in result.report.notes)


def test_generic_csv_with_a_wkt_point_column(tmp_path):
    path = _write(tmp_path, "qgis.csv", 'WKT,event_date,name\n"POINT (37.16 36.2)",2024-11-30,Aleppo\n"POINT Z (36.63 35.93 0)",2024-12-01,Idlib\n')
    events = read_events(path).events
    assert events[["latitude", "longitude"]].values.tolist() == [[36.2, 37.16], [35.93, 36.63]]


def test_opendocument_spreadsheet_is_read(tmp_path):
    frame = pd.DataFrame({"event_id": ["e1"], "event_date": ["2024-11-30"], "latitude": [36.2], "longitude": [37.16]})
    frame.to_excel(tmp_path / "e.ods", engine="odf", index=False)  # odfpy, a test dependency, writes it
    result = read_events(tmp_path / "e.ods")
    assert result.report.rows_loaded == 1 and result.report.format == "xlsx"


# --- Whether the first row is a header, and rows of a shorter layout (GDELT 1.0 daily files and back-files).


def _gdelt_v1(n: int, *, url: bool = True, day: str = "20130401") -> list[str]:
    """A GDELT 1.0 event record: 58 tab-separated fields, ``SOURCEURL`` last (back-files stop at 57)."""
    fields = [""] * 58
    fields[:5] = [str(300_000_000 + n), day, day[:6], day[:4], "2013.2493"]
    fields[5:7] = ["RUS", "RUSSIA"]
    fields[25:35] = ["1", "040", "040", "04", "1", "1.0", "4", "1", "4", "2.5"]
    fields[49:57] = ["4", "Moscow, Moskva, Russia", "RS", "RS48", "55.7522", "37.6156", "-2960561", day]
    fields[57] = f"http://www.example.com/news/{n}.html"
    return fields if url else fields[:57]


def _tsv(records: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in records) + "\n"


#: Ids, a URL and place names first, only two numbers in twelve cells: no header, though most cells are text.
IDS_URLS_PLACES = "".join(
    f"RU_10{i:02d},2022-03-0{i + 1},Ukraine,Kharkiv Oblast,Kharkiv,Shelling,Russian forces,Civilians,Kyiv Independent,"
    f"https://kyivindependent.com/news/{i},49.99{i},36.23{i}\n"
    for i in range(3)
)
GDELT_V1 = _tsv([_gdelt_v1(i) for i in range(3)])

#: (case, file content, the first row is a header)
FIRST_ROWS = [
    ("headerless: ids, a URL and place names", IDS_URLS_PLACES, False),
    ("headerless GDELT 1.0 (tabs, 58 fields, a URL last)", GDELT_V1, False),
    ("a header over ids, dates, coordinates and URLs",
     "id,date,country,admin1,location,event_type,actor1,actor2,source,url,lat,lon\n" + IDS_URLS_PLACES, True),
    ("a header with digits in its labels over numbers", "event_id,event_date,latitude,longitude,inter1,inter2\n"
     "1001,2024-11-30,36.2,37.16,1,3\n1002,2024-12-01,35.93,36.63,2,7\n", True),
    ("a header over words only", "country,actor\nSyria,HTS\nSyria,SNA\n", True),
]  # fmt: skip


@pytest.mark.parametrize(("case", "content", "header"), FIRST_ROWS, ids=[c[0] for c in FIRST_ROWS])
def test_first_row_is_header_or_data_by_its_columns_content(tmp_path, case, content, header):
    from geo.io.sniff import sniff

    sniffed = sniff(_write(tmp_path, "first.csv", content))
    assert sniffed.header is header
    if not header:
        assert sniffed.names[:3] == ("1", "2", "3")


def test_headerless_file_of_ids_and_urls_loads_its_first_row(tmp_path):
    path = _write(tmp_path, "ids.csv", IDS_URLS_PLACES)
    mapping = {"event_id": "1", "event_date": "2", "location": "5", "source_url": "10", "latitude": "11", "longitude": "12"}
    result = read_events(path, mapping=mapping)
    assert result.events["event_id"].tolist() == ["RU_1000", "RU_1001", "RU_1002"]
    assert result.events["source_line"].tolist() == [1, 2, 3] and result.events["source_url"].iloc[0].endswith("/news/0")


GDELT_MAPPING = {"event_id": "1", "event_date": "2", "location": "51", "latitude": "54", "longitude": "55"}
BACK_FILE = [_gdelt_v1(i, url=False, day="20130115") for i in range(3, 6)]


def _middle_field_lost(record: list[str]) -> list[str]:
    return record[:2] + record[3:]  # MonthYear dropped: every later field one place to the left


#: (case, file content, mapping, rows loaded, {reason: count}, text of the report's notes or of the rejected rows' detail)
SHORT_BLOCKS = [
    ("GDELT 1.0 daily rows then back-file rows without the unmapped SOURCEURL", _tsv([_gdelt_v1(i) for i in range(3)] + BACK_FILE),
     GDELT_MAPPING, 6, {}, "3 row(s) from line 4 have 57 of 58 fields, short only of the unused trailing column(s) 58"),
    ("the same file with SOURCEURL mapped", _tsv([_gdelt_v1(i) for i in range(3)] + BACK_FILE),
     {**GDELT_MAPPING, "source_url": "58"}, 3, {"ragged row": 3}, "expected 58 fields, got 57 (no column 58 → source_url)"),
    ("a block one field short in the middle (fields shifted)", _tsv([_gdelt_v1(i) for i in range(3)] + [_middle_field_lost(_gdelt_v1(i, day="20130115")) for i in range(3, 6)]),
     GDELT_MAPPING, 3, {"ragged row": 3}, "expected 58 fields, got 57: "),
    ("a lone row short at the end (cut short)", _tsv([_gdelt_v1(i) for i in range(3)] + BACK_FILE[:1]),
     GDELT_MAPPING, 3, {"ragged row": 1}, "expected 58 fields, got 57: "),
    ("GDELT 1.0 back-file rows first (SOURCEURL missing), then daily rows", _tsv(BACK_FILE + [_gdelt_v1(i) for i in range(3)]),
     GDELT_MAPPING, 6, {}, "3 row(s) from line 4 have 58 fields where the first rows have 57: the file is read as 58 columns"),
    ("back-file rows, then one lone wider row (no layout of its own)", _tsv(BACK_FILE + [_gdelt_v1(0)]),
     GDELT_MAPPING, 3, {"ragged row": 1}, "expected 57 fields, got 58"),
    ("a header and a block short of an unused trailing column", "event_id,event_date,latitude,longitude,collected_by\n"
     "e1,2024-11-30,36.2,37.16,desk A\ne2,2024-12-01,35.93,36.63\ne3,2024-12-02,35.9,36.6\n", None, 3, {},
     "2 row(s) from line 3 have 4 of 5 fields, short only of the unused trailing column(s) collected_by"),
    ("a header and a block short of a used column", "event_id,event_date,latitude,longitude\n"
     "e1,2024-11-30,36.2,37.16\ne2,2024-12-01,35.93\ne3,2024-12-02,35.9\n", None, 1, {"ragged row": 2},
     "expected 4 fields, got 3 (no longitude): e2,2024-12-01,35.93"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "content", "mapping", "loaded", "rejected", "said"), SHORT_BLOCKS, ids=[c[0] for c in SHORT_BLOCKS])
def test_rows_short_only_of_unused_trailing_columns_load(tmp_path, case, content, mapping, loaded, rejected, said):
    result = read_events(_write(tmp_path, "blocks.csv", content), mapping=mapping)
    report = result.report
    assert (report.rows_loaded, report.reasons) == (loaded, rejected)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert any(said in text for text in [*report.notes, *report.rejected.get("detail", [])]), (report.notes, report.rejected)
    if not rejected:  # loaded rows keep their own line, and their missing fields are empty, not taken from elsewhere
        assert sorted(result.events["source_line"]) == list(range(result.events["source_line"].min(), loaded + result.events["source_line"].min()))
    if "SOURCEURL" in case and not rejected:
        back = result.events[result.events["event_date"] == pd.Timestamp("2013-01-15")]
        assert len(back) == 3 and back["58"].isna().all() and (back["latitude"] == 55.7522).all()
