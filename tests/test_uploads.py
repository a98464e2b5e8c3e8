"""Upload limits: the ASGI guard in front of Streamlit's upload endpoint, around a stand-in upload app.

The inner app is a Starlette route at Streamlit's path that streams the body and counts it,
so a refusal "before the body is read" is checked by the inner app never being called.
The window rolls over on an injected clock: no sleeps.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from geo.settings import settings
from geo.web.uploads import Refusal, Upload, UploadGuard, UploadLedger, UploadLimits, network_of

URL = "/_stcore/upload_file/session-1/file-1"
KB = 1000


class FakeClock:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class UploadApp:
    """Stands in for Streamlit's upload route: reads the whole body (as ``request.form()`` would) and says 204."""

    def __init__(self) -> None:
        self.calls = 0
        self.bytes_read = 0

    async def put(self, request: Request) -> Response:
        self.calls += 1
        async for chunk in request.stream():  # ClientDisconnect when the guard cuts the body
            self.bytes_read += len(chunk)
        return Response(status_code=204)

    def asgi(self) -> Starlette:
        async def other(request: Request) -> Response:
            return PlainTextResponse("ok")

        return Starlette(routes=[Route("/_stcore/upload_file/{session_id}/{file_id}", self.put, methods=["PUT", "DELETE"]),
                                 Route("/", other)])  # fmt: skip


SMALL = UploadLimits(max_file_bytes=100 * KB, user_uploads_per_window=3, user_bytes_per_window=250 * KB, user_at_once=1,
                     server_uploads_per_window=5, server_bytes_per_window=400 * KB, server_at_once=2,
                     window_seconds=3600, memory_budget_mb=None)  # fmt: skip


def _guarded(*, users: dict[str, str | None] | None = None, sign_in_required: bool = False,
             limits: UploadLimits = SMALL, in_use_mb: float = 100.0) -> tuple[TestClient, UploadApp, FakeClock]:  # fmt: skip
    """A client of the guarded stand-in; the ``X-Test-User`` header names who is signed in (the cookie's stand-in)."""
    inner, clock = UploadApp(), FakeClock()

    def identity(scope) -> str | None:
        return dict(scope["headers"]).get(b"x-test-user", b"").decode() or None

    guard = UploadGuard(inner.asgi(), identity=identity, sign_in_required=sign_in_required, limits=limits,
                        clock=clock, in_use_mb=lambda: in_use_mb)  # fmt: skip
    return TestClient(guard), inner, clock


def _put(client: TestClient, size: int = 10 * KB, *, user: str | None = None, **kwargs) -> object:
    headers = {"x-test-user": user} if user else {}
    return client.put(URL, content=kwargs.pop("content", b"x" * size), headers=headers, **kwargs)


def test_an_anonymous_upload_is_refused_when_sign_in_is_required():
    client, inner, _ = _guarded(sign_in_required=True)
    answer = _put(client)
    assert answer.status_code == 403 and answer.text == "sign in to upload files\n"
    assert answer.headers["content-type"].startswith("text/plain")
    assert inner.calls == 0
    assert _put(client, user="analyst-1").status_code == 204 and inner.calls == 1


def test_other_requests_pass_untouched():
    client, _, _ = _guarded(sign_in_required=True, in_use_mb=10**6)
    assert client.get("/").text == "ok"
    assert client.delete(URL).status_code == 204  # removing an upload is not uploading


def test_the_upload_after_the_hourly_count_is_refused_with_retry_after_until_the_window_rolls():
    client, inner, clock = _guarded()
    for _ in range(3):
        assert _put(client).status_code == 204
        clock.now += 60
    answer = _put(client)
    assert answer.status_code == 429 and inner.calls == 3
    assert answer.text == "you uploaded 3 file(s) in the last hour (limit 3); try again later\n"
    assert answer.headers["retry-after"] == str(3600 - 180)  # until the first of the three leaves the window
    assert _put(client, user="someone-else").status_code == 204  # a signed-in user is counted on their own
    clock.now += 3600 - 180 - 1
    assert _put(client).status_code == 429
    clock.now += 1
    assert _put(client).status_code == 204  # the first upload has rolled out of the window


