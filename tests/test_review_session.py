"""The Review page's session (geo.review_session), edit form (geo.review_edit) and small map (geo.review_map), without Streamlit.

Candidates are made by hand here (the store's own tests extract real ones); the one test that
brings an article in uses an embedded store and the extractor, on an article of our own wording.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from geo import review_edit as edit
from geo import review_session as review
from geo.access import LOCAL, User
from geo.data_session import Said
from geo.errors import ReadError
from geo.gazetteer import default_gazetteer
from geo.mapview import map_html
from geo.review import DESK_FORMAT, AlreadyDecided, Candidate, Place, checked_changes
from geo.review_map import candidate_map, map_view, place_rows
from geo.storage.interface import bundled_info
from geo.ui_state import DATASET_KEYED, STATE_KEYS, dataset_key

HOSTILE = "<img src=x onerror=alert(1)> [link](javascript:alert(2)) **bold** </script>"
VIEWER = User("bob", email="bob@desk.example", role="viewer")
ANALYST = User("alice", email="alice@desk.example", role="analyst")
ARTICLE = """---
title: Review desk unit test
date: 2025-03-10
outlet: Our own wording
---
Russian aircraft bombed the town of Ariha on Sunday, killing five civilians, rescuers said.

Gunmen kidnapped a pharmacist in the town of Dana on Saturday, relatives said.
"""


def candidate(cid: str = "c1", *, article: str = "a1", span: tuple[int, int] = (0, 10), status: str = "pending", **fields) -> Candidate:
    """A candidate as the store would hold it: an air strike at Saraqib, with one far namesake weighed."""
    places = (Place("Saraqib", 35.86447, 36.80591, "Idlib", "GeoNames 1"), Place("Saraqib", 33.5, 36.3, "Rif Dimashq", "GeoNames 2"))
    values = {"id": cid, "article_id": article, "sentence": "Aircraft struck Saraqib on Sunday.", "span": span, "event_date": "2025-01-05",
              "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike", "actor1": "Russian armed forces",
              "actor2": None, "location": "Saraqib", "latitude": 35.86447, "longitude": 36.80591, "geo_precision": 1, "fatalities": None,
              "confidence": 0.9, "reasons": ("trigger: air_single", "confidence: 0.90"), "places": places, "status": status}  # fmt: skip
    return Candidate(**{**values, **fields})


# ---------------------------------------------------------------------- bringing an article in


def test_an_article_comes_from_a_file_or_the_pasted_text():
    assert review.article_input("pasted", file_name=None, content=None) == ("pasted", "the pasted article")
    assert review.article_input("ignored", file_name="a.md", content="\ufeff---\ntitle: x\n".encode()) == ("---\ntitle: x\n", "a.md")
    page = b'<html><head><meta property="article:published_time" content="2025-03-10"><title>T</title></head><body><p>Body text here.</p></body></html>'
    text, name = review.article_input("", file_name="saved.html", content=page)
    assert name == "saved.html" and text.startswith("---\ntitle: T\ndate: 2025-03-10\n") and "Body text here." in text
    with pytest.raises(ReadError, match="expected pasted text or a file, got neither"):
        review.article_input("   \n", file_name=None, content=None)
    with pytest.raises(ReadError, match=r"latin\.txt: expected UTF-8 text"):
        review.article_input("", file_name="latin.txt", content="Alep, déc.".encode("latin-1"))
    with pytest.raises(ReadError, match=r"no\.html: expected a publication date"):
        review.article_input("", file_name="no.html", content=b"<html><body><p>No date.</p></body></html>")


class _Refusing:
    """A store that refuses every article, as the real one does a text with no date."""

    def propose_article(self, text, user, *, name):
        raise ReadError(f"{name}: expected a publication date, got ''")


def test_a_refused_article_is_said_not_raised():
    state = {"rv_text": "No date line here."}
    review.bring_in(state, _Refusing(), LOCAL)
    assert state["rv_notice"] == Said("error", "the pasted article: expected a publication date, got ''")
    state = {"rv_text": ""}
    review.bring_in(state, _Refusing(), LOCAL)
    assert state["rv_notice"].kind == "error" and "got neither" in state["rv_notice"].text


def test_bringing_an_article_in_proposes_its_events_once(tmp_path):
    from geo.storage.embedded import EmbeddedStore

    store, state = EmbeddedStore(tmp_path), {"rv_text": ARTICLE, "rv_status": "all", "rv_reason": review.OTHER, "rv_reason_text": "old"}
    review.bring_in(state, store, LOCAL)
    assert state["rv_notice"] == Said("success", "the pasted article: 2 new candidates in the queue.")
    first = store.candidates(LOCAL)[0]
    assert (state["rv_current"], state["rv_status"]) == (first.id, "pending") and first.location == "Ariha"
    assert (state["rv_reason"], state["rv_reason_text"]) == (review.REJECT_REASONS[0], "")  # a new candidate shown: a fresh reason
    review.bring_in(state, store, LOCAL)
    assert state["rv_notice"] == Said("info", "the pasted article: 0 new candidates in the queue; 2 of its events were proposed before.")
    queue = review.load_queue(store, LOCAL, status="pending")
    assert queue.titles == {first.article_id: "Review desk unit test"} and len(queue.ids) == 2


def test_summaries_say_what_was_proposed():
    assert review.proposed_summary("a.md", 0, 0) == "a.md: stored; the extractor found no event in it."
    assert review.proposed_summary("a.md", 3, 1) == "a.md: 1 new candidate in the queue; 2 of its events were proposed before."


# ---------------------------------------------------------------------- the queue


def test_the_queue_puts_pending_first_then_groups_by_article():
    listed = [candidate("a1-late", span=(50, 60)), candidate("b1", article="b"), candidate("a1-early", span=(0, 10), status="accepted"),
              candidate("a1-mid", span=(20, 30)), candidate("b2", article="b", span=(40, 50), status="rejected")]  # fmt: skip
    every = review.review_queue(listed, {"a1": "First", "b": "Second"}, status="all")
    assert every.ids == ("a1-mid", "a1-late", "b1", "a1-early", "b2")
    assert review.review_queue(listed, {}, status="pending").ids == ("a1-mid", "a1-late", "b1")
    assert review.review_queue(listed, {}, status="rejected").ids == ("b2",)
    assert review.review_queue(listed, {}, status="all").titles == {"a1": "a1", "b": "b"}  # an article not listed: its id
    with pytest.raises(ValueError, match="status: expected one of pending, accepted, rejected, all, got 'done'"):
        review.review_queue(listed, {}, status="done")


def test_the_shown_candidate_is_kept_by_id_and_moves_stop_at_the_ends():
    queue = review.review_queue([candidate("x", span=(0, 1)), candidate("y", span=(2, 3)), candidate("z", span=(4, 5))], {}, status="all")
    state: dict[str, object] = {}
    assert review.current(state, queue).id == "x" and state["rv_current"] == "x"
    review.move(state, queue.ids, 1)
    review.move(state, queue.ids, 1)
    review.move(state, queue.ids, 1)
    assert review.current(state, queue).id == "z"
    review.move(state, queue.ids, -1)
    assert state["rv_current"] == "y" and review.position_caption(queue, queue.candidates[1]).startswith("Candidate 2 of 3 · pending · 2 of 3")
    state["rv_current"] = "gone"
    assert review.current(state, queue).id == "x"
    assert review.current(state, review.review_queue([], {}, status="all")) is None and state["rv_current"] is None


def test_after_a_decision_the_next_pending_one_is_shown():
    queue = [candidate("a"), candidate("b", status="accepted"), candidate("c"), candidate("d")]
    assert review.next_pending(queue, "a") == "c"
    assert review.next_pending(queue, "d") == "a"  # past the end: the first still pending
    assert review.next_pending([candidate("a")], "a") is None


def test_the_queue_table_marks_the_shown_one_and_cuts_long_sentences():
    long = candidate("b", sentence="word " * 40, location=None)
    table = review.queue_frame(review.review_queue([candidate("a"), long], {"a1": HOSTILE}, status="all"), long)
    assert list(table[""]) == ["", "▶"] and table["sentence"].iloc[1].endswith("…") and len(table["sentence"].iloc[1]) == 90
    assert table["article"].iloc[0] == HOSTILE and table["place"].iloc[1] == ""  # a table cell is text: no escaping needed


class PendingOnly:
    """A store's candidates as the bring-in form asks for them: the pending ones."""

    def __init__(self, pending: list[Candidate]) -> None:
        self.pending = pending

    def candidates(self, user: User, *, status: str | None = None) -> list[Candidate]:
        return self.pending


