"""A throwaway PostgreSQL + PostGIS cluster on 127.0.0.1 for the team-server tests.

``initdb`` in a fresh temporary folder (as the ``postgres`` user when the tests run as root:
PostgreSQL refuses to run as root), started with ``pg_ctl -w`` (which waits until it accepts
connections), dropped when the context ends. Debian's ``postgresql-15-postgis-3`` provides the
binaries; ``.ci/run`` installs it. Outside CI a missing install skips, with the reason; in CI
(``CI`` set) it fails.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

PG_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")


def _missing() -> str | None:
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL 15 not installed at {PG_BIN} (.ci/run installs postgresql-15-postgis-3)"
    if not POSTGIS_CONTROL.exists():
        return f"PostGIS not installed ({POSTGIS_CONTROL} missing; .ci/run installs postgresql-15-postgis-3)"
    return None


def require_postgis() -> None:
    """Skip outside CI when PostgreSQL/PostGIS is absent; in CI, fail."""
    skip_or_fail(_missing())


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def throwaway_postgis(port: int, *, durable: bool = False) -> Iterator[str]:
    """Start a cluster on ``127.0.0.1:port``; yield its URL (database ``postgres``, trust auth on loopback only).

    Tests run it with ``fsync=off`` (nothing to keep); ``durable=True`` keeps PostgreSQL's defaults,
    as the store benchmark does so that its write timings are a real server's.
    """
    require_postgis()
    folder = Path(tempfile.mkdtemp(prefix="conflict-map-pg-"))
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    data = folder / "data"
    run = lambda *cmd: subprocess.run(_as_owner([str(c) for c in cmd]), check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run(PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync")
        run(PG_BIN / "pg_ctl", "-D", data, "-w", "-t", "60", "-l", folder / "server.log", "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1" + ("" if durable else " -c fsync=off"), "start")  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError as exc:
        log = (folder / "server.log").read_text(errors="replace")[-2000:] if (folder / "server.log").exists() else ""
        pytest.fail(f"PostgreSQL did not start: {exc.stderr[-2000:]}\n{log}")
    finally:
        subprocess.run(_as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
