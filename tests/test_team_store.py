"""The store interface on both backends (embedded directory, PostGIS): datasets that belong to
someone, the permission matrix, the audit log, hostile ids and SQL metacharacters, and a second
process noticing a change. PostGIS runs as a throwaway cluster (tests/postgres.py); in CI it must.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from geo.access import ACTIONS, ANONYMOUS, NotAvailable, User, allowed, permission_table, user_from_claims
from geo.errors import ReadError
from geo.params import BUNDLED_ID
from tests.conftest import FIXTURES, ROOT

ACLED = (FIXTURES / "acled_new_text_inter.csv").read_bytes()
OWNER = User("alice", email="alice@desk.example", groups=frozenset({"syria-desk"}), role="analyst")
MEMBER = User("bob", email="bob@desk.example", groups=frozenset({"syria-desk"}), role="viewer")
OTHER = User("carol", email="carol@other.example", groups=frozenset({"iraq-desk"}), role="analyst")
ADMIN = User("dana", email="dana@desk.example", role="admin")
WHO = {"owner": OWNER, "team member": MEMBER, "other signed-in user": OTHER, "anonymous": ANONYMOUS, "admin": ADMIN}

#: The matrix, written out by hand (not derived from geo.access): who × visibility → what they may do.
#: l = list, o = open, e = export, v = change visibility, d = delete.
EXPECTED = {
    "private":   {"owner": "loevd", "team member": "", "other signed-in user": "", "anonymous": "", "admin": "loevd"},
    "team":      {"owner": "loevd", "team member": "loe", "other signed-in user": "", "anonymous": "", "admin": "loevd"},
    "signed_in": {"owner": "loevd", "team member": "loe", "other signed-in user": "loe", "anonymous": "", "admin": "loevd"},
    "link":      {"owner": "loevd", "team member": "oe", "other signed-in user": "oe", "anonymous": "", "admin": "loevd"},
}  # fmt: skip
LETTER = {"list": "l", "open": "o", "export": "e", "change_visibility": "v", "delete": "d"}


def _can(store, user: User, action: str, dataset_id: str) -> bool:
    """Ask the store itself (not geo.access) whether ``user`` may do ``action``: does it work or answer NotAvailable?"""
    probes = {
        "list": lambda: dataset_id in [i.id for i in store.datasets(user)] or (_ for _ in ()).throw(NotAvailable(dataset_id)),
        "open": lambda: store.load(dataset_id, user),
        "export": lambda: store.record_export(dataset_id, user, what="CSV"),
        "change_visibility": lambda: store.share(dataset_id, user, visibility=store.info(dataset_id, ADMIN).visibility,
                                                 teams=store.info(dataset_id, ADMIN).teams),
        "delete": lambda: store.delete(dataset_id, user),
    }
    try:
        probes[action]()
    except NotAvailable:
        return False
    return True


@pytest.mark.parametrize("visibility", list(EXPECTED))
def test_permission_matrix(any_store, visibility):
    dataset_id, _ = any_store.save(ACLED, name="acled.csv", user=OWNER)
    teams = ("syria-desk",) if visibility == "team" else ()
    any_store.share(dataset_id, OWNER, visibility=visibility, teams=teams)
    for who, user in WHO.items():
        for action in ACTIONS:
            expected = LETTER[action] in EXPECTED[visibility][who]
            assert allowed(user, action, any_store.info(dataset_id, ADMIN).grant) == expected, (who, action)
            if action == "delete" and expected:
                continue  # deleting is probed last, once, below
            assert _can(any_store, user, action, dataset_id) == expected, (visibility, who, action)
    assert not _can(any_store, MEMBER, "delete", dataset_id)
    assert _can(any_store, OWNER, "delete", dataset_id)
    with pytest.raises(NotAvailable):
        any_store.load(dataset_id, ADMIN)  # gone for everyone


def test_not_available_is_the_same_answer_for_missing_and_forbidden(any_store):
    dataset_id, _ = any_store.save(ACLED, name="secret-sources.csv", user=OWNER)
    with pytest.raises(NotAvailable) as forbidden:
        any_store.load(dataset_id, OTHER)
    with pytest.raises(NotAvailable) as missing:
        any_store.load("0123456789abcdef", OTHER)
    assert str(forbidden.value).replace(dataset_id, "ID") == str(missing.value).replace("0123456789abcdef", "ID")
    assert "secret-sources" not in str(forbidden.value)
    assert [i.id for i in any_store.datasets(OTHER)] == [BUNDLED_ID]


def test_two_analysts_uploading_the_same_file_get_two_datasets(any_store):
    first, _ = any_store.save(ACLED, name="acled.csv", user=OWNER)
    again, _ = any_store.save(ACLED, name="acled.csv", user=OWNER)
    other, _ = any_store.save(ACLED, name="acled.csv", user=OTHER)
    assert first == again and first != other
    assert any_store.info(other, OTHER).owner == "carol" and any_store.info(first, OWNER).owner == "alice"
    assert any_store.info(first, OWNER).visibility == "private"  # new uploads are private until shared


def test_a_viewer_cannot_upload(any_store):
    with pytest.raises(PermissionError, match="expected an analyst or admin"):
        any_store.save(ACLED, name="acled.csv", user=MEMBER)
    assert [i.id for i in any_store.datasets(ADMIN)] == [BUNDLED_ID]


def test_audit_log_records_who_did_what(any_store):
    dataset_id, _ = any_store.save(ACLED, name="acled.csv", user=OWNER)
    any_store.share(dataset_id, OWNER, visibility="team", teams=("syria-desk",))
    any_store.record_export(dataset_id, MEMBER, what="GeoJSON")
    any_store.delete(dataset_id, ADMIN)
    log = any_store.audit_log(ADMIN)
    assert log[["actor", "action", "dataset"]].values.tolist()[::-1] == [
        ["alice@desk.example", "upload", dataset_id], ["alice@desk.example", "share", dataset_id],
        ["bob@desk.example", "export", dataset_id], ["dana@desk.example", "delete", dataset_id],
    ]  # fmt: skip
    assert "private → team (syria-desk)" in log["detail"].tolist()
    for user in (OWNER, MEMBER, ANONYMOUS):
        with pytest.raises(PermissionError, match="expected an admin"):
            any_store.audit_log(user)


HOSTILE_IDS = ["' OR '1'='1", "0123456789abcdef'; DROP TABLE events; --", "../../etc/passwd", "0123456789ABCDEF",
               "%00", "0123456789abcde\x00", "bundled' --", "", "1" * 10_000]  # fmt: skip


@pytest.mark.parametrize("hostile", HOSTILE_IDS, ids=range(len(HOSTILE_IDS)))
def test_tampered_ids_are_not_available_and_harm_nothing(any_store, hostile):
    dataset_id, _ = any_store.save(ACLED, name="acled.csv", user=OWNER)
    for call in (lambda: any_store.load(hostile, ADMIN), lambda: any_store.info(hostile, ADMIN),
                 lambda: any_store.share(hostile, ADMIN, visibility="link"), lambda: any_store.delete(hostile, ADMIN),
                 lambda: any_store.record_export(hostile, ADMIN, what="CSV")):  # fmt: skip
        with pytest.raises(NotAvailable):
            call()
    assert any_store.version(hostile) is None
    assert len(any_store.load(dataset_id, OWNER)) == 3  # the store is intact


def test_sql_metacharacters_in_every_stored_text_are_kept_as_text(any_store):
    hostile = "x'); DROP TABLE datasets; -- \\ \" $$ %s %(x)s \t\n"
    user = User("eve'; --", email=hostile, groups=frozenset({hostile}), role="analyst")
    dataset_id, _ = any_store.save(ACLED, name=hostile + ".csv", user=user)
    any_store.share(dataset_id, user, visibility="team", teams=(hostile, "desk"))
    info = any_store.info(dataset_id, user)
    assert info.name == hostile + ".csv" and info.owner == "eve'; --" and info.teams == tuple(sorted({hostile.strip(), "desk"}))
    assert any_store.audit_log(ADMIN)["actor"].iloc[0] == hostile[:200]
    with pytest.raises(ValueError, match="visibility: expected one of"):
        any_store.share(dataset_id, user, visibility="private'; DROP TABLE events; --")
    assert len(any_store.load(dataset_id, user)) == 3


def test_events_round_trip_exactly_on_real_files(any_store, ucdp_eval_csv):
    """Every column of the real UCDP file — typed schema columns and UCDP's own ones — comes back as stored."""
    dataset_id, _ = any_store.save(ucdp_eval_csv.read_bytes(), name="ucdp.csv", user=OWNER)
    back = any_store.load(dataset_id, OWNER)
    from geo.storage.upload import canonical_events, read_upload

    want = canonical_events(read_upload(ucdp_eval_csv.read_bytes(), name="ucdp.csv").events)
    assert list(back.columns) == list(want.columns) and len(back) == len(want) == 11_757
    for column in want.columns.drop("geometry"):
        missing = want[column].isna()  # NaN, NA or NaT: each dtype's own missing marker
        assert back[column].isna().equals(missing), column
        assert back[column][~missing].astype(object).tolist() == want[column][~missing].astype(object).tolist(), column
    assert (back.geometry.x.values == want.geometry.x.values).all() and (back.geometry.y.values == want.geometry.y.values).all()


