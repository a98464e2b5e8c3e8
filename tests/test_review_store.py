"""Candidate events in the store (both backends): proposed once, seen as their article is, decided once,
accepted into a desk dataset, exported as gold, counted, and logged.

The article is our own writing (five reports, one of them carrying hostile text), extracted once for
the module; each test stores it afresh and proposes the extractor's events for it.
"""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest

from geo.access import ANONYMOUS, LOCAL, NotAvailable, User
from geo.articles import parse_article
from geo.extract import extract
from geo.extract_eval import load_gold
from geo.review import STATUSES, AlreadyDecided, Candidate, Place

HOSTILE = "<script>alert(\"x\")</script> '); DROP TABLE candidates; -- \u202e {{7*7}}"
TEXT = f"""---
title: Desk test: five reports
date: 2025-01-06
outlet: Test Desk
url: https://example.org/desk-test
---
Turkish drones struck a village near Manbij on Sunday, killing four fighters, the monitor said.

Fighters of the Islamic State attacked an army checkpoint in the town of Tadmur on Saturday, wounding two soldiers.

Hundreds of residents protested peacefully in the city of Suwayda on Sunday against rising fuel prices.

Gunmen abducted a local council member in the town of Jasim on Saturday, residents said.

Government forces shelled the town of Saraqib on Sunday {HOSTILE} killing 3 civilians.
"""
ALICE = User("alice", email="alice@desk.example", groups=frozenset({"syria-desk"}), role="analyst")
ERIN = User("erin", email="erin@desk.example", groups=frozenset({"syria-desk"}), role="analyst")
BOB = User("bob", email="bob@desk.example", groups=frozenset({"syria-desk"}), role="viewer")
CAROL = User("carol", email="carol@other.example", groups=frozenset({"iraq-desk"}), role="analyst")
DANA = User("dana", email="dana@desk.example", role="admin")
DESK = "desk news 2025"


@pytest.fixture(scope="module")
def extracted() -> pd.DataFrame:
    """The extractor's events of TEXT (the article id is set per store: ids are random)."""
    events, _ = extract(parse_article(TEXT, article_id="draft", name="desk test"))
    assert len(events) == 5, events[["sentence", "sub_event_type", "location"]]
    return events


def _proposed(store, extracted, user: User = ALICE, *, share: str | None = "team") -> tuple[str, dict[str, Candidate]]:
    """TEXT stored as ``user``'s (shared with syria-desk by default) and its events proposed: (article id, candidates by place)."""
    info = store.save_article(TEXT, user)
    if share:
        store.share_article(info.id, user, visibility=share, teams=("syria-desk",) if share == "team" else ())
    made = store.propose(info.id, extracted.assign(article_id=info.id), user)
    return info.id, {c.location: c for c in made}


def _by_id(store, user: User, candidate_id: str) -> Candidate:
    return next(c for c in store.candidates(user) if c.id == candidate_id)


def test_proposing_an_article_twice_proposes_each_event_once(any_store, extracted):
    article_id, made = _proposed(any_store, extracted)
    assert sorted(made) == ["Jasim", "Manbij", "Saraqib", "Suwayda", "Tadmur"]
    assert any_store.propose(article_id, extracted.assign(article_id=article_id), ALICE) == []
    listed = any_store.candidates(ALICE, article_id=article_id)
    assert len(listed) == 5 and {c.status for c in listed} == {"pending"} and len({c.id for c in listed}) == 5
    body = parse_article(any_store.article_text(article_id, ALICE), article_id=article_id, name="t").body
    manbij = made["Manbij"]
    assert len(manbij.id) == 32 and int(manbij.id, 16) >= 0
    assert body[manbij.span[0] : manbij.span[1]] == manbij.sentence and manbij.sentence.startswith("Turkish drones")
    assert isinstance(manbij.reasons, tuple) and all(isinstance(r, str) for r in manbij.reasons)
    assert "trigger: air_single" in manbij.reasons and any(r.startswith("place: exact match 'Manbij'") for r in manbij.reasons)
    assert manbij.places and isinstance(manbij.places[0], Place) and manbij.places[0].name == "Manbij"
    assert (manbij.event_type, manbij.sub_event_type, manbij.event_date) == ("Explosions/Remote violence", "Air/drone strike", "2025-01-05")


