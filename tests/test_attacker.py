"""The team server under an attacker: two replicas on one PostGIS, a real OIDC provider, all on 127.0.0.1.

Each test replays one attack that worked before the fix (issue #30) and checks it is stopped:
another session's download ids, download addresses after a dataset is unshared or deleted,
another user's download address, a cookie copied before its user signed out, framing and the
metrics route. What each attack looked like is in its docstring.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from geo.access import User
from geo.storage.postgis import PostgisStore
from geo.web.exports import GONE
from tests.browser import needs_chromium, screenshot
from tests.conftest import FIXTURES
from tests.team import USERS, cookie_header, server_rss_mb, signed_in_page, team_servers
from tests.wsclient import ProtocolClient, download_ids, element_ids, open_session

pytestmark = needs_chromium

UPLOAD = (FIXTURES / "acled_new_text_inter.csv").read_bytes()


def _user(sub: str) -> User:
    claims = USERS[sub]
    role = "analyst" if "conflict-map-analyst" in claims["groups"] else "viewer"
    return User(sub, name=claims["name"], email=claims["email"], groups=frozenset(claims["groups"]), role=role)


@pytest.fixture(scope="module")
def team(postgis_server, tmp_path_factory):
    database = postgis_server()
    limits = {"CONFLICT_MAP_UPLOADS_PER_HOUR": "4"}  # a flood is five uploads here, not twenty-one
    with team_servers(database, tmp_path_factory.mktemp("attack"), env=limits) as urls:
        yield urls, database


def _team_dataset(database: str, date_order: str | None) -> str:
    """Alice's upload shared with her team (each ``date_order`` is another dataset: another content key)."""
    store = PostgisStore(database)
    dataset_id, _ = store.save(UPLOAD, name="acled.csv", user=_user("alice"), date_order=date_order)
    store.share(dataset_id, _user("alice"), visibility="team", teams=("syria-desk",))
    return dataset_id


def _prepared_address(page, runs, button: str = "CSV") -> str:
    """Press an export button with the page's own click on the link held back: the address made for this user, unused."""
    page.evaluate("() => { window.__click = HTMLAnchorElement.prototype.click; HTMLAnchorElement.prototype.click = () => {}; }")
    links = "[...document.querySelectorAll('a[download]')].map(a => a.getAttribute('href'))"
    before = page.evaluate(links)
    runs.act(lambda: page.get_by_role("button", name=button, exact=True).click())
    page.wait_for_function(f"old => {links}.some(h => !old.includes(h))", arg=before, timeout=30_000)
    href = next(h for h in page.evaluate(links) if h not in before)
    page.evaluate("() => { HTMLAnchorElement.prototype.click = window.__click; }")
    assert re.fullmatch(r"download/[A-Za-z0-9_-]{43}", href)
    return href


def _audit(database: str) -> list[tuple[str, str, str, str]]:
    log = PostgisStore(database).audit_log(User("admin", role="admin"))
    return list(log[["actor", "action", "dataset", "detail"]].itertuples(index=False, name=None))


def test_another_sessions_download_ids_give_no_file(team, browser):
    """Before: an anonymous websocket session sent Streamlit's deferred-download request with another
    user's export-button id and got a /media address serving her export; the audit log named her."""
    (first, _), database = team
    dataset_id = _team_dataset(database, None)
    a_ctx, alice, a_runs = signed_in_page(browser, f"{first}/data?dataset={dataset_id}", "alice")
    alice.get_by_role("heading", name="Export the current view").wait_for(timeout=60_000)

    cookies = cookie_header(a_ctx)

    async def attack() -> tuple[list[str], list[str], list[str]]:
        async with ProtocolClient(first, cookies=cookies) as victim:
            seen = await victim.run_page("data", f"dataset={dataset_id}")
            async with ProtocolClient(first) as attacker:
                await attacker.run_page("")
                answers = []
                for element_id in element_ids(seen):
                    reply = (await attacker.ask_deferred_file(element_id)).backend_operation_response
                    answers.append(reply.deferred_file.url)
            return download_ids(seen), element_ids(seen), answers

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        ids, replayed, urls = pool.submit(asyncio.run, attack()).result()
    assert ids == [] and len(replayed) >= 4  # no download id exists to steal; every button id was replayed
    assert not any(urls)  # and none of them made a file

    # Alice's own export address, fetched by nobody signed in, then by Carol: nothing, both refusals logged.
    href = _prepared_address(alice, a_runs)
    anonymous = browser.new_context().request.get(f"{first}/{href}")
    assert anonymous.status == 404 and anonymous.text() == GONE
    c_ctx, _, _ = signed_in_page(browser, first, "carol")
    href = _prepared_address(alice, a_runs)
    stolen = c_ctx.request.get(f"{first}/{href}")
    assert stolen.status == 404 and b"event_id" not in stolen.body()
    log = _audit(database)
    assert ("anonymous", "denied", dataset_id, "export") in log and ("carol@other.example", "denied", dataset_id, "export") in log
    assert not [e for e in log if e[1] == "export"]  # nobody is logged as having exported

    # Her own click still downloads it, once, and the log names her.
    with alice.expect_download(timeout=60_000) as info:
        alice.get_by_role("button", name="CSV", exact=True).click()
    assert b"event_id" in Path(info.value.path()).read_bytes()
    assert ("alice@desk.example", "export", dataset_id, "CSV") in _audit(database)
    href = alice.locator("a[download]").last.get_attribute("href")
    assert a_ctx.request.get(f"{first}/{href}").status == 404  # fetched once: gone
    screenshot(alice, "attack_export_link.png")
    a_runs.check()
    for context in (a_ctx, c_ctx):
        context.close()


