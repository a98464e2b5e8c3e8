"""Events in PostgreSQL's ``COPY`` text format, both ways, built and parsed in Arrow (no Python object per value).

The PostGIS backend (:mod:`geo.storage.postgis`) writes a dataset with :func:`to_copy_text` and reads
it back with :func:`parse_copy_text` and :func:`from_arrow`; the dtypes each dataset had
(:func:`stored_columns`) are stored with it and restored on load. Schema columns travel in their
typed columns, the source's own columns in a text array (``extra``), the point as its x and y.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from geo.errors import ReadError
from geo.schema import CRS, FIELDS

#: How each schema dtype is stored.
SQL_TYPES = {"string": "text", "category": "text", "datetime64[ns]": "timestamp", "Int8": "smallint",
             "Int64": "bigint", "float64": "double precision", "boolean": "boolean"}  # fmt: skip
COLUMNS = [f.name for f in FIELDS if f.dtype != "geometry"]
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ARROW_TYPES = {"text": pa.string(), "timestamp": pa.timestamp("us"), "smallint": pa.int16(), "bigint": pa.int64(),
                "double precision": pa.float64(), "boolean": pa.bool_()}  # fmt: skip


def to_copy_text(events: gpd.GeoDataFrame, dataset_id: str, *, rows_per_chunk: int = 100_000) -> Iterator[memoryview]:
    """Events as COPY text-format lines (``\\N`` for NULL, backslash escapes), built in Arrow, in chunks.

    Schema columns go to their typed columns; the source's own columns (UCDP's ``dyad_name``…)
    to the ``extra`` text array, in the order :func:`stored_columns` gives. Numbers are written
    by Arrow's shortest round-trip formatting, so PostgreSQL parses back the same doubles.
    """
    extras = [c for c, dtype in stored_columns(events) if c not in COLUMNS and dtype != "geometry"]
    for start in range(0, len(events), rows_per_chunk):
        part = events.iloc[start : start + rows_per_chunk]
        row_no = pc.cast(pa.array(np.arange(start, start + len(part))), pa.string())
        cells = [pa.array(np.full(len(part), dataset_id)), row_no]
        for column in COLUMNS:
            text = _arrow_text(part[column]) if column in part else pa.nulls(len(part), pa.string())
            cells.append(pc.fill_null(_copy_escape(text), "\\N"))
        cells.append(_copy_escape(_array_literal(part, extras)))
        x, y = (pc.cast(pa.array(v), pa.string()) for v in (part.geometry.x.to_numpy(), part.geometry.y.to_numpy()))
        cells.append(pc.binary_join_element_wise("SRID=4326;POINT(", x, " ", y, ")", ""))
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, "\t"), "", "\n")
        # A column pandas keeps in several Arrow chunks makes the result chunked too.
        for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
            yield memoryview(chunk.buffers()[2])[offsets[0] : offsets[-1]]  # the lines back to back: no Python string


def stored_columns(events: pd.DataFrame) -> list[tuple[str, str]]:
    """Every column with its dtype, in the frame's order (stored with the dataset); the geometry as ``geometry``."""
    return [(str(c), "geometry" if c == events.geometry.name else str(events[c].dtype)) for c in events.columns]


def _arrow_text(values: pd.Series) -> pa.Array:
    """A column as exact text, null where missing; NUL characters (PostgreSQL text cannot hold them) are refused."""
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed Python objects: each one's own text
        array = pa.array([None if pd.isna(v) else str(v) for v in values], pa.string())
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_timestamp(array.type):
        array = array.cast(pa.timestamp("us"))  # a safe cast: raises rather than drop nanoseconds
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    if pc.any(pc.match_substring(array, "\x00")).as_py():
        msg = f"{values.name}: expected text without NUL characters (PostgreSQL cannot store them), got one"
        raise ReadError(msg)  # the upload's problem: the Data page shows it and stores nothing
    return array


def _copy_escape(text: pa.Array) -> pa.Array:
    """COPY text-format escapes; the backslash first, so the ones added after are not escaped again."""
    for raw, escaped in _ESCAPES.items():
        text = pc.replace_substring(text, raw, escaped)
    return text


def _array_literal(part: pd.DataFrame, columns: list[str]) -> pa.Array:
    """The ``extra`` columns of each row as a PostgreSQL text-array literal (``{"a",NULL,"b"}``)."""
    if not columns:
        return pa.array(np.full(len(part), "{}"))
    elements = []
    for column in columns:
        # Inside an array element a backslash and a double quote are escaped (the backslash first).
        text = pc.replace_substring(pc.replace_substring(_arrow_text(part[column]), "\\", "\\\\"), '"', '\\"')
        elements.append(pc.fill_null(pc.binary_join_element_wise('"', text, '"', ""), "NULL"))
    return pc.binary_join_element_wise("{", pc.binary_join_element_wise(*elements, ","), "}", "")


