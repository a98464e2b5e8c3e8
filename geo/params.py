"""The view's parameters as data: one :class:`Param` row per parameter of a :class:`~geo.query.Query`.

Everything that names a view parameter is derived from :data:`PARAMS`: parsing a link
(:meth:`Query.from_params`) and writing one (:meth:`Query.to_params`), the ``python -m geo map``
flags, the session-state names, widget keys and mirrors (:func:`widget_key`, :mod:`geo.ui_state`),
the widgets' starting values on a session's first run, what opening another dataset forgets, the
"Ignored link parameters" messages and the README's parameter table (a test checks the README lists
every row). Adding a filter is a row here, a field on ``Query``, the line of ``Query._mask`` that
applies it and its widget in :mod:`geo.sidebar`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from geo.access import NOT_AVAILABLE
from geo.taxonomy import EVENT_TYPES, SUB_EVENT_TYPES

ROLES = ("either", "actor1", "actor2")
STEPS = ("day", "week")
SLICES = ("window", "cumulative")
MODES = ("auto", "points", "clusters", "heatmap", "choropleth", "grid")
MAX_ZOOM = 18
MIN_ZOOM = 3
MAX_MEMBERS = 50  # values per multi-valued parameter: more is not a view anyone shares
MAX_NOTES = 10  # unknown parameters listed by name (a fuzzed link can carry thousands)
MAX_FATALITIES = 100_000
#: The border zone's width when neither the link (``km``) nor the setting ``CONFLICT_MAP_BORDER_KM`` gives one.
DEFAULT_BORDER_KM = 25
BORDER_KM_LIMITS = (1, 300)
#: The time slider's value for "no slice: the whole range".
WHOLE_RANGE = "all"
#: The dataset shipped in ``data/``, and the id of a stored upload: 32 random hex digits
#: (:func:`geo.storage.upload.new_dataset_id`), or 16 for one stored before ids were random (a content hash).
BUNDLED_ID = "bundled"
DATASET_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{16}")
#: An id computed from the file and its uploader: anyone holding both can compute it, so it is no secret.
LEGACY_DATASET_ID = re.compile(r"[0-9a-f]{16}")
#: What a link's ``dataset`` may be.
DATASET_PARAM = re.compile(rf"{BUNDLED_ID}|{DATASET_ID.pattern}")


@dataclass(frozen=True)
class Vocabulary:
    """What the loaded data knows: used to reject tampered parameters (unknown actor…)."""

    actors: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    datasets: frozenset[str] = frozenset()
    date_min: date | None = None
    date_max: date | None = None


@dataclass(frozen=True)
class Param:
    """One view parameter.

    Attributes
    ----------
    key
        The URL key, also the ``python -m geo map`` flag (``--key``).
    field
        The :class:`~geo.query.Query` attribute it sets (its default is that field's default).
    kind
        How it is parsed and written: ``date``, ``choice``, ``members`` (repeatable), ``count``,
        ``km``, ``text``, ``view``, ``dataset`` or ``event``.
    help
        What it means, for the README and the CLI.
    choices
        The allowed values of a ``choice``.
    widget
        Where a widget sets it: ``sidebar`` (the filters every page shows), ``page`` (one page's
        own control: the map's slice controls, Border Watch's width), or None (no widget: a link,
        a map click or a page's button sets it).
    per_dataset
        Whether it belongs to the dataset opened (its dates, actors, slice, view and selection):
        opening another dataset forgets it.
    name
        Its session-state name; default: the URL key. The two ends of the date range share ``range``
        (one date-range widget).
    """

    key: str
    field: str
    kind: str
    help: str
    choices: tuple[str, ...] = ()
    widget: str | None = None
    per_dataset: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.key)

    @property
    def multi(self) -> bool:
        """Whether the parameter may repeat (``?actor=A&actor=B``)."""
        return self.kind == "members"


#: The session name of the date range (the ``from`` and ``to`` parameters' one widget).
RANGE = "range"

PARAMS: tuple[Param, ...] = (
    Param("from", "date_from", "date", "first day of the date range (ISO date; default: the data's first day)", widget="sidebar", per_dataset=True, name=RANGE),
    Param("to", "date_to", "date", "last day of the date range (ISO date; default: the data's last day)", widget="sidebar", per_dataset=True, name=RANGE),
    Param("day", "day", "date", "the time slice shown (ISO date; absent: the whole range)", widget="page", per_dataset=True),
    Param("step", "step", "choice", "slice length", STEPS, widget="page"),
    Param("slice", "slice_mode", "choice", "the slice alone or everything up to it", SLICES, widget="page"),
    Param("actor", "actors", "members", "actor names, canonical (repeatable; aliases are searched too)", widget="sidebar", per_dataset=True),
    Param("role", "role", "choice", "which side the actors must be on", ROLES, widget="sidebar"),
    Param("type", "types", "members", "ACLED event types (repeatable)", widget="sidebar"),
    Param("sub", "subs", "members", "ACLED sub-event types (repeatable)", widget="sidebar"),
    Param("area", "areas", "members", "area keys: governorates, `border`, crossings (repeatable)", widget="sidebar"),
    Param("fat", "min_fatalities", "count", f"minimum fatalities (0–{MAX_FATALITIES:,})", widget="sidebar"),
    Param("q", "text", "text", "text searched in location, notes, actors, admin1 (≤ 200 characters)", widget="sidebar"),
    Param("dataset", "dataset", "dataset", "`bundled` or a stored dataset's id (32 random hex digits; 16 for one stored before ids were random)"),
    Param("mode", "mode", "choice", "map rendering", MODES, widget="sidebar"),
    Param("view", "view", "view", f"map centre and zoom: `lat,lon,zoom` (zoom {MIN_ZOOM}–{MAX_ZOOM})", per_dataset=True),
    Param("event", "event", "event", "the selected event's id (≤ 100 characters)", per_dataset=True),
    Param("km", "border_km", "km", f"border zone width in km ({BORDER_KM_LIMITS[0]}–{BORDER_KM_LIMITS[1]})", widget="page"),
)  # fmt: skip

BY_KEY: dict[str, Param] = {p.key: p for p in PARAMS}


# ---------------------------------------------------------------------- parsing, by kind
# Each parser takes the raw values (at least one) and the vocabulary; it returns the field's value
# and notes on what it dropped, or raises ValueError saying what it expected.


def _date(raw: list[str], _p: Param, _vocab: Vocabulary | None) -> tuple[object, list[str]]:
    try:
        return date.fromisoformat(raw[0].strip()), []
    except ValueError:
        msg = f"expected a date like 2024-11-30, got {raw[0][:40]!r}"
        raise ValueError(msg) from None


def _choice(raw: list[str], p: Param, _vocab: Vocabulary | None) -> tuple[object, list[str]]:
    if raw[0] not in p.choices:
        msg = f"expected one of {', '.join(p.choices)}, got {raw[0][:40]!r}"
        raise ValueError(msg)
    return raw[0], []


#: What each multi-valued parameter may contain (None: anything, when the data gives no list).
KNOWN: dict[str, Callable[[Vocabulary | None], Iterable[str] | None]] = {
    "actor": lambda v: v.actors if v and v.actors else None,
    "type": lambda v: set(EVENT_TYPES),
    "sub": lambda v: set(SUB_EVENT_TYPES),
    "area": lambda v: v.areas if v and v.areas else None,
}
MEMBER_LABELS = {"actor": "actor", "type": "event type", "sub": "sub-event type", "area": "area"}


def _members(raw: list[str], p: Param, vocab: Vocabulary | None) -> tuple[object, list[str]]:
    """Known values are kept, unknown ones noted (the rest of the link still applies)."""
    known = KNOWN[p.key](vocab)
    values = list(dict.fromkeys(v[:200] for v in raw))
    notes = []
    if len(values) > MAX_MEMBERS:
        notes.append(f"{len(values):,} values, kept the first {MAX_MEMBERS}")
        values = values[:MAX_MEMBERS]
    unknown = [v for v in values if known is not None and v not in known]
    if unknown:
        shown = ", ".join(repr(u[:40]) for u in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        notes.append(f"unknown {MEMBER_LABELS[p.key]} {shown}")
    return tuple(v for v in values if v not in unknown), notes


def _count(raw: list[str], _p: Param, _vocab: Vocabulary | None) -> tuple[object, list[str]]:
    if not raw[0].isdigit() or int(raw[0]) > MAX_FATALITIES:
        msg = f"expected a whole number of fatalities, got {raw[0][:40]!r}"
        raise ValueError(msg)
    return int(raw[0]), []


def _km(raw: list[str], _p: Param, _vocab: Vocabulary | None) -> tuple[object, list[str]]:
    low, high = BORDER_KM_LIMITS
    if not raw[0].isdigit() or not low <= int(raw[0]) <= high:
        msg = f"expected a border zone width of {low}–{high} km, got {raw[0][:40]!r}"
        raise ValueError(msg)
    return int(raw[0]), []


def _view(raw: list[str], _p: Param, _vocab: Vocabulary | None) -> tuple[object, list[str]]:
    parts = raw[0].split(",")
    try:
        lat, lon, zoom = float(parts[0]), float(parts[1]), int(parts[2])
    except (ValueError, IndexError):
        msg = f"expected lat,lon,zoom, got {raw[0][:40]!r}"
        raise ValueError(msg) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and MIN_ZOOM <= zoom <= MAX_ZOOM):
        msg = f"expected lat in ±90, lon in ±180, zoom {MIN_ZOOM}–{MAX_ZOOM}, got {raw[0][:40]!r}"
        raise ValueError(msg)
    return (round(lat, 5), round(lon, 5), zoom), []


def _dataset(raw: list[str], _p: Param, vocab: Vocabulary | None) -> tuple[object, list[str]]:
    value = raw[0][:100]
    if not DATASET_PARAM.fullmatch(value):
        msg = f"expected 'bundled' or a dataset id (32 hex digits, or 16 for an old one), got {value[:40]!r}"
        raise ValueError(msg)
    if vocab is not None and vocab.datasets and value not in vocab.datasets:
        msg = NOT_AVAILABLE.format(id=value)  # the same words for a missing id and one this user may not open
        raise ValueError(msg)
    return value, []


PARSERS: dict[str, Callable[[list[str], Param, Vocabulary | None], tuple[object, list[str]]]] = {
    "date": _date, "choice": _choice, "members": _members, "count": _count, "km": _km, "view": _view,
    "dataset": _dataset,
    "text": lambda raw, _p, _v: (raw[0][:200], []),
    "event": lambda raw, _p, _v: (raw[0][:100], []),
}  # fmt: skip


def parse_params(params: Mapping[str, str | Iterable[str]], *, vocab: Vocabulary | None = None) -> tuple[dict[str, object], list[str]]:
    """Field values from URL-style parameters, and what was ignored (unknown, repeated, invalid) and why."""
    ignored = [f"{str(k)[:40]!r}: unknown parameter" for k in list(params)[:MAX_NOTES] if k not in BY_KEY]
    values: dict[str, object] = {}
    for p in PARAMS:
        raw = _values(params, p.key)
        if not raw:
            continue
        if not p.multi and len(raw) > 1:
            ignored.append(f"{p.key}: given {len(raw)} times, used the first")
        try:
            value, notes = PARSERS[p.kind](raw, p, vocab)
        except (ValueError, TypeError) as exc:
            ignored.append(f"{p.key}: {exc}")
            continue
        ignored += [f"{p.key}: {note}" for note in notes]
        values[p.field] = value
    return values, ignored


def _values(params: Mapping[str, str | Iterable[str]], key: str) -> list[str]:
    raw = params.get_all(key) if hasattr(params, "get_all") else params.get(key)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [str(v) for v in items if str(v).strip() != ""]


# ---------------------------------------------------------------------- writing


def format_value(p: Param, value: object) -> str | list[str] | None:
    """The URL value of a field (None: not written, the default is meant)."""
    if value is None or (p.kind in ("text", "members") and not value):
        return None
    if p.kind == "date":
        return value.isoformat()
    if p.kind == "members":
        return list(value)
    if p.kind == "view":
        return f"{value[0]:.5f},{value[1]:.5f},{value[2]}"
    return str(value)


def widget_key(name: str) -> str:
    """The key of the widget that sets the parameter(s) called ``name`` (``w_<name>``).

    Raises
    ------
    KeyError
        When no parameter of that name has a widget (no page invents a key).
    """
    if name not in WIDGET_NAMES:
        raise KeyError(name)
    return f"w_{name}"


#: The session names of the parameters a widget sets, in table order (``range`` once).
WIDGET_NAMES: tuple[str, ...] = tuple(dict.fromkeys(p.name for p in PARAMS if p.widget))
#: The same, of the sidebar's filters.
SIDEBAR_NAMES: tuple[str, ...] = tuple(dict.fromkeys(p.name for p in PARAMS if p.widget == "sidebar"))


def state_values(values: Mapping[str, object]) -> dict[str, object]:
    """Session-state values from field values, one per parameter name (:attr:`Param.name`).

    The two ends of the date range are one pair under :data:`RANGE`; the slice is its ISO day or
    :data:`WHOLE_RANGE`; repeatable parameters are lists.
    """
    out: dict[str, object] = {}
    for p in PARAMS:
        value = values[p.field]
        if p.name == RANGE:
            out[p.name] = (values["date_from"], values["date_to"])
        elif p.key == "day":
            out[p.name] = value.isoformat() if value else WHOLE_RANGE
        else:
            out[p.name] = list(value) if p.multi else value
    return out


def field_values(state: Mapping[str, object]) -> dict[str, object]:
    """Field values from session state: the inverse of :func:`state_values`."""
    out: dict[str, object] = {}
    for p in PARAMS:
        value = state.get(p.name)
        if p.name == RANGE:
            ends = value if isinstance(value, tuple | list) and len(value) == 2 else (None, None)
            out[p.field] = ends[0] if p.key == "from" else ends[1]
        elif p.key == "day":
            out[p.field] = None if value in (None, WHOLE_RANGE) else date.fromisoformat(str(value))
        elif p.multi:
            out[p.field] = tuple(value or ())
        elif p.kind == "text":
            out[p.field] = str(value or "").strip()
        elif p.kind in ("count", "km"):
            out[p.field] = int(value)
        else:
            out[p.field] = value
    return out


def params_table() -> str:
    """The parameters as a Markdown table (the README's "Link parameters" section)."""
    rows = ["| parameter | meaning | values |", "|---|---|---|"]
    for p in PARAMS:
        values = " / ".join(f"`{c}`" for c in p.choices) if p.choices else ("repeatable" if p.multi else "")
        rows.append(f"| `{p.key}` | {p.help} | {values} |")
    return "\n".join(rows)
