"""Every key the UI keeps in Streamlit's session state, with what it holds (no Streamlit import here).

The view itself is the :class:`~geo.query.Query` under ``query``; each of its parameters has
a state key (``Param.state`` in :data:`geo.params.PARAMS`). Everything else is UI-only state,
listed here so that no page invents a key: ``tests/test_ui_state.py`` checks that every key
``app.py`` and ``pages/`` use is in :data:`STATE_KEYS`.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from geo.params import PARAMS, WHOLE_RANGE, Vocabulary, field_values
from geo.query import Query, clamp_to_data

#: Widgets whose values the entry script mirrors under a plain key (the parameter's state key):
#: Streamlit drops a widget's state on runs that do not draw it (another page), the mirror keeps it.
MIRRORED: dict[str, str] = {
    "w_range": "range", "w_actors": "actors", "w_role": "role", "w_types": "types", "w_subs": "subs",
    "w_areas": "areas", "w_fat": "fat", "w_text": "text", "w_mode": "mode",
    "w_step": "step", "w_slice": "slice", "w_day": "day", "w_border_km": "border_km",
}  # fmt: skip
#: The sidebar's filters among :data:`MIRRORED` (drawn by the entry script, or on the map page by its map fragment).
SIDEBAR = frozenset({"w_range", "w_actors", "w_role", "w_types", "w_subs", "w_areas", "w_fat", "w_text", "w_mode"})



def mirror_widgets(state: MutableMapping[str, object], *, restore_sidebar: bool) -> None:
    """Copy each drawn widget's value to its mirror (:data:`MIRRORED`).

    With ``restore_sidebar`` (the entry script, once per full run) a sidebar widget not drawn
    yet in this run is set back from its mirror, so it keeps its value on another page.
    """
    for widget_key, state_key in MIRRORED.items():
        if widget_key in state:
            state[state_key] = state[widget_key]
        if restore_sidebar and state_key in state and widget_key in SIDEBAR:
            state[widget_key] = state[state_key]


UI_ONLY: dict[str, str] = {
    # what the entry script hands every page
    "query": "the view (geo.query.Query) of this run", "events": "the loaded dataset's events",
    "lean": "the counted columns of those events (geo.query.lean_events)",
    "vocab": "what the loaded dataset knows (actors, areas, dates)", "settings": "geo.settings.Settings",
    "user": "who is signed in (geo.access.User; LOCAL with sign-in off)", "store": "the dataset store (geo.storage.interface.Store)",
    "sign_in": "Sign in button (sign-in on)", "sign_out": "Sign out button (sign-in on)",
    "tiles": "the tile layer drawn under the events (geo.tiles.map_tiles)",
    "ignored": "link parameters that were ignored, with why", "dataset_error": "why a stored dataset could not open",
    "view_notes": "what was moved into the dataset's bounds (geo.ui_state.keep_in_bounds), and the range it set",
    "page": "the page drawn last (the map remounts when coming back to it)",
    "_frame_active": "set by the entry script before a page runs: the page need not run it as its frame",
    "draw_filters": "the map page: draws the sidebar's filters from its map fragment, into the room the entry script left",
    "_signed_in_at": "when this session's sign-in cookie was signed (the map fragment checks sign-outs against it)",
    "_refused": "dataset ids this session was refused (each refusal is audited once)",
    "offer_download": "pages: a button that makes a download in the clicking session's own run and hands the browser a one-time link (geo.web.exports)",
    # map page
    "playing": "▶ Play is on", "play_speed": "playback speed (slices per second)", "play_loop": "playback loops",
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
    "up_open": "Data: open a stored dataset", "_peeked": "Data: the upload's columns, read once per file", "up_country": "Data: the country that bounds the file's place names",
    "last_report": "Data: the last load report", "dl_rejected": "Data: rejected rows download",
    "sh_dataset": "Data: the dataset to share or delete",
    "sh_save": "Data: Save sharing", "sh_confirm": "Data: confirm a Save that widens who sees it",
    "sh_cancel": "Data: drop the Save waiting for confirmation", "del_go": "Data: Delete dataset",
    "dl_audit": "Data: audit log download", "data_notice": "Data: what the last share or delete did (shown after its rerun)",
    "ex_csv": "export CSV", "ex_geojson": "export GeoJSON", "ex_parquet": "export GeoParquet", "ex_map": "export map HTML",
}  # fmt: skip

#: Keys made per dataset by :func:`dataset_key` (``<prefix>:<dataset id>``): a widget keyed by its
#: dataset can only ever show that dataset's settings, never the ones left from the one picked before
#: (popping a shared key on a switch did not reset what the browser showed and sent back). They need
#: no entry in :data:`DATASET_SWITCH_RESETS`: the Data page's Share form is not the opened dataset.
DATASET_KEYED: dict[str, str] = {
    "sh_visibility": "Data: who sees this dataset", "sh_teams": "Data: this dataset's teams",
    "sh_pending": "Data: a Save of this dataset that widens who sees it, waiting for confirmation (geo.access.ShareChange)",
    "del_confirm": "Data: confirm deleting this dataset",
    "art_visibility": "Articles: who sees this stored article", "art_teams": "Articles: this article's teams",
    "art_save": "Articles: save who sees this article", "art_delete": "Articles: delete this article",
}


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


#: What opening another dataset forgets: its dates, actors, slice, map view and selection belong to the old one.
DATASET_SWITCH_RESETS: tuple[str, ...] = (
    "w_range", "range", "w_actors", "actors", "w_day", "day", "view", "initial_view", "map_target", "map_reported", "event",
    "dataset_error",
)

#: Every key: the parameters' state keys, the mirrored widgets and their mirrors, and the UI-only keys.
STATE_KEYS: frozenset[str] = frozenset(
    {p.state for p in PARAMS if p.state} | set(MIRRORED) | set(MIRRORED.values()) | set(UI_ONLY)
)


def keep_in_bounds(state: MutableMapping[str, object], vocab: Vocabulary) -> tuple[str, ...]:
    """Move the view the session's state holds inside the opened dataset's bounds, and say so.

    The widgets may hold another dataset's dates and actors: the one the session showed was
    deleted or unshared since (the app falls back to the bundled dataset). Drawn as they are,
    the date input raises (``StreamlitValueBelowMinError``) and the page loses its filters.
    The entry script calls this on every full run, before any widget is drawn.

    Parameters
    ----------
    state
        The session state (widgets' values and their mirrors, :data:`MIRRORED`); changed in place.
    vocab
        The opened dataset's vocabulary: its first and last day, its actors.

    Returns
    -------
    tuple[str, ...]
        One note per change (none: the state was inside already). They are also kept under
        ``view_notes`` with the range set, for :func:`view_notes`.
    """
    values = field_values(state)
    picking = state.get("w_range")
    if isinstance(picking, tuple | list) and len(picking) == 1:  # a range half picked: its first day alone
        values["date_from"] = picking[0]
    query, notes = clamp_to_data(Query(**values), vocab, source="The dates in view")
    # Only a moved date is written back: a half-picked range inside the data stays as it is.
    if notes:
        _set(state, "w_range", (query.date_from, query.date_to))
        _set(state, "w_day", query.day.isoformat() if query.day else WHOLE_RANGE)
    if vocab.actors and any(a not in vocab.actors for a in values["actors"]):
        gone = [a for a in values["actors"] if a not in vocab.actors]
        notes += (f"Actors not in this dataset dropped: {', '.join(gone[:5])}" + (" …" if len(gone) > 5 else "") + ".",)
        _set(state, "w_actors", [a for a in values["actors"] if a in vocab.actors])
    if notes:
        state["view_notes"] = (notes, tuple(state["w_range"]))
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
    current = state.get("w_range", state.get("range"))
    return tuple(notes) if isinstance(current, tuple | list) and tuple(current) == tuple(ends) else ()


def _set(state: MutableMapping[str, object], widget_key: str, value: object) -> None:
    """A widget's value and its mirror (the widget's own key only where it exists: the time slider is the map page's)."""
    if widget_key in SIDEBAR or widget_key in state:
        state[widget_key] = value
    state[MIRRORED[widget_key]] = value

