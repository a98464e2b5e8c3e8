"""A real OpenID Connect provider on 127.0.0.1 for the sign-in tests (``oidc-provider-mock``).

It serves discovery, authorization, token, JWKS and userinfo endpoints; its authorization page
has one button per predefined user, whose claims (``email``, ``groups``…) go into the ID token.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

COOKIE_SECRET = "tests-only-cookie-secret-0123456789abcdef"


@contextmanager
def oidc_provider(port: int, users: Mapping[str, dict[str, object]]) -> Iterator[str]:
    """Serve a provider with ``users`` (sub → claims) on ``127.0.0.1:port``; yield its issuer URL."""
    import oidc_provider_mock
    import werkzeug.serving

    app = oidc_provider_mock.app(user_claims=[oidc_provider_mock.User(sub=sub, claims=dict(c)) for sub, c in users.items()])
    server = werkzeug.serving.make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def write_secrets(path: Path, *, issuer: str, app_url: str) -> Path:
    """A ``secrets.toml`` whose ``[auth]`` section points the app at ``issuer`` (what an operator writes)."""
    path.write_text(f"""[auth]
redirect_uri = "{app_url}/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"
client_id = "conflict-map"
client_secret = "tests-only"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid email profile" }}
""", encoding="utf-8")
    return path