def test_anonymous_visitors_are_counted_by_ip_address_when_sign_in_is_off():
    ledger = UploadLedger(SMALL, clock=FakeClock())
    for _ in range(3):
        upload = ledger.begin("ip:10.0.0.1")
        assert isinstance(upload, Upload)
        ledger.end(upload)
    assert isinstance(ledger.begin("ip:10.0.0.1"), Refusal)
    assert isinstance(ledger.begin("ip:10.0.0.2"), Upload)


def test_a_user_bytes_per_window_counts_every_byte_received():
    client, _, clock = _guarded()
    assert _put(client, 100 * KB).status_code == 204
    assert _put(client, 100 * KB).status_code == 204
    answer = _put(client, 60 * KB)  # 260 kB > 250 kB: refused from its Content-Length, before its body
    assert answer.status_code == 429 and answer.text.startswith("you uploaded 0.2 MB in the last hour (limit 0.25 MB)")
    assert answer.headers["retry-after"] == "3600"  # the first 100 kB must leave the window to fit 60 kB
    clock.now += 3600
    assert _put(client, 60 * KB).status_code == 204


def test_the_server_wide_limits_hold_across_users():
    client, _, _ = _guarded()
    for user in ("a", "b", "c", "d"):
        assert _put(client, 100 * KB, user=user).status_code == 204
    answer = _put(client, 10 * KB, user="e")  # 410 kB > the server's 400 kB
    assert answer.status_code == 429 and answer.text.startswith("the server uploaded 0.4 MB in the last hour")


def test_an_oversized_content_length_is_refused_before_the_inner_app_is_called():
    client, inner, _ = _guarded()
    limit = SMALL.max_body_bytes  # the file limit plus Streamlit's 1 MB multipart margin
    answer = client.put(URL, content=b"x" * (limit + 1))
    assert answer.status_code == 413 and answer.text == "expected a file of at most 0.1 MB, got 1.1 MB\n"
    assert inner.calls == 0


def _stream(guard: UploadGuard, chunks: int, chunk: bytes, *, user: str | None = None,
            declared: int | None = None) -> tuple[int, dict, bytes, int]:  # fmt: skip
    """PUT a chunked body (no Content-Length) straight through the ASGI interface, one message per chunk.

    TestClient reads a streamed request body whole before the app sees it, so streaming is driven
    here by hand. Returns the status, headers, body and how many chunks the server pulled.
    """
    pulled = 0
    answer: dict = {"headers": {}, "body": b""}

    async def receive() -> dict:
        nonlocal pulled
        if pulled == chunks:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    headers = [(b"transfer-encoding", b"chunked")] if declared is None else [(b"content-length", str(declared).encode())]
    headers += [(b"x-test-user", user.encode())] if user else []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PUT", "scheme": "http",
             "path": URL, "raw_path": URL.encode(), "query_string": b"", "root_path": "", "headers": headers,
             "client": ("10.0.0.9", 5000), "server": ("testserver", 80)}  # fmt: skip
    with ThreadPoolExecutor(1) as pool:  # a loop of its own: Playwright's sync API may hold this thread's
        pool.submit(asyncio.run, guard(scope, receive, send)).result()
    return answer["status"], answer["headers"], answer["body"], pulled


def _guard(inner: UploadApp, limits: UploadLimits) -> UploadGuard:
    def identity(scope) -> str | None:
        return dict(scope["headers"]).get(b"x-test-user", b"").decode() or None

    return UploadGuard(inner.asgi(), identity=identity, sign_in_required=False, limits=limits, clock=FakeClock(),
                       in_use_mb=lambda: 100.0)  # fmt: skip


def test_a_chunked_body_without_content_length_is_cut_off_at_the_limit():
    inner = UploadApp()
    limits = UploadLimits(max_file_bytes=100 * KB, memory_budget_mb=None)
    status, headers, body, pulled = _stream(_guard(inner, limits), 1000, b"x" * (64 * KB))  # 64 MB offered
    assert status == 413 and body == b"expected a file of at most 0.1 MB, got more\n"
    assert headers["connection"] == "close"
    # Reading stopped at the first chunk past the limit (file + 1 MB multipart margin): 18 of 1000 chunks.
    assert pulled == limits.max_body_bytes // (64 * KB) + 1
    assert inner.calls == 1 and inner.bytes_read <= limits.max_body_bytes


