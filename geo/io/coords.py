"""Coordinates as analysts' files write them: decimals, decimal commas, degrees-minutes-seconds.

Each distinct text is parsed once (files repeat coordinates a lot); the style of
each value is returned too, so the load report can say what was converted.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Styles a coordinate text can be read in, as reported in load warnings.
STYLE_WARNINGS: dict[str, str] = {
    "comma": "decimal comma read as a decimal point (kept)",
    "dms": "degrees-minutes-seconds converted to decimal degrees (kept)",
}

_DECIMAL_COMMA = re.compile(r"^[-+]?\d{1,3},\d+$")
_DMS = re.compile(
    r"""^(?P<h1>[NSEW])?\s*(?P<deg>[-+]?\d{1,3}(?:[.,]\d+)?)\s*(?:°|º|˚|d|deg|\s)\s*
    (?:(?P<min>\d{1,2}(?:[.,]\d+)?)\s*(?:'|′|’|m|min|\s)\s*)?
    (?:(?P<sec>\d{1,2}(?:[.,]\d+)?)\s*(?:"|″|''|s|sec)?\s*)?(?P<h2>[NSEW])?$""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_coordinates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers and styles of coordinate texts.

    Parameters
    ----------
    values
        Texts such as ``36.2``, ``36,2``, ``36°12'30"N`` or ``N 36 12.5``.

    Returns
    -------
    tuple
        ``(numbers, styles)``: float64 (NaN where the text is no coordinate; ``inf`` stays
        ``inf`` so validation can name it) and ``decimal`` / ``comma`` / ``dms`` / ``""``.
    """
    fast = plain_numbers(values)
    if fast is not None:  # every text a plain number or empty: the common case, no factorising
        styles = np.where(np.isnan(fast), "", "decimal").astype(object)
        return pd.Series(fast, index=values.index), pd.Series(styles, index=values.index)
    codes, uniques = pd.factorize(values.astype("string").fillna(""), use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(np.nan, index=values.index), pd.Series("", index=values.index)
    text = pd.Series(uniques).astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce").astype("float64").to_numpy().copy()
    styles = np.where(np.isnan(numbers), "", "decimal").astype(object)
    # Only texts that are not plain numbers take the slow, per-value path.
    for i in np.flatnonzero(np.isnan(numbers)):
        numbers[i], styles[i] = _one(str(text.iat[i]))
    return pd.Series(numbers[codes], index=values.index), pd.Series(styles[codes], index=values.index)


def plain_numbers(values: pd.Series) -> np.ndarray | None:
    """float64 of a text column when every non-empty text is a plain decimal number, else None.

    One Arrow cast over the column (an order of magnitude faster than parsing each distinct
    text); any other text — a decimal comma, degrees, a word — sends the caller to the slow path.
    """
    try:
        text = pc.utf8_trim_whitespace(pa.array(values.astype("string").fillna(""), type=pa.string()))
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        if pc.any(pc.match_substring_regex(text, r"(?i)^[+-]?(nan|inf|infinity)$")).as_py():
            return None  # spelled NaN/infinity: the slow path names them
        return pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _one(text: str) -> tuple[float, str]:
    if not text:
        return np.nan, ""
    try:
        return float(text), "decimal"
    except ValueError:
        pass
    if _DECIMAL_COMMA.match(text):
        return float(text.replace(",", ".")), "comma"
    match = _DMS.match(text)
    if match and (match["h1"] or match["h2"] or re.search(r"[°º˚'′\"″]", text)):
        return _dms_value(match), "dms"
    return np.nan, ""


def _dms_value(match: re.Match[str]) -> float:
    def num(group: str) -> float:
        return float((match[group] or "0").replace(",", "."))

    degrees = num("deg")
    value = abs(degrees) + num("min") / 60 + num("sec") / 3600
    hemisphere = (match["h1"] or match["h2"] or "").upper()
    negative = degrees < 0 or match["deg"].startswith("-") or hemisphere in ("S", "W")
    return -value if negative else value


def non_finite(texts: pd.Series, numbers: pd.Series) -> pd.Series:
    """Texts that spell NaN or infinity (``NaN``, ``inf``, ``-Infinity``)."""
    out = pd.Series(np.isinf(numbers.to_numpy()), index=numbers.index)
    unparsed = numbers.isna()
    if unparsed.any():  # only texts that did not parse can spell NaN
        spelled = texts[unparsed].astype("string").str.strip().str.lower().str.lstrip("+-").isin(["nan", "inf", "infinity"])
        out[unparsed] = spelled.fillna(False).to_numpy(bool)
    return out
