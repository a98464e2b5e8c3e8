"""The size, row and memory limits every reader enforces, and the one wording of each refusal.

The limits are settings (:mod:`geo.settings`); a refusal names the setting so an
analyst knows which knob to turn.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from geo.errors import ReadError, ServerBusyError
from geo.settings import Settings, settings


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


def resident_mb() -> float:
    """This process's resident memory now, in MB (``/proc/self/statm``; the peak where there is no ``/proc``)."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        import resource  # POSIX only, and needed only where /proc is missing
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS
        return peak / 1e6 if sys.platform == "darwin" else peak / 1e3


def check_memory(config: Settings | None = None, *, budget_mb: float | None = None,
                 in_use_mb: Callable[[], float] = resident_mb) -> None:  # fmt: skip
    """Refuse to start memory-heavy work (reading or peeking at an upload) while the process is over budget.

    Parameters
    ----------
    config
        Settings whose ``memory_budget_mb`` is the budget (default: :func:`geo.settings.settings`).
    budget_mb
        The budget, overriding ``config``.
    in_use_mb
        What the process holds now (injectable for tests).

    Raises
    ------
    ServerBusyError
        "the server is busy: N MB in use, budget M MB; try again later".
    """
    if budget_mb is None:
        budget_mb = (config or settings()).memory_budget_mb
    used = in_use_mb()
    if used > budget_mb:
        msg = (f"the server is busy: {used:,.0f} MB in use, budget {budget_mb:,.0f} MB "
               "(setting CONFLICT_MAP_MEMORY_BUDGET_MB); try again later")  # fmt: skip
        raise ServerBusyError(msg)
