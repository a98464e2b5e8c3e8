"""Conflict map — the entry point: loads the data once, turns the URL and the sidebar into
one ``Query``, writes it back to the URL, then runs the selected page.

``streamlit run app.py`` also imports this file once, as the module ``app``, to find the server:
``app = st.App(...)`` with the routes and middleware of :mod:`geo.web.server` (downloads checked
when fetched, security headers). Only a script run (``__main__``, or ``frame`` from a page) draws.

Pages start from ``geo.page.page_context`` (the dataset, its vocabulary, the user, the store, the
settings) and read the view from ``st.session_state["query"]``; all computing happens in ``geo``.
With sign-in on (an ``[auth]`` section in the secrets) every page needs a signed-in user, and
every dataset is opened only after the store checked that user may.
"""

from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st

from geo.access import LOCAL, SERVER, NotAvailable, user_from_claims
from geo.areas import areas
from geo.assets import ensure_static
from geo.escape import markdown_text
from geo.page import PageContext
from geo.params import BUNDLED_ID, RANGE, state_values
from geo.query import Query, clamp_to_data, lean_events, vocabulary
from geo.settings import settings
from geo.sidebar import filter_widgets
from geo.signin import auth_configured, restore_return_js, return_pattern, save_return_js
from geo.storage.backends import open_store
from geo.storage.bundled import BUNDLED_LABEL
from geo.tiles import map_tiles
from geo.ui_state import keep_in_bounds, mirror_widgets, sync_view, view_notes
from geo.web.cookie import read_sign_in
from geo.web.server import server_options
from geo.widgets import draw


def _cookie_secret() -> str | None:
    """The sign-in cookie's key when sign-in is on, else None (read when asked: the secrets file may change).

    Sign-in on without a readable key gives "": sign-in stays on and no cookie verifies (fails closed).
    """
    try:
        on = auth_configured(st.secrets)
    except Exception:  # noqa: BLE001 - no secrets file, or an unreadable one: sign-in is off
        return None
    try:
        return str(st.secrets["auth"]["cookie_secret"] or "") if on else None
    except Exception:  # noqa: BLE001 - on, but no key: nothing may verify
        return ""



if __name__ not in ("__main__", "frame"):  # imported by `streamlit run` to build the server, not a script run
    # st.App does not put user routes under server.baseUrlPath: the download route is given it.
    app = st.App(__file__, **server_options(secret=_cookie_secret, base_path=st.get_option("server.baseUrlPath")))
