"""An upload's way into the store: refused early when it must be, read, keyed, tagged.

:meth:`geo.storage.interface.Store.save` runs these steps in order: :func:`check_upload` (who
may upload, how large, whether the server has the memory), :func:`upload_key` (what
de-duplicates it), :func:`read_upload` (the bytes through :func:`geo.io.read_events`) and
:func:`canonical_events` (aliases merged, areas tagged). ``python -m geo ingest --out`` tags
with the same :func:`canonical_events`, so a file tagged once opens anywhere.

A dataset's id is random (128 bits, :func:`new_dataset_id`): it is the secret of an "anyone with
the link" dataset, so nothing known about the file may let anyone compute it. The content key (a
hash of the file, how it was read and who uploaded it) stays internal, for de-duplication: the
same analyst uploading the same file again gets the same dataset; two analysts get two.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
from pathlib import Path

import geopandas as gpd

from geo.access import LOCAL, User, may_upload
from geo.actors import merge_aliases
from geo.areas import tag_events
from geo.io import read_events
from geo.io.limits import check_memory, check_size
from geo.io.sniff import upload_path
from geo.report import LoadResult
from geo.settings import settings


def check_upload(user: User, *, name: str, size: int, max_file_mb: float | None = None) -> float:
    """Refuse an upload before reading it; return the file-size limit that applies (MB).

    Raises
    ------
    PermissionError
        When ``user`` may not upload (a viewer, or the anonymous visitor).
    ReadError
        When the file is over ``max_file_mb`` (default: the setting).
    ServerBusyError
        When the process is over ``CONFLICT_MAP_MEMORY_BUDGET_MB`` (a :class:`ReadError` too).
    """
    if not may_upload(user):
        msg = f"upload: expected an analyst or admin, got role {user.role!r}"
        raise PermissionError(msg)
    config = settings()
    max_file_mb = config.max_file_mb if max_file_mb is None else max_file_mb
    check_size(name, size, max_file_mb)
    check_memory(config)  # before the read that may take several times the file's size
    return max_file_mb


def upload_key(content: bytes, *, user: User, mapping: dict[str, str] | None = None,
               date_order: str | None = None, country: str | None = None) -> str:  # fmt: skip
    """The content key of an upload: its bytes, how they are read and who sent them."""
    # The same bytes read another way (a mapping, a date order) or by someone else are another dataset.
    how = json.dumps(mapping or {}, sort_keys=True).encode() + (date_order or "").encode()
    how += f"|country={country}".encode() if country else b""  # the same bytes placed in another country
    return content_id(content + how + (b"" if user.sub == LOCAL.sub else user.sub.encode()))


def content_id(content: bytes) -> str:
    """A content key (SHA-256, hex): what de-duplicates uploads; never an id, which must not be computable."""
    return hashlib.sha256(content).hexdigest()


def new_dataset_id() -> str:
    """A new dataset id: 128 random bits as 32 hex digits (the secret of an "anyone with the link" dataset)."""
    return secrets.token_hex(16)


def read_upload(content: bytes, *, name: str, **options: object) -> LoadResult:
    """Read an upload's bytes through a temporary file named like it (readers go by the suffix, refusals name it).

    ``options`` are :func:`geo.io.read_events`'s (``format``, ``mapping``, ``max_rows``…).
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = upload_path(Path(tmp), name)
        path.write_bytes(content)
        return read_events(path, dataset=Path(name).stem, **options)


def canonical_events(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Loaded events as the dashboard stores them: actor aliases merged, areas and border distance tagged.

    ``python -m geo ingest --out`` writes the same, so a file tagged once opens anywhere.
    """
    merged, _ = merge_aliases(events)
    return tag_events(merged).sort_values("event_date", kind="stable").reset_index(drop=True)