def test_download_addresses_die_when_the_dataset_is_unshared_or_deleted(team, browser):
    """Before: /media addresses needed no sign-in and kept serving the export after the owner unshared
    or deleted the dataset, until the exporting session happened to rerun."""
    (first, second), database = team
    dataset_id = _team_dataset(database, "dmy")
    b_ctx, bob, b_runs = signed_in_page(browser, f"{second}/data?dataset={dataset_id}", "bob")
    a_ctx, alice, a_runs = signed_in_page(browser, f"{first}/data?dataset={dataset_id}", "alice")
    for page in (bob, alice):
        page.get_by_role("heading", name="Export the current view").wait_for(timeout=60_000)
    bob_href = _prepared_address(bob, b_runs, "GeoJSON")
    alice_href = _prepared_address(alice, a_runs, "CSV")

    PostgisStore(database).share(dataset_id, _user("alice"), visibility="private")  # from the other replica
    gone = b_ctx.request.get(f"{second}/{bob_href}")
    assert gone.status == 404 and b"FeatureCollection" not in gone.body()
    assert ("bob@desk.example", "denied", dataset_id, "export") in _audit(database)

    bob.goto(f"{second}/?dataset={dataset_id}")  # his link, now refused: said to him, and audited once
    bob.get_by_text(f"dataset {dataset_id}: not available to you").first.wait_for(timeout=60_000)
    assert _audit(database).count(("bob@desk.example", "denied", dataset_id, "open_link")) == 1

    PostgisStore(database).delete(dataset_id, _user("alice"))
    gone = a_ctx.request.get(f"{first}/{alice_href}")
    assert gone.status == 404 and b"event_id" not in gone.body()
    for context in (a_ctx, b_ctx):
        context.close()


def test_a_cookie_copied_before_sign_out_is_refused_on_every_replica(team, browser):
    """Before: a copy of the sign-in cookie kept working after its user pressed Sign out.

    A sign-in cookie names the address it was made for, so Alice signs in on each replica; she
    signs out on the first, and the copies of both cookies stop working, each on its replica.
    """
    (first, second), _ = team
    sessions = [signed_in_page(browser, f"{url}/data", "alice") for url in (first, second)]
    copies = [context.cookies() for context, _, _ in sessions]
    assert all(any(c["name"] == "_streamlit_user" for c in copied) for copied in copies)
    alice = sessions[0][1]
    open_map = sessions[0][0].new_page()  # another tab of hers, left open on the map page
    open_map.goto(f"{first}/")
    open_map.get_by_role("heading", name="Filters").wait_for(timeout=60_000)
    alice.get_by_role("button", name="Sign out").click()  # leaves the app: the provider's sign-out, then back
    alice.get_by_role("button", name="End session").click()
    alice.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    # The open tab's next filter change reruns only the map's fragment: it asks too, and ends there.
    # (The map's own view report may rerun the fragment first: then the input is gone and the page says it already.)
    fat = open_map.locator('[data-testid="stNumberInput"]').filter(has_text="Minimum fatalities").locator("input")
    with contextlib.suppress(PlaywrightError):
        fat.fill("1", timeout=10_000)
        fat.press("Enter", timeout=10_000)
    open_map.get_by_text("This sign-in was signed out").wait_for(timeout=60_000)
    for url, copied in zip((first, second), copies, strict=True):
        thief = browser.new_context()
        thief.add_cookies(copied)
        page = thief.new_page()
        page.goto(f"{url}/data")
        page.get_by_text("This sign-in was signed out").wait_for(timeout=60_000)
        page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
        assert page.get_by_role("heading", name="Filters").count() == 0 and page.get_by_text("Signed in as").count() == 0
        screenshot(page, "attack_signed_out_cookie.png")
        thief.close()
    # Signing in again afterwards works (a sign-out ends earlier sign-ins, not the account).
    again, page, runs = signed_in_page(browser, f"{second}/data", "alice")  # waits for "Signed in as alice@…"
    assert page.get_by_text("This sign-in was signed out").count() == 0
    runs.check()
    for context in (*(c for c, _, _ in sessions), again):
        context.close()