def test_the_bring_in_form_opens_again_when_the_last_pending_candidate_is_decided():
    state: dict[str, object] = {}
    assert review.bring_in_open(PendingOnly([candidate()]), LOCAL, state) is False  # a queue to clear: folded
    assert not review.bring_in_stale(state, review.review_queue([candidate()], {}, status="pending"))
    assert review.bring_in_stale(state, review.review_queue([], {}, status="pending"))  # the last one decided: a whole run
    assert review.bring_in_open(PendingOnly([]), LOCAL, state) is True and not review.bring_in_stale(state, review.Queue((), {}))
    state["rv_status"] = "accepted"  # another status shown: the form stays as it is
    assert review.bring_in_open(PendingOnly([]), LOCAL, state) is False and not review.bring_in_stale(state, review.Queue((), {}))


def test_a_long_queue_lists_a_window_around_the_shown_one():
    many = [candidate(f"c{i:03}", span=(i, i + 1)) for i in range(120)]
    queue = review.review_queue(many, {"a1": "one article"}, status="all")
    table = review.queue_frame(queue, many[60])
    assert list(table["#"]) == list(range(51, 101)) and table.loc[table[""] == "▶", "#"].item() == 61
    assert list(review.queue_frame(queue, many[0])["#"])[:2] == [1, 2] and list(review.queue_frame(queue, many[119])["#"])[-1] == 120
    assert len(review.queue_frame(queue, many[119])) == review.QUEUE_WINDOW
    assert review.window_caption(queue, many[60]) == "Queue: 50 of 120 listed (#51–#100), around the one shown."
    short = review.review_queue(many[:3], {"a1": "one article"}, status="all")
    assert len(review.queue_frame(short, many[1])) == 3 and review.window_caption(short, many[1]) == ""


