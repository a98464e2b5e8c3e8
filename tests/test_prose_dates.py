"""Dates written as prose, with a time, a weekday or a zone: read to their day, never guessed."""

from __future__ import annotations

import pandas as pd
import pytest

import geo.dates
from geo.dates import PROSE_STYLE, parse_date_column
from geo.io import read_events

#: (text as a news export writes it, the date it means): the time of day is dropped, its zone never applied.
PROSE = [
    ("March 17, 2017, 8:59 p.m.", "2017-03-17"),
    ("Sept. 30, 2016, midnight", "2016-09-30"),
    ("Oct. 1, 2016, noon", "2016-10-01"),
    ("Feb. 3, 2017, 10:15 a.m.", "2017-02-03"),
    ("MARCH 17, 2017, 8:59 P.M.", "2017-03-17"),
    ("17 March 2017 20:59", "2017-03-17"),
    ("17 March 2017, 20:59", "2017-03-17"),
    ("Mar 17 2017 8:59 PM", "2017-03-17"),
    ("Mar 17, 2017 8pm", "2017-03-17"),
    ("March 17, 2017 at 8:59 PM", "2017-03-17"),
    ("8:59 p.m., March 17, 2017", "2017-03-17"),
    ("at noon on 17 March 2017", "2017-03-17"),
    ("Friday, March 17, 2017", "2017-03-17"),
    ("Fri. 17 Mar 2017, 20:59", "2017-03-17"),
    ("Friday, March 17, 2017, 8:59 p.m. (AST)", "2017-03-17"),
    ("2017-03-17T20:59:00Z", "2017-03-17"),
    ("2017-03-17T23:30:00-05:00", "2017-03-17"),  # 04:30 UTC on the 18th: the date stays as written
    ("2017-03-17 23:30:00 UTC", "2017-03-17"),
    ("March 17, 2017, 11:30 p.m. EST", "2017-03-17"),
    ("17 March 2017 00:30 +14:00", "2017-03-17"),
    ("17th of March 2017", "2017-03-17"),
    ("the 17th of March, 2017 at noon", "2017-03-17"),
    ("17th of March 2017 at 11.30pm PST", "2017-03-17"),  # read by dateparser, zone and all: still the 17th
]


@pytest.mark.parametrize(("text", "expected"), PROSE, ids=[p[0] for p in PROSE])
def test_each_prose_shape_reads_as_its_date(text, expected):
    parsed = parse_date_column(pd.Series([text]))
    assert parsed.dates.iloc[0] == pd.Timestamp(expected)
    assert parsed.styles.iloc[0] != ""


#: Texts that must stay unparsed: no reference date, a part missing, an impossible time, two readings.
NOT_DATES = [
    "yesterday",
    "2 days ago",
    "today",
    "yesterday at 8 pm",
    "last Friday",
    "in 3 days",
    "March 2017",
    "March 17",
    "March 17, 8:59 p.m.",
    "Friday",
    "Mar 17 15",  # day 17 of 2015 or day 15 of 2017
    "March 17, 2017, 25:00",
    "March 17, 2017, 13 p.m.",
    "31 February 2017, noon",
    "45626 8 pm",  # a bare number with a time is not an Excel serial
    "March 17, 2017 Mosul",
    "x" * 1000,
    "March " * 200 + "17, 2017",
]


@pytest.mark.parametrize("text", NOT_DATES, ids=[t[:30] for t in NOT_DATES])
def test_relative_incomplete_or_impossible_texts_are_not_dates(text):
    parsed = parse_date_column(pd.Series([text]))
    assert parsed.dates.isna().all()
    assert parsed.styles.iloc[0] == ""


@pytest.mark.parametrize(
    ("texts", "kwargs", "expected", "order"),
    [
        # 05/04 with a time follows what 25/12 proves, like 05/04 without one.
        (["25/12/2015", "05/04/2015 8:59 p.m."], {}, ["2015-12-25", "2015-04-05"], "dmy"),
        (["12/25/2015", "05/04/2015 8:59 p.m."], {}, ["2015-12-25", "2015-05-04"], "mdy"),
        # a value with a time decides the column too
        (["12/25/2015 noon", "05/04/2015"], {}, ["2015-12-25", "2015-05-04"], "mdy"),
        (["05/04/2015 8:59 p.m."], {"convention": "mdy"}, ["2015-05-04"], "mdy"),
        (["05/04/2015 8:59 p.m."], {"convention": "dmy"}, ["2015-04-05"], "dmy"),
        (["05/04/2015 8:59 p.m."], {"order": "mdy"}, ["2015-05-04"], "mdy"),
        (["Friday, 05/04/2015, 8:59 p.m."], {"convention": "dmy"}, [None], "dmy"),  # 5 April 2015 was a Sunday
        (["Sunday, 05/04/2015, 8:59 p.m."], {"convention": "dmy"}, ["2015-04-05"], "dmy"),
    ],
)
def test_numeric_dates_with_a_time_follow_the_column_order(texts, kwargs, expected, order):
    parsed = parse_date_column(pd.Series(texts), **kwargs)
    assert parsed.order == order
    assert [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in parsed.dates] == expected


