"""The server's own HTTP layer (geo.web): the sign-in cookie, the download shelf and route, the headers."""

from __future__ import annotations

import hashlib
import json

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

# Streamlit's own cookie writer: the reading here must agree with what it writes (a format change fails here).
from streamlit.auth_util import set_cookie_with_chunks
from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

from geo.access import LOCAL, User, user_from_claims
from geo.storage.embedded import EmbeddedStore
from geo.web.cookie import USER_COOKIE, read_sign_in
from geo.web.exports import GONE, Export, ExportShelf, content_disposition
from geo.web.headers import SecurityHeaders, is_loopback
from geo.web.server import download_endpoint, server_options
from tests.conftest import FIXTURES

SECRET = "tests-only-cookie-secret"
ALICE = User("alice", email="alice@desk.example", groups=frozenset({"syria-desk"}), role="analyst")
CAROL = User("carol", email="carol@other.example", role="analyst")


def _cookies(claims: dict, *, secret: str = SECRET, attr_size: int = 80) -> dict[str, str]:
    """The cookies Streamlit's sign-in sets for ``claims`` (split into chunks when large)."""
    jar: dict[str, str] = {}
    set_cookie_with_chunks(lambda name, value: jar.__setitem__(name, create_signed_value(secret, name, value).decode()),
                           lambda name, value: create_signed_value(secret, name, value), USER_COOKIE,
                           {**claims, "is_logged_in": True}, cookie_attr_size=attr_size)  # fmt: skip
    return jar


def test_the_sign_in_cookie_reads_as_streamlit_wrote_it():
    sign_in = read_sign_in(_cookies({"sub": "alice", "email": "alice@desk.example"}), secret=SECRET)
    assert sign_in is not None and sign_in.sub == "alice" and sign_in.claims["email"] == "alice@desk.example"
    assert sign_in.signed_at > 0


def test_a_large_cookie_in_chunks_reads_whole():
    claims = {"sub": "alice", "groups": [hashlib.sha256(bytes([i, j])).hexdigest()[:12] for i in range(20) for j in range(30)]}
    jar = _cookies(claims)
    assert len(jar) > 2  # it was split
    assert read_sign_in(jar, secret=SECRET).claims["groups"] == claims["groups"]


@pytest.mark.parametrize("tamper", ["other secret", "unsigned", "missing chunk", "edited", "expired"])
def test_a_forged_or_broken_cookie_reads_as_nobody(tamper):
    claims = {"sub": "alice", "groups": [hashlib.sha256(bytes([i, j])).hexdigest()[:12] for i in range(20) for j in range(30)]}
    jar = _cookies(claims, secret="another secret" if tamper == "other secret" else SECRET)
    if tamper == "unsigned":
        jar = {USER_COOKIE: json.dumps({"sub": "admin", "is_logged_in": True})}
    elif tamper == "missing chunk":
        jar.pop(f"{USER_COOKIE}_2")
    elif tamper == "edited":
        jar[USER_COOKIE] = jar[USER_COOKIE].replace(jar[USER_COOKIE][5], "A" if jar[USER_COOKIE][5] != "A" else "B", 1)
    assert read_sign_in(jar, secret=SECRET, max_age_s=-1 if tamper == "expired" else 86_400) is None


def test_the_shelf_gives_a_file_once_and_only_within_its_time():
    now = [0.0]
    shelf = ExportShelf(ttl_s=60, clock=lambda: now[0])
    export = Export(b"a,b\n", "events.csv", "text/csv", ALICE, "CSV", "d" * 32)
    first, second = shelf.put(export), shelf.put(Export(b"{}", "events.geojson", "application/geo+json", ALICE, "GeoJSON", "d" * 32))
    assert len(first) >= 43 and first != second  # 256 random bits each
    assert shelf.take(first) == export and shelf.take(first) is None  # once
    now[0] = 61
    assert shelf.take(second) is None and len(shelf) == 0  # expired unfetched


def test_the_shelf_drops_a_datasets_files_and_bounds_its_memory():
    shelf = ExportShelf(max_bytes=10)
    kept = shelf.put(Export(b"12345", "a.csv", "text/csv", ALICE, "CSV", "a" * 32))
    gone = shelf.put(Export(b"12345", "b.csv", "text/csv", ALICE, "CSV", "b" * 32))
    with pytest.raises(MemoryError, match="at most"):
        shelf.put(Export(b"1", "c.csv", "text/csv", ALICE, "CSV", None))
    assert shelf.drop(dataset_id="b" * 32) == 1 and shelf.take(gone) is None and shelf.take(kept) is not None


@pytest.mark.parametrize("name", ['events".csv', "a\r\nSet-Cookie: x=1", "événements.csv", "../../etc/passwd"])
def test_a_file_name_cannot_break_out_of_its_header(name):
    header = content_disposition(name)
    assert "\r" not in header and "\n" not in header and header.startswith('attachment; filename="')
    assert header.count('"') == 2


def _client(store, shelf, *, secret: str | None) -> TestClient:
    route = Route("/download/{token}", download_endpoint(shelf=shelf, store=lambda: store, secret=lambda: secret))
    return TestClient(Starlette(routes=[route]))