def test_the_article_shows_the_sentence_marked_and_hostile_text_escaped():
    body = f"Intro {HOSTILE}.\n\nAircraft struck Saraqib on Sunday. After.\n\nLast paragraph."
    start = body.index("Aircraft")
    html = review.article_html(body, (start, start + 34))
    assert '<mark id="rv-sentence">Aircraft struck Saraqib on Sunday&#46;</mark>' in html
    assert "<img" not in html and "&lt;img src&#61;x" in html and "&lt;/script&gt;" in html and "<br><br>" in html
    assert "](javascript" not in html  # Markdown punctuation is an entity: no link
    far = "Earlier paragraph.\n\n" * 200 + body
    cut = review.article_html(far, (far.index("Aircraft"), far.index("Aircraft") + 34), context=100)
    assert cut.startswith("… ") and len(cut) < 700 and "Last paragraph" in cut


def test_the_fields_table_lists_the_proposal_and_then_the_decision():
    shown = review.fields_frame(candidate())
    assert dict(zip(shown["field"], shown["value"], strict=True))["fatalities"] == "—"
    assert list(shown.loc[shown["field"] == "why proposed", "value"]) == ["trigger: air_single", "confidence: 0.90"]
    done = candidate(status="accepted", reviewer="alice@desk.example", decided_at="2025-01-06T10:00:00.123+00:00", dataset="desk",
                     changes=(("fatalities", None, 4),))  # fmt: skip
    rows = dict(zip(review.fields_frame(done)["field"], review.fields_frame(done)["value"], strict=True))
    assert rows["decided by"] == "alice@desk.example at 2025-01-06T10:00:00 UTC" and rows["changed fatalities"] == "— → 4"
    assert rows["into"] == "desk"