def test_events_of_another_article_are_refused(any_store, extracted):
    info = any_store.save_article(TEXT, ALICE)
    with pytest.raises(ValueError, match="events: expected events of article"):
        any_store.propose(info.id, extracted, ALICE)  # still "draft"'s
    with pytest.raises(NotAvailable):
        any_store.propose(info.id, extracted.assign(article_id=info.id), CAROL)  # she may not open it
    assert any_store.candidates(ALICE) == []


def test_candidates_are_seen_by_whoever_may_open_their_article(any_store, extracted):
    article_id, _ = _proposed(any_store, extracted, share=None)
    assert any_store.candidates(BOB) == [] and any_store.candidates(ANONYMOUS) == []
    any_store.share_article(article_id, ALICE, visibility="team", teams=("syria-desk",))
    assert len(any_store.candidates(DANA)) == 5
    # A viewer sees accepted candidates only: a proposal is not yet an event to read.
    assert any_store.candidates(BOB) == []
    accepted = any_store.accept(any_store.candidates(DANA)[0].id, DANA, dataset=DESK)
    assert [c.id for c in any_store.candidates(BOB)] == [accepted.id]
    assert any_store.candidates(CAROL) == []
    with pytest.raises(NotAvailable):
        any_store.candidates(CAROL, article_id=article_id)
    with pytest.raises(ValueError, match="status: expected one of pending, accepted, rejected"):
        any_store.candidates(ALICE, status="approved")


def test_accepting_puts_exactly_the_accepted_events_in_the_desk_dataset(any_store, extracted):
    _, made = _proposed(any_store, extracted)
    edits = {"fatalities": 4, "actor2": "Local fighters", "event_date": "2025-01-04"}
    first = any_store.accept(made["Manbij"].id, ALICE, dataset=DESK, changes=edits)
    desk = any_store.info(first.dataset_id, ALICE)
    version = desk.version
    second = any_store.accept(made["Tadmur"].id, ERIN, dataset=DESK)  # Erin's own desk: she has none shared with her yet
    any_store.reject(made["Jasim"].id, ALICE, reason="a council member's abduction is not ours to code")
    assert first.status == "accepted" and first.reviewer == "alice@desk.example" and first.decided_at
    assert {f: (old, new) for f, old, new in first.changes} == {"fatalities": (None, 4), "actor2": (first.actor2, "Local fighters"),
                                                                       "event_date": ("2025-01-05", "2025-01-04")}  # fmt: skip
    assert second.dataset_id != first.dataset_id  # Alice's desk is private: Erin's is her own
    events = any_store.load(first.dataset_id, ALICE)
    desk = any_store.info(first.dataset_id, ALICE)
    assert (desk.name, desk.format, desk.rows, desk.owner, desk.visibility) == (DESK, "review desk", 1, "alice", "private")
    row = events.iloc[0]
    assert list(events["event_id"]) == [first.id] and row["candidate_id"] == first.id and row["reviewer"] == "alice@desk.example"
    assert row["reviewed_at"] == first.decided_at and json.loads(row["changes"]) == [list(c) for c in first.changes]
    assert (row["fatalities"], row["actor2"], str(row["event_date"].date())) == (4, "Local fighters", "2025-01-04")
    assert row["dataset"] == DESK and row["location"] == "Manbij" and row["areas"] == "aleppo"
    assert set(any_store.load(second.dataset_id, ERIN)["event_id"]) == {second.id}
    third = any_store.accept(made["Suwayda"].id, ALICE, dataset=DESK)  # appended to Alice's
    assert third.dataset_id == first.dataset_id
    assert set(any_store.load(first.dataset_id, ALICE, held=True).index) == {0, 1}  # the map's way of opening it
    assert set(any_store.load(first.dataset_id, ALICE)["event_id"]) == {first.id, third.id}
    assert any_store.info(first.dataset_id, ALICE).version != version
    pending = {c.id for c in any_store.candidates(ALICE, status="pending")}
    assert pending == {made["Saraqib"].id}
    for desk_id in (first.dataset_id, second.dataset_id):
        assert not pending & set(any_store.load(desk_id, DANA)["event_id"])  # an unreviewed candidate is never in a desk


def test_a_desk_shared_with_the_team_is_the_teams(any_store, extracted):
    _, made = _proposed(any_store, extracted)
    first = any_store.accept(made["Manbij"].id, ALICE, dataset=DESK)
    any_store.share(first.dataset_id, ALICE, visibility="team", teams=("syria-desk",))
    second = any_store.accept(made["Tadmur"].id, ERIN, dataset=DESK)
    assert second.dataset_id == first.dataset_id
    assert set(any_store.load(first.dataset_id, BOB)["reviewer"]) == {"alice@desk.example", "erin@desk.example"}