def test_text_with_tabs_newlines_and_backslashes_round_trips(any_store):
    csv = ('date,lat,lon,actor1,location,notes\n2024-11-30,36.2,37.16,HTS,Aleppo,"line one\nline\ttwo \\N \\\\ ""quoted"" {a,b} NULL"\n'
           "2024-12-01,36.21,37.15,SNA,Aleppo,\n")  # fmt: skip
    dataset_id, _ = any_store.save(csv.encode(), name="notes.csv", user=OWNER)
    notes = any_store.load(dataset_id, OWNER)["notes"].tolist()
    assert notes[0] == 'line one\nline\ttwo \\N \\\\ "quoted" {a,b} NULL' and pd.isna(notes[1])


def test_a_second_process_sees_uploads_and_deletions(any_store):
    """Another process on the same store (a replica) lists the upload, then finds it gone after a delete."""
    dataset_id, _ = any_store.save(ACLED, name="acled.csv", user=OWNER)
    any_store.share(dataset_id, OWNER, visibility="signed_in")
    target = any_store.url if any_store.backend == "postgis" else str(any_store.directory)
    script = ("import json, sys; from geo.access import User; from geo.storage.embedded import EmbeddedStore; from geo.storage.postgis import PostgisStore\n"
              "t = sys.argv[1]; s = PostgisStore(t) if t.startswith('postgresql') else EmbeddedStore(t); u = User('zoe')\n"
              "ids = [i.id for i in s.datasets(u)]; v = s.version(sys.argv[2])\n"
              "print(json.dumps({'ids': ids, 'version': v, 'rows': len(s.load(sys.argv[2], u)) if v else 0}))")  # fmt: skip
    replica = lambda: json.loads(subprocess.run([sys.executable, "-c", script, target, dataset_id], cwd=ROOT, check=True,  # noqa: E731
                                                capture_output=True, text=True).stdout)  # fmt: skip
    seen = replica()
    assert seen == {"ids": [BUNDLED_ID, dataset_id], "version": any_store.version(dataset_id), "rows": 3}
    any_store.delete(dataset_id, OWNER)
    assert replica() == {"ids": [BUNDLED_ID], "version": None, "rows": 0}


