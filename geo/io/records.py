"""JSON that lists events as records: ACLED's API (``{"data": [...]}``), UCDP's API
(``{"Result": [...]}``) or a plain array of objects, as analysts save API responses.

GeoJSON is told apart by its ``type`` member; anything else that is JSON must hold one list
of objects, or it is refused with what was found.
"""

from __future__ import annotations

import json

import pandas as pd

from geo.errors import ReadError
from geo.io.geojson import property_text
from geo.io.source import Probe, Source

#: The reader's name in load reports.
NAME = "json"
EXTENSIONS: tuple[str, ...] = (".json",)
#: Members under which APIs return their records, in order of preference.
RECORD_MEMBERS: tuple[str, ...] = ("data", "Result", "result", "results", "events", "records", "items")


def claims(probe: Probe) -> bool:
    """Whether decoded text is JSON (an object or an array; GeoJSON was asked first)."""
    return probe.text is not None and probe.text.startswith(("{", "["))


def read(probe: Probe) -> Source:
    """The records of a JSON text as a table (the readers' table's entry point): :func:`read_records`."""
    frame, where = read_records(probe.text or "", name=probe.name)
    return Source(probe.name, format=NAME, frame=frame, note=where)


def read_records(text: str, *, name: str) -> tuple[pd.DataFrame, str]:
    """The records of a JSON API response as text columns, and where they were found.

    Raises
    ------
    ReadError
        When the text is not JSON or holds no list of objects.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        msg = f"{name}: expected JSON, got invalid JSON ({exc})"
        raise ReadError(msg) from None
    member = None
    if isinstance(data, dict):
        member = next((m for m in RECORD_MEMBERS if isinstance(data.get(m), list)), None)
        records = data.get(member) if member else None
    else:
        records = data
    if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
        keys = list(data)[:8] if isinstance(data, dict) else type(data).__name__
        msg = (f"{name}: expected a GeoJSON FeatureCollection or Feature, or a list of event records "
               f"(an API response's {'/'.join(RECORD_MEMBERS[:3])}), got a JSON object with {keys!r}")  # fmt: skip
        raise ReadError(msg)
    frame = pd.DataFrame([{str(k): property_text(v) for k, v in r.items()} for r in records]).fillna("").astype("string")
    where = f'the "{member}" list of the JSON response' if member else "a JSON array of records"
    return frame, f"{len(frame):,} records from {where}"

