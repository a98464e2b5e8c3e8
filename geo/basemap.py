"""The offline base map: local Leaflet, boundaries, water, place labels and landmarks, tile sources.

Everything an analyst orients by is drawn from shipped files, so the map reads with no tile
server: countries and governorates, the border and its crossings (:class:`Boundaries`), rivers
and lakes (:class:`Water`, simplified per zoom), and the names of places and landmarks in view
(:func:`label_layer`, chosen by :mod:`geo.labels`). Large layers are written once per process to
the app's static folder and fetched by the map (:func:`static_json`), so a rerun resends none of
them; a standalone file embeds them instead. A tile layer is optional: a URL template, or the
analyst's own MBTiles file extracted by :mod:`geo.tiles`.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from functools import cache, lru_cache

import folium
import geopandas as gpd
import shapely
from jinja2 import Template

from geo import layers
from geo.areas import areas
from geo.assets import STATIC_DIR, asset_url
from geo.elements import FETCH_OR_EMBED, FetchedLayer, ScriptElement, js_json
from geo.labels import GAP_PX, LABEL_H_PX, LANDMARK_KINDS, SYMBOL_PX, labels_for_view
from geo.viewport import DEFAULT_VIEW

ATTRIBUTION = ("Boundaries: Natural Earth · GSHHG · Rivers: WDB II · Places: © GeoNames (CC BY 4.0) · "
               "Events: sources cited per event")  # fmt: skip


@dataclass(frozen=True)
class TileSource:
    """A raster tile layer: URL template, credit line and the zooms it has tiles for."""

    url: str
    attribution: str
    min_zoom: int = 0
    max_zoom: int = 18


TILES: dict[str, TileSource | None] = {
    "none": None,
    "osm": TileSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors", 0, 19),
}


#: The small maps' credits: in smaller type (two short lines at most), the map showing through.
SMALL_MAP_CSS = ("<style>.leaflet-control-attribution{font-size:9px;line-height:1.2;"
                 "background:rgba(255,255,255,.6)!important}</style>")  # fmt: skip


def tile_source(tiles: str | TileSource | None) -> TileSource | None:
    """``none``/``osm``, a self-hosted URL template, or a :class:`TileSource` (an extracted MBTiles file)."""
    if tiles is None or isinstance(tiles, TileSource):
        return tiles
    if tiles in TILES:
        return TILES[tiles]
    if tiles.startswith(("http://", "https://", "/")):
        return TileSource(tiles, "self-hosted tiles")
    msg = f"tiles: expected none, osm, a tile URL template or an MBTiles file, got {tiles!r}"
    raise ValueError(msg)


def base_map(
    *, tiles: str | TileSource | None = "none", static_base: str | None = None,
    view: tuple[float, float, int] | None = None, inline: bool = False, small: bool = False,
) -> folium.Map:  # fmt: skip
    """The base map: local Leaflet, no CDN, bundled boundaries and water so it reads without tiles.

    Parameters
    ----------
    tiles
        ``none`` (offline), ``osm`` (OpenStreetMap, needs internet), a tile URL template of a
        self-hosted server (``https://tiles.example/{z}/{x}/{y}.png``) or a :class:`TileSource`.
    static_base
        Where the app serves assets; ``None`` for the default ``/app/static/vendor``.
    view
        Initial ``(lat, lon, zoom)``; keep it fixed for a session so panning never remounts the map.
    inline
        Embed the boundary and water layers in the map's script (a standalone file); otherwise the
        map fetches them from the app's static folder, so they are not resent on every rerun.
    small
        A small map (the Review and Places pages'): the sources are credited in smaller type, so
        their line does not cover the bottom of the map.
    """
    lat, lon, zoom = view or DEFAULT_VIEW
    m = folium.Map(location=[lat, lon], zoom_start=zoom, tiles=None, prefer_canvas=True, control_scale=True,
                   max_zoom=18, min_zoom=3)  # fmt: skip
    kwargs = {} if static_base is None else {"base": static_base}
    # Leaflet.heat is loaded with the base map: in the app the event layer is swapped into a map
    # that is never remounted, so a plugin the first layer did not need would otherwise be missing.
    m.default_js = [("leaflet", asset_url("leaflet.js", **kwargs)), ("leaflet_heat", asset_url("leaflet-heat.js", **kwargs))]
    m.default_css = [("leaflet_css", asset_url("leaflet.css", **kwargs))]
    source = tile_source(tiles)
    if source:  # the tile layer credits itself in the attribution control (its text escaped)
        folium.TileLayer(tiles=source.url, attr=html.escape(source.attribution), name="basemap",
                         min_zoom=source.min_zoom, max_native_zoom=source.max_zoom, max_zoom=18).add_to(m)  # fmt: skip
    Boundaries(url=None if inline else static_json("boundaries.json", _boundaries_payload(), **kwargs)).add_to(m)
    Water(url=None if inline else static_json("water.json", water_payload(), **kwargs)).add_to(m)
    Attribution(ATTRIBUTION).add_to(m)
    PromptViewReport().add_to(m)
    if small:
        m.get_root().header.add_child(folium.Element(SMALL_MAP_CSS))
    return m


@cache
def static_json(name: str, text: str, **kwargs: str) -> str:
    """URL of ``text`` written as ``name`` in the app's static folder (once per process).

    The URL carries the content's hash, so a browser never draws a cached older version; the
    write is atomic, so a second process never serves half a file.
    """
    path = STATIC_DIR / name
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        STATIC_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return f"{asset_url(name, **kwargs)}?v={hashlib.sha256(text.encode()).hexdigest()[:12]}"


class Boundaries(FetchedLayer):
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
    """ + FETCH_OR_EMBED + """
    })();
    {% endmacro %}
    """)

    def __init__(self, *, url: str | None = None) -> None:
        super().__init__("Boundaries", url=url, payload=_boundaries_payload)

    def _get_self_bounds(self) -> list[list[float]]:
        west, south, east, north = layers.countries().total_bounds
        return [[float(south), float(west)], [float(north), float(east)]]



@cache
def _boundaries_payload() -> str:
    """The base map's boundary layers as one safe JSON string, built once per process."""
    shown = [a for a in areas() if a.kind in ("governorate", "border")]
    return js_json({
        "countries": _countries_json(), "governorates": governorates_json(), "filled": ["SY", "IQ"],
        "areas": [a.geometry.__geo_interface__ for a in shown],
        "border": layers.border().geometry.iloc[0].__geo_interface__,
        "crossings": [[html.escape(f"{c.name} crossing"), c.lat, c.lon] for c in layers.crossings().itertuples()],
    })  # fmt: skip


@cache
def _countries_json() -> dict:
    return json.loads(layers.countries().to_json(drop_id=True))


@cache
def governorates_json() -> dict:
    """Syria's and Iraq's governorates as GeoJSON (``name`` per feature), parsed once per process."""
    return json.loads(layers.governorates()[["name", "geometry"]].to_json(drop_id=True))



class Water(FetchedLayer):
    """Rivers and lakes: a coarse set at zoom ≤ :data:`WATER_DETAIL_ZOOM`, the detailed one above.

    Drawn in their own pane above the land fill and below the events; never interactive.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() {
      var map = {{ this._parent.get_name() }};
      if (!map.getPane('water')) { map.createPane('water').style.zIndex = 360; }
      var draw = function(w) {
        var style = {pane: 'water', interactive: false, color: '#4a86c5', weight: 1.2, opacity: 0.9};
        var fill = {pane: 'water', interactive: false, color: '#4a86c5', weight: 0.8, fillColor: '#a9cbe8', fillOpacity: 1};
        var levels = ['coarse', 'fine'].map(function(k) {
          var g = L.featureGroup();
          w[k].lakes.forEach(function(ring) { L.polygon(ring, fill).addTo(g); });
          w[k].rivers.forEach(function(line) { L.polyline(line, style).addTo(g); });
          return g;
        });
        var shown = null;
        var pick = function() {
          var want = levels[map.getZoom() <= {{ this.detail_zoom }} ? 0 : 1];
          if (want === shown) { return; }
          if (shown) { map.removeLayer(shown); }
          shown = want.addTo(map);
          window.conflictMapWater = map.getZoom() <= {{ this.detail_zoom }} ? 'coarse' : 'fine';  // read by browser tests
        };
        map.on('zoomend', pick); pick();
      };
    """ + FETCH_OR_EMBED + """
    })();
    {% endmacro %}
    """)

    def __init__(self, *, url: str | None = None) -> None:
        super().__init__("Water", url=url, payload=water_payload)
        self.detail_zoom = WATER_DETAIL_ZOOM


