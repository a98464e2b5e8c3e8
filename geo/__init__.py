"""Conflict-event core: schema, readers, gazetteer, areas, extraction, queries and maps.

This package never imports streamlit; the dashboard in ``app.py`` and ``pages/``
is a thin view over it.
"""

from geo.errors import GeoError, ReadError
from geo.io import read_events
from geo.report import LoadReport, LoadResult

__all__ = ["GeoError", "LoadReport", "LoadResult", "ReadError", "read_events"]
__version__ = "0.1.0"
