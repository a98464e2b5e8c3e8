"""Every session-state key the UI uses is declared in geo.ui_state (no page invents one)."""

from __future__ import annotations

import re

import pytest

from geo.ui_state import DATASET_KEYED, MIRRORED, SIDEBAR, STATE_KEYS, dataset_key
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
