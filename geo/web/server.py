"""The server's own routes and middleware, handed to Streamlit's ``st.App`` by ``app.py``.

``app.py`` is both the script every session runs and the file ``streamlit run`` imports to find
the server (``app = st.App(...)``); it calls :func:`server_options` there. Nothing here imports
Streamlit: the app passes in how to read the sign-in secret.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from geo.access import ANONYMOUS, NotAvailable, User, may_upload, user_from_claims
from geo.settings import Settings, settings
from geo.storage.backends import open_store
from geo.storage.interface import Store
from geo.web.cookie import SignIn, read_sign_in
from geo.web.exports import DOWNLOAD_PATH, GONE, SHELF, Export, ExportShelf, check_fetch, content_disposition
from geo.web.headers import Scope, SecurityHeaders
from geo.web.uploads import UploadGuard, UploadLimits


@functools.cache
def process_store() -> Store:
    """The store this process's routes use (the same backend and place as the app's script runs)."""
    return open_store(settings())


def sign_in_of(request: Request, secret: str | None) -> SignIn | None:
    """The request's verified sign-in, or None (sign-in off, no cookie, or a cookie that does not verify)."""
    return read_sign_in(request.cookies, secret=secret) if secret else None


def download_endpoint(*, shelf: ExportShelf, store: Callable[[], Store],
                      secret: Callable[[], str | None]) -> Callable[[Request], Any]:  # fmt: skip
    """The handler of ``/download/{token}``: one fetch of a file made for the fetching user's own click."""

    async def download(request: Request) -> Response:
        export = shelf.take(request.path_params["token"])
        if export is None:
            return PlainTextResponse(GONE, status_code=404, headers={"cache-control": "no-store"})
        key = secret()
        try:
            await run_in_threadpool(_check, export, store(), sign_in_of(request, key), key is not None)
        except NotAvailable:
            if export.dataset_id:
                shelf.drop(dataset_id=export.dataset_id)  # unshared or deleted: nothing else of it is served
            return PlainTextResponse(GONE, status_code=404, headers={"cache-control": "no-store"})
        headers = {"content-disposition": content_disposition(export.file_name), "cache-control": "no-store"}
        return Response(export.data, media_type=export.mime, headers=headers)

    return download


def _check(export: Export, store: Store, sign_in: SignIn | None, sign_in_required: bool) -> None:
    def may_export(e: Export) -> None:
        if e.dataset_id:
            store.record_export(e.dataset_id, e.user, what=e.what)  # asks again, on the shared store; logs it
        else:
            store.record_download(e.user, what=e.what)

    try:
        check_fetch(export, sign_in=sign_in, sign_in_required=sign_in_required, signed_out=store.signed_out,
                    may_export=may_export)  # fmt: skip
    except NotAvailable:
        # Logged as whoever fetched (the cookie's user, or anonymous), never as the user it was made for.
        fetcher = ANONYMOUS if sign_in is None else User(sub=sign_in.sub, name=str(sign_in.claims.get("name") or ""),
                                                         email=str(sign_in.claims.get("email") or ""))  # fmt: skip
        store.record_denied(export.dataset_id or export.what, fetcher, action="export")
        raise


def uploader(scope: Scope, *, secret: str | None, config: Settings) -> str | None:
    """Who sends an upload request: the sign-in's ``sub`` when that user may upload (an analyst or admin), else None."""
    sign_in = read_sign_in(Request(scope).cookies, secret=secret) if secret else None
    if sign_in is None:
        return None
    user = user_from_claims(sign_in.claims, role_claim=config.role_claim, admins=config.admin_groups,
                            analysts=config.analyst_groups)  # fmt: skip
    return user.sub if may_upload(user) else None


def server_options(*, secret: Callable[[], str | None], base_path: str = "", shelf: ExportShelf = SHELF,
                   store: Callable[[], Store] = process_store) -> dict[str, Any]:  # fmt: skip
    """``routes`` and ``middleware`` for ``st.App``.

    Parameters
    ----------
    secret
        The sign-in cookie's key (``[auth] cookie_secret``), or None when sign-in is off.
    shelf
        Where the script runs leave files for :func:`download_endpoint`.
    base_path
        Streamlit's ``server.baseUrlPath`` (the page's relative ``download/…`` link resolves under it).
    store
        The store the download route asks (the process's own by default).
    """
    config = settings()
    prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
    route = Route(f"{prefix}/{DOWNLOAD_PATH}/{{token}}", download_endpoint(shelf=shelf, store=store, secret=secret),
                  methods=["GET"])  # fmt: skip
    guard = Middleware(UploadGuard, identity=lambda scope: uploader(scope, secret=secret(), config=config),
                       sign_in_required=lambda: secret() is not None, limits=UploadLimits.from_settings(config))  # fmt: skip
    return {"routes": [route], "middleware": [Middleware(SecurityHeaders), guard]}
