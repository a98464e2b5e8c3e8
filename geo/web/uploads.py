"""Upload limits: who may upload, how much and how often, enforced before Streamlit buffers a byte.

Streamlit keeps every uploaded file in memory (``PUT /_stcore/upload_file/{session}/{file}``),
so uploads are memory. :class:`UploadLedger` is the pure logic — per user and per server,
uploads and bytes in a rolling window and uploads in flight, the largest file and the memory
budget — and :class:`UploadGuard` the pure ASGI middleware that asks it about every upload
request and counts the body's bytes as they stream, so a missing or lying Content-Length
cannot pass. Wire it into Streamlit's Starlette server (``st.App``)::

    from starlette.middleware import Middleware
    Middleware(UploadGuard, identity=user_id_from_cookie, sign_in_required=True,
               limits=UploadLimits.from_settings())
"""

from __future__ import annotations

import ipaddress
import math
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from geo.io.limits import resident_mb
from geo.settings import Settings, settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Streamlit's upload endpoint, under any ``server.baseUrlPath``.
UPLOAD_PATH = re.compile(r"(?:^|/)_stcore/upload_file/[^/]+/[^/]+/?$")
#: A multipart body is a little larger than the file it carries (Streamlit allows the same margin).
MULTIPART_MARGIN_BYTES = 1 << 20
#: What a client is told to wait when the wait depends on other uploads finishing.
BUSY_RETRY_SECONDS = 10


@dataclass(frozen=True)
class UploadLimits:
    """How much may be uploaded: per user, per server process, per file; ``None`` budget: no memory check."""

    max_file_bytes: int = 200_000_000
    user_uploads_per_window: int = 20
    user_bytes_per_window: int = 1_000_000_000
    user_at_once: int = 2
    server_uploads_per_window: int = 200
    server_bytes_per_window: int = 5_000_000_000
    server_at_once: int = 4
    window_seconds: float = 3600.0
    memory_budget_mb: float | None = 4096.0

    @classmethod
    def from_settings(cls, config: Settings | None = None) -> UploadLimits:
        """The deployment's limits (``CONFLICT_MAP_UPLOADS_PER_HOUR`` and its siblings, ``CONFLICT_MAP_MAX_FILE_MB``)."""
        c = config or settings()
        return cls(max_file_bytes=int(c.max_file_mb * 1e6), user_uploads_per_window=int(c.uploads_per_hour),
                   user_bytes_per_window=int(c.upload_mb_per_hour * 1e6), user_at_once=int(c.user_uploads_at_once),
                   server_uploads_per_window=int(c.server_uploads_per_hour),
                   server_bytes_per_window=int(c.server_upload_mb_per_hour * 1e6),
                   server_at_once=int(c.server_uploads_at_once), window_seconds=3600.0,
                   memory_budget_mb=c.memory_budget_mb)  # fmt: skip

    @property
    def max_body_bytes(self) -> int:
        return self.max_file_bytes + MULTIPART_MARGIN_BYTES


@dataclass(frozen=True)
class Refusal:
    """An upload refused: the HTTP status, a short plain-text reason, and when to retry (seconds)."""

    status: int
    reason: str
    retry_after: int | None = None


@dataclass(eq=False)
class Upload:
    """One upload in the ledger: whose, when it started, how many bytes have arrived."""

    who: str
    started: float
    received: int = 0
    done: bool = field(default=False, repr=False)


