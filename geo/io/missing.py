"""Missing-value spellings (``NA``, ``N/A``, ``null``…) in numeric columns, read as empty.

R writes a missing number as ``NA``, Stata as ``.``, Excel as ``#N/A``, databases as
``NULL``, Python as ``None``, and hand-made tables use ``-``. In a column
that holds numbers none of these can be a value, so they are read as empty: a row
without coordinates then goes to the geocoder like a row with empty cells, and a
row with ``fatalities = NA`` loads with no count instead of being rejected.

Text columns keep them: ``NA`` is Namibia's ISO code and ``None`` an actor's name in
some sources, so a word there is never taken for a missing value. Dates are left to
:mod:`geo.dates`. ``NaN`` is not among the spellings: it is what a failed computation
writes (0/0, a bad projection), so a coordinate spelled so keeps its own rejection
(non-finite coordinates) rather than being filled in by the geocoder. Every cell read as empty is counted in the load report, and the
rejected-rows table keeps the text as the file wrote it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.schema import FIELDS

#: How exports write a missing number (compared without case and surrounding spaces).
MISSING_SPELLINGS: frozenset[str] = frozenset({"na", "n/a", "#n/a", "null", "none", "-", "."})

#: Canonical columns that hold numbers: the only ones whose missing-value spellings are read as empty.
NUMERIC_COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.dtype in ("float64", "Int8", "Int64") and f.name != "source_line")


def blank_missing_numbers(raw: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """``raw`` with missing-value spellings in its numeric columns made empty, and a note saying so.

    Parameters
    ----------
    raw
        Canonical columns as strings (the readers' output, before geocoding and validation).

    Returns
    -------
    tuple
        ``(raw, note)``; the note counts the cells per column and names the spellings found
        (``""`` when there were none). ``raw`` is a copy when anything changed.
    """
    counts: dict[str, int] = {}
    spellings: set[str] = set()
    out = raw
    for col in NUMERIC_COLUMNS:
        if col not in raw:
            continue
        values = raw[col].astype("string").fillna("")
        # A million rows hold few distinct texts: compare each distinct text once.
        codes, uniques = pd.factorize(values)
        text = pd.Series(uniques, dtype="string").str.strip()
        hit = text.str.lower().isin(MISSING_SPELLINGS).to_numpy(bool)
        if not hit.any():
            continue
        rows = hit[codes] if len(codes) else np.zeros(0, dtype=bool)
        if out is raw:
            out = raw.copy()
        out[col] = values.mask(rows, "")
        counts[col] = int(rows.sum())
        spellings |= set(text[hit])
    if not counts:
        return raw, ""
    where = ", ".join(f"{col} ({n:,})" for col, n in counts.items())
    said = ", ".join(repr(s) for s in sorted(spellings))
    note = (f"{said} read as missing in numeric columns: {where} — how R, Stata, Excel and databases "
            "write a missing number; text columns keep such words as written")  # fmt: skip
    return out, note
