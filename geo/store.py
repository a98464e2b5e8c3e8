"""Datasets: the bundled one and uploaded ones, behind one interface with two backends.

:class:`Store` holds everything both backends share — ids, access checks (:mod:`geo.access`),
reading an upload into canonical events, the audit entries — and asks its backend for eight
primitives. :class:`EmbeddedStore` (the default) keeps ``<id>.parquet`` + ``<id>.json`` and an
``audit.jsonl`` in a directory; :class:`geo.pgstore.PostgisStore` keeps them in PostgreSQL/PostGIS
(``CONFLICT_MAP_DATABASE_URL``), so several app processes share them. :func:`open_store` picks one.

A dataset's id is random (128 bits, :func:`new_dataset_id`): it is the secret of an "anyone with
the link" dataset, so nothing known about the file may let anyone compute it. A content key (a
hash of the file, how it was read and who uploaded it) stays internal, for de-duplication: the same
analyst uploading the same file again gets the same dataset; two analysts get two.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.access import LOCAL, Grant, NotAvailable, User, allowed, may_upload, regrant
from geo.actors import merge_aliases
from geo.areas import tag_events
from geo.article_store import ArticleInfo, ArticleStore
from geo.detail_text import ROW_GROUP_ROWS, ParquetText, detach
from geo.io import Progress, read_events
from geo.io.limits import check_memory, check_size
from geo.io.sniff import upload_path
from geo.open_cache import drop_cache, held_table
from geo.params import BUNDLED_ID, DATASET_ID, LEGACY_DATASET_ID
from geo.paths import DATA
from geo.report import LoadResult
from geo.settings import Settings, settings

# Arrow's system allocator, not mimalloc: a dataset read in row groups left mimalloc holding
# ~200 MB it had freed (1 M real-shaped events: 497 → 290 MB resident once read).
pa.set_memory_pool(pa.system_memory_pool())

BUNDLED_LABEL = "Aleppo, Idlib & Iraq–Syria border, 27 Nov – 12 Dec 2024 (bundled)"
#: The audit log's columns (the Data page's admin view and its export); actions: upload, share, delete,
#: export, sign_out, and denied (an attempt refused: its detail names the action).
AUDIT_COLUMNS = ["at", "actor", "action", "dataset", "detail"]


@dataclass(frozen=True)
class DatasetInfo:
    """A stored dataset's metadata: what the Data page lists and what access depends on."""

    id: str
    name: str
    owner: str
    owner_label: str
    visibility: str
    teams: tuple[str, ...]
    rows: int
    rejected: int
    format: str
    date_min: str | None
    date_max: str | None
    added: str
    version: str
    #: What de-duplicates uploads (never shown, never in a link): a hash of the file, how it was read and who sent it.
    content_key: str = ""

    @property
    def grant(self) -> Grant:
        return Grant(owner=self.owner, visibility=self.visibility, teams=self.teams,
                     secret_id=not LEGACY_DATASET_ID.fullmatch(self.id))  # fmt: skip

    @classmethod
    def from_dict(cls, meta: dict) -> DatasetInfo:
        """Read stored metadata; datasets stored before sign-in existed belong to :data:`LOCAL`.

        A dataset stored before ids were random has its id as its content key (it was that hash).
        """
        meta = {"owner": LOCAL.sub, "owner_label": LOCAL.label, "visibility": "signed_in", "teams": (),
                "version": meta.get("added", ""), "content_key": meta.get("id", ""), **meta}  # fmt: skip
        return cls(**{k: (tuple(meta[k]) if k == "teams" else meta[k]) for k in cls.__dataclass_fields__})


def _bundled_info() -> DatasetInfo:
    """The shipped dataset: everyone signed in sees it; nobody changes or deletes it."""
    dates = pd.read_parquet(DATA / "events.parquet", columns=["event_date"])["event_date"]
    return DatasetInfo(BUNDLED_ID, BUNDLED_LABEL, owner="", owner_label="the app", visibility="signed_in", teams=(),
                       rows=len(dates), rejected=0, format="GeoParquet", date_min=str(dates.min().date()),
                       date_max=str(dates.max().date()), added="", version="bundled")  # fmt: skip


