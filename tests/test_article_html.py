"""Articles saved as web pages (``.html``): the main text with its title and date, offline, and hostile pages
answered with a clear error or safe text in bounded time. The pages are our own writing."""

from __future__ import annotations

import socket
import time

import pytest

from geo.article_html import MAX_HTML_BYTES, html_article
from geo.articles import article_file_text, parse_article, read_article
from geo.errors import ReadError

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Clashes near the dam | Desk Wire</title>
<meta property="og:title" content="Clashes near the dam">
<meta property="og:site_name" content="Desk Wire">
<meta property="og:url" content="https://example.org/2025/03/clashes">
<meta property="article:published_time" content="2025-03-04T10:00:00+03:00">
<style>p { color: red }</style><script>var tracking = "<p>not text</p>";</script>
</head><body>
<header><a href="/">Desk Wire</a> Home | World | Sport</header>
<nav><ul><li>Menu item one</li><li>Menu item two</li></ul></nav>
<main><article>
<h1>Clashes near the dam</h1>
<p>Fighters attacked an army checkpoint in the town of Tadmur on Monday, wounding two soldiers, a monitor said.</p>
<p>Residents said the fighting lasted &amp; spread for hours &lt;script&gt;alert(1)&lt;/script&gt; before it stopped near the main road.</p>
</article></main>
<aside>Related: an older story you may like</aside>
<footer>Copyright Desk Wire, all rights reserved</footer>
<script>document.write("<p>injected</p>")</script>
</body></html>
"""
PARAGRAPH = "<p>Fighters attacked an army checkpoint in the town of Tadmur on Saturday, wounding two soldiers, the monitor said.</p>"
DATED = '<html><head><meta property="article:published_time" content="2025-03-04"></head><body>'


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test: reading a page must never fetch anything."""

    def refuse(*args, **kwargs):
        raise AssertionError("a web page read tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_a_page_gives_its_main_text_title_and_date(tmp_path):
    path = tmp_path / "clashes.html"
    path.write_text(PAGE, encoding="utf-8")
    article = read_article(path)
    assert (article.title, article.published.isoformat(), article.outlet) == ("Clashes near the dam", "2025-03-04", "Desk Wire")
    assert article.url == "https://example.org/2025/03/clashes"
    paragraphs = article.body.split("\n\n")
    assert paragraphs[-2].startswith("Fighters attacked an army checkpoint in the town of Tadmur on Monday")
    assert paragraphs[-1] == "Residents said the fighting lasted & spread for hours <script>alert(1)</script> before it stopped near the main road."
    for boilerplate in ("Menu item", "Home | World", "Related:", "Copyright", "injected", "not text", "color: red"):
        assert boilerplate not in article.body, boilerplate


def test_the_stored_text_reads_back_as_the_same_article(tmp_path):
    path = tmp_path / "clashes.htm"
    path.write_text(PAGE, encoding="utf-8")
    text = article_file_text(path)
    assert text.startswith("---\ntitle: Clashes near the dam\ndate: 2025-03-04\noutlet: Desk Wire\n")
    assert parse_article(text, article_id="x", name="x").body == read_article(path).body


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta name="date" content="2024-12-01">', "2024-12-01"),
        ('<meta itemprop="datePublished" content="2024-12-02T08:00:00Z">', "2024-12-02"),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-12-03T09:00"}</script>', "2024-12-03"),
        ("", "2024-12-04"),  # the <time datetime> in the body
    ],
)
def test_the_date_comes_from_meta_tags_json_ld_or_time(head, expected):
    page = f"<html><head><title>Plain title</title>{head}</head><body><time datetime='2024-12-04T10:00'>4 Dec</time>{PARAGRAPH}</body></html>"
    article = parse_article(html_article(page.encode(), name="p.html"), article_id="p", name="p.html")
    assert (article.published.isoformat(), article.title) == (expected, "Plain title")


@pytest.mark.parametrize("head", ["", '<meta property="article:published_time" content="yesterday">',
                                  '<meta property="article:published_time" content="2025-02-30">'])  # fmt: skip
def test_no_date_is_a_clear_error(tmp_path, head):
    path = tmp_path / "undated.html"
    path.write_text(f"<html><head>{head}</head><body>{PARAGRAPH}</body></html>", encoding="utf-8")
    with pytest.raises(ReadError, match=r"^undated\.html: expected a publication date in the page"):
        read_article(path)


def test_a_page_in_a_declared_legacy_charset_is_decoded():
    page = f'<html><head><meta charset="windows-1256">{DATED[6:]}<p>Caf\xe9 \xc7</p>{PARAGRAPH}</body></html>'
    text = html_article(page.encode("cp1256", errors="replace"), name="p.html")
    assert "Caf" in text and "Tadmur" in text


def test_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    page = f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>{DATED}<p>&xxe;</p>{PARAGRAPH}</body></html>'
    text = html_article(page.encode(), name="xxe.html")
    assert "TOP-SECRET" not in text and "Tadmur" in text


ENTITY_BOMB = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
               '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
               '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')  # fmt: skip
HOSTILE = {
    "entity bomb": (ENTITY_BOMB + DATED + "<p>&lol4;</p>" + PARAGRAPH).encode(),
    "a million character references": (DATED + "<p>" + "&amp;&#x41;&lt;" * 300_000 + "</p>" + PARAGRAPH).encode(),
    "nesting past libxml2's 256 levels": (DATED + "<div>" * 300_000 + PARAGRAPH).encode(),
    "nesting 200 deep, 500 times": (DATED + ("<div>" * 200 + PARAGRAPH + "</div>" * 200) * 500).encode(),
    "a million line breaks": (DATED + "<br>" * 1_000_000 + PARAGRAPH).encode(),
    "an attribute flood": (DATED + "<p " + " ".join(f'a{i}="x"' for i in range(100_000)) + ">x</p>" + PARAGRAPH).encode(),
    "unterminated tags": (DATED + "<a" * 1_000_000).encode(),
    "an unterminated comment": (DATED + PARAGRAPH + "<!--" + "x" * 1_000_000).encode(),
    "an unclosed nav": (DATED + "<nav>" + PARAGRAPH * 5).encode(),
    "script only": (DATED + "<script>" + "document.write('<p>x</p>');" * 10_000 + "</script>").encode(),
    "over the size limit": (DATED + "<p>" + "word " * (MAX_HTML_BYTES // 5) + "</p>").encode(),
    "binary": bytes(range(256)) * 1_000,
    "empty": b"",
    "NUL bytes in text": (DATED + "<p>Fighters\x00 attacked\x00</p>" + PARAGRAPH).encode(),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_pages_give_a_clear_error_or_safe_text_quickly(tmp_path, name):
    path = tmp_path / "hostile.html"
    path.write_bytes(HOSTILE[name])
    started = time.perf_counter()
    try:
        article = read_article(path)
    except ReadError as exc:
        assert str(exc).startswith("hostile.html: expected "), exc
    else:
        assert "\x00" not in article.body and "<script" not in article.body.lower()
        assert "Tadmur" in article.body or "lol" in article.body
    assert time.perf_counter() - started < 20, "a hostile page must not hang the reader"
