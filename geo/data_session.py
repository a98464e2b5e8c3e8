"""The Data page's widgets as data and its actions: an upload read and stored, the Share form's
confirmation, a deletion and what the session forgets with it. No Streamlit here: each action
takes the session state (a mapping) and the store, and returns what the page says."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass

from geo.access import VISIBILITIES, ShareChange, User, allowed, confirm_prompt, saved_notice, share_change
from geo.countries import country_choices
from geo.dates import DATE_ORDERS
from geo.errors import ReadError
from geo.export import safe_csv
from geo.io.generic import AUTO_COLUMNS
from geo.io.readers import AUTO, format_label, formats, readers, upload_types
from geo.io.sniff import peek_columns
from geo.params import BUNDLED_ID
from geo.settings import Settings
from geo.ui_state import dataset_key, is_dataset_key, open_dataset, prefixed_key
from geo.web.exports import Download
from geo.widgets import Widget

DATASETS_HINT = ("A link with ?dataset=<id> opens the same data for everyone it is shared with; anyone else is told it is "
                 "not available to them. New uploads are private to their owner until shared.")  # fmt: skip
MAPPING_HINT = ("Column mapping: leave empty to auto-detect (lat/latitude/y, lon/lng/longitude/x, date/event_date); "
                "a choice overrides what an ACLED or UCDP format would use. A file without a header has columns 1…N.")  # fmt: skip


def upload_widget() -> Widget:
    """The upload widget (analysts and admins only): the types and formats the readers' table has (:mod:`geo.io.readers`)."""
    return Widget("file_uploader", "Event file: the format is decided from its content", "up_file", {
        "type": list(upload_types()), "help": "Read: " + "; ".join(r.label for r in readers()) + "."})


def upload_widgets() -> tuple[Widget, ...]:
    """The upload's reading options, drawn above "Load and store" (their values are :func:`store_upload`'s ``choices``);
    the format select offers the readers' table's ``--format`` choices."""
    return (Widget("selectbox", "Format", "up_format", {"options": formats(), "format_func": format_label}), *_UPLOAD_OPTIONS)


_UPLOAD_OPTIONS: tuple[Widget, ...] = (
    Widget("selectbox", "Date order", "up_date_order", {
        "options": ["auto", *DATE_ORDERS], "format_func": lambda o: "decide from the column" if o == "auto" else DATE_ORDERS[o],
        "help": "How numeric dates such as 05/04/2015 are read. 'decide from the column' uses values such as 25/04/2015 "
                "that prove the order, then a year column, then the format's convention — the load report says which."}),
    Widget("selectbox", "Country of the place names", "up_country", {
        "options": ["", *country_choices()], "format_func": lambda c: country_choices().get(c, "as the file's columns say"),
        "help": "Bounds where place names without coordinates may land: a name is looked up only among this country's "
                "places (a row's own country column wins). Unmatched names stay unplaced, with the reason."}),
)  # fmt: skip


#: The Data page's "Sources and licences", and what it adds for the bundled dataset.
SOURCES = ("- Places: © GeoNames (geonames.org), CC BY 4.0\n- Boundaries: Natural Earth (public domain); border line: GSHHG/WDB II\n"
           "- Names learned from UCDP GED (CC BY 4.0; Sundberg & Melander 2013, Högbladh 2019)\n- Map library: Leaflet (BSD-2)")
BUNDLED_SOURCES = ("The bundled events come from the sourced reference timeline (every row cites outlets, titles and URLs) "
                   "and from the articles in `seeds/` (every event points to its sentence).")
#: The quality metrics the Data page shows: label → key of :func:`geo.summary.quality`.
QUALITY_METRICS = {"Duplicate ids": "duplicate_ids", "Without coordinates": "without_coordinates",
                   "admin1 disagrees with polygon": "admin1_mismatch"}  # fmt: skip


def limits_caption(settings: Settings) -> str:
    """The upload limits in words, with the settings that set them."""
    return (f"Limits: {settings.max_file_mb:,g} MB per file (setting CONFLICT_MAP_MAX_FILE_MB; the upload widget's own "
            f"limit is Streamlit's server.maxUploadSize), {settings.max_rows:,} rows (CONFLICT_MAP_MAX_ROWS). Rejected "
            "rows are kept with their line and reason, and can be downloaded.")  # fmt: skip


@dataclass(frozen=True)
class Peek:
    """An upload's columns for the mapping form (``""`` first: auto-detect), or why they could not be read."""

    columns: tuple[str, ...]
    error: str | None = None


