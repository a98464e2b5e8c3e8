"""The Review page's session: an article brought in, the queue of candidates, the decisions and their edits.

What the page shows and what its buttons do, with no Streamlit here: each action is a button
callback that takes the session state (a mapping, ``st.session_state`` in the app), the store and
the user, and leaves what it says under ``rv_notice`` (a :class:`geo.data_session.Said`) for the
run it causes. The queue is the candidates the user may see (:meth:`Store.candidates
<geo.candidate_store.CandidateStore.candidates>`): pending first, grouped by article; the one shown
is kept by id under ``rv_current``. The edit form is :mod:`geo.review_edit`.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote

import pandas as pd

from geo.access import NotAvailable, User, may_upload
from geo.articles import HTML_SUFFIXES, article_content_text, parse_article
from geo.data_session import Said
from geo.errors import ReadError
from geo.escape import html_text
from geo.gazetteer import using
from geo.review import DESK_FORMAT, AlreadyDecided, Candidate
from geo.review_edit import edit_changes
from geo.web.exports import Download
from geo.widgets import Widget

if TYPE_CHECKING:  # types only
    from geo.storage.interface import DatasetInfo, Store

#: What the queue may show (``all``: every candidate, pending first).
STATUS_FILTERS: tuple[str, ...] = ("pending", "accepted", "rejected", "all")
#: Each decision's keyboard shortcut. Streamlit reserves R (rerun) and C (clear caches), so Reject is X.
SHORTCUTS: dict[str, str] = {"accept": "a", "reject": "x", "next": "n", "previous": "p"}
#: The reasons a reviewer picks from; the last one needs their own words.
OTHER = "other (say why below)"
REJECT_REASONS: tuple[str, ...] = (
    "not an event (background, opinion, forecast)", "duplicate of another candidate", "wrong or unverifiable date",
    "place cannot be located", "outside the area and period we code", "not political violence or a demonstration", OTHER,
)  # fmt: skip
#: Files an article may come as (the Articles page's layouts, and a saved web page).
ARTICLE_TYPES: tuple[str, ...] = ("txt", "md", *(s.lstrip(".") for s in HTML_SUFFIXES))
VIEWER_NOTE = "You see the accepted events only; analysts and admins bring articles in and review candidates (ask an admin for the role)."
#: Rows of the queue its table lists at once (:func:`queue_window`).
QUEUE_WINDOW = 50
#: Characters of the article shown on either side of the candidate's sentence (cut at a paragraph).
CONTEXT_CHARS = 1_200


def default_desk(today: date) -> str:
    """The desk dataset's name until the reviewer gives another."""
    return f"desk news {today.year}"


def may_decide(user: User) -> bool:
    """Whether ``user`` may accept or reject (analysts and admins; with sign-in off, the machine's user)."""
    return may_upload(user)


# ---------------------------------------------------------------------- bringing an article in


def bring_in_widgets() -> tuple[Widget, Widget]:
    """The pasted text and the file: what :func:`bring_in` reads."""
    return (
        Widget("text_area", "Article: Markdown with front matter (title, date, outlet, url) or title / date line / outlet, then the body",
               "rv_text", {"height": 160, "placeholder": "---\ntitle: ...\ndate: 2025-01-06\noutlet: ...\n---\nBody…"}),
        Widget("file_uploader", "…or a file (a text, Markdown or a saved web page)", "rv_file", {"type": list(ARTICLE_TYPES)}),
    )  # fmt: skip


def article_input(text: str, *, file_name: str | None = None, content: bytes | None = None) -> tuple[str, str]:
    """The article's text and what errors call it: a file when one is given, else the pasted text.

    Raises
    ------
    ReadError
        When there is neither, or the file cannot be read (:func:`geo.articles.article_content_text`).
    """
    if file_name is not None and content is not None:
        return article_content_text(content, name=file_name), file_name
    if not text.strip():
        msg = "article: expected pasted text or a file, got neither"
        raise ReadError(msg)
    return text, "the pasted article"


