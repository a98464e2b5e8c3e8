"""Delimited text (CSV, tab- or pipe-separated) read into string columns, keeping ragged rows and true line numbers.

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
from geo.io.layout import column_shape, distinctive
from geo.io.limits import check_rows
from geo.io.source import Sniffed

#: The reader of delimited text with no source's own layout: its name in load reports and ``--format``.
NAME = "csv"
#: Extensions of delimited text (a zip's member with one of them is read as text).
EXTENSIONS: tuple[str, ...] = (".csv", ".tsv", ".txt")
#: How the load report names a delimiter.
DELIMITER_NAMES = {";": "semicolons", "\t": "tabs", "|": "pipes", ",": "commas"}

Progress = Callable[[int, str], None]

#: Rows of one shorter width that make a block (a layout of their own), not a row cut short.
MIN_BLOCK = 2


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
    notes
        What the reader did that the load report should say (short rows loaded).
    """

    table: pd.DataFrame
    lines: pd.Series
    ragged: pd.DataFrame
    notes: tuple[str, ...] = ()


def read_csv(
    sniffed: Sniffed, *, name: str, progress: Progress | None, max_rows: float, used: dict[str, str] | None = None
) -> CsvRows:
    """Parse the sniffed text, refusing files past ``max_rows`` before they fill memory.

    Parameters
    ----------
    sniffed
        The decoded file and its layout.
    name
        The file's name, for refusals.
    progress
        Called with ``(rows_read_so_far, message)``.
    max_rows
        Files with more rows are refused.
    used
        The columns a canonical field is read from (column name → the field); ``None`` means
        every column. A block of rows short only of trailing columns not in ``used`` loads
        with those fields empty (see :func:`_short_blocks`); other short rows are ragged.
    """
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
    rows = _python_pass(sniffed, names, table=table if not invalid else None, used=used)
    if not skip:
        return rows
    ragged = rows.ragged.assign(line=rows.ragged["line"] + skip) if not rows.ragged.empty else rows.ragged
    return CsvRows(rows.table, rows.lines + skip, ragged, rows.notes)


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


def _python_pass(sniffed: Sniffed, names: list[str], *, table: pd.DataFrame | None, used: dict[str, str] | None = None) -> CsvRows:
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
    notes: tuple[str, ...] = ()
    if not sniffed.header and used is not None:  # a headerless file's width is its first row's: a wider block may follow
        names, good, lines, ragged, notes = _wider_block(ragged, good, lines, names)
        table = None if notes else table
    padded, short_notes = _short_blocks(ragged, good, names, used)
    notes += short_notes
    if padded:
        ragged = [(line, record) for line, record in ragged if line not in padded]
        merged = sorted([*zip(lines, good, strict=True), *padded.items()])
        lines, good = [line for line, _ in merged], [record for _, record in merged]
    if table is None or len(table) != len(good):
        table = pd.DataFrame(good, columns=names, dtype=pd.StringDtype("pyarrow"))
    frame = _ragged_frame(ragged, names, sniffed.delimiter, used=used)
    return CsvRows(table.reset_index(drop=True), pd.Series(lines, dtype="int64"), frame, notes)


def _short_blocks(
    ragged: list[tuple[int, list[str]]], good: list[list[str]], names: list[str], used: dict[str, str] | None
) -> tuple[dict[int, list[str]], tuple[str, ...]]:
    """Short rows that are a layout of their own, padded at the end: ``({line: record}, notes)``.

    Exports of two layouts pasted together (GDELT 1.0's back-files lack its last column,
    ``SOURCEURL``) leave a block of rows one or more fields short. Such a row loads, its
    missing fields empty, only when all of these hold:

    * every missing column is a trailing one no canonical field is read from (``used``);
    * at least :data:`MIN_BLOCK` rows have that width (a lone short row was cut short, and
      its last field may be cut too);
    * each column the block has agrees in shape with the full rows' (a field missing in the
      middle would shift the ones after it: such rows stay ragged, never shifted back).
    """
    if used is None or not good:
        return {}, ()
    width = len(names)
    by_width: dict[int, list[tuple[int, list[str]]]] = {}
    for line, record in ragged:
        if len(record) < width and not any(n in used for n in names[len(record) :]):
            by_width.setdefault(len(record), []).append((line, record))
    padded: dict[int, list[str]] = {}
    notes = []
    sample = good[:500]
    for short, block in sorted(by_width.items(), reverse=True):
        if len(block) < MIN_BLOCK or not _same_columns(sample, [r for _, r in block[:500]], short):
            continue
        padded |= {line: record + [""] * (width - short) for line, record in block}
        gone = names[short:] if width - short <= 3 else [names[short], "…", names[-1]]
        notes.append(f"{len(block)} row(s) from line {block[0][0]} have {short} of {width} fields, short only of the unused "
                     f"trailing column(s) {', '.join(gone)}: loaded with those fields empty")  # fmt: skip
    return padded, tuple(notes)