def test_headers_framing_metrics_and_secure_cookies(team, browser):
    """Before: no frame-ancestors / X-Frame-Options, /_stcore/metrics open to anyone, no Secure cookie behind TLS."""
    (first, _), _ = team
    request = browser.new_context().request
    page = request.get(f"{first}/")
    assert page.headers["x-frame-options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in page.headers["content-security-policy"]
    assert request.get(f"{first}/_stcore/metrics").status == 404
    assert request.get(f"{first}/_stcore/metrics/").status == 404
    # Behind a TLS proxy on this host (X-Forwarded-Proto: https), every cookie the server sets is Secure
    # (the page sets the XSRF cookie, sign-out clears the sign-in cookies); over plain HTTP, none is.
    def set_cookies(headers: dict[str, str]) -> list[str]:
        answers = [request.get(f"{first}{path}", headers=headers, max_redirects=0) for path in ("/", "/auth/logout")]
        return [h["value"] for a in answers for h in a.headers_array if h["name"].lower() == "set-cookie"]

    over_tls = set_cookies({"x-forwarded-proto": "https"})
    assert over_tls and all("secure" in c.lower() for c in over_tls)
    plain = set_cookies({})
    assert plain and not any("secure" in c.lower() for c in plain)


def _streamed_upload(url: str, session_id: str, size: int, *, headers: dict[str, str]) -> tuple[int, str]:
    """The same request sent as an attacker's program would: headers, then ``size`` bytes streamed in 1 MB
    chunks whether or not the server has answered (a refused body is never read; the server may close early)."""
    boundary = "attackboundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="events.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    connection.putrequest("PUT", f"/_stcore/upload_file/{session_id}/f{size}")
    for name, value in {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}",
                        "Content-Length": str(len(head) + size + len(tail))}.items():  # fmt: skip
        connection.putheader(name, value)
    connection.endheaders()
    chunk = b"x" * 2**20
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the server answered and closed: the rest is not sent
        connection.send(head)
        for start in range(0, size, len(chunk)):
            connection.send(chunk[: size - start])
        connection.send(tail)
    answer = connection.getresponse()
    text = answer.read().decode()
    connection.close()
    return answer.status, text


def _put_upload(request, url: str, session_id: str, size: int, *, headers: dict[str, str] | None = None):
    """Streamlit's upload request for one file of ``size`` bytes, as a program (not the widget) sends it."""
    return request.put(f"{url}/_stcore/upload_file/{session_id}/f{size}", headers=headers or {},
                       multipart={"file": {"name": "events.csv", "mimeType": "text/csv", "buffer": b"x" * size}})


def test_anonymous_uploads_and_floods_are_refused_before_memory_grows(team, browser):
    """Before: five direct 201 MB uploads by a session that never signed in raised a replica's memory by 1 GB,
    and nothing limited how many uploads anyone sent."""
    (first, _), _ = team

    anonymous = browser.new_context()
    page = anonymous.new_page()  # the sign-in page sets the XSRF cookie; an upload repeats it, as the widget does
    page.goto(first)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    xsrf = {"X-Xsrftoken": next(c["value"] for c in anonymous.cookies() if c["name"] == "_streamlit_xsrf")}
    with open_session(first, cookies=cookie_header(anonymous)) as session_id:
        before = server_rss_mb(first)
        for _ in range(5):
            status, text = _streamed_upload(first, session_id, 40 * 2**20, headers=xsrf | {"Cookie": cookie_header(anonymous)})
            assert status == 403 and "sign in" in text
        assert server_rss_mb(first) - before < 60  # 200 MB sent, none of it held

    # A signed-in analyst is limited too: the fifth upload within the hour is refused with a time to wait.
    a_ctx, _, _ = signed_in_page(browser, f"{first}/data", "alice")
    xsrf = {"X-Xsrftoken": next(c["value"] for c in a_ctx.cookies() if c["name"] == "_streamlit_xsrf")}
    with open_session(first, cookies=cookie_header(a_ctx)) as session_id:
        answers = [_put_upload(a_ctx.request, first, session_id, 1000, headers=xsrf) for _ in range(5)]
    assert [a.status for a in answers[:4]] == [204] * 4 and answers[4].status == 429
    assert int(answers[4].headers["retry-after"]) > 0
    for context in (a_ctx, anonymous):
        context.close()