# ---------------------------------------------------------------------- decisions


def test_the_reject_reason_is_a_common_one_or_the_reviewers_words():
    assert review.reject_reason({}) == review.REJECT_REASONS[0]
    assert review.reject_reason({"rv_reason": "duplicate of another candidate", "rv_reason_text": " of c2 "}) == "duplicate of another candidate: of c2"
    assert review.reject_reason({"rv_reason": review.OTHER, "rv_reason_text": "a rumour"}) == "a rumour"
    with pytest.raises(ValueError, match="reason: expected a few words"):
        review.reject_reason({"rv_reason": review.OTHER, "rv_reason_text": "  "})


class _Desk:
    """A store that records decisions, or answers as :attr:`answer` says (an exception to raise)."""

    def __init__(self, answer: Exception | None = None) -> None:
        self.answer, self.calls = answer, []

    def gazetteer(self):
        return default_gazetteer()

    def accept(self, candidate_id, user, *, dataset, changes=None):
        self.calls.append(("accept", candidate_id, dataset, changes))
        if self.answer:
            raise self.answer
        return replace(candidate(candidate_id), status="accepted", dataset=dataset,
                       changes=checked_changes(candidate(candidate_id), changes))  # fmt: skip

    def reject(self, candidate_id, user, *, reason):
        self.calls.append(("reject", candidate_id, reason))
        return replace(candidate(candidate_id), status="rejected", reject_reason=reason)


def test_a_decision_says_what_it_did_and_shows_the_next_pending_one():
    queue, store = [candidate("a"), candidate("b"), candidate("c")], _Desk()
    state = {"rv_current": "b", "rv_dataset": "desk news 2025"}
    review.decide(state, store, ANALYST, queue, queue[1], "accept")
    assert store.calls == [("accept", "b", "desk news 2025", None)] and state["rv_current"] == "c"
    assert state["rv_notice"] == Said("success", "Accepted Air/drone strike at Saraqib on 2025-01-05 into desk news 2025.")
    state["rv_reason"] = "wrong or unverifiable date"
    review.decide(state, store, ANALYST, queue, queue[2], "reject")
    assert store.calls[-1] == ("reject", "c", "wrong or unverifiable date") and state["rv_current"] == "a"
    assert state["rv_notice"].text == "Rejected Air/drone strike at Saraqib on 2025-01-05 (wrong or unverifiable date)."


FRESH = {"rv_reason": review.REJECT_REASONS[0], "rv_reason_text": ""}


@pytest.mark.parametrize("action", ["accept", "reject", "edit"])
def test_after_a_decision_the_next_candidate_starts_with_a_fresh_reason(action):
    queue, store = [candidate("a"), candidate("b"), candidate("c")], _Desk()
    state = {"rv_current": "a", "rv_dataset": "desk", "rv_reason": "duplicate of another candidate", "rv_reason_text": "of c2"}
    review.decide(state, store, ANALYST, queue, queue[0], action)
    assert state["rv_current"] == "b" and state["rv_notice"].kind == "success"
    assert {k: state[k] for k in FRESH} == FRESH
    review.decide(state, store, ANALYST, queue, queue[1], "reject")  # X on the next one: the default reason, no words from before
    assert store.calls[-1] == ("reject", "b", review.REJECT_REASONS[0])


