"""The PostGIS backend of :class:`geo.storage.interface.Store`: one database behind any number of app processes.

Events live in one ``events`` table (a column per :data:`geo.schema.FIELDS` entry, the point in
``geom`` with a GiST index, a B-tree on ``(dataset_id, event_date)``), datasets and the audit log
in their own tables; :data:`MIGRATIONS` creates them, each applied once under an advisory lock
so replicas starting together do not race. Every write is one transaction, so a crash leaves no
partial dataset. SQL is parameterised; the only text spliced into it is column names from the
schema table. Events travel with ``COPY`` in PostgreSQL's text format both ways, built and parsed
in Arrow (no Python object per value); the dtypes each dataset had are stored with it and
restored on load.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from geo.access import NotAvailable
from geo.article_store import ArticleInfo
from geo.detail_text import DETAIL_TEXT, SEARCHES_CACHED, detach, text_hits
from geo.errors import ReadError
from geo.schema import CRS, FIELDS
from geo.storage.interface import AuditEntry, DatasetInfo, Store

#: How each schema dtype is stored.
SQL_TYPES = {"string": "text", "category": "text", "datetime64[ns]": "timestamp", "Int8": "smallint",
             "Int64": "bigint", "float64": "double precision", "boolean": "boolean"}  # fmt: skip
COLUMNS = [f.name for f in FIELDS if f.dtype != "geometry"]
_EVENT_COLUMNS = ",\n  ".join(f"{f.name} {SQL_TYPES[f.dtype]}" for f in FIELDS if f.dtype != "geometry")

#: Schema migrations, in order: (version, what it does, SQL). Never edit one that has shipped.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "datasets, events with spatial and date indexes, audit log", f"""
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE datasets (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{{16}}$'),
  name text NOT NULL, owner text NOT NULL, owner_label text NOT NULL,
  visibility text NOT NULL CHECK (visibility IN ('private', 'team', 'signed_in', 'link')),
  teams text[] NOT NULL DEFAULT '{{}}', rows integer NOT NULL, rejected integer NOT NULL, format text NOT NULL,
  date_min text, date_max text, added text NOT NULL, version text NOT NULL, dtypes jsonb NOT NULL
);
CREATE TABLE events (
  dataset_id text NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  row_no integer NOT NULL,
  {_EVENT_COLUMNS},
  extra text[] NOT NULL DEFAULT '{{}}',
  geom geometry(Point, 4326) NOT NULL,
  PRIMARY KEY (dataset_id, row_no)
);
CREATE INDEX events_geom_gist ON events USING gist (geom);
CREATE INDEX events_dataset_date ON events (dataset_id, event_date);
CREATE TABLE audit (
  seq bigserial PRIMARY KEY, at text NOT NULL, actor text NOT NULL, action text NOT NULL,
  dataset text NOT NULL, detail text NOT NULL DEFAULT ''
);
"""),
    (2, "random dataset ids beside the old content-hash ones, the content key, sign-outs", """
ALTER TABLE datasets DROP CONSTRAINT datasets_id_check;
ALTER TABLE datasets ADD CONSTRAINT datasets_id_format CHECK (id ~ '^([0-9a-f]{32}|[0-9a-f]{16})$');
ALTER TABLE datasets ADD COLUMN content_key text;
UPDATE datasets SET content_key = id;
ALTER TABLE datasets ALTER COLUMN content_key SET NOT NULL;
CREATE UNIQUE INDEX datasets_content_key ON datasets (content_key);
CREATE TABLE sign_outs (sub text PRIMARY KEY, at double precision NOT NULL);
"""),
    (3, "pasted articles with an owner and a visibility", """
