"""Articles: each article's text with the sentences that produced events highlighted and linked."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from geo.access import VISIBILITIES, NotAvailable, allowed
from geo.article_store import may_delete_article
from geo.articles import highlight_html
from geo.build_data import article_paths
from geo.errors import ReadError
from geo.escape import link_html, markdown_text, safe_url
from geo.extract import extract_text
from geo.gazetteer import Gazetteer
from geo.page import page_context
from geo.ui_state import dataset_key

ctx = page_context(st.session_state, page="articles")

query = st.session_state["query"]
store, user = ctx.store, ctx.user
st.title("Articles")
st.caption("Rule-based extraction: every event points back to its sentence; rejected candidates say why.")

with st.expander("Add an article (text or Markdown with front matter: title, date, outlet, url)"):
    text = st.text_area("Article", key="art_text", height=160,
                        placeholder="---\ntitle: ...\ndate: 2024-12-01\noutlet: ...\n---\nBody…")  # fmt: skip
    st.caption("A pasted article is kept in the store as yours, private until you share it (below it).")
    if st.button("Extract", key="art_add") and text.strip():
        try:
            store.save_article(text, user)
        except (ReadError, PermissionError) as exc:
            st.error(markdown_text(str(exc)))
if st.session_state.get("art_notice"):
    st.success(markdown_text(st.session_state.pop("art_notice")))

# The shipped seeds, then the stored articles this user may open (their own and those shared with them).
stored = store.articles(user)
texts = [(p.stem, p.name, p.read_text(encoding="utf-8"), None) for p in article_paths()]
for info in stored:
    try:
        texts.append((info.id, info.title, store.article_text(info.id, user), info))
    except NotAvailable:  # deleted between the listing and the read (on any replica)
        continue


@st.cache_data(max_entries=64, show_spinner=False)
def cached_extract(article_id: str, name: str, text: str, layer: str, _gazetteer: Gazetteer):
    """Extraction with the store's gazetteer, cached by the text and the shared layer's version."""
    return extract_text(text, article_id=article_id, name=name, gazetteer=_gazetteer)


def sharing(info) -> None:
    """Who sees a stored article (its owner, an analyst, or an admin changes it), and deleting it (its owner or an admin)."""
    st.caption(markdown_text(f"Pasted by {info.owner_label} · visible to: {VISIBILITIES[info.visibility]}"))
    if may_delete_article(user, info) and st.button("Delete this article for everyone", key=dataset_key("art_delete", info.id)):
        store.delete_article(info.id, user)
        st.session_state["art_notice"] = f"Deleted the article {info.title}."
        st.rerun()
    if not allowed(user, "change_visibility", info.grant):
        return
    with st.expander(f"Who sees this article (now: {info.visibility.replace('_', ' ')})"):
        choices = [v for v in VISIBILITIES if v != "link"]
        visibility = st.selectbox("Who sees it", choices, index=choices.index(info.visibility) if info.visibility in choices else 0,
                                  key=dataset_key("art_visibility", info.id), format_func=VISIBILITIES.get)  # fmt: skip
        teams = st.multiselect("Teams (for 'team')", sorted(user.groups | set(info.teams)), default=list(info.teams),
                               key=dataset_key("art_teams", info.id), accept_new_options=True)  # fmt: skip
        if st.button("Save", key=dataset_key("art_save", info.id)):
            try:
                store.share_article(info.id, user, visibility=visibility, teams=tuple(teams))
            except ValueError as exc:
                st.error(markdown_text(str(exc)))
            else:
                st.session_state["art_notice"] = f"{info.title}: {info.visibility} → {visibility}."
                st.rerun()


gazetteer = store.gazetteer()
link_params = urlencode({k: v for k, v in query.to_params().items() if k not in ("event", "view")}, doseq=True)
for art_id, name, body, info in texts:
    try:
        article, events, rej = cached_extract(art_id, name, body, gazetteer.layer, gazetteer)
    except ReadError as exc:
        st.error(markdown_text(str(exc)))
        continue
    with st.container(border=True):
        st.subheader(markdown_text(article.title))
        st.caption(markdown_text(f"{article.outlet} · {article.published:%d %b %Y} · id {art_id} · {len(events)} events, {len(rej)} rejected"))
        if info is not None:  # stored (pasted), not shipped
            sharing(info)
        if safe_url(article.url):
            st.markdown("Source: " + link_html(article.url), unsafe_allow_html=True)
        spans = list(zip(events["span_start"].astype(int), events["span_end"].astype(int), events["event_id"], strict=True))
        st.markdown(highlight_html(article, spans, link_params=link_params), unsafe_allow_html=True)
        cols = ["event_id", "event_date", "sub_event_type", "actor1", "location", "geo_precision", "confidence"]
        st.dataframe(pd.DataFrame(events[cols]).assign(event_date=events["event_date"].dt.strftime("%Y-%m-%d")), hide_index=True)
        if len(rej):
            st.caption("Rejected candidate sentences")
            st.dataframe(rej[["reason", "trigger", "sentence"]], hide_index=True)
