"""Deployment settings as data: one :class:`Setting` row per environment variable.

:func:`settings` reads them, the README's settings table is :func:`settings_table` (a test
checks the README lists every row), and each default is written once, here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from geo.params import BORDER_KM_LIMITS, DEFAULT_BORDER_KM
from geo.paths import ROOT


@dataclass(frozen=True)
class Setting:
    """One setting: the :class:`Settings` attribute, its environment variable, default and meaning."""

    name: str
    env: str
    default: object
    help: str
    kind: str = "text"  # text, path or number (positive)
    bounds: tuple[float, float] | None = None  # a number's inclusive range, when it has one


SETTINGS: tuple[Setting, ...] = (
    Setting("tiles", "CONFLICT_MAP_TILES", "none",
            "`none` (offline: bundled boundaries, water, labels and landmarks only), `osm`, or a self-hosted tile URL template"),
    Setting("mbtiles", "CONFLICT_MAP_MBTILES", None,
            "a local raster MBTiles file drawn under the events, served offline (extracted to `static/tiles` at start; "
            "overrides `CONFLICT_MAP_TILES`)", "path"),
    Setting("datasets_dir", "CONFLICT_MAP_DATASETS", ROOT / "var" / "datasets",
            "where uploaded datasets, their access and the audit log are stored (the embedded store)", "path"),
    Setting("database_url", "CONFLICT_MAP_DATABASE_URL", None,
            "`postgresql://…`: keep datasets, access and the audit log in PostgreSQL/PostGIS instead, shared by "
            "every app process pointed at it (the team server)"),
    Setting("role_claim", "CONFLICT_MAP_ROLE_CLAIM", "groups",
            "the identity-token claim (a list of group names) that gives a signed-in user's role and teams"),
    Setting("admin_groups", "CONFLICT_MAP_ADMIN_GROUPS", "conflict-map-admin",
            "comma-separated groups whose members are admins (see every dataset, delete, read the audit log)"),
    Setting("analyst_groups", "CONFLICT_MAP_ANALYST_GROUPS", "conflict-map-analyst",
            "comma-separated groups whose members are analysts (upload and share); anyone else signed in is a viewer"),
    Setting("border_km", "CONFLICT_MAP_BORDER_KM", DEFAULT_BORDER_KM,
            f"border zone width (km either side of the line) of a link that gives no `km`; "
            f"{BORDER_KM_LIMITS[0]}–{BORDER_KM_LIMITS[1]}, the link parameter's own range", "number", BORDER_KM_LIMITS),
    Setting("max_file_mb", "CONFLICT_MAP_MAX_FILE_MB", 200.0,
            "largest event file read or uploaded; larger files are refused before any byte is parsed", "number"),
    Setting("max_rows", "CONFLICT_MAP_MAX_ROWS", 2_000_000,
            "most rows one file may hold; reading stops with a clear error past it", "number"),
    Setting("max_unpacked_mb", "CONFLICT_MAP_MAX_UNPACKED_MB", 500.0,
            "most megabytes a zip, `.xlsx` or `.ods` may unpack to, all members together: checked against its "
            "directory before a member is opened and counted while reading; an archive compressed more than 100:1, "
            "with over 10 000 members or with a nested archive is refused too", "number"),
    Setting("memory_budget_mb", "CONFLICT_MAP_MEMORY_BUDGET_MB", 4096.0,
            "resident memory (MB) of one app process past which it refuses to start reading or peeking at an upload "
            "and the upload endpoint answers 503 (\"the server is busy\")", "number"),
    Setting("uploads_per_hour", "CONFLICT_MAP_UPLOADS_PER_HOUR", 20,
            "uploads one user (signed in: their account; otherwise their IP address) may send in any rolling hour; "
            "more are answered 429 with Retry-After", "number"),
    Setting("upload_mb_per_hour", "CONFLICT_MAP_UPLOAD_MB_PER_HOUR", 1000.0,
            "megabytes one user may upload in any rolling hour (counted as the bytes arrive)", "number"),
    Setting("user_uploads_at_once", "CONFLICT_MAP_USER_UPLOADS_AT_ONCE", 2,
            "uploads one user may have in flight at once", "number"),
    Setting("server_uploads_per_hour", "CONFLICT_MAP_SERVER_UPLOADS_PER_HOUR", 200,
            "uploads the whole app process accepts in any rolling hour, all users together", "number"),
    Setting("server_upload_mb_per_hour", "CONFLICT_MAP_SERVER_UPLOAD_MB_PER_HOUR", 5000.0,
            "megabytes the whole app process accepts in any rolling hour, all users together", "number"),
    Setting("server_uploads_at_once", "CONFLICT_MAP_SERVER_UPLOADS_AT_ONCE", 4,
            "uploads in flight at once in the whole app process (each may hold up to `CONFLICT_MAP_MAX_FILE_MB` "
            "in memory)", "number"),
)  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """Deployment settings (see :data:`SETTINGS` for each one's variable, default and meaning)."""

    tiles: str
    mbtiles: Path | None
    datasets_dir: Path
    database_url: str | None = field(repr=False)  # may hold a password: never in a repr or a log
    role_claim: str
    admin_groups: str
    analyst_groups: str
    border_km: int
    max_file_mb: float
    max_rows: int
    max_unpacked_mb: float
    memory_budget_mb: float
    uploads_per_hour: int
    upload_mb_per_hour: float
    user_uploads_at_once: int
    server_uploads_per_hour: int
    server_upload_mb_per_hour: float
    server_uploads_at_once: int


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (a malformed or out-of-range number is an error naming the variable).

    Read when ``streamlit run app.py`` builds the server (:func:`geo.web.server.server_options`),
    so a bad value stops the server at start.
    """
    env = os.environ if env is None else env
    return Settings(**{s.name: _read(s, env) for s in SETTINGS})


def _read(setting: Setting, env: Mapping[str, str]) -> object:
    text = env.get(setting.env)
    if text is None:
        return setting.default
    convert: Callable[[str], object] = {"path": Path, "number": lambda t: _number(setting, t)}.get(setting.kind, str)
    return convert(text)


def _number(setting: Setting, text: str) -> float | int:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        msg = f"{setting.env}: expected a positive number, got {text!r}"
        raise ValueError(msg)
    low, high = setting.bounds or (value, value)
    if not low <= value <= high:  # refused, not clamped: a deployment gets the width it asked for or none
        msg = f"{setting.env}: expected a number from {low:g} to {high:g}, got {text!r}"
        raise ValueError(msg)
    return int(value) if isinstance(setting.default, int) else value


def settings_table() -> str:
    """The settings as a Markdown table (the README's "Settings" section)."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    for s in SETTINGS:
        default = "unset" if s.default is None else "`var/datasets` in the project" if s.kind == "path" else f"`{s.default}`"
        rows.append(f"| `{s.env}` | {s.help} | {default} |")
    return "\n".join(rows)