CREATE TABLE articles (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
  title text NOT NULL, owner text NOT NULL, owner_label text NOT NULL,
  visibility text NOT NULL CHECK (visibility IN ('private', 'team', 'signed_in', 'link')),
  teams text[] NOT NULL DEFAULT '{}', added text NOT NULL, content_key text NOT NULL UNIQUE, body text NOT NULL
);
"""),
)
_LOCK = 72_657_310  # advisory lock id: "conflict-map migrations"
_INFO_COLUMNS = [f.name for f in fields(DatasetInfo)]
_ARTICLE_COLUMNS = [f.name for f in fields(ArticleInfo)]
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ARROW_TYPES = {"text": pa.string(), "timestamp": pa.timestamp("us"), "smallint": pa.int16(), "bigint": pa.int64(),
                "double precision": pa.float64(), "boolean": pa.bool_()}  # fmt: skip


class PostgisStore(Store):
    """Datasets, access and the audit log in PostgreSQL with PostGIS (``postgresql://…``)."""

    backend = "postgis"

    def __init__(self, url: str) -> None:
        if not isinstance(url, str) or not re.match(r"postgres(ql)?://", url):
            msg = "database_url: expected a postgresql:// URL, got something else"  # the URL may hold a password
            raise ValueError(msg)
        self.url = url
        with self._connect() as conn:
            migrate(conn)

    @contextmanager
    def _connect(self) -> Iterator:
        """One connection per operation: a transaction that commits on success and rolls back on error."""
        import psycopg  # libpq is loaded only by a deployment that stores in PostGIS

        with psycopg.connect(self.url, connect_timeout=10) as conn:
            yield conn

    def _get(self, dataset_id: str) -> DatasetInfo | None:
        with self._connect() as conn:
            row = conn.execute(f"SELECT {', '.join(_INFO_COLUMNS)} FROM datasets WHERE id = %s", (dataset_id,)).fetchone()  # noqa: S608 - column names from the dataclass
        return _info(row) if row else None

    def _infos(self) -> list[DatasetInfo]:
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(_INFO_COLUMNS)} FROM datasets").fetchall()  # noqa: S608 - same
        return [_info(r) for r in rows]

    def _read(self, info: DatasetInfo, *, held: bool = False) -> gpd.GeoDataFrame | pd.DataFrame:
        # COPY text streamed into Arrow's CSV reader, typed as it parses: no per-value Python object.
        # (Text COPY through pandas took 38 s and 2.1 GB at 1 M events, ADBC's binary fetch 25 s and 2.6 GB.)
        with self._connect() as conn:
            stored = [tuple(c) for c in conn.execute("SELECT dtypes FROM datasets WHERE id = %s", (info.id,)).fetchone()[0]]
            columns = [(c, d) for c, d in stored if not held or (c not in DETAIL_TEXT and d != "geometry")]
            sql = f"COPY (SELECT row_no, {_select_list(columns, stored)} FROM events WHERE dataset_id = %s) TO STDOUT"  # noqa: S608 - column names from the schema table, extras by index
            with conn.cursor().copy(sql, (info.id,)) as copy:
                table = _parse_copy_text(_CopyStream(copy), _copy_types(columns))
        events = _from_arrow(_in_row_order(table), columns)
        return detach(events, PostgisText(self, info.id, tuple(c for c, _ in stored))) if held else events

    def _write(self, info: DatasetInfo, events: gpd.GeoDataFrame, entry: AuditEntry) -> DatasetInfo:
        with self._connect() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (info.content_key,))  # the same upload twice at once
            row = conn.execute(f"SELECT {', '.join(_INFO_COLUMNS)} FROM datasets WHERE content_key = %s",  # noqa: S608
                               (info.content_key,)).fetchone()  # fmt: skip
            if row:  # the same analyst's same file again: the stored dataset stands
                stored = _info(row)
                _insert_audit(conn, replace(entry, dataset=stored.id))
                return stored
            values = {**asdict(info), "teams": list(info.teams), "dtypes": json.dumps(stored_columns(events))}
            names = [*_INFO_COLUMNS, "dtypes"]
            conn.execute(f"INSERT INTO datasets ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",  # noqa: S608
                         [values[n] for n in names])  # fmt: skip
            columns = ["dataset_id", "row_no", *COLUMNS, "extra", "geom"]
            with conn.cursor().copy(f"COPY events ({', '.join(columns)}) FROM STDIN") as copy:
                for chunk in to_copy_text(events, info.id):
                    copy.write(chunk)
            _insert_audit(conn, entry)
        return info

    def _update(self, info: DatasetInfo, entry: AuditEntry) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE datasets SET visibility = %s, teams = %s WHERE id = %s",
                         (info.visibility, list(info.teams), info.id))  # fmt: skip
            _insert_audit(conn, entry)

    def _remove(self, info: DatasetInfo, entry: AuditEntry) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM datasets WHERE id = %s", (info.id,))  # events go with it (ON DELETE CASCADE)
            _insert_audit(conn, entry)

    def _log(self, entry: AuditEntry) -> None:
        with self._connect() as conn:
            _insert_audit(conn, entry)

    def _entries(self) -> list[AuditEntry]:
        with self._connect() as conn:
            rows = conn.execute("SELECT at, actor, action, dataset, detail FROM audit ORDER BY seq").fetchall()
        return [AuditEntry(*r) for r in rows]

    def _set_signed_out(self, sub: str, at: float, entry: AuditEntry) -> None:
        with self._connect() as conn:
            conn.execute("INSERT INTO sign_outs (sub, at) VALUES (%s, %s) ON CONFLICT (sub) DO UPDATE SET at = "
                         "GREATEST(sign_outs.at, EXCLUDED.at)", (sub, at))  # fmt: skip
            _insert_audit(conn, entry)

    def _signed_out(self, sub: str) -> float | None:
        with self._connect() as conn:
            row = conn.execute("SELECT at FROM sign_outs WHERE sub = %s", (sub,)).fetchone()
        return row[0] if row else None

    def _article_infos(self) -> list[ArticleInfo]:
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(_ARTICLE_COLUMNS)} FROM articles").fetchall()  # noqa: S608 - names from the dataclass
        return [_article(r) for r in rows]

    def _article_text(self, article_id: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute("SELECT body FROM articles WHERE id = %s", (article_id,)).fetchone()
        return row[0] if row else None

    def _put_article(self, info: ArticleInfo, text: str, entry: AuditEntry) -> ArticleInfo:
        with self._connect() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (info.content_key,))
            row = conn.execute(f"SELECT {', '.join(_ARTICLE_COLUMNS)} FROM articles WHERE content_key = %s",  # noqa: S608
                               (info.content_key,)).fetchone()  # fmt: skip
            if row:
                return _article(row)
            values = {**asdict(info), "teams": list(info.teams), "body": text}
            names = [*_ARTICLE_COLUMNS, "body"]
            conn.execute(f"INSERT INTO articles ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",  # noqa: S608
                         [values[n] for n in names])  # fmt: skip
            _insert_audit(conn, entry)
        return info

    def _set_article(self, info: ArticleInfo, entry: AuditEntry) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE articles SET visibility = %s, teams = %s WHERE id = %s", (info.visibility, list(info.teams), info.id))
            _insert_audit(conn, entry)

    def _drop_article(self, info: ArticleInfo, entry: AuditEntry) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM articles WHERE id = %s", (info.id,))
            _insert_audit(conn, entry)


