"""Event layers in folium (points, grid, clusters, heatmap, choropleth) and whole maps for export.

Nothing here talks to Streamlit. The page passes the event layer to ``st_folium`` as
``feature_group_to_add`` on the base map of :mod:`geo.basemap`, so filter changes do not remount it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import folium
import folium.plugins
import numpy as np
import pandas as pd
from jinja2 import Template

from geo.assets import asset_text, asset_url
from geo.basemap import base_map, governorates_json, label_layer
from geo.detail_text import with_text
from geo.elements import ScriptElement, js_json
from geo.escape import link_parts
from geo.panels import DETAIL_COLUMNS, EventDetail, event_details
from geo.query import Query
from geo.summary import by_governorate
from geo.taxonomy import EVENT_TYPE_COLORS, UNKNOWN_COLOR
from geo.viewport import DEFAULT_VIEW, degrees_per_pixel, view_bounds

POINTS_LIMIT = 3000  # above this, "auto" aggregates server-side (bounded payload)
POINTS_HARD_LIMIT = 4000  # even an explicit "points" request aggregates above this (~1.9 MB of HTML)
MAX_HEAT_CELLS = 20_000  # heatmap weights are coarsened until they fit
#: What a points layer reads of each event: its place, size and colour, and its popup.
POINT_COLUMNS: tuple[str, ...] = ("longitude", "latitude", *DETAIL_COLUMNS)
#: The detail text a popup shows (:func:`_popup`): its notes and sentence open in the detail box.
POPUP_TEXT: tuple[str, ...] = ("source", "source_url")
def in_view(events: pd.DataFrame, view: tuple[float, float, int] | None) -> pd.DataFrame:
    """Events inside the map's current view (all of them at overview zooms)."""
    if view is None or view[2] <= DEFAULT_VIEW[2]:
        return events
    x0, y0, x1, y1 = view_bounds(view)
    lon, lat = events["longitude"].to_numpy(), events["latitude"].to_numpy()
    return events[(lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)]


def choose_mode(query: Query, n: int) -> str:
    """``auto`` picks points for small results and a grid for large ones."""
    if query.mode != "auto":
        return query.mode
    return "points" if n <= POINTS_LIMIT else "grid"


def event_layer(
    events: pd.DataFrame, query: Query, *, zoom: int | None = None, cells: pd.DataFrame | None = None,
    rows: pd.DataFrame | None = None,
) -> tuple[folium.FeatureGroup, str]:  # fmt: skip
    """The events of the view as one feature group; returns it and the mode used.

    ``cells`` are pre-computed grid counts (see :func:`cells_for_window`) used instead of
    aggregating ``events`` again, so stepping through time slices costs milliseconds. When
    ``events`` are lean rows (:func:`geo.query.lean_events`), ``rows`` is the full dataset: the
    popups of a points layer read the shown events' whole rows from it, by index.
    """
    mode = resolve_mode(query, len(events))
    if mode == "points":  # only the columns points and popups read, their text from storage if not held
        shown = events if rows is None else rows.loc[events.index, [c for c in POINT_COLUMNS if c in rows]]
        events = with_text(shown, POPUP_TEXT)
    group = folium.FeatureGroup(name="events", control=False)
    zoom = zoom or (query.view[2] if query.view else DEFAULT_VIEW[2])
    if mode == "grid" and cells is not None:
        _draw_grid(cells, group)
    else:
        builder = {"points": _points, "clusters": _clusters, "heatmap": _heatmap, "choropleth": _choropleth, "grid": _grid}[mode]
        builder(events, group, zoom=zoom, selected=query.event)
    if mode in ("points", "clusters"):
        Legend(list(EVENT_TYPE_COLORS.items())).add_to(group)
    LayerMark(mode).add_to(group)
    return group, mode


