"""Readers: every real format lands in the canonical schema with nothing lost."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import ReadError, read_events
from geo.schema import COLUMNS, CRS, FIELD_BY_NAME


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("acled_new_text_inter.csv", "acled"),
        ("acled_old_numeric_inter.csv", "acled"),
        ("acled_day_month_year.csv", "acled"),
        ("ucdp_with_header.csv", "ucdp"),
        ("ucdp_no_header.csv", "ucdp"),
        ("generic_lat_lon.csv", "csv"),
        ("events.geojson", "geojson"),
    ],
)
def test_format_is_sniffed_and_named_in_report(fixtures_dir, name, fmt):
    result = read_events(fixtures_dir / name)
    assert result.report.format == fmt
    assert fmt.split("-")[0] in result.report.summary()
    assert result.report.rows_read == result.report.rows_loaded + result.report.rows_rejected


@pytest.mark.parametrize(
    "name", ["acled_new_text_inter.csv", "acled_old_numeric_inter.csv", "acled_day_month_year.csv"]
)
def test_acled_variants_load_identically(fixtures_dir, name):
    events = read_events(fixtures_dir / name).events
    assert list(events["event_date"].dt.strftime("%Y-%m-%d")) == ["2024-11-27", "2024-11-30", "2024-12-01"]
    assert list(events["interaction"].astype(str)) == [
        "State forces-Rebel group",
        "State forces-Civilians",
        "State forces only",
    ]
    assert events["inter1"].astype(str).tolist()[0] == "Rebel group"
    assert events["fatalities"].tolist() == [12, 4, 0]


def test_acled_extra_column_is_kept(fixtures_dir):
    events = read_events(fixtures_dir / "acled_new_text_inter.csv").events
    assert events["event_id_no_cnty"].tolist() == ["1001", "1002", "1003"]


def test_canonical_dtypes_and_crs(fixtures_dir):
    events = read_events(fixtures_dir / "acled_new_text_inter.csv").events
    assert events.crs.to_string() == CRS
    assert list(events.columns[: len(COLUMNS)]) == list(COLUMNS)
    for name in ("event_type", "actor1", "admin1", "country"):
        assert isinstance(events[name].dtype, pd.CategoricalDtype), name
    assert str(events["event_date"].dtype) == "datetime64[ns]"
    assert str(events["fatalities"].dtype) == "Int64"


def test_ucdp_mapping(fixtures_dir):
    events = read_events(fixtures_dir / "ucdp_with_header.csv").events
    first, second = events.iloc[0], events.iloc[1]
    assert (first["event_type"], first["sub_event_type"], first["source_event_type"]) == (
        "Battles",
        "Armed clash",
        "ucdp:1",
    )
    assert (second["event_type"], second["source_event_type"]) == ("Violence against civilians", "ucdp:3")
    assert (first["fatalities"], first["fatalities_low"], first["fatalities_high"]) == (10, 8, 14)
    assert first["location"] == "Aleppo city"
    assert first["admin1"] == "Aleppo"
    assert (second["geo_precision"], second["geo_precision_source"]) == (2, "2")
    assert second["event_date_end"] == pd.Timestamp("2024-12-02")
    assert second["time_precision"] == 2


def test_ucdp_without_header_matches_with_header(fixtures_dir):
    a = read_events(fixtures_dir / "ucdp_with_header.csv").events
    b = read_events(fixtures_dir / "ucdp_no_header.csv").events
    cols = ["event_id", "event_date", "event_type", "actor1", "latitude", "fatalities"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert read_events(fixtures_dir / "ucdp_no_header.csv").report.rejected.empty


def test_geojson_non_point_rejected_with_reason(fixtures_dir):
    result = read_events(fixtures_dir / "events.geojson")
    assert result.report.rows_loaded == 2
    assert result.report.reasons == {"non-point geometry": 1}
    assert result.report.rejected["event_id"].tolist() == ["G3"]


def test_generic_csv_auto_detects_lat_lng_date(fixtures_dir):
    events = read_events(fixtures_dir / "generic_lat_lon.csv").events
    assert events["latitude"].tolist() == [36.20124, 35.93062]
    assert events["location"].tolist() == ["Aleppo", "Idlib"]


def test_generic_csv_with_mapping(fixtures_dir):
    mapping = {"event_date": "when", "latitude": "northing", "longitude": "easting", "location": "town", "event_type": "kind"}
    events = read_events(fixtures_dir / "generic_custom_columns.csv", mapping=mapping).events
    assert len(events) == 2
    assert events["event_type"].astype(str).tolist() == ["Battles", "Battles"]


def test_generic_csv_without_coordinates_says_what_it_needs(fixtures_dir):
    with pytest.raises(ReadError, match="expected columns for event_date, latitude, longitude"):
        read_events(fixtures_dir / "generic_custom_columns.csv")


def test_mapping_naming_a_missing_column_is_a_clear_error(fixtures_dir):
    with pytest.raises(ReadError, match="expected one of the file's columns"):
        read_events(fixtures_dir / "generic_custom_columns.csv", mapping={"latitude": "nope"})


def test_geoparquet_round_trip_keeps_dtypes_and_crs(fixtures_dir, tmp_path):
    events = read_events(fixtures_dir / "acled_new_text_inter.csv").events
    out = tmp_path / "events.parquet"
    events.to_parquet(out)
    again = read_events(out)
    assert again.report.format == "parquet"
    assert again.events.crs.to_string() == CRS
    for col in ("event_id", "event_date", "event_type", "latitude", "fatalities", "geo_precision"):
        assert again.events[col].dtype == events[col].dtype, col
    pd.testing.assert_series_equal(again.events["event_date"], events["event_date"])
    assert again.report.format == "parquet"
    assert again.events["source_format"].unique().tolist() == ["acled"]  # provenance of the rows is kept


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(tmp_path, encoding):
    path = tmp_path / "enc.csv"
    text = "date,lat,lon,location\n2024-11-30,36.2,37.16,Ma’arrat – Ḥalab\n"
    if encoding == "cp1252":
        text = text.replace("Ḥ", "H")
    path.write_bytes(text.encode(encoding))
    result = read_events(path)
    assert result.report.encoding in ("utf-8", "cp1252")
    assert result.events["location"].iloc[0].startswith("Ma’arrat")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "empty file"),
        (b"\x00\x01\x02PKbinary", "binary data"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary data"),
        (b"just one column\nvalue\n", "expected a CSV header with event columns"),
        (b"a,b,c\n1,2,3\n", "expected columns for event_date, latitude, longitude"),
        (b'{"type": "FeatureCollection", "features": [', "expected GeoJSON, got invalid JSON"),
        (b"PAR1garbage", "expected a readable Parquet file"),
    ],
)
def test_unreadable_files_raise_one_domain_error(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=match):
        read_events(path)


def test_forced_format_mismatch_is_an_error(fixtures_dir):
    with pytest.raises(ReadError, match="expected ACLED columns"):
        read_events(fixtures_dir / "ucdp_with_header.csv", format="acled")


def test_real_ucdp_file_loads_completely(ucdp_eval_csv):
    result = read_events(ucdp_eval_csv)
    report = result.report
    assert report.format == "ucdp"
    assert report.rows_read == 11_757
    assert report.rows_loaded + report.rows_rejected == report.rows_read
    assert report.rows_loaded == 11_757
    assert report.to_dict()["date_min"] == "2016-01-01"
    assert report.to_dict()["date_max"] == "2017-12-31"
    assert result.events["event_date"].is_monotonic_increasing
    assert set(result.events["source_event_type"].astype(str)) == {"ucdp:1", "ucdp:2", "ucdp:3"}
    assert int(result.events["fatalities"].sum()) > 0
    assert "conflict_name" in result.events.columns


def test_every_schema_field_is_documented_in_data_readme():
    from tests.conftest import ROOT

    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    missing = [name for name in FIELD_BY_NAME if f"`{name}`" not in text]
    assert not missing, f"data/README.md does not document: {missing}"


def test_place_names_without_coordinates_are_geocoded_or_rejected(tmp_path):
    path = tmp_path / "places.csv"
    path.write_text("date,place,admin1\n2024-11-30,Saraqeb,Idlib\n2024-11-30,Rabia,\n2024-12-01,Idlib Governorate,\n")
    result = read_events(path)
    events = result.events.set_index("location")
    assert events.loc["Saraqeb", "geo_precision"] == 1
    assert abs(events.loc["Saraqeb", "latitude"] - 35.86447) < 0.01
    assert "GeoNames" in events.loc["Saraqeb", "geocoded_by"]
    assert events.loc["Idlib Governorate", "geo_precision"] == 3  # a region, placed honestly
    # Rabia: Iraq or Latakia? The file names no country, so neither.
    assert result.report.reasons == {"place not geocoded: places of that name in several countries (IQ, SY) and no country given": 1}
    assert result.report.rejected["detail"].iloc[0].startswith("best candidate:")
