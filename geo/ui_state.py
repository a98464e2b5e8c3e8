"""Every key the UI keeps in Streamlit's session state, with what it holds (no Streamlit import here).

The view itself is the :class:`~geo.query.Query` under ``query``; each of its parameters has one
session name (:attr:`geo.params.Param.name`), its widget the key ``w_<name>``
(:func:`geo.params.widget_key`). Everything else is UI-only state, listed here so that no page
invents a key: ``tests/test_ui_state.py`` checks that every key ``app.py`` and ``pages/`` use is
in :data:`STATE_KEYS` or made by :func:`dataset_key` or :func:`prefixed_key`.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Protocol

from geo.params import PARAMS, RANGE, SIDEBAR_NAMES, WHOLE_RANGE, WIDGET_NAMES, Vocabulary, field_values, widget_key
from geo.query import Query, clamp_to_data, query_from_state

#: Widget key → the plain key its value is mirrored under (the parameter's name): Streamlit drops a
#: widget's state on runs that do not draw it (another page), the mirror keeps it. Derived from PARAMS.
MIRRORED: dict[str, str] = {widget_key(name): name for name in WIDGET_NAMES}
#: The sidebar's filters among :data:`MIRRORED` (drawn by the entry script, or on the map page by its map fragment).
SIDEBAR = frozenset(widget_key(name) for name in SIDEBAR_NAMES)


def mirror_widgets(state: MutableMapping[str, object], *, restore_sidebar: bool) -> None:
    """Copy each drawn widget's value to its mirror (:data:`MIRRORED`).

    With ``restore_sidebar`` (the entry script, once per full run) a sidebar widget not drawn
    yet in this run is set back from its mirror, so it keeps its value on another page.
    """
    for widget, name in MIRRORED.items():
        if widget in state:
            state[name] = state[widget]
        if restore_sidebar and name in state and widget in SIDEBAR:
            state[widget] = state[name]


def restore_widgets(state: MutableMapping[str, object], *names: str) -> None:
    """A page's own widgets (``page`` in :data:`geo.params.PARAMS`) start from the view's values, before the page draws them."""
    for name in names:
        state.setdefault(widget_key(name), state[name])


def show_day(state: MutableMapping[str, object], day: str) -> None:
    """Show ``day`` (ISO) as a one-day slice on the map: the Timeline's bar click and "Show this day on the map"."""
    for name, value in (("day", day), ("step", "day")):
        state[name] = state[widget_key(name)] = value


class QueryParams(Protocol):
    """What :func:`sync_view` writes the view to (Streamlit's ``st.query_params``)."""

    def from_dict(self, params: Mapping[str, str | list[str]]) -> None: ...


def sync_view(state: MutableMapping[str, object], vocab: Vocabulary, url: QueryParams) -> Query:
    """The view the widgets say: mirrored, built, kept under ``query`` and written to the URL.

    The one way a run reads the view: the entry script's full run and the map page's fragment runs
    (a filter, a slice step, a pan) both call it, so a fragment's view is the one a full run builds.
    """
    mirror_widgets(state, restore_sidebar=False)
    query = query_from_state(state, vocab)
    state["query"] = query
    url.from_dict(query.to_params())
    return query


