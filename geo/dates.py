"""Vectorised date parsing for the date styles event files use."""

from __future__ import annotations

import pandas as pd

#: Tried in order; each format only parses what the earlier ones left unparsed.
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d %B %Y",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
    "%B %d %Y",
    "%d.%m.%Y",
)

#: Earliest plausible event date: UCDP GED begins in 1989 (ACLED's Middle East data in 2016).
EARLIEST_DATE = pd.Timestamp("1989-01-01")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
STYLE_EXAMPLE = pd.Timestamp("2024-11-30")
EXCEL_STYLE = "45626 (Excel serial)"


def parse_dates(values: pd.Series, *, styles: bool = False) -> pd.Series | tuple[pd.Series, pd.Series]:
    """Parse a column of date strings in any of :data:`DATE_FORMATS` (or ISO 8601 with time).

    ``30-11-2024`` is read day-first, as ACLED exports write it; ambiguous
    US-style month-first dates are not guessed. Whole numbers between 1989 and today's
    Excel serial (``45626``) are Excel's day numbers, as spreadsheets export dates.

    Parameters
    ----------
    values
        Strings such as ``2024-11-30``, ``30 November 2024`` or ``30-11-2024``.
    styles
        Also return, per value, the style it was read in (30 Nov 2024 written that way,
        or :data:`EXCEL_STYLE`; ``""`` when unparsed), so a report can name mixed or converted dates.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]`` values normalised to midnight; ``NaT`` where nothing parsed.
    """
    text = values.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    style = pd.Series("", index=values.index, dtype=object)
    todo = text.notna() & (text.str.len() > 0)
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        parsed = _in_range(pd.to_datetime(text[todo], format=fmt, errors="coerce"))
        out.loc[parsed.index] = parsed
        style.loc[parsed.index[parsed.notna()]] = STYLE_EXAMPLE.strftime(fmt)
        todo &= out.isna()
    if todo.any():
        # Timestamps with a time part ("2024-11-30T04:43:00", "2024-11-30 04:43").
        parsed = _in_range(pd.to_datetime(text[todo], format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None))
        out.loc[parsed.index] = parsed
        style.loc[parsed.index[parsed.notna()]] = "2024-11-30T04:43 (ISO 8601)"
        todo &= out.isna()
    if todo.any():
        serial = _excel_serials(text[todo])
        out.loc[serial.index] = serial
        style.loc[serial.index] = EXCEL_STYLE
    out = out.dt.normalize()
    return (out, style) if styles else out


def _in_range(parsed: pd.Series) -> pd.Series:
    """Parsed dates as nanosecond timestamps; years pandas cannot hold ("0000-01-01") become NaT."""
    if parsed.dtype == "datetime64[ns]":
        return parsed
    ok = parsed.notna() & (parsed >= pd.Timestamp.min) & (parsed <= pd.Timestamp.max)
    return parsed.where(ok).astype("datetime64[ns]")


def _excel_serials(text: pd.Series) -> pd.Series:
    """Excel day numbers (days since 1899-12-30) that fall between 1989 and today."""
    number = pd.to_numeric(text.where(text.str.fullmatch(r"\d{5}(?:\.\d+)?")), errors="coerce")
    low = (EARLIEST_DATE - EXCEL_EPOCH).days
    high = (pd.Timestamp.now(tz="UTC").tz_localize(None) - EXCEL_EPOCH).days + 1
    number = number[number.between(low, high)]
    return (EXCEL_EPOCH + pd.to_timedelta(number.astype(float).round(), unit="D")).astype("datetime64[ns]")
