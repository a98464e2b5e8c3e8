"""Who gains and who loses access when a dataset's sharing changes (geo.access.share_change)."""

from __future__ import annotations

import pytest

from geo.access import OTHERS, VISIBILITIES, Access, confirm_prompt, saved_notice, share_change

#: Written out by hand (not derived from geo.access): does old → new widen, with team "a" wherever
#: the visibility is "team"? "=" is no change. link → team widens too: team members, who could
#: open it by its link, now also see it listed.
WIDENS = {
    "private":   {"private": "=", "team": True, "signed_in": True, "link": True},
    "team":      {"private": False, "team": "=", "signed_in": True, "link": True},
    "signed_in": {"private": False, "team": False, "signed_in": "=", "link": False},
    "link":      {"private": False, "team": True, "signed_in": True, "link": "="},
}  # fmt: skip
#: Who gains (+) or loses (-) which actions, for the pairs where it is not obvious.
WHO = {
    ("private", "link"): {"+": [Access(OTHERS, ("open", "export"))], "-": []},
    ("link", "signed_in"): {"+": [Access(OTHERS, ("list",))], "-": []},
    ("signed_in", "link"): {"+": [], "-": [Access(OTHERS, ("list",))]},
    ("team", "link"): {"+": [Access(OTHERS, ("open", "export"))], "-": [Access("members of team a", ("list",))]},
    ("link", "team"): {"+": [Access("members of team a", ("list",))], "-": [Access(OTHERS, ("open", "export"))]},
    ("team", "signed_in"): {"+": [Access(OTHERS, ("list", "open", "export"))], "-": []},
    ("signed_in", "team"): {"+": [], "-": [Access(OTHERS, ("list", "open", "export"))]},
    ("private", "team"): {"+": [Access("members of team a", ("list", "open", "export"))], "-": []},
}


def _teams(visibility: str) -> tuple[str, ...]:
    return ("a",) if visibility == "team" else ()


@pytest.mark.parametrize(("old", "new"), [(o, n) for o in VISIBILITIES for n in VISIBILITIES])
def test_every_pair_of_visibilities(old, new):
    assert set(WIDENS) == set(VISIBILITIES)
    change = share_change(old_visibility=old, old_teams=_teams(old), new_visibility=new, new_teams=_teams(new))
    expected = WIDENS[old][new]
    assert change.changed == (expected != "=")
    assert change.widens == (expected is True)
    if (old, new) in WHO:
        assert list(change.gains) == WHO[old, new]["+"] and list(change.losses) == WHO[old, new]["-"]
    if change.changed and not change.widens:
        assert change.losses, "a change that widens nothing must narrow something"
    assert change.summary().startswith("nothing to change" if expected == "=" else f"{change.before} → {change.after}")


def test_adding_a_team_widens_and_removing_one_narrows():
    added = share_change(old_visibility="team", old_teams=["a"], new_visibility="team", new_teams=["a", "b"])
    assert added.widens and added.teams_added == ("b",) and added.teams_removed == ()
    assert added.gains == (Access("members of team b", ("list", "open", "export")),) and added.losses == ()
    removed = share_change(old_visibility="team", old_teams=["a", "b"], new_visibility="team", new_teams=["a"])
    assert not removed.widens and removed.changed and removed.teams_removed == ("b",)
    assert removed.losses == (Access("members of team b", ("list", "open", "export")),)
    assert "teams removed: b" in removed.summary()


def test_swapping_a_team_both_widens_and_narrows():
    swap = share_change(old_visibility="team", old_teams=["a"], new_visibility="team", new_teams=["b"])
    assert swap.widens and swap.losses
    assert "team (a) → team (b); teams added: b; teams removed: a" in swap.summary()
    assert "members of team b (list, open, export)" in confirm_prompt("x.csv", swap)


@pytest.mark.parametrize(("old", "new"), [
    (("team", ["b", "a"]), ("team", ["a", " b ", "a"])),  # order, blanks and duplicates are not a change
    (("signed_in", []), ("signed_in", ["a"])),  # teams left in the widget count only for "team"
    (("private", []), ("private", [])),
])  # fmt: skip
def test_the_same_sharing_written_differently_is_no_change(old, new):
    change = share_change(old_visibility=old[0], old_teams=old[1], new_visibility=new[0], new_teams=new[1])
    assert not change.changed and not change.widens and not change.gains and not change.losses
    assert change.summary().startswith("nothing to change")


@pytest.mark.parametrize(("visibility", "teams"), [("team", []), ("public", []), ("private'; DROP TABLE x; --", [])])
def test_an_invalid_sharing_is_refused(visibility, teams):
    with pytest.raises(ValueError, match="expected"):
        share_change(old_visibility="private", old_teams=(), new_visibility=visibility, new_teams=teams)


def test_the_notice_says_from_to_and_who_sees_it_now():
    change = share_change(old_visibility="signed_in", old_teams=(), new_visibility="link", new_teams=())
    notice = saved_notice("x.csv", change)
    assert "signed_in → link" in notice and "loses access: other signed-in users (list)" in notice
    assert notice.endswith("now visible to anyone with its link (not listed to others).")