def _points(events: pd.DataFrame, group: folium.FeatureGroup, *, zoom: int, selected: str | None) -> None:
    """One canvas GeoJSON layer built from arrays (not one folium object per event)."""
    fat = events["fatalities"].fillna(0).to_numpy(float)
    radius = np.clip(4 + 2.2 * np.sqrt(fat), 4, 22).round(1)
    colors = events["event_type"].astype("string").map(EVENT_TYPE_COLORS).fillna(UNKNOWN_COLOR).to_numpy()
    popups = [_popup(d) for d in event_details(events)]
    ids = events["event_id"].astype(str).to_numpy()
    tips = [f"{html.escape(i)} · {html.escape(str(t))}" for i, t in zip(ids, events["event_type"].astype(str), strict=True)]
    features = {
        "lon": events["longitude"].round(5).tolist(), "lat": events["latitude"].round(5).tolist(),
        "r": radius.tolist(), "c": colors.tolist(), "p": popups, "t": tips, "id": ids.tolist(),
        "sel": [i == selected for i in ids],
    }  # fmt: skip
    EventPoints(features).add_to(group)


def _popup(d: EventDetail) -> list[object]:
    """The popup's lines of an event's detail as data; the map's script builds them as text nodes
    (no markup travels: a quarter of a points layer's bytes were escaped tags)."""
    links = [list(link_parts(u, limit=60)) for u in d.links[:3]]
    return [d.title, d.when_where, d.actors, d.fatalities, d.source[:160], links, d.event_id]


def grid_counts(events: pd.DataFrame, *, zoom: int, cell_px: int = 48) -> pd.DataFrame:
    """Server-side square-grid aggregation sized to the zoom: ``lat, lon, cell, events, fatalities``."""
    cell = degrees_per_pixel(zoom) * cell_px
    lat, lon = events["latitude"].to_numpy(float), events["longitude"].to_numpy(float)
    ix, iy = np.floor(lon / cell).astype(np.int64), np.floor(lat / cell).astype(np.int64)
    codes, first = _group_codes(ix, iy)
    n = np.bincount(codes, minlength=len(first))
    out = pd.DataFrame({"ix": ix[first], "iy": iy[first], "events": n,
                        "fatalities": np.bincount(codes, weights=events["fatalities"].fillna(0).to_numpy(float), minlength=len(first)),
                        "lat": np.bincount(codes, weights=lat, minlength=len(first)) / n,
                        "lon": np.bincount(codes, weights=lon, minlength=len(first)) / n})  # fmt: skip
    out = out.sort_values(["ix", "iy"], kind="stable").reset_index(drop=True)
    out["cell"] = cell
    return out


#: Packed keys spanning at most this many values are grouped through a dense table, not a hash.
DENSE_GROUPS = 1 << 22


