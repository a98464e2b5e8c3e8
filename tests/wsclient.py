"""A Streamlit client at the protocol level (no browser): what an attacker's own program can send.

It opens ``/_stcore/stream`` as a new session, asks for a run of a page, and sends backend
operation requests (the deferred-download request among them) with ids it chose itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackendOperationRequest, BackMsg, DeferredFileRequestPayload
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class ProtocolClient:
    """One websocket session of ``url`` (``http://host:port``), with the cookies given (none: anonymous)."""

    def __init__(self, url: str, *, cookies: str = "") -> None:
        self.url, self.cookies = url, cookies
        self.messages: list[ForwardMsg] = []
        self.session_id = ""

    async def __aenter__(self) -> ProtocolClient:
        parts = urlsplit(self.url)
        headers = {"Origin": self.url, **({"Cookie": self.cookies} if self.cookies else {})}
        # The browser proves it holds the XSRF cookie by repeating it as the second subprotocol;
        # Streamlit trusts the sign-in cookie on a websocket only then.
        xsrf = dict(c.strip().split("=", 1) for c in self.cookies.split(";") if "=" in c).get("_streamlit_xsrf")
        self.ws = await websockets.connect(f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit", *([xsrf] if xsrf else [])],
                                           additional_headers=headers, max_size=2**26)  # fmt: skip
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def run_page(self, page_name: str = "", query: str = "", *, timeout_s: float = 60) -> list[ForwardMsg]:
        """Ask for a run of a page and collect its messages until the run finishes."""
        back = BackMsg()
        back.rerun_script.query_string = query
        back.rerun_script.page_name = page_name
        await self.ws.send(back.SerializeToString())
        return await self._until(lambda m: m.WhichOneof("type") == "script_finished", timeout_s=timeout_s)

    async def ask_deferred_file(self, file_id: str, *, timeout_s: float = 30) -> ForwardMsg:
        """Streamlit's deferred-download request for ``file_id``, sent from this session; its answer."""
        back = BackMsg(backend_operation_request=BackendOperationRequest(
            request_id=f"attack-{file_id[:8]}", session_id=self.session_id,
            deferred_file=DeferredFileRequestPayload(file_id=file_id)))  # fmt: skip
        await self.ws.send(back.SerializeToString())
        found = await self._until(lambda m: m.WhichOneof("type") == "backend_operation_response", timeout_s=timeout_s)
        return found[-1]

    async def _until(self, done, *, timeout_s: float) -> list[ForwardMsg]:
        got: list[ForwardMsg] = []
        async with asyncio.timeout(timeout_s):
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await self.ws.recv())
                if msg.WhichOneof("type") == "new_session":
                    self.session_id = msg.new_session.initialize.session_id
                got.append(msg)
                self.messages.append(msg)
                if done(msg):
                    return got


def download_ids(messages: list[ForwardMsg]) -> list[str]:
    """Every id a download button in these messages carries (its deferred file id, or its /media address)."""
    found = []
    for msg in messages:
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "download_button":
                button = element.download_button
                found += [v for v in (button.deferred_file_id, button.url, button.id) if v]
    return found


def element_ids(messages: list[ForwardMsg]) -> list[str]:
    """The ids of every widget these messages drew (what a replaying attacker would try)."""
    found = []
    for msg in messages:
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            kind = element.WhichOneof("type")
            widget = getattr(element, kind) if kind else None
            if widget is not None and getattr(widget, "id", ""):
                found.append(widget.id)
    return found


@contextmanager
def open_session(url: str, *, cookies: str = "") -> Iterator[str]:
    """A session kept open (in a thread of its own) while the block runs; yields its id."""
    ready: Future[str] = Future()
    done = threading.Event()

    async def hold() -> None:
        async with ProtocolClient(url, cookies=cookies) as client:
            await client.run_page("")
            ready.set_result(client.session_id)
            while not done.is_set():
                await asyncio.sleep(0.05)  # polls the block's end; the websocket stays open meanwhile

    thread = threading.Thread(target=lambda: asyncio.run(hold()), daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=60)
    finally:
        done.set()
        thread.join(timeout=30)
