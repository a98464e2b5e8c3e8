"""Fill coordinates of rows that name a place but give no coordinates, via the gazetteer.

A row's country bounds where its name may land: the row's own country columns (``country``,
``iso`` or any column named like a country code, mapped or not), else the file's country
(``read_events(country=…)``, ``ingest --country``). A name is looked up only among that
country's places; a country the gazetteer does not cover leaves the row unplaced, with why.
A row with no country at all is placed only on a match that lies in one covered country, and
never against its own admin1 (a region name no covered country has is evidence of elsewhere).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pandas as pd

from geo.countries import country_code, country_label
from geo.gazetteer import Gazetteer, Match, default_gazetteer
from geo.report import REJECT_COLUMNS

REASON_PREFIX = "place not geocoded"
#: A hidden column (dropped with the others starting with ``_``) holding the country code each
#: unplaced row's name was looked up in: what :func:`unplaced_rows` reports beside the name.
PLACE_COUNTRY = "_place_country"
#: Columns, besides the canonical ``country`` / ``iso``, whose name says they hold a country
#: (``iso3``, ``iso_a2``, ``country_code``, ``countrycode``, ``country_iso3``, ``cc`` …).
COUNTRY_COLUMN = re.compile(
    # Not ``country_id``: UCDP and ACLED number countries by Gleditsch-Ward code there, not ISO.
    r"^(?:country|cntry)[_ ]?(?:name|code|iso[_ ]?(?:a|alpha)?[_ ]?[23]?|a[23]|alpha[_ ]?[23])?$"
    r"|^iso(?:[_ ]?(?:a|alpha)?[_ ]?[23]|[_ ]?3166(?:[_ ]?[123])?|[_ ]?code)?$|^cc$"
)
#: A non-canonical column counts as a country column when this share of its distinct values name countries.
COUNTRY_VALUES_MIN = 0.8


def geocode_missing(
    raw: pd.DataFrame, *, country: str | None = None, gazetteer: Callable[[], Gazetteer] = default_gazetteer
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Geocode rows with a ``location`` but empty latitude/longitude (strings in, strings out).

    A resolved name fills ``latitude``, ``longitude``, ``geo_precision`` (1 for a place,
    3 for a governorate) and ``geocoded_by``; an unresolved one marks the row for rejection
    (``_reject_reason``, ``_reject_detail``) with the reason and the best candidate, never a guess.

    Parameters
    ----------
    raw
        Canonical string columns (plus the file's other columns under their own names).
    country
        The file's country (alpha-2 code): bounds the rows whose own columns name none.
        A row whose columns name another country is not placed (the two contradict).
    gazetteer
        What gives the gazetteer, asked only when a row needs it (a store's, with its shared
        layer, costs a build: :meth:`geo.place_store.PlaceStore.gazetteer`).

    Returns
    -------
    tuple
        The frame, and what the load report says about geocoding (:func:`_account`):
        empty when no row needed it.
    """
    if "location" not in raw or "latitude" not in raw or "longitude" not in raw:
        return raw, {}
    lat, lon = raw["latitude"].fillna("").str.strip(), raw["longitude"].fillna("").str.strip()
    location = raw["location"].fillna("").str.strip()
    todo = (lat.str.len() == 0) & (lon.str.len() == 0) & (location.str.len() > 0)
    if REJECT_COLUMNS[0] in raw:  # a row the reader already rejected keeps its own reason
        todo &= raw[REJECT_COLUMNS[0]].fillna("").str.len() == 0
    if not todo.any():
        return raw, {}

    gaz = gazetteer()
    rows = raw.loc[todo]
    columns = _country_columns(rows)
    cc, problem = _row_countries(rows, columns, country)
    admin1 = rows["admin1"].fillna("").str.strip() if "admin1" in rows else pd.Series("", index=rows.index)
    out = raw.copy()
    for col in ("geo_precision", "geocoded_by", *REJECT_COLUMNS, PLACE_COUNTRY):
        if col not in out:
            out[col] = pd.Series("", index=out.index, dtype="string")
    results: dict[tuple[str, str, str], object] = {}
    methods: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    unplaced: Counter[str] = Counter()
    for idx in rows.index:
        key = (location[idx], cc[idx], admin1[idx])
        if problem[idx]:
            result: object = problem[idx]
        elif key not in results:
            results[key] = _resolve(gaz, *key)
            result = results[key]
        else:
            result = results[key]
        if isinstance(result, Match):
            out.loc[idx, ["latitude", "longitude"]] = [repr(result.lat), repr(result.lon)]
            out.loc[idx, "geo_precision"] = str(result.geo_precision)
            out.loc[idx, "geocoded_by"] = f"{result.method} match '{result.name}' ({result.source})"
            methods[result.method] += 1
            countries[result.country or "unknown"] += 1
            continue
        reason, detail = result if isinstance(result, tuple) else _unresolved_text(result, key)
        out.loc[idx, [*REJECT_COLUMNS, PLACE_COUNTRY]] = [f"{REASON_PREFIX}: {reason}", detail, cc[idx]]
        unplaced[reason] += 1
    return out, _account(len(rows), methods, countries, unplaced, columns, country, int(((cc == "") & (problem == "")).sum()), gaz.countries)


