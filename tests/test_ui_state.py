"""Every session-state key the UI uses is declared in geo.ui_state (no page invents one)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from geo.params import WHOLE_RANGE, Vocabulary, state_values
from geo.query import Query, with_defaults
from geo.ui_state import (
    DATASET_KEYED,
    MIRRORED,
    SIDEBAR,
    STATE_KEYS,
    dataset_key,
    keep_in_bounds,
    mirror_widgets,
    view_notes,
)
from tests.conftest import ROOT

SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
USES = re.compile(r"""session_state(?:\.(?:get|pop|setdefault)\(|\[)\s*["']([A-Za-z_]+)["']|\bkey=["']([A-Za-z_]+)["']""")
#: Keys made per dataset: dataset_key("sh_teams", …) and is_dataset_key(…, "sh_pending").
PER_DATASET = re.compile(r"""\b(?:dataset_key\(|is_dataset_key\([^,()]+,\s*)["']([A-Za-z_]+)["']""")


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_every_key_a_script_uses_is_declared(script):
    used = {a or b for a, b in USES.findall(script.read_text(encoding="utf-8"))}
    assert used, "the pattern found no key at all: it is broken"
    assert used <= STATE_KEYS, f"undeclared session-state keys: {sorted(used - STATE_KEYS)}"
    per_dataset = set(PER_DATASET.findall(script.read_text(encoding="utf-8")))
    assert per_dataset <= set(DATASET_KEYED), f"undeclared per-dataset keys: {sorted(per_dataset - set(DATASET_KEYED))}"
    assert not per_dataset & STATE_KEYS, "a per-dataset key's prefix is also a plain key: one of them is stale"


def test_per_dataset_keys_are_declared_and_distinct():
    assert dataset_key("sh_teams", "abc") == "sh_teams:abc" != dataset_key("sh_visibility", "abc")
    with pytest.raises(KeyError):
        dataset_key("sh_undeclared", "abc")


def test_the_sidebar_widgets_are_mirrored():
    assert set(MIRRORED) >= SIDEBAR


BUNDLED = Vocabulary(actors=frozenset({"HTS", "SNA"}), date_min=date(2024, 11, 27), date_max=date(2024, 12, 12))
UCDP = Vocabulary(actors=frozenset({"13th Division", "HTS"}), date_min=date(2016, 1, 1), date_max=date(2017, 12, 31))


def _session(query: Query, vocab: Vocabulary, *, on_map: bool = True) -> dict[str, object]:
    """A session's state as a run leaves it: the widgets seeded from ``query`` and mirrored."""
    state = state_values(vars(with_defaults(query, vocab)))
    if on_map:
        state["w_day"] = state["day"]
    mirror_widgets(state, restore_sidebar=True)
    return state


def test_a_session_holding_another_datasets_dates_is_moved_inside_with_notes():
    """A session showed the UCDP file (2016–17) with an actor and a slice; it was deleted, the bundled one opened."""
    state = _session(Query(actors=("13th Division", "HTS"), day=date(2017, 3, 1)), UCDP)
    notes = keep_in_bounds(state, BUNDLED)
    assert state["w_range"] == state["range"] == (date(2024, 11, 27), date(2024, 12, 12))
    assert state["w_day"] == state["day"] == WHOLE_RANGE
    assert state["w_actors"] == state["actors"] == ["HTS"]
    assert "The dates in view 2016-01-01 – 2017-12-31 lie outside this dataset (2024-11-27 – 2024-12-12)" in notes[0]
    assert any("The time slice 2017-03-01" in n for n in notes) and any("13th Division" in n for n in notes)
    assert view_notes(state) == notes
    assert keep_in_bounds(state, BUNDLED) == () and view_notes(state) == notes  # the next run: nothing more to move, the notes stay
    state["w_range"] = (date(2024, 11, 28), date(2024, 11, 30))  # the analyst picks dates: the notes are stale
    assert view_notes(state) == ()


def test_a_session_inside_the_data_is_left_alone():
    state = _session(Query(date_from=date(2024, 11, 28), date_to=date(2024, 12, 1), actors=("HTS",)), BUNDLED, on_map=False)
    before = dict(state)
    assert keep_in_bounds(state, BUNDLED) == ()
    assert state == before and view_notes(state) == ()


def test_a_half_picked_range_is_kept_unless_it_is_outside():
    state = _session(Query(), BUNDLED)
    state["w_range"] = (date(2024, 11, 29),)  # the first day picked, the second not yet
    assert keep_in_bounds(state, BUNDLED) == () and state["w_range"] == (date(2024, 11, 29),)
    state["w_range"] = (date(2016, 5, 1),)
    assert keep_in_bounds(state, BUNDLED) and state["w_range"] == (date(2024, 11, 27), date(2024, 12, 12))
