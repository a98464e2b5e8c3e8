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
)


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse a column of date strings in any of :data:`DATE_FORMATS` (or ISO 8601 with time).

    ``30-11-2024`` is read day-first, as ACLED exports write it; ambiguous
    US-style month-first dates are not guessed.

    Parameters
    ----------
    values
        Strings such as ``2024-11-30``, ``30 November 2024`` or ``30-11-2024``.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]`` values normalised to midnight; ``NaT`` where nothing parsed.
    """
    text = values.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    todo = text.notna() & (text.str.len() > 0)
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        out.loc[parsed.index] = parsed.astype("datetime64[ns]")
        todo &= out.isna()
    if todo.any():
        # Timestamps with a time part ("2024-11-30T04:43:00", "2024-11-30 04:43").
        parsed = pd.to_datetime(text[todo], format="ISO8601", errors="coerce", utc=True)
        out.loc[parsed.index] = parsed.dt.tz_localize(None).astype("datetime64[ns]")
    return out.dt.normalize()
