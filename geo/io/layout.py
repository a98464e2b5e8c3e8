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
_URL = re.compile(r"(?:[a-z][a-z0-9+.\-]*://|www\.)\S+", re.IGNORECASE)
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
    A ragged row or two below the header does not move it, nor does a block of shorter rows
    (two layouts pasted together) as long as a third of the records share its width.
    """
    lines = text[:400_000].split("\n")[:40]
    for i, line in enumerate(lines[:25]):
        best = None
        for d in DELIMITERS:
            n = max((len(r) for r in records(line, delimiter=d, limit=1)), default=0)
            if n < 2 or (best is not None and n <= best[1]):
                continue
            below = [len(r) for r in records("\n".join(lines[i + 1 :]), delimiter=d, limit=15)]
            same = sum(c in (n, n + 1) for c in below)
            # A preamble line is narrower than the table below it; a shorter block is not wider.
            shorter_block = 3 * same >= len(below) and all(c <= n + 1 for c in below)
            if not below or max(set(below), key=below.count) in (n, n + 1) or shorter_block:
                best = (d, n)
        if best is not None:
            return i, best[0]
    return 0, ","


def cell_shape(value: str) -> str:
    """The shape of a cell: ``""`` when empty, ``9`` a number, ``url`` a link, else its runs of letters and digits.

    ``RU_1000`` and ``RU_1017`` are both ``a_9``, ``2024-11-30`` is ``9-9-9``, ``30 November
    2024`` is ``9 a 9`` and ``event_date`` is ``a_a``: values of one column share a shape,
    and a column's label rarely has its values' shape.
    """
    text = value.strip()
    if not text:
        return ""
    if _NUMBER.fullmatch(text):
        return "9"
    if _URL.match(text):
        return "url"
    return re.sub(r"\s+", " ", re.sub(r"\d+", "9", re.sub(r"[^\W\d_]+", "a", text)))


def column_shape(values: list[str]) -> str | None:
    """The shape most non-empty ``values`` share (two in three or more), or None when they have none."""
    shapes = [s for s in map(cell_shape, values) if s]
    if not shapes:
        return None
    common = max(set(shapes), key=shapes.count)
    return common if 3 * shapes.count(common) >= 2 * len(shapes) else None


def distinctive(shape: str | None) -> bool:
    """Whether a shape tells values from labels: digits or a link (a lone word may be either)."""
    return shape is not None and ("9" in shape or shape == "url")


def is_data_row(first: list[str], below: list[list[str]] | None = None) -> bool:
    """Whether the first record is data rather than column names, from every column's content.

    Each column votes by comparing the first cell's shape with the shape the cells below it
    share: the same shape with digits or a link (an id ``RU_1000`` over ``RU_1001``, a date
    over dates, a URL over URLs) votes data; a different shape over such values (``date``
    over dates) votes header. A word over words says nothing (``Aleppo`` and ``location``
    look alike). Without a majority — no rows below, or only words — the first record is data
    when enough of its cells are numbers (names are not numbers).
    """
    data = header = 0
    for j, cell in enumerate(first):
        shape = cell_shape(cell)
        common = column_shape([r[j] for r in below or [] if j < len(r)])
        if not shape or not distinctive(common):
            continue  # an empty cell or a column of words: no evidence either way
        if shape == common:
            data += 1
        else:
            header += 1
    if data != header:
        return data > header
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
