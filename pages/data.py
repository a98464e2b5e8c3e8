"""Data: upload and share datasets, see what was rejected and why, check quality, export the view."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import streamlit as st

from geo.access import VISIBILITIES, allowed, confirm_prompt, may_upload, saved_notice, share_change
from geo.countries import country_choices
from geo.dates import DATE_ORDERS
from geo.errors import ReadError
from geo.escape import markdown_text
from geo.export import geojson_bytes, geoparquet_bytes, safe_csv
from geo.io import FORMATS, UPLOAD_TYPES
from geo.io.formats import AUTO_COLUMNS
from geo.io.sniff import peek_columns
from geo.mapview import build_map, standalone_html
from geo.params import BUNDLED_ID
from geo.schema import schema_markdown
from geo.storage.interface import datasets_table
from geo.summary import quality
from geo.ui_state import DATASET_SWITCH_RESETS, dataset_key, is_dataset_key

# Opened directly by Streamlit's pages/ routing (a link's first request after a server start,
# before any st.navigation call): run the entry script as this page's frame, so the URL still
# decides the whole view. Under st.navigation the entry script has already run (flag set).
if not st.session_state.pop("_frame_active", False):
    runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"), run_name="frame")
st.session_state.pop("_frame_active", None)

query = st.session_state["query"]
events = st.session_state["events"]
settings = st.session_state["settings"]
store, user = st.session_state["store"], st.session_state["user"]
offer_download = st.session_state["offer_download"]  # app.py: made on click, fetched once (geo.web.exports)

st.title("Data")
st.subheader("Upload events")
if not may_upload(user):
    st.info("You can read the datasets shared with you; uploading needs the analyst role (ask an admin).")
upload = None if not may_upload(user) else st.file_uploader("ACLED, UCDP GED, GeoJSON, GeoParquet, Excel, a zipped CSV or Shapefile, GeoPackage, KML or any CSV",
                          key="up_file", type=list(UPLOAD_TYPES))  # fmt: skip
st.caption(f"Limits: {settings.max_file_mb:,g} MB per file (setting CONFLICT_MAP_MAX_FILE_MB; the upload widget's own limit is "
           f"Streamlit's server.maxUploadSize), {settings.max_rows:,} rows (CONFLICT_MAP_MAX_ROWS). Rejected rows are kept with "
           "their line and reason, and can be downloaded.")  # fmt: skip
fmt = st.selectbox("Format", FORMATS, key="up_format")
order = st.selectbox("Date order", ["auto", *DATE_ORDERS], key="up_date_order",
                     format_func=lambda o: "decide from the column" if o == "auto" else DATE_ORDERS[o],
                     help="How numeric dates such as 05/04/2015 are read. 'decide from the column' uses values such as "
                          "25/04/2015 that prove the order, then a year column, then the format's convention — "
                          "the load report says which.")  # fmt: skip
country = st.selectbox("Country of the place names", ["", *country_choices()], key="up_country",
                       format_func=lambda c: country_choices().get(c, "as the file's columns say"),
                       help="Bounds where place names without coordinates may land: a name is looked up only among "
                            "this country's places (a row's own country column wins). Unmatched names stay unplaced, "
                            "with the reason.")  # fmt: skip
mapping: dict[str, str] = {}
if upload is not None:
    # Said by the server, not the upload widget: the file this run has is the one "Load and store" reads.
    st.caption(markdown_text(f"Ready to load: {upload.name} ({upload.size:,} bytes)"))
    st.caption("Column mapping: leave empty to auto-detect (lat/latitude/y, lon/lng/longitude/x, date/event_date); "
               "a choice overrides what an ACLED or UCDP format would use. A file without a header has columns 1…N.")  # fmt: skip
    peeked = st.session_state.get("_peeked")
    if peeked is None or peeked[0] != upload.file_id:  # once per uploaded file, not on every rerun
        try:
            peeked = (upload.file_id, ["", *peek_columns(upload.getvalue(), name=upload.name)], None)
        except ReadError as exc:  # said now (a zip bomb, a busy server), and again by "Load and store"
            peeked = (upload.file_id, [""], str(exc))
        st.session_state["_peeked"] = peeked
    if peeked[2] and not st.session_state.get("up_go"):  # said once: the Load press says it as its error
        st.warning(markdown_text(peeked[2]))
    columns = peeked[1]
    for canonical, cell in zip(AUTO_COLUMNS, st.columns(len(AUTO_COLUMNS)), strict=True):
        choice = cell.selectbox(canonical, columns, key=f"map_{canonical}")
        if choice:
            mapping[canonical] = choice
if upload is not None and st.button("Load and store", key="up_go"):
    bar = st.progress(0.0, text="reading")
    size = max(upload.size, 1)
    try:
        dataset_id, result = store.save(
            upload.getvalue(), name=upload.name, user=user, format=fmt, mapping=mapping or None,
            max_file_mb=settings.max_file_mb, max_rows=settings.max_rows, date_order=None if order == "auto" else order,
            country=country or None,
            progress=lambda rows, msg: bar.progress(min(0.95, rows * 120 / size), text=f"{msg}: {rows:,}"),
        )  # fmt: skip
    except ReadError as exc:
        bar.empty()
        st.error(markdown_text(str(exc)))
    except Exception as exc:  # noqa: BLE001 - a hostile file must never take the page down
        bar.empty()
        st.error(markdown_text(f"{upload.name}: could not be loaded ({type(exc).__name__}). "
                               "This is a bug in the reader; the file was not stored."))  # fmt: skip
    else:
        bar.progress(1.0, text="done")
        st.session_state["last_report"] = (dataset_id, result.report)
report_state = st.session_state.get("last_report")
if report_state:
    dataset_id, report = report_state
    st.success(markdown_text(f"Stored as dataset {dataset_id} — {report.rows_loaded:,} of {report.rows_read:,} rows loaded "
                             f"({report.format}: {report.detected})."))  # fmt: skip
    st.code(report.summary(), language=None)  # how the file was read: encoding, dates, notes, mapping
    with st.expander("Load report as JSON"):
        st.json(report.to_dict())
    if report.rows_rejected:
        st.dataframe(report.rejected, hide_index=True, height=220)
        offer_download(st, "Download rejected rows (CSV)", key="dl_rejected", file_name="rejected.csv", mime="text/csv",
                       make=lambda: safe_csv(report.rejected), what="rejected rows", dataset_id=None)  # fmt: skip
    if st.button(f"Open dataset {dataset_id}", key="up_open"):
        st.session_state["dataset"] = dataset_id
        for key in DATASET_SWITCH_RESETS:
            st.session_state.pop(key, None)
        st.query_params.clear()
        st.query_params["dataset"] = dataset_id
        st.rerun()

if st.session_state.get("data_notice"):
    st.success(markdown_text(st.session_state.pop("data_notice")))
st.subheader("Datasets you can open")
visible = store.datasets(user)
st.dataframe(datasets_table(visible), hide_index=True)
st.caption("A link with ?dataset=<id> opens the same data for everyone it is shared with; anyone else is told it is "
           "not available to them. New uploads are private to their owner until shared.")  # fmt: skip

changeable = [i for i in visible if i.id != BUNDLED_ID and allowed(user, "change_visibility", i.grant)]
if changeable:
    st.subheader("Share or delete")
    by_id = {i.id: i for i in changeable}
    picked = by_id[st.selectbox("Dataset", list(by_id), key="sh_dataset", format_func=lambda i: f"{by_id[i].name} ({i})")]
    # Keyed by the dataset: these widgets can only ever hold this dataset's settings (a shared key,
    # popped on a switch, kept showing and sending the dataset picked before).
    visibility = st.radio("Who sees it", list(VISIBILITIES), key=dataset_key("sh_visibility", picked.id),
                          index=list(VISIBILITIES).index(picked.visibility),
                          format_func=lambda v: f"{v.replace('_', ' ')} — {VISIBILITIES[v]}")  # fmt: skip
    teams = st.multiselect("Teams (for 'team')", sorted(user.groups | set(picked.teams)), default=list(picked.teams),
                           key=dataset_key("sh_teams", picked.id), accept_new_options=True)  # fmt: skip
    try:
        change, invalid = share_change(old_visibility=picked.visibility, old_teams=picked.teams,
                                       new_visibility=visibility, new_teams=teams), None  # fmt: skip
    except ValueError as exc:  # "team" with no team: said on Save, nothing else to compare
        change, invalid = None, str(exc)
    pending_key = dataset_key("sh_pending", picked.id)
    # A waiting confirmation holds only while the same dataset, stored sharing and widgets say the same change.
    for key in [k for k in st.session_state if is_dataset_key(k, "sh_pending") and k != pending_key]:
        st.session_state.pop(key, None)
    if st.session_state.get(pending_key) != change:
        st.session_state.pop(pending_key, None)
    if st.button("Save sharing", key="sh_save"):
        if change is None:
            st.error(markdown_text(invalid or ""))
        elif not change.changed:
            st.info(markdown_text(f"{picked.name}: {change.summary()}."))
        elif change.widens:  # more people would see it: saved only after a second, explicit step
            st.session_state[pending_key] = change
        else:
            store.share(picked.id, user, visibility=change.new_visibility, teams=change.new_teams)
            st.session_state["data_notice"] = saved_notice(picked.name, change)
            st.rerun()  # so the list above shows the change
    pending = st.session_state.get(pending_key)
    if pending is not None:
        st.warning(markdown_text(confirm_prompt(picked.name, pending)))
        ok, cancel = st.columns(2)
        if ok.button(f"Confirm: widen to {pending.after}", key="sh_confirm", type="primary"):
            st.session_state.pop(pending_key, None)
            store.share(picked.id, user, visibility=pending.new_visibility, teams=pending.new_teams)
            st.session_state["data_notice"] = saved_notice(picked.name, pending)
            st.rerun()
        if cancel.button("Cancel", key="sh_cancel"):
            st.session_state.pop(pending_key, None)
            st.rerun()
    confirm = st.checkbox(f"Delete {picked.id} for everyone", key=dataset_key("del_confirm", picked.id))
    if st.button("Delete dataset", key="del_go", disabled=not confirm):
        store.delete(picked.id, user)
        for key in ("sh_dataset", *(dataset_key(k, picked.id) for k in ("sh_visibility", "sh_teams", "sh_pending", "del_confirm"))):
            st.session_state.pop(key, None)
        st.session_state["data_notice"] = f"Deleted {picked.name} ({picked.id})."
        st.rerun()

if user.role == "admin":
    st.subheader("Audit log")
    log = store.audit_log(user)
    st.dataframe(log, hide_index=True, height=220)
    offer_download(st, "Download the audit log (CSV)", key="dl_audit", file_name="audit.csv", mime="text/csv",
                   make=lambda: safe_csv(log), what="audit log", dataset_id=None)  # fmt: skip

st.subheader("Quality of the current dataset")
q = quality(events)
c1, c2, c3 = st.columns(3)
c1.metric("Duplicate ids", q["duplicate_ids"])
c2.metric("Without coordinates", q["without_coordinates"])
c3.metric("admin1 disagrees with polygon", q["admin1_mismatch"])
d1, d2 = st.columns(2)
d1.dataframe(q["geo_precision"], hide_index=True)
d2.dataframe(q["time_precision"], hide_index=True)

st.subheader("Export the current view")
shown = query.apply(events)
st.caption(f"{markdown_text(query.describe())} · {len(shown):,} events")
e1, e2, e3, e4 = st.columns(4)
exports = {  # key: (label, file name, MIME type, how it is built)
    "ex_csv": ("CSV", "events.csv", "text/csv", lambda: safe_csv(shown)),
    "ex_geojson": ("GeoJSON", "events.geojson", "application/geo+json", lambda: geojson_bytes(shown)),
    "ex_parquet": ("GeoParquet", "events.parquet", "application/octet-stream", lambda: geoparquet_bytes(shown)),
    "ex_map": ("Map (HTML)", "map.html", "text/html", lambda: standalone_html(build_map(shown, query)[0])),
}
for cell, (key, (label, file_name, mime, make)) in zip(st.columns(len(exports)), exports.items(), strict=True):
    offer_download(cell, label, key=key, file_name=file_name, mime=mime, make=make, what=label, dataset_id=query.dataset)

st.subheader("Sources and licences")
if query.dataset == BUNDLED_ID:
    st.markdown("The bundled events come from the sourced reference timeline (every row cites outlets, titles and URLs) "
                "and from the articles in `seeds/` (every event points to its sentence).")  # fmt: skip
st.markdown(
    "- Places: © GeoNames (geonames.org), CC BY 4.0\n- Boundaries: Natural Earth (public domain); border line: GSHHG/WDB II\n"
    "- Names learned from UCDP GED (CC BY 4.0; Sundberg & Melander 2013, Högbladh 2019)\n- Map library: Leaflet (BSD-2)"
)
with st.expander("Schema (generated from geo/schema.py)"):
    st.markdown(schema_markdown())
st.caption(json.dumps({"settings": {"tiles": settings.tiles, "border_km": settings.border_km}}))
