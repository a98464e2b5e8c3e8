"""Where a delimited file's header and data are: preamble, missing header, trailing delimiters, HXL, index columns.

Real exports wrap their table in small irregularities. Each function here finds one of
them from the file's first records and says what it found, so the load report can
name every line skipped and every column dropped.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

#: Field separators recognised in a header row, most common first.
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

UNNAMED = re.compile(r"(?:unnamed: ?\d+(?:_level_\d+)?|column_?\d+|)", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_WKT_POINT = re.compile(r"POINT\s*\(\s*(\S+)\s+(\S+)\s*\)", re.IGNORECASE)


def column_key(name: object) -> str:
    """A column's name as the readers match it: ``Event Date`` and ``EVENT-DATE`` are ``event_date``."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def records(text: str, *, delimiter: str, limit: int = 60) -> list[list[str]]:
    """The first ``limit`` non-blank CSV records of ``text``."""
    out = []
    reader = csv.reader(io.StringIO(text[:400_000], newline=""), delimiter=delimiter)
    try:
        for record in reader:
            if any(f.strip() for f in record):
                out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:  # a stray quote or NUL: the records before it still describe the layout
        pass
    return out


def locate_header(text: str) -> tuple[int, str]:
    """``(lines before the header, delimiter)``: the first line whose field count the next records share.

    A title, a licence line or a blank line above the table (a preamble) has fewer fields
    than the rows below it; the header is the first line whose field count is the most
    common one of the next records (or one less, when every row ends with a delimiter).
    A ragged row or two below the header does not move it.
    """
    lines = text[:400_000].split("\n")[:40]
    for i, line in enumerate(lines[:25]):
        best = None
        for d in DELIMITERS:
            n = max((len(r) for r in records(line, delimiter=d, limit=1)), default=0)
            if n < 2 or (best is not None and n <= best[1]):
                continue
            below = [len(r) for r in records("\n".join(lines[i + 1 :]), delimiter=d, limit=15)]
            if not below or max(set(below), key=below.count) in (n, n + 1):
                best = (d, n)
        if best is not None:
            return i, best[0]
    return 0, ","


def is_data_row(first: list[str]) -> bool:
    """Whether the first record is data rather than column names (names are not numbers)."""
    cells = [c.strip() for c in first if c.strip()]
    numbers = sum(bool(_NUMBER.fullmatch(c)) for c in cells)
    return len(cells) >= 2 and numbers >= max(2, len(cells) // 4)


def trailing_delimiter(header: list[str], rows: list[list[str]]) -> bool:
    """Every sampled row has one field more than the header, and that field is empty."""
    n = len(header)
    return bool(rows) and all(len(r) == n + 1 and not r[-1].strip() for r in rows)


def numbered_names(count: int) -> list[str]:
    """Names of a headerless file's columns: ``1`` … ``N``, as a mapping by column number uses them."""
    return [str(i) for i in range(1, count + 1)]


def tidy_columns(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop columns without a name that hold nothing, and a pandas index column; say which.

    An unnamed column that holds values is kept under its place (``column_8``) and named too.
    """
    notes, empty, drop, rename = [], [], [], {}
    for pos, col in enumerate(table.columns):
        name = str(col).strip()
        if not UNNAMED.fullmatch(name) or name.isdigit():  # "1".."N" name a headerless file's columns
            continue
        values = table[col].astype("string").fillna("").str.strip()
        if not (values.str.len() > 0).any():
            empty.append(col)
        elif pos == 0 and _is_index(values):
            drop.append(col)
            notes.append(f"column 1 ({name or 'no name'}) is a row index written by pandas: dropped")
        else:
            rename[col] = f"column_{pos + 1}"
            notes.append(f"column {pos + 1} has no name but holds values: kept as column_{pos + 1}")
    if empty:
        notes.insert(0, f"{len(empty)} empty column(s) without a name dropped")
    return table.drop(columns=empty + drop).rename(columns=rename), notes


def _is_index(values: pd.Series) -> bool:
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any() or len(numbers) == 0:
        return False
    start = numbers.iloc[0]
    return start in (0, 1) and (numbers.diff().iloc[1:] == 1).all()


def hxl_row(table: pd.DataFrame) -> bool:
    """Whether the first row is HDX's HXL hashtag row (``#date+year``, ``#geo+lat`` …)."""
    if table.empty:
        return False
    cells = [str(v).strip() for v in table.iloc[0] if str(v).strip()]
    return len(cells) >= 2 and all(c.startswith("#") for c in cells)


def wkt_point_column(first: list[str]) -> int | None:
    """Position of the first field of a record that is a WKT point (UCDP's ``geom_wkt``)."""
    return next((i for i, c in enumerate(first) if _WKT_POINT.fullmatch(c.strip())), None)


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique (``a``, ``a.1``), as pandas would, so no column is lost."""
    seen: dict[str, int] = {}
    out = []
    for raw in names:
        name = raw.strip()
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out