def test_a_missing_content_length_does_not_pass_the_byte_budget():
    inner = UploadApp()
    status, headers, body, pulled = _stream(_guard(inner, SMALL), 100, b"x" * (50 * KB), user="streamer")
    assert status == 429 and body.startswith(b"you uploaded 0.3 MB in the last hour (limit 0.25 MB)")
    assert headers["retry-after"] == "3600"
    assert pulled == 6 and inner.bytes_read == 250 * KB  # the sixth chunk passed the budget and was never handed on


def test_a_lying_content_length_does_not_pass_the_file_limit():
    inner = UploadApp()
    limits = UploadLimits(max_file_bytes=100 * KB, memory_budget_mb=None)
    status, _, body, pulled = _stream(_guard(inner, limits), 1000, b"x" * (64 * KB), declared=10)
    assert status == 413 and body == b"expected a file of at most 0.1 MB, got more\n"
    assert pulled == limits.max_body_bytes // (64 * KB) + 1


def test_over_the_memory_budget_uploads_are_answered_503():
    limits = UploadLimits(max_file_bytes=100 * KB, memory_budget_mb=1)
    client, inner, _ = _guarded(limits=limits, in_use_mb=300.0)
    answer = _put(client)
    assert answer.status_code == 503 and answer.headers["retry-after"] == "10"
    assert answer.text == "the server is busy: 300 MB in use, budget 1 MB; try again later\n"
    assert inner.calls == 0


def test_uploads_in_flight_are_limited_per_user_and_per_server():
    ledger = UploadLedger(SMALL, clock=FakeClock())
    first = ledger.begin("user:a")
    assert isinstance(first, Upload)
    second = ledger.begin("user:a")
    assert isinstance(second, Refusal) and second.status == 429 and "you have 1 upload(s) in progress" in second.reason
    other = ledger.begin("user:b")
    assert isinstance(other, Upload)
    third = ledger.begin("user:c")
    assert isinstance(third, Refusal) and "the server has 2 upload(s) in progress" in third.reason
    ledger.end(first)
    assert isinstance(ledger.begin("user:a"), Upload)


def test_the_limits_come_from_the_settings():
    limits = UploadLimits.from_settings(settings({"CONFLICT_MAP_UPLOADS_PER_HOUR": "5", "CONFLICT_MAP_UPLOAD_MB_PER_HOUR": "50",
                                                  "CONFLICT_MAP_SERVER_UPLOAD_MB_PER_HOUR": "500", "CONFLICT_MAP_MAX_FILE_MB": "20",
                                                  "CONFLICT_MAP_MEMORY_BUDGET_MB": "2048"}))  # fmt: skip
    assert limits == UploadLimits(max_file_bytes=20_000_000, user_uploads_per_window=5, user_bytes_per_window=50_000_000,
                                  user_at_once=2, server_uploads_per_window=200, server_bytes_per_window=500_000_000,
                                  server_at_once=4, window_seconds=3600.0, memory_budget_mb=2048.0)  # fmt: skip


@pytest.mark.parametrize("path", ["/_stcore/upload_file/s/f", "/app/_stcore/upload_file/s/f"])
def test_the_upload_endpoint_is_recognised_under_a_base_path(path):
    from geo.web.uploads import UPLOAD_PATH

    assert UPLOAD_PATH.search(path)
    assert not UPLOAD_PATH.search("/_stcore/upload_file_evil/s/f") and not UPLOAD_PATH.search("/_stcore/stream")


@pytest.mark.parametrize(("host", "counted_as"), [
    ("203.0.113.7", "203.0.113.7"), ("::ffff:203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"), ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"), ("unknown", "unknown"),
])  # fmt: skip
def test_an_ipv6_visitor_is_counted_by_its_64(host, counted_as):
    assert network_of(host) == counted_as
