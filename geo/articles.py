"""Reading news articles: the seed layout and Markdown/text with front matter.

Seed layout: a title line, a date line (``01-12-2024 04:43``, day-month-year), the
outlet, then the body. Front-matter layout: ``---`` then ``key: value`` lines (title,
date, outlet, url) then ``---`` then the body. A saved web page (``.html``) is read into the
front-matter layout first (:mod:`geo.article_html`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from geo.article_html import MAX_HTML_BYTES, html_article
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


#: Files read as web pages; any other is text (``.txt``, ``.md``) in one of the two layouts.
HTML_SUFFIXES = (".html", ".htm")


def read_article(path: str | Path) -> Article:
    """Parse an article file: text in either layout (see :func:`parse_article`) or a saved web page."""
    path = Path(path)
    return parse_article(article_file_text(path), article_id=path.stem, name=path.name, path=str(path))


def article_file_text(path: str | Path) -> str:
    """An article file's text as :func:`parse_article` reads it (a web page's main text with its front matter).

    Raises
    ------
    ReadError
        When the file is far larger than an article can be, or a web page cannot be read
        (:func:`geo.article_html.html_article`).
    """
    path = Path(path)
    _check_size(path.stat().st_size, name=path.name)  # before reading it
    return article_content_text(path.read_bytes(), name=path.name)


def article_content_text(content: bytes, *, name: str) -> str:
    """An article file's bytes (``name`` says its kind by its suffix) as :func:`parse_article` reads them.

    What :func:`article_file_text` does for a file on disk, for a file that came another way (an upload).

    Raises
    ------
    ReadError
        When the content is far larger than an article can be, a text is not UTF-8, or a web page
        cannot be read (:func:`geo.article_html.html_article`).
    """
    _check_size(len(content), name=name)
    if name.lower().endswith(HTML_SUFFIXES):
        return html_article(content, name=name)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{name}: expected UTF-8 text, got a byte that is not UTF-8 at offset {exc.start:,}"
        raise ReadError(msg) from None


def _check_size(size: int, *, name: str) -> None:
    """ReadError when ``size`` bytes are far more than an article (a web page, or text, by ``name``) can be."""
    limit = MAX_HTML_BYTES if name.lower().endswith(HTML_SUFFIXES) else 4 * MAX_ARTICLE_CHARS  # UTF-8: at most 4 bytes a character
    if size > limit:
        msg = f"{name}: expected an article file of at most {limit:,} bytes, got {size:,}"
        raise ReadError(msg)


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
