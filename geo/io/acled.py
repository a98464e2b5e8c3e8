"""ACLED's older layouts: pre-2019 event types and monadic exports (one row per actor).

Both are translated onto today's dyadic layout and taxonomy as data
(:data:`geo.taxonomy.ACLED_OLD_EVENT_TYPES`); the original event type is kept in
``source_event_type`` so nothing the file said is lost.
"""

from __future__ import annotations

import pandas as pd

from geo.taxonomy import ACLED_INTER, ACLED_OLD_EVENT_TYPES, DISORDER_TYPES

#: Old upper-case layouts call the associated actors "allies".
OLD_COLUMNS: dict[str, str] = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}


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
