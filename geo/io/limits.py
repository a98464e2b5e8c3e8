"""The size and row limits every reader enforces, and the one wording of each refusal.

The limits are settings (:mod:`geo.settings`); a refusal names the setting so an
analyst knows which knob to turn.
"""

from __future__ import annotations

from geo.errors import ReadError


def check_size(name: str, size_bytes: int, max_file_mb: float) -> None:
    """Refuse a file over ``max_file_mb`` before any byte of it is parsed."""
    if size_bytes > max_file_mb * 1e6:
        msg = (f"{name}: expected a file of at most {max_file_mb:,g} MB (setting CONFLICT_MAP_MAX_FILE_MB), "
               f"got {size_bytes / 1e6:,.1f} MB; split it by date or raise the limit")  # fmt: skip
        raise ReadError(msg)


def check_rows(name: str, rows: int, max_rows: float, *, complete: bool = True) -> None:
    """Refuse a file past ``max_rows`` (``complete=False`` while streaming: the total is not known yet)."""
    if rows > max_rows:
        got = f"{rows:,}" if complete else "more"
        msg = (f"{name}: expected at most {max_rows:,.0f} rows (setting CONFLICT_MAP_MAX_ROWS), got {got}; "
               "split the file by date or raise the limit")  # fmt: skip
        raise ReadError(msg)
