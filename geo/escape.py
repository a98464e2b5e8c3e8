"""Escaping for text that reaches a page: Markdown (Streamlit) and HTML (maps, articles)."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$:])")


def markdown_text(value: object) -> str:
    """``value`` as literal text inside Markdown: no links, emphasis, HTML or LaTeX survive."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