#: Up to this zoom the coarse water set is drawn: rivers ≥ WATER_COARSE_MIN_DEG long, simplified by
#: WATER_COARSE_DEG (~1 km); above it every river and lake, simplified by WATER_FINE_DEG (~50 m).
WATER_DETAIL_ZOOM = 8
WATER_COARSE_DEG, WATER_COARSE_MIN_DEG, WATER_COARSE_MIN_LAKE_DEG2 = 0.01, 0.15, 0.002
WATER_FINE_DEG = 0.0005


@cache
def water_payload() -> str:
    """Both water levels as ``[lat, lon]`` arrays (smaller than GeoJSON), built once per process."""
    rivers, lakes = layers.rivers(), layers.lakes()
    coarse_rivers = rivers[shapely.length(rivers.geometry.values) >= WATER_COARSE_MIN_DEG]  # degrees, on purpose
    coarse_lakes = lakes[shapely.area(lakes.geometry.values) >= WATER_COARSE_MIN_LAKE_DEG2]
    return js_json({
        "coarse": {"rivers": _lines(coarse_rivers, WATER_COARSE_DEG), "lakes": _rings(coarse_lakes, WATER_COARSE_DEG)},
        "fine": {"rivers": _lines(rivers, WATER_FINE_DEG), "lakes": _rings(lakes, WATER_FINE_DEG)},
    })  # fmt: skip