def test_rejecting_keeps_the_reason_and_a_decision_is_final(any_store, extracted):
    _, made = _proposed(any_store, extracted)
    reason = "The monitor's figure is from an earlier week; no strike that day."
    done = any_store.reject(made["Manbij"].id, ALICE, reason=reason)
    assert (done.status, done.reject_reason, done.reviewer) == ("rejected", reason, "alice@desk.example")
    assert _by_id(any_store, ALICE, done.id).reject_reason == reason
    assert done.id not in {c.id for c in any_store.candidates(BOB)}  # a viewer sees accepted ones only
    with pytest.raises(AlreadyDecided, match=r"already rejected by alice@desk\.example"):
        any_store.accept(done.id, DANA, dataset=DESK)
    with pytest.raises(AlreadyDecided):
        any_store.reject(done.id, ALICE, reason="again")
    assert DESK not in [d.name for d in any_store.datasets(DANA)]  # nothing accepted: no desk dataset


def test_a_viewer_or_nobody_cannot_decide(any_store, extracted):
    _, made = _proposed(any_store, extracted)
    candidate = made["Tadmur"]
    for who in (BOB, ANONYMOUS):
        with pytest.raises(PermissionError, match="expected an analyst or an admin"):
            any_store.accept(candidate.id, who, dataset=DESK)
        with pytest.raises(PermissionError):
            any_store.reject(candidate.id, who, reason="no")
    assert _by_id(any_store, ALICE, candidate.id).status == "pending"
    with pytest.raises(NotAvailable):
        any_store.accept(candidate.id, CAROL, dataset=DESK)  # an analyst who may not open the article
    assert ("denied", candidate.id, "accept") in [(e.action, e.dataset, e.detail) for e in any_store._entries()]


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"event_date": "2025-02-30"}, "event_date", "a real date YYYY-MM-DD"),
        ({"event_date": "last Sunday"}, "event_date", "a real date YYYY-MM-DD"),
        ({"latitude": 91.0}, "latitude", "from -90 to 90"),
        ({"latitude": "36.2"}, "latitude", "from -90 to 90"),
        ({"longitude": float("nan")}, "longitude", "from -180 to 180"),
        ({"sub_event_type": "Peaceful protest"}, "sub_event_type", "a sub-event type of 'Explosions/Remote violence'"),
        ({"event_type": "Bombings"}, "event_type", "one of"),
        ({"event_type": "Battles"}, "sub_event_type", "a sub-event type of 'Battles'"),
        ({"fatalities": -1}, "fatalities", "a whole number of at least 0"),
        ({"fatalities": 2.5}, "fatalities", "a whole number of at least 0"),
        ({"fatalities": True}, "fatalities", "a whole number of at least 0"),
        ({"actor1": "x" * 201}, "actor1", "text of 1 to 200 characters"),
        ({"actor2": "nul\x00byte"}, "actor2", "no NUL"),
        ({"geo_precision": 4}, "geo_precision", "1 (the place itself)"),
        ({"notes": "more"}, "changes", "expected fields among event_date"),
    ],
)
def test_edits_are_checked_and_errors_name_the_field(any_store, extracted, changes, field, expected):
    _, made = _proposed(any_store, extracted)
    with pytest.raises(ValueError, match=f"^{field}: expected .*") as caught:
        any_store.accept(made["Manbij"].id, ALICE, dataset=DESK, changes=changes)
    assert expected in str(caught.value)
    assert _by_id(any_store, ALICE, made["Manbij"].id).status == "pending"


def test_names_and_reasons_are_checked(any_store, extracted):
    _, made = _proposed(any_store, extracted)
    for bad in ("", "   ", "d" * 201, None):
        with pytest.raises(ValueError, match=r"^dataset: expected text of 1 to 200 characters"):
            any_store.accept(made["Manbij"].id, ALICE, dataset=bad)
    with pytest.raises(ValueError, match=r"^reason: expected text of 1 to 1,000 characters"):
        any_store.reject(made["Manbij"].id, ALICE, reason=" ")
    done = any_store.accept(made["Manbij"].id, ALICE, dataset=DESK, changes={"event_type": "Battles", "sub_event_type": "Armed clash"})
    assert done.final()["sub_event_type"] == "Armed clash" and done.sub_event_type == "Air/drone strike"  # proposed stays


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "x' OR '1'='1", "0" * 32, "A" * 10_000, None])
def test_malformed_or_unknown_candidate_ids_answer_not_available(any_store, extracted, bad_id):
    _proposed(any_store, extracted)
    with pytest.raises(NotAvailable):
        any_store.accept(bad_id, ALICE, dataset=DESK)


