"""The embedded backend: datasets, articles and the audit log as files in one directory.

The default store (``CONFLICT_MAP_DATASETS``): ``<id>.parquet`` (canonical GeoParquet,
:mod:`geo.storage.files`), ``<id>.open.arrow`` (:mod:`geo.storage.open_cache`), ``<id>.json``
(its :class:`~geo.storage.interface.DatasetInfo`), ``audit.jsonl``, ``sign_outs.json``,
``articles/``, ``candidates/`` and ``places/``. One process or several on one machine share it through a lock file.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.access import NotAvailable
from geo.article_store import ArticleInfo
from geo.candidate_store import already_decided
from geo.detail_text import ParquetText
from geo.params import DATASET_ID
from geo.places import ChangedMeanwhile, HeldRows, SharedPlace, Sighting
from geo.review import Candidate, desk_events, desk_metadata
from geo.storage.files import atomic_write, read_canonical, write_canonical
from geo.storage.interface import AuditEntry, DatasetInfo, Store
from geo.storage.open_cache import drop_cache, held_table


class EmbeddedStore(Store):
    """Datasets as files in one directory: ``<id>.parquet``, ``<id>.json`` and ``audit.jsonl``.

    Writes go to unique temporary files renamed into place, the GeoParquet first and the
    metadata last: a dataset exists once its ``.json`` does, so a crash mid-write leaves none
    visible, and two sessions uploading the same file at once end with one dataset.
    """

    backend = "embedded"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """An exclusive lock on the directory, across threads and processes (fcntl on a lock file)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _get(self, dataset_id: str) -> DatasetInfo | None:
        meta, events = self.directory / f"{dataset_id}.json", self.directory / f"{dataset_id}.parquet"
        try:
            return DatasetInfo.from_dict(json.loads(meta.read_text(encoding="utf-8"))) if events.exists() else None
        except (OSError, ValueError, TypeError):
            return None

    def _infos(self) -> list[DatasetInfo]:
        found = sorted(self.directory.glob("*.json")) if self.directory.exists() else []
        return [i for p in found if DATASET_ID.fullmatch(p.stem) and (i := self._get(p.stem))]

    def _read(self, info: DatasetInfo, *, held: bool = False) -> gpd.GeoDataFrame | pd.DataFrame:
        return read_canonical(self.directory / f"{info.id}.parquet", held=held, read_table=held_table)

    def _write(self, info: DatasetInfo, events: gpd.GeoDataFrame, entry: AuditEntry) -> DatasetInfo:
        with self._locked():  # ids are random: only the lock makes two sessions' same upload one dataset
            stored = next((i for i in self._infos() if i.content_key == info.content_key), None)
            if stored:  # the same upload again: the stored dataset stands (its id, grant, date added, version and file)
                self._log(replace(entry, dataset=stored.id))
                return stored
            path = self.directory / f"{info.id}.parquet"
            atomic_write(lambda tmp: write_canonical(events, tmp), path)
            held_table(path, ParquetText(path).loaded)  # the open cache, for the first open
            self._update(info, entry)
        return info

    def _update(self, info: DatasetInfo, entry: AuditEntry) -> None:
        text = json.dumps(asdict(info), indent=1)
        atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), self.directory / f"{info.id}.json")
        self._log(entry)

    def _remove(self, info: DatasetInfo, entry: AuditEntry) -> None:
        (self.directory / f"{info.id}.json").unlink(missing_ok=True)  # gone for everyone from here on
        (self.directory / f"{info.id}.parquet").unlink(missing_ok=True)
        (self.directory / "places" / "sources" / f"{info.id}.json").unlink(missing_ok=True)  # its held rows too
        drop_cache(self.directory / f"{info.id}.parquet")
        self._log(entry)

    def _log(self, entry: AuditEntry) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode()
        # One write() on an O_APPEND descriptor: lines from several sessions never interleave.
        fd = os.open(self.directory / "audit.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def _entries(self) -> list[AuditEntry]:
        path = self.directory / "audit.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [AuditEntry(**json.loads(line)) for line in lines if line.strip()]

    def _sign_outs(self) -> dict[str, float]:
        try:
            return json.loads((self.directory / "sign_outs.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _set_signed_out(self, sub: str, at: float, entry: AuditEntry) -> None:
        with self._locked():
            text = json.dumps({**self._sign_outs(), sub: at})
            atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), self.directory / "sign_outs.json")
        self._log(entry)

    def _signed_out(self, sub: str) -> float | None:
        return self._sign_outs().get(sub)

    # Articles: ``articles/<id>.md`` (the text) and ``articles/<id>.json`` (written last: it exists once both do).
    def _article_infos(self) -> list[ArticleInfo]:
        folder = self.directory / "articles"
        found = sorted(folder.glob("*.json")) if folder.exists() else []
        infos = []
        for path in found:
            try:
                meta = json.loads(path.read_text(encoding="utf-8"))
                infos.append(ArticleInfo(**{**meta, "teams": tuple(meta["teams"])}))
            except (OSError, ValueError, TypeError, KeyError):
                continue  # a damaged entry is not listed
        return infos

    def _article_text(self, article_id: str) -> str | None:
        try:
            return (self.directory / "articles" / f"{article_id}.md").read_text(encoding="utf-8")
        except OSError:
            return None

    def _put_article(self, info: ArticleInfo, text: str, entry: AuditEntry) -> ArticleInfo:
        with self._locked():
            stored = next((i for i in self._article_infos() if i.content_key == info.content_key), None)
            if stored:
                return stored
            folder = self.directory / "articles"
            folder.mkdir(exist_ok=True)
            atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), folder / f"{info.id}.md")
            self._write_article_meta(info, entry)  # under the lock already held
        return info

    def _set_article(self, info: ArticleInfo, entry: AuditEntry) -> None:
        with self._locked():  # a share racing a delete must not bring back metadata without its text
            self._write_article_meta(info, entry)

    def _write_article_meta(self, info: ArticleInfo, entry: AuditEntry) -> None:
        if not (self.directory / "articles" / f"{info.id}.md").exists():
            return  # deleted meanwhile
        text = json.dumps(asdict(info), indent=1)
        atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), self.directory / "articles" / f"{info.id}.json")
        self._log(entry)

    def _drop_article(self, info: ArticleInfo, entry: AuditEntry) -> None:
        with self._locked():
            (self.directory / "articles" / f"{info.id}.json").unlink(missing_ok=True)
            (self.directory / "articles" / f"{info.id}.md").unlink(missing_ok=True)
            (self.directory / "places" / "sources" / f"{info.id}.json").unlink(missing_ok=True)
        self._log(entry)

    # Candidates: ``candidates/<id>.json``, each written whole; decisions are made under the lock.
    def _candidate_list(self, article_id: str | None = None) -> list[Candidate]:
        folder = self.directory / "candidates"
        stamp = _generation(folder)
        listed = _LISTED.get(folder)
        if stamp is None or listed is None or listed[0] != stamp:
            try:
                names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".json"))
            except OSError:  # no candidate yet
                names = []
            found = [c for c in (self._read_candidate(name[: -len(".json")]) for name in names) if c]
            listed = (stamp, found)
            if stamp is not None:
                _LISTED[folder] = listed
        return [c for c in listed[1] if article_id in (None, c.article_id)]

    def _read_candidate(self, candidate_id: str) -> Candidate | None:
        path = self.directory / "candidates" / f"{candidate_id}.json"
        try:
            return _parsed_candidate(path)
        except (OSError, ValueError, TypeError, KeyError):
            return None  # missing, or damaged: not listed

    def _write_candidate(self, candidate: Candidate) -> None:
        """Write one candidate, then count the folder's generation up (under the lock, as every candidate write is)."""
        text = json.dumps(candidate.to_dict(), ensure_ascii=False, indent=1)
        folder = self.directory / "candidates"
        atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), folder / f"{candidate.id}.json")
        stamp = uuid.uuid4().hex  # after the file: a reader never keeps an older list under the new stamp
        atomic_write(lambda tmp: tmp.write_text(stamp, encoding="ascii"), folder / GENERATION)

    def _put_candidates(self, new: list[tuple[Candidate, AuditEntry]]) -> list[Candidate]:
        with self._locked():  # the same article proposed by two sessions at once: one set of candidates
            (self.directory / "candidates").mkdir(exist_ok=True)
            keys = {c.key for c in self._candidate_list()}
            stored = [(c, entry) for c, entry in new if c.key not in keys]
            for candidate, entry in stored:
                self._write_candidate(candidate)
                self._log(entry)
        return [c for c, _ in stored]

    def _decide(self, candidate: Candidate, entry: AuditEntry, *, desk: DatasetInfo | None = None) -> Candidate:
        with self._locked():
            stored = self._read_candidate(candidate.id)
            if stored is None:
                raise NotAvailable(candidate.id)
            if stored.status != "pending":
                raise already_decided(stored)
            if desk is not None:
                desk = next((i for i in self._infos() if i.content_key == desk.content_key), desk)
                candidate = replace(candidate, dataset_id=desk.id)
            # The decision first: a crash before the desk is written leaves an accepted candidate
            # missing from it (the next accept into that desk writes it), never an unreviewed one in it.
            self._write_candidate(candidate)
            if desk is None:
                self._log(entry)
            else:
                self._write_desk(desk, entry)
        return candidate

    def _write_desk(self, desk: DatasetInfo, entry: AuditEntry) -> None:
        """Write a desk dataset's events again from every candidate accepted into it (under the lock)."""
        accepted = [c for c in self._candidate_list() if c.status == "accepted" and c.dataset_id == desk.id]
        events = desk_events(accepted, name=desk.name)
        path = self.directory / f"{desk.id}.parquet"
        atomic_write(lambda tmp: write_canonical(events, tmp), path)
        held_table(path, ParquetText(path).loaded)  # the open cache, as for an upload
        self._update(desk_metadata(desk, events), entry)

    # Places: ``places/sources/<id>.json`` (a dataset's or an article's sightings, a dataset's held
    # rows) and ``places/shared.json`` (the shared layer), each written whole under the lock.
    def _source_record(self, source_id: str) -> dict | None:
        try:
            return json.loads((self.directory / "places" / "sources" / f"{source_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write_source(self, source_id: str, sightings: list[Sighting], held: HeldRows | None) -> None:
        folder = self.directory / "places" / "sources"
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"sightings": [s.to_dict() for s in sightings], "held": held.to_dict() if held else None}, ensure_ascii=False)
        atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), folder / f"{source_id}.json")

    def _put_sightings(self, source_id: str, sightings: list[Sighting], held: HeldRows | None, entry: AuditEntry) -> bool:
        with self._locked():  # the same file saved by two sessions at once: recorded once
            if (self.directory / "places" / "sources" / f"{source_id}.json").exists():
                return False
            self._write_source(source_id, sightings, held)
            self._log(entry)
        return True

    def _sightings(self) -> list[Sighting]:
        folder = self.directory / "places" / "sources"
        found = [self._source_record(p.stem) for p in sorted(folder.glob("*.json"))] if folder.exists() else []
        out = []
        for record in found:
            try:
                out += [Sighting.from_dict(s) for s in record["sightings"]] if record else []
            except (TypeError, KeyError):
                continue  # a damaged record is not listed
        return out

    def _held(self, dataset_id: str) -> HeldRows | None:
        record = self._source_record(dataset_id) if DATASET_ID.fullmatch(dataset_id) else None
        try:
            return HeldRows.from_dict(record["held"]) if record and record.get("held") else None
        except (TypeError, KeyError, ValueError):
            return None

    def _shared_list(self) -> list[SharedPlace]:
        try:
            return [SharedPlace.from_dict(r) for r in json.loads((self.directory / "places" / "shared.json").read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError, KeyError):
            return []

    def _drop_shared(self, place_id: str, entry: AuditEntry) -> bool:
        with self._locked():
            stored = self._shared_list()
            kept = [p for p in stored if p.id != place_id]
            if len(kept) == len(stored):
                return False
            text = json.dumps([p.to_dict() for p in kept], ensure_ascii=False, indent=1)
            atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), self.directory / "places" / "shared.json")
            self._log(entry)
        return True

    def _put_shared(self, new: list[tuple[SharedPlace, AuditEntry]]) -> list[SharedPlace]:
        with self._locked():
            stored = self._shared_list()
            keys, added = {p.key for p in stored}, []
            for place, entry in new:
                if place.key not in keys:
                    keys.add(place.key)
                    added.append((place, entry))
            if added:
                (self.directory / "places").mkdir(exist_ok=True)
                text = json.dumps([p.to_dict() for p in [*stored, *(p for p, _ in added)]], ensure_ascii=False, indent=1)
                atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), self.directory / "places" / "shared.json")
                for _, entry in added:
                    self._log(entry)
        return [p for p, _ in added]

    def _replace_events(self, info: DatasetInfo, events: gpd.GeoDataFrame, held: HeldRows, sightings: list[Sighting],
                        entry: AuditEntry, *, base: str) -> None:  # fmt: skip
        with self._locked():
            stored = self._get(info.id)
            if stored is None:
                raise NotAvailable(info.id)
            if stored.version != base:
                msg = f"dataset {info.id}: changed while its rows were placed again; place them again"
                raise ChangedMeanwhile(msg)
            # Events first: a crash before the held rows are written leaves rows both placed and held,
            # and the next re-place skips a held row whose line is placed already (never placed twice).
            path = self.directory / f"{info.id}.parquet"
            atomic_write(lambda tmp: write_canonical(events, tmp), path)
            held_table(path, ParquetText(path).loaded)
            self._write_source(info.id, sightings, held)
            self._update(info, entry)