UI_ONLY: dict[str, str] = {
    # what the entry script hands every page
    "query": "the view (geo.query.Query) of this run (geo.ui_state.sync_view)",
    "context": "what every page starts from: the dataset, its vocabulary, the user, the store, settings (geo.page.PageContext)",
    "sign_in": "Sign in button (sign-in on)", "sign_out": "Sign out button (sign-in on)",
    "ignored": "link parameters that were ignored, with why", "dataset_error": "why a stored dataset could not open",
    "view_notes": "what was moved into the dataset's bounds (geo.ui_state.keep_in_bounds), and the range it set",
    "page": "the page drawn last (the map remounts when coming back to it)",
    "_frame_active": "set by the entry script before a page runs: the page need not run it as its frame (geo.page.page_context)",
    "_signed_in_at": "when this session's sign-in cookie was signed (the map fragment checks sign-outs against it)",
    "_refused": "dataset ids this session was refused (each refusal is audited once)",
    # map page
    "playing": "▶ Play is on (geo.map_session)", "play_speed": "playback speed (slices per second)", "play_loop": "playback loops",
    "_play_due": "when the next playback step is due (time.monotonic)",
    "initial_view": "the view the map was mounted with", "map_target": "where the app last told the map to go",
    "map_reported": "the view the map last reported", "map_click": "the last map click acted on",
    "table_pick": "the last row picked in Latest events",
    "panel_tab": "the panels' open tab (only its tables are drawn)", "latest": "Latest events table", "map": "the map",
    "close_event": "Close detail button", "pause": "Pause button", "play": "Play button",
    "dl_csv": "filtered CSV download", "dl_map": "standalone map download",
    # other pages
    "border_map": "Border Watch map", "actor_map": "Actors map", "ac_actor": "Actors: the actor shown",
    "tl_by": "Timeline: split by", "tl_measure": "Timeline: measure", "tl_chart": "Timeline chart",
    "tl_day": "Timeline: day to open", "tl_open": "Timeline: open the day", "tl_period_b": "Timeline: period B",
    "art_text": "Articles: pasted text", "art_add": "Articles: Extract button", "art_notice": "Articles: what the last paste, share or delete did",
    "up_file": "Data: the upload", "up_format": "Data: format", "up_date_order": "Data: date order", "up_go": "Data: Load and store",
    "up_open": "Data: open a stored dataset", "_peeked": "Data: the upload's file id and columns (geo.data_session.Peek), read once per file", "up_country": "Data: the country that bounds the file's place names",
    "last_report": "Data: the last load report", "dl_rejected": "Data: rejected rows download",
    "sh_dataset": "Data: the dataset to share or delete",
    "sh_save": "Data: Save sharing", "sh_confirm": "Data: confirm a Save that widens who sees it",
    "sh_cancel": "Data: drop the Save waiting for confirmation", "del_go": "Data: Delete dataset",
    "dl_audit": "Data: audit log download", "data_notice": "Data: what the last Save, confirmation or deletion said (geo.data_session.Said, shown in the run after it)",
    "ex_csv": "export CSV", "ex_geojson": "export GeoJSON", "ex_parquet": "export GeoParquet", "ex_map": "export map HTML",
    "rv_text": "Review: the pasted article", "rv_file": "Review: the article file", "rv_add": "Review: Propose its events",
    "rv_notice": "Review: what the last action said (geo.data_session.Said, shown in the run after it)",
    "rv_status": "Review: which candidates the queue shows",
    "rv_bring_open": "Review: whether the bring-in form was drawn open (no pending candidate then)", "rv_current": "Review: the id of the candidate shown",
    "rv_dataset": "Review: the desk dataset's name (widget)", "rv_desk": "Review: the desk dataset's name, kept for the session",
    "rv_reason": "Review: the reason to reject", "rv_reason_text": "Review: the reason in the reviewer's words",
    "rv_map": "Review: the small map (one for every candidate: moved and redrawn, never remounted)",
    "rv_accept": "Review: Accept", "rv_reject": "Review: Reject", "rv_prev": "Review: Previous", "rv_next": "Review: Next",
    "rv_edit_go": "Review: Accept with edits", "rv_dl_gold": "Review: accepted decisions as gold (download)",
    "rv_dl_negatives": "Review: rejected decisions as negatives (download)",
    "pl_notice": "Places: what the last action said (geo.data_session.Said, shown in the run after it)",
    "pl_entry": "Places: the worklist entry picked (widget; its key, geo.places_session.entry_key)",
    "pl_chosen": "Places: the worklist entry picked, kept while the worklist holds it",
    "pl_form_for": "Places: the entry the form's fields were filled from", "pl_name": "Places: the place's name",
    "pl_country": "Places: the place's country", "pl_admin1": "Places: the place's governorate",
    "pl_lat": "Places: the latitude typed or clicked", "pl_lon": "Places: the longitude typed or clicked",
    "pl_citation": "Places: the citation", "pl_add": "Places: Add to the shared layer", "pl_map": "Places: the small map (its last click)",
    "pl_replaced": "Places: the last re-place's report (geo.places_session.Replaced)", "pl_dl_report": "Places: the re-place report (download)",
    "pl_learn_dataset": "Places: the dataset to learn from", "pl_learn": "Places: Learn places from this dataset",
    "pl_learned": "Places: the last learning's report (geo.places_session.Learned)",
    "pl_remove_pick": "Places: the shared place to remove", "pl_remove_reason": "Places: why it is removed",
    "pl_remove": "Places: Remove from the shared layer",
}  # fmt: skip

