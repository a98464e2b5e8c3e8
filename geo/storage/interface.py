"""The store interface: what both backends share, and the records they keep.

:class:`Store` holds everything both backends share — ids, access checks (:mod:`geo.access`),
the bundled dataset (:mod:`geo.storage.bundled`), an upload's way in (:mod:`geo.storage.upload`),
the audit entries, pasted articles (:mod:`geo.article_store`), candidate events with their desk
datasets (:mod:`geo.candidate_store`) and the places worklist with the shared gazetteer layer
(:mod:`geo.place_store`) — and asks its backend for the primitives each part names.
:class:`geo.storage.embedded.EmbeddedStore` (the default) keeps ``<id>.parquet`` + ``<id>.json``
and an ``audit.jsonl`` in a directory; :class:`geo.storage.postgis.PostgisStore` keeps them in
PostgreSQL/PostGIS (``CONFLICT_MAP_DATABASE_URL``), so several app processes share them.
:func:`geo.storage.backends.open_store` picks one.
"""

from __future__ import annotations

import functools
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.access import LOCAL, Grant, NotAvailable, User, allowed, regrant
from geo.article_store import ArticleStore
from geo.candidate_store import CandidateStore
from geo.io import Progress
from geo.io.readers import AUTO
from geo.params import BUNDLED_ID, DATASET_ID, LEGACY_DATASET_ID
from geo.place_store import PlaceStore
from geo.report import LoadResult
from geo.review import DESK_FORMAT, DESK_KEY, desk_key
from geo.storage.bundled import BUNDLED_LABEL, bundled_span, load_bundled
from geo.storage.files import use_system_allocator
from geo.storage.upload import canonical_events, check_upload, new_dataset_id, read_upload, upload_key

#: The audit log's columns (the Data page's admin view and its export); actions: upload, share, delete,
#: export, sign_out, article, propose, accept, reject, worklist, shared_place, replace_places,
#: learn_places, and denied (an attempt refused: its detail names the action).
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