class CopyStream(io.RawIOBase):
    """A ``COPY … TO STDOUT`` as a readable byte stream (what Arrow's streaming CSV reader takes)."""

    def __init__(self, copy) -> None:
        self._chunks = iter(copy)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not len(self._pending):
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def copy_types(columns: list[tuple[str, str]]) -> list[pa.DataType]:
    """The Arrow types of :func:`select_list`'s columns, after ``row_no``."""
    sql_types = {f.name: SQL_TYPES[f.dtype] for f in FIELDS if f.dtype != "geometry"}
    types = [pa.int64()] + [_ARROW_TYPES[sql_types.get(c, "text")] for c, dtype in columns if dtype != "geometry"]
    return types + ([pa.float64(), pa.float64()] if any(d == "geometry" for _, d in columns) else [])


def parse_copy_text(stream: io.RawIOBase, types: list[pa.DataType]) -> pa.Table:
    """COPY text format into typed Arrow columns (``types``: ``row_no``'s, the stored columns', x and y).

    Quotes mean nothing in COPY text, and tabs and newlines inside values arrive escaped, so
    every line is one row; backslash escapes are undone afterwards, on the few values that have one.
    """
    names = [f"c{i}" for i in range(len(types))]
    try:
        reader = pcsv.open_csv(
            io.BufferedReader(stream, buffer_size=1 << 20),
            read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False, newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(column_types=dict(zip(names, types, strict=True)), null_values=["\\N"],
                                                strings_can_be_null=True, true_values=["t"], false_values=["f"],
                                                timestamp_parsers=[pcsv.ISO8601]),  # with or without fractions
        )  # fmt: skip
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" not in str(exc):
            raise
        # No row at all (a dataset whose every row was rejected): Arrow's reader refuses zero bytes.
        return pa.table([pa.array([], t) for t in types], names=names)
    table = reader.read_all()
    return pa.table([_unescape(table.column(i)) for i in range(table.num_columns)], names=names)


def _unescape(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Undo COPY's backslash escapes (``\\\\``, ``\\t``, ``\\n``, ``\\r``) in a text column."""
    if not pa.types.is_string(column.type):
        return column
    column = column.combine_chunks()
    escaped = pc.fill_null(pc.match_substring(column, "\\"), False)
    if not pc.any(escaped).as_py():
        return pa.chunked_array([column])
    fixed = [re.sub(r"\\(.)", lambda m: _UNESCAPES.get(m.group(1), m.group(1)), v) for v in pc.filter(column, escaped).to_pylist()]
    return pa.chunked_array([pc.replace_with_mask(column, escaped, pa.array(fixed, pa.string()))])


def in_row_order(table: pa.Table) -> pa.Table:
    """The rows in ``row_no`` order (a fresh COPY already returns them so; then nothing is copied), without it."""
    row_no = table.column(0).to_numpy()
    if len(row_no) > 1 and not (np.diff(row_no) > 0).all():
        table = table.take(pa.array(np.argsort(row_no, kind="stable")))
    return table.drop_columns([table.column_names[0]])


def from_arrow(table: pa.Table, columns: list[tuple[str, str]]) -> gpd.GeoDataFrame:
    """Events from the SELECT of :func:`select_list`, with the columns and dtypes the dataset was stored with.

    Each Arrow column is released once converted, so the Arrow table and the frame never both
    hold the whole dataset.
    """
    values = [(c, dtype) for c, dtype in columns if dtype != "geometry"]
    arrays = table.columns
    del table
    out = {}
    for name, dtype in values:
        out[name] = _typed(arrays.pop(0), dtype)
    geometry_name = next((c for c, dtype in columns if dtype == "geometry"), None)
    if geometry_name is None:
        return pd.DataFrame({c: out[c] for c, _ in columns})
    x, y = (a.to_numpy() for a in arrays)
    out[geometry_name] = gpd.points_from_xy(x, y, crs=CRS)
    return gpd.GeoDataFrame({c: out[c] for c, _ in columns}, geometry=geometry_name, crs=CRS)


def select_list(columns: list[tuple[str, str]], stored: list[tuple[str, str]] | None = None) -> str:
    """The SELECT list that gives back ``columns`` in their stored order: schema columns by name,
    extras by their index among the ``stored`` columns' extras; the point's x and y when ``columns`` has it."""
    extras = [c for c, dtype in (stored or columns) if c not in COLUMNS and dtype != "geometry"]
    listed = [c if c in COLUMNS else f"extra[{extras.index(c) + 1}]" for c, dtype in columns if dtype != "geometry"]
    points = ["ST_X(geom)", "ST_Y(geom)"] if any(d == "geometry" for _, d in columns) else []
    return ", ".join([*listed, *points])


def _typed(column: pa.ChunkedArray, dtype: str) -> pd.Series:
    """A column from the database as the dtype it had when stored (extras arrive as text)."""
    if dtype == "category" and pa.types.is_string(column.type):
        return pd.Series(column.dictionary_encode().to_pandas(), copy=False)  # codes built in Arrow, not per value
    values = pd.Series(column.to_pandas(), copy=False)
    if pa.types.is_string(column.type) and dtype in ("Int8", "Int16", "Int32", "Int64", "int64", "float64"):
        values = pd.to_numeric(values)  # floats were written by repr: parsed back to the same double
    elif pa.types.is_string(column.type) and dtype in ("boolean", "bool"):
        values = values.map({"true": True, "false": False})  # Arrow's text for a boolean
    return values.astype(dtype)
