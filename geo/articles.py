"""Reading news articles: the seed layout and Markdown/text with front matter.

Seed layout: a title line, a date line (``01-12-2024 04:43``, day-month-year), the
outlet, then the body. Front-matter layout: ``---`` then ``key: value`` lines (title,
date, outlet, url) then ``---`` then the body.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from geo.errors import ReadError
from geo.escape import html_text

#: The longest article body read (about 30,000 words); a longer text is refused, not cut.
MAX_ARTICLE_CHARS = 200_000

DATE_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M", "%d %B %Y", "%B %d, %Y")


@dataclass(frozen=True)
class Article:
    """One article: its metadata and body text (character offsets refer to ``body``)."""

    article_id: str
    title: str
    published: date
    outlet: str
    url: str
    body: str
    path: str


def read_article(path: str | Path) -> Article:
    """Parse an article file in either layout (see :func:`parse_article`)."""
    path = Path(path)
    return parse_article(path.read_text(encoding="utf-8-sig"), article_id=path.stem, name=path.name, path=str(path))


def parse_article(text: str, *, article_id: str, name: str, path: str = "") -> Article:
    """Parse an article's text in either layout; ``name`` is how errors call it.

    Raises
    ------
    ReadError
        When no publication date can be found (every event date is anchored on it), or the
        text is longer than :data:`MAX_ARTICLE_CHARS`.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if len(text) > MAX_ARTICLE_CHARS:
        msg = f"{name}: expected an article of at most {MAX_ARTICLE_CHARS:,} characters, got {len(text):,}"
        raise ReadError(msg)
    meta, body = _front_matter(text) if text.lstrip().startswith("---") else _seed_layout(text)
    published = _parse_date(meta.get("date", ""))
    if published is None:
        msg = f"{name}: expected a publication date (e.g. '01-12-2024 04:43' or 'date: 2024-12-01'), got {meta.get('date', '')!r}"
        raise ReadError(msg)
    return Article(
        article_id=article_id,
        title=meta.get("title", article_id).strip(),
        published=published,
        outlet=meta.get("outlet", "").strip(),
        url=meta.get("url", "").strip(),
        body=body,
        path=path,
    )


def _seed_layout(text: str) -> tuple[dict[str, str], str]:
    lines = [ln.strip() for ln in text.split("\n")]
    head = [ln for ln in lines if ln][:3]
    if len(head) < 3:
        return {}, text
    title, date_line, outlet = head
    # The body starts after the outlet line; offsets are relative to the body string.
    pos = text.index(outlet, text.index(date_line) + len(date_line)) + len(outlet)
    return {"title": title, "date": date_line, "outlet": outlet}, text[pos:].strip("\n")


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    _, block, body = re.split(r"^---\s*$", text.lstrip(), maxsplit=2, flags=re.MULTILINE)
    meta = {}
    for line in block.strip().split("\n"):
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip().strip('"')
    return meta, body.strip("\n")


def _parse_date(value: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def highlight_html(article: Article, spans: list[tuple[int, int, str]], *, link_params: str = "") -> str:
    """The body as HTML with each event sentence marked and linked to its event on the map.

    Parameters
    ----------
    spans
        ``(start, end, event_id)`` character spans in ``article.body``.
    link_params
        Extra URL parameters (the current filters) appended to each ``?event=`` link.

    Every piece of article text is escaped for HTML *and* Markdown (Streamlit renders
    this through Markdown); ids are URL-encoded.
    """

    out, pos = [], 0
    for start, end, event_id in sorted(set(spans)):
        if start < pos:
            continue
        out.append(html_text(article.body[pos:start]))
        href = f"./?event={quote(event_id)}" + (f"&{link_params}" if link_params else "")
        out.append(f'<mark><a href="{html.escape(href)}" target="_self">{html_text(article.body[start:end])}</a></mark>')
        pos = end
    out.append(html_text(article.body[pos:]))
    return "".join(out)
