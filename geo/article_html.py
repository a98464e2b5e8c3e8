"""A news article saved as a web page: its main text, title and publication date, read offline.

:func:`html_article` turns a page into the front-matter text :func:`geo.articles.parse_article`
reads (title, date, outlet and URL from the page's meta tags, then the main text, one paragraph
per block). The page is parsed by lxml with the network off and no entity resolution; scripts,
styles, navigation, headers, footers, asides and forms are dropped; trafilatura then keeps the
article's text and drops what is left of the boilerplate (related links, share bars). Nothing is
ever fetched.

A hostile page gives a clear :class:`~geo.errors.ReadError` or safe text, in bounded time: its
size is capped before parsing; a tag with thousands of attributes (quadratic in libxml2) is
refused; nesting deeper than libxml2's 256 levels is cut there; and a page too large or too deep
for trafilatura's tree walks (minutes at 20,000 nested elements) is read by the linear block
reader here instead.
"""

from __future__ import annotations

import codecs
import re
from datetime import date

from geo.errors import ReadError, unreadable

#: The largest page read (a news page with its inline scripts is rarely over 2 MB).
MAX_HTML_BYTES = 5_000_000
#: The most whitespace-separated words in one tag: more is an attribute flood, not a page.
MAX_TAG_WORDS = 2_000
#: Beyond these (after pruning), trafilatura's walk takes seconds; the block reader takes over.
TRAFILATURA_MAX_ELEMENTS = 10_000
TRAFILATURA_MAX_DEPTH = 40
#: Elements dropped with everything in them: never article text.
DROPPED = ("script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
           "form", "button", "select", "nav", "header", "footer", "aside", "dialog")  # fmt: skip
#: Elements whose start and end separate paragraphs in the block reader.
BLOCKS = frozenset({"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
                    "blockquote", "pre", "table", "tr", "td", "th", "dd", "dt", "dl", "figure", "figcaption", "br", "hr"})  # fmt: skip
#: Meta tags naming the publication date, most specific first (property, name or itemprop).
DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate", "publishdate",
             "dc.date", "dc.date.issued", "dcterms.created", "parsely-pub-date", "sailthru.date")  # fmt: skip
TITLE_META = ("og:title", "twitter:title")
ISO_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_TAG = re.compile(r"<[A-Za-z][^<>]*")
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"(\d{4}-\d{2}-\d{2})')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def html_article(content: bytes, *, name: str) -> str:
    """A saved web page as front-matter text (``title``, ``date``, ``outlet``, ``url``, then the body).

    Raises
    ------
    ReadError
        When the page is over :data:`MAX_HTML_BYTES`, holds a tag with more than
        :data:`MAX_TAG_WORDS` attributes, is no HTML lxml can read, has no publication date in its
        meta tags (``article:published_time``, ``<time datetime>``…) or no text.
    """
    if len(content) > MAX_HTML_BYTES:
        msg = f"{name}: expected a web page of at most {MAX_HTML_BYTES // 1_000_000} MB, got {len(content) / 1e6:.1f} MB"
        raise ReadError(msg)
    text = _decode(content)
    flood = max((len(m.group().split()) for m in _TAG.finditer(text)), default=0)
    if flood > MAX_TAG_WORDS:
        msg = f"{name}: expected a web page, got a tag with {flood:,} attributes (at most {MAX_TAG_WORDS:,} are read)"
        raise ReadError(msg)
    tree = _parse(text, name=name)
    meta = _meta(tree, text)
    if meta["date"] is None:
        msg = f"{name}: expected a publication date in the page (meta article:published_time, <time datetime> or datePublished), found none"
        raise ReadError(msg)
    body = _main_text(_pruned(tree))
    if not body:
        msg = f"{name}: expected article text in the page, found none"
        raise ReadError(msg)
    head = [f"{key}: {meta[key]}" for key in ("title", "date", "outlet", "url") if meta[key]]
    return "---\n" + "\n".join(head) + "\n---\n" + body + "\n"