def test_hostile_text_is_stored_and_returned_verbatim(any_store, extracted):
    _, made = _proposed(any_store, extracted)
    saraqib = made["Saraqib"]
    assert HOSTILE in saraqib.sentence and HOSTILE in _by_id(any_store, ALICE, saraqib.id).sentence
    name = "desk'; DROP TABLE datasets; -- <b>bold</b> \u202e %s %(x)s {0}"
    reason = f"{HOSTILE} \\N \t tab, \\ backslash, \"quotes\" and 'single'"
    actor = "Robert'); DROP TABLE events;-- <img src=x onerror=alert(1)>"
    accepted = any_store.accept(saraqib.id, ALICE, dataset=name, changes={"actor1": actor})
    rejected = any_store.reject(made["Jasim"].id, ALICE, reason=reason)
    assert _by_id(any_store, ALICE, rejected.id).reject_reason == reason
    stored = _by_id(any_store, ALICE, accepted.id)
    assert (stored.dataset, stored.final()["actor1"], stored.sentence) == (name, actor, saraqib.sentence)
    events = any_store.load(accepted.dataset_id, ALICE)
    assert any_store.info(accepted.dataset_id, ALICE).name == name and events["dataset"].iloc[0] == name
    assert events["actor1"].iloc[0] == actor and HOSTILE in events["sentence"].iloc[0]
    assert any_store.candidates(ALICE, status="pending")  # the candidates table is still there
    log = any_store.audit_log(DANA)
    assert reason[:100] in set(log["detail"]) and any(name[:100] in d for d in log["detail"])


@pytest.fixture(params=["embedded", "postgis"])
def replicas(request, tmp_path):
    """Two stores on the same storage: two app replicas (one directory, or one PostGIS database)."""
    from geo.storage.embedded import EmbeddedStore
    from geo.storage.postgis import PostgisStore

    if request.param == "embedded":
        return EmbeddedStore(tmp_path / "datasets"), EmbeddedStore(tmp_path / "datasets")
    url = request.getfixturevalue("postgis_server")()
    return PostgisStore(url), PostgisStore(url)


def _gated(decide, gate: threading.Barrier):
    def gated(*args, **kwargs):
        gate.wait(timeout=30)
        return decide(*args, **kwargs)

    return gated


