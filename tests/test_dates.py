"""Date styles real exports carry, and the per-column decision of day or month first."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.dates import parse_date_column
from geo.io import read_events

NOV_30 = pd.Timestamp("2024-11-30")

#: (text as an export writes it, style the report names)
STYLES = [
    ("2024-11-30", "2024-11-30 (ISO 8601)"),
    ("2024-11-30T04:43:00Z", "2024-11-30 (ISO 8601) with a time"),
    ("2024-11-30 04:43", "2024-11-30 (ISO 8601) with a time"),
    ("30 November 2024", "30 November 2024"),
    ("30-November-2024", "30-November-2024"),
    ("30-Nov-24", "30-Nov-24"),
    ("30-Nov-2024", "30-Nov-2024"),
    ("30 Nov 2024", "30 Nov 2024"),
    ("November 30, 2024", "November 30, 2024"),
    ("30/11/2024", "30/11/2024 (day first)"),
    ("30-11-24", "30-11-24 (day first)"),
    ("30.11.2024", "30.11.2024 (day first)"),
    ("11/30/2024", "11/30/2024 (month first)"),
    ("11/30/2024 00:00:00", "11/30/2024 (month first) with a time"),
    ("20241130", "20241130"),
    ("2024/11/30", "2024/11/30"),
    ("45626", "45626 (Excel serial)"),
    ("45626.0", "45626 (Excel serial)"),
    ("1732924800", "1732924800 (Unix time, seconds or milliseconds)"),
    ("1732924800000", "1732924800 (Unix time, seconds or milliseconds)"),
    ("Nov. 30, 2024", "November 30, 2024"),
    ("11/30/2024 12:00:00 AM", "11/30/2024 (month first) with a time"),
]


@pytest.mark.parametrize(("text", "style"), STYLES, ids=[s[0] for s in STYLES])
def test_each_style_reads_as_its_date(text, style):
    parsed = parse_date_column(pd.Series([text]))
    assert parsed.dates.iloc[0] == NOV_30
    assert parsed.styles.iloc[0] == style


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["9-May-20", "1-Jun-20"], ["2020-05-09", "2020-06-01"]),  # no leading zero, two-digit year
        (["01-January-2015", "7-March-2015"], ["2015-01-01", "2015-03-07"]),
        (["01/01/2014", "8/2/16", "25/12/2015"], ["2014-01-01", "2016-02-08", "2015-12-25"]),  # mixed in one column
        (["31/12/1999", "1/1/99"], ["1999-12-31", "1999-01-01"]),  # 99 is 1999: events begin in 1989
    ],
)
def test_mixed_and_short_forms_in_one_column(texts, expected):
    assert parse_date_column(pd.Series(texts)).dates.dt.strftime("%Y-%m-%d").tolist() == expected


@pytest.mark.parametrize(
    ("texts", "kwargs", "order", "decided"),
    [
        (["25/12/2015", "05/04/2015"], {}, "dmy", "decided by the column (1 value has a first field over 12)"),
        (["12/25/2015", "05/04/2015"], {"convention": "dmy"}, "mdy", "decided by the column (1 value has a second field over 12)"),
        (["05/04/2015"], {"convention": "mdy"}, "mdy", "the format's convention (no value decides)"),
        (["05/04/2015"], {}, "dmy", "the format's convention (no value decides)"),
        (["05/04/2015", "12/25/2015"], {"order": "dmy"}, "dmy", "as chosen (date order dmy)"),
        (["15/04/08", "16/05/09"], {"year": pd.Series(["2015", "2016"])}, "dmy", "decided by the column"),
        (["08/04/15", "09/05/16"], {"year": pd.Series(["2008", "2009"])}, "ymd", "decided by the year column"),
    ],
)
def test_order_is_decided_for_the_whole_column(texts, kwargs, order, decided):
    parsed = parse_date_column(pd.Series(texts), **kwargs)
    assert parsed.order == order
    assert decided in parsed.decided_by


def test_a_column_never_mixes_orders_row_by_row():
    # 05/04 is read like 25/12 proves: day first, on every row.
    parsed = parse_date_column(pd.Series(["25/12/2015", "05/04/2015", "11/12/2015"]))
    assert parsed.dates.dt.strftime("%Y-%m-%d").tolist() == ["2015-12-25", "2015-04-05", "2015-12-11"]


def test_a_column_proving_both_orders_rejects_the_minority(tmp_path):
    path = tmp_path / "both.csv"
    rows = [f"e{i},{d},36.2,37.1" for i, d in enumerate(["25/12/2015", "26/12/2015", "12/27/2015", "05/04/2015"])]
    path.write_text("event_id,date,lat,lon\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = read_events(path).report
    assert report.rows_loaded == 3
    assert report.reasons == {"date contradicts the column's date order": 1}
    assert report.rejected["event_id"].tolist() == ["e2"]
    assert "rejected: 1 proving the other order" in report.date_order_decided_by


def test_an_assumed_order_is_a_warning_naming_the_column_and_the_override(tmp_path):
    path = tmp_path / "ambiguous.csv"
    path.write_text("event_id,date,lat,lon\ne1,05/04/2015,36.2,37.1\ne2,06/04/2015,36.2,37.1\n", encoding="utf-8")
    report = read_events(path).report
    warning = next(w for w in report.warnings if "--date-order" in w)
    assert warning.startswith("event_date: read day first") and "--date-order mdy" in warning
    assert report.warnings[warning] == 2
    again = read_events(path, date_order="mdy")
    assert again.events["event_date"].dt.strftime("%Y-%m-%d").tolist() == ["2015-05-04", "2015-06-04"]
    assert not any("--date-order" in w for w in again.report.warnings)


def test_ucdp_web_export_is_month_first_by_convention(tmp_path):
    path = tmp_path / "gedevents.csv"
    header = "relid,year,type_of_violence,side_a,side_b,where_prec,latitude,longitude,date_start,date_end,best_est,low_est,high_est"
    row = "SYR-2015-1-1-1,2015,1,Government of Syria,IS,1,36.2,37.16,09/04/2015 00:00:00,09/05/2015 00:00:00,3,2,5"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    result = read_events(path)
    event = result.events.iloc[0]
    assert (event["event_date"], event["event_date_end"]) == (pd.Timestamp("2015-09-04"), pd.Timestamp("2015-09-05"))
    assert (event["event_id"], event["fatalities"], event["fatalities_low"], event["fatalities_high"]) == ("SYR-2015-1-1-1", 3, 2, 5)
    assert result.report.date_order == "mdy"


def test_date_disagreeing_with_the_year_column_is_rejected(tmp_path):
    path = tmp_path / "year.csv"
    path.write_text("event_id,date,year,lat,lon\ne1,28/12/2015,2016,36.2,37.1\ne2,29/12/2015,2015,36.2,37.1\n", encoding="utf-8")
    report = read_events(path).report
    assert report.reasons == {"date disagrees with the year column": 1}
    assert report.rejected["detail"].iloc[0] == "date=28/12/2015, year=2016"


def test_cli_takes_the_date_order(tmp_path):
    import json
    import subprocess
    import sys

    path = tmp_path / "ambiguous.csv"
    path.write_text("event_id,date,lat,lon\ne1,05/04/2015,36.2,37.1\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    cmd = [sys.executable, "-m", "geo", "ingest", str(path), "--date-order", "mdy", "--json", "--out", str(out)]
    report = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    assert report["date_order"] == "mdy" and "as chosen" in report["date_order_decided_by"]
    assert report["date_min"] == "2015-05-04"


YEAR_FIRST_REASON = "year-first date in a day-first column: day and month cannot be told apart"


def _acled_geojson(path, dates):
    """An ACLED-shaped GeoJSON whose EVENT_DATE column is day first, partly rewritten year first."""
    import json

    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [7.4 + i / 100, 9.1]},
              "properties": {"EVENT_ID_CNTY": f"NIG{i}", "EVENT_DATE": d, "EVENT_TYPE": "Battles", "ACTOR1": "A",
                             "SUB_EVENT_TYPE": "Armed clash", "INTER1": "1", "INTERACTION": "12", "GEO_PRECISION": "1"}}
             for i, d in enumerate(dates)]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def test_year_first_values_a_month_first_tool_could_have_rewritten_are_rejected_with_the_reason(tmp_path):
    # 2016-05-11 beside day-first values: written from 05/11/2016 (5 Nov) or 11/05/2016 (11 May) — unknown.
    path = _acled_geojson(tmp_path / "acled.geojson", ["30/11/2016", "2016-05-11", "2016-05-13", "2016-07-07", "15/01/2016"])
    report = read_events(path).report
    assert report.reasons == {YEAR_FIRST_REASON: 1}
    rejected = report.rejected
    assert rejected["event_id_cnty"].tolist() == ["NIG1"]
    assert "date=2016-05-11" in rejected["detail"].iat[0] and "day first" in rejected["detail"].iat[0]
    # Year-first values that cannot be a swap (day over 12, or day equal to month) read as written.
    events = read_events(path).events
    assert sorted(events["event_date"].dt.strftime("%Y-%m-%d")) == ["2016-01-15", "2016-05-13", "2016-07-07", "2016-11-30"]


@pytest.mark.parametrize(
    ("texts", "kwargs", "rejected"),
    [
        (["11/30/2016", "2016-05-11"], {}, 0),  # month-first column: year-first values are not doubted
        (["05/04/2016", "2016-05-11"], {}, 0),  # day first only by convention: nothing proves a rewrite
        (["05/04/2016", "2016-05-11"], {"order": "dmy"}, 1),  # the analyst says the column is day first
        (["2016-05-11", "2016-06-12"], {}, 0),  # no numeric value: nothing to be day first
    ],
)
def test_year_first_doubt_needs_a_day_first_column(texts, kwargs, rejected):
    parsed = parse_date_column(pd.Series(texts), **kwargs)
    assert int(parsed.year_first_ambiguous.sum()) == rejected
    assert int(parsed.dates.isna().sum()) == rejected
