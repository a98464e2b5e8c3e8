"""The places primitives of the PostGIS backend (:class:`geo.place_store.PlaceStore`), and their tables.

``place_sources`` holds one row per dataset or article with names no source places: its
sightings and, for a dataset, the rows held for a later re-place; a row goes with its dataset or
article (``ON DELETE CASCADE``). ``shared_places`` is the shared layer, one row per place, unique
by name key, country and admin1. Every write is one transaction with its audit entry.
"""

from __future__ import annotations

import json

import geopandas as gpd

from geo.access import NotAvailable
from geo.places import ChangedMeanwhile, HeldRows, SharedPlace, Sighting

#: Migration 6 of :data:`geo.storage.postgis.MIGRATIONS` (never edit it once shipped).
PLACES_MIGRATION = """
CREATE TABLE place_sources (
  source_id text PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('dataset', 'article')),
  dataset_id text REFERENCES datasets (id) ON DELETE CASCADE,
  article_id text REFERENCES articles (id) ON DELETE CASCADE,
  sightings jsonb NOT NULL,
  held jsonb,
  CHECK ((dataset_id IS NULL) <> (article_id IS NULL))
);
CREATE TABLE shared_places (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE CHECK (id ~ '^[0-9a-f]{32}$'),
  key text NOT NULL UNIQUE,
  record jsonb NOT NULL
);
"""


class PostgisPlaces:
    """Mixed into :class:`geo.storage.postgis.PostgisStore`, which provides ``_connect`` (a transaction),
    ``_audit(conn, entry)`` and ``_store_events(conn, info, events)`` (a dataset's metadata and events written again)."""

    def _put_sightings(self, source_id: str, sightings: list[Sighting], held: HeldRows | None, entry) -> bool:
        source = "dataset" if held is not None or (sightings and sightings[0].source == "dataset") else "article"
        with self._connect() as conn:
            row = conn.execute("INSERT INTO place_sources (source_id, source, dataset_id, article_id, sightings, held) "
                               "VALUES (%s, %s, %s, %s, %s::jsonb, %s::jsonb) ON CONFLICT (source_id) DO NOTHING RETURNING source_id",
                               (source_id, source, source_id if source == "dataset" else None, source_id if source == "article" else None,
                                _sightings_json(sightings), _held_json(held))).fetchone()  # fmt: skip
            if row:
                self._audit(conn, entry)
        return bool(row)

    def _sightings(self) -> list[Sighting]:
        with self._connect() as conn:
            rows = conn.execute("SELECT sightings FROM place_sources ORDER BY source_id").fetchall()
        return [Sighting.from_dict(s) for (found,) in rows for s in found]

    def _held(self, dataset_id: str) -> HeldRows | None:
        with self._connect() as conn:
            row = conn.execute("SELECT held FROM place_sources WHERE source_id = %s", (dataset_id,)).fetchone()
        return HeldRows.from_dict(row[0]) if row and row[0] else None

    def _shared_list(self) -> list[SharedPlace]:
        with self._connect() as conn:
            rows = conn.execute("SELECT record FROM shared_places ORDER BY seq").fetchall()
        return [SharedPlace.from_dict(r[0]) for r in rows]

    def _drop_shared(self, place_id: str, entry) -> bool:
        with self._connect() as conn:
            gone = conn.execute("DELETE FROM shared_places WHERE id = %s RETURNING id", (place_id,)).fetchone()
            if gone:
                self._audit(conn, entry)
        return gone is not None

    def _put_shared(self, new: list[tuple[SharedPlace, object]]) -> list[SharedPlace]:
        stored = []
        with self._connect() as conn:
            for place, entry in new:
                if self._insert_once(conn, "INSERT INTO shared_places (id, key, record) VALUES (%s, %s, %s::jsonb)",
                                     (place.id, json.dumps(list(place.key), ensure_ascii=False),
                                      json.dumps(place.to_dict(), ensure_ascii=False)), entry):  # fmt: skip
                    stored.append(place)
        return stored

    def _replace_events(self, info, events: gpd.GeoDataFrame, held: HeldRows, sightings: list[Sighting], entry, *, base: str) -> None:
        with self._connect() as conn:
            row = conn.execute("SELECT version FROM datasets WHERE id = %s FOR UPDATE", (info.id,)).fetchone()
            if row is None:
                raise NotAvailable(info.id)
            if row[0] != base:  # another re-place wrote a version meanwhile (it waited for our row lock, or we for its)
                msg = f"dataset {info.id}: changed while its rows were placed again; place them again"
                raise ChangedMeanwhile(msg)
            self._store_events(conn, info, events)
            conn.execute("UPDATE place_sources SET sightings = %s::jsonb, held = %s::jsonb WHERE source_id = %s",
                         (_sightings_json(sightings), _held_json(held), info.id))  # fmt: skip
            self._audit(conn, entry)


def _sightings_json(sightings: list[Sighting]) -> str:
    return json.dumps([s.to_dict() for s in sightings], ensure_ascii=False)


def _held_json(held: HeldRows | None) -> str | None:
    return json.dumps(held.to_dict(), ensure_ascii=False) if held is not None else None
