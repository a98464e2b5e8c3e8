"""Pasted articles in the store (both backends): an owner, the datasets' visibility rules, deletion.

Before (#30): a viewer's pasted article was written to each replica's disk, with no owner, never
deleted, outside the PostGIS backup, and every session of that replica read it back.
"""

from __future__ import annotations

import pytest

from geo.access import ANONYMOUS, LOCAL, NotAvailable, User
from geo.articles import parse_article
from geo.errors import ReadError

ARTICLE = "---\ntitle: Saraqib falls\ndate: 2024-12-01\noutlet: Desk notes\n---\nHTS fighters captured Saraqib on Sunday."
ALICE = User("alice", email="alice@desk.example", groups=frozenset({"syria-desk"}), role="analyst")
BOB = User("bob", email="bob@desk.example", groups=frozenset({"syria-desk"}), role="viewer")
CAROL = User("carol", email="carol@other.example", groups=frozenset({"iraq-desk"}), role="viewer")


def test_a_pasted_article_is_its_owners_until_shared(any_store):
    info = any_store.save_article(ARTICLE, BOB)  # a viewer may paste; it stays his
    assert (info.owner, info.visibility, info.title) == ("bob", "private", "Saraqib falls")
    assert len(info.id) == 32 and any_store.save_article(ARTICLE, BOB).id == info.id  # the same text again
    assert any_store.save_article(ARTICLE, ALICE).id != info.id  # someone else's paste is her own article
    assert [a.id for a in any_store.articles(BOB)] == [info.id]
    assert info.id not in [a.id for a in any_store.articles(ALICE)]
    for other in (ALICE, CAROL, ANONYMOUS):
        with pytest.raises(NotAvailable):
            any_store.article_text(info.id, other)
    text = any_store.article_text(info.id, BOB)
    assert parse_article(text, article_id=info.id, name=info.title).outlet == "Desk notes"


def test_sharing_and_deleting_an_article_follow_the_dataset_rules(any_store):
    info = any_store.save_article(ARTICLE, BOB)
    with pytest.raises(NotAvailable):
        any_store.share_article(info.id, CAROL, visibility="signed_in")
    with pytest.raises(NotAvailable):  # a viewer reads; only an analyst owner or an admin changes who sees it
        any_store.share_article(info.id, BOB, visibility="signed_in")
    mine = any_store.save_article(ARTICLE + "\nMore.", ALICE)
    any_store.share_article(mine.id, ALICE, visibility="team", teams=("syria-desk",))
    assert any_store.article_text(mine.id, BOB).endswith("More.")
    with pytest.raises(NotAvailable):
        any_store.article_text(mine.id, CAROL)
    with pytest.raises(NotAvailable):
        any_store.delete_article(mine.id, BOB)
    any_store.delete_article(mine.id, ALICE)
    with pytest.raises(NotAvailable):
        any_store.article_text(mine.id, ALICE)
    any_store.delete_article(info.id, BOB)  # a viewer deletes what he pasted
    assert any_store.articles(BOB) == []
    actions = [(e.action, e.dataset) for e in any_store._entries()]
    assert ("article", mine.id) in actions and ("share", mine.id) in actions and ("delete", mine.id) in actions


@pytest.mark.parametrize("text", ["", "   \n", "x" * 200_001])
def test_empty_or_huge_text_is_refused(any_store, text):
    with pytest.raises(ReadError):
        any_store.save_article(text, LOCAL)


def test_nobody_signed_in_cannot_paste(any_store):
    with pytest.raises(PermissionError):
        any_store.save_article(ARTICLE, ANONYMOUS)
    assert any_store.articles(LOCAL) == []


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "x' OR '1'='1", "0" * 16, "A" * 10_000])
def test_malformed_article_ids_answer_not_available(any_store, bad_id):
    with pytest.raises(NotAvailable):
        any_store.article_text(bad_id, LOCAL)
