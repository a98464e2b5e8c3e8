"""The PostGIS backend of :class:`geo.storage.interface.Store`: one database behind any number of app processes.

Events live in one ``events`` table (a column per :data:`geo.schema.FIELDS` entry, the point in
``geom`` with a GiST index, a B-tree on ``(dataset_id, event_date)``), datasets and the audit log
in their own tables; :data:`MIGRATIONS` creates them, each applied once under an advisory lock
so replicas starting together do not race. Every write is one transaction, so a crash leaves no
partial dataset. SQL is parameterised; the only text spliced into it is column names from the
schema table. Events travel with ``COPY`` in PostgreSQL's text format both ways
(:mod:`geo.storage.copy_text`); the dtypes each dataset had are stored with it and restored on load.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from geo.access import NotAvailable
from geo.article_store import ArticleInfo
from geo.candidate_store import already_decided
from geo.detail_text import DETAIL_TEXT, SEARCHES_CACHED, detach, text_hits
from geo.review import Candidate, desk_events, desk_metadata
from geo.schema import FIELDS
from geo.storage.copy_text import (
    COLUMNS,
    SQL_TYPES,
    CopyStream,
    copy_types,
    from_arrow,
    in_row_order,
    parse_copy_text,
    select_list,
    stored_columns,
    to_copy_text,
)
from geo.storage.interface import AuditEntry, DatasetInfo, Store
from geo.storage.postgis_places import PLACES_MIGRATION, PostgisPlaces

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
    # Migration 1 makes the events table from today's schema, so a database made after the rename
    # already has border_distance_km: only a column an earlier version made is renamed. The dtypes
    # a dataset was stored with name its columns, and a name not in the schema is read as one of
    # the source's own columns (extra[i]): each stored border_km entry is renamed too, in place.
    (4, "the events column border_km is border_distance_km (geo.schema.RENAMED), in the table and each dataset's dtypes", """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = 'events' AND column_name = 'border_km') THEN
    ALTER TABLE events RENAME COLUMN border_km TO border_distance_km;
  END IF;
END $$;
UPDATE datasets SET dtypes = (
  SELECT jsonb_agg(CASE WHEN c ->> 0 = 'border_km' THEN jsonb_build_array('border_distance_km', c -> 1) ELSE c END
                   ORDER BY n)
  FROM jsonb_array_elements(dtypes) WITH ORDINALITY AS t (c, n)
)
WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(dtypes) AS c WHERE c ->> 0 = 'border_km');
"""),
    # The whole candidate is the record; the columns a decision and a listing ask for are its own,
    # so that deciding is one conditional UPDATE (WHERE status = 'pending').
    (5, "candidate events proposed from articles, decided once (the review desk)", """
