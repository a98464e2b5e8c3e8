"""Escaping for text that reaches a page: Markdown (Streamlit) and HTML (maps, articles).

Event files, articles and links are untrusted: an actor name can be ``<script>``, a
source URL can be ``javascript:``. Every value that reaches a page goes through one
of these functions, and only ``http(s)`` links are ever made clickable.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$:])")
# One pass over the raw text: HTML's special characters and every character Markdown
# would still act on become entities (escaping in two passes would mangle the entities).
_HTML_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
    | {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~$:="}
)
_UNSAFE_URL_CHARS = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")
LINK_REL = "noopener noreferrer"


def markdown_text(value: object) -> str:
    """``value`` as literal text inside Markdown: no links, emphasis, HTML or LaTeX survive."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


def html_text(value: object) -> str:
    """``value`` as literal text inside HTML that Streamlit also reads as Markdown.

    HTML-escaped, Markdown punctuation as entities (so ``[x](javascript:…)`` stays text),
    newlines as ``<br>`` (a blank line would end the HTML block and restart Markdown).
    """
    text = str(value).replace("\r\n", "\n").translate(_HTML_TEXT)
    return text.replace("\n", "<br>")


def safe_url(value: object) -> str | None:
    """``value`` when it is an absolute ``http``/``https`` URL with a host, else ``None``.

    ``javascript:``, ``data:``, relative and protocol-relative URLs, and URLs with spaces,
    quotes or control characters are refused: they are shown as text, never linked.
    """
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 2000 or _UNSAFE_URL_CHARS.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


def link_parts(url: object, text: object | None = None, *, limit: int = 80) -> tuple[str | None, str]:
    """A link's target (``None`` when unsafe: shown as text) and the text it shows.

    Without ``text`` the link shows the URL without its scheme: Streamlit's Markdown would
    otherwise auto-link a bare ``https://…`` inside the anchor (a nested, empty link).
    """
    shown = str(text) if text is not None else re.sub(r"^https?://(www\.)?", "", str(url), flags=re.IGNORECASE)
    return safe_url(url), shown if len(shown) <= limit else shown[: limit - 1] + "…"


def link_html(url: object, text: object | None = None, *, limit: int = 80) -> str:
    """An ``<a>`` opening ``url`` in a new tab with ``rel="noopener noreferrer"``; plain text when unsafe."""
    href, shown = link_parts(url, text, limit=limit)
    if href is None:
        return html_text(shown)
    return f'<a href="{html.escape(href, quote=True)}" target="_blank" rel="{LINK_REL}">{html_text(shown)}</a>'


def source_urls(value: object, *, limit: int = 5) -> list[str]:
    """The safe URLs in a ``source_url`` cell (several are joined with `` || ``)."""
    if not isinstance(value, str):  # None, NaN, pd.NA: no links
        return []
    urls = [safe_url(u) for u in str(value).split(" || ")]
    return [u for u in urls if u][:limit]
