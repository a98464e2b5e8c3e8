"""The sidebar's filters as data: one :class:`Widget` per ``sidebar`` parameter of :data:`geo.params.PARAMS`.

The entry script draws them on every page but the map, and the map page from its map fragment
(so a filter change reruns only the fragment); both draw the same table:
``draw(box, filter_widgets(vocab))`` (:func:`geo.widgets.draw`).

Each widget's key is its parameter's (:func:`geo.params.widget_key`), and its bounds are the
link parameter's own, so a value a link may carry is a value the widget takes.
"""

from __future__ import annotations

from collections.abc import Callable

from geo.actors import aliases_of
from geo.areas import areas
from geo.params import MAX_FATALITIES, MODES, ROLES, SIDEBAR_NAMES, Vocabulary, widget_key
from geo.taxonomy import EVENT_TYPES
from geo.widgets import Widget


def _filter(name: str, kind: str, label: str, **options: object) -> Widget:
    return Widget(kind, label, widget_key(name), options)


ROLE_LABELS = {"either": "either side", "actor1": "actor 1", "actor2": "actor 2"}


def _actor_label(actor: str) -> str:
    """An actor with two of its aliases (``HTS (Hay'at Tahrir al-Sham, …)``): search matches aliases too."""
    aliases = aliases_of(actor)
    return actor if not aliases else f"{actor} ({', '.join(aliases[1:3])})"


def _sub_label(sub: str) -> str:
    """A sub-event type with its event type."""
    return f"{sub} · {next(t for t in EVENT_TYPES if sub in EVENT_TYPES[t])}"


#: Each sidebar parameter's widget, from what the opened dataset knows.
WIDGETS: dict[str, Callable[[Vocabulary], Widget]] = {
    "range": lambda v: _filter("range", "date_input", "Date range", min_value=v.date_min, max_value=v.date_max),
    "actor": lambda v: _filter("actor", "multiselect", "Actors", options=sorted(v.actors), format_func=_actor_label,
                               help="Search matches aliases too (HTS = Hay'at Tahrir al-Sham)."),
    "role": lambda v: _filter("role", "radio", "Actor role", options=ROLES, horizontal=True, format_func=ROLE_LABELS.get),
    "type": lambda v: _filter("type", "multiselect", "Event types", options=list(EVENT_TYPES)),
    "sub": lambda v: _filter("sub", "multiselect", "Sub-event types", options=[s for t in EVENT_TYPES for s in EVENT_TYPES[t]],
                             format_func=_sub_label),
    "area": lambda v: _filter("area", "multiselect", "Areas", **_area_options()),
    "fat": lambda v: _filter("fat", "number_input", "Minimum fatalities", min_value=0, max_value=MAX_FATALITIES, step=1),
    "q": lambda v: _filter("q", "text_input", "Search location, notes, actors", max_chars=200),
    "mode": lambda v: _filter("mode", "selectbox", "Map mode", options=MODES),
}  # fmt: skip


def _area_options() -> dict[str, object]:
    labels = {a.key: a.label for a in areas()}
    return {"options": list(labels), "format_func": labels.get}


def filter_widgets(vocab: Vocabulary) -> tuple[Widget, ...]:
    """The sidebar's heading and filters for the opened dataset, in the parameter table's order.

    Raises
    ------
    KeyError
        When a ``sidebar`` parameter has no widget here (a new filter's row without its widget).
    """
    return (Widget("header", "Filters"), *(WIDGETS[name](vocab) for name in SIDEBAR_NAMES))