def _lines(frame: gpd.GeoDataFrame, tolerance: float) -> list[list[list[float]]]:
    simple = shapely.simplify(frame.geometry.values, tolerance)
    return [[[round(y, 4), round(x, 4)] for x, y in g.coords] for g in simple if not g.is_empty and len(g.coords) > 1]


def _rings(frame: gpd.GeoDataFrame, tolerance: float) -> list[list[list[float]]]:
    simple = shapely.simplify(frame.geometry.values, tolerance, preserve_topology=True)
    return [[[round(y, 4), round(x, 4)] for x, y in g.exterior.coords] for g in simple if not g.is_empty]


# ---------------------------------------------------------------------- labels and landmarks


def label_layer(view: tuple[float, float, int]) -> folium.FeatureGroup:
    """The place and landmark labels of ``view`` as one feature group (recomputed when the view moves)."""
    group = folium.FeatureGroup(name="labels", control=False)
    PlaceLabels(view).add_to(group)
    return group


class PlaceLabels(ScriptElement):
    """Names in view without overlaps (:func:`geo.labels.labels_for_view`), a symbol for each landmark.

    Names are set with ``textContent`` (never parsed as HTML); the Arabic name, where GeoNames has
    one, is the name's tooltip. The labels' pane takes no clicks, so events under them stay clickable.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() {
      var group = {{ this._parent.get_name() }};
      var map = {{ this._parent._parent.get_name() if this._parent._parent else this._parent.get_name() }};
      if (!map.getPane('labels')) {
        var pane = map.createPane('labels'); pane.style.zIndex = 450; pane.style.pointerEvents = 'none';
      }
      var symbols = {{ this.symbols }}, labels = {{ this.labels }};
      var styles = {water: '#1f5f99', district: '#555', airport: '#1d3557', airbase: '#8d0801', prison: '#333', citadel: '#5c4033'};
      labels.forEach(function(x) {
        var el = document.createElement('div');
        el.className = 'place-label place-' + x[3];
        el.style.cssText = 'display:flex;align-items:center;gap:2px;white-space:nowrap;font:11px/15px sans-serif;' +
          'color:' + (styles[x[3]] || '#222') + ';text-shadow:0 0 3px #fff,0 0 2px #fff,0 0 1px #fff' +
          (x[3] === 'water' || x[3] === 'district' ? ';font-style:italic' : '');
        if (x[3] === 'water') { el.style.transform = 'translateX(-50%)'; }
        var mark = document.createElement('span');
        mark.className = 'place-mark'; mark.innerHTML = symbols[x[3]] || '';
        var name = document.createElement('span');
        name.className = 'place-name'; name.textContent = x[0];
        if (x[4]) { name.title = x[4]; name.style.pointerEvents = 'auto'; }
        el.appendChild(mark); el.appendChild(name);
        L.marker([x[1], x[2]], {pane: 'labels', interactive: false, keyboard: false,
          icon: L.divIcon({className: 'place-label-icon', html: el, iconSize: null, iconAnchor: x[5]})}).addTo(group);
      });
      window.conflictMapLabels = labels.length;  // read by browser tests
    })();
    {% endmacro %}
    """)

    def __init__(self, view: tuple[float, float, int]) -> None:
        super().__init__()
        self._name = "PlaceLabels"
        self.labels = _label_rows(tuple(view))
        self.symbols = js_json(SYMBOLS)


@lru_cache(maxsize=256)
def _label_rows(view: tuple[float, float, int]) -> str:
    """The labels of ``view`` as the script's JSON rows, placed once per view: a filter change or a
    slice step keeps the view, and placing them took ~25 ms of each such rerun."""
    rows = [[lb.name, lb.lat, lb.lon, lb.kind, lb.arabic, _anchor(lb.kind)] for lb in labels_for_view(view)]
    return js_json(rows)


def _anchor(kind: str) -> list[float]:
    """Where the icon's top-left sits against its point: the dot or symbol centred on the point;
    a water name centred below it (the script shifts it left by half its width)."""
    if kind == "water":
        return [0, -(LABEL_H_PX / 2 + GAP_PX + 1)]
    return [SYMBOL_PX / 2, LABEL_H_PX / 2] if kind in LANDMARK_KINDS else [3, LABEL_H_PX / 2]


