"""Data: upload and share datasets, see what was rejected and why, check quality, export the view."""

from __future__ import annotations

import streamlit as st

from geo import data_session as data
from geo.access import may_upload
from geo.escape import markdown_text
from geo.export import view_exports
from geo.page import page_context
from geo.schema import schema_markdown
from geo.storage.interface import datasets_table
from geo.summary import quality
from geo.ui_state import dataset_key
from geo.web.exports import Download, hand_over
from geo.widgets import draw

ctx = page_context(st.session_state, page="data")
query = st.session_state["query"]


def offer(box, download: Download) -> None:
    """A download button: the file is made in the run of this user's own click (geo.web.exports)."""
    if box.button(download.label, key=download.key):
        draw(box, [hand_over(download, store=ctx.store, user=ctx.user)])


st.title("Data")
st.subheader("Upload events")
if not may_upload(ctx.user):
    st.info("You can read the datasets shared with you; uploading needs the analyst role (ask an admin).")
upload = draw(st, [data.upload_widget()])[0] if may_upload(ctx.user) else None
st.caption(data.limits_caption(ctx.settings))
draw(st, data.upload_widgets())
if upload is not None:
    # Said by the server, not the upload widget: the file this run has is the one "Load and store" reads.
    st.caption(markdown_text(f"Ready to load: {upload.name} ({upload.size:,} bytes)"))
    st.caption(data.MAPPING_HINT)
    peek = data.peek_session(st.session_state, upload.file_id, upload.getvalue, upload.name)
    if peek.error and not st.session_state.get("up_go"):  # said once: the Load press says it as its error
        st.warning(markdown_text(peek.error))
    widgets = data.mapping_widgets(peek)
    mapping = {w.label: draw(col, [w])[0] for col, w in zip(st.columns(len(widgets)), widgets, strict=True)}
    if st.button("Load and store", key="up_go"):
        bar = st.progress(0.0, text="reading")
        if error := data.store_upload(st.session_state, ctx.store, ctx.user, ctx.settings, content=upload.getvalue(),
                                      name=upload.name, mapping=mapping, progress=lambda f, text: bar.progress(f, text=text)):  # fmt: skip
            bar.empty()
            st.error(markdown_text(error))
if st.session_state.get("last_report"):
    dataset_id, report = st.session_state["last_report"]
    st.success(markdown_text(data.stored_summary(dataset_id, report)))
    st.code(report.summary(), language=None)  # how the file was read: encoding, dates, notes, mapping
    st.expander("Load report as JSON").json(report.to_dict())
    if report.rows_rejected:
        st.dataframe(report.rejected, hide_index=True, height=220)
        offer(st, data.rejected_download(report))
    st.button(f"Open dataset {dataset_id}", key="up_open", on_click=data.open_stored, args=(st.session_state, st.query_params, dataset_id))

st.subheader("Datasets you can open")
visible = ctx.store.datasets(ctx.user)
st.dataframe(datasets_table(visible), hide_index=True)
st.caption(data.DATASETS_HINT)
if notice := st.session_state.pop("data_notice", None):  # what the last Save, confirmation or deletion did
    getattr(st, notice.kind)(markdown_text(notice.text))
if by_id := data.shareable(visible, ctx.user):
    st.subheader("Share or delete")
    picked = by_id[st.selectbox("Dataset", list(by_id), key="sh_dataset", format_func=lambda i: f"{by_id[i].name} ({i})")]
    draw(st, data.share_widgets(picked, ctx.user))
    data.share_form(st.session_state, picked)  # a confirmation waiting for another change is dropped
    actions = (st.session_state, ctx.store, ctx.user, by_id)  # each button reads the form as it is at its click
    st.button("Save sharing", key="sh_save", on_click=data.save_share, args=actions)
    if waiting := data.pending_share(st.session_state, picked):
        st.warning(markdown_text(waiting[1]))
        for col, button in zip(st.columns(2), data.confirm_buttons(*actions, waiting[0]), strict=True):
            draw(col, [button])
    confirm = st.checkbox(f"Delete {picked.id} for everyone", key=dataset_key("del_confirm", picked.id))
    st.button("Delete dataset", key="del_go", disabled=not confirm, on_click=data.delete_dataset, args=actions)

if ctx.user.role == "admin":
    st.subheader("Audit log")
    log = ctx.store.audit_log(ctx.user)
    st.dataframe(log, hide_index=True, height=220)
    offer(st, data.audit_download(log))

st.subheader("Quality of the current dataset")
q = quality(ctx.events)
for col, (label, key) in zip(st.columns(3), data.QUALITY_METRICS.items(), strict=True):
    col.metric(label, q[key])
for col, key in zip(st.columns(2), ("geo_precision", "time_precision"), strict=True):
    col.dataframe(q[key], hide_index=True)

st.subheader("Export the current view")
shown = query.apply(ctx.events)
st.caption(f"{markdown_text(query.describe())} · {len(shown):,} events")
for cell, download in zip(st.columns(4), view_exports(shown, query), strict=True):
    offer(cell, download)

st.subheader("Sources and licences")
st.markdown(data.sources(query.dataset))
st.expander("Schema (generated from geo/schema.py)").markdown(schema_markdown())
st.caption(data.settings_caption(ctx.settings))
