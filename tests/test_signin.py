"""Sign-in on or off, and which remembered links the first run after signing in may go back to."""

from __future__ import annotations

import re

import pytest

from geo.signin import RESTORE_RETURN_JS, RETURN_PATTERN, SAVE_RETURN_JS, auth_configured

RETURNS = [
    ("/?dataset=0123456789abcdef&type=Battles", True),
    ("/timeline?from=2024-11-29&to=2024-12-03", True),
    ("/border?km=40&view=36.2,37.1,9", True),
    ("//evil.example/?x=1", False),  # protocol-relative: another origin
    ("https://evil.example/?x=1", False),
    ("/\\evil.example?x=1", False),  # some browsers read a backslash as a slash
    ("/?", False),
    ("/map", False),  # no view to restore
    ("javascript:alert(1)//?x", False),
    ("/?x=1 onerror=alert(1)", False),
]  # fmt: skip


@pytest.mark.parametrize(("where", "restored"), RETURNS, ids=[w for w, _ in RETURNS])
def test_only_a_same_origin_path_with_a_query_is_restored(where, restored):
    assert bool(re.fullmatch(RETURN_PATTERN, where)) is restored
    assert RETURN_PATTERN.replace("\\", "\\\\") in RESTORE_RETURN_JS  # the page uses this very pattern


@pytest.mark.parametrize(("secrets", "on"), [
    ({}, False),
    ({"auth": "yes"}, False),
    ({"auth": {"redirect_uri": "http://x/oauth2callback"}}, False),  # no provider
    ({"auth": {"server_metadata_url": "https://id.example/.well-known/openid-configuration"}}, True),
    ({"auth": {"redirect_uri": "u", "keycloak": {"server_metadata_url": "https://id.example/…"}}}, True),  # named provider
])  # fmt: skip
def test_sign_in_is_on_only_with_a_configured_provider(secrets, on):
    assert auth_configured(secrets) is on


def test_the_scripts_write_no_markup():
    for script in (SAVE_RETURN_JS, RESTORE_RETURN_JS):
        assert "innerHTML" not in script and "eval(" not in script and "document.write" not in script
