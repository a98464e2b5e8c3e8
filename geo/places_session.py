"""The Places page's session: the worklist of names no source places, the form that adds a shared
place, re-placing a dataset's held rows, learning a dataset's own places, and the shared layer.

What the page shows and what its buttons do, with no Streamlit here (as :mod:`geo.review_session`):
each action is a button callback taking the session state (``st.session_state`` in the app), the
store and the user, which leaves what it says under ``pl_notice`` (a :class:`geo.data_session.Said`)
for the run it causes. The worklist entry picked is kept by its key under ``pl_chosen``; the form's
fields start from it (:func:`choose`) and a click on the small map sets the point
(:func:`map_clicked`). Every stored text here — names, citations, dataset names — is hostile input:
tables are text, and what goes into Markdown is escaped by the page (``markdown_text``).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import folium
import pandas as pd

from geo.access import NotAvailable, User, allowed, may_upload
from geo.areas import canonical_governorate
from geo.basemap import base_map, label_layer
from geo.countries import country_label, world
from geo.data_session import Said
from geo.errors import GeoError
from geo.escape import markdown_text
from geo.export import safe_csv
from geo.layers import governorates
from geo.params import BUNDLED_ID
from geo.place_learning import VERDICTS, LearnReport
from geo.place_store import PLACED_COLUMNS, ReplaceReport
from geo.places import MAX_CITATION_CHARS, MAX_PLACE_NAME_CHARS, SharedPlace, WorklistEntry, covered, place_key
from geo.review_map import CandidatePlaces
from geo.ui_state import dataset_key
from geo.web.exports import Download
from geo.widgets import Widget

if TYPE_CHECKING:  # types only
    from geo.basemap import TileSource
    from geo.storage.interface import DatasetInfo, Store

INTRO = ("Place names no offline source resolves, from uploads and from articles brought in for review. "
         "Give one a point and the source that says so: it joins the shared gazetteer layer, which every later "
         "upload and extraction uses; then re-place the datasets that named it.")  # fmt: skip
VIEWER_NOTE = ("You see the names to place and the shared layer; analysts and admins add places, re-place datasets "
               "and learn places from a dataset (ask an admin for the role).")  # fmt: skip
#: The small map's view when the entry names no country or governorate the map knows: Syria.
DEFAULT_VIEW = (35.0, 38.5, 6)
#: Characters of stored text a table cell shows (the whole text is in the store and the downloads).
CELL_CHARS = 160
#: The form's fields: key → the argument of :meth:`add_place <geo.place_store.PlaceStore.add_place>` it gives.
FIELDS = {"pl_name": "name", "pl_country": "country", "pl_admin1": "admin1", "pl_lat": "lat", "pl_lon": "lon", "pl_citation": "citation"}


def may_curate(user: User) -> bool:
    """Whether ``user`` may add places, re-place and learn (analysts and admins; with sign-in off, the machine's user)."""
    return may_upload(user)


def _cut(text: object, limit: int = CELL_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------- the worklist


@dataclass(frozen=True)
class Worklist:
    """The names to place ``user`` sees, and what their tables name: datasets and articles by id, the shared layer by id."""

    entries: tuple[WorklistEntry, ...]
    datasets: Mapping[str, DatasetInfo]
    articles: Mapping[str, str]
    shared: Mapping[str, SharedPlace]

    def keys(self) -> list[tuple[str, str, str]]:
        return [entry_key(e) for e in self.entries]


def entry_key(entry: WorklistEntry) -> tuple[str, str, str]:
    """What identifies an entry from one run to the next (its count and examples change): name key, country, admin1."""
    return place_key(entry.name, entry.country, entry.admin1)


def load_worklist(store: Store, user: User) -> Worklist:
    """The worklist ``user`` sees in the store, with the datasets, articles and shared places it names."""
    return Worklist(tuple(store.worklist(user)), {i.id: i for i in store.datasets(user)},
                    {a.id: a.title for a in store.articles(user)}, {p.id: p for p in store.shared_places(user)})  # fmt: skip


def _source(work: Worklist, source_id: str) -> str:
    """A dataset's name or an article's title (its id when it is neither: it was deleted since)."""
    if source_id in work.datasets:
        return work.datasets[source_id].name
    return f"article: {work.articles[source_id]}" if source_id in work.articles else source_id


def placed_by(work: Worklist, entry: WorklistEntry) -> str:
    """The shared place that answers the entry, in words (``""``: none yet)."""
    p = work.shared.get(entry.placed_by)
    return f"{p.name} · {p.citation} · by {p.author}" if p else ""


def worklist_frame(work: Worklist) -> pd.DataFrame:
    """The worklist as a table of text, most used first (long text cut; the store keeps it whole)."""
    rows = [{"name": _cut(e.name), "country": country_label(e.country) if e.country else "—", "admin1": _cut(e.admin1) or "—",
             "count": e.count, "seen in": _cut("; ".join(_source(work, s) for s in (*e.datasets, *e.articles))),
             "reasons": _cut("; ".join(e.reasons)), "examples": _cut("; ".join(f"{_source(work, s)}: {w}" for s, w in e.examples)),
             "placed by": _cut(placed_by(work, e)) or "—"} for e in work.entries]  # fmt: skip
    return pd.DataFrame(rows, columns=["name", "country", "admin1", "count", "seen in", "reasons", "examples", "placed by"])


def entry_label(entry: WorklistEntry) -> str:
    """How the entry reads in the picker: name, where, how often."""
    where = ", ".join(x for x in (country_label(entry.country) if entry.country else "", entry.admin1) if x) or "no country given"
    return f"{_cut(entry.name, 80)} ({_cut(where, 60)}) · {entry.count} use{'s' * (entry.count != 1)}"


def entry_widget(work: Worklist) -> Widget:
    """The picker of the name to place (its value is the entry's :func:`entry_key`)."""
    labels = dict(zip(work.keys(), map(entry_label, work.entries), strict=True))
    return Widget("selectbox", "Name to place", "pl_entry", {"options": list(labels), "format_func": labels.get})


def choose(state: MutableMapping[str, object], work: Worklist) -> WorklistEntry | None:
    """The entry picked (kept under ``pl_chosen`` while the worklist holds it, else the first), before its picker is drawn;
    a newly picked entry fills the form (name, country, admin1) and empties the point and the citation."""
    keys = work.keys()
    if state.get("pl_entry") in keys:
        state["pl_chosen"] = state["pl_entry"]
    key = state.get("pl_chosen") if state.get("pl_chosen") in keys else (keys[0] if keys else None)
    state["pl_chosen"] = key
    if key is not None:
        state["pl_entry"] = key
    entry = work.entries[keys.index(key)] if key is not None else None
    if state.get("pl_form_for", "") != key or "pl_name" not in state:  # another entry, or the form's widgets were dropped
        fill_form(state, entry)
        state["pl_form_for"] = key
    return entry


def fill_form(state: MutableMapping[str, object], entry: WorklistEntry | None) -> None:
    """The form's fields from ``entry`` (empty without one): a country the gazetteer does not cover is left to choose."""
    values = {"name": entry.name, "country": entry.country if entry.country in covered() else "", "admin1": entry.admin1} if entry else {}
    for key, argument in FIELDS.items():
        state[key] = values.get(argument, "")


# ---------------------------------------------------------------------- the form and its small map


def form_widgets() -> tuple[Widget, ...]:
    """Name, country, admin1, latitude, longitude and citation: what :func:`add_place` reads.

    No ``max_chars``: Streamlit cuts a longer value silently, and a citation is refused, never cut (the store says why).
    """
    countries = ["", *covered()]
    return (
        Widget("text_input", "Place name", "pl_name", {"help": f"Up to {MAX_PLACE_NAME_CHARS} characters, kept as typed."}),
        Widget("selectbox", "Country", "pl_country", {"options": countries, "format_func": lambda c: country_label(c) if c else "choose a country"}),
        Widget("text_input", "Governorate (admin1, optional)", "pl_admin1", {"help": "The point must lie in it when the map knows it."}),
        Widget("text_input", "Latitude (decimal degrees; or click the map)", "pl_lat", {"placeholder": "36.45"}),
        Widget("text_input", "Longitude (decimal degrees)", "pl_lon", {"placeholder": "37.90"}),
        Widget("text_input", "Citation: a URL or a reference (map sheet, report, page) that places it", "pl_citation",
               {"help": f"Up to {MAX_CITATION_CHARS:,} characters, kept as typed with your name and the date."}),
    )  # fmt: skip


def add_button(state: MutableMapping[str, object], store: Store, user: User) -> Widget:
    """"Add to the shared layer" (:func:`add_place`)."""
    return Widget("button", "Add to the shared layer", "pl_add", {"type": "primary", "on_click": add_place, "args": (state, store, user)})


def add_place(state: MutableMapping[str, object], store: Store, user: User) -> None:
    """"Add to the shared layer" (a callback): the form's place, checked by the store; a refusal says why and adds nothing."""
    given = {argument: str(state.get(key) or "") for key, argument in FIELDS.items()}
    try:
        place = store.add_place(given.pop("name"), user, **given)
    except (ValueError, PermissionError) as exc:
        state["pl_notice"] = Said("error", str(exc))
        return
    state["pl_notice"] = Said("success", added_summary(place))


def added_summary(place: SharedPlace) -> str:
    """What adding a place did, in words."""
    where = f"{place.admin1}, {country_label(place.country)}" if place.admin1 else country_label(place.country)
    return (f"Added {_cut(place.name, 80)} at {place.lat:.5f}, {place.lon:.5f} ({where}) to the shared layer, citing "
            f"{_cut(place.citation, 120)}. Later uploads use it; re-place the datasets that named it to place their rows.")  # fmt: skip


def typed_point(state: Mapping[str, object]) -> tuple[float, float] | None:
    """The form's point as numbers, or None while either coordinate is not one (the store says why on Add)."""
    try:
        lat, lon = float(str(state.get("pl_lat") or "")), float(str(state.get("pl_lon") or ""))
    except ValueError:
        return None
    return (lat, lon) if abs(lat) <= 90 and abs(lon) <= 180 else None


def map_clicked(state: MutableMapping[str, object]) -> None:
    """A click on the small map sets the form's latitude and longitude (the map's change callback)."""
    report = state.get("pl_map")
    clicked = report.get("last_clicked") if isinstance(report, Mapping) else None
    if isinstance(clicked, Mapping) and clicked.get("lat") is not None and clicked.get("lng") is not None:
        state["pl_lat"], state["pl_lon"] = f"{float(clicked['lat']):.5f}", f"{float(clicked['lng']):.5f}"


def entry_view(entry: WorklistEntry | None) -> tuple[float, float, int]:
    """The small map's view: the entry's governorate (zoom 8), else its country (zoom 6), else :data:`DEFAULT_VIEW`."""
    gov = canonical_governorate(entry.admin1) if entry else None
    if gov is not None:
        point = governorates().loc[governorates()["name"] == gov].geometry.iloc[0].representative_point()
        return round(point.y, 4), round(point.x, 4), 8
    rows = world()[world()["iso_a2"] == entry.country] if entry and entry.country else world().iloc[:0]
    if rows.empty:
        return DEFAULT_VIEW
    point = rows.geometry.iloc[0].representative_point()
    return round(point.y, 4), round(point.x, 4), 6


def place_map(entry: WorklistEntry | None, point: tuple[float, float] | None, *, tiles: str | TileSource | None,
              ) -> tuple[folium.Map, list[folium.FeatureGroup]]:  # fmt: skip
    """The base map at the entry's view and the layers ``st_folium`` adds: the form's point (a green marker) and the labels.

    The view is the entry's only: a new point moves the marker, never the map (a new view would remount it).
    """
    view = entry_view(entry)
    group = folium.FeatureGroup(name="new place", control=False)
    name = entry.name if entry else "the new place"
    CandidatePlaces([[point[0], point[1], f"new place: {name}", "chosen"]] if point else [], candidate="").add_to(group)
    return base_map(tiles=tiles, view=view, small=True), [group, label_layer(view)]


# ---------------------------------------------------------------------- re-placing a dataset


@dataclass(frozen=True)
class Replaced:
    """The last re-place's report, with the name of its dataset (kept under ``pl_replaced``)."""

    name: str
    report: ReplaceReport


def replaceable(work: Worklist, entry: WorklistEntry, user: User) -> list[DatasetInfo]:
    """The entry's datasets ``user`` may change (its owner, an admin): the ones a Re-place button is offered for."""
    return [work.datasets[i] for i in entry.datasets if i in work.datasets and allowed(user, "change_visibility", work.datasets[i].grant)]


def replace_buttons(state: MutableMapping[str, object], store: Store, user: User, infos: Sequence[DatasetInfo]) -> tuple[Widget, ...]:
    """One "Re-place" button per dataset, keyed by it (its label escaped: a dataset's name is the uploader's text)."""
    return tuple(Widget("button", f"Re-place {markdown_text(_cut(i.name, 80))}", dataset_key("pl_replace", i.id),
                        {"on_click": replace_dataset, "args": (state, store, user, i.id, i.name)}) for i in infos)  # fmt: skip


def replace_dataset(state: MutableMapping[str, object], store: Store, user: User, dataset_id: str, name: str) -> None:
    """"Re-place" (a callback): the dataset's held rows placed again with the shared layer; the report is kept."""
    try:
        report = store.replace_places(dataset_id, user)
    except (PermissionError, NotAvailable, GeoError) as exc:  # not the owner, deleted meanwhile, changed meanwhile
        state["pl_notice"] = Said("error", str(exc.args[0]) if isinstance(exc, NotAvailable) else str(exc))
        return
    state["pl_replaced"] = Replaced(name, report)
    state["pl_notice"] = Said("success" if len(report.placed) else "info", replaced_summary(name, report))


def replaced_summary(name: str, report: ReplaceReport) -> str:
    """What a re-place did, in words."""
    n, other = len(report.placed), len(report.rejected_now)
    head = f"{_cut(name, 80)}: {n} row{'s' * (n != 1)} placed" + (" (a new version of the dataset)" if n else "")
    return f"{head}, {report.still_unplaced} still unplaced, {other} now rejected for another reason."


def replace_table(report: ReplaceReport) -> pd.DataFrame:
    """The report as one table: each row placed (where, by which entry) and each now rejected (why)."""
    placed = report.placed.reindex(columns=PLACED_COLUMNS).assign(result="placed", reason="")
    other = report.rejected_now.reindex(columns=["line", "location", "reason"]).assign(result="rejected now")
    both = [t for t in (placed, other) if len(t)]
    table = pd.concat(both, ignore_index=True) if both else placed
    return table.reindex(columns=["line", "result", "location", "latitude", "longitude", "geocoded_by", "reason"])


def replace_download(replaced: Replaced) -> Download:
    """The report as CSV (its dataset asked again: who may export it)."""
    report = replaced.report
    return Download("Download the re-place report (CSV)", "pl_dl_report", f"replaced_{report.dataset_id}.csv", "text/csv",
                    lambda: safe_csv(replace_table(report)), "re-place report", dataset_id=report.dataset_id)  # fmt: skip


# ---------------------------------------------------------------------- learning a dataset's places


@dataclass(frozen=True)
class Learned:
    """The last learning's report, with the name of its dataset (kept under ``pl_learned``)."""

    name: str
    report: LearnReport


def learnable(work: Worklist, user: User) -> dict[str, DatasetInfo]:
    """The stored datasets ``user`` may export (their points leave them for everyone's gazetteer), by id."""
    return {i: d for i, d in work.datasets.items() if i != BUNDLED_ID and allowed(user, "export", d.grant)}


def learn_widgets(state: MutableMapping[str, object], store: Store, user: User, infos: Mapping[str, DatasetInfo]) -> tuple[Widget, Widget]:
    """The dataset to learn from, and "Learn places from this dataset" (the choice kept: :func:`choose_learn`)."""
    choose_learn(state, infos)
    labels = {i: f"{_cut(d.name, 80)} ({d.rows:,} events)" for i, d in infos.items()}
    return (Widget("selectbox", "Coded dataset", "pl_learn_dataset", {"options": list(labels), "format_func": labels.get}),
            Widget("button", "Learn places from this dataset", "pl_learn", {"on_click": learn_dataset, "args": (state, store, user, infos)}))  # fmt: skip


def choose_learn(state: MutableMapping[str, object], infos: Mapping[str, DatasetInfo]) -> str | None:
    """The dataset picked to learn from (the first while none or a gone one is), set again before its picker is drawn.

    Set again because its label counts the events: a re-place adds some, and a keyed picker whose
    value is not set shows the label it was picked with (``(2 events)`` for a dataset of 4 now).
    """
    picked = state.get("pl_learn_dataset")
    picked = picked if picked in infos else next(iter(infos), None)
    if picked is not None:
        state["pl_learn_dataset"] = picked
    return picked


def learn_dataset(state: MutableMapping[str, object], store: Store, user: User, infos: Mapping[str, DatasetInfo]) -> None:
    """"Learn places from this dataset" (a callback): its precise names the gazetteer lacks join the shared layer; the report is kept."""
    dataset_id = state.get("pl_learn_dataset")
    if dataset_id not in infos:
        state["pl_notice"] = Said("error", "dataset: expected a stored dataset you may export; choose one above")
        return
    try:
        report = store.learn_places(str(dataset_id), user)
    except (PermissionError, NotAvailable, ValueError) as exc:
        state["pl_notice"] = Said("error", str(exc.args[0]) if isinstance(exc, NotAvailable) else str(exc))
        return
    state["pl_learned"] = Learned(infos[str(dataset_id)].name, report)
    state["pl_notice"] = Said("success" if report.added else "info", learned_summary(infos[str(dataset_id)].name, report))


def learned_summary(name: str, report: LearnReport) -> str:
    """What learning did, in words: how many names were added, and the count of each other verdict."""
    counts = report.table["verdict"].value_counts()
    others = ", ".join(f"{counts[k]} {k}" for k in VERDICTS if k != "add" and k in counts)  # in the verdicts' order
    n = len(report.added)
    return f"{_cut(name, 80)}: {n} name{'s' * (n != 1)} added to the shared layer" + (f"; {others}." if others else ".")


def learned_frame(report: LearnReport) -> pd.DataFrame:
    """Every name of the dataset with its verdict (add, known, conflict…) and why."""
    table = report.table.assign(name=report.table["name"].map(_cut), detail=report.table["detail"].map(_cut))
    return table.round({"lat": 5, "lon": 5, "spread_km": 1})


# ---------------------------------------------------------------------- the shared layer


def removable(work: Worklist, user: User) -> dict[str, SharedPlace]:
    """The shared places ``user`` may remove, by id: an admin any, an analyst those they added."""
    if not may_curate(user):
        return {}
    return {i: p for i, p in work.shared.items() if user.role == "admin" or p.author == user.label[:200]}


def remove_widgets(state: MutableMapping[str, object], store: Store, user: User, places: Mapping[str, SharedPlace]) -> tuple[Widget, ...]:
    """The place to remove, why, and "Remove from the shared layer" (:func:`remove_place`)."""
    labels = {i: f"{_cut(p.name, 60)} ({p.country} {_cut(p.admin1, 30)}) · {p.lat:.4f}, {p.lon:.4f} · by {_cut(p.author, 40)}"
              for i, p in places.items()}  # fmt: skip
    if state.get("pl_remove_pick") not in labels:  # removed meanwhile: the picker starts again from the first
        state.pop("pl_remove_pick", None)
    return (Widget("selectbox", "Shared place", "pl_remove_pick", {"options": list(labels), "format_func": labels.get}),
            Widget("text_input", "Why (kept in the audit log)", "pl_remove_reason", {}),
            Widget("button", "Remove from the shared layer", "pl_remove", {"on_click": remove_place, "args": (state, store, user)}))  # fmt: skip


def remove_place(state: MutableMapping[str, object], store: Store, user: User) -> None:
    """"Remove from the shared layer" (a callback): the store checks who may and why; a refusal says so and removes nothing."""
    try:
        place = store.remove_place(str(state.get("pl_remove_pick") or ""), user, reason=str(state.get("pl_remove_reason") or ""))
    except (ValueError, PermissionError, NotAvailable) as exc:
        state["pl_notice"] = Said("error", str(exc.args[0]) if isinstance(exc, NotAvailable) else str(exc))
        return
    state["pl_remove_reason"] = ""
    state["pl_notice"] = Said("success", f"Removed {_cut(place.name, 80)} from the shared layer. Events it placed keep their point; "
                                         "later uploads and articles no longer find it, and its name is open on the worklist again.")  # fmt: skip


def shared_frame(work: Worklist) -> pd.DataFrame:
    """The shared layer, oldest first: each place with its point, citation, author and date (and the dataset it was learned from)."""
    rows = [{"name": _cut(p.name), "country": country_label(p.country), "admin1": _cut(p.admin1) or "—", "lat": round(p.lat, 5),
             "lon": round(p.lon, 5), "citation": _cut(p.citation, 300), "author": _cut(p.author, 80), "added": p.added[:10],
             "learned from": _cut(work.datasets[p.dataset_id].name, 80) if p.dataset_id in work.datasets else ""}
            for p in work.shared.values()]  # fmt: skip
    return pd.DataFrame(rows, columns=["name", "country", "admin1", "lat", "lon", "citation", "author", "added", "learned from"])
