"""Read delimited text into string columns, keeping ragged rows and true line numbers.

The fast path is pyarrow's multi-threaded reader. When a file is irregular — rows
with too few or too many fields, quoted newlines, blank lines — a second pass with
the :mod:`csv` module finds the line each record starts on, so every loaded or
rejected row can be traced back to the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from geo.errors import ReadError
from geo.io.limits import check_rows
from geo.io.sniff import Sniffed

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class CsvRows:
    """A parsed delimited file.

    Attributes
    ----------
    table
        One row per well-formed record, every column as text (empty cells ``""``).
    lines
        The line each record of ``table`` starts on (the header is line 1).
    ragged
        Records with the wrong number of fields: ``line``, ``reason``, ``detail`` (the
        record as written) and the fields that were present under their column names.
    """

    table: pd.DataFrame
    lines: pd.Series
    ragged: pd.DataFrame


def read_csv(sniffed: Sniffed, *, name: str, progress: Progress | None, max_rows: float) -> CsvRows:
    """Parse the sniffed text, refusing files past ``max_rows`` before they fill memory."""
    data = sniffed.data if sniffed.data is not None else (sniffed.text or "").encode("utf-8")
    names = list(sniffed.names)
    invalid: list[str] = []
    table = _arrow_table(data, names, sniffed, invalid=invalid, name=name, progress=progress, max_rows=max_rows)
    first = 1 if sniffed.header else 0
    skip = sniffed.skip_lines  # preamble lines: line numbers count them, as the analyst's editor does
    if not invalid and _one_line_per_record(data, len(table) + first):
        lines = pd.Series(range(skip + first + 1, skip + first + 1 + len(table)), dtype="int64")
        return CsvRows(table, lines, pd.DataFrame())
    if not invalid:
        starts = record_lines(data)[first:]
        if len(starts) == len(table):
            return CsvRows(table, pd.Series(starts + skip, dtype="int64"), pd.DataFrame())
    rows = _python_pass(sniffed, names, table=table if not invalid else None)
    if not skip:
        return rows
    ragged = rows.ragged.assign(line=rows.ragged["line"] + skip) if not rows.ragged.empty else rows.ragged
    return CsvRows(rows.table, rows.lines + skip, ragged)


def _arrow_table(
    data: bytes, names: list[str], sniffed: Sniffed, *, invalid: list[str], name: str,
    progress: Progress | None, max_rows: float,
) -> pd.DataFrame:  # fmt: skip
    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row.text)
        return "skip"

    try:
        reader = pacsv.open_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if sniffed.header else 0, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=sniffed.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
        batches, rows = [], 0
        for batch in reader:
            batches.append(batch)
            rows += batch.num_rows
            check_rows(name, rows, max_rows, complete=False)
            if progress is not None:
                progress(rows, "reading rows")
    except pa.ArrowInvalid as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"{name}: expected a well-formed CSV, got a parse error ({first})"
        raise ReadError(msg) from None
    table = pa.Table.from_batches(batches, schema=reader.schema)
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _one_line_per_record(data: bytes, records: int) -> bool:
    """Whether line numbers follow from record numbers (no quoted newlines, no blank lines)."""
    newlines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return newlines == records


def record_lines(data: bytes) -> np.ndarray:
    """The line each CSV record starts on, from quote parity (RFC 4180), without parsing fields.

    A newline ends a record when the quotes before it are balanced (``""`` inside a quoted
    field counts twice, so parity holds); blank lines are not records. Memory stays at the
    number of quotes and newlines, not the file size.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    quotes = np.flatnonzero(buf == 34)
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    starts = np.concatenate([[0], ends + 1])
    starts = starts[starts < len(buf)]
    first_byte = buf[starts]
    second_byte = buf[np.minimum(starts + 1, len(buf) - 1)]
    blank = (first_byte == 10) | ((first_byte == 13) & (second_byte == 10))
    return np.searchsorted(newlines, starts[~blank]) + 1


def _python_pass(sniffed: Sniffed, names: list[str], *, table: pd.DataFrame | None) -> CsvRows:
    """Line numbers of each record, and the ragged records, from one pass of :mod:`csv`."""
    # newline="": a lone CR ends a line as csv expects, instead of sitting inside an unquoted field (an error).
    reader = csv.reader(io.StringIO(sniffed.text or "", newline=""), delimiter=sniffed.delimiter)
    width = len(names)
    good: list[list[str]] = []
    lines: list[int] = []
    ragged: list[tuple[int, list[str]]] = []
    if sniffed.header:
        next(reader, None)
    start = reader.line_num + 1
    for record in reader:
        if len(record) == width:
            lines.append(start)
            good.append(record)
        elif record and any(f.strip() for f in record):  # blank lines are skipped, as pyarrow does
            ragged.append((start, record))
        start = reader.line_num + 1
    if table is None or len(table) != len(good):
        table = pd.DataFrame(good, columns=names, dtype=pd.StringDtype("pyarrow"))
    return CsvRows(table.reset_index(drop=True), pd.Series(lines, dtype="int64"), _ragged_frame(ragged, names, sniffed.delimiter))


def _ragged_frame(ragged: list[tuple[int, list[str]]], names: list[str], delimiter: str = ",") -> pd.DataFrame:
    if not ragged:
        return pd.DataFrame()
    rows = []
    for line, record in ragged:
        row = {"line": line, "reason": "ragged row", "detail": f"expected {len(names)} fields, got {len(record)}: " + delimiter.join(record)}
        row |= dict(zip(names, record, strict=False))
        rows.append(row)
    return pd.DataFrame(rows, columns=["line", "reason", "detail", *names]).astype({"line": "int64"})
