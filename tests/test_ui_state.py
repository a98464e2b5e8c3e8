"""Every session-state key the UI uses is declared in geo.ui_state (no page invents one)."""

from __future__ import annotations

import re

import pytest

from geo.ui_state import MIRRORED, SIDEBAR, STATE_KEYS
from tests.conftest import ROOT

SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
USES = re.compile(r"""session_state(?:\.(?:get|pop|setdefault)\(|\[)\s*["']([A-Za-z_]+)["']|\bkey=["']([A-Za-z_]+)["']""")


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_every_key_a_script_uses_is_declared(script):
    used = {a or b for a, b in USES.findall(script.read_text(encoding="utf-8"))}
    assert used, "the pattern found no key at all: it is broken"
    assert used <= STATE_KEYS, f"undeclared session-state keys: {sorted(used - STATE_KEYS)}"


def test_the_sidebar_widgets_are_mirrored():
    assert set(MIRRORED) >= SIDEBAR