def migrate(conn) -> list[int]:
    """Apply the migrations this database has not had yet (one transaction, under an advisory lock)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, description text NOT NULL, "
                 "applied timestamptz NOT NULL DEFAULT now())")  # fmt: skip
    done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, description, sql in MIGRATIONS:
        if version not in done:
            conn.execute(sql)
            conn.execute("INSERT INTO schema_migrations (version, description) VALUES (%s, %s)", (version, description))
            applied.append(version)
    conn.commit()
    return applied


def _insert_audit(conn, entry: AuditEntry) -> None:
    conn.execute("INSERT INTO audit (at, actor, action, dataset, detail) VALUES (%s, %s, %s, %s, %s)",
                 (entry.at, entry.actor, entry.action, entry.dataset, entry.detail))  # fmt: skip


def _article(row: tuple) -> ArticleInfo:
    values = dict(zip(_ARTICLE_COLUMNS, row, strict=True))
    return ArticleInfo(**{**values, "teams": tuple(values["teams"] or ())})


def _info(row: tuple) -> DatasetInfo:
    values = dict(zip(_INFO_COLUMNS, row, strict=True))
    return DatasetInfo(**{**values, "teams": tuple(values["teams"] or ())})


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


class _CopyStream(io.RawIOBase):
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


def _copy_types(columns: list[tuple[str, str]]) -> list[pa.DataType]:
    """The Arrow types of :func:`_select_list`'s columns, after ``row_no``."""
    sql_types = {f.name: SQL_TYPES[f.dtype] for f in FIELDS if f.dtype != "geometry"}
    types = [pa.int64()] + [_ARROW_TYPES[sql_types.get(c, "text")] for c, dtype in columns if dtype != "geometry"]
    return types + ([pa.float64(), pa.float64()] if any(d == "geometry" for _, d in columns) else [])