else:
    STARTED = time.perf_counter()
    st.set_page_config(page_title="Conflict map — Aleppo, Idlib, Iraq–Syria border", page_icon="🗺️", layout="wide")
    ensure_static()
    SETTINGS = settings()


    @st.cache_resource(show_spinner=False)
    def cached_store(datasets_dir: str, database_url: str | None):
        """The store (embedded directory, or PostGIS shared by every replica), opened once per process and setting."""
        return open_store(SETTINGS)


    STORE = cached_store(str(SETTINGS.datasets_dir), SETTINGS.database_url)


    @st.cache_resource(show_spinner="Loading events…", max_entries=6)
    def cached_dataset(dataset_id: str, version: str):
        """Loaded once per server process and version, shared by every session (never copied per rerun).

        Keyed by the store's version of the dataset: a change made by another process (a delete, a
        new upload under the id) is a new key. Callers check the session's user first (``STORE.info``).
        At most six versions stay loaded (deleted ones age out instead of living until a restart).
        """
        events = STORE.load(dataset_id, SERVER, held=True)  # the long text stays in storage: geo.detail_text
        vocab = vocabulary(events, areas=[a.key for a in areas()], datasets=())
        return events, vocab, lean_events(events)


    def _signed_in_user():
        """The session's user: :data:`LOCAL` with sign-in off; with it on, the signed-in user or a sign-in page."""
        try:
            auth_on = auth_configured(st.secrets)
        except Exception:  # noqa: BLE001 - no secrets file, or an unreadable one: sign-in is off
            auth_on = False
        if not auth_on:
            return LOCAL
        # A cookie signed before its user's last Sign out (on any replica) is over: a copy of it too.
        sign_in = read_sign_in(st.context.cookies, secret=_cookie_secret()) if st.user.is_logged_in else None
        ended = STORE.signed_out(sign_in.sub) if sign_in else None
        st.session_state["_signed_in_at"] = sign_in.signed_at if sign_in else None  # the map fragment asks too
        if sign_in is None or (ended is not None and ended >= sign_in.signed_at):
            st.title("Conflict map")
            if sign_in is not None:
                st.info("This sign-in was signed out. Sign in again to go on.")
            st.markdown("This dashboard is shared by a team: sign in to see the datasets shared with you. "
                        "A link or page you opened stays: after signing in you land on exactly it.")  # fmt: skip
            st.html(save_return_js(RETURN_PATTERN), unsafe_allow_javascript=True)
            st.button("Sign in", key="sign_in", type="primary", on_click=st.login)
            st.stop()
        if not st.query_params and RANGE not in st.session_state:
            st.html(restore_return_js(RETURN_PATTERN), unsafe_allow_javascript=True)  # back to the page opened before signing in
        return user_from_claims(st.user.to_dict(), role_claim=SETTINGS.role_claim, admins=SETTINGS.admin_groups,
                                analysts=SETTINGS.analyst_groups)  # fmt: skip


    def _open(dataset_id: str, *, say_why: bool = True):
        """The dataset for this session's user, or the bundled one with the reason (same words for gone and forbidden)."""
        try:
            info = STORE.info(dataset_id, USER)
            return dataset_id, cached_dataset(dataset_id, info.version)
        except NotAvailable as exc:
            if say_why:
                st.session_state["dataset_error"] = exc.args[0]
            refused = st.session_state.setdefault("_refused", set())
            if dataset_id not in refused:  # audited once per session and id, not on every rerun
                refused.add(dataset_id)
                STORE.record_denied(dataset_id, USER, action="open_link")
        except KeyError as exc:  # damaged storage (said only to someone who may see it)
            st.session_state["dataset_error"] = exc.args[0]
        return BUNDLED_ID, cached_dataset(BUNDLED_ID, "bundled")


    def _sign_out() -> None:
        """Sign out here and end every earlier sign-in of this user server-side (a copied cookie stops working)."""
        STORE.sign_out(USER)
        st.logout()


    # Icons from the Material Symbols font Streamlit serves itself: emoji need the viewer's own emoji
    # font, and drew as empty boxes where there is none (a server or kiosk browser offline).
    PAGES = [
        st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
        st.Page("pages/border.py", title="Border Watch", icon=":material/fence:", url_path="border"),
        st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:", url_path="timeline"),
        st.Page("pages/actors.py", title="Actors", icon=":material/groups:", url_path="actors"),
        st.Page("pages/articles.py", title="Articles", icon=":material/article:", url_path="articles"),
        st.Page("pages/review.py", title="Review", icon=":material/fact_check:", url_path="review"),
        st.Page("pages/places.py", title="Places", icon=":material/location_on:", url_path="places"),
        st.Page("pages/data.py", title="Data", icon=":material/folder_open:", url_path="data"),
    ]
    # Sign-in lands on the root: the page (and link) asked for is kept in the tab and gone back to (geo.signin).
    RETURN_PATTERN = return_pattern([p.url_path for p in PAGES], base_path=st.get_option("server.baseUrlPath"))
    USER = _signed_in_user()
    if USER is not LOCAL:
        with st.sidebar:
            st.caption(f"Signed in as **{markdown_text(USER.label)}** · {USER.role}"
                       + (f" · teams: {markdown_text(', '.join(sorted(USER.groups)))}" if USER.groups else ""))  # fmt: skip
            st.button("Sign out", key="sign_out", on_click=_sign_out)


    @st.cache_resource(show_spinner="Preparing the basemap…")
    def cached_tiles():
        """The tile layer, once per process: an MBTiles file is extracted on first use, then reused."""
        try:
            return map_tiles(SETTINGS), None
        except ValueError as exc:  # a broken basemap file: the offline map still works, and says why
            return SETTINGS.tiles if SETTINGS.tiles else "none", exc.args[0]


    def _url_query() -> Query:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        params.setdefault("km", [str(SETTINGS.border_km)])  # the deployment's zone width, unless the link gives one
        # A dataset the link names but this user may not open is left to Query.from_params, which
        # lists it among the ignored parameters ("not available to you") and keeps the rest of the link.
        dataset, (_, vocab, _) = _open(params.get("dataset", [BUNDLED_ID])[0], say_why=False)
        return Query.from_params(params, vocab=replace(vocab, datasets=frozenset({BUNDLED_ID, dataset})))


    def _seed_widgets(q: Query, vocab) -> None:
        """First run of a session: the URL decides every parameter's starting value (under its name, geo.params).

        The link's dates are moved inside the data's (a link made on another dataset), with a note
        that says so: the date input and the time slider refuse a value outside their bounds.
        """
        q, notes = clamp_to_data(q, vocab)
        seeds = {**state_values(vars(q)), "ignored": q.ignored, "view_notes": (notes, (q.date_from, q.date_to))}
        for key, value in seeds.items():
            st.session_state.setdefault(key, value)  # a value already set (by a test harness) wins


    if RANGE not in st.session_state and "w_range" not in st.session_state:  # a session's first run
        first = _url_query()
        _seed_widgets(first, _open(first.dataset)[1][1])
    # Streamlit drops a widget's state when a run does not draw it (another page, or a page that
    # runs this file as its frame). Every widget's value is therefore mirrored under its parameter's
    # name (geo.ui_state.MIRRORED) and the sidebar's restored from it: the view survives navigation.
    mirror_widgets(st.session_state, restore_sidebar=True)

    # Every full rerun asks the store again: a dataset deleted or unshared by another session (on any
    # replica) is gone from this one's next one (a slice step or pan reruns only the map page's fragment).
    st.session_state["dataset"], (events, vocab, lean) = _open(st.session_state["dataset"])
    vocab = replace(vocab, datasets=frozenset({BUNDLED_ID, st.session_state["dataset"]}))
    # The widgets may still hold the dates of the dataset this session showed before (deleted or
    # unshared since: the bundled one opened instead); moved inside this one's before any is drawn.
    keep_in_bounds(st.session_state, vocab)
    if st.session_state.get("dataset_error"):
        # Kept until another dataset is opened: a map's own view report reruns the page at once, and a
        # one-run message would vanish before the analyst read it.
        st.error(markdown_text(st.session_state["dataset_error"]) + " — showing the bundled dataset.")
    for note in view_notes(st.session_state):  # kept while the range is the one the note gives
        st.warning(markdown_text(note))


    # The view from the widgets' state (a changed widget's new value is there before any script
    # runs), written to the URL before st.navigation: a page switch then makes one history entry.
    query = sync_view(st.session_state, vocab, st.query_params)
    # Streamlit runs the entry script as __main__; a page opened directly runs it as its frame.
    page = st.navigation(PAGES) if __name__ == "__main__" else None
    on_map = (page.url_path == "") if page is not None else globals().get("FRAME_PAGE") == "map"

    if not on_map:  # the map page draws them from its map fragment (a filter change reruns only that)
        draw(st.sidebar, filter_widgets(vocab))  # geo.sidebar: one widget per sidebar parameter


    def _sidebar_footer(query: Query, *, link: bool) -> None:
        """Under the page's sidebar: the current view and its link (the map page draws its own beside the
        map instead, inside its fragment, so it follows a slice step or a pan), the dataset and credits."""
        with st.sidebar:
            if link:
                st.caption("Current view")
                st.markdown(f"**{markdown_text(query.describe())}**")
                st.caption("Copy link (paste after this app's address):")
                st.code(query.link(), language=None, wrap_lines=True)
            st.caption(f"Dataset: {BUNDLED_LABEL if query.dataset == BUNDLED_ID else query.dataset}")
            st.caption("Places © GeoNames (CC BY 4.0) · Boundaries: Natural Earth · Events cite their sources.")


    if st.session_state.get("ignored"):
        st.warning("Ignored link parameters (fell back to defaults): " + markdown_text("; ".join(st.session_state["ignored"])))

    tiles, tiles_error = cached_tiles()
    if tiles_error:
        st.warning(markdown_text(tiles_error) + " — the map is drawn without it.")
    st.session_state["context"] = PageContext(events=events, lean=lean, vocab=vocab, settings=SETTINGS, user=USER,
                                              store=STORE, tiles=tiles)  # fmt: skip

    st.session_state["_frame_active"] = True  # geo.page.page_context pops it: "the entry script ran in this run"
    if __name__ == "__main__":
        page.run()
        _sidebar_footer(query, link=not on_map)
        st.session_state["page"] = page.url_path or "map"  # the map page checks it: "was I the last page?"
        st.sidebar.caption(f"Server time of the last full run: {1000 * (time.perf_counter() - STARTED):.0f} ms")  # a map fragment run does not redraw it
    else:  # the page that ran this script as its frame runs after it
        _sidebar_footer(query, link=not on_map)