def test_roles_and_teams_come_from_the_configured_claim():
    claims = {"sub": "abc", "email": "a@b.example", "roles": ["conflict-map-analyst", "syria-desk"]}
    user = user_from_claims(claims, role_claim="roles", admins="conflict-map-admin", analysts="conflict-map-analyst")
    assert (user.role, user.groups) == ("analyst", frozenset({"conflict-map-analyst", "syria-desk"}))
    assert user_from_claims({"sub": "x", "groups": "conflict-map-admin"}, role_claim="groups", admins="conflict-map-admin",
                            analysts="").role == "admin"  # fmt: skip
    assert user_from_claims({"sub": "x", "groups": 7}, role_claim="groups", admins="a", analysts="b").role == "viewer"


def test_the_readme_gives_the_permission_table():
    assert permission_table() in (ROOT / "README.md").read_text(encoding="utf-8"), "paste geo.access.permission_table()"


def test_a_nul_character_postgresql_cannot_store_is_refused_with_its_column(any_store):
    """A GeoParquet upload can carry a NUL in its text (a CSV cannot: the reader calls it binary)."""
    import io

    import geopandas as gpd

    from geo.paths import DATA

    events = gpd.read_parquet(DATA / "events.parquet").head(2)
    events["notes"] = pd.array(["before\x00after", "clean"], dtype="string")
    content = io.BytesIO()
    events.to_parquet(content, index=False)
    if any_store.backend == "embedded":  # GeoParquet holds it as written
        dataset_id, _ = any_store.save(content.getvalue(), name="nul.parquet", user=OWNER)
        assert any_store.load(dataset_id, OWNER)["notes"].tolist() == ["before\x00after", "clean"]
        return
    with pytest.raises(ReadError, match="notes: expected text without NUL characters"):
        any_store.save(content.getvalue(), name="nul.parquet", user=OWNER)
    assert [i.id for i in any_store.datasets(ADMIN)] == [BUNDLED_ID]  # nothing half-stored


def test_columns_held_in_several_arrow_chunks_are_written_whole():
    """pandas keeps a concatenated string column in Arrow chunks; the COPY text must still hold every row."""
    import geopandas as gpd
    import pyarrow as pa

    from geo.paths import DATA
    from geo.storage.copy_text import to_copy_text

    events = gpd.read_parquet(DATA / "events.parquet")
    halves = [events.iloc[:80].copy(), events.iloc[80:].copy()]
    for half in halves:
        half["notes"] = half["notes"].astype(pd.ArrowDtype(pa.string()))
    chunked = gpd.GeoDataFrame(pd.concat(halves, ignore_index=True), geometry="geometry", crs=events.crs)
    assert chunked["notes"].array.__arrow_array__().num_chunks == 2  # the Arrow interchange protocol
    whole = events.assign(notes=events["notes"].astype(pd.ArrowDtype(pa.string())))
    text = b"".join(bytes(c) for c in to_copy_text(chunked, "0123456789abcdef"))
    assert text == b"".join(bytes(c) for c in to_copy_text(whole, "0123456789abcdef"))
    assert text.count(b"\n") == len(events)

