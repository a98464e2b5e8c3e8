"""The PostGIS backend of :class:`geo.store.Store`: one database behind any number of app processes.

Events live in one ``events`` table (a column per :data:`geo.schema.FIELDS` entry, the point in
``geom`` with a GiST index, a B-tree on ``(dataset_id, event_date)``), datasets and the audit log
in their own tables; :data:`MIGRATIONS` creates them, each applied once under an advisory lock
so replicas starting together do not race. Every write is one transaction, so a crash leaves no
partial dataset. SQL is parameterised; the only text spliced into it is column names from the
schema table. Events move in and out with ``COPY`` in PostgreSQL's text format (one round trip
each way; the dtypes each dataset had are stored with it and restored on load).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.schema import CRS, FIELDS
from geo.store import AuditEntry, DatasetInfo, Store

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
)
_LOCK = 72_657_310  # advisory lock id: "conflict-map migrations"
_INFO_COLUMNS = [f.name for f in fields(DatasetInfo)]
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


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
        import psycopg

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

    def _read(self, info: DatasetInfo) -> gpd.GeoDataFrame:
        buffer = io.BytesIO()
        with self._connect() as conn:
            columns = [tuple(c) for c in conn.execute("SELECT dtypes FROM datasets WHERE id = %s", (info.id,)).fetchone()[0]]
            select = _select_list(columns)
            copy_sql = f"COPY (SELECT {select} FROM events WHERE dataset_id = %s ORDER BY row_no) TO STDOUT"  # noqa: S608
            with conn.cursor().copy(copy_sql, (info.id,)) as copy:
                for chunk in copy:
                    buffer.write(chunk)
        return _from_copy_text(buffer.getvalue(), columns)

    def _write(self, info: DatasetInfo, events: gpd.GeoDataFrame, entry: AuditEntry) -> DatasetInfo:
        with self._connect() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (info.id,))  # the same upload twice at once
            row = conn.execute(f"SELECT {', '.join(_INFO_COLUMNS)} FROM datasets WHERE id = %s", (info.id,)).fetchone()  # noqa: S608
            if row:  # the same analyst's same file again: the stored dataset stands
                _insert_audit(conn, entry)
                return _info(row)
            values = {**asdict(info), "teams": list(info.teams), "dtypes": json.dumps(stored_columns(events))}
            names = [*_INFO_COLUMNS, "dtypes"]
            conn.execute(f"INSERT INTO datasets ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",  # noqa: S608
                         [values[n] for n in names])  # fmt: skip
            columns = ["dataset_id", "row_no", *COLUMNS, "extra", "geom"]
            with conn.cursor().copy(f"COPY events ({', '.join(columns)}) FROM STDIN") as copy:
                for chunk in _to_copy_text(events, info.id):
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


def _info(row: tuple) -> DatasetInfo:
    values = dict(zip(_INFO_COLUMNS, row, strict=True))
    return DatasetInfo(**{**values, "teams": tuple(values["teams"] or ())})


def _to_copy_text(events: gpd.GeoDataFrame, dataset_id: str, *, rows_per_chunk: int = 50_000) -> Iterator[bytes]:
    """Events as COPY text-format lines (``\\N`` for NULL, backslash escapes), in chunks.

    Schema columns go to their typed columns; the source's own columns (UCDP's ``dyad_name``…)
    to the ``extra`` text array, in the order :func:`stored_columns` gives.
    """
    extras = [c for c, dtype in stored_columns(events) if c not in COLUMNS and dtype != "geometry"]
    for start in range(0, len(events), rows_per_chunk):
        part = events.iloc[start : start + rows_per_chunk]
        cells = [pd.Series(dataset_id, index=part.index), pd.Series(np.arange(start, start + len(part)), index=part.index).astype(str)]
        for column in COLUMNS:
            text, missing = _raw_text(part[column]) if column in part else (pd.Series("", index=part.index), pd.Series(True, index=part.index))
            cells.append(_copy_escape(text).where(~missing, "\\N"))
        cells.append(_copy_escape(_array_literal(part, extras)))
        points = part.geometry
        cells.append("SRID=4326;POINT(" + points.x.map(repr) + " " + points.y.map(repr) + ")")
        lines = cells[0].str.cat(cells[1:], sep="\t")
        yield ("\n".join(lines) + "\n").encode("utf-8")


def stored_columns(events: pd.DataFrame) -> list[tuple[str, str]]:
    """Every column with its dtype, in the frame's order (stored with the dataset); the geometry as ``geometry``."""
    return [(str(c), "geometry" if c == events.geometry.name else str(events[c].dtype)) for c in events.columns]


