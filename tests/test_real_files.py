"""Every real export in ../shared/realfiles loads every valid row with its true date.

The expectations (rows, id and date columns, the date formats of an independent reading)
come from ``expect.tsv`` beside the files; the files are never copied into the project.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo.errors import ReadError
from geo.io import read_events
from tests.conftest import SHARED

REALFILES = SHARED / "realfiles"
EXPECT = REALFILES / "expect.tsv"


def _cases() -> list[list[str]]:
    if not EXPECT.exists():
        return []
    rows = [line.split("\t") for line in EXPECT.read_text().splitlines() if line and not line.startswith("#")]
    return [r + [""] * (6 - len(r)) for r in rows]


def _original(path) -> pd.DataFrame:
    """The file as pandas reads it with no help from the project (GeoJSON: the feature properties)."""
    if path.suffix == ".geojson":
        return pd.DataFrame([f["properties"] for f in json.loads(path.read_text())["features"]])
    for encoding in ("utf-8", "cp1252"):
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, index_col=False)
        except UnicodeDecodeError:
            continue
    raise AssertionError(path)


def _independent_dates(values: pd.Series, formats: str) -> pd.Series:
    out = pd.Series(pd.NaT, index=values.index)
    for fmt in formats.split("|"):
        out = out.fillna(pd.to_datetime(values.str.strip(), format=fmt, errors="coerce"))
    return out


@pytest.mark.skipif(not EXPECT.exists(), reason=f"real files not present at {REALFILES} (../shared is absent in this checkout)")
@pytest.mark.parametrize("case", _cases(), ids=[c[0] for c in _cases()])
def test_real_file_loads_completely_with_true_dates(case):
    name, min_loaded, id_col, date_col, formats, extra = case
    path = REALFILES / name
    if min_loaded == "refuse":
        with pytest.raises(ReadError, match="aggregated workbook"):
            read_events(path)
        return
    result = read_events(path)
    assert result.report.rows_loaded >= int(min_loaded), result.report.summary()
    assert result.report.rows_loaded + result.report.rows_rejected + result.report.merged_rows == result.report.rows_read
    for col in filter(None, extra.split(",")):
        assert result.events[col].notna().any(), f"{col} empty"
    if not date_col:
        return
    original = _original(path)
    original = original[original[id_col].notna()]
    want = _independent_dates(original[date_col].astype(str), formats).set_axis(original[id_col].astype(str).str.strip())
    got = result.events.set_index(result.events["event_id"].astype(str).str.strip())["event_date"]
    common = got.index.intersection(want.index[~want.index.duplicated()])
    assert len(common) >= 0.9 * result.report.rows_loaded
    wrong = got[common] != want[~want.index.duplicated()][common]
    assert not wrong.any(), f"{int(wrong.sum())} dates differ, e.g. {got[common][wrong].head(3).to_dict()}"
