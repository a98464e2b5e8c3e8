"""Exports of the current query: CSV (formula-injection safe), GeoJSON, GeoParquet, map HTML."""

from __future__ import annotations

import csv
import io
import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.detail_text import whole_events, with_text
from geo.mapview import build_map, standalone_html
from geo.query import Query
from geo.web.exports import Download

#: What makes a spreadsheet read a cell as a formula when it starts one: OWASP's = + - @ tab CR,
#: LF, and the full-width ＝ ＋ － ＠ (some input methods and spreadsheets fold them to ASCII; cheap to cover).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
#: Blanks a spreadsheet may trim (LibreOffice's "Trim spaces", Excel's paste) before it sees an "=": every
#: Unicode space but CR and LF (they end a line), and the invisible U+200B and U+FEFF.
_BLANKS = "\t\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
#: A risky line: optional blanks, then a formula character. Plain character classes only, so that
#: pandas' regex engines (Python's re and pyarrow's RE2) find the same cells as :data:`_NEUTRALISE`.
_RISKY_LINE = f"[{_BLANKS}]*[=+@\t＝＋－＠-]"
#: Where a ' goes: before a cell that starts with a line break, and at the start of the cell and of
#: every line in it (after CR, LF or CRLF) that is risky. A spreadsheet that splits the cell there,
#: or shows it as lines, must not find a formula at the start of any of them.
_NEUTRALISE = re.compile(f"^(?=[\r\n])|(?:^|(?<=[\r\n]))(?={_RISKY_LINE})")


def neutralise(cell: str) -> str:
    """``cell`` with a ``'`` before every place a spreadsheet could start a formula.

    Parameters
    ----------
    cell
        One text cell (or a column name).

    Returns
    -------
    str
        The cell unchanged when no line of it starts with a formula character (after optional
        blanks) and it does not start with a line break; otherwise with ``'`` inserted at the
        start of each such line (and of the cell).

    Examples
    --------
    >>> neutralise("abc\\r@SUM(1+1)")
    "abc\\r'@SUM(1+1)"
    >>> neutralise("=1+1\\r\\nplain")
    "'=1+1\\r\\nplain"
    """
    return _NEUTRALISE.sub("'", cell)


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column) or isinstance(column.dtype, pd.CategoricalDtype) or column.dtype == object


def _neutralised(column: pd.Series) -> pd.Series:
    """A text column as ``string`` with every cell neutralised (only the few that need it are visited)."""
    text = column.astype("string")
    # Vectorised pre-selection (one regex pass): a cell needs work only if it starts risky or holds a line break.
    todo = text.str.contains(f"^{_RISKY_LINE}|[\r\n]").fillna(False).to_numpy(dtype=bool)
    if not todo.any():
        return text
    values = text.to_numpy(dtype=object, na_value=None)
    for i in np.flatnonzero(todo):
        values[i] = neutralise(values[i])
    return pd.Series(pd.array(values, dtype="string"), index=column.index, name=column.name)


def safe_csv(events: pd.DataFrame) -> bytes:
    """The rows as UTF-8 CSV that a spreadsheet opens as data, never as formulas or extra rows.

    Every CSV the app hands out goes through here: the event exports, the rejected rows of an
    upload (the Data page and ``ingest --rejects``) and the audit log.

    Parameters
    ----------
    events
        Rows to write: events (their held-back text is read back from storage), rejected rows or
        the audit log. A ``geometry`` column is left out (the coordinates are columns already).

    Returns
    -------
    bytes
        CSV with a header. Text cells and column names are neutralised (:func:`neutralise`: a
        ``'`` before each line that starts with = + - @, a tab or their full-width forms, and
        before a leading line break) and always quoted; numeric columns are written as they are,
        so a negative count stays a number.
    """
    full = with_text(events, stored_order=True)
    frame = full.drop(columns=[c for c in ("geometry",) if c in full]).copy()
    for col in frame.columns:
        if _is_text(frame[col]):
            frame[col] = _neutralised(frame[col])
    frame.columns = [neutralise(str(c)) for c in frame.columns]
    # QUOTE_NONNUMERIC quotes every text field. QUOTE_MINIMAL quotes only fields holding the
    # separator, the quote or a character of the line terminator, so a bare CR (not in "\n") was
    # written unquoted and spreadsheets started a new row inside the cell; quoting all text does
    # not depend on which characters a reader treats as a record end (CR, LF, U+2028 …).
    return frame.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").encode("utf-8")


def geojson_bytes(events: gpd.GeoDataFrame) -> bytes:
    """The events as a GeoJSON FeatureCollection."""
    frame = whole_events(events).copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return frame.to_json(drop_id=True, na="null").encode("utf-8")


def geoparquet_bytes(events: gpd.GeoDataFrame) -> bytes:
    """The events as GeoParquet bytes."""
    buf = io.BytesIO()
    whole_events(events).to_parquet(buf, index=False)
    return buf.getvalue()


def map_page_downloads(events: pd.DataFrame, query: Query) -> tuple[Download, ...]:
    """The map page's downloads of the view: its events as CSV and a standalone map (built on click only)."""

    return (
        Download("Download filtered events (CSV)", "dl_csv", "events.csv", "text/csv",
                 lambda: safe_csv(query.apply(events)), "CSV (map page)", query.dataset),
        Download("Download standalone map (HTML)", "dl_map", "map.html", "text/html",
                 lambda: standalone_html(build_map(query.apply(events), query)[0]), "map HTML (map page)", query.dataset),
    )  # fmt: skip


def view_exports(shown: pd.DataFrame, query: Query) -> tuple[Download, ...]:
    """The Data page's exports of the view's events ``shown``: CSV, GeoJSON, GeoParquet and a standalone map."""

    return (
        Download("CSV", "ex_csv", "events.csv", "text/csv", lambda: safe_csv(shown), "CSV", query.dataset),
        Download("GeoJSON", "ex_geojson", "events.geojson", "application/geo+json", lambda: geojson_bytes(shown), "GeoJSON", query.dataset),
        Download("GeoParquet", "ex_parquet", "events.parquet", "application/octet-stream", lambda: geoparquet_bytes(shown),
                 "GeoParquet", query.dataset),
        Download("Map (HTML)", "ex_map", "map.html", "text/html", lambda: standalone_html(build_map(shown, query)[0]),
                 "Map (HTML)", query.dataset),
    )  # fmt: skip
