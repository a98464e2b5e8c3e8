"""Review: bring an article in, then accept, edit or reject the events the extractor proposes from it, one by one."""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from geo import review_edit as edit
from geo import review_session as review
from geo.escape import markdown_text
from geo.gazetteer import using
from geo.page import page_context
from geo.review_map import candidate_map
from geo.web.exports import hand_over
from geo.widgets import draw

ctx = page_context(st.session_state, page="review")
store, user, state = ctx.store, ctx.user, st.session_state
st.title("Review")
st.caption("Extracted events wait here as candidates: accepted ones go into a desk dataset the map opens, "
           "rejected ones say why. Shortcuts: A accept · X reject · N next · P previous.")  # fmt: skip

if review.may_decide(user):  # a viewer reads accepted events only, and brings nothing in
    with st.expander("Bring an article in", expanded=review.bring_in_open(store, user, state)):
        draw(st, review.bring_in_widgets())
        st.button("Propose its events", key="rv_add", on_click=review.bring_in, args=(state, store, user))


@st.fragment
def desk() -> None:
    """The queue, the candidate and what was decided: a decision reruns this part only (the bring-in form,
    the sidebar and the downloads stay as they are), so the next candidate comes without the whole page."""
    with using(store.gazetteer()):  # the edit form's search finds the shared layer's places too
        candidate_desk()


def candidate_desk() -> None:
    queue = review.load_queue(store, user, status=state.setdefault("rv_status", "pending"))
    if review.may_decide(user) and review.bring_in_stale(state, queue):
        st.rerun()  # the whole page: the bring-in form opens (or closes) with the queue
    said = st.container()  # always drawn: a notice coming and going must not shift (and remount) what follows, the map
    if notice := state.pop("rv_notice", None):  # what the last action did
        getattr(said, notice.kind)(markdown_text(notice.text))
    if not review.may_decide(user):
        st.info(review.VIEWER_NOTE)

    st.radio("Show", review.STATUS_FILTERS, key="rv_status", horizontal=True, on_change=review.clear_reason, args=(state,))
    shown = review.current(state, queue)
    st.dataframe(review.queue_frame(queue, shown), hide_index=True, height=min(38 + 35 * max(len(queue.ids), 1), 220))  # empty: room to say so
    if listed := review.window_caption(queue, shown):
        st.caption(listed)
    if shown is None:
        st.info("No candidates here. Bring an article in above, or show another status.")
    else:
        st.subheader(markdown_text(queue.titles[shown.article_id]))
        st.caption(review.position_caption(queue, shown))
        text_col, side_col = st.columns([3, 2], gap="medium")
        with text_col.container(height=360, border=True):
            st.markdown(review.candidate_article_html(store, user, shown), unsafe_allow_html=True)
        side_col.dataframe(review.fields_frame(shown), hide_index=True, height=360)
        if review.may_decide(user):
            draw(st, [review.desk_widget(state, today=date.today())])
            for col, widget in zip(st.columns(2), review.reason_widgets(), strict=True):
                draw(col, [widget])
        buttons = review.decision_buttons(state, store, user, queue, shown)
        for col, widget in zip(st.columns(len(buttons)), buttons, strict=True):
            draw(col, [widget])
        map_col, edit_col = st.columns([2, 3], gap="medium")
        with map_col:
            small = candidate_map(shown, tiles=ctx.tiles, chosen=edit.chosen_point(shown, state))
            st_folium(small.base, key="rv_map", height=320, use_container_width=True, feature_group_to_add=small.layers,
                      center=small.center, zoom=small.zoom, returned_objects=["last_clicked"],
                      on_change=lambda: edit.map_clicked(state, shown))  # fmt: skip
            st.caption("Red: proposed · blue: other places of that name · green: the edited place. Click to set the place.")
        if review.may_decide(user) and shown.status == "pending":
            form = edit_col.expander("Edit, then accept", key=edit.edit_form_key(shown), on_change="rerun")
            if form.open:  # its fields are drawn once it is opened: drawn folded, they cost each decision a tenth of a second
                for row in (edit.edit_widgets(shown, state), edit.place_widgets(shown, state)):
                    for col, widget in zip(form.columns(3) * 2, row, strict=False):
                        draw(col, [widget])
                draw(form, [review.accept_edited_button(state, store, user, queue, shown)])

    st.subheader("Desk datasets")
    st.markdown(review.desk_links(store.datasets(user)) or "None yet: accepting a candidate makes one.", unsafe_allow_html=True)
    st.subheader("Running precision")
    st.caption("The share of decided candidates accepted (as proposed or edited), by the event type proposed.")
    st.dataframe(review.precision_frame(store.running_precision(user)), hide_index=True)


desk()
for cell, download in zip(st.columns(2), review.gold_downloads(store, user), strict=True):
    if cell.button(download.label, key=download.key):  # made in the run of this user's own click
        draw(cell, [hand_over(download, store=store, user=user)])
