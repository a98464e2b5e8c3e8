"""The offline map at city zoom: labels by zoom without overlaps, landmarks with cited coordinates,
rivers and lakes, a bounded payload — computed without a browser (tests/test_browser_offline_map.py
looks at the same views drawn)."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import layers
from geo.basemap import SYMBOLS, PlaceLabels, base_map, label_layer
from geo.elements import js_json
from geo.labels import MAX_LABELS, TIERS, label_candidates, labels_for_view
from geo.paths import DATA
from geo.viewport import view_bounds

PLACES = {"aleppo": (36.2, 37.15), "idlib": (35.93, 36.63), "bukamal": (34.42, 40.95)}
ZOOMS = (7, 10, 13)


def _boxes_overlap(labels) -> list[tuple[str, str]]:
    boxes = np.array([lb.box for lb in labels])
    hits = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                hits.append((labels[i].name, labels[j].name))
    return hits


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("zoom", ZOOMS)
def test_labels_in_view_are_bounded_and_never_overlap(place, zoom):
    view = (*PLACES[place], zoom)
    labels = labels_for_view(view)
    assert 0 < len(labels) <= MAX_LABELS
    assert _boxes_overlap(labels) == []
    west, south, east, north = view_bounds(view, margin=0.1)
    assert all(west <= lb.lon <= east and south <= lb.lat <= north for lb in labels)
    tiers = label_candidates().set_index("name")["min_zoom"]
    assert all(int(np.min(tiers.loc[[lb.name]])) <= zoom for lb in labels)


@pytest.mark.parametrize(("view", "expected"), [
    ((36.2, 37.15, 7), {"Aleppo", "Idlib", "Homs"}),
    ((36.2, 37.15, 10), {"Aleppo", "Al Bab", "Kuweires Military Aviation Institute", "Menagh Air Base"}),  # towns, airbases
    ((36.2, 37.15, 13), {"Citadel of Aleppo", "Sheikh Maqsoud", "Aleppo International Airport"}),  # landmarks, districts
    ((35.93, 36.63, 10), {"Idlib", "Saraqib", "Binnish"}),
    ((34.42, 40.95, 10), {"Albu Kamal", "Al Qa'im", "Euphrates"}),  # both border towns and the river between them
    ((35.3, 40.1, 9), {"Euphrates", "Khabur"}),
])  # fmt: skip
def test_each_zoom_names_what_an_analyst_orients_by(view, expected):
    names = {lb.name for lb in labels_for_view(view)}
    assert expected <= names, expected - names


def test_more_places_are_named_as_the_map_zooms_in_over_idlib():
    """The same 100 km square holds more labels at each zoom (towns at 9, villages at 10–11)."""
    counts = []
    for zoom in (7, 9, 11):
        box = (35.5, 36.3, 36.4, 37.1)  # Idlib governorate and its edge
        labels = labels_for_view((35.93, 36.63, zoom), size_px=(4000, 4000))
        counts.append(sum(box[0] <= lb.lat <= box[1] and box[2] <= lb.lon <= box[3] for lb in labels))
    assert counts[0] < counts[1] < counts[2]


def test_arabic_names_ride_along_as_tooltips():
    aleppo = next(lb for lb in labels_for_view((36.2, 37.15, 10)) if lb.name == "Aleppo")
    assert re.search(r"[\u0600-\u06FF]", aleppo.arabic)
    hama = next(lb for lb in labels_for_view((35.13, 36.75, 10)) if lb.name == "Hamah")  # GeoNames writes Ḩamāh
    assert hama.arabic.startswith("Ḩamāh · ") and re.search(r"[\u0600-\u06FF]", hama.arabic)


def test_label_payload_per_view_is_small():
    for place in PLACES:
        for zoom in ZOOMS:
            assert len(PlaceLabels((*PLACES[place], zoom)).labels) < 30_000


def test_every_label_kind_has_a_tier_and_a_symbol():
    kinds = set(label_candidates()["kind"])
    assert kinds - {"water"} <= set(SYMBOLS)
    assert {t.kind for t in TIERS} >= (kinds - {"curated"}) | {"place"}


# ---------------------------------------------------------------------- landmarks


def test_every_landmark_has_a_source_a_kind_and_lies_in_its_governorate():
    """A typo in a cited coordinate would put it in another governorate. Natural Earth's admin-1
    lines are ~1–2 km off at this scale (Abu al-Duhur's airbase is 1.2 km outside Idlib's polygon)."""
    marks, gov = layers.landmarks(), layers.governorates().set_index("name")
    assert len(marks) >= 15 and marks["source"].str.len().min() > 20
    assert set(marks["kind"]) <= set(SYMBOLS)
    for m in marks.itertuples():
        assert gov.loc[m.admin1].geometry.buffer(0.02).contains(shapely.Point(m.lon, m.lat)), m.name


def test_the_issue_s_landmarks_are_there():
    names = set(layers.landmarks()["name"])
    for wanted in ("Aleppo International Airport", "Kuweires Military Aviation Institute", "Menagh Air Base",
                   "Abu al-Duhur Military Airbase", "Hama Military Airport", "Tabqa Military Airbase", "Tiyas Military Airbase",
                   "Deir ez-Zor Airport", "Citadel of Aleppo", "Sednaya Prison", "Sheikh Maqsoud"):  # fmt: skip
        assert wanted in names


def test_data_readme_cites_every_landmark_and_water_label():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in layers.landmarks()["name"]:
        assert name in readme, name
    for name in set(gpd.pd.read_csv(DATA / "reference" / "water_labels.csv")["name"]):
        assert name in readme, name


def test_a_landmark_name_geocodes_to_its_cited_coordinate():
    from geo.gazetteer import default_gazetteer

    hit = default_gazetteer().lookup("Citadel of Aleppo", country="SY", admin1="Aleppo")
    assert hit is not None and (round(hit.lat, 4), round(hit.lon, 4)) == (36.1992, 37.1625)


# ---------------------------------------------------------------------- water


def test_rivers_and_lakes_cover_the_region_and_are_simplified_per_zoom():
    import json

    from geo.basemap import water_payload

    rivers, lakes = layers.rivers(), layers.lakes()
    assert len(rivers) > 100 and len(lakes) > 10
    euphrates = shapely.Point(40.1498, 35.3413)  # its label point at Deir ez-Zor lies on a river line
    assert shapely.distance(rivers.geometry.values, euphrates).min() < 1e-4  # degrees
    water = json.loads(water_payload())
    vertices = {k: sum(len(line) for line in water[k]["rivers"]) for k in ("coarse", "fine")}
    assert vertices["coarse"] * 5 < vertices["fine"]


def test_the_base_map_fetches_big_layers_once_and_a_standalone_map_embeds_them():
    from geo.mapview import map_html

    app = map_html(base_map())
    assert "boundaries.json?v=" in app and "water.json?v=" in app and len(app) < 40_000
    alone = map_html(base_map(inline=True))
    assert "fetch(" not in alone and len(alone) > 400_000


def test_label_layer_sets_names_as_text_never_html():
    from geo.mapview import map_html

    m = base_map()
    label_layer((36.2, 37.15, 10)).add_to(m)
    script = map_html(m)
    assert "name.textContent = x[0]" in script and "innerHTML = x[" not in script
    assert js_json(["<b>"]) == '["\\u003cb\\u003e"]'


def test_a_views_map_payload_stays_under_2_mb_at_the_points_limit(ucdp_eval_csv):
    """The largest layer a rerun sends — real UCDP events at the points hard limit, popups and all —
    plus the labels of the view and the base map's script stays under 2 MB."""
    from geo.bench.realshape import real_events
    from geo.mapview import POINTS_HARD_LIMIT, event_layer, map_html
    from geo.query import Query

    events = real_events(ucdp_eval_csv).head(POINTS_HARD_LIMIT)
    view = (36.2, 37.15, 10)
    m = base_map(view=view)
    layer, mode = event_layer(events, Query(mode="points", view=view), zoom=10)
    layer.add_to(m)
    label_layer(view).add_to(m)
    assert mode == "points"
    assert len(map_html(m).encode()) < 2_000_000