def test_moving_and_another_status_start_with_a_fresh_reason_and_a_refusal_keeps_it():
    queue, state = [candidate("a"), candidate("b")], {"rv_current": "a", "rv_reason": review.OTHER, "rv_reason_text": "a rumour"}
    review.move(state, [c.id for c in queue], 1)
    assert state["rv_current"] == "b" and {k: state[k] for k in FRESH} == FRESH
    state.update(rv_reason=review.OTHER, rv_reason_text="")
    review.decide(state, _Desk(), ANALYST, queue, queue[1], "reject")  # 'other' with no words: refused, the form as the reviewer left it
    assert state["rv_notice"].kind == "error" and (state["rv_reason"], state["rv_reason_text"]) == (review.OTHER, "")
    state["rv_reason_text"] = "typed for b"
    review.clear_reason(state)  # the Show radio's change callback
    assert {k: state[k] for k in FRESH} == FRESH


def test_a_refused_decision_keeps_the_candidate_and_says_why():
    queue, state = [candidate("a"), candidate("b")], {"rv_current": "a", "rv_reason": review.OTHER}
    review.decide(state, _Desk(), ANALYST, queue, queue[0], "reject")  # 'other' with no words
    assert state["rv_current"] == "a" and state["rv_notice"].kind == "error" and "reason" in state["rv_notice"].text
    review.decide(state, _Desk(PermissionError("accept: expected an analyst or an admin, got role 'viewer'")), VIEWER, queue, queue[0], "accept")
    assert state["rv_current"] == "a" and state["rv_notice"] == Said("error", "accept: expected an analyst or an admin, got role 'viewer'")


def test_a_candidate_decided_by_someone_else_says_who_and_moves_on():
    queue, state = [candidate("a"), candidate("b")], {"rv_current": "a", "rv_dataset": "desk"}
    review.decide(state, _Desk(AlreadyDecided("candidate a: already accepted by erin@desk.example at 2025-01-06T10:00:00 UTC")),
                  ANALYST, queue, queue[0], "accept")  # fmt: skip
    assert state["rv_notice"].kind == "warning" and "already accepted by erin@desk.example" in state["rv_notice"].text
    assert state["rv_current"] == "b"


def test_a_viewer_gets_only_previous_and_next():
    queue = review.review_queue([candidate("a", span=(0, 1)), candidate("b", span=(2, 3))], {}, status="all")
    keys = lambda user: [w.key for w in review.decision_buttons({}, _Desk(), user, queue, queue.candidates[0])]  # noqa: E731
    assert keys(VIEWER) == ["rv_prev", "rv_next"] and keys(ANALYST) == ["rv_accept", "rv_reject", "rv_prev", "rv_next"]
    buttons = {w.key: w.options for w in review.decision_buttons({}, _Desk(), ANALYST, queue, queue.candidates[0])}
    assert {k: o["shortcut"] for k, o in buttons.items()} == {"rv_accept": "a", "rv_reject": "x", "rv_prev": "p", "rv_next": "n"}
    assert buttons["rv_prev"]["disabled"] and not buttons["rv_next"]["disabled"] and not buttons["rv_accept"]["disabled"]
    decided = review.review_queue([candidate("a", status="rejected")], {}, status="all")
    assert review.decision_buttons({}, _Desk(), ANALYST, decided, decided.candidates[0])[0].options["disabled"]


def test_the_desk_name_is_remembered_for_the_session():
    state: dict[str, object] = {}
    assert review.desk_widget(state, today=date(2026, 3, 1)).key == "rv_dataset" and state["rv_dataset"] == "desk news 2026"
    state["rv_dataset"] = "desk Idlib"  # typed
    review.desk_widget(state, today=date(2026, 3, 1))
    del state["rv_dataset"]  # another page: Streamlit forgets the widget's own state
    review.desk_widget(state, today=date(2026, 3, 1))
    assert state["rv_dataset"] == state["rv_desk"] == "desk Idlib"


