"""The load report: every row read is either loaded or rejected with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.export import safe_csv

#: The columns in which a reader marks a row it rejects itself: the reason, and the detail shown beside it.
REJECT_COLUMNS = ("_reject_reason", "_reject_detail")


@dataclass
class LoadReport:
    """What happened to every row of one file.

    Attributes
    ----------
    format
        The reader used (``acled``, ``ucdp``, ``geojson``, ``parquet``, ``csv``).
    detected
        Why that format was chosen (so a wrong guess is impossible to miss).
    rows_read
        Data rows in the file.
    rows_loaded
        Rows that became events.
    rejected
        The rejected rows with their raw values, ``line`` (the line a CSV record starts on, header = 1;
        the feature or row number in GeoJSON and Parquet), ``reason`` and ``detail``.
    warnings
        Counts of rows loaded with a warning (e.g. unknown event type).
    encoding
        Text encoding the file was decoded with (``None`` for binary formats).
    delimiter
        Field separator of a delimited file (``commas``, ``semicolons`` …; ``None`` otherwise).
    date_order, date_order_decided_by
        How numeric dates were read (``dmy`` / ``mdy`` / ``ymd``) and why; ``None`` / ``""``
        when the file has no numeric dates.
    notes
        What the reader found and did: the member or sheet read, lines skipped, columns
        dropped, monadic rows merged.
    mapped
        Canonical column → the file's column, for each column the analyst's mapping set.
    merged_rows
        Rows folded into another row's event (monadic exports: one row per actor).
    geocoding
        Rows placed by their place name (no coordinates in the file): ``rows``, ``placed``,
        ``by_method`` (exact, skeleton, fuzzy), ``by_country`` (where they fell),
        ``unplaced`` and ``unplaced_reasons``, ``country_from`` (what bounded the names: the
        row's columns, the file's country, or ``not given``), ``rows_without_country`` and
        the gazetteer's ``covered`` countries. Empty when no row needed it.
    unplaced
        The rejected rows whose place name the gazetteer did not resolve, as read (canonical text
        columns, ``line``; :func:`geo.io.geocode.unplaced_rows`): what the store keeps so that a
        name resolved later can place them. Empty when there are none.
    """

    format: str
    detected: str
    rows_read: int
    rows_loaded: int
    rejected: pd.DataFrame
    warnings: dict[str, int] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    date_order: str | None = None
    date_order_decided_by: str = ""
    notes: list[str] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)
    merged_rows: int = 0
    date_min: pd.Timestamp | None = None
    date_max: pd.Timestamp | None = None
    crs: str = "EPSG:4326"
    geocoding: dict[str, object] = field(default_factory=dict)
    unplaced: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rows_rejected(self) -> int:
        """Number of rejected rows."""
        return len(self.rejected)

    @property
    def reasons(self) -> dict[str, int]:
        """Rejected rows counted by reason, most frequent first."""
        if self.rejected.empty:
            return {}
        return {str(k): int(v) for k, v in self.rejected["reason"].value_counts().items()}

    def to_dict(self) -> dict[str, object]:
        """The report as the JSON object ``python -m geo ingest --json`` prints."""
        return {
            "format": self.format,
            "detected": self.detected,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "date_order": self.date_order,
            "date_order_decided_by": self.date_order_decided_by,
            "notes": self.notes,
            "mapped": self.mapped,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_merged": self.merged_rows,
            "reasons": self.reasons,
            "warnings": self.warnings,
            "date_min": _iso(self.date_min),
            "date_max": _iso(self.date_max),
            "crs": self.crs,
            "geocoding": self.geocoding,
        }

    def summary(self) -> str:
        """A few lines an analyst reads after a load."""
        text = ", ".join(p for p in (self.encoding and f"encoding {self.encoding}", self.delimiter and f"fields separated by {self.delimiter}") if p)
        merged = f"  merged: {self.merged_rows:,}" if self.merged_rows else ""
        lines = [
            f"format: {self.format} ({self.detected})" + (f"; {text}" if text else ""),
            f"rows read: {self.rows_read:,}  loaded: {self.rows_loaded:,}  rejected: {self.rows_rejected:,}{merged}",
            f"dates: {_iso(self.date_min)} to {_iso(self.date_max)}  crs: {self.crs}",
        ]
        lines += [f"  dates — {self.date_order_decided_by}"] if self.date_order_decided_by else []
        lines += [f"  mapped — {canonical} ← {source}" for canonical, source in self.mapped.items()]
        lines += [f"  note — {note}" for note in self.notes]
        lines += _geocoding_lines(self.geocoding)
        lines += [f"  rejected — {reason}: {n:,}" for reason, n in self.reasons.items()]
        lines += [f"  warning — {w}: {n:,}" for w, n in self.warnings.items()]
        return "\n".join(lines)

    def write_rejects(self, path: str | Path) -> Path:
        """Write the rejected rows (raw values, line, reason, detail) to a CSV file.

        Parameters
        ----------
        path
            Where to write (``ingest --rejects``).

        Returns
        -------
        Path
            ``path``. The file is the Data page's download byte for byte: the raw values (and the
            file's own column names) are an uploader's text, neutralised as every CSV the app writes.
        """
        path = Path(path)
        path.write_bytes(safe_csv(self.rejected))
        return path


@dataclass
class LoadResult:
    """Events loaded from a file, and the report that accounts for every row."""

    events: gpd.GeoDataFrame
    report: LoadReport


def _geocoding_lines(geo: dict[str, object]) -> list[str]:
    """The geocoding account in a few lines: how many placed, how, where; what bounded the names."""
    if not geo:
        return []
    counts = lambda d: ", ".join(f"{k} {v:,}" for k, v in d.items()) or "none"  # noqa: E731 - tiny local formatter
    lines = [
        f"  geocoded — {geo['placed']:,} of {geo['rows']:,} rows without coordinates placed by name "
        f"(by method: {counts(geo['by_method'])}; by country: {counts(geo['by_country'])}); unplaced: {geo['unplaced']:,}",
        f"  geocoded — country from {geo['country_from']}",
    ]
    if geo["rows_without_country"]:
        # Say it: these rows could only be placed on an unambiguous name in a covered country.
        lines.append(f"  geocoded — country not given for {geo['rows_without_country']:,} rows: placed only on a name found in "
                     f"one covered country ({', '.join(geo['covered'])}), never against their admin1")  # fmt: skip
    return lines


def _iso(value: pd.Timestamp | None) -> str | None:
    return None if value is None or pd.isna(value) else value.strftime("%Y-%m-%d")