BUNDLED = _bundled_info()


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what to which dataset, when (UTC)."""

    at: str
    actor: str
    action: str
    dataset: str
    detail: str = ""


class Store(ArticleStore):
    """The store interface; backends implement the ``_``-prefixed primitives."""

    backend = "abstract"

    # -- what a backend provides -------------------------------------------------------------
    def _get(self, dataset_id: str) -> DatasetInfo | None:
        raise NotImplementedError

    def _infos(self) -> list[DatasetInfo]:
        raise NotImplementedError

    def _read(self, info: DatasetInfo, *, held: bool = False) -> gpd.GeoDataFrame | pd.DataFrame:
        """The stored events; ``held``: only what :func:`geo.detail_text.detach` keeps, reader attached."""
        raise NotImplementedError

    def _write(self, info: DatasetInfo, events: gpd.GeoDataFrame, entry: AuditEntry) -> DatasetInfo:
        """Store a new dataset and its audit entry at once; return what is stored.

        A dataset already stored with the same ``content_key`` wins (its id, grant and version),
        also when two sessions upload the same file at the same moment.
        """
        raise NotImplementedError

    def _update(self, info: DatasetInfo, entry: AuditEntry) -> None:
        """Replace a dataset's metadata (its grant) and log ``entry``, at once."""
        raise NotImplementedError

    def _remove(self, info: DatasetInfo, entry: AuditEntry) -> None:
        raise NotImplementedError

    def _log(self, entry: AuditEntry) -> None:
        raise NotImplementedError

    def _entries(self) -> list[AuditEntry]:
        raise NotImplementedError

    def _set_signed_out(self, sub: str, at: float, entry: AuditEntry) -> None:
        """Record that every sign-in of ``sub`` made up to ``at`` (Unix seconds) is over, and log ``entry``."""
        raise NotImplementedError

    def _signed_out(self, sub: str) -> float | None:
        raise NotImplementedError

    # -- the interface ----------------------------------------------------------------------
    def info(self, dataset_id: str, user: User, *, action: str = "open") -> DatasetInfo:
        """Metadata of a dataset ``user`` may ``action``; :class:`NotAvailable` otherwise or when it does not exist."""
        if dataset_id == BUNDLED_ID:
            if user.anonymous:
                raise NotAvailable(dataset_id)
            return BUNDLED
        # The id is checked against its pattern before any backend sees it: "../../etc/passwd"
        # never reaches a path, "x' OR 1=1" never reaches SQL (which is parameterised anyway).
        if not isinstance(dataset_id, str) or not DATASET_ID.fullmatch(dataset_id):
            self.record_denied(dataset_id, user, action=action)
            raise NotAvailable(dataset_id)
        info = self._get(dataset_id)
        if info is None or not allowed(user, action, info.grant):
            self.record_denied(dataset_id, user, action=action)
            raise NotAvailable(dataset_id)
        return info

    def record_denied(self, dataset_id: object, user: User, *, action: str) -> None:
        """Log a refused attempt to change or take data away (export, share, delete), or a refused link.

        Opening and listing are asked on every rerun, so :meth:`info` logs those only when the app
        says it was a link followed (``action="open_link"``, once per session and id).
        """
        if action in ("export", "change_visibility", "delete", "open_link"):
            shown = "".join(c if c.isprintable() else "?" for c in str(dataset_id)[:40])  # a tampered id may hold NUL
            self._log(self._entry(user, "denied", shown, action))

    def datasets(self, user: User) -> list[DatasetInfo]:
        """The datasets ``user`` may list, the bundled one first, then newest first."""
        listed = [i for i in self._infos() if allowed(user, "list", i.grant)]
        return [BUNDLED, *sorted(listed, key=lambda i: i.added, reverse=True)] if not user.anonymous else []

    def version(self, dataset_id: str) -> str | None:
        """What changes whenever the dataset's events change (``None``: gone). Cheap: asked on every rerun."""
        if dataset_id == BUNDLED_ID:
            return BUNDLED.version
        found = self._get(dataset_id) if isinstance(dataset_id, str) and DATASET_ID.fullmatch(dataset_id) else None
        return found.version if found else None

    def load(self, dataset_id: str, user: User, *, held: bool = False) -> gpd.GeoDataFrame | pd.DataFrame:
        """Events of a dataset ``user`` may open, sorted by date, tagged.

        ``held=True`` gives what a server holds in memory for every session: the events without
        their long text and points (:mod:`geo.detail_text` reads those back for the rows shown),
        indexed by row number in storage.

        Raises
        ------
        NotAvailable
            When the id is malformed, no stored dataset has it, or ``user`` may not see it.
        KeyError
            When its stored events are damaged (said only to someone who may see it).
        """
        info = self.info(dataset_id, user)
        if info is BUNDLED:
            return read_canonical(DATA / "events.parquet", held=held)
        try:
            return self._read(info, held=held)
        except Exception as exc:  # noqa: BLE001 - damaged storage is "cannot open", not a crash
            msg = f"dataset {dataset_id}: its stored events are unreadable ({type(exc).__name__}); upload the file again"
            raise KeyError(msg) from None

    def save(self, content: bytes, *, name: str, user: User = LOCAL, format: str = "auto",
             mapping: dict[str, str] | None = None, progress: Progress | None = None,
             max_file_mb: float | None = None, max_rows: float | None = None,
             date_order: str | None = None, country: str | None = None) -> tuple[str, LoadResult]:  # fmt: skip
        """Read an upload, merge actor aliases, tag areas and store it as a private dataset of ``user``.

        Raises
        ------
        PermissionError
            When ``user`` may not upload (a viewer, or the anonymous visitor).
        ReadError
            When the file is over ``max_file_mb`` / ``max_rows``, a zip or workbook would unpack
            past ``CONFLICT_MAP_MAX_UNPACKED_MB`` (refused before unpacking), or it is unreadable.
        ServerBusyError
            When the process is over ``CONFLICT_MAP_MEMORY_BUDGET_MB`` (a :class:`ReadError` too).
        """
        if not may_upload(user):
            msg = f"upload: expected an analyst or admin, got role {user.role!r}"
            raise PermissionError(msg)
        config = settings()
        max_file_mb = config.max_file_mb if max_file_mb is None else max_file_mb
        check_size(name, len(content), max_file_mb)
        check_memory(config)  # before the read that may take several times the file's size
        # The same bytes read another way (a mapping, a date order) or by someone else are another dataset.
        how = json.dumps(mapping or {}, sort_keys=True).encode() + (date_order or "").encode()
        how += f"|country={country}".encode() if country else b""  # the same bytes placed in another country
        key = content_id(content + how + (b"" if user.sub == LOCAL.sub else user.sub.encode()))
        result = _read_upload(content, name=name, format=format, mapping=mapping, progress=progress,
                              max_file_mb=max_file_mb, max_rows=max_rows, date_order=date_order,
                              country=country)  # fmt: skip
        events = canonical_events(result.events)
        report = result.report.to_dict()
        info = DatasetInfo(new_dataset_id(), name[:200], owner=user.sub, owner_label=user.label[:200],
                           visibility="private" if user.sub != LOCAL.sub else "signed_in", teams=(),
                           rows=len(events), rejected=result.report.rows_rejected, format=result.report.format,
                           date_min=report["date_min"], date_max=report["date_max"],
                           added=_now(), version=uuid.uuid4().hex, content_key=key)  # fmt: skip
        stored = self._write(info, events, self._entry(user, "upload", info.id, f"{len(events)} events from {name[:100]}"))
        return stored.id, result

    def share(self, dataset_id: str, user: User, *, visibility: str, teams: tuple[str, ...] = ()) -> DatasetInfo:
        """Change who sees a dataset (its owner or an admin); logged."""
        info = self.info(dataset_id, user, action="change_visibility")
        if info is BUNDLED:
            raise NotAvailable(dataset_id)
        if visibility == "link" and not info.grant.secret_id:
            msg = (f"visibility: 'link' needs an id nobody can compute; {dataset_id} was made from its file "
                   "(stored before ids were random) — upload the file again for a link id")
            raise ValueError(msg)
        changed, detail = regrant(info, visibility, teams)
        self._update(changed, self._entry(user, "share", dataset_id, detail))
        return changed

    def delete(self, dataset_id: str, user: User) -> None:
        """Delete a dataset (its owner or an admin); logged. Other processes notice on their next rerun."""
        info = self.info(dataset_id, user, action="delete")
        if info is BUNDLED:
            raise NotAvailable(dataset_id)
        self._remove(info, self._entry(user, "delete", dataset_id, info.name))

    def record_export(self, dataset_id: str, user: User, *, what: str) -> None:
        """Log that ``user`` downloaded ``what`` (CSV, map…) of a dataset they may export (refused: :class:`NotAvailable`)."""
        self.info(dataset_id, user, action="export")
        self._log(self._entry(user, "export", dataset_id, what[:100]))

    def record_download(self, user: User, *, what: str) -> None:
        """Log that ``user`` downloaded ``what``, a file of their own that is not a dataset's (rejected rows, the audit log)."""
        self._log(self._entry(user, "export", "", what[:100]))

    def sign_out(self, user: User, *, at: float | None = None) -> float:
        """End every sign-in of ``user`` made until now, on every replica (a copied cookie included); logged."""
        at = time.time() if at is None else at
        self._set_signed_out(user.sub, at, self._entry(user, "sign_out", "", "every sign-in until now"))
        return at

    def signed_out(self, sub: str) -> float | None:
        """When ``sub`` last signed out (Unix seconds): a sign-in made before it is over. Asked on every run."""
        return self._signed_out(sub) if sub else None

    def audit_log(self, user: User) -> pd.DataFrame:
        """The audit log, newest first (admins only)."""
        if user.role != "admin" or user.anonymous:
            msg = f"audit log: expected an admin, got role {user.role!r}"
            raise PermissionError(msg)
        rows = [asdict(e) for e in self._entries()]
        return pd.DataFrame(rows, columns=AUDIT_COLUMNS).sort_values("at", ascending=False, kind="stable").reset_index(drop=True)

    @staticmethod
    def _entry(user: User, action: str, dataset_id: str, detail: str) -> AuditEntry:
        return AuditEntry(at=_now(), actor=user.label[:200], action=action, dataset=dataset_id, detail=detail)


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
        return read_canonical(self.directory / f"{info.id}.parquet", held=held, cached=held)

    def _write(self, info: DatasetInfo, events: gpd.GeoDataFrame, entry: AuditEntry) -> DatasetInfo:
        with self._locked():  # ids are random: only the lock makes two sessions' same upload one dataset
            stored = next((i for i in self._infos() if i.content_key == info.content_key), None)
            if stored:  # the same upload again: the stored dataset stands (its id, grant, date added, version and file)
                self._log(replace(entry, dataset=stored.id))
                return stored
            path = self.directory / f"{info.id}.parquet"
            _atomic_write(lambda tmp: write_canonical(events, tmp), path)
            held_table(path, ParquetText(path).loaded)  # the open cache, for the first open
            self._update(info, entry)
        return info

    def _update(self, info: DatasetInfo, entry: AuditEntry) -> None:
        text = json.dumps(asdict(info), indent=1)
        _atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), self.directory / f"{info.id}.json")
        self._log(entry)

    def _remove(self, info: DatasetInfo, entry: AuditEntry) -> None:
        (self.directory / f"{info.id}.json").unlink(missing_ok=True)  # gone for everyone from here on
        (self.directory / f"{info.id}.parquet").unlink(missing_ok=True)
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
            _atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), self.directory / "sign_outs.json")
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
            _atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), folder / f"{info.id}.md")
            self._write_article_meta(info, entry)  # under the lock already held
        return info

    def _set_article(self, info: ArticleInfo, entry: AuditEntry) -> None:
        with self._locked():  # a share racing a delete must not bring back metadata without its text
            self._write_article_meta(info, entry)

    def _write_article_meta(self, info: ArticleInfo, entry: AuditEntry) -> None:
        if not (self.directory / "articles" / f"{info.id}.md").exists():
            return  # deleted meanwhile
        text = json.dumps(asdict(info), indent=1)
        _atomic_write(lambda tmp: tmp.write_text(text, encoding="utf-8"), self.directory / "articles" / f"{info.id}.json")
        self._log(entry)

    def _drop_article(self, info: ArticleInfo, entry: AuditEntry) -> None:
        with self._locked():
            (self.directory / "articles" / f"{info.id}.json").unlink(missing_ok=True)
            (self.directory / "articles" / f"{info.id}.md").unlink(missing_ok=True)
        self._log(entry)


