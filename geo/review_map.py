"""The Review page's small map: a candidate's proposed place, the other places the gazetteer weighed,
and the place the edit form would set, each a distinct marker on the offline base map.

Drawn like the other maps (:mod:`geo.basemap`, no tile server needed): the page passes the base map
and these layers to ``st_folium``. Place names are set with ``textContent`` (never parsed as HTML).
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from jinja2 import Template

from geo.basemap import TileSource, base_map, label_layer
from geo.distance import haversine_km
from geo.elements import ScriptElement, js_json
from geo.review import Candidate

#: Each marker kind's colour: the proposal, an alternative the gazetteer weighed, the edit form's choice.
MARKERS: dict[str, str] = {"proposed": "#c1121f", "alternative": "#1d4e89", "chosen": "#2a9d3c"}
#: The zoom that shows every marker: the farthest one's distance (km) → zoom, first that fits.
ZOOMS: tuple[tuple[float, int], ...] = ((5, 12), (25, 10), (100, 8), (400, 6))
FAR_ZOOM = 4
#: The base map's own view, the same for every candidate (each candidate's view is set by moving it).
REVIEW_BASE: tuple[float, float, int] = (35.5, 38.5, 6)


class CandidatePlaces(ScriptElement):
    """Circle markers from ``[lat, lon, label, kind]`` rows, a tooltip of text each (``window.reviewPlaces`` counts
    them, ``window.reviewDrawn`` the times markers were drawn in this frame)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function() {
      var group = {{ this._parent.get_name() }}, rows = {{ this.rows }}, colors = {{ this.colors }};
      rows.forEach(function(p) {
        var tip = document.createElement('span'); tip.textContent = p[2];
        L.circleMarker([p[0], p[1]], {radius: p[3] === 'alternative' ? 7 : 9, color: colors[p[3]], weight: 3,
          fillColor: colors[p[3]], fillOpacity: p[3] === 'alternative' ? 0.15 : 0.7, className: 'candidate-' + p[3]})
          .bindTooltip(tip).addTo(group);
      });
      window.reviewPlaces = rows.length;  // read by browser tests and the review benchmark:
      window.reviewDrawn = (window.reviewDrawn || 0) + 1;  // the map is kept, its markers drawn again
      window.reviewCandidate = {{ this.candidate }};  // whose markers these are (each candidate's layer differs)
    })();
    {% endmacro %}
    """)

    def __init__(self, rows: list[list[object]], *, candidate: str) -> None:
        super().__init__()
        self._name = "CandidatePlaces"
        self.rows = js_json(rows)
        self.candidate = js_json(candidate)
        self.colors = js_json(MARKERS)


def place_rows(c: Candidate, *, chosen: tuple[float, float, str] | None = None) -> list[list[object]]:
    """The markers: the proposed place, each alternative at least 1 km from it, and ``chosen`` (lat, lon, name) when it moves it."""
    rows: list[list[object]] = [[c.latitude, c.longitude, f"proposed: {c.location or '?'}", "proposed"]]
    rows += [[p.lat, p.lon, f"alternative: {p.name} ({p.admin1 or '?'})", "alternative"] for p in c.places
             if haversine_km(p.lat, p.lon, c.latitude, c.longitude) > 1]  # fmt: skip
    if chosen and haversine_km(chosen[0], chosen[1], c.latitude, c.longitude) > 0.01:
        rows.append([chosen[0], chosen[1], f"edited: {chosen[2]}", "chosen"])
    return rows


def map_view(rows: list[list[object]]) -> tuple[float, float, int]:
    """``(lat, lon, zoom)``: centred on the proposal (the first row), zoomed out until the farthest marker shows."""
    lat, lon = float(rows[0][0]), float(rows[0][1])
    far = max((haversine_km(lat, lon, float(r[0]), float(r[1])) for r in rows), default=0.0)
    return lat, lon, next((zoom for km, zoom in ZOOMS if far <= km), FAR_ZOOM)


@dataclass(frozen=True)
class CandidateMap:
    """What ``st_folium`` is given for a candidate: the base map (the same for every candidate, so the
    map is never remounted), the layers it adds (markers, labels) and the view it moves to."""

    base: folium.Map
    layers: list[folium.FeatureGroup]
    center: tuple[float, float]
    zoom: int


def candidate_map(c: Candidate, *, tiles: str | TileSource | None, chosen: tuple[float, float, str] | None = None) -> CandidateMap:
    """The small map of ``c``: its proposal, its alternatives and ``chosen``, viewed where the first two show.

    The view is the proposal's and its alternatives' only: an edit moves a marker, never the map.
    Moving to the next candidate moves the map and swaps its layers; remounting a Leaflet map in
    a new frame for each candidate was most of a decision's wait in the browser.
    """
    rows = place_rows(c, chosen=chosen)
    lat, lon, zoom = map_view(place_rows(c))
    group = folium.FeatureGroup(name="candidate places", control=False)
    CandidatePlaces(rows, candidate=c.id).add_to(group)
    return CandidateMap(base_map(tiles=tiles, view=REVIEW_BASE, small=True), [group, label_layer((lat, lon, zoom))], (lat, lon), zoom)
