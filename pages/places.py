"""Places: the names no source places, a cited point for one in the shared gazetteer layer, re-placing and learning."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import places_session as places
from geo.escape import markdown_text
from geo.page import page_context
from geo.web.exports import hand_over
from geo.widgets import draw

ctx = page_context(st.session_state, page="places")
store, user, state = ctx.store, ctx.user, st.session_state
st.title("Places")
st.caption(places.INTRO)
if notice := state.pop("pl_notice", None):  # what the last action did
    getattr(st, notice.kind)(markdown_text(notice.text))

work = places.load_worklist(store, user)  # after an action's callback
st.subheader("Names to place")
st.dataframe(places.worklist_frame(work), hide_index=True, height=min(38 + 35 * max(len(work.entries), 1), 320))
if not work.entries:
    st.caption("No unresolved names: every place name of the datasets and articles you see was found.")
if not places.may_curate(user):
    st.info(places.VIEWER_NOTE)
else:
    st.subheader("Add a place to the shared layer")
    entry = places.choose(state, work)  # before the picker and the form are drawn
    if work.entries:
        draw(st, [places.entry_widget(work)])
    map_col, form_col = st.columns([1, 1], gap="medium")
    with map_col:
        base, layers = places.place_map(entry, places.typed_point(state), tiles=ctx.tiles)
        st_folium(base, key="pl_map", height=340, use_container_width=True, feature_group_to_add=layers,
                  returned_objects=["last_clicked"], on_change=lambda: places.map_clicked(state))  # fmt: skip
        st.caption("Click the map to set the point (green), or type it.")
    with form_col:
        name, country, admin1, lat, lon, citation = places.form_widgets()
        draw(st, [name])
        for col, widget in zip(st.columns(2), (country, admin1), strict=True):
            draw(col, [widget])
        for col, widget in zip(st.columns(2), (lat, lon), strict=True):
            draw(col, [widget])
        draw(st, [citation, places.add_button(state, store, user)])
    if entry is not None and (infos := places.replaceable(work, entry, user)):
        st.subheader("Re-place the datasets that named it")
        st.caption("Their rows left unplaced are geocoded again with the shared layer; those placed now join the dataset as a new version.")
        draw(st, places.replace_buttons(state, store, user, infos))
    if replaced := state.get("pl_replaced"):
        st.markdown(markdown_text(f"Last re-place: {places.replaced_summary(replaced.name, replaced.report)}"))
        st.dataframe(places.replace_table(replaced.report), hide_index=True)
        download = places.replace_download(replaced)
        if st.button(download.label, key=download.key):  # made in the run of this user's own click
            draw(st, [hand_over(download, store=store, user=user)])

    st.subheader("Learn places from a dataset")
    st.caption("A coded dataset's own place names with precise points (precision 1) that the gazetteer lacks join the "
               "shared layer, citing the dataset; a name the gazetteer places elsewhere is a conflict, not added.")  # fmt: skip
    if learnable := places.learnable(work, user):
        draw(st, places.learn_widgets(state, store, user, learnable))
    else:
        st.caption("No stored dataset you may export yet.")
    if learned := state.get("pl_learned"):
        st.markdown(markdown_text(f"Last learning: {places.learned_summary(learned.name, learned.report)}"))
        st.dataframe(places.learned_frame(learned.report), hide_index=True)

st.subheader("The shared layer")
st.dataframe(places.shared_frame(work), hide_index=True)
if not work.shared:
    st.caption("No shared place yet.")
if mine := places.removable(work, user):
    with st.expander("Remove a place (to correct one, remove it and add it again)"):
        draw(st, places.remove_widgets(state, store, user, mine))