def _raw_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A column as exact text (floats by ``repr``) and where it is missing; NUL characters are refused."""
    missing = values.isna()
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    elif pd.api.types.is_bool_dtype(values):
        text = values.map({True: "t", False: "f"})
    elif pd.api.types.is_float_dtype(values):
        text = values.map(repr)
    else:
        text = values.astype(object).where(~missing, "").astype(str)
        if text.str.contains("\x00", regex=False).any():
            msg = f"{values.name}: expected text without NUL characters (PostgreSQL cannot store them), got one"
            raise ValueError(msg)
    return text.where(~missing, "").astype(str), missing


def _copy_escape(text: pd.Series) -> pd.Series:
    return text.str.replace(r"[\\\t\n\r]", lambda m: _ESCAPES[m.group(0)], regex=True)


def _array_literal(part: pd.DataFrame, columns: list[str]) -> pd.Series:
    """The ``extra`` columns of each row as a PostgreSQL text-array literal (``{"a",NULL,"b"}``)."""
    if not columns:
        return pd.Series("{}", index=part.index)
    elements = []
    for column in columns:
        text, missing = _raw_text(part[column])
        quoted = '"' + text.str.replace(r'[\\"]', lambda m: "\\" + m.group(0), regex=True) + '"'
        elements.append(quoted.where(~missing, "NULL"))
    return "{" + elements[0].str.cat(elements[1:], sep=",") + "}"


def _from_copy_text(data: bytes, columns: list[tuple[str, str]]) -> gpd.GeoDataFrame:
    """Events back from COPY text format, with the columns and dtypes the dataset was stored with."""
    order = [c for c, _ in columns]
    geometry_name = next(c for c, dtype in columns if dtype == "geometry")
    columns = [(c, dtype) for c, dtype in columns if dtype != "geometry"]
    names = [c for c, _ in columns]
    if not data:
        frame = pd.DataFrame({n: pd.Series([], dtype=object) for n in [*names, "_x", "_y"]})
    else:
        frame = pd.read_csv(io.BytesIO(data), sep="\t", header=None, names=[*names, "_x", "_y"], dtype=str, quoting=3,
                            na_values=["\\N"], keep_default_na=False, engine="c")  # fmt: skip
    out = {}
    for column, dtype in columns:
        values = frame[column]
        escaped = values.str.contains("\\", regex=False).fillna(False)
        if escaped.any():
            unescaped = values[escaped].str.replace(r"\\(.)", lambda m: _UNESCAPES.get(m.group(1), m.group(1)), regex=True)
            values = values.where(~escaped, unescaped)
        out[column] = _typed(values, dtype)
    out[geometry_name] = gpd.points_from_xy(frame["_x"].astype(float), frame["_y"].astype(float), crs=CRS)
    return gpd.GeoDataFrame({c: out[c] for c in order}, geometry=geometry_name, crs=CRS)


def _select_list(columns: list[tuple[str, str]]) -> str:
    """The SELECT list that gives back ``columns`` in their stored order: schema columns by name, extras by index."""
    extras = [c for c, dtype in columns if c not in COLUMNS and dtype != "geometry"]
    listed = [c if c in COLUMNS else f"extra[{extras.index(c) + 1}]" for c, dtype in columns if dtype != "geometry"]
    return ", ".join([*listed, "ST_X(geom)", "ST_Y(geom)"])


def _typed(values: pd.Series, dtype: str) -> pd.Series:
    """Text from the database as the dtype the column had when stored."""
    if dtype.startswith("datetime64"):
        return pd.to_datetime(values, format="ISO8601").astype(dtype)
    if dtype in ("boolean", "bool"):
        return values.map({"t": True, "f": False}).astype(dtype)
    if dtype in ("Int8", "Int16", "Int32", "Int64", "float64", "int64"):
        return pd.to_numeric(values).astype(dtype)
    return values.astype(dtype)