CREATE TABLE candidates (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
  article_id text NOT NULL,
  key text NOT NULL UNIQUE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
  reviewer text NOT NULL DEFAULT '',
  decided_at text NOT NULL DEFAULT '',
  dataset_id text NOT NULL DEFAULT '',
  record jsonb NOT NULL
);
CREATE INDEX candidates_article ON candidates (article_id);
CREATE INDEX candidates_desk ON candidates (dataset_id) WHERE status = 'accepted';
"""),
    (6, "the places worklist (sightings and held rows per dataset or article) and the shared gazetteer layer", PLACES_MIGRATION),
)
_LOCK = 72_657_310  # advisory lock id: "conflict-map migrations"
_INFO_COLUMNS = [f.name for f in fields(DatasetInfo)]
_ARTICLE_COLUMNS = [f.name for f in fields(ArticleInfo)]



class PostgisStore(PostgisPlaces, Store):
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
            sql = f"COPY (SELECT row_no, {select_list(columns, stored)} FROM events WHERE dataset_id = %s) TO STDOUT"  # noqa: S608 - column names from the schema table, extras by index
            with conn.cursor().copy(sql, (info.id,)) as copy:
                table = parse_copy_text(CopyStream(copy), copy_types(columns))
        events = from_arrow(in_row_order(table), columns)
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

    def _candidate_list(self, article_id: str | None = None) -> list[Candidate]:
        with self._connect() as conn:
            rows = conn.execute("SELECT record FROM candidates WHERE %s::text IS NULL OR article_id = %s",
                                (article_id, article_id)).fetchall()  # fmt: skip
        return [Candidate.from_dict(r[0]) for r in rows]

    def _put_candidates(self, new: list[tuple[Candidate, AuditEntry]]) -> list[Candidate]:
        stored = []
        with self._connect() as conn:
            for candidate, entry in new:
                if self._insert_once(conn, "INSERT INTO candidates (id, article_id, key, record) VALUES (%s, %s, %s, %s::jsonb)",
                                     (candidate.id, candidate.article_id, candidate.key, _record(candidate)), entry):  # fmt: skip
                    stored.append(candidate)
        return stored

    def _decide(self, candidate: Candidate, entry: AuditEntry, *, desk: DatasetInfo | None = None) -> Candidate:
        with self._connect() as conn:
            if desk is not None:  # accepts into one desk wait for each other: each writes every accepted event
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (desk.content_key,))
                row = conn.execute(f"SELECT {', '.join(_INFO_COLUMNS)} FROM datasets WHERE content_key = %s",  # noqa: S608
                                   (desk.content_key,)).fetchone()  # fmt: skip
                desk = _info(row) if row else desk
                candidate = replace(candidate, dataset_id=desk.id)
            # Two reviewers at once: the second UPDATE waits for the first's row lock, then finds it decided.
            won = conn.execute("UPDATE candidates SET status = %s, reviewer = %s, decided_at = %s, dataset_id = %s, record = %s::jsonb "
                               "WHERE id = %s AND status = 'pending' RETURNING id",
                               (candidate.status, candidate.reviewer, candidate.decided_at, candidate.dataset_id,
                                _record(candidate), candidate.id)).fetchone()  # fmt: skip
            if won is None:
                row = conn.execute("SELECT record FROM candidates WHERE id = %s", (candidate.id,)).fetchone()
                raise already_decided(Candidate.from_dict(row[0])) if row else NotAvailable(candidate.id)
            if desk is not None:
                _write_desk(conn, desk)
            _insert_audit(conn, entry)
        return candidate

    # What the places primitives (geo.storage.postgis_places) write through, inside their transaction.
    def _audit(self, conn, entry: AuditEntry) -> None:
        _insert_audit(conn, entry)

    def _insert_once(self, conn, insert: str, params: tuple, entry) -> bool:
        """Run ``insert`` unless its row's ``key`` is stored already (by another replica, a moment ago too); log ``entry`` if it was."""
        row = conn.execute(f"{insert} ON CONFLICT (key) DO NOTHING RETURNING id", params).fetchone()
        if row:
            _insert_audit(conn, entry)
        return row is not None

    def _store_events(self, conn, info: DatasetInfo, events: gpd.GeoDataFrame) -> None:
        _store_events(conn, info, events)


def _record(candidate: Candidate) -> str:
    return json.dumps(candidate.to_dict(), ensure_ascii=False)


def _write_desk(conn, desk: DatasetInfo) -> None:
    """Write a desk dataset's events again from every candidate accepted into it (inside the decision's transaction)."""
    rows = conn.execute("SELECT record FROM candidates WHERE dataset_id = %s AND status = 'accepted'", (desk.id,)).fetchall()
    events = desk_events([Candidate.from_dict(r[0]) for r in rows], name=desk.name)
    _store_events(conn, desk_metadata(desk, events), events)


def _store_events(conn, info: DatasetInfo, events: gpd.GeoDataFrame) -> None:
    """Store a dataset's metadata (new, or its counts, dates and version changed) and all its events again, in ``conn``'s transaction."""
    values = {**asdict(info), "teams": list(info.teams), "dtypes": json.dumps(stored_columns(events))}
    names = [*_INFO_COLUMNS, "dtypes"]
    conn.execute(f"INSERT INTO datasets ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))}) "  # noqa: S608 - names from the dataclass
                 "ON CONFLICT (id) DO UPDATE SET rows = EXCLUDED.rows, rejected = EXCLUDED.rejected, date_min = EXCLUDED.date_min, "
                 "date_max = EXCLUDED.date_max, version = EXCLUDED.version, dtypes = EXCLUDED.dtypes",
                 [values[n] for n in names])  # fmt: skip
    conn.execute("DELETE FROM events WHERE dataset_id = %s", (info.id,))
    with conn.cursor().copy(f"COPY events ({', '.join(['dataset_id', 'row_no', *COLUMNS, 'extra', 'geom'])}) FROM STDIN") as copy:
        for chunk in to_copy_text(events, info.id):
            copy.write(chunk)


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
            table = in_row_order(parse_copy_text(CopyStream(copy), [pa.int64(), pa.string()]))
        return text_hits(table.column(0).combine_chunks(), text)

    def __deepcopy__(self, memo: dict) -> PostgisText:
        return self  # shared by every slice of the events, as the dataset is
