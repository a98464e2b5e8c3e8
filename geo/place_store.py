"""The places worklist and the shared gazetteer layer in the store (both backends).

:class:`PlaceStore` is the part of :class:`geo.storage.interface.Store` that keeps what
:mod:`geo.places` describes: the sightings of names no source places (an upload's rejected rows,
kept with the file's reading so that they can be placed later; an article's anchored villages),
the shared places analysts add, and new versions of a dataset whose rows a shared place now
places. Every change is an audit entry, written by the backend in the same transaction; a viewer's
attempt is refused and logged (``denied``). Each backend provides six primitives.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd

from geo.access import SERVER, NotAvailable, User, allowed, may_upload
from geo.gazetteer import Gazetteer
from geo.io import place_again
from geo.params import DATASET_ID
from geo.place_learning import LearnReport, learned_citation, learned_names, sort_learned
from geo.places import (
    HeldRows,
    SharedPlace,
    Sighting,
    WorklistEntry,
    article_sightings,
    checked_place,
    dataset_sightings,
    entries_frame,
    gazetteer_for,
    worklist_entries,
    worklist_reason,
)
from geo.report import REJECT_COLUMNS, LoadReport
from geo.review import MAX_REASON_CHARS, desk_metadata, free_text
from geo.storage.upload import canonical_events

#: :attr:`ReplaceReport.placed`'s columns: the row's line in its file, its place name, where it is now and by which entry.
PLACED_COLUMNS = ["line", "location", "latitude", "longitude", "geocoded_by"]


@dataclass(frozen=True)
class ReplaceReport:
    """What :meth:`PlaceStore.replace_places` did to a dataset.

    ``placed``: the rows moved from rejected to placed (:data:`PLACED_COLUMNS`); ``rejected_now``:
    rows whose place is found now but which break another rule (``line``, ``location``, ``reason``);
    ``still_unplaced``: rows whose name is still unresolved; ``version``: the dataset's version
    after (unchanged when nothing was placed).
    """

    dataset_id: str
    version: str
    placed: pd.DataFrame
    rejected_now: pd.DataFrame
    still_unplaced: int


class PlaceStore:
    """Places in the store; mixed into :class:`geo.storage.interface.Store` (``_entry``, ``_log``, ``info``, ``_infos``, ``_read``)."""

    # -- what a backend provides -------------------------------------------------------------
    def _put_sightings(self, source_id: str, sightings: list[Sighting], held: HeldRows | None, entry) -> bool:
        """Store a source's sightings (and a dataset's held rows) unless they were stored before, logging ``entry``, at once.

        A source recorded once stays recorded (with no sightings left after a re-place, too): the
        same file uploaded again must not hold rows placed meanwhile a second time.
        """
        raise NotImplementedError

    def _sightings(self) -> list[Sighting]:
        """Every stored sighting."""
        raise NotImplementedError

    def _held(self, dataset_id: str) -> HeldRows | None:
        """A dataset's held rows, ``None`` when it has none."""
        raise NotImplementedError

    def _put_shared(self, new: list[tuple[SharedPlace, object]]) -> list[SharedPlace]:
        """Store each shared place whose ``key`` is not stored yet and log its entry, at once; return those stored now."""
        raise NotImplementedError

    def _drop_shared(self, place_id: str, entry) -> bool:
        """Take the place ``place_id`` out of the shared layer and log ``entry``, at once; False when it is not there."""
        raise NotImplementedError

    def _shared_list(self) -> list[SharedPlace]:
        """The shared layer, oldest first."""
        raise NotImplementedError

    def _replace_events(self, info, events: gpd.GeoDataFrame, held: HeldRows, sightings: list[Sighting], entry, *, base: str) -> None:
        """Write a new version of a dataset — ``info`` (its new metadata) and ``events`` — with its held rows and
        sightings replaced by ``held`` and ``sightings``, and log ``entry``, at once.

        Raises :class:`geo.places.ChangedMeanwhile` when the stored version is no longer ``base``
        (the one ``events`` were read at), and :class:`NotAvailable` when the dataset is gone.
        """
        raise NotImplementedError

    # -- the interface ----------------------------------------------------------------------
    def gazetteer(self) -> Gazetteer:
        """The shipped gazetteer with this store's shared layer (built again only when the layer changed)."""
        return gazetteer_for(self._shared_list())

    def record_unresolved(self, dataset_id: str, report: LoadReport, user: User, *, dataset: str,
                          country: str | None = None) -> list[Sighting]:  # fmt: skip
        """Keep a stored upload's rows whose place name no source resolves, and add their names to the worklist; logged.

        Once per dataset: asked again (the same file uploaded again), it stores nothing. ``dataset``
        and ``country`` are how the file was read (its ``dataset`` column, the file's country), so
        that :meth:`replace_places` reads the rows as the upload did.
        """
        rows = report.unplaced
        if rows.empty or REJECT_COLUMNS[0] not in rows:
            return []
        info = self.info(dataset_id, user)
        rows = rows[rows[REJECT_COLUMNS[0]].map(lambda r: worklist_reason(str(r)) is not None).astype(bool)].reset_index(drop=True)
        found = dataset_sightings(info.id, rows, at=_now())
        if not found:
            return []
        held = HeldRows(info.id, report.format, dataset, report.date_order, country, rows)
        detail = f"{len(rows)} rows held: {len(found)} place names no source resolves"
        return found if self._put_sightings(info.id, found, held, self._entry(user, "worklist", info.id, detail)) else []

    def record_article_places(self, article_id: str, events: pd.DataFrame, user: User) -> list[Sighting]:
        """Add an article's villages the gazetteer lacks (placed at an anchor the text names) to the worklist, once; logged."""
        self.article_info(article_id, user)
        found = article_sightings(article_id, events, at=_now())
        if not found:
            return []
        detail = f"article: {len(found)} place names no source resolves"
        return found if self._put_sightings(article_id, found, None, self._entry(user, "worklist", article_id, detail)) else []

    def worklist(self, user: User, *, open_only: bool = False) -> list[WorklistEntry]:
        """The names to place that ``user`` may see (from the datasets and articles listed to them), most used first.

        ``open_only``: leave out the names a shared place answers already.
        """
        if user.anonymous:
            return []
        grants = {"dataset": {i.id: i.grant for i in self._infos()}, "article": {a.id: a.grant for a in self._article_infos()}}
        seen = [s for s in self._sightings() if s.source_id in grants[s.source] and allowed(user, "list", grants[s.source][s.source_id])]
        return [e for e in worklist_entries(seen, self._shared_list()) if not (open_only and e.placed_by)]

    def shared_places(self, user: User) -> list[SharedPlace]:
        """The shared layer, oldest first (signed-in users); a learned place names its dataset only to who may list it."""
        if user.anonymous:
            return []
        grants = {i.id: i.grant for i in self._infos()}
        return [p if not p.dataset_id or (p.dataset_id in grants and allowed(user, "list", grants[p.dataset_id])) else replace(p, dataset_id="")
                for p in self._shared_list()]  # fmt: skip

    def add_place(self, name: str, user: User, *, lat: float, lon: float, country: str, admin1: str = "",
                  citation: str) -> SharedPlace:  # fmt: skip
        """Add a place to the shared layer: a name, its point and the source that says so; logged.

        Raises
        ------
        PermissionError
            When ``user`` is not an analyst or an admin (refused and logged).
        ValueError
            When an argument is invalid (named, with what was expected): a point outside ``country``
            or ``admin1``, a country the gazetteer does not cover, an empty or over-long citation,
            or a name already in the layer for that country and admin1.
        """
        self._may_place(user, action="add_place", shown="")
        name, y, x, cc, gov, citation = checked_place(name, lat=lat, lon=lon, country=country, admin1=admin1, citation=citation)
        place = SharedPlace(secrets.token_hex(16), name, y, x, cc, gov, citation, user.label[:200], _now())
        stored = self._put_shared([(place, self._entry(user, "shared_place", place.id, _added(place)))])
        if not stored:
            same = next((p for p in self._shared_list() if p.key == place.key), None)
            by = f" (added by {same.author} on {same.added[:10]})" if same else ""
            msg = f"name: expected a name not in the shared layer yet, got {name[:60]!r} in {cc} {gov}".rstrip() + by
            raise ValueError(msg)
        return stored[0]

    def remove_place(self, place_id: str, user: User, *, reason: str) -> SharedPlace:
        """Take a place out of the shared layer, saying why (its author or an admin); logged. Return it as it was.

        To correct a point or a citation, remove the place and add it again. Events it placed keep
        their point (their ``geocoded_by`` names the entry and its citation); later uploads, article
        extraction and re-placing no longer find it, and its name is open on the worklist again.

        Raises
        ------
        PermissionError
            When ``user`` is not an analyst or an admin, or is an analyst who did not add it (refused and logged).
        NotAvailable
            When there is no such place (removed a moment ago, perhaps, on another replica).
        ValueError
            When ``reason`` is blank or over 1,000 characters.
        """
        shown = str(place_id)[:40] if DATASET_ID.fullmatch(str(place_id)) else "?"
        self._may_place(user, action="remove_place", shown=shown)
        reason = free_text("reason", reason, limit=MAX_REASON_CHARS)
        place = next((p for p in self._shared_list() if p.id == place_id), None) if shown != "?" else None
        if place is None:
            raise NotAvailable(place_id)
        if user.role != "admin" and place.author != user.label[:200]:
            self._log(self._entry(user, "denied", place.id, "remove_place"))
            msg = f"remove_place: expected the place's author ({place.author[:80]}) or an admin, got {user.label[:80]}"
            raise PermissionError(msg)
        detail = f"{place.name[:60]} ({place.country} {place.admin1[:40]}): {reason[:100]}"
        if not self._drop_shared(place.id, self._entry(user, "remove_place", place.id, detail)):
            raise NotAvailable(place_id)
        return place

    def replace_places(self, dataset_id: str, user: User) -> ReplaceReport:
        """Place a dataset's rows rejected for an unresolved name again, with the shared layer, as a new version; logged.

        Rows placed already are kept as they are; the rows placed now are added to them (their
        ``geocoded_by`` names the entry that placed each). Only the dataset's owner or an admin may.

        Raises
        ------
        PermissionError
            When ``user`` is not an analyst or an admin, or not the dataset's owner or an admin.
        NotAvailable
            When ``user`` may not open the dataset.
        """
        self._may_place(user, action="replace_places", shown=str(dataset_id)[:40])
        info = self.info(dataset_id, user)
        if not allowed(user, "change_visibility", info.grant):  # who may change a dataset: its owner, an admin
            self._log(self._entry(user, "denied", info.id, "replace_places"))
            msg = f"replace_places: expected the dataset's owner or an admin, got {user.label[:60]!r}"
            raise PermissionError(msg)
        held = self._held(info.id)
        if held is None or held.rows.empty:
            return ReplaceReport(info.id, info.version, pd.DataFrame(columns=PLACED_COLUMNS), pd.DataFrame(columns=["line", "location", "reason"]), 0)
        events, rejected = place_again(held.rows, fmt=held.fmt, dataset=held.dataset, date_order=held.date_order,
                                       country=held.country, gazetteer=self.gazetteer)  # fmt: skip
        return self._placed_again(info, user, held, events, rejected)

    def learn_places(self, dataset_id: str, user: User) -> LearnReport:
        """Add a coded dataset's own place names (precise points that agree) to the shared layer, with provenance; logged.

        A name the gazetteer places already at the same place is skipped; one it places elsewhere
        is a conflict, reported and not added (:data:`geo.place_learning.VERDICTS`).
        """
        self._may_place(user, action="learn_places", shown=str(dataset_id)[:40])
        info = self.info(dataset_id, user, action="export")  # its points leave it for everyone's gazetteer
        table = sort_learned(learned_names(self.load(dataset_id, user), dataset=info.name), self.gazetteer(),
                             shared=frozenset(p.key for p in self._shared_list()))  # fmt: skip
        at, new = _now(), []
        for row in table[table["verdict"] == "add"].to_dict("records"):
            place = SharedPlace(secrets.token_hex(16), str(row["name"]), float(row["lat"]), float(row["lon"]), str(row["country"]),
                                str(row["admin1"]), learned_citation(row, dataset_name=info.name), user.label[:200], at,
                                dataset_id=info.id, count=int(row["count"]))  # fmt: skip
            new.append((place, self._entry(user, "shared_place", place.id, f"learned from dataset {info.id}: {_added(place)}")))
        added = self._put_shared(new)
        counts = table["verdict"].value_counts().to_dict()
        self._log(self._entry(user, "learn_places", info.id, ", ".join(f"{k} {v}" for k, v in counts.items())[:200] or "no names"))
        return LearnReport(info.id, tuple(added), table)

    # -- helpers ----------------------------------------------------------------------------
    def _may_place(self, user: User, *, action: str, shown: str) -> None:
        """Refuse (and log) a change to the places from someone who is not an analyst or an admin."""
        if not may_upload(user):
            self._log(self._entry(user, "denied", shown, action))
            msg = f"{action}: expected an analyst or an admin, got role {user.role!r}" + (" (not signed in)" if user.anonymous else "")
            raise PermissionError(msg)

    def _placed_again(self, info, user: User, held: HeldRows, events: gpd.GeoDataFrame, rejected: pd.DataFrame) -> ReplaceReport:
        """Write the rows placed again as a new version of the dataset (nothing written when none was) and say what moved."""
        current = self._read(info)
        done = set(pd.to_numeric(current["source_line"], errors="coerce").dropna().astype("int64"))
        # A line placed already (a crash between writing the events and the held rows) is never placed twice.
        events = events[~events["source_line"].astype("int64").isin(done)]
        still = rejected[rejected["reason"].map(lambda r: worklist_reason(str(r)) is not None).astype(bool)]
        other = rejected.drop(still.index)
        left = replace(held, rows=held.rows[held.rows["line"].astype("int64").isin(still["line"])].reset_index(drop=True))
        moved = pd.DataFrame(events.drop(columns="geometry")).assign(line=events["source_line"].astype("int64"))
        report = ReplaceReport(info.id, info.version, moved.reindex(columns=PLACED_COLUMNS).reset_index(drop=True),
                               other.reindex(columns=["line", "location", "reason"]).reset_index(drop=True), len(still))  # fmt: skip
        if events.empty and len(left.rows) == len(held.rows):  # nothing moved: no new version
            self._log(self._entry(user, "replace_places", info.id, f"no row placed; {len(still)} still unplaced"))
            return report
        merged = appended(current, canonical_events(events)) if len(events) else current
        new = replace(desk_metadata(info, merged), rejected=info.rejected - len(events))
        first = {s.key: s.seen for s in self._sightings() if s.source_id == info.id}
        sightings = [replace(s, seen=first.get(s.key, s.seen)) for s in dataset_sightings(info.id, left.rows, at=_now())]
        detail = f"{len(events)} rows placed, {len(other)} now rejected for another reason, {len(still)} still unplaced"
        self._replace_events(new, merged, left, sightings, self._entry(user, "replace_places", info.id, detail), base=info.version)
        return replace(report, version=new.version)


def appended(current: gpd.GeoDataFrame, placed: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``current`` events with ``placed`` ones added, each column as ``current`` types it, sorted by date (stable)."""
    both = pd.concat([current, placed.reindex(columns=current.columns)], ignore_index=True)
    for col in current.columns:
        if col != current.geometry.name and both[col].dtype != current[col].dtype:
            kind = current[col].dtype
            both[col] = both[col].astype("category" if isinstance(kind, pd.CategoricalDtype) else kind)
    events = gpd.GeoDataFrame(both, geometry=current.geometry.name, crs=current.crs)
    return events.sort_values("event_date", kind="stable").reset_index(drop=True)


def shared_entries(store: PlaceStore) -> pd.DataFrame:
    """A store's shared layer as gazetteer entries (:data:`geo.gazetteer.ENTRY_COLUMNS`, ``origin`` ``shared``)."""
    return entries_frame(store.shared_places(SERVER))


def _added(place: SharedPlace) -> str:
    """An added place's audit detail: the name, where, and the citation's start."""
    return f"{place.name[:60]} at {place.lat:.5f}, {place.lon:.5f} ({place.country} {place.admin1[:40]}); {place.citation[:80]}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