def _parse_copy_text(stream: io.RawIOBase, types: list[pa.DataType]) -> pa.Table:
    """COPY text format into typed Arrow columns (``types``: ``row_no``'s, the stored columns', x and y).

    Quotes mean nothing in COPY text, and tabs and newlines inside values arrive escaped, so
    every line is one row; backslash escapes are undone afterwards, on the few values that have one.
    """
    names = [f"c{i}" for i in range(len(types))]
    reader = pcsv.open_csv(
        io.BufferedReader(stream, buffer_size=1 << 20),
        read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 24),
        parse_options=pcsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False, newlines_in_values=False),
        convert_options=pcsv.ConvertOptions(column_types=dict(zip(names, types, strict=True)), null_values=["\\N"],
                                            strings_can_be_null=True, true_values=["t"], false_values=["f"],
                                            timestamp_parsers=[pcsv.ISO8601]),  # with or without fractions
    )  # fmt: skip
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


def _in_row_order(table: pa.Table) -> pa.Table:
    """The rows in ``row_no`` order (a fresh COPY already returns them so; then nothing is copied), without it."""
    row_no = table.column(0).to_numpy()
    if len(row_no) > 1 and not (np.diff(row_no) > 0).all():
        table = table.take(pa.array(np.argsort(row_no, kind="stable")))
    return table.drop_columns([table.column_names[0]])


def _from_arrow(table: pa.Table, columns: list[tuple[str, str]]) -> gpd.GeoDataFrame:
    """Events from the SELECT of :func:`_select_list`, with the columns and dtypes the dataset was stored with.

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


class PostgisText:
    """The :class:`geo.detail_text.TextReader` of a dataset in PostGIS: rows by ``row_no``, searches streamed."""

    def __init__(self, store: PostgisStore, dataset_id: str, columns: tuple[str, ...]) -> None:
        self.store, self.dataset_id, self.columns = store, dataset_id, columns
        self.held = tuple(c for c in columns if c in DETAIL_TEXT)  # the source's own columns stay loaded
        self.matches = functools.lru_cache(maxsize=SEARCHES_CACHED)(self._scan)  # this reader's own

    def read(self, rows: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
        rows = np.asarray(rows, dtype=np.int64)
        listed = [c for c in columns if c in COLUMNS]  # the detail text is schema columns, never extras
        with self.store._connect() as conn:
            found = conn.execute(f"SELECT row_no, {', '.join(listed)} FROM events WHERE dataset_id = %s AND row_no = ANY(%s)",  # noqa: S608 - schema names
                                 (self.dataset_id, rows.tolist())).fetchall()  # fmt: skip
        by_row = pd.DataFrame(found, columns=["row_no", *listed]).set_index("row_no")
        if len(by_row) < len(np.unique(rows)):  # deleted meanwhile (by another replica)
            raise NotAvailable(self.dataset_id)
        return pd.DataFrame({c: by_row[c].reindex(rows).astype("string").array for c in listed}, index=rows)

    def _scan(self, column: str, text: str) -> np.ndarray:
        if column not in COLUMNS:
            msg = f"column: expected a schema text column, got {column!r}"
            raise ValueError(msg)
        if self.store._get(self.dataset_id) is None:  # deleted meanwhile: no empty search result
            raise NotAvailable(self.dataset_id)
        with self.store._connect() as conn, conn.cursor().copy(
            f"COPY (SELECT row_no, {column} FROM events WHERE dataset_id = %s) TO STDOUT", (self.dataset_id,)  # noqa: S608
        ) as copy:
            table = _in_row_order(_parse_copy_text(_CopyStream(copy), [pa.int64(), pa.string()]))
        return text_hits(table.column(0).combine_chunks(), text)

    def __deepcopy__(self, memo: dict) -> PostgisText:
        return self  # shared by every slice of the events, as the dataset is


def _select_list(columns: list[tuple[str, str]], stored: list[tuple[str, str]] | None = None) -> str:
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