#: A small symbol per landmark kind (fixed markup, never data); places get a dot.
SYMBOLS: dict[str, str] = {
    "place": '<svg width="6" height="6"><circle cx="3" cy="3" r="2.5" fill="#333"/></svg>',
    "airport": '<svg width="14" height="14" viewBox="0 0 24 24"><path fill="#1d3557" d="M21 16v-2l-8-5V3.5a1.5 1.5 0 0 0-3 0V9l-8 5v2l8-2.5V19l-2 1.5V22l3.5-1 3.5 1v-1.5L13 19v-5.5z"/></svg>',
    "airbase": '<svg width="14" height="14" viewBox="0 0 24 24"><path fill="#8d0801" d="M21 16v-2l-8-5V3.5a1.5 1.5 0 0 0-3 0V9l-8 5v2l8-2.5V19l-2 1.5V22l3.5-1 3.5 1v-1.5L13 19v-5.5z"/></svg>',
    "citadel": '<svg width="14" height="14" viewBox="0 0 24 24"><path fill="#5c4033" d="M3 21V8h3v3h2V8h3v3h2V8h3v3h2V8h3v13z"/></svg>',
    "prison": '<svg width="14" height="14" viewBox="0 0 24 24"><rect x="3" y="3" width="18" height="18" fill="none" stroke="#333" stroke-width="2.5"/><path d="M9 3v18M15 3v18" stroke="#333" stroke-width="2.5"/></svg>',
    "district": '<svg width="14" height="14" viewBox="0 0 24 24"><rect x="5" y="5" width="14" height="14" fill="none" stroke="#6c757d" stroke-width="2" stroke-dasharray="3 2"/></svg>',
    "site": '<svg width="14" height="14" viewBox="0 0 24 24"><path fill="#495057" d="M12 3l9 9-9 9-9-9z"/></svg>',
    "curated": '<svg width="6" height="6"><circle cx="3" cy="3" r="2.5" fill="#333"/></svg>',
    "learned": '<svg width="6" height="6"><circle cx="3" cy="3" r="2" fill="#555"/></svg>',
}  # fmt: skip


class PromptViewReport(ScriptElement):
    """Reports a pan or zoom to the app when it ends, not 250 ms later.

    streamlit-folium sends the map's view through a fixed 250 ms debounce (every pan waited that
    long before the app reran). Leaflet fires ``moveend`` once per pan or zoom, so this sends the
    value streamlit-folium's own report builds (same fields, same ``returned_objects`` filter) at
    once and records it as that component's last value: its debounced report then finds nothing
    new and sends nothing. Outside streamlit-folium (a standalone export) it does nothing; if the
    component's data ever differs from what this expects, its own report still goes out.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.on("moveend", function (ev) {
      var g = window.__GLOBAL_DATA__, map = ev.target;
      if (!g || !g.returned_objects || window.parent === window) return;
      try {
        var wrap = function (v) { return v && g.wrap_longitude ? map.wrapLatLng(v) : v; };
        var bounds = map.getBounds();
        var all = {
          last_clicked: wrap(g.lat_lng_clicked), last_object_clicked: wrap(g.last_object_clicked),
          last_object_clicked_count: g.last_object_clicked_count, last_object_clicked_tooltip: g.last_object_clicked_tooltip,
          last_object_clicked_popup: g.last_object_clicked_popup, all_drawings: g.all_drawings,
          last_active_drawing: g.last_active_drawing, last_geocoder_result: g.last_geocoder_result,
          bounds: bounds && g.wrap_longitude ? map.wrapLatLngBounds(bounds) : bounds, zoom: map.getZoom(),
          last_circle_radius: g.last_circle_radius, last_circle_polygon: g.last_circle_polygon,
          center: wrap(map.getCenter()), selected_layers: Object.values(g.selected_layers || {}), selected_tags: g.selected_tags
        };
        var value = {};
        Object.keys(all).forEach(function (k) { if (g.returned_objects.includes(k)) value[k] = all[k]; });
        if (JSON.stringify(g.previous_data) === JSON.stringify(value)) return;
        g.previous_data = value;
        window.parent.postMessage({isStreamlitMessage: true, type: "streamlit:setComponentValue", value: value, dataType: "json"}, "*");
      } catch (err) { /* the component's own debounced report still goes out */ }
    });
    {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "PromptViewReport"


class Attribution(ScriptElement):
    """Adds credits to Leaflet's attribution control (GeoNames requires it)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text }});
    {% endmacro %}
    """)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = js_json(html.escape(text))