def unplaced_rows(raw: pd.DataFrame, lines: pd.Series) -> pd.DataFrame:
    """The rows :func:`geocode_missing` left unplaced, as read (canonical text columns), with their ``line``.

    Kept by the store so that a name resolved later places them (:mod:`geo.place_store`); the
    reason and the country code looked in are in :data:`REJECT_COLUMNS` and :data:`PLACE_COUNTRY`.
    """
    if REJECT_COLUMNS[0] not in raw or PLACE_COUNTRY not in raw:
        return pd.DataFrame(columns=["line"])
    mine = raw[REJECT_COLUMNS[0]].fillna("").str.startswith(REASON_PREFIX + ":")
    return raw.loc[mine].astype("string").fillna("").assign(line=lines[mine].astype("int64")).reset_index(drop=True)


def _resolve(gaz, name: str, cc: str, admin1: str) -> object:
    """The gazetteer's answer for one row, or ``(reason, detail)`` when the row's own evidence refuses it."""

    if cc:
        return gaz.lookup(name, country=cc, admin1=admin1 or None)
    # No country: only a covered country, only one, and never against the row's own region.
    regions = gaz.region_countries(admin1) if admin1 else frozenset()
    if admin1 and not regions:
        return (f"no country given and admin1 is no region of a covered country ({', '.join(gaz.countries)})",
                f"admin1 {admin1[:80]!r}: the place may be in a country the gazetteer does not cover")  # fmt: skip
    if len(regions) == 1:
        return gaz.lookup(name, country=next(iter(regions)), admin1=admin1)
    result = gaz.lookup(name, admin1=admin1 or None, one_country=True)
    if isinstance(result, Match) and regions and result.country not in regions:
        return (f"no country given and the match contradicts admin1 ({', '.join(sorted(regions))})",
                f"'{result.name}' is in {result.country}; admin1 {admin1[:80]!r} is not")  # fmt: skip
    return result


def _unresolved_text(result, key: tuple[str, str, str]) -> tuple[str, str]:
    """``(reason, detail)`` of an unresolved name: the reason groups rows, the detail names this one."""

    best = result.candidates[0]["name"] if result.candidates else "none"
    if key[1]:
        return result.reason, f"no place named {key[0][:80]!r} in {country_label(key[1])} in the gazetteer; best candidate: {best}"
    return result.reason, f"best candidate: {best}"


def _country_columns(rows: pd.DataFrame) -> list[str]:
    """The columns that say a row's country: canonical ``country`` / ``iso``, then others named like one
    whose values are mostly countries (an ``id`` or ``cc`` column of something else does not count)."""

    out = [c for c in ("country", "iso") if c in rows]
    for col in rows.columns:
        if col in out or not isinstance(col, str) or col.startswith("_") or not COUNTRY_COLUMN.match(col):
            continue
        values = rows[col].astype("string").fillna("").str.strip()
        distinct = [v for v in values.unique() if v]
        if distinct and sum(country_code(v) is not None for v in distinct) >= COUNTRY_VALUES_MIN * len(distinct):
            out.append(col)
    return out


def _row_countries(rows: pd.DataFrame, columns: list[str], flag: str | None) -> tuple[pd.Series, pd.Series]:
    """Each row's country code (``""`` when none is known) and, where its evidence refuses any
    placement, ``(reason, detail)``: columns that disagree, a country no one recognises, a flag contradicted."""

    codes = pd.DataFrame(index=rows.index)
    unknown = pd.Series("", index=rows.index, dtype=object)
    for col in columns:
        values = rows[col].astype("string").fillna("").str.strip()
        table = {v: country_code(v) or "" for v in values.unique() if v}
        codes[col] = values.map(table).fillna("")
        unknown = unknown.mask((unknown == "") & (values != "") & (codes[col] == ""), values)
    found = codes.replace("", pd.NA)
    count = found.nunique(axis=1) if len(columns) else pd.Series(0, index=rows.index)
    cc = found.bfill(axis=1).iloc[:, 0].fillna("").astype(object) if len(columns) else pd.Series("", index=rows.index, dtype=object)
    problem = pd.Series("", index=rows.index, dtype=object)
    for idx in count.index[count > 1]:
        names = ", ".join(sorted({country_label(c) for c in found.loc[idx].dropna()}))
        problem[idx] = ("the row's country columns disagree", f"{names} ({', '.join(columns)})")
    for idx in unknown.index[(unknown != "") & (cc == "")]:
        # The file names a country we cannot identify: placing the row anywhere would be a guess.
        problem[idx] = ("country not recognised", f"{unknown[idx][:80]!r} names no country")
    if flag:
        contradicted = (cc != "") & (cc != flag) & (problem == "")
        for idx in contradicted.index[contradicted]:
            problem[idx] = ("the row's country contradicts the file's country",
                            f"row: {country_label(cc[idx])}; file: {country_label(flag)}")  # fmt: skip
        cc = cc.mask((cc == "") & (problem == ""), flag)
    return cc, problem


def _account(
    rows: int, methods: Counter[str], countries: Counter[str], unplaced: Counter[str],
    columns: list[str], flag: str | None, without: int, covered: tuple[str, ...],
) -> dict[str, object]:  # fmt: skip
    """What the load report says: rows geocoded, by which method, in which countries, and why the rest were not."""
    given = [f"column{'s' if len(columns) > 1 else ''} {', '.join(columns)}"] if columns else []
    given += [f"the file's country {flag}" + (" where a row names none" if columns else "")] if flag else []
    return {
        "rows": rows,
        "placed": sum(methods.values()),
        "by_method": dict(methods.most_common()),
        "by_country": dict(countries.most_common()),
        "unplaced": sum(unplaced.values()),
        "unplaced_reasons": dict(unplaced.most_common()),
        "country_from": "; ".join(given) or "not given",
        "rows_without_country": without,
        "covered": list(covered),
    }
