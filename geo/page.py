"""What every page starts from, as one typed object (no Streamlit import here).

The entry script (``app.py``) opens the dataset, checks the user and builds the view; it leaves
a :class:`PageContext` in the session. A page's first line is ``ctx = page_context(st.session_state,
page=…)``. Streamlit's ``pages/`` routing runs a page file by itself on a link's first request after
a server start (before any ``st.navigation`` call): :func:`page_context` then runs the entry script
as the page's frame first, so the URL still decides the whole view.
"""

from __future__ import annotations

import runpy
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.access import NotAvailable
from geo.paths import ROOT

if TYPE_CHECKING:  # types only: a page's context costs no import
    import pandas as pd

    from geo.access import User
    from geo.basemap import TileSource
    from geo.params import Vocabulary
    from geo.settings import Settings
    from geo.storage.interface import Store

#: The entry script a page runs as its frame when Streamlit opened the page file directly.
ENTRY_SCRIPT = ROOT / "app.py"


@dataclass(frozen=True)
class PageContext:
    """Everything a page reads besides its own widgets (the view itself is ``st.session_state["query"]``).

    Attributes
    ----------
    events
        The opened dataset's events, shared by every session (their long text stays in storage).
    lean
        The counted columns of ``events`` (:func:`geo.query.lean_events`), for :meth:`Query.apply`.
    vocab
        What the dataset knows: actors, areas, first and last day, the datasets a link may name.
    settings
        The deployment's settings.
    user
        Who is signed in (:data:`geo.access.LOCAL` with sign-in off).
    store
        The dataset store every access check asks.
    tiles
        The tile layer drawn under the events (:func:`geo.tiles.map_tiles`).
    """

    events: pd.DataFrame
    lean: pd.DataFrame
    vocab: Vocabulary
    settings: Settings
    user: User
    store: Store
    tiles: str | TileSource


def page_context(state: MutableMapping[str, object], *, page: str) -> PageContext:
    """The context the entry script left for this run, running it as the page's frame first if it did not run.

    Parameters
    ----------
    state
        The session state (``st.session_state``).
    page
        The page's name (``map``, ``border``…): the entry script lays out the sidebar for it.
    """
    if not state.pop("_frame_active", False):  # opened directly by pages/ routing: no entry script ran
        runpy.run_path(str(ENTRY_SCRIPT), init_globals={"FRAME_PAGE": page}, run_name="frame")
        state.pop("_frame_active", None)
    return state["context"]


def check_open(ctx: PageContext, state: MutableMapping[str, object]) -> None:
    """Raise :class:`~geo.access.NotAvailable` when this session may not go on showing its dataset without a full run.

    Asked by the map fragment, whose reruns (a filter, a slice step, a pan) skip the entry script:
    the user signed out since this sign-in (on any replica), or the dataset was deleted or unshared
    meanwhile. A full run then says why and opens the bundled dataset.
    """
    signed_in_at = state.get("_signed_in_at")
    ended = ctx.store.signed_out(ctx.user.sub) if signed_in_at is not None else None
    if ended is not None and ended >= signed_in_at:
        raise NotAvailable("signed out")
    ctx.store.info(state["dataset"], ctx.user)