def peek_session(state: MutableMapping[str, object], file_id: str, content: Callable[[], bytes], name: str) -> Peek:
    """The columns of the uploaded file ``file_id``, read once per file (not on every rerun)."""
    kept = state.get("_peeked")
    if kept is None or kept[0] != file_id:
        try:
            kept = (file_id, Peek(("", *peek_columns(content(), name=name))))
        except ReadError as exc:  # said now (a zip bomb, a busy server), and again by "Load and store"
            kept = (file_id, Peek(("",), str(exc)))
        state["_peeked"] = kept
    return kept[1]


def store_upload(state: MutableMapping[str, object], store, user: User, settings: Settings, *, content: bytes, name: str,
                 mapping: Mapping[str, str], progress: Callable[[float, str], None]) -> str | None:  # fmt: skip
    """Read and store an upload with the form's options (:func:`upload_widgets`, read from ``state``) and column
    ``mapping`` (empty choices: auto-detect); its load report is kept under ``last_report``. Returns why nothing
    was stored, or None.

    ``progress(fraction, text)`` follows the read. A hostile file never takes the page down: an
    unexpected failure is reported as a reader bug and nothing is stored.
    """
    size, order, country = max(len(content), 1), state.get("up_date_order", "auto"), state.get("up_country", "")
    try:
        dataset_id, result = store.save(
            content, name=name, user=user, format=state.get("up_format", AUTO), mapping={k: v for k, v in mapping.items() if v} or None,
            max_file_mb=settings.max_file_mb, max_rows=settings.max_rows, country=country or None,
            date_order=None if order == "auto" else order,
            progress=lambda rows, msg: progress(min(0.95, rows * 120 / size), f"{msg}: {rows:,}"),
        )  # fmt: skip
    except ReadError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a hostile file must never take the page down
        return f"{name}: could not be loaded ({type(exc).__name__}). This is a bug in the reader; the file was not stored."
    state["last_report"] = (dataset_id, result.report)
    progress(1.0, "done")
    return None


def stored_summary(dataset_id: str, report) -> str:
    """What the page says once an upload is stored."""
    return (f"Stored as dataset {dataset_id} — {report.rows_loaded:,} of {report.rows_read:,} rows loaded "
            f"({report.format}: {report.detected}).")  # fmt: skip


def mapping_widgets(peek: Peek) -> tuple[Widget, ...]:
    """One select per canonical column the mapping form offers (:data:`geo.io.generic.AUTO_COLUMNS`), from the upload's columns."""
    return tuple(Widget("selectbox", c, prefixed_key("map_", c), {"options": peek.columns}) for c in AUTO_COLUMNS)


def rejected_download(report) -> Download:
    """The rejected rows of the last upload, as CSV (the uploader's own: no dataset to ask about)."""
    return Download("Download rejected rows (CSV)", "dl_rejected", "rejected.csv", "text/csv", lambda: safe_csv(report.rejected), "rejected rows")


def audit_download(log) -> Download:
    """The audit log as CSV (an admin's)."""
    return Download("Download the audit log (CSV)", "dl_audit", "audit.csv", "text/csv", lambda: safe_csv(log), "audit log")


def sources(dataset_id: str) -> str:
    """The Data page's "Sources and licences" for the dataset open."""
    return (BUNDLED_SOURCES + "\n\n" if dataset_id == BUNDLED_ID else "") + SOURCES


def settings_caption(settings: Settings) -> str:
    """The settings that shape what every page shows, as JSON."""
    return json.dumps({"settings": {"tiles": settings.tiles, "border_km": settings.border_km}})


def shareable(infos: Iterable, user: User) -> dict[str, object]:
    """The stored datasets ``user`` may share or delete, by id (never the bundled one)."""
    return {i.id: i for i in infos if i.id != BUNDLED_ID and allowed(user, "change_visibility", i.grant)}


def share_widgets(info, user: User) -> tuple[Widget, Widget]:
    """The Share form's "Who sees it" and "Teams", keyed by the dataset: they can only ever hold its settings
    (a shared key, popped on a switch, kept showing and sending the dataset picked before)."""
    return (
        Widget("radio", "Who sees it", dataset_key("sh_visibility", info.id), {
            "options": list(VISIBILITIES), "index": list(VISIBILITIES).index(info.visibility),
            "format_func": lambda v: f"{v.replace('_', ' ')} — {VISIBILITIES[v]}"}),
        Widget("multiselect", "Teams (for 'team')", dataset_key("sh_teams", info.id), {
            "options": sorted(user.groups | set(info.teams)), "default": list(info.teams), "accept_new_options": True}),
    )  # fmt: skip


@dataclass(frozen=True)
class ShareForm:
    """What the Share form says for one dataset: the change a Save makes (or why none), and a Save waiting for confirmation."""

    change: ShareChange | None
    invalid: str | None
    pending: ShareChange | None


