"""The signed-in user of an HTTP request, read from Streamlit's sign-in cookie.

Streamlit's native sign-in (``st.login``) keeps the identity token's claims in the cookie
``_streamlit_user``: JSON signed with ``itsdangerous`` (``URLSafeTimedSerializer``, the cookie's
name as salt, ``[auth] cookie_secret`` as key), split into ``_streamlit_user_1``, ``_2``… when it
is large (the first cookie then holds ``chunks-N``). Routes that are not a script run — a
download, an upload — have no ``st.user``; they read the same cookie here and trust it only when
its signature holds. A browser test signs in through a real provider and checks this reading
against ``st.user`` (a change in Streamlit's format fails that test, not silently).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeTimedSerializer

from geo.access import subject

USER_COOKIE = "_streamlit_user"
#: Streamlit's own lifetime of the cookie (30 days) plus its one day of grace.
MAX_AGE_S = 31 * 86_400
_CHUNKS = re.compile(r"chunks-(\d+)")


@dataclass(frozen=True)
class SignIn:
    """A verified sign-in cookie: the identity claims and when the cookie was signed (Unix seconds)."""

    claims: dict[str, object]
    signed_at: float

    @property
    def sub(self) -> str:
        return subject(self.claims)  # the same reading as the app's user (geo.access)


def _unsign(secret: str, name: str, value: str | None, *, max_age_s: int) -> tuple[str, float] | None:
    if not value:
        return None
    try:
        decoded, when = URLSafeTimedSerializer(secret, salt=name).loads(value, max_age=max_age_s, return_timestamp=True)
    except (BadData, UnicodeDecodeError):
        return None
    return (decoded, when.timestamp()) if isinstance(decoded, str) else None


def read_sign_in(cookies: Mapping[str, str], *, secret: str, max_age_s: int = MAX_AGE_S) -> SignIn | None:
    """The sign-in a request's cookie holds, or None (absent, forged, expired or damaged).

    Parameters
    ----------
    cookies
        The request's cookies by name.
    secret
        ``[auth] cookie_secret``: the key the cookie was signed with.
    max_age_s
        Oldest signature accepted, in seconds.
    """
    if not secret:  # sign-in on but no key: nothing verifies (an empty key would verify a forged cookie)
        return None
    first = _unsign(secret, USER_COOKIE, cookies.get(USER_COOKIE), max_age_s=max_age_s)
    if first is None:
        return None
    text, signed_at = first
    if (chunked := _CHUNKS.fullmatch(text)) is not None:
        parts = [_unsign(secret, f"{USER_COOKIE}_{i}", cookies.get(f"{USER_COOKIE}_{i}"), max_age_s=max_age_s)
                 for i in range(1, int(chunked.group(1)) + 1)]  # fmt: skip
        if any(p is None for p in parts):
            return None
        text = "".join(p[0] for p in parts if p is not None)
    try:
        claims = json.loads(text)
    except ValueError:
        return None
    if not isinstance(claims, dict) or claims.get("is_logged_in") is not True or not subject(claims):
        return None
    return SignIn(claims, signed_at)