def datasets_table(infos: list[DatasetInfo]) -> pd.DataFrame:
    """Datasets as the Data page lists them: who owns each and who sees it, never where it is stored."""
    cols = ["id", "name", "owner", "visibility", "teams", "rows", "rejected", "format", "date_min", "date_max", "added"]
    rows = [{**asdict(i), "owner": i.owner_label, "teams": ", ".join(i.teams), "added": i.added[:19]} for i in infos]
    return pd.DataFrame(rows, columns=cols)


def open_store(config: Settings | None = None) -> Store:
    """The store a deployment uses: PostGIS when ``CONFLICT_MAP_DATABASE_URL`` is set, else the directory."""
    config = config or settings()
    if config.database_url:
        from geo.pgstore import PostgisStore

        return PostgisStore(config.database_url)
    return EmbeddedStore(config.datasets_dir)


def write_canonical(events: gpd.GeoDataFrame, path: Path, *, row_group_rows: int = ROW_GROUP_ROWS) -> None:
    """Write events as GeoParquet in row groups small enough to read a few rows' text back cheaply."""
    events.to_parquet(path, index=False, row_group_size=row_group_rows)


def read_canonical(path: Path, *, held: bool = False, cached: bool = False) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a GeoParquet this project wrote (already validated, typed and tagged): no re-parsing.

    ``held=True``: without the detail text, the source's own columns and the points, a
    :class:`~geo.detail_text.ParquetText` attached to read them back, the index the row number in
    the file. ``cached=True`` (a stored dataset) reads those columns through their open cache
    (:mod:`geo.open_cache`), making it when it is missing.
    """
    # Columns are converted as Arrow frees them, in their own blocks (no consolidating copy):
    # 1 M real-shaped events open in 1.8 s instead of 3.0 s.
    convert = {"self_destruct": True, "split_blocks": True}
    if held:
        reader = ParquetText(path)
        table = held_table(path, reader.loaded) if cached else pq.read_table(path, columns=reader.loaded)
        events = detach(table.to_pandas(**convert), reader)
        del table  # its buffers were handed over column by column (self_destruct)
    else:
        events = gpd.read_parquet(path, to_pandas_kwargs=convert)
    if not events["event_date"].is_monotonic_increasing:
        events = events.sort_values("event_date", kind="stable")
        events = events if held else events.reset_index(drop=True)
    # Arrow's allocator keeps the buffers the read freed: at 1 M real-shaped events that is
    # ~480 MB of a 1.4 GB process, held for as long as the server runs unless handed back.
    pa.default_memory_pool().release_unused()
    return events


def content_id(content: bytes) -> str:
    """A content key (SHA-256, hex): what de-duplicates uploads; never an id, which must not be computable."""
    return hashlib.sha256(content).hexdigest()


def new_dataset_id() -> str:
    """A new dataset id: 128 random bits as 32 hex digits (the secret of an "anyone with the link" dataset)."""
    return secrets.token_hex(16)


def canonical_events(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Loaded events as the dashboard stores them: actor aliases merged, areas and border distance tagged.

    ``python -m geo ingest --out`` writes the same, so a file tagged once opens anywhere.
    """
    merged, _ = merge_aliases(events)
    return tag_events(merged).sort_values("event_date", kind="stable").reset_index(drop=True)


def _read_upload(content: bytes, *, name: str, **options) -> LoadResult:
    """Read an upload's bytes through a temporary file named like it (readers go by the suffix, refusals name it)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = upload_path(Path(tmp), name)
        path.write_bytes(content)
        return read_events(path, dataset=Path(name).stem, **options)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _atomic_write(write: Callable[[Path], object], path: Path) -> None:
    """Write through a temporary file unique to this call, then rename over ``path`` (atomic on POSIX)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