class UploadLedger:
    """Per-user and per-server upload accounting over a rolling window (pure logic, thread-safe).

    Parameters
    ----------
    limits
        The limits to enforce.
    clock
        Seconds, monotonic (injectable: tests roll the window without sleeping).
    in_use_mb
        The process's resident memory now (injectable).
    """

    def __init__(self, limits: UploadLimits, *, clock: Callable[[], float] = time.monotonic,
                 in_use_mb: Callable[[], float] = resident_mb) -> None:  # fmt: skip
        self.limits = limits
        self.clock = clock
        self.in_use_mb = in_use_mb
        self._lock = threading.Lock()
        self._server: deque[Upload] = deque()  # every upload started in the window, oldest first
        self._users: dict[str, deque[Upload]] = {}

    def begin(self, who: str, *, declared: int | None = None) -> Upload | Refusal:
        """Admit an upload by ``who`` (``declared``: its Content-Length) or say why not."""
        lim = self.limits
        if declared is not None and declared > lim.max_body_bytes:
            return Refusal(413, f"expected a file of at most {lim.max_file_bytes / 1e6:,g} MB, got {declared / 1e6:,.1f} MB")
        if lim.memory_budget_mb is not None and (used := self.in_use_mb()) > lim.memory_budget_mb:
            return Refusal(503, f"the server is busy: {used:,.0f} MB in use, budget {lim.memory_budget_mb:,.0f} MB; "
                                "try again later", BUSY_RETRY_SECONDS)  # fmt: skip
        with self._lock:
            now = self.clock()
            self._prune(now)
            mine = self._users.get(who, deque())
            need = declared or 0
            refusal = (
                self._at_once(mine, lim.user_at_once, "you have")
                or self._at_once(self._server, lim.server_at_once, "the server has")
                or self._count(mine, lim.user_uploads_per_window, now, "you")
                or self._count(self._server, lim.server_uploads_per_window, now, "the server")
                or self._bytes(mine, lim.user_bytes_per_window, now, "you", need=need)
                or self._bytes(self._server, lim.server_bytes_per_window, now, "the server", need=need)
            )
            if refusal is not None:
                return refusal
            upload = Upload(who, now)
            self._users.setdefault(who, mine).append(upload)
            self._server.append(upload)
            return upload

    def received(self, upload: Upload, size: int) -> Refusal | None:
        """Count ``size`` more bytes of ``upload``; a refusal once it passes a limit (stop reading then)."""
        lim = self.limits
        with self._lock:
            upload.received += size
            if upload.received > lim.max_body_bytes:
                return Refusal(413, f"expected a file of at most {lim.max_file_bytes / 1e6:,g} MB, got more")
            now = self.clock()
            return self._bytes(self._users.get(upload.who, deque()), lim.user_bytes_per_window, now, "you") or self._bytes(
                self._server, lim.server_bytes_per_window, now, "the server"
            )

    def end(self, upload: Upload) -> None:
        """The upload is over (stored, refused or dropped): it no longer counts as in flight; its bytes still count."""
        with self._lock:
            upload.done = True
            self._prune(self.clock())

    def _prune(self, now: float) -> None:
        # An upload leaves the window once it is older than the window and over.
        edge = now - self.limits.window_seconds
        for log in (self._server, *self._users.values()):
            while log and log[0].started <= edge and log[0].done:
                log.popleft()
        for who in [w for w, log in self._users.items() if not log]:
            del self._users[who]

    def _in_window(self, log: deque[Upload], now: float) -> list[Upload]:
        edge = now - self.limits.window_seconds
        return [u for u in log if u.started > edge or not u.done]

    def _at_once(self, log: deque[Upload], limit: int, whose: str) -> Refusal | None:
        if sum(not u.done for u in log) >= limit:
            return Refusal(429, f"{whose} {limit} upload(s) in progress already; wait for them to finish", BUSY_RETRY_SECONDS)
        return None

    def _count(self, log: deque[Upload], limit: int, now: float, who: str) -> Refusal | None:
        window = self._in_window(log, now)
        if len(window) >= limit:
            return Refusal(429, f"{who} uploaded {len(window)} file(s) in the last {self._window_text()} "
                                f"(limit {limit}); try again later", self._wait(window[0], now))  # fmt: skip
        return None

    def _bytes(self, log: deque[Upload], limit: int, now: float, who: str, *, need: int = 0) -> Refusal | None:
        window = self._in_window(log, now)
        used = sum(u.received for u in window)
        if used + need <= limit:
            return None
        # Wait until enough of the oldest uploads have left the window to fit ``need``.
        wait, freed = self.limits.window_seconds, 0
        for u in window:
            freed += u.received
            if used - freed + need <= limit:
                wait = self._wait(u, now)
                break
        return Refusal(429, f"{who} uploaded {used / 1e6:,.1f} MB in the last {self._window_text()} "
                            f"(limit {limit / 1e6:,g} MB); try again later", math.ceil(wait))  # fmt: skip

    def _wait(self, upload: Upload, now: float) -> int:
        return max(1, math.ceil(upload.started + self.limits.window_seconds - now))

    def _window_text(self) -> str:
        s = self.limits.window_seconds
        return "hour" if s == 3600 else f"{s / 60:g} minutes"


