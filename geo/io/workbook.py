"""Workbooks (Excel .xlsx and .xls, OpenDocument .ods): the sheet of events found by its header, read as text.

calamine reads all three alike (and several times faster than openpyxl). A workbook that counts
events per period and area (HDX's aggregated ACLED workbooks) is refused with what it is.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from geo.errors import ReadError, unreadable
from geo.io.generic import is_event_header
from geo.io.layout import column_key, unique_names
from geo.io.reserved import rename_reserved
from geo.io.source import Probe, Source

#: The reader's name in load reports.
NAME = "xlsx"
EXTENSIONS: tuple[str, ...] = (".xlsx", ".xls", ".ods")
#: The first bytes of an .xls workbook (Excel 97–2003, an OLE compound file); .xlsx and .ods are zips.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Column names of a sheet that counts events instead of listing them (HDX's aggregated workbooks).
COUNT_COLUMNS = frozenset({"events", "fatalities", "count", "number of events"})
PERIOD_COLUMNS = frozenset({"month", "year", "week", "period"})


def claims(probe: Probe) -> bool:
    """Whether the bytes are an .xls workbook (an .xlsx or .ods is recognised inside its zip: :mod:`geo.io.zipped`)."""
    return probe.raw[:8] == OLE_MAGIC


def read(probe: Probe) -> Source:
    """The event sheets of a workbook (the readers' table's entry point): :func:`read_workbook`."""
    return read_workbook(probe.path, probe.raw)


def read_workbook(path: Path, raw: bytes) -> Source:
    """The sheet whose header row is an event header; an aggregated workbook is refused.

    calamine reads .xlsx, .xls and .ods alike (and several times faster than openpyxl).
    """
    try:
        sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None, header=None, dtype=str, engine="calamine")
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for damaged workbooks
        raise unreadable(path.name, "a readable Excel workbook", exc) from None
    counts, found = [], []
    for title, sheet in sheets.items():
        row = _header_row(sheet)
        if row is None:
            continue
        header = unique_names([str(c).strip() or f"unnamed: {i}" for i, c in enumerate(sheet.iloc[row].fillna(""))])
        keys = {column_key(h) for h in header}
        if is_event_header(keys):
            table = sheet.iloc[row + 1 :].fillna("").astype("string")
            # A column of the sheet's own named ``_line`` (or ``line``…) must not meet the row numbers added below.
            renamed = rename_reserved(header, also=())
            table.columns = [renamed.get(h, h) for h in header]
            table.attrs["renamed"] = renamed  # the load report names them (geo.io.reserved)
            # The sheet's own row numbers (its first row is 1), so a rejected row can be found in Excel.
            found.append((title, table.assign(_line=[str(i + 1) for i in table.index]).reset_index(drop=True)))
        elif keys & COUNT_COLUMNS and keys & PERIOD_COLUMNS:
            counts.append(f"{title!r} ({', '.join(h for h in header if h)})")
    if found:
        return _event_sheets(path, found, total=len(sheets))
    if counts:
        msg = (f"{path.name}: expected a sheet of events (one row per event, with a date and coordinates), got "
               f"counts per period and area in {'; '.join(counts[:3])}: this is an aggregated workbook — "
               "load the event export instead")  # fmt: skip
        raise ReadError(msg)
    msg = f"{path.name}: expected a sheet with an event header (a date and latitude/longitude columns), got sheets {list(sheets)[:8]!r}"
    raise ReadError(msg)


def _event_sheets(path: Path, found: list[tuple[str, pd.DataFrame]], *, total: int) -> Source:
    """Every sheet with the first event sheet's header, stacked (an export split by year or country)."""
    first = list(found[0][1].columns)
    same = [(t, f) for t, f in found if list(f.columns) == first]
    other = [t for t, f in found if list(f.columns) != first]
    renamed = dict(same[0][1].attrs.get("renamed", {}))  # the same header: the same renames
    if len(same) > 1:  # the reader adds ``sheet``: a column of the file's own of that name is kept as file_sheet
        own = rename_reserved([c for c in first if column_key(c) == "sheet"], also=("sheet",))
        same = [(t, f.rename(columns=own)) for t, f in same]
        renamed |= own
    table = pd.concat([f.assign(sheet=t) if len(same) > 1 else f for t, f in same], ignore_index=True)
    table.attrs["renamed"] = renamed
    names = ", ".join(repr(t) for t, _ in same)
    note = f"sheet {names} of {total}" if len(same) == 1 else f"sheets {names} of {total} (the same header; column `sheet` says which)"
    if other:
        note += f"; event sheets with another header not read: {', '.join(repr(t) for t in other)} — save them as their own file"
    return Source(path.name, format=NAME, frame=table, note=note)


def _header_row(sheet: pd.DataFrame) -> int | None:
    """The first of the sheet's first 30 rows that has two or more named cells."""
    for i in range(min(30, len(sheet))):
        if sheet.iloc[i].notna().sum() >= 2:
            return i
    return None
