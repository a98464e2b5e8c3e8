"""ACLED: its columns recognised in any table, mapped onto the canonical schema, and its older layouts —
pre-2019 event types and monadic exports (one row per actor).

Older layouts are translated onto today's dyadic layout and taxonomy as data
(:data:`geo.taxonomy.ACLED_OLD_EVENT_TYPES`); the original event type is kept in
``source_event_type`` so nothing the file said is lost.
"""

from __future__ import annotations

import pandas as pd

from geo.io.generic import resolve_mapping, text_column
from geo.io.source import Layout
from geo.taxonomy import ACLED_INTER, ACLED_OLD_EVENT_TYPES, DISORDER_TYPES, interaction_label

#: The reader's name in load reports and ``--format``.
NAME = "acled"

ACLED_MARKERS = frozenset({"event_id_cnty", "event_type", "sub_event_type", "actor1", "inter1"})
#: Column names only ACLED uses (today's and the pre-2019 layouts): a file with enough of them is ACLED
#: even without ``event_id_cnty`` (an analyst trimmed the columns). Shared words (country, location,
#: latitude, notes, fatalities…) do not count: any event table has those.
ACLED_OWN_COLUMNS = frozenset({
    "event_id_cnty", "event_id_no_cnty", "sub_event_type", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2",
    "ally_actor_1", "ally_actor_2", "inter1", "inter2", "interaction", "time_precision", "geo_precision",
    "civilian_targeting", "disorder_type", "source_scale",
})  # fmt: skip
#: How many of :data:`ACLED_OWN_COLUMNS`, with ``event_type``, make a header ACLED's without its id column.
ACLED_MIN_OWN = 4
#: Columns this project writes and ACLED never does: a canonical file shares ACLED's other names.
PROJECT_COLUMNS = frozenset({"source_format", "source_line", "event_date_end", "source_event_type", "fatalities_low", "fatalities_high"})

ACLED_DIRECT = (
    "event_date", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "civilian_targeting", "iso",
    "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "notes", "fatalities", "tags",
)  # fmt: skip
#: Source columns the mapping consumes (not kept again as extra columns).
CONSUMED = frozenset({"event_id_cnty", "ally_actor_1", "ally_actor_2"})
#: The columns ACLED names the canonical ones it shares with any table (see :data:`geo.io.generic.AUTO_COLUMNS`).
ACLED_NAMES: dict[str, str] = {"event_id": "event_id_cnty"}

#: Old upper-case layouts call the associated actors "allies".
OLD_COLUMNS: dict[str, str] = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}


def is_acled(columns: set[str]) -> bool:
    """Whether normalised column names are ACLED's, judged by the header as a whole.

    ACLED's id ``event_id_cnty`` with two more of its columns decides it; without the id
    (trimmed by an analyst, in any case), ``event_type`` and at least :data:`ACLED_MIN_OWN`
    names only ACLED uses (``sub_event_type``, ``inter1``, ``interaction``, ``geo_precision``…)
    do — unless the file has columns only this project writes (a canonical export).
    """
    if "event_id_cnty" in columns:
        return len(ACLED_MARKERS & columns) >= 3
    if columns & PROJECT_COLUMNS:
        return False
    return "event_type" in columns and len(ACLED_OWN_COLUMNS & columns) >= ACLED_MIN_OWN


def acled_evidence(columns: set[str]) -> str:
    """The ACLED columns a header has, for the load report's "detected" sentence."""
    return ", ".join(sorted((ACLED_OWN_COLUMNS | ACLED_MARKERS) & columns))


def detect(columns: set[str]) -> str:
    """The load report's sentence when normalised names are ACLED's, else ``""``."""
    return f"ACLED columns in header: {acled_evidence(columns)}" if is_acled(columns) else ""


def from_acled(frame: pd.DataFrame) -> pd.DataFrame:
    """Map an ACLED export (old numeric or new text ``inter`` codes) to canonical columns."""
    out = pd.DataFrame({c: text_column(frame, c) for c in ACLED_DIRECT}, index=frame.index)
    for old, new in OLD_COLUMNS.items():
        if old in frame and new not in frame:
            out[new] = frame[old]
    out["event_type"], out["sub_event_type"], out["source_event_type"] = old_event_types(frame)
    out["disorder_type"] = disorder_types(out["event_type"], out["disorder_type"])
    out["event_id"] = text_column(frame, "event_id_cnty")
    for col in ("inter1", "inter2", "interaction"):
        codes = text_column(frame, col)
        uniques = pd.Series(codes.unique())
        out[col] = codes.map(dict(zip(uniques, uniques.map(interaction_label), strict=True)))
    out["fatalities_low"] = out["fatalities"]
    out["fatalities_high"] = out["fatalities"]
    return out


def aliases(table: pd.DataFrame, keyed: dict[str, str]) -> dict[str, str]:
    """Date, coordinates, id or place an ACLED table recognised without ``event_id_cnty`` names as any table does.

    A trimmed or re-saved export may call them ``date``, ``lat``, ``lon`` or ``event_id``;
    only where ACLED's own column is absent and the analyst mapped nothing (``keyed``).
    """
    found = resolve_mapping(list(table.columns), None)
    return {c: src for c, src in found.items() if c not in keyed and ACLED_NAMES.get(c, c) not in table}


