"""The Review page's edit form: a candidate's fields and place as widgets, read back into a decision's changes.

Every widget is keyed by the candidate's id (:func:`geo.ui_state.dataset_key`), so the form always
starts from that candidate's own proposal. The place comes from one of the places the gazetteer
weighed, a gazetteer search by name, a click on the small map (:mod:`geo.review_map`) or typed
coordinates; :func:`edit_changes` gives what :meth:`accept <geo.candidate_store.CandidateStore.accept>`
checks. No Streamlit here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, MutableMapping
from datetime import date

from geo.actors import actor_table
from geo.gazetteer import Gazetteer, Match, active_gazetteer
from geo.review import Candidate
from geo.taxonomy import EVENT_TYPES
from geo.ui_state import dataset_key
from geo.widgets import Widget

#: The edit form's widgets (their key prefixes) and the event field each sets; the place is :func:`chosen_place`'s.
EDITED: dict[str, str] = {"rv_date": "event_date", "rv_type": "event_type", "rv_sub": "sub_event_type", "rv_actor1": "actor1",
                          "rv_actor2": "actor2", "rv_fat": "fatalities"}  # fmt: skip

#: Gazetteer searches remembered, by layer version and name.
LOOKUPS_KEPT = 256
_LOOKED_UP: OrderedDict[tuple[str, str], Match | str] = OrderedDict()


def actor_choices(*current: str | None) -> list[str]:
    """The actor dictionary's actors, ``""`` (none) first, with any ``current`` name not in it."""
    known = sorted(set(actor_table()["actor"]))
    return ["", *dict.fromkeys(a for a in current if a and a not in known), *known]


def edit_widgets(c: Candidate, state: Mapping[str, object]) -> tuple[Widget, ...]:
    """The edit form's event fields, starting from the candidate's: date, type, sub-type, actors, fatalities.

    The sub-type's options are the type's as the form says it now (a type change resets it).
    """
    types, actors = list(EVENT_TYPES), actor_choices(c.actor1, c.actor2)
    subs = list(EVENT_TYPES.get(str(state.get(dataset_key("rv_type", c.id), c.event_type)), ()))
    named = {"accept_new_options": True, "format_func": lambda a: a or "(none)"}  # an actor the dictionary lacks may be typed
    return (
        Widget("date_input", "Date", dataset_key("rv_date", c.id), {"value": date.fromisoformat(c.event_date)}),
        Widget("selectbox", "Event type", dataset_key("rv_type", c.id),
               {"options": types, "index": _at(types, c.event_type), "on_change": _reset_sub, "args": (state, c)}),
        Widget("selectbox", "Sub-event type", dataset_key("rv_sub", c.id), {"options": subs, "index": _at(subs, c.sub_event_type)}),
        Widget("selectbox", "Actor 1", dataset_key("rv_actor1", c.id), {"options": actors, "index": _at(actors, c.actor1 or ""), **named}),
        Widget("selectbox", "Actor 2", dataset_key("rv_actor2", c.id), {"options": actors, "index": _at(actors, c.actor2 or ""), **named}),
        Widget("number_input", "Fatalities (empty: not reported)", dataset_key("rv_fat", c.id),
               {"value": c.fatalities, "min_value": 0, "step": 1}),
    )  # fmt: skip


def _at(options: list[str], value: str) -> int:
    """``value``'s index among ``options``, else the first's."""
    return options.index(value) if value in options else 0


def _reset_sub(state: MutableMapping[str, object], c: Candidate) -> None:
    """A new event type: its sub-type starts from its first (the old one belongs to another type)."""
    state.pop(dataset_key("rv_sub", c.id), None)


def place_widgets(c: Candidate, state: Mapping[str, object]) -> tuple[Widget, ...]:
    """Where it happened: a place the gazetteer weighed, a gazetteer search, a map click or typed coordinates."""
    labels = place_labels(c, state)
    return (
        Widget("selectbox", "Place", dataset_key("rv_place", c.id), {"options": list(labels), "format_func": labels.get}),
        Widget("text_input", "Search the gazetteer by name", dataset_key("rv_search", c.id), {"max_chars": 200}),
        Widget("number_input", "Latitude", dataset_key("rv_lat", c.id),
               {**_start("rv_lat", c, state, c.latitude), "min_value": -90.0, "max_value": 90.0, "format": "%.5f"}),
        Widget("number_input", "Longitude", dataset_key("rv_lon", c.id),
               {**_start("rv_lon", c, state, c.longitude), "min_value": -180.0, "max_value": 180.0, "format": "%.5f"}),
        Widget("text_input", "Place name (for a map click or typed coordinates)", dataset_key("rv_name", c.id),
               {"value": c.location or "", "max_chars": 200}),
    )  # fmt: skip


def _start(prefix: str, c: Candidate, state: Mapping[str, object], value: object) -> dict[str, object]:
    """A widget's starting value, unless a callback set its state already (a map click sets the
    coordinates; Streamlit warns on the page when a widget is given both)."""
    return {} if dataset_key(prefix, c.id) in state else {"value": value}


def place_labels(c: Candidate, state: Mapping[str, object]) -> dict[str, str]:
    """Each place choice and how it reads now: ``proposed``, ``alt:<n>``, ``search``, ``map``, ``typed``."""
    found, click = search_match(c, state), map_click(c, state)
    alternatives = {f"alt:{i}": f"{p.name} ({p.admin1 or '?'}) {p.lat:.4f}, {p.lon:.4f} · {p.source[:50]}" for i, p in enumerate(c.places)}
    return {"proposed": f"As proposed: {c.location or '?'} {c.latitude:.4f}, {c.longitude:.4f}", **alternatives,
            "search": f"Gazetteer search: {found.name} ({found.admin1 or '?'}) {found.lat:.4f}, {found.lon:.4f}" if isinstance(found, Match)
            else f"Gazetteer search: {found}",
            "map": f"Map click: {click[0]:.5f}, {click[1]:.5f}" if click else "Map click: click the small map",
            "typed": "The coordinates typed below"}  # fmt: skip