# ---------------------------------------------------------------------- the edit form


def test_edit_widgets_are_keyed_by_the_candidate_and_start_from_it():
    c = candidate(actor1="A local militia nobody listed")
    widgets = [*edit.edit_widgets(c, {}), *edit.place_widgets(c, {})]
    assert all(w.key.startswith(tuple(DATASET_KEYED)) and w.key.endswith(":c1") for w in widgets)
    other = [*edit.edit_widgets(candidate("c2"), {}), *edit.place_widgets(candidate("c2"), {})]
    assert not {w.key for w in widgets} & {w.key for w in other}  # an edit typed for c1 is not the next candidate's
    by_label = {w.label: w.options for w in widgets}
    assert by_label["Date"]["value"] == date(2025, 1, 5) and by_label["Fatalities (empty: not reported)"]["value"] is None
    assert by_label["Sub-event type"]["options"][by_label["Sub-event type"]["index"]] == "Air/drone strike"
    assert by_label["Actor 1"]["options"][by_label["Actor 1"]["index"]] == "A local militia nobody listed"
    assert by_label["Actor 2"]["options"][by_label["Actor 2"]["index"]] == ""
    state = {dataset_key("rv_type", "c1"): "Protests", dataset_key("rv_sub", "c1"): "Air/drone strike"}
    protests = {w.label: w.options for w in edit.edit_widgets(c, state)}
    assert protests["Sub-event type"]["options"] == ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"]
    protests["Event type"]["on_change"](*protests["Event type"]["args"])  # a new type: the old sub-type goes
    assert dataset_key("rv_sub", "c1") not in state


def test_the_place_comes_from_an_alternative_the_gazetteer_a_click_or_typed_coordinates():
    c, key = candidate(), lambda p: dataset_key(p, "c1")
    assert edit.chosen_place(c, {}) == ("Saraqib", 35.86447, 36.80591, 1)
    assert edit.chosen_place(c, {key("rv_place"): "alt:1"}) == ("Saraqib", 33.5, 36.3, 1)
    found = edit.chosen_place(c, {key("rv_place"): "search", key("rv_search"): "Manbij"})
    assert found[0] == "Manbij" and abs(found[1] - 36.53) < 0.05
    state = {"rv_map": {"last_clicked": {"lat": 35.9, "lng": 36.7}}, key("rv_name"): "a farm east of Saraqib"}
    edit.map_clicked(state, c)
    assert state[key("rv_place")] == "map" and edit.chosen_place(c, state) == ("a farm east of Saraqib", 35.9, 36.7, 1)
    assert state[edit.edit_form_key(c)] is True  # the form opens on the click: Accept alone would take the proposal
    assert (state[key("rv_lat")], state[key("rv_lon")]) == (35.9, 36.7)  # the typed boxes show the click
    assert "value" not in {w.key: w.options for w in edit.place_widgets(c, state)}[key("rv_lat")]  # no second value to warn of
    # The map is one widget for every candidate: its last click is not the next candidate's place.
    other = replace(c, id="c2")
    assert edit.map_click(other, state) is None and edit.chosen_place(other, state)[1:3] == (c.latitude, c.longitude)
    quiet = {"rv_map": {"last_clicked": None}}  # the map's first report, before any click
    edit.map_clicked(quiet, c)
    assert quiet == {"rv_map": {"last_clicked": None}}
    assert edit.chosen_point(c, state) == (35.9, 36.7, "a farm east of Saraqib")
    assert edit.chosen_place(c, {key("rv_place"): "typed", key("rv_lat"): 36.0, key("rv_lon"): 37.0}) == ("Saraqib", 36.0, 37.0, 1)
    with pytest.raises(ValueError, match="place: expected a click on the small map"):
        edit.chosen_place(c, {key("rv_place"): "map"})
    with pytest.raises(ValueError, match="place: expected a place the gazetteer finds, got no single place for 'Xqzzyville'"):
        edit.chosen_place(c, {key("rv_place"): "search", key("rv_search"): "Xqzzyville"})
    assert edit.chosen_point(c, {key("rv_place"): "map"}) is None
    labels = edit.place_labels(c, state)
    assert list(labels) == ["proposed", "alt:0", "alt:1", "search", "map", "typed"] and labels["map"] == "Map click: 35.90000, 36.70000"


