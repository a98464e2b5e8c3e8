"""Downloads made for one click of one user, fetched once, within seconds, while access still holds.

Streamlit's own download buttons keep a file (or a callable that makes it) under an id any
session may ask for, and serve it from ``/media`` without asking who fetches it. Here a file is
made only in a script run that followed the user's own click, after that run's access check; it
waits on a :class:`ExportShelf` under a random token (256 bits) for at most ``ttl_s`` seconds;
the first fetch takes it off the shelf; and the fetch asks the store again (shared by every
replica) whether this user may still export that dataset — a dataset unshared or deleted
meanwhile, on any replica, serves nothing. With sign-in on, the fetch must also carry the same
user's sign-in cookie, not signed out since.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

from geo.access import NotAvailable, User
from geo.escape import markdown_text
from geo.web.cookie import SignIn
from geo.widgets import Widget

#: What the download address answers once the file is gone (fetched, expired, revoked or never there).
GONE = "This download has expired, was already fetched, or is not available to you: press the export button again."
DOWNLOAD_PATH = "download"
#: Files one user may have waiting at once (one per export button is plenty).
PER_USER = 6


@dataclass(frozen=True)
class Export:
    """One file made for one user's click.

    ``dataset_id`` is the dataset it was cut from (asked again at fetch time), or None for a
    file that is the user's own (an upload's rejected rows) or an admin's (the audit log).
    """

    data: bytes = field(repr=False)
    file_name: str
    mime: str
    user: User
    what: str
    dataset_id: str | None = None


class ExportShelf:
    """Files waiting to be fetched, by token; each is taken by its first fetch or dropped after ``ttl_s``.

    Parameters
    ----------
    ttl_s
        Seconds a file waits to be fetched.
    max_bytes
        Most bytes waiting at once in this process: past it :meth:`put` refuses (a memory bound).
    clock
        Seconds, monotonic (tests pass their own).
    """

    def __init__(self, *, ttl_s: float = 60.0, max_bytes: int = 512 * 2**20,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.ttl_s, self.max_bytes, self._clock = ttl_s, max_bytes, clock
        self._waiting: dict[str, tuple[float, Export]] = {}
        self._lock = threading.Lock()  # script threads put, the server's event loop takes

    def put(self, export: Export) -> str:
        """Keep ``export`` for one fetch; return its token. MemoryError when the shelf is full.

        A user's earlier unfetched file of the same name is dropped first, and a user keeps at most
        :data:`PER_USER` files waiting: one user pressing Export again and again cannot fill the
        shelf for everyone else.
        """
        with self._lock:
            self._expire()
            mine = [t for t, (_, e) in self._waiting.items() if e.user.sub == export.user.sub]
            for token in [t for t in mine if self._waiting[t][1].file_name == export.file_name] + mine[: max(0, len(mine) - PER_USER + 1)]:
                self._waiting.pop(token, None)
            if self.waiting_bytes() + len(export.data) > self.max_bytes:
                msg = f"export: expected at most {self.max_bytes / 2**20:.0f} MB waiting to be downloaded; try again shortly"
                raise MemoryError(msg)
            token = secrets.token_urlsafe(32)
            self._waiting[token] = (self._clock() + self.ttl_s, export)
            return token

    def take(self, token: str) -> Export | None:
        """The file under ``token``, removed from the shelf; None when unknown or expired."""
        with self._lock:
            self._expire()
            found = self._waiting.pop(token, None) if isinstance(token, str) else None
        return found[1] if found else None

    def drop(self, *, dataset_id: str) -> int:
        """Remove every waiting file cut from ``dataset_id`` (it was unshared or deleted); how many."""
        with self._lock:
            gone = [t for t, (_, e) in self._waiting.items() if e.dataset_id == dataset_id]
            for token in gone:
                del self._waiting[token]
        return len(gone)

    def waiting_bytes(self) -> int:
        return sum(len(e.data) for _, e in self._waiting.values())

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._waiting)

    def _expire(self) -> None:
        now = self._clock()
        for token in [t for t, (until, _) in self._waiting.items() if until <= now]:
            del self._waiting[token]


#: The process's shelf: the script runs put, the download route takes (one per server process).
SHELF = ExportShelf()


def content_disposition(file_name: str) -> str:
    """``attachment`` with the file name as plain ASCII and as RFC 5987 UTF-8 (no header injection)."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in file_name)[:100]
    return f"attachment; filename=\"{ascii_name or 'download'}\"; filename*=UTF-8''{quote(file_name[:100], safe='')}"


