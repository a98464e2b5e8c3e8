"""Sign-in on or off, and which remembered links or pages the first run after signing in may go back to."""

from __future__ import annotations

import re

import pytest

from geo.signin import auth_configured, restore_return_js, return_pattern, save_return_js

#: The app's pages' URL paths (app.py's PAGES; "" is the main page, the map).
PAGE_PATHS = ["", "border", "timeline", "actors", "articles", "review", "places", "data"]
PATTERN = return_pattern(PAGE_PATHS)
RETURNS = [
    ("/?dataset=0123456789abcdef&type=Battles", True),
    ("/timeline?from=2024-11-29&to=2024-12-03", True),
    ("/border?km=40&view=36.2,37.1,9", True),
    ("/review", True),  # a page asked for, with no view of its own
    ("/data", True),
    ("/", False),  # the main page: signing in lands there anyway
    ("/reviewer", False),  # not one of the app's pages
    ("/review/x?y=1", False),
    ("/auth/login?provider=x", False),  # Streamlit's own routes are no pages
    ("/oauth2callback?code=1", False),
    ("//evil.example/?x=1", False),  # protocol-relative: another origin
    ("//evil.example/review", False),
    ("https://evil.example/?x=1", False),
    ("/\\evil.example?x=1", False),  # some browsers read a backslash as a slash
    ("/?", False),
    ("/map", False),  # the main page is ""
    ("javascript:alert(1)//?x", False),
    ("/?x=1 onerror=alert(1)", False),
    ("/review\n", False),
]  # fmt: skip


@pytest.mark.parametrize(("where", "restored"), RETURNS, ids=[repr(w) for w, _ in RETURNS])
def test_only_one_of_the_apps_own_pages_is_restored(where, restored):
    assert bool(re.fullmatch(PATTERN, where)) is restored  # anchored, as in the page's RegExp (whose $ is the very end)
    assert PATTERN.replace("\\", "\\\\") in restore_return_js(PATTERN)  # the page uses this very pattern
    assert PATTERN.replace("\\", "\\\\") in save_return_js(PATTERN)


def test_under_a_base_path_only_its_pages_are_restored():
    under = return_pattern(PAGE_PATHS, base_path="/desk.v2/")
    assert [bool(re.fullmatch(under, w)) for w in ("/desk.v2/review", "/desk.v2/?dataset=x", "/review", "/deskxv2/review", "/desk.v2/")] == [
        True, True, False, False, False]  # fmt: skip


@pytest.mark.parametrize(("pages", "base", "error"), [
    (["review", "a b"], "", r"page_paths\[1\]: expected a URL path .*, got 'a b'"),
    (["review|.*"], "", r"page_paths\[0\]: expected a URL path"),
    (["review"], "/my desk/", "base_path: expected a URL path .*, got 'my desk'"),
])  # fmt: skip
def test_a_page_path_that_is_no_url_path_is_refused(pages, base, error):
    with pytest.raises(ValueError, match=error):
        return_pattern(pages, base_path=base)


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
    for script in (save_return_js(PATTERN), restore_return_js(PATTERN)):
        assert "innerHTML" not in script and "eval(" not in script and "document.write" not in script