def _group_codes(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A group code per row for each combination of the integer ``keys``, and one row of each group
    (the keys' values are read from it).

    The keys are packed into one integer and summed with ``bincount``: a third of a pandas
    ``groupby``'s time at 1 M events. A packed range that fits :data:`DENSE_GROUPS` (a grid's
    cells) is ranked through a table indexed by the key, with no hashing (codes in key order);
    a wider one (days × cells) is factorised (codes in order of first appearance). Callers sort.
    """
    packed, size = np.zeros(len(keys[0]), np.int64), 1
    for key in keys:
        lo = key.min() if len(key) else 0
        span = int(key.max() - lo) + 1 if len(key) else 1
        packed, size = packed * span + (key - lo), size * span
    if size <= DENSE_GROUPS:
        row = np.full(size, -1, np.int64)
        row[packed] = np.arange(len(packed))  # a repeated key keeps one of its rows: any has the same keys
        present = row >= 0
        return (np.cumsum(present) - 1)[packed], row[present]
    codes, _ = pd.factorize(packed)
    seen = np.maximum.accumulate(codes) if len(codes) else codes
    first = np.flatnonzero(codes > np.r_[-1, seen[:-1]])
    return codes, first


@dataclass(frozen=True)
class ViewLayer:
    """The map page's event layer, the mode drawn and a caption saying what it shows."""

    layer: folium.FeatureGroup
    mode: str
    caption: str


def view_layer(events: pd.DataFrame, query: Query, *, shown: pd.DataFrame,
               daily_cells_of: Callable[[int], pd.DataFrame]) -> ViewLayer:  # fmt: skip
    """The events of the view on the map page: only those in view are drawn.

    A slice's grid comes from per-day counts of the whole range (``daily_cells_of(zoom)``, which
    the page caches per filter set: playback steps then cost milliseconds); ``events`` are the
    dataset's (popups read their rows), ``shown`` the view's (:meth:`Query.apply`).
    """
    zoom = (query.view or DEFAULT_VIEW)[2]
    on_map = in_view(shown, query.view)
    cells = None
    if query.day and resolve_mode(query, len(on_map)) == "grid":
        cells = cells_for_window(daily_cells_of(zoom), *query.window(), view=query.view)
    layer, mode = event_layer(on_map, query, zoom=zoom, cells=cells, rows=events)
    hint = " · zoom in or click a cell to drill down" if mode in ("grid", "clusters") else ""
    return ViewLayer(layer, mode, f"{len(shown):,} events · {len(on_map):,} in view · map mode: {mode}{hint}")


def resolve_mode(query: Query, n: int) -> str:
    """The mode actually drawn: the requested one, or an aggregate where points would be unbounded."""
    mode = choose_mode(query, n)
    return "grid" if mode == "points" and n > POINTS_HARD_LIMIT else mode


def daily_cells(events: pd.DataFrame, *, zoom: int, cell_px: int = 48) -> pd.DataFrame:
    """Grid counts per day and cell, computed once for a whole date range (for time playback)."""
    cell = degrees_per_pixel(zoom) * cell_px
    day = events["event_date"].to_numpy()
    ix = np.floor(events["longitude"].to_numpy(float) / cell).astype(np.int64)
    iy = np.floor(events["latitude"].to_numpy(float) / cell).astype(np.int64)
    codes, first = _group_codes(day.astype("datetime64[D]").astype(np.int64), ix, iy)
    out = pd.DataFrame({"day": day[first], "ix": ix[first], "iy": iy[first], "events": np.bincount(codes, minlength=len(first)),
                        "fatalities": np.bincount(codes, weights=events["fatalities"].fillna(0).to_numpy(float), minlength=len(first))})  # fmt: skip
    out = out.sort_values(["day", "ix", "iy"], kind="stable").reset_index(drop=True)
    out["cell"] = cell
    return out


def cells_for_window(daily: pd.DataFrame, start, end, *, view: tuple[float, float, int] | None = None) -> pd.DataFrame:
    """Grid counts for the days ``start``–``end`` (inclusive) from :func:`daily_cells`, within the view."""
    days = daily["day"].to_numpy()
    lo, hi = np.searchsorted(days, np.datetime64(start)), np.searchsorted(days, np.datetime64(end) + np.timedelta64(1, "D"))
    window = daily.iloc[lo:hi]
    if view is not None and view[2] > DEFAULT_VIEW[2] and len(window):
        x0, y0, x1, y1 = view_bounds(view)
        cell = float(daily["cell"].iloc[0])
        window = window[(window["ix"] * cell >= x0 - cell) & (window["ix"] * cell <= x1) & (window["iy"] * cell >= y0 - cell) & (window["iy"] * cell <= y1)]
    out = window.groupby(["ix", "iy"]).agg(events=("events", "sum"), fatalities=("fatalities", "sum")).reset_index()
    out["cell"] = daily["cell"].iloc[0] if len(daily) else 1.0
    return out


def _grid(events: pd.DataFrame, group: folium.FeatureGroup, *, zoom: int, selected: str | None) -> None:
    _draw_grid(grid_counts(events, zoom=zoom), group)


def _draw_grid(counts: pd.DataFrame, group: folium.FeatureGroup) -> None:
    top = max(int(counts["events"].max()), 1) if len(counts) else 1
    cells = {
        "x0": (counts["ix"] * counts["cell"]).round(5).tolist(), "y0": (counts["iy"] * counts["cell"]).round(5).tolist(),
        "d": float(counts["cell"].iloc[0]) if len(counts) else 0.0, "n": counts["events"].astype(int).tolist(),
        "o": (0.15 + 0.7 * np.sqrt(counts["events"] / top)).round(3).tolist(),
        "f": counts["fatalities"].astype(int).tolist(),
    }  # fmt: skip
    GridCells(cells).add_to(group)


def _clusters(events: pd.DataFrame, group: folium.FeatureGroup, *, zoom: int, selected: str | None) -> None:
    """Pre-computed clusters at this zoom: one labelled circle per occupied cell."""
    counts = grid_counts(events, zoom=zoom, cell_px=64)
    ClusterBubbles({"lat": counts["lat"].round(5).tolist(), "lon": counts["lon"].round(5).tolist(),
                    "n": counts["events"].astype(int).tolist()}).add_to(group)  # fmt: skip


def _heatmap(events: pd.DataFrame, group: folium.FeatureGroup, *, zoom: int, selected: str | None) -> None:
    cell_px = 8
    counts = grid_counts(events, zoom=zoom, cell_px=cell_px)  # weights per small cell: bounded payload
    while len(counts) > MAX_HEAT_CELLS:
        cell_px *= 2
        counts = grid_counts(events, zoom=zoom, cell_px=cell_px)
    data = counts[["lat", "lon", "events"]].round(5).to_numpy().tolist()
    heat = folium.plugins.HeatMap(data, radius=18, blur=14, min_opacity=0.3, max_zoom=12)
    heat.default_js = [("leaflet_heat", asset_url("leaflet-heat.js"))]
    heat.add_to(group)


def _choropleth(events: pd.DataFrame, group: folium.FeatureGroup, *, zoom: int, selected: str | None) -> None:
    counts = by_governorate(events).set_index("admin1")["events"]
    top = max(int(counts.max()), 1) if len(counts) else 1
    gov = governorates_json()
    for f in gov["features"]:
        f["properties"]["events"] = int(counts.get(f["properties"]["name"], 0))
    folium.GeoJson(
        gov,
        style_function=lambda f: {"color": "#444", "weight": 0.8, "fillColor": "#b2182b",
                                  "fillOpacity": 0.05 + 0.75 * (f["properties"]["events"] / top) ** 0.5},
        tooltip=folium.GeoJsonTooltip(fields=["name", "events"], aliases=["governorate", "events"]),
    ).add_to(group)


# ---------------------------------------------------------------------- custom elements


class _JsonLayer(ScriptElement):
    """A layer drawn by a small script from column arrays embedded as safe JSON."""

    def __init__(self, payload: dict) -> None:
        super().__init__()
        self._name = type(self).__name__
        self.payload = js_json(payload)


class EventPoints(_JsonLayer):
    """Canvas circle markers from column arrays; popups built from text (``textContent``), tooltips escaped."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() {
      var d = {{ this.payload }};
      var popup = function(p) {  // [title, when/where, actors, fatalities, source, [[href, text]], id]
        var div = document.createElement('div'), add = function(tag, text) {
          var el = document.createElement(tag); el.textContent = text; div.appendChild(el); return el; };
        add('b', p[0]);
        [p[1], p[2], p[3]].forEach(function(t) { div.appendChild(document.createElement('br')); div.appendChild(document.createTextNode(t)); });
        div.appendChild(document.createElement('br')); add('small', p[4]);
        p[5].forEach(function(l) {
          div.appendChild(document.createElement('br'));
          var a = add(l[0] ? 'a' : 'small', l[1]);  // l[0]: an http(s) URL checked by the server, else text only
          if (l[0]) { a.href = l[0]; a.target = '_blank'; a.rel = 'noopener noreferrer'; a.style.fontSize = 'smaller'; }
        });
        div.appendChild(document.createElement('br')); add('small', 'id ' + p[6]);
        return div;
      };
      window.conflictMapEvents = d.lat.length;  // read by browser tests and benchmarks
      window.conflictMapRenderedAt = Date.now();
      for (var i = 0; i < d.lat.length; i++) {
        var m = L.circleMarker([d.lat[i], d.lon[i]], {radius: d.r[i], color: d.sel[i] ? '#000' : '#333',
          weight: d.sel[i] ? 3 : 0.6, fillColor: d.c[i], fillOpacity: 0.8, fill: true, className: 'event-point'});
        m.bindPopup(popup.bind(null, d.p[i])); m.bindTooltip(d.t[i]);
        // What a click selects travels as a feature property, never as tooltip text.
        m.feature = {type: 'Feature', properties: {kind: 'event', event_id: d.id[i]}};
        m.addTo({{ this._parent.get_name() }});
      }
      // The selected event is outlined, not opened: a popup opened on every redraw pans the map,
      // the new centre reruns the app, which redraws and pans again (a rerun loop).
    })();
    {% endmacro %}
    """)