def bring_in(state: MutableMapping[str, object], store: Store, user: User) -> None:
    """"Propose its events" (a callback): keep the article, propose its events, show the first new one."""
    upload = state.get("rv_file")
    try:
        text, name = article_input(str(state.get("rv_text") or ""), file_name=getattr(upload, "name", None),
                                   content=upload.getvalue() if upload is not None else None)  # fmt: skip
        done = store.propose_article(text, user, name=name)
    except (ReadError, PermissionError, ValueError) as exc:  # no date, too long, not UTF-8, a hostile page
        state["rv_notice"] = Said("error", str(exc))
        return
    state["rv_notice"] = Said("success" if done.candidates else "info", proposed_summary(name, done.events, len(done.candidates)))
    if done.candidates:
        state["rv_current"], state["rv_status"] = done.candidates[0].id, "pending"
        clear_reason(state)


def proposed_summary(name: str, events: int, new: int) -> str:
    """What bringing an article in did, in words."""
    if not events:
        return f"{name}: stored; the extractor found no event in it."
    before = f"; {events - new} of its events were proposed before" if events > new else ""
    return f"{name}: {new} new candidate{'s' * (new != 1)} in the queue{before}."


# ---------------------------------------------------------------------- the queue


@dataclass(frozen=True)
class Queue:
    """The candidates shown, in review order, and the titles of their articles."""

    candidates: tuple[Candidate, ...]
    titles: Mapping[str, str]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.candidates)


def review_queue(candidates: Sequence[Candidate], titles: Mapping[str, str], *, status: str) -> Queue:
    """``candidates`` (oldest first, as the store lists them) filtered by ``status`` and put in review order:
    pending first, then by article (in the order they were brought in), then by place in the article.

    Raises
    ------
    ValueError
        When ``status`` is not one of :data:`STATUS_FILTERS`.
    """
    if status not in STATUS_FILTERS:
        msg = f"status: expected one of {', '.join(STATUS_FILTERS)}, got {str(status)[:40]!r}"
        raise ValueError(msg)
    rank = {a: i for i, a in enumerate(dict.fromkeys(c.article_id for c in candidates))}
    shown = [c for c in candidates if status in ("all", c.status)]
    ordered = sorted(shown, key=lambda c: (c.status != "pending", rank[c.article_id], c.span))
    return Queue(tuple(ordered), {a: titles.get(a, a) for a in rank})


def load_queue(store: Store, user: User, *, status: str) -> Queue:
    """The queue ``user`` sees in the store."""
    titles = {a.id: a.title for a in store.articles(user)}
    return review_queue(store.candidates(user), titles, status=status)


def bring_in_open(store: Store, user: User, state: MutableMapping[str, object]) -> bool:
    """Whether the bring-in form is drawn open: the queue shows pending candidates and there are none.

    Kept under ``rv_bring_open``: the form is outside the part a decision reruns, so that part
    asks for a whole run when its queue says otherwise (:func:`bring_in_stale`).
    """
    state["rv_bring_open"] = state.get("rv_status", "pending") == "pending" and not store.candidates(user, status="pending")
    return bool(state["rv_bring_open"])


def bring_in_stale(state: Mapping[str, object], queue: Queue) -> bool:
    """Whether the bring-in form was drawn open or closed against what ``queue`` now says (the last
    pending candidate decided: the form should open, for the next article)."""
    return (state.get("rv_status", "pending") == "pending" and not queue.ids) != state.get("rv_bring_open")


def current(state: MutableMapping[str, object], queue: Queue) -> Candidate | None:
    """The candidate shown: the one kept under ``rv_current`` while the queue holds it, else the queue's first."""
    shown = next((c for c in queue.candidates if c.id == state.get("rv_current")), queue.candidates[0] if queue.candidates else None)
    state["rv_current"] = shown.id if shown else None
    return shown


def position_caption(queue: Queue, candidate: Candidate) -> str:
    """Where the shown candidate is: in the queue, and among its article's."""
    same = [c.id for c in queue.candidates if c.article_id == candidate.article_id]
    return (f"Candidate {queue.ids.index(candidate.id) + 1} of {len(queue.ids)} · {candidate.status} · "
            f"{same.index(candidate.id) + 1} of {len(same)} from this article")  # fmt: skip