def _wider_block(
    ragged: list[tuple[int, list[str]]], good: list[list[str]], lines: list[int], names: list[str]
) -> tuple[list[str], list[list[str]], list[int], list[tuple[int, list[str]]], tuple[str, ...]]:
    """A headerless file whose first rows are the shorter layout: read it at the wider block's width.

    Without a header the width is the first row's; when the rows pasted first are the shorter
    layout (GDELT 1.0 back-file rows before daily ones), the wider rows would all be ragged. A
    block of at least :data:`MIN_BLOCK` rows of one greater width, agreeing in shape with the
    first rows on every column those have, makes that width the file's: the extra columns are
    numbered on, and the narrower rows are then short of trailing columns (:func:`_short_blocks`
    decides whether they load). Returns ``(names, good, lines, ragged, notes)``.
    """
    width = len(names)
    by_width: dict[int, list[tuple[int, list[str]]]] = {}
    for line, record in ragged:
        if len(record) > width:
            by_width.setdefault(len(record), []).append((line, record))
    for wide, block in sorted(by_width.items(), reverse=True):
        if len(block) < MIN_BLOCK or not good or not _same_columns(good[:500], [r for _, r in block[:500]], width):
            continue
        names = [*names, *(str(i) for i in range(width + 1, wide + 1))]
        taken = {line for line, _ in block}
        narrow = list(zip(lines, good, strict=True))
        ragged = [(line, record) for line, record in ragged if line not in taken] + narrow
        note = (f"{len(block)} row(s) from line {block[0][0]} have {wide} fields where the first rows have {width}: "
                f"the file is read as {wide} columns")  # fmt: skip
        return names, [r for _, r in block], [line for line, _ in block], sorted(ragged), (note,)
    return names, good, lines, ragged, ()


def _same_columns(full: list[list[str]], short: list[list[str]], count: int) -> bool:
    """Whether the first ``count`` columns of two sets of rows hold values of the same shapes."""
    for j in range(count):
        theirs = column_shape([r[j] for r in full])
        if distinctive(theirs) and column_shape([r[j] for r in short]) not in (theirs, None):
            return False
    return True


def _ragged_frame(
    ragged: list[tuple[int, list[str]]], names: list[str], delimiter: str = ",", *, used: dict[str, str] | None = None
) -> pd.DataFrame:
    if not ragged:
        return pd.DataFrame()
    rows = []
    for line, record in ragged:
        missing = _missing(names[len(record) :], used)
        row = {"line": line, "reason": "ragged row",
               "detail": f"expected {len(names)} fields, got {len(record)}{missing}: " + delimiter.join(record)}  # fmt: skip
        row |= dict(zip(names, record, strict=False))
        rows.append(row)
    return pd.DataFrame(rows, columns=["line", "reason", "detail", *names]).astype({"line": "int64"})


def _missing(absent: list[str], used: dict[str, str] | None) -> str:
    """`` (no latitude, column 41 → longitude)``: the columns a short row lacks that a field is read from."""
    wanted = [n for n in absent if used is not None and n in used]
    if not wanted or used is None:
        return ""
    labels = [f"column {n} → {used[n]}" if n.isdigit() else n if used[n] == n else f"{n} → {used[n]}" for n in wanted]
    return f" (no {', '.join(labels[:6])}{', …' if len(labels) > 6 else ''})"