class UploadGuard:
    """Pure ASGI middleware enforcing :class:`UploadLimits` on Streamlit's upload endpoint.

    Every other request passes untouched. An upload request is refused before its body is
    read when the visitor is anonymous and sign-in is required (403), its Content-Length is
    over the largest file (413), the process is over its memory budget (503) or a rate or
    concurrency limit is reached (429, with Retry-After); while the body streams its bytes
    are counted, and past a limit the inner app is told the client left and the answer is
    413 or 429.

    Parameters
    ----------
    app
        The ASGI app behind (Streamlit's Starlette app).
    identity
        Who is uploading: the signed-in user's id, or ``None`` for an anonymous visitor.
    sign_in_required
        Whether anonymous uploads are refused (or a callable asked per request: the secrets file may
        change); when off, an anonymous visitor is limited by IP address.
    limits
        The limits (:meth:`UploadLimits.from_settings`).
    clock, in_use_mb
        Injectable time (seconds, monotonic) and resident memory (MB), for tests.
    """

    def __init__(self, app: ASGIApp, *, identity: Callable[[Scope], str | None], sign_in_required: bool | Callable[[], bool],
                 limits: UploadLimits, clock: Callable[[], float] = time.monotonic,
                 in_use_mb: Callable[[], float] = resident_mb) -> None:  # fmt: skip
        self.app = app
        self.identity = identity
        self.sign_in_required = sign_in_required
        self.ledger = UploadLedger(limits, clock=clock, in_use_mb=in_use_mb)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "PUT" or not UPLOAD_PATH.search(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        user = self.identity(scope)
        required = self.sign_in_required() if callable(self.sign_in_required) else self.sign_in_required
        if user is None and required:
            await _respond(send, Refusal(403, "sign in to upload files"))
            return
        client = scope.get("client") or ("unknown", 0)
        who = f"user:{user}" if user is not None else f"ip:{network_of(client[0])}"
        declared = _content_length(scope)
        if declared == -1:
            await _respond(send, Refusal(400, "expected a numeric Content-Length"))
            return
        admitted = self.ledger.begin(who, declared=declared)
        if isinstance(admitted, Refusal):
            await _respond(send, admitted)
            return
        await self._forward(admitted, scope, receive, send)

    async def _forward(self, upload: Upload, scope: Scope, receive: Receive, send: Send) -> None:
        cut: Refusal | None = None
        started = False

        async def counted_receive() -> Message:
            nonlocal cut
            if cut is not None:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                cut = self.ledger.received(upload, len(message.get("body", b"")))
                if cut is not None:  # the app stops reading as if the client had left; our answer goes out
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if cut is not None and not started:
                return  # the inner app's answer to a body we cut is replaced by ours
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if cut is None:
                raise
            # The inner app failed on the disconnect we gave it (ClientDisconnect): expected.
        finally:
            self.ledger.end(upload)
        if cut is not None and not started:
            await _respond(send, cut)


def network_of(host: str) -> str:
    """Who an anonymous visitor is counted as: the IPv4 address, or the IPv6 /64 (one host holds a whole /64,
    so counting single IPv6 addresses would give it billions of fresh limits)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        return str(mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False)) if address.version == 6 else str(address)


def _content_length(scope: Scope) -> int | None:
    """The declared body size, ``None`` when absent, ``-1`` when malformed."""
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            # ASCII digits only, and a sane length ("²".isdigit() is True; 5,000 digits overflow int()).
            return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else -1
    return None


async def _respond(send: Send, refusal: Refusal) -> None:
    body = (refusal.reason + "\n").encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if refusal.retry_after is not None:
        headers.append((b"retry-after", str(refusal.retry_after).encode()))
    if refusal.status in (413, 400):
        headers.append((b"connection", b"close"))  # the rest of the body is not wanted
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
