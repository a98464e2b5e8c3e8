"""Folium map building: an offline base map with overlays, and one event layer per mode.

Nothing here talks to Streamlit. The page passes the event layer to ``st_folium`` as
``feature_group_to_add`` so filter changes do not remount the base map.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache

import folium
import folium.plugins
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from geo import layers
from geo.areas import areas
from geo.assets import STATIC_DIR, asset_text, asset_url
from geo.escape import link_html
from geo.query import Query
from geo.taxonomy import EVENT_TYPE_COLORS, UNKNOWN_COLOR

DEFAULT_VIEW = (35.6, 39.3, 6)  # Aleppo, Idlib and the whole Iraq–Syria border in one frame
POINTS_LIMIT = 3000  # above this, "auto" aggregates server-side (bounded payload)
POINTS_HARD_LIMIT = 4000  # even an explicit "points" request aggregates above this (~1.9 MB of HTML)
MAX_HEAT_CELLS = 20_000  # heatmap weights are coarsened until they fit
MAP_PX = (900, 560)  # the map's size on the page, for the view's bounding box
TILES = {
    "none": None,
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),
}
ATTRIBUTION = "Boundaries: Natural Earth · GSHHG · Places: © GeoNames (CC BY 4.0) · Events: sources cited per event"


def base_map(
    *, tiles: str = "none", static_base: str | None = None, view: tuple[float, float, int] | None = None,
    inline_boundaries: bool = False,
) -> folium.Map:
    """The base map: local Leaflet, no CDN, bundled boundaries so it reads without tiles.

    Parameters
    ----------
    tiles
        ``none`` (offline), ``osm`` (OpenStreetMap, needs internet) or a tile URL template
        of a self-hosted server (``https://tiles.example/{z}/{x}/{y}.png``).
    static_base
        Where the app serves assets; ``None`` for the default ``/app/static/vendor``.
    view
        Initial ``(lat, lon, zoom)``; keep it fixed for a session so panning never remounts the map.
    inline_boundaries
        Embed the boundary layers in the map's script (a standalone file); otherwise the map
        fetches them from the app's static folder, so the ~280 kB are not resent on every rerun.
    """
    lat, lon, zoom = view or DEFAULT_VIEW
    m = folium.Map(location=[lat, lon], zoom_start=zoom, tiles=None, prefer_canvas=True, control_scale=True,
                   max_zoom=18, min_zoom=3)  # fmt: skip
    _use_local_assets(m, static_base)
    tile = TILES.get(tiles, (tiles, "self-hosted tiles") if tiles.startswith(("http://", "https://", "/")) else None)
    attribution = ATTRIBUTION
    if tile:
        folium.TileLayer(tiles=tile[0], attr=tile[1], name="basemap", max_zoom=18).add_to(m)
        attribution += f" · Tiles: {tile[1]}"
    _add_overlays(m, inline=inline_boundaries, static_base=static_base)
    Attribution(attribution).add_to(m)
    return m


def _use_local_assets(m: folium.Map, static_base: str | None) -> None:
    kwargs = {} if static_base is None else {"base": static_base}
    # Leaflet.heat is loaded with the base map: in the app the event layer is swapped into a map
    # that is never remounted, so a plugin the first layer did not need would otherwise be missing.
    m.default_js = [("leaflet", asset_url("leaflet.js", **kwargs)), ("leaflet_heat", asset_url("leaflet-heat.js", **kwargs))]
    m.default_css = [("leaflet_css", asset_url("leaflet.css", **kwargs))]


def _add_overlays(m: folium.Map, *, inline: bool, static_base: str | None) -> None:
    kwargs = {} if static_base is None else {"base": static_base}
    Boundaries(url=None if inline else boundaries_url(**kwargs)).add_to(m)
    PlaceLabels().add_to(m)


class _Rendered(Element):
    """Text already rendered, added to the figure as it is.

    branca wraps each element's rendered script in a new ``Element(text)``, which compiles the
    text as a Jinja template: for a layer with a large embedded payload that compile costs more
    than building the layer.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class _ScriptElement(MacroElement):
    """A macro element with only a script, rendered without compiling its output again."""

    def render(self, **kwargs) -> None:
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_Rendered(script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class Boundaries(_ScriptElement):
    """Countries, governorates, the areas of interest, the border line and the crossings, drawn by a
    small script from GeoJSON serialised once per process (:func:`_boundaries_payload`).

    folium's own ``GeoJson`` layers re-serialise and re-style every feature, and walk every
    coordinate for the map's bounds, on each render — and streamlit-folium renders the base map on
    every rerun. With ``url`` the script fetches the payload (the app's static file); without it
    the payload is embedded (a standalone file). The layers sit in a pane below the events, so the
    order in which the fetch and the event layer arrive does not matter.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() {
      var map = {{ this._parent.get_name() }};
      if (!map.getPane('boundaries')) {
        map.createPane('boundaries').style.zIndex = 350;  // below the events (overlay pane, 400)
        map.createPane('crossings').style.zIndex = 450;   // SVG: only the markers take the pointer
      }
      var draw = function(g) {
        var group = L.featureGroup().addTo(map), under = {interactive: false, pane: 'boundaries'};
        L.geoJSON(g.countries, Object.assign({style: function(f) {
          return {color: '#555', weight: 1.2, fillColor: '#f3efe6', fillOpacity: g.filled.indexOf(f.properties.iso) >= 0 ? 1.0 : 0.6};
        }}, under)).addTo(group);
        L.geoJSON(g.governorates, Object.assign({style: {color: '#999', weight: 0.6, fill: false}}, under)).addTo(group);
        g.areas.forEach(function(a) {
          L.geoJSON(a, Object.assign({style: {color: '#7a3b69', weight: 1.5, dashArray: '4 4', fillOpacity: 0.04}}, under)).addTo(group);
        });
        L.geoJSON(g.border, Object.assign({style: {color: '#b2182b', weight: 2.5}}, under)).addTo(group);
        var svg = L.svg({pane: 'crossings'});
        g.crossings.forEach(function(c) {
          L.circleMarker([c[1], c[2]], {radius: 6, color: '#111', weight: 2, fill: true, fillColor: '#fff', fillOpacity: 1,
            pane: 'crossings', renderer: svg}).bindTooltip(c[0]).addTo(group);
        });
        window.conflictMapBoundaries = true;  // read by browser tests
      };
      {% if this.url %}
      fetch({{ this.url }}).then(function(r) { return r.json(); }).then(draw);
      {% else %}
      draw({{ this.payload }});
      {% endif %}
    })();
    {% endmacro %}
    """)

    def __init__(self, *, url: str | None = None) -> None:
        super().__init__()
        self._name = "Boundaries"
        self.url = None if url is None else _js(url)
        self.payload = None if url else _boundaries_payload()

    def _get_self_bounds(self) -> list[list[float]]:
        west, south, east, north = layers.countries().total_bounds
        return [[float(south), float(west)], [float(north), float(east)]]


BOUNDARIES_FILE = "boundaries.json"


@cache
def boundaries_url(**kwargs: str) -> str:
    """URL of the boundary layers in the app's static folder, written there once per process.

    The URL carries the content's hash, so a browser never draws a cached older version.
    """
    import hashlib

    text = _boundaries_payload()
    path = STATIC_DIR / BOUNDARIES_FILE
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        STATIC_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # atomic: a second process never serves half a file
    return f"{asset_url(BOUNDARIES_FILE, **kwargs)}?v={hashlib.sha256(text.encode()).hexdigest()[:12]}"


@cache
def _boundaries_payload() -> str:
    """The base map's boundary layers as one safe JSON string, built once per process."""
    shown = [a for a in areas() if a.kind in ("governorate", "border")]
    return _js({
        "countries": _countries_json(), "governorates": _governorates_json(), "filled": ["SY", "IQ"],
        "areas": [a.geometry.__geo_interface__ for a in shown],
        "border": layers.border().geometry.iloc[0].__geo_interface__,
        "crossings": [[html.escape(f"{c.name} crossing"), c.lat, c.lon] for c in layers.crossings().itertuples()],
    })  # fmt: skip


@cache
def _countries_json() -> dict:
    return json.loads(layers.countries().to_json(drop_id=True))


@cache
def _governorates_json() -> dict:
    return json.loads(layers.governorates()[["name", "geometry"]].to_json(drop_id=True))


# ---------------------------------------------------------------------- event layers


def degrees_per_pixel(zoom: int) -> float:
    """Degrees of longitude one screen pixel spans at ``zoom`` (Web Mercator, 256-pixel tiles)."""
    return 360.0 / (256 * 2**zoom)


def view_bounds(view: tuple[float, float, int], *, size_px: tuple[int, int] = MAP_PX, margin: float = 0.5) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` the map shows at ``view``, plus a margin (Web Mercator)."""
    import math

    lat, lon, zoom = view
    deg_per_px = degrees_per_pixel(zoom)
    half_w = size_px[0] / 2 * deg_per_px * (1 + margin)
    half_h = size_px[1] / 2 * deg_per_px * math.cos(math.radians(lat)) * (1 + margin)
    return lon - half_w, max(lat - half_h, -85), lon + half_w, min(lat + half_h, 85)


def same_view(a: tuple[float, float, int], b: tuple[float, float, int]) -> bool:
    """Whether two map views differ by less than a screen pixel at their zoom.

    A map reports its centre recomputed from pixels, a few 1e-5 degrees away from the one it was
    given; such a change is not a move, and writing it to the URL would add a history entry.
    """
    pixel = degrees_per_pixel(a[2])
    return a[2] == b[2] and abs(a[0] - b[0]) < pixel and abs(a[1] - b[1]) < pixel


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
    events: pd.DataFrame, query: Query, *, zoom: int | None = None, cells: pd.DataFrame | None = None
) -> tuple[folium.FeatureGroup, str]:
    """The events of the view as one feature group; returns it and the mode used.

    ``cells`` are pre-computed grid counts (see :func:`cells_for_window`) used instead of
    aggregating ``events`` again, so stepping through time slices costs milliseconds.
    """
    mode = resolve_mode(query, len(events))
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
    popups = [_popup(r) for r in events.itertuples()]
    ids = events["event_id"].astype(str).to_numpy()
    tips = [f"{html.escape(i)} · {html.escape(str(t))}" for i, t in zip(ids, events["event_type"].astype(str), strict=True)]
    features = {
        "lon": events["longitude"].round(5).tolist(), "lat": events["latitude"].round(5).tolist(),
        "r": radius.tolist(), "c": colors.tolist(), "p": popups, "t": tips, "id": ids.tolist(),
        "sel": [i == selected for i in ids],
    }  # fmt: skip
    EventPoints(features).add_to(group)


def _popup(row) -> str:
    """Popup HTML of :func:`geo.panels.event_detail`; every value escaped."""
    from geo.panels import event_detail

    d, e = event_detail(row), html.escape
    parts = [
        f"<b>{e(d.title)}</b>", e(d.when_where), e(d.actors), e(d.fatalities), f"<small>{e(d.source[:160])}</small>",
        *[f"<small>{link_html(u, limit=60)}</small>" for u in d.links[:3]],
        f"<small>id {e(d.event_id)}</small>",
    ]
    return "<br>".join(parts)


def grid_counts(events: pd.DataFrame, *, zoom: int, cell_px: int = 48) -> pd.DataFrame:
    """Server-side square-grid aggregation sized to the zoom: ``lat, lon, cell, events, fatalities``."""
    cell = degrees_per_pixel(zoom) * cell_px
    ix = np.floor(events["longitude"].to_numpy(float) / cell).astype(np.int64)
    iy = np.floor(events["latitude"].to_numpy(float) / cell).astype(np.int64)
    frame = pd.DataFrame({"ix": ix, "iy": iy, "f": events["fatalities"].fillna(0).to_numpy(float),
                          "lat": events["latitude"].to_numpy(float), "lon": events["longitude"].to_numpy(float)})  # fmt: skip
    out = frame.groupby(["ix", "iy"]).agg(events=("f", "size"), fatalities=("f", "sum"), lat=("lat", "mean"), lon=("lon", "mean"))
    out = out.reset_index()
    out["cell"] = cell
    return out


def resolve_mode(query: Query, n: int) -> str:
    """The mode actually drawn: the requested one, or an aggregate where points would be unbounded."""
    mode = choose_mode(query, n)
    return "grid" if mode == "points" and n > POINTS_HARD_LIMIT else mode


def daily_cells(events: pd.DataFrame, *, zoom: int, cell_px: int = 48) -> pd.DataFrame:
    """Grid counts per day and cell, computed once for a whole date range (for time playback)."""
    cell = degrees_per_pixel(zoom) * cell_px
    frame = pd.DataFrame({
        "day": events["event_date"].to_numpy(), "ix": np.floor(events["longitude"].to_numpy(float) / cell).astype(np.int64),
        "iy": np.floor(events["latitude"].to_numpy(float) / cell).astype(np.int64),
        "f": events["fatalities"].fillna(0).to_numpy(float),
    })  # fmt: skip
    out = frame.groupby(["day", "ix", "iy"]).agg(events=("f", "size"), fatalities=("f", "sum")).reset_index()
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
    from geo.summary import by_governorate

    counts = by_governorate(events).set_index("admin1")["events"]
    top = max(int(counts.max()), 1) if len(counts) else 1
    gov = _governorates_json()
    for f in gov["features"]:
        f["properties"]["events"] = int(counts.get(f["properties"]["name"], 0))
    folium.GeoJson(
        gov,
        style_function=lambda f: {"color": "#444", "weight": 0.8, "fillColor": "#b2182b",
                                  "fillOpacity": 0.05 + 0.75 * (f["properties"]["events"] / top) ** 0.5},
        tooltip=folium.GeoJsonTooltip(fields=["name", "events"], aliases=["governorate", "events"]),
    ).add_to(group)


# ---------------------------------------------------------------------- custom elements


def _js(data: object) -> str:
    """JSON safe to embed in a <script> block (no '</script>' breakout)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _JsonLayer(_ScriptElement):
    """A layer drawn by a small script from column arrays embedded as safe JSON."""

    def __init__(self, payload: dict) -> None:
        super().__init__()
        self._name = type(self).__name__
        self.payload = _js(payload)


class EventPoints(_JsonLayer):
    """Canvas circle markers from column arrays, with escaped popups and tooltips."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() {
      var d = {{ this.payload }};
      window.conflictMapEvents = d.lat.length;  // read by browser tests and benchmarks
      window.conflictMapRenderedAt = Date.now();
      for (var i = 0; i < d.lat.length; i++) {
        var m = L.circleMarker([d.lat[i], d.lon[i]], {radius: d.r[i], color: d.sel[i] ? '#000' : '#333',
          weight: d.sel[i] ? 3 : 0.6, fillColor: d.c[i], fillOpacity: 0.8, fill: true, className: 'event-point'});
        m.bindPopup(d.p[i]); m.bindTooltip(d.t[i]);
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

class LayerMark(_ScriptElement):
    """Says which mode the event layer was drawn in and when (read by browser tests and benchmarks)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    window.conflictMapMode = {{ this.mode }}; window.conflictMapRenderedAt = Date.now();
    {% endmacro %}
    """)

    def __init__(self, mode: str) -> None:
        super().__init__()
        self._name = "LayerMark"
        self.mode = _js(mode)


class Legend(_ScriptElement):
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
        self.html = _js(rows + "<div><small>size: fatalities</small></div>")


class Attribution(_ScriptElement):
    """Adds credits to Leaflet's attribution control (GeoNames requires it)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text }});
    {% endmacro %}
    """)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = _js(html.escape(text))


class PlaceLabels(_ScriptElement):
    """Labels of the main places, so the map reads without a tile server."""

    PLACES = (("Aleppo", 36.20124, 37.16117), ("Idlib", 35.93062, 36.63393), ("Hama", 35.13179, 36.75783),
              ("Deir ez-Zor", 35.33588, 40.14084), ("Al-Bukamal", 34.45226, 40.91854), ("Mosul", 36.335, 43.11889),
              ("Damascus", 33.5102, 36.29128), ("Raqqa", 35.95283, 39.00788), ("Baghdad", 33.34058, 44.40088))  # fmt: skip
    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() { var p = {{ this.places }};
      p.forEach(function(x) { L.marker([x[1], x[2]], {interactive: false, icon: L.divIcon({className: 'place-label',
        html: '<span style="font:11px sans-serif;color:#333;text-shadow:0 0 3px #fff">' + x[0] + '</span>',
        iconSize: [90, 14], iconAnchor: [-4, 7]})}).addTo({{ this._parent.get_name() }}); });
    })();
    {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "PlaceLabels"
        self.places = _js([[html.escape(n), lat, lon] for n, lat, lon in self.PLACES])


# ---------------------------------------------------------------------- whole maps


def build_map(events: pd.DataFrame, query: Query, *, tiles: str = "none") -> tuple[folium.Map, str]:
    """A complete map (base + event layer) for the standalone export and tests."""
    m = base_map(tiles=tiles, view=query.view, inline_boundaries=True)
    group, mode = event_layer(events, query)
    group.add_to(m)
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