def share_form(state: MutableMapping[str, object], info) -> ShareForm:
    """The change the form's widgets (:func:`share_widgets`, read from ``state``) make to ``info``'s sharing.

    A waiting confirmation holds only while the same dataset, stored sharing and widgets say the
    same change: any other is dropped.
    """
    visibility, teams = state.get(dataset_key("sh_visibility", info.id), info.visibility), state.get(dataset_key("sh_teams", info.id), info.teams)
    try:
        change, invalid = share_change(old_visibility=info.visibility, old_teams=info.teams, new_visibility=visibility,
                                       new_teams=teams), None  # fmt: skip
    except ValueError as exc:  # "team" with no team: said on Save, nothing else to compare
        change, invalid = None, str(exc)
    pending = dataset_key("sh_pending", info.id)
    for key in [k for k in state if is_dataset_key(k, "sh_pending") and k != pending]:
        state.pop(key, None)
    if state.get(pending) != change:
        state.pop(pending, None)
    return ShareForm(change, invalid, state.get(pending))


# ---------------------------------------------------------------------- the form's buttons (callbacks)
# Each runs before the script on its click, reads the form from the session state as it is then
# (the dataset picked under ``sh_dataset``, its widgets) and leaves what it says under
# ``data_notice`` for the run it causes: that run already lists the change.


@dataclass(frozen=True)
class Said:
    """What an action says in the run after it (``kind``: ``success``, ``info``, ``error``)."""

    kind: str
    text: str


def _picked(state: Mapping[str, object], infos: Mapping[str, object]):
    return infos[state["sh_dataset"]]


def save_share(state: MutableMapping[str, object], store, user: User, infos: Mapping[str, object]) -> None:
    """"Save sharing": a narrowing change is saved, a widening one waits for confirmation, no change writes nothing."""
    info = _picked(state, infos)
    form = share_form(state, info)
    if form.change is None:
        state["data_notice"] = Said("error", form.invalid or "")
    elif not form.change.changed:
        state["data_notice"] = Said("info", f"{info.name}: {form.change.summary()}.")
    elif form.change.widens:  # more people would see it: saved only after a second, explicit step (:func:`pending_share`)
        state[dataset_key("sh_pending", info.id)] = form.change
    else:
        _share(state, store, user, info, form.change)


def pending_share(state: Mapping[str, object], info) -> tuple[ShareChange, str] | None:
    """A widening Save of ``info`` waiting for confirmation, and the question the page asks; None when none waits."""
    pending = state.get(dataset_key("sh_pending", info.id))
    return None if pending is None else (pending, confirm_prompt(info.name, pending))


def confirm_buttons(state: MutableMapping[str, object], store, user: User, infos: Mapping[str, object],
                    pending: ShareChange) -> tuple[Widget, Widget]:  # fmt: skip
    """"Confirm" (the second step of a widening Save) and "Cancel"."""
    return (
        Widget("button", f"Confirm: widen to {pending.after}", "sh_confirm",
               {"type": "primary", "on_click": confirm_share, "args": (state, store, user, infos)}),
        Widget("button", "Cancel", "sh_cancel", {"on_click": cancel_share, "args": (state, infos)}),
    )  # fmt: skip


def confirm_share(state: MutableMapping[str, object], store, user: User, infos: Mapping[str, object]) -> None:
    """Save the change waiting for confirmation."""
    info = _picked(state, infos)
    pending = state.pop(dataset_key("sh_pending", info.id), None)
    if pending is not None:
        _share(state, store, user, info, pending)


def cancel_share(state: MutableMapping[str, object], infos: Mapping[str, object]) -> None:
    """Drop the Save waiting for confirmation."""
    state.pop(dataset_key("sh_pending", _picked(state, infos).id), None)


def _share(state: MutableMapping[str, object], store, user: User, info, change: ShareChange) -> None:
    store.share(info.id, user, visibility=change.new_visibility, teams=change.new_teams)
    state["data_notice"] = Said("success", saved_notice(info.name, change))


def delete_dataset(state: MutableMapping[str, object], store, user: User, infos: Mapping[str, object]) -> None:
    """Delete the picked dataset for everyone, and forget the form's widgets for it."""
    info = _picked(state, infos)
    store.delete(info.id, user)
    for key in ("sh_dataset", *(dataset_key(k, info.id) for k in ("sh_visibility", "sh_teams", "sh_pending", "del_confirm"))):
        state.pop(key, None)
    state["data_notice"] = Said("success", f"Deleted {info.name} ({info.id}).")


def open_stored(state: MutableMapping[str, object], url, dataset_id: str) -> None:
    """"Open dataset" after an upload (a callback): the session opens it, the link names it."""
    open_dataset(state, dataset_id)
    url.from_dict({"dataset": dataset_id})
