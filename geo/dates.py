"""Dates as event files write them, parsed one column at a time.

Each distinct text of a column is matched once against the shapes in :data:`DATE_SHAPES`
(vectorised regular expressions, no per-row Python). Numeric dates such as ``05/04/2015``
fit both day-first and month-first: the order is decided for the **whole column** from the
values that prove it (a first field over 12 proves day-first, a second field over 12
proves month-first), then from a ``year`` column, then from the file format's convention
— and the decision, with its reason, is returned so the load report can state it.

Texts none of the shapes match (``Friday, March 17, 2017, 8:59 p.m.``) go through a slower
fallback, once per distinct text: a leading weekday and a time of day are split off (the time
is dropped, never applied: a time zone does not move the date), the date left is matched
against the same shapes, and a date with its month written as a word that still fits none
(``17th of March 2017``) is read by ``dateparser``, pinned so that it never guesses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

#: Orders a numeric date can be read in, and how the report names them.
DATE_ORDERS: dict[str, str] = {
    "dmy": "day first (30/11/2024)",
    "mdy": "month first (11/30/2024)",
    "ymd": "year first (24/11/30)",
}

#: The order when no value of a column decides it and the source has no convention of its own
#: (each source layout's is in the readers' table: :attr:`geo.io.source.Layout.date_convention`).
DEFAULT_ORDER = "dmy"

#: Earliest plausible event date: UCDP GED begins in 1989 (ACLED's Middle East data in 2016).
EARLIEST_DATE = pd.Timestamp("1989-01-01")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_STYLE = "45626 (Excel serial)"
EPOCH_STYLE = "1732924800 (Unix time, seconds or milliseconds)"

_MONTH_NAMES = ("january february march april may june july august september october november december").split()
MONTHS: dict[str, int] = {name: i for i, full in enumerate(_MONTH_NAMES, start=1) for name in (full, full[:3])} | {"sept": 9}

_WEEKDAY_NAMES = "monday tuesday wednesday thursday friday saturday sunday".split()
#: Weekday names and abbreviations (Monday is 0, as pandas counts), for prose like ``Friday, March 17, 2017``.
WEEKDAYS: dict[str, int] = {n: i for i, full in enumerate(_WEEKDAY_NAMES) for n in (full, full[:3])} | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}

_TIME = r"(?P<time>[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR = r"(?P<y>\d{4}|\d{2})"

#: (style, full-match pattern) tried in order; each only sees the texts earlier shapes left.
DATE_SHAPES: tuple[tuple[str, str], ...] = (
    ("2024-11-30 (ISO 8601)", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME),
    ("2024/11/30", r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME),
    ("20241130", r"(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)"),
    ("30 November 2024", r"(?P<d>\d{1,2})(?:st|nd|rd|th)?(?P<s1>[ \-/.]+)(?P<mon>[A-Za-z]{3,9})\.?(?P<s2>[ \-/.,]+)" + _YEAR + _TIME),
    ("November 30, 2024", r"(?P<mon>[A-Za-z]{3,9})\.?[ \-]+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?[ \-]+(?P<y>\d{4})" + _TIME),
    ("numeric", r"(?P<a>\d{1,2})(?P<s1>[/.\-])(?P<b>\d{1,2})(?P=s1)" + _YEAR + _TIME),
    (EXCEL_STYLE, r"(?P<serial>\d{5}(?:\.\d+)?)"),
    (EPOCH_STYLE, r"(?P<epoch>\d{9,10}|\d{12,13})(?:\.0+)?"),
)

_FIELDS = ["y", "m", "d", "mon", "a", "b", "s1", "s2", "serial", "epoch", "time", "wd"]

#: Style of a date only ``dateparser`` could read (``17th of March 2017``).
PROSE_STYLE = "the 30th of November 2024 (prose)"

# A time of day as prose writes it: 8:59 p.m., 20:59:00, 8 PM, noon, midnight.
_MERIDIEM = r"[AaPp]\.?\s?[Mm]\.?(?![A-Za-z])"
_CLOCK = rf"(?P<clock>\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:\s*{_MERIDIEM})?|\d{{1,2}}\s*{_MERIDIEM}|(?i:noon|midnight))"
# A zone after the time (EST, UTC+3, +03:00, Z): matched so it can be dropped, never applied to the date.
_ZONE = r"(?:\s*(?:\(?(?:Z|[A-Z]{2,5})\)?|(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?))?"
_TIME_AFTER = rf"^(?P<rest>.+?)(?:\s*,\s*|\s+)(?:(?i:at)\s+)?{_CLOCK}{_ZONE}$"
_TIME_BEFORE = rf"^(?:(?i:at)\s+)?{_CLOCK}(?:\s*,\s*|\s+)(?:(?i:on)\s+)?(?P<rest>.+)$"
_LEADING_WEEKDAY = r"^(?P<wd>[A-Za-z]{3,9})\.?(?:\s*,\s*|\s+)(?P<rest>.+)$"
_MONTH_WORD = re.compile(r"(?<![A-Za-z])(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?![A-Za-z])", re.IGNORECASE)
_FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_SHORT_NUMBER = re.compile(r"(?<!\d)\d{1,2}(?!\d)")
#: Longest text handed to ``dateparser`` (a date with a time and a weekday is far shorter).
_PROSE_MAX_CHARS = 80
#: ``dateparser`` pinned so that it never guesses: the three parts written, absolute dates only
#: (no "yesterday", "2 days ago", "today": a file has no reference date), English, no locale order,
#: the zone kept as written (its date is not moved), and a fixed base so nothing depends on now.
_PROSE_SETTINGS: dict[str, Any] = {
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["absolute-time"],
    "PREFER_LOCALE_DATE_ORDER": False,
    "RETURN_AS_TIMEZONE_AWARE": True,
    "RELATIVE_BASE": dt.datetime(2000, 1, 1),
}


@dataclass(frozen=True)
class ParsedDates:
    """One date column, parsed.

    Attributes
    ----------
    dates
        ``datetime64[ns]`` at midnight; ``NaT`` where nothing parsed or the value contradicts ``order``.
    styles
        Per row, the style it was written in (``30/11/2024 (day first)``, :data:`EXCEL_STYLE` …; ``""`` unparsed).
    order
        ``dmy`` / ``mdy`` / ``ymd`` used for numeric dates; ``None`` when the column has none.
    decided_by
        How ``order`` was decided, in a sentence (empty when ``order`` is None).
    ambiguous
        Rows whose value fits more than one order (read in ``order``).
    contradicts
        Rows whose value proves another order than ``order`` (rejected by validation).
    assumed
        Whether ``order`` is the format's convention because nothing in the column decided it
        (the load report then warns and names the override).
    wrong_weekday
        Rows whose written weekday is not their date's (``Sunday, March 17, 2017``): ``NaT`` in
        ``dates`` and rejected, since which of the two is wrong cannot be told.
    """

    dates: pd.Series
    styles: pd.Series
    order: str | None
    decided_by: str
    ambiguous: int
    contradicts: pd.Series
    assumed: bool = False
    wrong_weekday: pd.Series | None = None
    year_first_ambiguous: pd.Series | None = None


def parse_date_column(
    values: pd.Series, *, order: str | None = None, convention: str = DEFAULT_ORDER,
    year: pd.Series | None = None, column: str = "event_date",
) -> ParsedDates:  # fmt: skip
    """Parse a date column, deciding day/month order for the whole column.

    Parameters
    ----------
    values
        Date texts in any of :data:`DATE_SHAPES`, mixed freely (``01/01/2014`` beside ``8/2/16``).
    order
        Force ``dmy``, ``mdy`` or ``ymd`` (the analyst's ``--date-order``); values that
        cannot be read in it are flagged in ``contradicts``.
    convention
        The order used when neither the values nor ``year`` decide (the format's convention).
    year
        The file's ``year`` column, aligned with ``values``: it decides between orders
        that the values leave open (``16/05/08``).
    column
        The column's name, for the sentence in ``decided_by``.
    """
    if order is not None and order not in DATE_ORDERS:
        msg = f"order: expected one of {tuple(DATE_ORDERS)}, got {order!r}"
        raise ValueError(msg)
    codes, uniques = pd.factorize(values.astype("string").str.strip(), use_na_sentinel=True)
    shapes = _match_shapes(pd.Series(uniques, dtype="string"))
    counts = np.bincount(codes[codes >= 0], minlength=len(shapes))
    numeric = shapes["style"] == "numeric"
    decided, reason, conv = order or convention, "", False
    if numeric.any():  # only numeric dates need an order
        decided, reason, conv = _decide_order(shapes, counts, codes, order=order, convention=convention, year=year, column=column)
    unique_dates, styles, contradicts, wrong_day = _assemble(shapes, decided)
    rows = codes >= 0
    take = np.where(rows, codes, 0)
    dates = pd.Series(np.where(rows, unique_dates.to_numpy()[take], np.datetime64("NaT")), index=values.index, dtype="datetime64[ns]")
    style = pd.Series(np.where(rows, styles.to_numpy(object)[take], ""), index=values.index, dtype=object)
    bad = pd.Series(rows & contradicts.to_numpy()[take], index=values.index)
    wrong_weekday = pd.Series(rows & wrong_day.to_numpy()[take], index=values.index)
    ambiguous = int(counts[(numeric & _fits_both(shapes)).to_numpy()].sum()) if numeric.any() else 0
    doubtful = _year_first_doubtful(shapes) if numeric.any() and decided == "dmy" and not conv else pd.Series(False, index=shapes.index)
    year_first = pd.Series(rows & doubtful.to_numpy()[take], index=values.index)
    dates = dates.mask(year_first)
    return ParsedDates(dates, style, decided if numeric.any() else None, reason if numeric.any() else "", ambiguous, bad, conv,
                       wrong_weekday, year_first)  # fmt: skip


def parse_dates(values: pd.Series, *, order: str | None = None, convention: str = DEFAULT_ORDER) -> pd.Series:
    """The dates of a column (``NaT`` where unparsed), as :func:`parse_date_column` reads them."""
    return parse_date_column(values, order=order, convention=convention).dates


def _match_shapes(text: pd.Series) -> pd.DataFrame:
    """Per distinct text: its style and the fields its shape captured (``""`` where absent)."""
    out = _match_fast(text)
    todo = (out["style"] == "") & text.notna() & (text.str.len() > 0)
    if todo.any():  # only the texts no vectorised shape matched pay for the fallback
        prose = _match_prose(text[todo])
        prose = prose[prose["style"] != ""]
        out.loc[prose.index, prose.columns] = prose.to_numpy()
    return out


def _match_fast(text: pd.Series) -> pd.DataFrame:
    """The vectorised pass: each text against :data:`DATE_SHAPES` in order."""
    out = pd.DataFrame("", index=text.index, columns=["style", *_FIELDS], dtype=object)
    todo = text.notna() & (text.str.len() > 0)
    for style, pattern in DATE_SHAPES:
        if not todo.any():
            break
        found = text[todo].str.extract(f"^{pattern}$")
        hit = found.notna().any(axis=1) & found.iloc[:, 0].notna()
        if not hit.any():
            continue
        idx = hit[hit].index
        out.loc[idx, "style"] = style
        for col in found.columns:
            out.loc[idx, col] = found.loc[idx, col].fillna("").to_numpy()
        todo &= out["style"] == ""
    return out


def _match_prose(text: pd.Series) -> pd.DataFrame:
    """Fields of the texts no shape matched, read after splitting off a weekday and a time of day.

    The date left is matched against :data:`DATE_SHAPES` again, so a numeric date written with a
    time (``05/04/2015 8:59 p.m.``) still takes the column's day/month order. Only a date whose month
    is a word and that still fits no shape goes to ``dateparser`` (:func:`_parse_prose`).
    """
    lead = text.str.extract(_LEADING_WEEKDAY)
    has_wd = lead["wd"].str.lower().isin(WEEKDAYS).to_numpy(bool)
    body = text.where(~has_wd, lead["rest"])
    weekday = lead["wd"].where(has_wd, "")
    clock = pd.Series("", index=text.index, dtype=object)
    for pattern in (_TIME_AFTER, _TIME_BEFORE):
        todo = clock == ""
        found = body[todo].str.extract(pattern).dropna(subset=["clock"])
        found = found[_valid_clock(found["clock"])]
        clock[found.index] = found["clock"].to_numpy(object)
        body[found.index] = found["rest"].to_numpy(object)
    date_text = body.fillna("").str.strip(" ,")
    codes, uniques = pd.factorize(date_text)  # many times of one day share its date text
    distinct = pd.Series(uniques, dtype="string")
    fields = _match_fast(distinct)
    fields.loc[fields["style"].isin([EXCEL_STYLE, EPOCH_STYLE]), "style"] = ""  # a bare number with a time is no date
    left = fields["style"] == ""
    if left.any():
        prose = _parse_prose(distinct[left])
        fields.loc[prose.index, ["style", "y", "m", "d"]] = prose[["style", "y", "m", "d"]].to_numpy()
    out = fields.iloc[codes].set_index(text.index)
    out["time"] = np.where(clock != "", clock, out["time"])
    out["wd"] = weekday.to_numpy(object)
    return out


def _valid_clock(clock: pd.Series) -> pd.Series:
    """Whether each time of day is one a clock shows (hour ≤ 12 before a.m./p.m., minutes < 60)."""
    parts = clock.str.extract(r"^(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?(?::(?P<s>\d{2}))?")
    hour, minute, second = (pd.to_numeric(parts[c], errors="coerce") for c in ("h", "mi", "s"))
    meridiem = clock.str.contains(r"[AaPp]\.?\s?[Mm]", regex=True)
    words = parts["h"].isna() & (clock.str.len() > 0)  # noon, midnight
    fits = hour.le(24) & (~meridiem | hour.between(1, 12)) & minute.fillna(0).le(59) & second.fillna(0).le(60)
    return words | fits.fillna(False)


@lru_cache(maxsize=1)
def _prose_parsers() -> tuple[Any, ...]:
    """Two ``dateparser`` readers, day first and month first; none when it is not installed."""
    try:
        from dateparser.date import DateDataParser  # on first use: most files never need it
    except ImportError:
        return ()
    return tuple(DateDataParser(languages=["en"], settings=_PROSE_SETTINGS | {"DATE_ORDER": o}) for o in ("DMY", "MDY"))


def _parse_prose(text: pd.Series) -> pd.DataFrame:
    """``style, y, m, d`` of the prose dates ``dateparser`` reads alike day first and month first.

    Only texts whose month is a word and whose year is written in four digits are tried, so it
    never decides the order of a numeric date (the column does) nor completes a two-digit year.
    Rows it cannot read are left out.
    """
    parsers = _prose_parsers()
    rows: dict[Any, tuple[str, str, str, str]] = {}
    for key, value in text.items():
        if not parsers or len(value) > _PROSE_MAX_CHARS or not _MONTH_WORD.search(value):
            continue
        one_day_number = len(_SHORT_NUMBER.findall(value)) <= 1  # then day first and month first cannot differ
        read = {_prose_date(parser, value) for parser in (parsers[:1] if one_day_number else parsers)}
        day = read.pop() if len(read) == 1 else None  # two readings: the order matters and is not ours to guess
        if day is not None and str(day.year) in _FOUR_DIGIT_YEAR.findall(value):
            rows[key] = (PROSE_STYLE, str(day.year), str(day.month), str(day.day))
    return pd.DataFrame.from_dict(rows, orient="index", columns=["style", "y", "m", "d"], dtype=object)


def _prose_date(parser: Any, value: str) -> dt.date | None:
    """The date ``parser`` reads in ``value``, in its own time zone (never converted), or None."""
    try:
        found = parser.get_date_data(value).date_obj
    except Exception:  # noqa: BLE001 - any failure of the third-party parser on odd text means "not a date"
        return None
    return found.date() if found is not None else None


def _ints(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.where(values != ""), errors="coerce")


def _fits_both(shapes: pd.DataFrame) -> pd.Series:
    a, b = _ints(shapes["a"]), _ints(shapes["b"])
    return (a <= 12) & (b <= 12) & (a >= 1) & (b >= 1) & (a != b)


#: Styles written year first with numeric month and day (what a month-first tool writes when it rewrites a date).
YEAR_FIRST_STYLES = frozenset({"2024-11-30 (ISO 8601)", "2024/11/30"})


def _year_first_doubtful(shapes: pd.DataFrame) -> pd.Series:
    """Distinct texts written year first whose month and day could be each other (both 1–12, not equal)."""
    m, d = _ints(shapes["m"]), _ints(shapes["d"])
    year_first = shapes["style"].isin(YEAR_FIRST_STYLES)
    return (year_first & m.between(1, 12) & d.between(1, 12) & (m != d)).fillna(False)


def _decide_order(
    shapes: pd.DataFrame, counts: np.ndarray, codes: np.ndarray, *, order: str | None, convention: str,
    year: pd.Series | None, column: str,
) -> tuple[str, str, bool]:  # fmt: skip
    """``(order, sentence, from_convention)`` for the column's numeric dates."""
    if order is not None:
        return order, f"{column}: read {DATE_ORDERS[order]}, as chosen (date order {order})", False
    numeric = (shapes["style"] == "numeric").to_numpy()
    a, b = _ints(shapes["a"]).to_numpy(), _ints(shapes["b"]).to_numpy()
    day_first = int(counts[numeric & (a > 12) & (b <= 12)].sum())
    month_first = int(counts[numeric & (b > 12) & (a <= 12)].sum())
    if day_first or month_first:
        winner = "dmy" if day_first >= month_first else "mdy"
        proof = f"{_values(max(day_first, month_first))} a {'first' if winner == 'dmy' else 'second'} field over 12"
        against = min(day_first, month_first)
        tail = f"; rejected: {against:,} proving the other order" if against else ""
        return winner, f"{column}: read {DATE_ORDERS[winner]}, decided by the column ({proof}){tail}", False
    by_year = _order_from_year(shapes, codes, year)
    if by_year is not None:
        return by_year, f"{column}: read {DATE_ORDERS[by_year]}, decided by the year column", False
    return convention, f"{column}: read {DATE_ORDERS[convention]}, the format's convention (no value decides)", True


def _values(n: int) -> str:
    return f"{n:,} value has" if n == 1 else f"{n:,} values have"


def _order_from_year(shapes: pd.DataFrame, codes: np.ndarray, year: pd.Series | None) -> str | None:
    """The one order whose years agree with the ``year`` column on the most rows, if one does."""
    if year is None:
        return None
    given = pd.to_numeric(year.astype("string").str.strip(), errors="coerce").to_numpy()
    rows = (codes >= 0) & ~np.isnan(given)
    if not rows.any():
        return None
    agree = {}
    for candidate in DATE_ORDERS:
        parsed, _, _, _ = _assemble(shapes, candidate)
        years = parsed.dt.year.to_numpy(dtype=float, na_value=np.nan)[np.where(rows, codes, 0)]
        agree[candidate] = int((rows & (years == given)).sum())
    best = max(agree.values())
    winners = [k for k, v in agree.items() if v == best]
    return winners[0] if len(winners) == 1 and best > 0 else None


def _assemble(shapes: pd.DataFrame, order: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per distinct text: its date (``order`` for numeric ones), its style, whether it contradicts ``order`` or its weekday."""
    style = shapes["style"].copy()
    y, m, d = shapes["y"].copy(), shapes["m"].copy(), shapes["d"].copy()
    named = shapes["mon"] != ""
    m[named] = shapes.loc[named, "mon"].str.lower().map(MONTHS).fillna(0).astype(int).astype(str)
    numeric = style == "numeric"
    a, b, last = shapes["a"], shapes["b"], shapes["y"]
    if order == "dmy":
        d[numeric], m[numeric] = a[numeric], b[numeric]
    elif order == "mdy":
        m[numeric], d[numeric] = a[numeric], b[numeric]
    else:
        y[numeric], m[numeric], d[numeric] = a[numeric], b[numeric], last[numeric].where(last[numeric].str.len() == 2, "99")
    dates = _from_fields(_full_year(_ints(y)), _ints(m), _ints(d))
    serial = style == EXCEL_STYLE
    if serial.any():
        dates[serial] = _excel_serials(shapes.loc[serial, "serial"])
    epoch = style == EPOCH_STYLE
    if epoch.any():  # ArcGIS and API exports write dates as Unix time, often in milliseconds
        dates[epoch] = _unix_times(shapes.loc[epoch, "epoch"])
    style = _style_names(shapes, style, order)
    contradicts = numeric & dates.isna() & _proves_other(shapes, order)
    written = shapes["wd"].str.lower().map(WEEKDAYS)
    wrong_day = written.notna() & dates.notna() & (written != dates.dt.day_of_week)
    dates[wrong_day] = pd.NaT  # the weekday and the date disagree: which one is wrong is not ours to pick
    return dates, style.where(dates.notna(), ""), contradicts, wrong_day


def _proves_other(shapes: pd.DataFrame, order: str) -> pd.Series:
    a, b = _ints(shapes["a"]), _ints(shapes["b"])
    day_first, month_first = (a > 12) & (b <= 12), (b > 12) & (a <= 12)
    return {"dmy": month_first, "mdy": day_first, "ymd": day_first | month_first}[order].fillna(False)


def _full_year(y: pd.Series) -> pd.Series:
    """Two-digit years: 89–99 are 1989–1999, the rest 2000s (events begin in 1989)."""
    return y.where(y >= 100, np.where(y >= EARLIEST_DATE.year % 100, 1900 + y, 2000 + y))


def _from_fields(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    valid = y.between(1800, 2200) & m.between(1, 12) & d.between(1, 31)  # inside what datetime64[ns] holds
    parts = pd.DataFrame({"year": y.where(valid, 2000), "month": m.where(valid, 1), "day": d.where(valid, 1)}).astype(int)
    out = pd.to_datetime(parts, errors="coerce")  # 31 February → NaT
    return out.where(valid).astype("datetime64[ns]")


def _style_names(shapes: pd.DataFrame, style: pd.Series, order: str) -> pd.Series:
    """A readable example of each text's style (``9-May-20`` is ``30-Nov-24``)."""
    out = style.copy()
    named = style == "30 November 2024"
    if named.any():
        month = np.where(shapes.loc[named, "mon"].str.len() > 3, "November", "Nov")
        year = np.where(shapes.loc[named, "y"].str.len() == 2, "24", "2024")
        out[named] = "30" + shapes.loc[named, "s1"] + month + shapes.loc[named, "s2"] + year
    numeric = style == "numeric"
    if numeric.any():
        sep = shapes.loc[numeric, "s1"]
        year = np.where(shapes.loc[numeric, "y"].str.len() == 2, "24", "2024")
        first, second = {"dmy": ("30", "11"), "mdy": ("11", "30"), "ymd": ("24", "11")}[order]
        tail = "30" if order == "ymd" else year
        out[numeric] = first + sep + second + sep + tail + f" ({DATE_ORDERS[order].split(' (')[0]})"
    timed = shapes["time"].str.len() > 0
    out[timed] = out[timed] + " with a time"
    weekday = shapes["wd"].str.len() > 0
    out[weekday] = "Saturday, " + out[weekday]  # 30 November 2024 was a Saturday
    return out


def _unix_times(text: pd.Series) -> pd.Series:
    """Unix times (10 digits: seconds, 13: milliseconds) between 1989 and today, at their UTC date."""
    number = pd.to_numeric(text, errors="coerce")
    seconds = number.where(text.str.len() <= 10, number / 1000)
    today = pd.Timestamp.now(tz="UTC").tz_localize(None)
    dates = pd.to_datetime(seconds.round(), unit="s", errors="coerce")
    return dates.where((dates >= EARLIEST_DATE) & (dates <= today + pd.Timedelta(days=1))).dt.normalize().astype("datetime64[ns]")


def _excel_serials(text: pd.Series) -> pd.Series:
    """Excel day numbers (days since 1899-12-30) that fall between 1989 and today; NaT otherwise."""
    number = pd.to_numeric(text, errors="coerce")
    low = (EARLIEST_DATE - EXCEL_EPOCH).days
    high = (pd.Timestamp.now(tz="UTC").tz_localize(None) - EXCEL_EPOCH).days + 1
    number = number.where(number.between(low, high))
    return (EXCEL_EPOCH + pd.to_timedelta(number.round(), unit="D")).astype("datetime64[ns]")