#: Keys made per dataset by :func:`dataset_key` (``<prefix>:<dataset id>``; also per stored article
#: and per review candidate, by their ids): a widget keyed by its dataset can only ever show that
#: dataset's settings, never the ones left from the one picked before (popping a shared key on a
#: switch did not reset what the browser showed and sent back). They need no entry in
#: :data:`DATASET_SWITCH_RESETS`: the Data page's Share form is not the opened dataset.
DATASET_KEYED: dict[str, str] = {
    "sh_visibility": "Data: who sees this dataset", "sh_teams": "Data: this dataset's teams",
    "sh_pending": "Data: a Save of this dataset that widens who sees it, waiting for confirmation (geo.access.ShareChange)",
    "del_confirm": "Data: confirm deleting this dataset",
    "art_visibility": "Articles: who sees this stored article", "art_teams": "Articles: this article's teams",
    "art_save": "Articles: save who sees this article", "art_delete": "Articles: delete this article",
    # per candidate (keyed by its id): its edit form always starts from its own proposal
    "rv_click": "Review: the last click on this candidate's small map, (lat, lon)", "rv_date": "Review: edited date",
    "rv_type": "Review: edited event type", "rv_sub": "Review: edited sub-event type", "rv_actor1": "Review: edited actor 1",
    "rv_actor2": "Review: edited actor 2", "rv_fat": "Review: edited fatalities", "rv_place": "Review: where the edited place comes from",
    "rv_search": "Review: the gazetteer search", "rv_lat": "Review: typed latitude", "rv_lon": "Review: typed longitude",
    "rv_name": "Review: the name of a clicked or typed place",
    "rv_edit": "Review: whether this candidate's edit form is open (a map click opens it)",
    "pl_replace": "Places: Re-place this dataset",
}  # fmt: skip


def dataset_key(prefix: str, dataset_id: str) -> str:
    """The session-state key of ``prefix`` (a key of :data:`DATASET_KEYED`) for one dataset.

    Raises
    ------
    KeyError
        When ``prefix`` is not declared in :data:`DATASET_KEYED` (no page invents a key).
    """
    if prefix not in DATASET_KEYED:
        raise KeyError(prefix)
    return f"{prefix}:{dataset_id}"


def is_dataset_key(key: str, prefix: str) -> bool:
    """Whether ``key`` is ``prefix``'s key for some dataset."""
    return key.startswith(f"{prefix}:")


#: Keys made from a prefix and a name by :func:`prefixed_key` (``<prefix><name>``).
PREFIXED: dict[str, str] = {
    "map_": "Data: the upload's column for one canonical column (one select per geo.io.generic.AUTO_COLUMNS key)",
}


def prefixed_key(prefix: str, name: str) -> str:
    """The session-state key of ``prefix`` (a key of :data:`PREFIXED`) for ``name``; KeyError for an undeclared prefix."""
    if prefix not in PREFIXED:
        raise KeyError(prefix)
    return f"{prefix}{name}"