def _decode(content: bytes) -> str:
    """UTF-8 or UTF-16 by their BOM, UTF-8, else the charset the page declares, else Windows-1252; control characters removed."""
    try:
        text = content.decode("utf-16") if content[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else content.decode("utf-8-sig")
    except UnicodeDecodeError:
        declared = re.search(rb"""<meta[^>]{0,200}charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", content[:4096], re.IGNORECASE)
        codec = _codec(declared.group(1).decode("ascii") if declared else "") or "cp1252"
        text = content.decode(codec, errors="replace")
    return _CONTROL.sub("", text)


def _codec(label: str) -> str | None:
    try:
        return codecs.lookup(label).name if label else None
    except LookupError:
        return None


def _parse(text: str, *, name: str):
    import lxml.etree  # with trafilatura: loaded by the first page read, not by importing the articles
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
                                  huge_tree=False, default_doctype=False)  # fmt: skip
    try:
        return lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.LxmlError, ValueError) as exc:
        raise unreadable(name, "a web page (HTML)", exc) from None


def _meta(tree, raw: str) -> dict[str, str | None]:
    """Title, publication day, outlet and URL from the page's meta tags (``None`` when absent)."""
    tags: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key and el.get("content") and key not in tags:
            tags[key] = el.get("content")
    times = [el.get("datetime") or "" for el in tree.iter("time")]
    json_ld = _JSON_LD_DATE.search(raw[:MAX_HTML_BYTES])
    days = [tags.get(k, "") for k in DATE_META] + [json_ld.group(1) if json_ld else ""] + times
    titles = [tags.get(k, "") for k in TITLE_META] + [el.text_content() for el in tree.iter("title", "h1")]
    link = next((el.get("href") for el in tree.iter("link") if (el.get("rel") or "").lower() == "canonical"), None)
    return {"title": _line(next((t for t in titles if _line(t)), "")), "date": next((d for d in map(_day, days) if d), None),
            "outlet": _line(tags.get("og:site_name", "")), "url": _line(tags.get("og:url") or link or "")}  # fmt: skip


def _day(value: str) -> str | None:
    found = ISO_DAY.match(value or "")
    try:
        return date(*map(int, found.groups())).isoformat() if found else None
    except ValueError:  # 2025-02-30
        return None


def _line(value: str, limit: int = 300) -> str:
    """One front-matter value: one line, whitespace collapsed, cut at ``limit`` characters."""
    return " ".join(str(value).split())[:limit]


def _pruned(tree):
    """The page without what is never article text."""
    for el in list(tree.iter(*DROPPED)):
        if el.getparent() is not None:
            el.drop_tree()  # keeps its tail (text after it belongs to the parent)
    return tree


def _main_text(tree) -> str:
    """The article's paragraphs separated by blank lines: trafilatura's when the tree is small enough for it."""
    text = ""
    if _small(tree):
        import trafilatura  # slow to import (justext, htmldate): only when a page is read

        for el in tree.iter():  # what it reads of attributes is class and id (boilerplate by name)
            for attribute in [a for a in el.attrib if a not in ("class", "id")] if isinstance(el.tag, str) else []:
                del el.attrib[attribute]
        text = trafilatura.extract(tree, output_format="txt", include_comments=False, include_tables=False,
                                   include_links=False, include_images=False, deduplicate=False, url=None) or ""  # fmt: skip
    paragraphs = [_line(p, limit=len(p)) for p in text.split("\n")] if text.strip() else _blocks(tree)
    return "\n\n".join(p for p in paragraphs if p)


def _small(tree) -> bool:
    """Whether the tree is within :data:`TRAFILATURA_MAX_ELEMENTS` and :data:`TRAFILATURA_MAX_DEPTH` (stops once past)."""
    import lxml.etree

    elements = depth = 0
    for event, _ in lxml.etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        elements += event == "start"
        if elements > TRAFILATURA_MAX_ELEMENTS or depth > TRAFILATURA_MAX_DEPTH:
            return False
    return True


def _blocks(tree) -> list[str]:
    """The text of the page, one paragraph per block element (linear: one walk, no recursion)."""
    import lxml.etree

    root = tree.find("body") if tree.find("body") is not None else tree
    paragraphs, current = [], []
    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        if isinstance(el.tag, str) and el.tag in BLOCKS:
            paragraphs.append(" ".join(current))
            current = []
        piece = el.text if event == "start" else el.tail
        if piece and not (event == "end" and el is root):  # the body's tail is outside it
            current.append(piece)
    paragraphs.append(" ".join(current))
    return [_line(p, limit=len(p)) for p in paragraphs if p.strip()]