class GridCells(_JsonLayer):
    """Aggregated grid cells (count per cell) drawn as rectangles with a count tooltip."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() {
      var d = {{ this.payload }};
      window.conflictMapCells = d.n.length; window.conflictMapRenderedAt = Date.now();
      for (var i = 0; i < d.n.length; i++) {
        var cell = L.rectangle([[d.y0[i], d.x0[i]], [d.y0[i] + d.d, d.x0[i] + d.d]], {color: '#67001f', weight: 0.4,
          fillColor: '#b2182b', fillOpacity: d.o[i], className: 'event-cell'});
        cell.feature = {type: 'Feature', properties: {kind: 'cell', events: d.n[i]}};
        cell.bindTooltip(d.n[i] + ' events, ' + d.f[i] + ' fatalities').addTo({{ this._parent.get_name() }});
      }
    })();
    {% endmacro %}
    """)

class ClusterBubbles(_JsonLayer):
    """Server-side clusters: a circle sized by count, labelled with the count."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() {
      var d = {{ this.payload }};
      window.conflictMapCells = d.n.length; window.conflictMapRenderedAt = Date.now();
      for (var i = 0; i < d.n.length; i++) {
        var size = 18 + Math.min(30, 6 * Math.log(1 + d.n[i]));
        L.marker([d.lat[i], d.lon[i]], {icon: L.divIcon({className: 'event-cluster', iconSize: [size, size],
          html: '<div style="width:' + size + 'px;height:' + size + 'px;line-height:' + size + 'px;border-radius:50%;' +
                'background:rgba(178,24,43,.75);color:#fff;text-align:center;font:12px sans-serif">' + d.n[i] + '</div>'})})
         .addTo({{ this._parent.get_name() }});
      }
    })();
    {% endmacro %}
    """)