#: What opening another dataset forgets: the parameters that belong to it (``per_dataset`` in
#: geo.params: dates, actors, slice, map view, selection), their widgets, and where the map was.
DATASET_SWITCH_RESETS: tuple[str, ...] = (
    *dict.fromkeys(k for p in PARAMS if p.per_dataset for k in ((widget_key(p.name), p.name) if p.widget else (p.name,))),
    "initial_view", "map_target", "map_reported", "dataset_error",
)

#: Every key: the parameters' names, their widgets' keys, and the UI-only keys.
STATE_KEYS: frozenset[str] = frozenset({p.name for p in PARAMS} | set(MIRRORED) | set(UI_ONLY))


def open_dataset(state: MutableMapping[str, object], dataset_id: str) -> None:
    """Open ``dataset_id`` in this session: what belonged to the one open before is forgotten."""
    for key in DATASET_SWITCH_RESETS:
        state.pop(key, None)
    state["dataset"] = dataset_id


def keep_in_bounds(state: MutableMapping[str, object], vocab: Vocabulary) -> tuple[str, ...]:
    """Move the view the session's state holds inside the opened dataset's bounds, and say so.

    The widgets may hold another dataset's dates and actors: the one the session showed was
    deleted or unshared since (the app falls back to the bundled dataset). Drawn as they are,
    the date input raises (``StreamlitValueBelowMinError``) and the page loses its filters.
    The entry script calls this on every full run, before any widget is drawn.

    Parameters
    ----------
    state
        The session state (the parameters' values and their widgets', :data:`MIRRORED`); changed in place.
    vocab
        The opened dataset's vocabulary: its first and last day, its actors.

    Returns
    -------
    tuple[str, ...]
        One note per change (none: the state was inside already). They are also kept under
        ``view_notes`` with the range set, for :func:`view_notes`.
    """
    mirror_widgets(state, restore_sidebar=False)  # the widgets' values are the view
    values = field_values(state)
    picking = state.get(RANGE)
    if isinstance(picking, tuple | list) and len(picking) == 1:  # a range half picked: its first day alone
        values["date_from"] = picking[0]
    query, notes = clamp_to_data(Query(**values), vocab, source="The dates in view")
    # Only a moved date is written back: a half-picked range inside the data stays as it is.
    if notes:
        _set(state, RANGE, (query.date_from, query.date_to))
        _set(state, "day", query.day.isoformat() if query.day else WHOLE_RANGE)
    if vocab.actors and any(a not in vocab.actors for a in values["actors"]):
        gone = [a for a in values["actors"] if a not in vocab.actors]
        notes += (f"Actors not in this dataset dropped: {', '.join(gone[:5])}" + (" …" if len(gone) > 5 else "") + ".",)
        _set(state, "actor", [a for a in values["actors"] if a in vocab.actors])
    if notes:
        state["view_notes"] = (notes, tuple(state[RANGE]))
    return notes


def view_notes(state: Mapping[str, object]) -> tuple[str, ...]:
    """The notes of the last move into the dataset's bounds, while the view's range is still the one it set.

    Kept past one run (a map's own view report reruns the page at once, and a one-run message
    would vanish before it is read); a date range the analyst picks since makes them stale.
    """
    kept = state.get("view_notes")
    if not kept:
        return ()
    notes, ends = kept
    current = state.get(widget_key(RANGE), state.get(RANGE))
    return tuple(notes) if isinstance(current, tuple | list) and tuple(current) == tuple(ends) else ()


def _set(state: MutableMapping[str, object], name: str, value: object) -> None:
    """A parameter's value and its widget's (only where the widget exists: the time slider is the map page's)."""
    widget = widget_key(name)
    if widget in SIDEBAR or widget in state:
        state[widget] = value
    state[name] = value