@functools.cache
def bundled_info() -> DatasetInfo:
    """The shipped dataset: everyone signed in sees it; nobody changes or deletes it (one object per process)."""
    rows, date_min, date_max = bundled_span()
    return DatasetInfo(BUNDLED_ID, BUNDLED_LABEL, owner="", owner_label="the app", visibility="signed_in", teams=(),
                       rows=rows, rejected=0, format="GeoParquet", date_min=date_min, date_max=date_max, added="",
                       version="bundled")  # fmt: skip


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what to which dataset, when (UTC)."""

    at: str
    actor: str
    action: str
    dataset: str
    detail: str = ""


class Store(ArticleStore, CandidateStore, PlaceStore, ABC):
    """The store interface; backends implement the ``_``-prefixed primitives."""

    backend = "abstract"

    # -- what a backend provides -------------------------------------------------------------
    @abstractmethod
    def _get(self, dataset_id: str) -> DatasetInfo | None:
        """A stored dataset's metadata, ``None`` when there is none (or it is unreadable)."""

    @abstractmethod
    def _infos(self) -> list[DatasetInfo]:
        """Every stored dataset's metadata."""

    @abstractmethod
    def _read(self, info: DatasetInfo, *, held: bool = False) -> gpd.GeoDataFrame | pd.DataFrame:
        """The stored events; ``held``: only what :func:`geo.detail_text.detach` keeps, reader attached."""

    @abstractmethod
    def _write(self, info: DatasetInfo, events: gpd.GeoDataFrame, entry: AuditEntry) -> DatasetInfo:
        """Store a new dataset and its audit entry at once; return what is stored.

        A dataset already stored with the same ``content_key`` wins (its id, grant and version),
        also when two sessions upload the same file at the same moment.
        """

    @abstractmethod
    def _update(self, info: DatasetInfo, entry: AuditEntry) -> None:
        """Replace a dataset's metadata (its grant) and log ``entry``, at once."""

    @abstractmethod
    def _remove(self, info: DatasetInfo, entry: AuditEntry) -> None:
        """Delete a dataset and its events and log ``entry``."""

    @abstractmethod
    def _log(self, entry: AuditEntry) -> None:
        """Append ``entry`` to the audit log."""

    @abstractmethod
    def _entries(self) -> list[AuditEntry]:
        """The audit log, oldest first."""

    @abstractmethod
    def _set_signed_out(self, sub: str, at: float, entry: AuditEntry) -> None:
        """Record that every sign-in of ``sub`` made up to ``at`` (Unix seconds) is over, and log ``entry``."""

    @abstractmethod
    def _signed_out(self, sub: str) -> float | None:
        """When ``sub`` last signed out (Unix seconds), ``None`` if never."""

    # -- the interface ----------------------------------------------------------------------
    def info(self, dataset_id: str, user: User, *, action: str = "open") -> DatasetInfo:
        """Metadata of a dataset ``user`` may ``action``; :class:`NotAvailable` otherwise or when it does not exist."""
        if dataset_id == BUNDLED_ID:
            if user.anonymous:
                raise NotAvailable(dataset_id)
            return bundled_info()
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
        return [bundled_info(), *sorted(listed, key=lambda i: i.added, reverse=True)] if not user.anonymous else []

    def version(self, dataset_id: str) -> str | None:
        """What changes whenever the dataset's events change (``None``: gone). Cheap: asked on every rerun."""
        if dataset_id == BUNDLED_ID:
            return bundled_info().version
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
        use_system_allocator()
        info = self.info(dataset_id, user)
        if info is bundled_info():
            return load_bundled(held=held)
        try:
            return self._read(info, held=held)
        except Exception as exc:  # noqa: BLE001 - damaged storage is "cannot open", not a crash
            msg = f"dataset {dataset_id}: its stored events are unreadable ({type(exc).__name__}); upload the file again"
            raise KeyError(msg) from None

    def save(self, content: bytes, *, name: str, user: User = LOCAL, format: str = AUTO,
             mapping: dict[str, str] | None = None, progress: Progress | None = None,
             max_file_mb: float | None = None, max_rows: float | None = None,
             date_order: str | None = None, country: str | None = None) -> tuple[str, LoadResult]:  # fmt: skip
        """Read an upload, merge actor aliases, tag areas and store it as a private dataset of ``user``.

        Place names are looked up in the store's gazetteer (with its shared layer); the rows whose
        name no source resolves are kept for the places worklist (:meth:`record_unresolved`).

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
        use_system_allocator()
        max_file_mb = check_upload(user, name=name, size=len(content), max_file_mb=max_file_mb)
        key = upload_key(content, user=user, mapping=mapping, date_order=date_order, country=country)
        result = read_upload(content, name=name, format=format, mapping=mapping, progress=progress,
                             max_file_mb=max_file_mb, max_rows=max_rows, date_order=date_order,
                             country=country, gazetteer=self.gazetteer)  # fmt: skip
        events = canonical_events(result.events)
        info = _uploaded_info(name, user, result, rows=len(events), content_key=key)
        stored = self._write(info, events, self._entry(user, "upload", info.id, f"{len(events)} events from {name[:100]}"))
        # After the dataset is stored (a crash between the two leaves it off the worklist until the
        # same file is uploaded again, which records it then: once per dataset).
        self.record_unresolved(stored.id, result.report, user, dataset=Path(name).stem, country=country)
        return stored.id, result

    def share(self, dataset_id: str, user: User, *, visibility: str, teams: tuple[str, ...] = ()) -> DatasetInfo:
        """Change who sees a dataset (its owner or an admin); logged."""
        info = self.info(dataset_id, user, action="change_visibility")
        if info is bundled_info():
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
        if info is bundled_info():
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

    def _desk_for(self, name: str, user: User) -> DatasetInfo:
        """The desk dataset ``name`` means to ``user``: their own, else the one of that name listed to them
        (a desk shared with their team), else a new one of theirs, stored when its first event is accepted."""
        desks = [i for i in self._infos() if i.content_key.startswith(DESK_KEY) and i.name == name]
        own = next((i for i in desks if i.content_key == desk_key(user.sub, name)), None)
        shared = [i for i in desks if i is not own and allowed(user, "list", i.grant)]
        if own or len(shared) == 1:
            return own or shared[0]
        if shared:
            owners = ", ".join(sorted(i.owner_label for i in shared))[:200]
            msg = f"dataset: expected one desk dataset named {name[:60]!r}, got {len(shared)} shared with you (owners {owners}); name another"
            raise ValueError(msg)
        return DatasetInfo(new_dataset_id(), name, owner=user.sub, owner_label=user.label[:200],
                           visibility="private" if user.sub != LOCAL.sub else "signed_in", teams=(), rows=0, rejected=0,
                           format=DESK_FORMAT, date_min=None, date_max=None, added=_now(), version=uuid.uuid4().hex,
                           content_key=desk_key(user.sub, name))  # fmt: skip

    @staticmethod
    def _entry(user: User, action: str, dataset_id: str, detail: str) -> AuditEntry:
        return AuditEntry(at=_now(), actor=user.label[:200], action=action, dataset=dataset_id, detail=detail)


def datasets_table(infos: list[DatasetInfo]) -> pd.DataFrame:
    """Datasets as the Data page lists them: who owns each and who sees it, never where it is stored."""
    cols = ["id", "name", "owner", "visibility", "teams", "rows", "rejected", "format", "date_min", "date_max", "added"]
    rows = [{**asdict(i), "owner": i.owner_label, "teams": ", ".join(i.teams), "added": i.added[:19]} for i in infos]
    return pd.DataFrame(rows, columns=cols)


def _uploaded_info(name: str, user: User, result: LoadResult, *, rows: int, content_key: str) -> DatasetInfo:
    """A new upload's metadata: a random id, private to ``user`` (signed-in for all with sign-in off)."""
    report = result.report.to_dict()
    return DatasetInfo(new_dataset_id(), name[:200], owner=user.sub, owner_label=user.label[:200],
                       visibility="private" if user.sub != LOCAL.sub else "signed_in", teams=(),
                       rows=rows, rejected=result.report.rows_rejected, format=result.report.format,
                       date_min=report["date_min"], date_max=report["date_max"],
                       added=_now(), version=uuid.uuid4().hex, content_key=content_key)  # fmt: skip


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
