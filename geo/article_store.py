"""Pasted articles kept in the store, with an owner and the same visibility rules as datasets.

An analyst's pasted article is evidence a desk may share or must keep to itself: it is stored
with its owner (private until shared), listed and opened through :mod:`geo.access` like a
dataset, backed up with the store (PostGIS or the embedded directory), and deleted by its
owner or an admin. :class:`ArticleStore` is the part of :class:`geo.storage.interface.Store` that does
this; each backend provides five primitives.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from geo.access import LOCAL, Grant, NotAvailable, User, allowed, regrant
from geo.articles import MAX_ARTICLE_CHARS
from geo.errors import ReadError
from geo.params import DATASET_ID


@dataclass(frozen=True)
class ArticleInfo:
    """A stored article's metadata (its text is read apart, only for someone who may open it)."""

    id: str
    title: str
    owner: str
    owner_label: str
    visibility: str
    teams: tuple[str, ...]
    added: str
    content_key: str

    @property
    def grant(self) -> Grant:
        return Grant(owner=self.owner, visibility=self.visibility, teams=self.teams)


def may_delete_article(user: User, info: ArticleInfo) -> bool:
    """Whether ``user`` may delete a stored article: whoever pasted it, or anyone who may delete a dataset with its grant."""
    return (not user.anonymous and user.sub == info.owner) or allowed(user, "delete", info.grant)


def _title(text: str) -> str:
    """The front matter's title, else the first non-empty line (a label only: the parser reads the rest)."""
    for line in text.splitlines():
        if line.strip().lower().startswith("title:"):
            return line.split(":", 1)[1].strip().strip('"')[:200]
    return next((ln.strip() for ln in text.splitlines() if ln.strip() and ln.strip() != "---"), "untitled")[:200]


class ArticleStore:
    """Articles in the store; mixed into :class:`geo.storage.interface.Store` (which provides ``_entry`` and ``_log``)."""

    # -- what a backend provides -------------------------------------------------------------
    def _put_article(self, info: ArticleInfo, text: str, entry) -> ArticleInfo:
        """Store a new article (one with the same ``content_key`` wins) and log ``entry``; return what is stored."""
        raise NotImplementedError

    def _article_infos(self) -> list[ArticleInfo]:
        raise NotImplementedError

    def _article_text(self, article_id: str) -> str | None:
        raise NotImplementedError

    def _set_article(self, info: ArticleInfo, entry) -> None:
        raise NotImplementedError

    def _drop_article(self, info: ArticleInfo, entry) -> None:
        raise NotImplementedError

    # -- the interface ----------------------------------------------------------------------
    def save_article(self, text: str, user: User) -> ArticleInfo:
        """Keep a pasted article as ``user``'s, private until shared (the same text again: the same article).

        Raises
        ------
        PermissionError
            When nobody is signed in.
        ReadError
            When the text is empty or longer than :data:`geo.articles.MAX_ARTICLE_CHARS`.
        """
        if user.anonymous:
            msg = "article: expected a signed-in user, got the anonymous visitor"
            raise PermissionError(msg)
        if not text.strip() or len(text) > MAX_ARTICLE_CHARS:
            msg = f"article: expected 1 to {MAX_ARTICLE_CHARS:,} characters, got {len(text.strip()):,}"
            raise ReadError(msg)
        key = hashlib.sha256(text.encode("utf-8") + b"\0" + user.sub.encode()).hexdigest()
        info = ArticleInfo(secrets.token_hex(16), _title(text), owner=user.sub, owner_label=user.label[:200],
                           visibility="signed_in" if user.sub == LOCAL.sub else "private", teams=(),
                           added=datetime.now(UTC).isoformat(timespec="microseconds"), content_key=key)  # fmt: skip
        return self._put_article(info, text, self._entry(user, "article", info.id, info.title[:100]))

    def articles(self, user: User) -> list[ArticleInfo]:
        """The stored articles ``user`` may list, oldest first (the order they were pasted in)."""
        return sorted((i for i in self._article_infos() if allowed(user, "list", i.grant)), key=lambda i: i.added)

    def article_info(self, article_id: str, user: User, *, action: str = "open") -> ArticleInfo:
        """An article ``user`` may ``action``; :class:`NotAvailable` otherwise or when it does not exist."""
        found = next((i for i in self._article_infos() if i.id == article_id), None) if DATASET_ID.fullmatch(str(article_id)) else None
        if found is None or not allowed(user, action, found.grant):
            raise NotAvailable(article_id)
        return found

    def article_text(self, article_id: str, user: User) -> str:
        """The text of an article ``user`` may open."""
        self.article_info(article_id, user)
        text = self._article_text(article_id)
        if text is None:  # deleted between the two reads
            raise NotAvailable(article_id)
        return text

    def share_article(self, article_id: str, user: User, *, visibility: str, teams: tuple[str, ...] = ()) -> ArticleInfo:
        """Change who sees an article (its owner or an admin); logged."""
        info = self.article_info(article_id, user, action="change_visibility")
        changed, detail = regrant(info, visibility, teams)
        self._set_article(changed, self._entry(user, "share", article_id, f"article: {detail}"))
        return changed

    def delete_article(self, article_id: str, user: User) -> None:
        """Delete an article for everyone (its owner, whatever their role: it is their paste; or an admin); logged."""
        info = self.article_info(article_id, user)
        if not may_delete_article(user, info):
            raise NotAvailable(article_id)
        self._drop_article(info, self._entry(user, "delete", article_id, f"article: {info.title[:100]}"))
