"""Sign-in glue that needs no Streamlit: whether sign-in is on, and a shared link surviving it.

Streamlit's OIDC callback always lands on the app's root, so the link a signed-out colleague
opened (its page, filters, slice, map view and event) would be lost. The sign-in page keeps it
in the tab's ``sessionStorage`` (same tab, same origin, gone when the tab closes); the first run
after signing in, on a bare root URL, sends the tab back to it. Only a same-origin path with a
query is ever restored; the app then parses it like any link (a tampered one is ignored, with why).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

RETURN_KEY = "conflict-map:return"
#: What may be restored: a path on this origin (``//host`` would leave it) with a query, no spaces.
RETURN_PATTERN = r"^/(?!/)[^\s\\]*\?[^\s]+$"

#: Run on the sign-in page: remember where this tab was going.
SAVE_RETURN_JS = f"""<script>
(() => {{
  const where = window.location.pathname + window.location.search;
  if (window.location.search.length > 1) sessionStorage.setItem({json.dumps(RETURN_KEY)}, where);
  document.body.dataset.returnLink = window.location.search.length > 1 ? "saved" : "none";
}})();
</script>"""

#: Run once after sign-in on a bare root URL: go back to the remembered link, if any.
RESTORE_RETURN_JS = f"""<script>
(() => {{
  const where = sessionStorage.getItem({json.dumps(RETURN_KEY)});
  sessionStorage.removeItem({json.dumps(RETURN_KEY)});
  if (where && new RegExp({json.dumps(RETURN_PATTERN)}).test(where)) window.location.replace(where);
}})();
</script>"""


def auth_configured(secrets: Mapping[str, object]) -> bool:
    """Sign-in is on when the secrets have an ``[auth]`` section with a provider configured."""
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        return False
    return "server_metadata_url" in auth or any(isinstance(v, Mapping) and "server_metadata_url" in v for v in auth.values())