def test_two_replicas_deciding_at_once_make_one_decision(replicas, extracted):
    one, two = replicas
    _, made = _proposed(one, extracted)
    barrier, gate = threading.Barrier(2), threading.Barrier(2)
    outcomes: dict[str, list] = {c.id: [] for c in made.values()}
    for store in (one, two):  # both decisions pass the "is it pending?" check before either is stored
        store._decide = _gated(store._decide, gate)

    def decide(store, user: User, candidate: Candidate, how: str) -> None:
        barrier.wait(timeout=30)
        try:
            done = store.accept(candidate.id, user, dataset=DESK) if how == "accept" else store.reject(candidate.id, user, reason="no")
            outcomes[candidate.id].append(("won", user.label, done.status))
        except AlreadyDecided as exc:
            outcomes[candidate.id].append(("lost", user.label, str(exc)))

    for i, candidate in enumerate(made.values()):
        hows = ("accept", "accept") if i % 2 == 0 else ("accept", "reject")
        threads = [threading.Thread(target=decide, args=(s, u, candidate, h)) for s, u, h in zip((one, two), (ALICE, DANA), hows, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    for candidate_id, results in outcomes.items():
        assert sorted(r[0] for r in results) == ["lost", "won"], results
        winner = next(r for r in results if r[0] == "won")
        loser = next(r for r in results if r[0] == "lost")
        assert f"already {winner[2]} by {winner[1]}" in loser[2]
        assert _by_id(two, DANA, candidate_id).reviewer == winner[1]
    accepted = [c for c in one.candidates(DANA) if c.status == "accepted"]
    in_desks = [e for d in {c.dataset_id for c in accepted} for e in one.load(d, DANA)["event_id"]]
    assert sorted(in_desks) == sorted(c.id for c in accepted)  # each accepted event once, nothing twice
    decisions = [e for e in one._entries() if e.action in ("accept", "reject")]
    assert len(decisions) == 5


def test_gold_export_loads_as_gold(any_store, extracted, tmp_path):
    article_id, made = _proposed(any_store, extracted)
    any_store.accept(made["Manbij"].id, ALICE, dataset=DESK, changes={"latitude": 36.53, "longitude": 37.95})
    any_store.accept(made["Suwayda"].id, ALICE, dataset=DESK)
    any_store.reject(made["Tadmur"].id, ALICE, reason="an attack on a checkpoint the article dates wrongly")
    gold = any_store.decisions_as_gold(ALICE)
    (tmp_path / "review.jsonl").write_text(gold.events, encoding="utf-8")
    (tmp_path / "negatives.jsonl").write_text(gold.negatives, encoding="utf-8")
    events, negatives = load_gold(tmp_path / "review.jsonl"), load_gold(tmp_path / "negatives.jsonl")
    coded = {"article", "url", "outlet", "split", "event_date", "location", "latitude", "longitude", "precision", "country",
             "event_type", "sub_event_type", "actor1", "actor1_side", "sentence", "coord_source"}  # fmt: skip
    assert coded <= set(events.columns) and coded <= set(negatives.columns)
    assert pd.api.types.is_datetime64_any_dtype(events["event_date"])
    by_place = events.set_index("location")
    assert sorted(by_place.index) == ["Manbij", "Suwayda"] and set(events["article"]) == {article_id}
    assert (by_place.loc["Manbij", "latitude"], by_place.loc["Manbij", "longitude"]) == (36.53, 37.95)  # the edit, applied
    assert by_place.loc["Manbij", "sentence"] == 1 and by_place.loc["Suwayda", "sentence"] == 3  # paragraphs, not quotations
    assert by_place.loc["Manbij", "actor1_side"] == "turkey" and by_place.loc["Manbij", "country"] == "SY"
    assert set(events["url"]) == {"https://example.org/desk-test"} and set(events["outlet"]) == {"Test Desk"}
    assert list(negatives["location"]) == ["Tadmur"] and negatives["rejected"].all()
    assert negatives["reason"].iloc[0] == "an attack on a checkpoint the article dates wrongly"
    assert any_store.decisions_as_gold(CAROL).events == ""  # what she may not see is not hers to export


def test_running_precision_by_event_type(any_store, extracted):
    _, made = _proposed(any_store, extracted)
    assert list(any_store.running_precision(ALICE)["event_type"]) == ["all"]
    any_store.accept(made["Manbij"].id, ALICE, dataset=DESK, changes={"fatalities": 4})
    any_store.reject(made["Saraqib"].id, ALICE, reason="no shelling that day")
    any_store.reject(made["Tadmur"].id, ALICE, reason="not a clash")
    any_store.accept(made["Suwayda"].id, ALICE, dataset=DESK)
    table = any_store.running_precision(ALICE).set_index("event_type")
    assert list(table.index) == ["Battles", "Explosions/Remote violence", "Protests", "all"]
    assert table.loc["Explosions/Remote violence", ["decided", "accepted", "edited", "rejected"]].tolist() == [2, 1, 1, 1]
    assert table.loc["Explosions/Remote violence", "precision"] == 0.5 and table.loc["Battles", "precision"] == 0.0
    assert table.loc["all", ["decided", "accepted", "precision"]].tolist() == [4, 2, 0.5]
    assert "Violence against civilians" not in table.index  # Jasim is still pending


def test_the_audit_log_shows_every_step(any_store, extracted):
    article_id, made = _proposed(any_store, extracted)
    accepted = any_store.accept(made["Manbij"].id, ALICE, dataset=DESK, changes={"fatalities": 4})
    any_store.reject(made["Tadmur"].id, ALICE, reason="not a clash")
    with pytest.raises(PermissionError):
        any_store.reject(made["Jasim"].id, BOB, reason="no")
    steps = [(e.action, e.dataset, e.actor) for e in any_store._entries()]
    assert steps[0] == ("article", article_id, "alice@desk.example") and steps[1][0] == "share"
    assert sorted(d for a, d, _ in steps if a == "propose") == sorted(c.id for c in made.values())
    assert ("accept", accepted.id, "alice@desk.example") in steps and ("reject", made["Tadmur"].id, "alice@desk.example") in steps
    assert ("denied", made["Jasim"].id, "bob@desk.example") in steps
    detail = next(e.detail for e in any_store._entries() if e.action == "accept")
    assert detail == f"into dataset {DESK}; changed fatalities"
    log = any_store.audit_log(DANA)
    assert {"propose", "accept", "reject", "denied"} <= set(log["action"])


def test_with_sign_in_off_this_machine_does_everything(any_store, extracted):
    article_id, made = _proposed(any_store, extracted, LOCAL, share=None)
    done = any_store.accept(made["Tadmur"].id, LOCAL, dataset=DESK)
    assert any_store.info(done.dataset_id, LOCAL).visibility == "signed_in"
    assert set(STATUSES) >= {c.status for c in any_store.candidates(LOCAL, article_id=article_id)}


def test_the_cli_proposes_an_articles_events_for_review(tmp_path, monkeypatch, capsys):
    from geo.cli import main
    from geo.storage.embedded import EmbeddedStore

    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path / "store"))
    monkeypatch.delenv("CONFLICT_MAP_DATABASE_URL", raising=False)
    article = tmp_path / "five-reports.md"
    article.write_text(TEXT, encoding="utf-8")
    page = tmp_path / "one-report.html"
    page.write_text('<html><head><meta property="og:title" content="One report"><meta property="article:published_time" '
                    'content="2025-01-06T09:00:00Z"></head><body><nav>Menu</nav><article><p>Turkish drones struck a village '
                    "near Manbij on Sunday, killing four fighters, the monitor said.</p></article></body></html>", encoding="utf-8")  # fmt: skip
    assert main(["extract", str(article), str(page), "--review"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0].startswith("five-reports.md: 5 candidates proposed for review, 0 proposed before (article ")
    assert first[1].startswith("one-report.html: 1 candidate proposed for review, 0 proposed before")
    assert first[0].endswith(", embedded store)")
    assert main(["extract", str(article), "--review"]) == 0
    assert "0 candidates proposed for review, 5 proposed before" in capsys.readouterr().out
    store = EmbeddedStore(tmp_path / "store")
    assert len(store.candidates(LOCAL, status="pending")) == 6 and len(store.articles(LOCAL)) == 2
    assert {a.title for a in store.articles(LOCAL)} == {"Desk test: five reports", "One report"}
    undated = tmp_path / "undated.html"
    undated.write_text("<html><body><p>Fighters attacked a checkpoint in Tadmur.</p></body></html>", encoding="utf-8")
    assert main(["extract", str(undated), "--review"]) == 2
    assert "undated.html: expected a publication date" in capsys.readouterr().err
    assert len(store.articles(LOCAL)) == 2  # nothing stored for it


def test_a_database_an_earlier_version_made_gets_the_candidates_table(postgis_server, monkeypatch, extracted):
    import uuid

    import psycopg

    from geo.storage import postgis

    url = postgis_server()
    before = f"{url.rsplit('/', 1)[0]}/geo_before_review_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {before.rsplit('/', 1)[1]}")
    with monkeypatch.context() as patched:  # the version before the review desk: migrations 1-4
        patched.setattr(postgis, "MIGRATIONS", postgis.MIGRATIONS[:4])
        article_id = postgis.PostgisStore(before).save_article(TEXT, ALICE).id
    store = postgis.PostgisStore(before)  # today's server starts: migration 5 runs, once
    made = store.propose(article_id, extracted.assign(article_id=article_id), ALICE)
    assert len(made) == 5 and store.accept(made[0].id, ALICE, dataset=DESK).status == "accepted"
    with psycopg.connect(before) as conn:
        assert postgis.migrate(conn) == []


def test_place_alternatives_are_the_namesakes_the_gazetteer_weighed():
    from geo.review import place_alternatives

    ambiguous = place_alternatives("Ayn Isa", country="SY")  # a village in Latakia, a town in Raqqa: unresolved
    assert {p.admin1 for p in ambiguous} >= {"Latakia", "Raqqa"} and all(p.source for p in ambiguous)
    resolved = place_alternatives("Manbij", country="SY", admin1="Aleppo")
    assert resolved[0].name == "Manbij" and abs(resolved[0].lat - 36.53) < 0.05
    assert len(resolved) == len({(round(p.lat, 2), round(p.lon, 2)) for p in resolved})  # one place, listed once
