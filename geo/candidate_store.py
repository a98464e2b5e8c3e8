"""Candidate events in the store: proposed from a stored article, decided once by an analyst, counted.

:class:`CandidateStore` is the part of :class:`geo.storage.interface.Store` that keeps
:class:`geo.review.Candidate` records. A candidate is visible to whoever may open its article
(:func:`geo.access.allowed`); analysts and admins decide, once: the second of two decisions made
at the same moment (two reviewers, two replicas) is refused with :class:`geo.review.AlreadyDecided`.
An accepted candidate becomes an event of the desk dataset its reviewer names; every proposal and
decision is an audit entry, written by the backend in the same transaction. Each backend provides
three primitives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from geo.access import NotAvailable, User, allowed, may_upload
from geo.actors import side_of
from geo.articles import Article, parse_article
from geo.countries import country_code
from geo.extract import extract
from geo.gazetteer import using
from geo.params import DATASET_ID
from geo.review import (
    MAX_NAME_CHARS,
    MAX_REASON_CHARS,
    STATUSES,
    AlreadyDecided,
    Candidate,
    candidates_from_events,
    checked_changes,
    decided,
    free_text,
)

#: :meth:`CandidateStore.running_precision`'s columns.
PRECISION_COLUMNS = ["event_type", "decided", "accepted", "edited", "rejected", "precision"]
#: The ``split`` of gold records made from decisions (the hand-coded ones are dev, test, test2).
REVIEW_SPLIT = "review"


@dataclass(frozen=True)
class Proposed:
    """What :meth:`CandidateStore.propose_article` did: the stored article, its events, the candidates new now."""

    article_id: str
    events: int
    candidates: list[Candidate]


@dataclass(frozen=True)
class GoldDecisions:
    """Decisions in the gold format of ``data/extract_gold/*.jsonl`` (JSON Lines text).

    ``events`` are the accepted candidates, edits applied: gold events, as hand-coded ones.
    ``negatives`` are the rejected ones as proposed, each with ``"rejected": true`` and its
    reason: what the extractor should not have proposed. Both load with :func:`geo.extract_eval.load_gold`.
    """

    events: str
    negatives: str


class CandidateStore:
    """Candidates in the store; mixed into :class:`geo.storage.interface.Store` (``_entry``, ``_log``, articles, desks)."""

    # -- what a backend provides -------------------------------------------------------------
    def _put_candidates(self, new: list[tuple[Candidate, object]]) -> list[Candidate]:
        """Store each candidate whose ``key`` is not stored yet and log its entry, at once; return those stored now."""
        raise NotImplementedError

    def _candidate_list(self, article_id: str | None = None) -> list[Candidate]:
        """Every stored candidate (of one article)."""
        raise NotImplementedError

    def _decide(self, candidate: Candidate, entry, *, desk=None) -> Candidate:
        """Store ``candidate``'s decision if the stored one is still pending and log ``entry``, at once.

        With ``desk`` (an accept; a :class:`~geo.storage.interface.DatasetInfo`, stored or new): the
        dataset already stored with its ``content_key`` wins, and its events are written again from
        every candidate accepted into it (:func:`geo.review.desk_events`), in the same transaction.
        Raises :class:`AlreadyDecided` when the stored candidate is decided already.
        """
        raise NotImplementedError

    # -- the interface ----------------------------------------------------------------------
    def propose(self, article_id: str, events: pd.DataFrame, user: User) -> list[Candidate]:
        """Pending candidates from the extractor's events of a stored article; logged, one entry each.

        Parameters
        ----------
        article_id
            A stored article ``user`` may open.
        events
            ``geo.extract.extract(article)[0]`` for that article, parsed from its stored text (the
            spans are offsets in that body).
        user
            Who proposes (the CLI and the app: whoever extracted).

        Returns
        -------
        list of Candidate
            The candidates this call stored: an event proposed before (same article, sentence,
            type and place) is not proposed again. The villages the gazetteer lacks (placed at an
            anchor the text names) go on the places worklist (:meth:`geo.place_store.PlaceStore.record_article_places`).
        """
        self.article_info(article_id, user)
        with using(self.gazetteer()):  # the places weighed include the shared layer's
            made = candidates_from_events(article_id, events, at=_now())
        unique = list({c.key: c for c in reversed(made)}.values())[::-1]  # the first of each key
        stored = self._put_candidates([(c, self._entry(user, "propose", c.id, _proposal(c))) for c in unique])
        self.record_article_places(article_id, events, user)
        return stored

    def propose_article(self, text: str, user: User, *, name: str) -> Proposed:
        """Keep an article's text as ``user``'s and propose the events the extractor finds in it.

        The text is checked first (:func:`geo.articles.parse_article`: a publication date, at most
        :data:`geo.articles.MAX_ARTICLE_CHARS`); ``name`` is how errors call it. The events are
        extracted from the stored text, so their spans are offsets in the body it is read back as,
        with the store's gazetteer (its shared layer included).
        """
        parse_article(text, article_id="new", name=name)
        info = self.save_article(text, user)
        article = parse_article(self.article_text(info.id, user), article_id=info.id, name=name)
        with using(self.gazetteer()):
            events, _ = extract(article)
        return Proposed(info.id, len(events), self.propose(info.id, events, user))

    def candidates(self, user: User, *, article_id: str | None = None, status: str | None = None) -> list[Candidate]:
        """The candidates ``user`` may see (those of the articles they may open), oldest first.

        A viewer sees accepted candidates only: until an analyst or admin has confirmed an event,
        it is a proposal for the desk, not something to read as a fact.
        """
        if status is not None and status not in STATUSES:
            msg = f"status: expected one of {', '.join(STATUSES)}, got {str(status)[:40]!r}"
            raise ValueError(msg)
        if article_id is not None:
            self.article_info(article_id, user)
        grants = {a.id: a.grant for a in self._article_infos()}
        visible = [c for c in self._candidate_list(article_id)
                   if c.article_id in grants and allowed(user, "open", grants[c.article_id]) and status in (None, c.status)
                   and (c.status == "accepted" or may_upload(user))]  # fmt: skip
        return sorted(visible, key=lambda c: (c.proposed_at, c.article_id, c.span))

    def accept(self, candidate_id: str, user: User, *, dataset: str, changes: Mapping[str, object] | None = None) -> Candidate:
        """Accept a pending candidate, edited by ``changes``, into the desk dataset named ``dataset``; logged.

        The desk dataset is ``user``'s own of that name, else the one of that name listed to them
        (a desk shared with their team; for an admin, anyone's), else a new one of theirs (private
        until shared; with sign-in off, everyone's).

        Raises
        ------
        PermissionError
            When ``user`` is not an analyst or an admin.
        NotAvailable
            When there is no such candidate, or ``user`` may not open its article.
        AlreadyDecided
            When it was decided already (by someone else a moment ago, perhaps): says by whom.
        ValueError
            When ``dataset`` is no name, or an edit is invalid (naming the field and what was expected).
        """
        candidate = self._pending(candidate_id, user, action="accept")
        name = free_text("dataset", dataset, limit=MAX_NAME_CHARS)
        edits = checked_changes(candidate, changes)
        desk = self._desk_for(name, user)
        done = decided(candidate, status="accepted", reviewer=user.label[:200], at=_now(), changes=edits, dataset=name, dataset_id=desk.id)
        detail = f"into dataset {name[:100]}" + (f"; changed {', '.join(f for f, _, _ in edits)}" if edits else "")
        return self._decide(done, self._entry(user, "accept", candidate.id, detail), desk=desk)

    def reject(self, candidate_id: str, user: User, *, reason: str) -> Candidate:
        """Reject a pending candidate, saying why (kept verbatim, up to 1,000 characters); logged.

        Raises as :meth:`accept` does (``reason`` must be non-blank text).
        """
        candidate = self._pending(candidate_id, user, action="reject")
        reason = free_text("reason", reason, limit=MAX_REASON_CHARS)
        done = decided(candidate, status="rejected", reviewer=user.label[:200], at=_now(), reject_reason=reason)
        return self._decide(done, self._entry(user, "reject", candidate.id, reason[:100]), desk=None)

    def decisions_as_gold(self, user: User) -> GoldDecisions:
        """The decided candidates ``user`` may see, in the extractor's gold format (see :class:`GoldDecisions`)."""
        articles: dict[str, Article | None] = {}
        events, negatives = [], []
        for c in self.candidates(user):
            if c.status == "pending":
                continue
            if c.article_id not in articles:
                text = self._article_text(c.article_id)
                articles[c.article_id] = parse_article(text, article_id=c.article_id, name=c.article_id) if text else None
            record = gold_record(c, articles[c.article_id])
            (events if c.status == "accepted" else negatives).append(record)
        return GoldDecisions(_json_lines(events), _json_lines(negatives))

    def running_precision(self, user: User) -> pd.DataFrame:
        """The share of decided candidates accepted (as proposed or edited), by proposed event type and overall.

        Columns :data:`PRECISION_COLUMNS`; the last row's ``event_type`` is ``all``; ``precision``
        is ``NaN`` where nothing was decided.
        """
        done = [c for c in self.candidates(user) if c.status != "pending"]
        rows = [_precision_row(t, [c for c in done if c.event_type == t]) for t in sorted({c.event_type for c in done})]
        return pd.DataFrame([*rows, _precision_row("all", done)], columns=PRECISION_COLUMNS)

    # -- helpers ----------------------------------------------------------------------------
    def _pending(self, candidate_id: str, user: User, *, action: str) -> Candidate:
        """The pending candidate a decision is about, once ``user`` may make it."""
        shown = str(candidate_id)[:40] if DATASET_ID.fullmatch(str(candidate_id)) else "?"
        if not may_upload(user):
            self._log(self._entry(user, "denied", shown, action))
            msg = f"{action}: expected an analyst or an admin, got role {user.role!r}" + (" (not signed in)" if user.anonymous else "")
            raise PermissionError(msg)
        found = next((c for c in self.candidates(user) if c.id == candidate_id), None) if shown != "?" else None
        if found is None:
            raise NotAvailable(candidate_id)
        if found.status != "pending":
            raise already_decided(found)
        return found


def _proposal(c: Candidate) -> str:
    """A proposal's audit detail: which article, what, where and when."""
    return f"article {c.article_id}: {c.sub_event_type} at {(c.location or '?')[:60]} on {c.event_date}"


def already_decided(stored: Candidate) -> AlreadyDecided:
    """The error for a decision on ``stored``, decided already: by whom and when."""
    return AlreadyDecided(f"candidate {stored.id}: already {stored.status} by {stored.reviewer} at {stored.decided_at[:19]} UTC")


def gold_record(c: Candidate, article: Article | None) -> dict[str, object]:
    """One decided candidate as a gold line (``data/extract_gold/CODING.md``'s fields, plus its provenance)."""
    final = c.final() if c.status == "accepted" else {f: getattr(c, f) for f in ("event_date", "event_type", "sub_event_type", "actor1",
                                                                                "location", "latitude", "longitude", "geo_precision")}  # fmt: skip
    actor1 = final["actor1"]
    side = side_of(actor1, on=date.fromisoformat(str(final["event_date"]))) if actor1 else "unknown"
    record = {
        "article": c.article_id, "url": (article.url or None) if article else c.source_url, "outlet": (article.outlet or None) if article else None,
        "split": REVIEW_SPLIT, "event_date": final["event_date"], "location": final["location"], "latitude": final["latitude"],
        "longitude": final["longitude"], "precision": final["geo_precision"], "country": country_code(c.country) if c.country else None,
        "event_type": final["event_type"], "sub_event_type": final["sub_event_type"], "actor1": actor1, "actor1_side": side,
        "sentence": paragraph_number(article.body, c.span[0]) if article else None,
        "coord_source": c.places[0].source if c.places else None, "candidate": c.id, "reviewer": c.reviewer, "decided_at": c.decided_at,
    }  # fmt: skip
    return record if c.status == "accepted" else {**record, "rejected": True, "reason": c.reject_reason}


def paragraph_number(body: str, offset: int) -> int:
    """The 1-based number of the blank-line separated block of ``body`` that holds ``offset``."""
    return len(re.findall(r"\n[ \t]*\n\s*", body[: max(0, offset)])) + 1


def _precision_row(event_type: str, done: list[Candidate]) -> dict[str, object]:
    accepted = sum(c.status == "accepted" for c in done)
    edited = sum(c.status == "accepted" and bool(c.changes) for c in done)
    return {"event_type": event_type, "decided": len(done), "accepted": accepted, "edited": edited,
            "rejected": len(done) - accepted, "precision": accepted / len(done) if done else float("nan")}  # fmt: skip


def _json_lines(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