def search_match(c: Candidate, state: Mapping[str, object]) -> Match | str:
    """The gazetteer's place for the searched name, or why there is none (in words).

    The gazetteer is the active one (:func:`geo.gazetteer.using`): the page and the accept set the
    store's, so a place an analyst added to the shared layer is found.
    """
    name = str(state.get(dataset_key("rv_search", c.id)) or "").strip()[:200]
    return _looked_up(name, active_gazetteer()) if name else "type a name"


def _looked_up(name: str, gazetteer: Gazetteer) -> Match | str:
    """The gazetteer's answer for ``name``, once per name and layer version (a run asks for the labels, the
    map and the accept); keyed by the version, not the gazetteer, so an old layer's gazetteer is not kept."""
    key = (gazetteer.layer, name)
    if key not in _LOOKED_UP:
        found = gazetteer.lookup(name)
        _LOOKED_UP[key] = found if isinstance(found, Match) else f"no single place for {name[:60]!r} ({found.reason})"
        while len(_LOOKED_UP) > LOOKUPS_KEPT:
            _LOOKED_UP.popitem(last=False)
    return _LOOKED_UP[key]


def map_click(c: Candidate, state: Mapping[str, object]) -> tuple[float, float] | None:
    """The last point clicked on the small map while ``c`` was shown (kept by :func:`map_clicked`), if any."""
    clicked = state.get(dataset_key("rv_click", c.id))
    return (float(clicked[0]), float(clicked[1])) if isinstance(clicked, tuple | list) and len(clicked) == 2 else None


def edit_form_key(c: Candidate) -> str:
    """The key of the candidate's edit form (an expander whose open state the server keeps, so a rerun
    caused inside it — a map click, a changed field — does not fold it)."""
    return dataset_key("rv_edit", c.id)


def map_clicked(state: MutableMapping[str, object], c: Candidate) -> None:
    """A click on the small map picks it as ``c``'s place and opens the edit form (the map's change callback).

    The map is one widget for every candidate (``rv_map``: streamlit-folium's report, whose
    ``last_clicked`` outlives the candidate it was made on), so the click is kept under ``c``'s own
    key, and the typed latitude and longitude show it too. Open, because the click changes only
    the form: Accept (or A) still takes the proposal as it is, and the reviewer must see the
    clicked place and "Accept with edits" to keep it.
    """
    report = state.get("rv_map")
    clicked = report.get("last_clicked") if isinstance(report, Mapping) else None
    if not isinstance(clicked, Mapping) or clicked.get("lat") is None or clicked.get("lng") is None:
        return  # the map's first report, before any click
    point = (float(clicked["lat"]), float(clicked["lng"]))
    state[dataset_key("rv_click", c.id)] = point
    state[dataset_key("rv_lat", c.id)], state[dataset_key("rv_lon", c.id)] = point
    state[dataset_key("rv_place", c.id)] = "map"
    state[edit_form_key(c)] = True


def chosen_place(c: Candidate, state: Mapping[str, object]) -> tuple[str | None, float, float, int | None]:
    """The place the form says: ``(location, latitude, longitude, geo_precision)``.

    Raises
    ------
    ValueError
        When the search found no single place, or the map was not clicked.
    """
    choice = str(state.get(dataset_key("rv_place", c.id)) or "proposed")
    name = str(state.get(dataset_key("rv_name", c.id)) or "").strip() or c.location
    if choice.startswith("alt:") and int(choice[4:]) < len(c.places):
        p = c.places[int(choice[4:])]
        return p.name, p.lat, p.lon, 1
    if choice == "search":
        found = search_match(c, state)
        if not isinstance(found, Match):
            msg = f"place: expected a place the gazetteer finds, got {found}"
            raise ValueError(msg)
        return found.name, found.lat, found.lon, found.geo_precision
    if choice in ("map", "typed"):
        typed = (state.get(dataset_key("rv_lat", c.id)), state.get(dataset_key("rv_lon", c.id)))
        point = map_click(c, state) if choice == "map" else typed
        if point is None or None in point:
            msg = "place: expected a click on the small map" if choice == "map" else "place: expected a latitude and a longitude"
            raise ValueError(msg)
        return name, float(point[0]), float(point[1]), 1
    return c.location, c.latitude, c.longitude, c.geo_precision


def chosen_point(c: Candidate, state: Mapping[str, object]) -> tuple[float, float, str] | None:
    """Where the edit form would put the event, for the small map: ``(lat, lon, name)``, or None while it cannot tell."""
    try:
        location, latitude, longitude, _ = chosen_place(c, state)
    except ValueError:
        return None
    return latitude, longitude, location or "?"


def edit_changes(c: Candidate, state: Mapping[str, object]) -> dict[str, object]:
    """The edit form's values as :meth:`accept`'s ``changes`` (the store drops those equal to the proposal).

    Raises
    ------
    ValueError
        When the place cannot be read (:func:`chosen_place`).
    """
    location, latitude, longitude, precision = chosen_place(c, state)
    edited = {field: state.get(dataset_key(prefix, c.id), getattr(c, field)) for prefix, field in EDITED.items()}
    return {**edited, "actor1": edited["actor1"] or None, "actor2": edited["actor2"] or None, "location": location,
            "latitude": latitude, "longitude": longitude, "geo_precision": precision}  # fmt: skip