class LayerMark(ScriptElement):
    """Says which mode the event layer was drawn in and when (read by browser tests and benchmarks)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    window.conflictMapMode = {{ this.mode }}; window.conflictMapRenderedAt = Date.now();
    {% endmacro %}
    """)

    def __init__(self, mode: str) -> None:
        super().__init__()
        self._name = "LayerMark"
        self.mode = js_json(mode)


class Legend(ScriptElement):
    """Event-type colour legend (labels escaped)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() {
      var legend = L.control({position: 'bottomleft'});
      legend.onAdd = function() { var div = L.DomUtil.create('div', 'event-legend');
        div.style.cssText = 'background:#fff;padding:6px 8px;font:12px sans-serif;border-radius:4px;box-shadow:0 0 4px #999';
        div.innerHTML = {{ this.html }}; return div; };
      var map = {{ this._parent._parent.get_name() if this._parent._parent else this._parent.get_name() }};
      // One legend per map: the event layer is replaced on every filter change or playback step.
      if (map._conflictLegend) { map.removeControl(map._conflictLegend); }
      map._conflictLegend = legend; legend.addTo(map);
      {{ this._parent.get_name() }}.on('remove', function() { if (map._conflictLegend === legend) {
        map.removeControl(legend); map._conflictLegend = null; } });
    })();
    {% endmacro %}
    """)

    def __init__(self, items: list[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "Legend"
        rows = "".join(f'<div><span style="display:inline-block;width:10px;height:10px;border-radius:50%;background:{c};'
                       f'margin-right:5px"></span>{html.escape(label)}</div>' for label, c in items)  # fmt: skip
        self.html = js_json(rows + "<div><small>size: fatalities</small></div>")


# ---------------------------------------------------------------------- whole maps


def build_map(events: pd.DataFrame, query: Query, *, tiles: str = "none") -> tuple[folium.Map, str]:
    """A complete map (base + event layer) for the standalone export and tests."""
    m = base_map(tiles=tiles, view=query.view, inline=True)
    group, mode = event_layer(events, query)
    group.add_to(m)
    label_layer(query.view or DEFAULT_VIEW).add_to(m)
    return m, mode


def map_html(m: folium.Map) -> str:
    """The map as an HTML document (assets referenced by URL)."""
    return m.get_root().render()


def standalone_html(m: folium.Map) -> str:
    """One self-contained HTML file: Leaflet and plugins inlined, opens offline."""
    text = map_html(m)
    for name in ("leaflet.js", "leaflet-heat.js"):
        pattern = rf'<script src="[^"]*{re.escape(name)}"></script>'
        inline = "<script>" + asset_text(name).replace("</script", "<\\/script") + "</script>"
        text = re.sub(pattern, lambda _m, s=inline: s, text)
    css = f"<style>{asset_text('leaflet.css')}</style>"
    text = re.sub(r'<link rel="stylesheet" href="[^"]*leaflet\.css"/>', lambda _m: css, text)
    return text