def queue_window(queue: Queue, shown: Candidate | None, *, size: int = QUEUE_WINDOW) -> tuple[int, int]:
    """The rows of the queue its table lists: ``size`` of them from a few before the shown candidate, as ``(start, stop)``.

    A page of the queue, not all of it: a queue of hundreds sent whole on every decision was most
    of the bytes each one cost (and the table shows five rows at a time).
    """
    at = queue.ids.index(shown.id) if shown is not None and shown.id in queue.ids else 0
    start = max(0, min(at - size // 5, len(queue.ids) - size))
    return start, min(len(queue.ids), start + size)


def queue_frame(queue: Queue, shown: Candidate | None, *, size: int = QUEUE_WINDOW) -> pd.DataFrame:
    """The queue's window (:func:`queue_window`) as a table, article by article (the shown candidate marked ▶), numbered in the queue."""
    start, stop = queue_window(queue, shown, size=size)
    rows = [{"#": start + i + 1, "": "▶" if shown and c.id == shown.id else "", "article": queue.titles[c.article_id],
             "status": c.status, "sub-event type": c.sub_event_type, "place": c.location or "", "date": c.event_date,
             "sentence": c.sentence if len(c.sentence) <= 90 else c.sentence[:89] + "…"}
            for i, c in enumerate(queue.candidates[start:stop])]  # fmt: skip
    return pd.DataFrame(rows, columns=["#", "", "article", "status", "sub-event type", "place", "date", "sentence"])


def window_caption(queue: Queue, shown: Candidate | None, *, size: int = QUEUE_WINDOW) -> str:
    """Which rows of the queue its table lists."""
    start, stop = queue_window(queue, shown, size=size)
    return f"Queue: {stop - start} of {len(queue.ids)} listed (#{start + 1}–#{stop}), around the one shown." if stop - start < len(queue.ids) else ""


def article_html(body: str, span: tuple[int, int], *, context: int = CONTEXT_CHARS) -> str:
    """The article around the sentence ``span`` (``context`` characters either side, cut at a paragraph),
    the sentence marked; every piece of article text escaped for HTML and Markdown."""
    start, end = span
    first = max(0, body.rfind("\n\n", 0, max(0, start - context)))
    last = body.find("\n\n", min(len(body), end + context))
    last = len(body) if last < 0 else last
    cut = ("… " if first > 0 else "", " …" if last < len(body) else "")
    return (cut[0] + html_text(body[first:start].lstrip("\n")) + f'<mark id="rv-sentence">{html_text(body[start:end])}</mark>'
            + html_text(body[end:last].rstrip("\n")) + cut[1])  # fmt: skip


def candidate_article_html(store: Store, user: User, candidate: Candidate) -> str:
    """:func:`article_html` of the candidate's stored article (its spans are offsets in the body as read back)."""
    try:
        text = store.article_text(candidate.article_id, user)
    except NotAvailable:  # deleted since the queue was read
        return html_text(candidate.sentence)
    body = parse_article(text, article_id=candidate.article_id, name=candidate.article_id).body
    return article_html(body, candidate.span)


def fields_frame(c: Candidate) -> pd.DataFrame:
    """The candidate's proposed fields (and, once decided, the decision) as a two-column table of text."""
    rows = [("date", c.event_date), ("event type", c.event_type), ("sub-event type", c.sub_event_type),
            ("actor 1", c.actor1 or "—"), ("actor 2", c.actor2 or "—"), ("location", c.location or "—"),
            ("coordinates", f"{c.latitude:.5f}, {c.longitude:.5f}"), ("precision", _shown(c.geo_precision)),
            ("fatalities", _shown(c.fatalities)), ("confidence", f"{c.confidence:.2f}"), *(("why proposed", r) for r in c.reasons),
            ("status", c.status)]  # fmt: skip
    if c.status != "pending":
        rows += [("decided by", f"{c.reviewer} at {c.decided_at[:19]} UTC"), *([("into", c.dataset)] if c.dataset else []),
                 *([("reason", c.reject_reason)] if c.reject_reason else []),
                 *((f"changed {f}", f"{_shown(old)} → {_shown(new)}") for f, old, new in c.changes)]  # fmt: skip
    return pd.DataFrame(rows, columns=["field", "value"])


def _shown(value: object) -> str:
    return "—" if value is None else str(value)


# ---------------------------------------------------------------------- decisions (button callbacks)


def desk_widget(state: MutableMapping[str, object], *, today: date) -> Widget:
    """The desk dataset's name, kept under ``rv_desk`` for the session (the widget's own state is dropped on
    another page); restored from it, or :func:`default_desk`, before the widget is drawn."""
    if "rv_dataset" in state:
        state["rv_desk"] = state["rv_dataset"]
    else:
        state["rv_dataset"] = state.get("rv_desk") or default_desk(today)
    return Widget("text_input", "Desk dataset (accepted events go into it)", "rv_dataset", {"max_chars": 200})


def reason_widgets() -> tuple[Widget, Widget]:
    """Why a candidate is rejected: a common reason, and the reviewer's own words."""
    return (Widget("selectbox", "Reason to reject", "rv_reason", {"options": list(REJECT_REASONS)}),
            Widget("text_input", "In your words (needed for 'other')", "rv_reason_text", {"max_chars": 900}))  # fmt: skip


def clear_reason(state: MutableMapping[str, object]) -> None:
    """The reject reason back to the first common one, with no words (what X then rejects with, as the form shows).

    Every callback that shows another candidate calls it, before the reason widgets are drawn: a reason
    chosen or typed for one candidate must not be filed, unseen, with the next one's rejection.
    """
    state["rv_reason"], state["rv_reason_text"] = REJECT_REASONS[0], ""


def reject_reason(state: Mapping[str, object]) -> str:
    """The reason the form says; ValueError when 'other' is picked with no words."""
    choice, words = str(state.get("rv_reason") or REJECT_REASONS[0]), str(state.get("rv_reason_text") or "").strip()
    if choice == OTHER and not words:
        msg = "reason: expected a few words on why, for 'other'"
        raise ValueError(msg)
    return words if choice == OTHER else choice + (f": {words}" if words else "")


def decision_buttons(state: MutableMapping[str, object], store: Store, user: User, queue: Queue, shown: Candidate) -> tuple[Widget, ...]:
    """Accept and Reject (for who may decide, while the candidate is pending), then Previous and Next; each with its shortcut."""
    at, pending = queue.ids.index(shown.id), shown.status == "pending"
    decide_args = (state, store, user, queue.candidates, shown)
    moves = (Widget("button", "Previous", "rv_prev", {"shortcut": SHORTCUTS["previous"], "on_click": move, "args": (state, queue.ids, -1),
                    "disabled": at == 0}),
             Widget("button", "Next", "rv_next", {"shortcut": SHORTCUTS["next"], "on_click": move, "args": (state, queue.ids, 1),
                    "disabled": at == len(queue.ids) - 1}))  # fmt: skip
    if not may_decide(user):
        return moves
    return (Widget("button", "Accept", "rv_accept", {"type": "primary", "shortcut": SHORTCUTS["accept"], "on_click": decide,
                   "args": (*decide_args, "accept"), "disabled": not pending}),
            Widget("button", "Reject", "rv_reject", {"shortcut": SHORTCUTS["reject"], "on_click": decide,
                   "args": (*decide_args, "reject"), "disabled": not pending}), *moves)  # fmt: skip


def accept_edited_button(state: MutableMapping[str, object], store: Store, user: User, queue: Queue, shown: Candidate) -> Widget:
    """"Accept with edits": accepts with the edit form's changes (:func:`edit_changes`)."""
    return Widget("button", "Accept with edits", "rv_edit_go", {"type": "primary", "on_click": decide,
                  "args": (state, store, user, queue.candidates, shown, "edit"), "disabled": shown.status != "pending"})  # fmt: skip


def move(state: MutableMapping[str, object], ids: Sequence[str], step: int) -> None:
    """Previous (``step=-1``) or Next (``1``) in the queue, stopping at its ends; the reason form starts afresh."""
    at = list(ids).index(state["rv_current"]) if state.get("rv_current") in ids else 0
    if ids:
        state["rv_current"] = ids[min(max(at + step, 0), len(ids) - 1)]
    clear_reason(state)


def next_pending(candidates: Sequence[Candidate], after: str) -> str | None:
    """The id of the first pending candidate after ``after`` in the queue, else the first before it, else None."""
    ids = [c.id for c in candidates]
    at = ids.index(after) if after in ids else -1
    ring = [*candidates[at + 1 :], *candidates[: max(at, 0)]]
    return next((c.id for c in ring if c.status == "pending" and c.id != after), None)


def decide(state: MutableMapping[str, object], store: Store, user: User, candidates: Sequence[Candidate], shown: Candidate,
           action: str) -> None:  # fmt: skip
    """Accept (``accept``, or ``edit`` with the edit form's changes) or reject ``shown``; then show the next pending one.

    A refusal (a bad edit, no reason, not a reviewer) keeps it shown, and the reason form as it was,
    and says why; a candidate someone else decided first says who, and moves on. Moving on clears
    the reason form (:func:`clear_reason`).
    """
    try:
        if action == "reject":
            done = store.reject(shown.id, user, reason=reject_reason(state))
        else:
            changes = None
            if action == "edit":
                with using(store.gazetteer()):  # a searched place may be one of the shared layer's
                    changes = edit_changes(shown, state)
            done = store.accept(shown.id, user, dataset=str(state.get("rv_dataset") or ""), changes=changes)
    except AlreadyDecided as exc:
        state["rv_notice"] = Said("warning", f"{exc} — showing the next one.")
    except (ValueError, PermissionError, NotAvailable) as exc:
        state["rv_notice"] = Said("error", str(exc.args[0]) if isinstance(exc, NotAvailable) else str(exc))
        return
    else:
        state["rv_notice"] = Said("success", decided_summary(done))
    state["rv_current"] = next_pending(candidates, shown.id)
    clear_reason(state)


def decided_summary(c: Candidate) -> str:
    """What a decision did, in words."""
    what = f"{c.sub_event_type} at {c.location or '?'} on {c.event_date}"
    if c.status == "rejected":
        return f"Rejected {what} ({c.reject_reason[:80]})."
    edits = f", changed {', '.join(f for f, _, _ in c.changes)}" if c.changes else ""
    return f"Accepted {what} into {c.dataset}{edits}."


# ---------------------------------------------------------------------- what was decided


def precision_frame(table: pd.DataFrame) -> pd.DataFrame:
    """:meth:`running_precision <geo.candidate_store.CandidateStore.running_precision>`'s table with the share as a percentage."""
    return table.assign(precision=["—" if pd.isna(p) else f"{p:.0%}" for p in table["precision"]])


def gold_downloads(store: Store, user: User) -> tuple[Download, Download]:
    """The decisions in the gold format (:meth:`decisions_as_gold`): accepted events, and rejected ones as negatives."""
    return (
        Download("Accepted as gold (JSON Lines)", "rv_dl_gold", "review_gold.jsonl", "application/x-ndjson",
                 lambda: store.decisions_as_gold(user).events.encode(), "review decisions: gold events"),
        Download("Rejected as negatives (JSON Lines)", "rv_dl_negatives", "review_negatives.jsonl", "application/x-ndjson",
                 lambda: store.decisions_as_gold(user).negatives.encode(), "review decisions: negatives"),
    )  # fmt: skip


def desk_links(infos: Sequence[DatasetInfo]) -> str:
    """The desk datasets listed (:class:`~geo.storage.interface.DatasetInfo`), each a link that opens it on the map."""
    desks = [i for i in infos if i.format == DESK_FORMAT]
    return " · ".join(f'<a href="./?dataset={quote(i.id)}" target="_self">{html_text(i.name)}</a> '
                      f"({i.rows:,} event{'s' * (i.rows != 1)}, {html_text(i.visibility.replace('_', ' '))})" for i in desks)  # fmt: skip