def download_html(token: str, export: Export) -> str:
    """A link to the file, clicked at once by the page (the click that made it asked for it), shown in case that fails."""
    name, size = html.escape(export.file_name), f"{len(export.data) / 1000:,.1f} kB"
    anchor = f"dl-{token[:12]}"
    return (f'<a id="{anchor}" href="{DOWNLOAD_PATH}/{token}" download="{name}">Download {name} ({size})</a> '
            f"<small>· the link works once, for {SHELF.ttl_s:.0f} s</small>"
            f'<script>document.getElementById("{anchor}").click()</script>')  # fmt: skip


@dataclass(frozen=True)
class Download:
    """One download button of a page, as data: the page draws the button, :func:`hand_over` the rest.

    ``make`` builds the file's bytes; it is called only in the run of this user's own click.
    ``dataset_id`` is the dataset the file is cut from (asked again now and when fetched), or None
    for a file that is the user's own (an upload's rejected rows) or an admin's (the audit log).
    """

    label: str
    key: str
    file_name: str
    mime: str
    make: Callable[[], bytes] = field(repr=False)
    what: str
    dataset_id: str | None = None


class MayExport(Protocol):
    """The store's access check (:meth:`geo.storage.interface.Store.info`): raises NotAvailable, logs a refusal."""

    def info(self, dataset_id: str, user: User, *, action: str = ...) -> object: ...


def hand_over(download: Download, *, store: MayExport, user: User, shelf: ExportShelf | None = None) -> Widget:
    """Make ``download`` for ``user`` after their own click and shelve it for one fetch; what the page shows:
    the one-time link as ``html`` (clicked at once), or why not as an ``error``.

    The access check is this run's, for this session's user (never a callable another session
    could trigger); the fetch asks the store again (:func:`check_fetch`).
    """

    try:
        if download.dataset_id is not None:
            store.info(download.dataset_id, user, action="export")  # a refusal is logged
        export = Export(download.make(), download.file_name, download.mime, user, download.what, download.dataset_id)
        token = (shelf or SHELF).put(export)
    except (NotAvailable, MemoryError) as exc:
        return Widget("error", markdown_text(str(exc.args[0])))
    return Widget("html", download_html(token, export), options={"unsafe_allow_javascript": True})


def check_fetch(export: Export, *, sign_in: SignIn | None, sign_in_required: bool,
                signed_out: Callable[[str], float | None], may_export: Callable[[Export], None]) -> None:  # fmt: skip
    """Raise :class:`NotAvailable` unless this fetch may have ``export``.

    Parameters
    ----------
    export
        The file taken off the shelf.
    sign_in
        The fetch's verified sign-in cookie (None: none, or not valid).
    sign_in_required
        Whether sign-in is on: then the cookie must be the user's the file was made for, and not
        signed out since it was signed.
    signed_out
        When a user last signed out (Unix seconds), from the store.
    may_export
        The store's check for the dataset (raises :class:`NotAvailable`; logs the export or the refusal).
    """
    if sign_in_required:
        ended = signed_out(export.user.sub) if sign_in else None
        if sign_in is None or sign_in.sub != export.user.sub or (ended is not None and ended >= sign_in.signed_at):
            raise NotAvailable(export.dataset_id or export.what)
    may_export(export)