def test_a_numeric_date_with_a_time_proving_the_other_order_is_a_contradiction():
    parsed = parse_date_column(pd.Series(["25/12/2015", "26/12/2015", "12/27/2015 8:59 p.m."]))
    assert parsed.order == "dmy"
    assert parsed.contradicts.tolist() == [False, False, True]
    assert parsed.dates.isna().tolist() == [False, False, True]


def test_a_column_mixing_prose_and_iso():
    texts = ["2017-03-17", "March 18, 2017, 8:59 p.m.", "Friday, March 17, 2017", "19 March 2017 noon",
             "2017-03-20T01:00:00+03:00", "the 21st of March 2017"]  # fmt: skip
    parsed = parse_date_column(pd.Series(texts))
    assert parsed.dates.dt.strftime("%Y-%m-%d").tolist() == ["2017-03-17", "2017-03-18", "2017-03-17", "2017-03-19", "2017-03-20", "2017-03-21"]
    assert parsed.styles.tolist() == [
        "2024-11-30 (ISO 8601)", "November 30, 2024 with a time", "Saturday, November 30, 2024",
        "30 November 2024 with a time", "2024-11-30 (ISO 8601) with a time", PROSE_STYLE,
    ]  # fmt: skip
    assert parsed.order is None  # no numeric date: nothing to decide


def test_a_weekday_contradicting_the_date_is_flagged_not_guessed():
    parsed = parse_date_column(pd.Series(["Friday, March 17, 2017", "Sunday, March 17, 2017", "Sun 19 Mar 2017 8pm"]))
    assert parsed.wrong_weekday.tolist() == [False, True, False]
    assert parsed.dates.isna().tolist() == [False, True, False]


def test_the_fallback_reads_each_distinct_date_once(monkeypatch):
    calls: list[str] = []
    real = geo.dates._prose_date
    monkeypatch.setattr(geo.dates, "_prose_date", lambda parser, value: calls.append(value) or real(parser, value))
    times = [f"the 17th of March 2017 at {h}:{m:02d} p.m." for h in range(1, 13) for m in range(60)]
    parsed = parse_date_column(pd.Series(times * 5 + ["2017-03-18"] * 1000))
    assert parsed.dates.notna().all()
    # 720 distinct times of one day: one date text, read once (one day number: the order cannot matter).
    assert calls == ["the 17th of March 2017"]


def test_prose_csv_through_read_events(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text(
        "event_id,date,lat,lon\n"
        'e1,"March 17, 2017, 8:59 p.m.",36.2,37.1\n'
        'e2,"Sept. 30, 2016, midnight",36.2,37.1\n'
        'e3,"Friday, March 17, 2017",36.2,37.1\n'
        "e4,2017-03-18T23:30:00-05:00,36.2,37.1\n"
        "e5,yesterday,36.2,37.1\n"
        'e6,"Sunday, March 17, 2017",36.2,37.1\n'
        'e7,"Oct. 1, 2016, noon",36.2,37.1\n',
        encoding="utf-8",
    )
    result = read_events(path)
    loaded = dict(zip(result.events["event_id"], result.events["event_date"].dt.strftime("%Y-%m-%d"), strict=True))
    assert loaded == {"e1": "2017-03-17", "e2": "2016-09-30", "e3": "2017-03-17", "e4": "2017-03-18", "e7": "2016-10-01"}
    report = result.report
    assert report.reasons == {"unparseable date": 1, "weekday contradicts the date": 1}
    rejected = dict(zip(report.rejected["event_id"], report.rejected["detail"], strict=True))
    assert rejected == {"e5": "date=yesterday", "e6": "date=Sunday, March 17, 2017"}