def merge_monadic(table: pd.DataFrame, lines: pd.Series) -> tuple[pd.DataFrame, pd.Series, str]:
    """One row per event from a monadic export, with actor1/actor2 and their associates.

    A monadic export has no ``actor2`` column and repeats ``event_id_cnty`` once per actor;
    the first row of an id gives actor1 (and the event's line), the second gives actor2,
    any further actors join ``assoc_actor_2``.

    Returns
    -------
    tuple
        ``(table, lines, note)``; the note is empty when the file is not monadic.
    """
    if "actor2" in table or "event_id_cnty" not in table:
        return table, lines, ""
    ids = table["event_id_cnty"].str.strip()
    repeated = ids.duplicated(keep=False) & (ids.str.len() > 0)
    if not repeated.any():
        return table, lines, ""
    rank = ids.groupby(ids.to_numpy()).cumcount()
    first = table[rank == 0].copy()
    key = ids[rank == 0]
    second = table[rank == 1].set_index(ids[rank == 1])
    for mine, theirs in (("actor2", "actor1"), ("assoc_actor_2", "assoc_actor_1"), ("inter2", "inter1")):
        if theirs in second:
            first[mine] = key.map(second[theirs]).fillna("").to_numpy()
    more = table[rank >= 2]
    if not more.empty:  # a third actor and beyond join actor2's associates
        extra = key.map(more["actor1"].groupby(ids[rank >= 2].to_numpy()).agg("; ".join)).fillna("")
        current = pd.Series(first.get("assoc_actor_2", ""), index=first.index).astype("string").fillna("")
        both = (current + "; " + extra).str.strip("; ")
        first["assoc_actor_2"] = current.where(extra == "", both).to_numpy()
    events = int(repeated[rank == 0].sum())
    note = f"{int(repeated.sum()):,} monadic rows (one per actor) merged into {events:,} events"
    return first, lines[rank == 0], note


def old_event_types(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``(event_type, sub_event_type, source_event_type)`` with pre-2019 types translated.

    Today's types pass through (``source_event_type`` empty); an old one maps onto
    today's type and, where it implies one, sub-event type. ``Riots/Protests`` splits by
    the actor codes: rioters make it a riot, otherwise a protest.
    """
    empty = pd.Series("", index=frame.index, dtype="string")
    etype = frame["event_type"].astype("string").fillna("") if "event_type" in frame else empty
    sub = frame["sub_event_type"].astype("string").fillna("") if "sub_event_type" in frame else empty
    # Translate each distinct type once: a million rows carry a handful of types.
    codes, uniques = pd.factorize(etype)
    keys = pd.Series(uniques, dtype="string").str.strip().str.lower().str.replace(r"\s*-\s*", "-", regex=True)
    table = {k.lower(): v for k, v in ACLED_OLD_EVENT_TYPES.items()}
    if not keys.isin(list(table)).any():
        return etype, sub, empty
    old = keys.map({k: v[0] for k, v in table.items()})
    known = pd.Series(old.notna().to_numpy()[codes], index=frame.index)
    new_type = pd.Series(old.to_numpy()[codes], index=frame.index, dtype="string")
    new_sub = pd.Series(keys.map({k: v[1] for k, v in table.items()}).to_numpy()[codes], index=frame.index, dtype="string")
    riot = pd.Series((keys == "riots/protests").to_numpy()[codes], index=frame.index)
    if riot.any():
        rioters = _is_rioter(frame, "inter1") | _is_rioter(frame, "inter2")
        new_type = new_type.mask(riot & rioters, "Riots")
    out_type = etype.str.strip().mask(known, new_type)
    out_sub = sub.mask(known & (sub.str.len() == 0), new_sub.fillna(""))
    source = ("acled:" + etype.str.strip()).where(known, "")
    return out_type.astype("string"), out_sub.astype("string"), source.astype("string")


def _is_rioter(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series(False, index=frame.index)
    code = frame[col].astype("string").fillna("").str.strip()
    return (code == "5") | (code.str.lower() == ACLED_INTER["5"].lower())


def disorder_types(event_type: pd.Series, given: pd.Series) -> pd.Series:
    """The file's ``disorder_type``, or ACLED's disorder type of the event type where the file has none."""
    missing = given.fillna("").str.len() == 0
    if not missing.any():
        return given
    codes, uniques = pd.factorize(event_type[missing])  # a handful of types: map each once
    derived = pd.Series(uniques).map(DISORDER_TYPES).fillna("").to_numpy(object)[codes]
    out = given.copy()
    out[missing] = derived
    return out


#: ACLED's columns as a layout any table may have (the readers' table, :mod:`geo.io.readers`).
LAYOUT = Layout(detect=detect, to_canonical=from_acled, consumed=CONSUMED, date_convention="dmy",
                aliases=aliases, merge=merge_monadic)  # fmt: skip
