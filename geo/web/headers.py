"""Headers every response carries, and the routes a shared server does not answer.

Pure ASGI (no Streamlit, no Starlette request objects): it wraps the whole app, so it sees
Streamlit's own routes (pages, static files, the sign-in callback) as well as ours.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Added to every HTTP response. The app's own pages frame each other (the map is a component
#: iframe served by this server), so framing by the same origin stays allowed; by any other, not.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
#: Streamlit routes closed on this server: its metrics tell anyone how many sessions are open and how busy it is.
CLOSED_PATHS: tuple[str, ...] = ("/_stcore/metrics",)


def over_tls(scope: Scope) -> bool:
    """Whether the browser reached us over HTTPS: directly, or through a proxy on this host that says so."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    forwarded = dict(scope.get("headers") or ()).get(b"x-forwarded-proto", b"")
    return is_loopback((scope.get("client") or ("", 0))[0]) and forwarded.split(b",")[0].strip() == b"https"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (``::ffff:127.0.0.1`` too: Streamlit listens on both IPv4 and IPv6)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _secure(cookie: bytes) -> bytes:
    return cookie if b"; secure" in cookie.lower() else cookie + b"; Secure"


class SecurityHeaders:
    """Wraps an ASGI app: security headers on every response, closed paths answered 404, cookies ``Secure`` over TLS.

    Parameters
    ----------
    app
        The app wrapped (Streamlit's whole server).
    closed
        Paths answered 404 without reaching ``app`` (matched after any base path).
    """

    def __init__(self, app: ASGIApp, *, closed: tuple[str, ...] = CLOSED_PATHS) -> None:
        self.app, self.closed = app, closed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if any(scope.get("path", "").rstrip("/").endswith(p) for p in self.closed):
            await _not_found(send)
            return
        tls = over_tls(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, _secure(v) if tls and k.lower() == b"set-cookie" else v) for k, v in message.get("headers", [])]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _not_found(send: Send) -> None:
    body = b"Not found"
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": body})
