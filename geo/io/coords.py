"""Coordinates as analysts' files write them: decimals, decimal commas, degrees-minutes-seconds,
decimal degrees with a hemisphere letter (``35.7874449N``, ``N35.78``, ``35.78 °S``, ``36.03e``).

Each distinct text is parsed once (files repeat coordinates a lot); the style of
each value is returned too, so the load report can say what was converted. A hemisphere
letter is read, never guessed around: a letter of the other axis (``E`` in the latitude
column) or a sign that contradicts the letter (``-35.78N``) leaves the value unread, with a
style that names why.
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
    "hemisphere": "hemisphere letter (N/S/E/W) read as the sign of decimal degrees (kept)",
}
#: Styles of texts left unread because their hemisphere letter contradicts something.
WRONG_AXIS = "letter of the other axis"
WRONG_SIGN = "sign contradicts the letter"

#: Hemisphere letters each axis may carry; S and W are the negative halves.
AXIS_LETTERS: dict[str, str] = {"latitude": "NS", "longitude": "EW"}

_DECIMAL_COMMA = re.compile(r"^[-+]?\d{1,3},\d+$")
_DMS = re.compile(
    r"""^(?P<h1>[NSEW])?\s*(?P<deg>[-+]?\d{1,3}(?:[.,]\d+)?)\s*(?:°|º|˚|d|deg|\s)\s*
    (?:(?P<min>\d{1,2}(?:[.,]\d+)?)\s*(?:'|′|’|m|min|\s)\s*)?
    (?:(?P<sec>\d{1,2}(?:[.,]\d+)?)\s*(?:"|″|''|s|sec)?\s*)?(?P<h2>[NSEW])?$""",
    re.IGNORECASE | re.VERBOSE,
)
# Decimal degrees with one hemisphere letter before or after, an optional degree sign (RE2 syntax:
# pyarrow runs it over all distinct texts at once, so a million lettered values stay vectorised).
_HEMISPHERE = (
    r"^(?P<h1>[NSEWnsew]?)\s*(?P<sign>[-+]?)\s*(?P<num>\d{1,3}(?:[.,]\d+)?)\s*[°º˚]?\s*(?P<h2>[NSEWnsew]?)$"
)


def parse_coordinates(values: pd.Series, axis: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Numbers and styles of coordinate texts.

    Parameters
    ----------
    values
        Texts such as ``36.2``, ``36,2``, ``36°12'30"N``, ``N 36 12.5`` or ``35.7874449N``.
    axis
        ``"latitude"`` or ``"longitude"``: the column the texts come from, so that a letter of
        the other axis is refused (:data:`WRONG_AXIS`); ``None`` accepts any letter.

    Returns
    -------
    tuple
        ``(numbers, styles)``: float64 (NaN where the text is no coordinate; ``inf`` stays
        ``inf`` so validation can name it) and ``decimal`` / ``comma`` / ``dms`` /
        ``hemisphere`` / ``""``, or :data:`WRONG_AXIS` / :data:`WRONG_SIGN` (number NaN).
    """
    fast = plain_numbers(values)
    if fast is not None:  # every text a plain number or empty: the common case, no factorising
        styles = np.where(np.isnan(fast), "", "decimal").astype(object)
        return pd.Series(fast, index=values.index), pd.Series(styles, index=values.index)
    codes, uniques = pd.factorize(values.astype("string").fillna(""), use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(np.nan, index=values.index), pd.Series("", index=values.index)
    text = pd.Series(uniques).astype("string").str.strip()
    # Lettered decimals first, all at once: a million of them must not each take the slow path.
    numbers, styles = _hemisphere(pa.array(text.to_numpy(object), type=pa.string()), axis)
    rest = np.flatnonzero(styles == "")  # never both a float and lettered: the readings do not overlap
    if len(rest):
        numbers[rest] = pd.to_numeric(text.iloc[rest], errors="coerce").astype("float64").to_numpy()
        styles[rest[~np.isnan(numbers[rest])]] = "decimal"
    # Only texts that are neither plain numbers nor lettered decimals take the slow, per-value path.
    for i in np.flatnonzero(np.isnan(numbers) & (styles == "")):
        numbers[i], styles[i], letter = _one(str(text.iat[i]))
        if axis is not None and letter and letter not in AXIS_LETTERS[axis]:
            numbers[i], styles[i] = np.nan, WRONG_AXIS
    return pd.Series(numbers[codes], index=values.index), pd.Series(styles[codes], index=values.index)


def _hemisphere(text: pa.Array, axis: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Decimal degrees with one hemisphere letter, read over all texts at once (Arrow kernels).

    Returns numbers (NaN where the text is not of this form or is refused) and styles
    (``hemisphere``, :data:`WRONG_SIGN`, :data:`WRONG_AXIS` or ``""`` where not of this form).
    """
    numbers = np.full(len(text), np.nan)
    styles = np.full(len(text), "", dtype=object)
    parts = pc.extract_regex(text, _HEMISPHERE)
    if not pc.any(pc.is_valid(parts)).as_py():
        return numbers, styles

    def mask(condition: pa.Array) -> np.ndarray:
        return pc.fill_null(condition, False).to_numpy(zero_copy_only=False)

    letter = pc.utf8_upper(pc.binary_join_element_wise(pc.struct_field(parts, "h1"), pc.struct_field(parts, "h2"), ""))
    one_letter = mask(pc.equal(pc.utf8_length(letter), 1))  # exactly one letter: "N 35 E" is not read
    negative_half = mask(pc.is_in(letter, value_set=pa.array(["S", "W"])))
    # "-35.78S" agrees with itself; "-35.78N" says two things, so neither is believed.
    contradicts = one_letter & mask(pc.equal(pc.struct_field(parts, "sign"), "-")) & ~negative_half
    wrong_axis = np.zeros(len(text), dtype=bool)
    if axis is not None:  # N/S in latitude, E/W in longitude; the other pair is refused, not guessed
        wrong_axis = one_letter & ~mask(pc.is_in(letter, value_set=pa.array(list(AXIS_LETTERS[axis]))))
    good = one_letter & ~contradicts & ~wrong_axis
    num = pc.replace_substring(pc.struct_field(parts, "num"), ",", ".")
    num = pc.if_else(pa.array(good), num, pa.scalar(None, pa.string()))  # only these are certain to cast
    value = pc.cast(num, pa.float64()).to_numpy(zero_copy_only=False)
    numbers[good] = np.where(negative_half[good], -value[good], value[good])
    styles[good], styles[contradicts] = "hemisphere", WRONG_SIGN
    styles[wrong_axis & ~contradicts] = WRONG_AXIS
    return numbers, styles


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


def _one(text: str) -> tuple[float, str, str]:
    """Number, style and upper-case hemisphere letter of one text the vectorised passes left."""
    if not text:
        return np.nan, "", ""
    try:
        return float(text), "decimal", ""
    except ValueError:
        pass
    if _DECIMAL_COMMA.match(text):
        return float(text.replace(",", ".")), "comma", ""
    match = _DMS.match(text)
    if match and (match["h1"] or match["h2"] or re.search(r"[°º˚'′\"″]", text)):
        h1, h2 = (match["h1"] or "").upper(), (match["h2"] or "").upper()
        if h1 and h2 and h1 != h2:  # "N 36 12 E": two hemispheres, no reading
            return np.nan, "", ""
        letter = h1 or h2
        if letter in ("N", "E") and match["deg"].startswith("-"):
            return np.nan, WRONG_SIGN, letter
        return _dms_value(match), "dms", letter
    return np.nan, "", ""


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
