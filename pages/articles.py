"""Articles: each article's text with the sentences that produced events highlighted and linked."""

from __future__ import annotations

import runpy
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from geo.articles import article_id_for, highlight_html, read_article, save_user_article
from geo.build_data import article_paths
from geo.errors import ReadError
from geo.escape import link_html, markdown_text, safe_url
from geo.extract import extract, rejections_frame

# Opened directly by Streamlit's pages/ routing (a link's first request after a server start,
# before any st.navigation call): run the entry script as this page's frame, so the URL still
# decides the whole view. Under st.navigation the entry script has already run (flag set).
if not st.session_state.pop("_frame_active", False):
    runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"), run_name="frame")
st.session_state.pop("_frame_active", None)

query = st.session_state["query"]
st.title("Articles")
st.caption("Rule-based extraction: every event points back to its sentence; rejected candidates say why.")

with st.expander("Add an article (text or Markdown with front matter: title, date, outlet, url)"):
    text = st.text_area("Article", key="art_text", height=160,
                        placeholder="---\ntitle: ...\ndate: 2024-12-01\noutlet: ...\n---\nBody…")  # fmt: skip
    if st.button("Extract", key="art_add") and text.strip():
        st.session_state.setdefault("user_articles", {})[article_id_for(text)] = text

paths = [(p.stem, p) for p in article_paths()]
for art_id, body in st.session_state.get("user_articles", {}).items():
    paths.append((art_id, save_user_article(body, datasets_dir=st.session_state["settings"].datasets_dir)))

@st.cache_data(max_entries=64, show_spinner=False)
def cached_extract(path: str, text: str):
    """Extraction of one article, cached by its text (reruns do not extract again)."""
    article = read_article(path)
    events, rejected = extract(article)
    return article, events.drop(columns="geometry"), rejections_frame(rejected)


link_params = urlencode({k: v for k, v in query.to_params().items() if k not in ("event", "view")}, doseq=True)
for art_id, path in paths:
    try:
        article, events, rej = cached_extract(str(path), path.read_text(encoding="utf-8"))
    except ReadError as exc:
        st.error(markdown_text(str(exc)))
        continue
    with st.container(border=True):
        st.subheader(markdown_text(article.title))
        st.caption(markdown_text(f"{article.outlet} · {article.published:%d %b %Y} · id {art_id} · {len(events)} events, {len(rej)} rejected"))
        if safe_url(article.url):
            st.markdown("Source: " + link_html(article.url), unsafe_allow_html=True)
        spans = list(zip(events["span_start"].astype(int), events["span_end"].astype(int), events["event_id"], strict=True))
        st.markdown(highlight_html(article, spans, link_params=link_params), unsafe_allow_html=True)
        cols = ["event_id", "event_date", "sub_event_type", "actor1", "location", "geo_precision", "confidence"]
        st.dataframe(pd.DataFrame(events[cols]).assign(event_date=events["event_date"].dt.strftime("%Y-%m-%d")), hide_index=True)
        if len(rej):
            st.caption("Rejected candidate sentences")
            st.dataframe(rej[["reason", "trigger", "sentence"]], hide_index=True)