def test_a_download_is_asked_again_when_fetched(tmp_path):
    store, shelf = EmbeddedStore(tmp_path), ExportShelf()
    dataset_id, _ = store.save((FIXTURES / "acled_new_text_inter.csv").read_bytes(), name="a.csv", user=ALICE)
    store.share(dataset_id, ALICE, visibility="team", teams=("syria-desk",))
    client = _client(store, shelf, secret=SECRET)
    made = Export(b"event_id\n1\n", "events.csv", "text/csv", ALICE, "CSV", dataset_id)
    alice, carol = _cookies({"sub": "alice", "email": "alice@desk.example"}), _cookies({"sub": "carol", "email": "carol@other.example"})

    answer = client.get(f"/download/{shelf.put(made)}", cookies=alice)
    assert answer.status_code == 200 and answer.content == made.data
    assert answer.headers["cache-control"] == "no-store" and "attachment" in answer.headers["content-disposition"]
    for cookies in ({}, carol):  # another user's address: nothing, and the refusal names who asked
        refused = client.get(f"/download/{shelf.put(made)}", cookies=cookies)
        assert refused.status_code == 404 and refused.text == GONE
    store.sign_out(ALICE)
    assert client.get(f"/download/{shelf.put(made)}", cookies=alice).status_code == 404  # signed out since
    log = store.audit_log(LOCAL)
    assert list(log.loc[log["action"] == "export", "actor"]) == ["alice@desk.example"]
    assert {"anonymous", "carol@other.example", "alice@desk.example"} <= set(log.loc[log["action"] == "denied", "actor"])


def test_a_download_of_a_deleted_dataset_is_gone_with_sign_in_off(tmp_path):
    store, shelf = EmbeddedStore(tmp_path), ExportShelf()
    dataset_id, _ = store.save((FIXTURES / "acled_new_text_inter.csv").read_bytes(), name="a.csv")
    token, other = (shelf.put(Export(b"x", name, "text/csv", LOCAL, "CSV", dataset_id)) for name in ("a.csv", "b.csv"))
    store.delete(dataset_id, LOCAL)
    client = _client(store, shelf, secret=None)
    assert client.get(f"/download/{token}").status_code == 404
    assert len(shelf) == 0 and client.get(f"/download/{other}").status_code == 404  # every file of it dropped


def _app_with_cookie():
    async def page(request):
        answer = PlainTextResponse("page")
        answer.set_cookie("session", "1")
        return answer

    return SecurityHeaders(Starlette(routes=[Route("/", page), Route("/_stcore/metrics", page)]))


def test_every_answer_carries_the_headers_and_metrics_are_closed():
    client = TestClient(_app_with_cookie())
    answer = client.get("/")
    assert answer.headers["x-frame-options"] == "SAMEORIGIN" and answer.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'self'" in answer.headers["content-security-policy"]
    assert "secure" not in answer.headers["set-cookie"].lower()  # plain HTTP: a Secure cookie would be dropped
    assert client.get("/_stcore/metrics").status_code == 404
    assert TestClient(_app_with_cookie(), base_url="https://maps.example").get("/").headers["set-cookie"].endswith("; Secure")


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
                                                ("10.0.0.5", False), ("::ffff:10.0.0.5", False), ("testclient", False)])  # fmt: skip
def test_only_a_proxy_on_this_host_is_believed_about_tls(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(("sub", "reads_as"), [("alice", "alice"), ("local", ""), ("server", ""), ("", ""),
                                               ("x" * 255, "x" * 255), ("x" * 256, "")])  # fmt: skip
def test_a_cookie_and_the_app_read_one_identity(sub, reads_as):
    """The cookie's user and the app's user are the same id: never cut differently, never a reserved one."""
    sign_in = read_sign_in(_cookies({"sub": sub}), secret=SECRET)
    app_user = user_from_claims({"sub": sub}, role_claim="groups", admins="", analysts="")
    assert app_user.sub == reads_as and (sign_in.sub if sign_in else "") == reads_as


def test_no_key_verifies_nothing():
    assert read_sign_in(_cookies({"sub": "alice"}, secret=""), secret="") is None


def test_a_users_repeated_exports_do_not_fill_the_shelf():
    shelf = ExportShelf(max_bytes=100)
    for _ in range(50):  # the same button pressed again and again: one file waits
        shelf.put(Export(b"12345", "events.csv", "text/csv", ALICE, "CSV", "a" * 32))
    assert len(shelf) == 1
    for i in range(20):
        shelf.put(Export(b"1", f"f{i}.csv", "text/csv", ALICE, "CSV", "a" * 32))
    assert len(shelf) <= 6
    shelf.put(Export(b"12345", "events.csv", "text/csv", CAROL, "CSV", "b" * 32))  # room left for others


def test_the_download_route_follows_the_base_path(tmp_path):
    options = server_options(secret=lambda: None, base_path="/maps/", store=lambda: EmbeddedStore(tmp_path))
    assert [r.path for r in options["routes"]] == ["/maps/download/{token}"]