def test_the_edit_form_gives_the_changes_the_store_checks():
    c, key = candidate(), lambda p: dataset_key(p, "c1")
    assert checked_changes(c, edit.edit_changes(c, {})) == ()  # untouched: no change
    state = {key("rv_date"): date(2025, 1, 4), key("rv_type"): "Battles", key("rv_sub"): "Armed clash", key("rv_actor1"): "HTS",
             key("rv_actor2"): "", key("rv_fat"): 3, key("rv_place"): "alt:1"}  # fmt: skip
    changes = {f: new for f, _, new in checked_changes(c, edit.edit_changes(c, state))}
    assert changes == {"event_date": "2025-01-04", "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "HTS",
                       "fatalities": 3, "latitude": 33.5, "longitude": 36.3}  # fmt: skip


# ---------------------------------------------------------------------- what was decided, and the small map


def test_precision_reads_as_a_percentage_and_the_desks_as_links():
    table = pd.DataFrame({"event_type": ["Battles", "all"], "decided": [0, 4], "precision": [float("nan"), 0.75]})
    assert list(review.precision_frame(table)["precision"]) == ["—", "75%"]
    desk = replace(bundled_info(), id="0123456789abcdef0123456789abcdef", name=HOSTILE, format=DESK_FORMAT, rows=1, visibility="signed_in")
    html = review.desk_links([bundled_info(), desk])
    assert html.startswith('<a href="./?dataset=0123456789abcdef0123456789abcdef" target="_self">')
    assert "<img" not in html and "(1 event, signed in)" in html and "Bundled" not in html


def test_the_gold_downloads_are_the_stores_decisions():
    class Gold:
        def decisions_as_gold(self, user):
            return type("G", (), {"events": '{"a": 1}\n', "negatives": '{"rejected": true}\n'})()

    events, negatives = review.gold_downloads(Gold(), LOCAL)
    assert (events.key, events.make(), negatives.key, negatives.make()) == ("rv_dl_gold", b'{"a": 1}\n', "rv_dl_negatives", b'{"rejected": true}\n')
    assert events.dataset_id is None and {events.key, negatives.key} <= STATE_KEYS


def test_the_small_map_marks_the_proposal_its_alternatives_and_the_edit():
    c = candidate(location=HOSTILE)
    rows = place_rows(c, chosen=(35.9, 36.7, "edited place"))
    assert [r[3] for r in rows] == ["proposed", "alternative", "chosen"]
    assert place_rows(c, chosen=(c.latitude, c.longitude, "same"))[-1][3] == "alternative"  # no edit, no third marker
    assert map_view(place_rows(c))[2] == 6 and map_view(place_rows(replace(c, places=())))[2] == 12  # 266 km apart; one place
    small = candidate_map(c, tiles="none")
    assert small.center == (c.latitude, c.longitude) and small.zoom == 6
    moved = candidate_map(replace(c, latitude=36.2, longitude=37.1, places=()), tiles="none")
    assert (moved.center, moved.zoom) == ((36.2, 37.1), 12)
    assert moved.base.location == small.base.location and moved.base.options == small.base.options  # the same base: never remounted
    for layer in small.layers:
        layer.add_to(small.base)
    html = map_html(small.base)
    assert "window.reviewPlaces" in html and "tile.openstreetmap" not in html
    assert "<img src=x" not in html and "\\u003cimg src=x" in html  # names are JSON in the script, set as textContent
