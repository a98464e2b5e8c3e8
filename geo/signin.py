"""Sign-in glue that needs no Streamlit: whether sign-in is on, and a link or page surviving it.

Streamlit's OIDC callback always lands on the app's root (``st.login`` takes a provider and no
return address; the callback route redirects to the base URL), so the link or page a signed-out
colleague opened (its page, filters, slice, map view and event) would be lost. The sign-in page
keeps it in the tab's ``sessionStorage`` (same tab, same origin, gone when the tab closes); the
first run after signing in, on a bare root URL, sends the tab back to it. Only one of the app's own
pages (:func:`return_pattern`) is ever restored, never another origin; the app then parses its
query like any link (a tampered one is ignored, with why).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

RETURN_KEY = "conflict-map:return"
_SEGMENT = r"[A-Za-z0-9_.~-]+"


def return_pattern(page_paths: Sequence[str], *, base_path: str = "") -> str:
    """What may be restored after signing in: a path of one of the app's own pages, with or without a query.

    Parameters
    ----------
    page_paths
        The pages' URL paths (Streamlit's ``StreamlitPage.url_path``; ``""`` is the main page).
    base_path
        Streamlit's ``server.baseUrlPath``, under which every page is served.

    The bare main page is not a return target (the callback lands there anyway), and neither is
    anything another page, another origin (``//host``, ``https:``) or a space could make of it.

    Raises
    ------
    ValueError
        When a page path or the base path is not made of URL-safe words.
    """
    for name, path in (*((f"page_paths[{i}]", p) for i, p in enumerate(page_paths)), ("base_path", base_path.strip("/"))):
        if path and not re.fullmatch(rf"{_SEGMENT}(/{_SEGMENT})*", path):
            msg = f"{name}: expected a URL path of letters, digits, '_', '.', '~' or '-', got {path[:60]!r}"
            raise ValueError(msg)
    prefix = "/" + re.escape(base_path.strip("/")) if base_path.strip("/") else ""
    pages = "|".join(re.escape(p) for p in dict.fromkeys(page_paths))
    return rf"^{prefix}/(?!$)(?:{pages})(?:\?[^\s]+)?$"


def save_return_js(pattern: str) -> str:
    """Run on the sign-in page: remember where this tab was going, if :func:`return_pattern` allows it
    (else forget any earlier one: the page opened last is the one asked for)."""
    return f"""<script>
(() => {{
  const where = window.location.pathname + window.location.search;
  const kept = new RegExp({json.dumps(pattern)}).test(where);
  if (kept) sessionStorage.setItem({json.dumps(RETURN_KEY)}, where);
  else sessionStorage.removeItem({json.dumps(RETURN_KEY)});
  document.body.dataset.returnLink = kept ? "saved" : "none";
}})();
</script>"""


def restore_return_js(pattern: str) -> str:
    """Run once after sign-in on a bare root URL: go back to the remembered page, if any (checked again)."""
    return f"""<script>
(() => {{
  const where = sessionStorage.getItem({json.dumps(RETURN_KEY)});
  sessionStorage.removeItem({json.dumps(RETURN_KEY)});
  if (where && new RegExp({json.dumps(pattern)}).test(where)) window.location.replace(where);
}})();
</script>"""


def auth_configured(secrets: Mapping[str, object]) -> bool:
    """Sign-in is on when the secrets have an ``[auth]`` section with a provider configured."""
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        return False
    return "server_metadata_url" in auth or any(isinstance(v, Mapping) and "server_metadata_url" in v for v in auth.values())
