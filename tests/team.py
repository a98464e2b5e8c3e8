"""The team server for browser tests: app replicas on their own ports sharing one PostGIS, signed in
through a real OIDC provider (all on 127.0.0.1), and a signed-in browser page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tests.browser import Runs, _free_port, streamlit_server
from tests.conftest import ROOT
from tests.oidc import oidc_provider, write_secrets

USERS = {
    "alice": {"email": "alice@desk.example", "name": "Alice", "groups": ["conflict-map-analyst", "syria-desk"]},
    "bob": {"email": "bob@desk.example", "name": "Bob", "groups": ["syria-desk"]},
    "carol": {"email": "carol@other.example", "name": "Carol", "groups": ["conflict-map-analyst", "iraq-desk"]},
}


@contextmanager
def team_servers(database: str, folder: Path, *, count: int = 2, env: dict[str, str] | None = None) -> Iterator[list[str]]:
    """``count`` `streamlit run app.py` processes with sign-in on, pointed at ``database``; yield their URLs."""
    ports = [_free_port() for _ in range(count)]
    with oidc_provider(_free_port(), USERS) as issuer, ExitStack() as stack:
        for i, port in enumerate(ports):
            secrets = write_secrets(folder / f"secrets-{i}.toml", issuer=issuer, app_url=f"http://127.0.0.1:{port}")
            server_env = {"CONFLICT_MAP_DATABASE_URL": database, "CONFLICT_MAP_DATASETS": str(folder / f"unused-{i}"), **(env or {})}
            stack.enter_context(streamlit_server(ROOT / "app.py", env=server_env, port=port, options=("--secrets.files", str(secrets))))
        yield [f"http://127.0.0.1:{p}" for p in ports]


def signed_in_page(browser, url: str, who: str):
    """A fresh browser (no cookies) opening ``url``: the sign-in page first, then the provider, then back."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    runs = Runs(page)
    page.goto(url)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert page.get_by_role("heading", name="Filters").count() == 0 and page.locator('[data-testid="stMetric"]').count() == 0
    page.wait_for_selector("body[data-return-link]", state="attached", timeout=30_000)  # the link is kept in the tab
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=who, exact=True).click()  # the provider's page: sign in as this user
    page.get_by_text(f"Signed in as {USERS[who]['email']}").first.wait_for(timeout=60_000)
    runs.wait_idle()
    return context, page, runs


def cookie_header(context) -> str:
    """The browser context's cookies as one ``Cookie`` header (what a copied cookie looks like)."""
    return "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())


def server_rss_mb(url: str) -> float:
    """Resident memory (MB) of the `streamlit run` process serving ``url`` (found by its port argument)."""
    port = url.rsplit(":", 1)[1].encode()
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(args) and port in args:
                status = (proc / "status").read_text()
                return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024
        except (OSError, StopIteration, ValueError):
            continue
    msg = f"no streamlit process serving {url}"
    raise LookupError(msg)