#: The file that changes whenever a candidate is written (see :func:`_generation`).
GENERATION = ".generation"
#: Each candidates folder's list, with the generation it was read at.
_LISTED: dict[Path, tuple[str, list[Candidate]]] = {}


def _generation(folder: Path) -> str | None:
    """The candidates folder's generation: a new random stamp after each write, so a list read at one
    stamp is the folder's list while the stamp stays (across processes and replicas too); None before
    the first write of this version (the folder is then read whole, each time)."""
    try:
        return (folder / GENERATION).read_text(encoding="ascii")
    except OSError:
        return None


#: Parsed candidate files by path, each with the file's identity when it was read (see :func:`_parsed_candidate`).
_PARSED: dict[Path, tuple[tuple[int, int, int], Candidate]] = {}


def _parsed_candidate(path: Path) -> Candidate:
    """The candidate in the file at ``path``, read and parsed again only when the file changed.

    Every write renames a new file into place (:func:`atomic_write`), so a file whose inode, size
    and modification time are those seen before holds the same text, in this process or another
    replica's: the Review page lists every candidate on each run, and parsing hundreds of files
    each time is most of its wait.
    """
    seen = path.stat()
    identity = (seen.st_ino, seen.st_size, seen.st_mtime_ns)
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == identity:
        return cached[1]
    value = Candidate.from_dict(json.loads(path.read_text(encoding="utf-8")))
    _PARSED[path] = (identity, value)
    return value
