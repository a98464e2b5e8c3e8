"""Stata datasets (``.dta``; UCDP publishes GED as one), their values read as text."""

from __future__ import annotations

import io

import pandas as pd

from geo.errors import unreadable
from geo.io.source import Probe, Source

#: The reader's name in load reports.
NAME = "stata"
EXTENSIONS: tuple[str, ...] = (".dta",)
#: The first bytes of a Stata 13+ file.
MAGIC = b"<stata_dta>"
#: The first byte of older Stata files (formats 104–115), which only say so by extension.
OLD_VERSIONS = frozenset(bytes([v]) for v in range(104, 116))


def is_stata(raw: bytes, suffix: str) -> bool:
    """Stata 13+ files open with ``<stata_dta>``; older ones (format 104–115) only say so by extension."""
    return raw.startswith(MAGIC) or (suffix in EXTENSIONS and raw[:1] in OLD_VERSIONS)


def claims(probe: Probe) -> bool:
    """Whether the bytes are a Stata dataset."""
    return is_stata(probe.raw, probe.suffix)


def read(probe: Probe) -> Source:
    """The dataset of a Stata file (the readers' table's entry point)."""
    return read_stata(probe.raw, name=probe.name, note=f"Stata file {probe.name}")


def read_stata(raw: bytes, *, name: str, note: str) -> Source:
    """A Stata dataset, its values as text (dates as ISO ``YYYY-MM-DD``).

    Raises
    ------
    ReadError
        When pandas cannot read it.
    """
    try:
        frame = pd.read_stata(io.BytesIO(raw), convert_categoricals=True, preserve_dtypes=False)
    except Exception as exc:  # noqa: BLE001 - pandas raises several types for damaged Stata files
        raise unreadable(name, "a readable Stata file", exc) from None
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return Source(name, format=NAME, frame=frame.astype("string").fillna(""), note=note)
