"""The committed reference layers: present, small, sourced, and accurate where it matters."""

from __future__ import annotations

import pandas as pd

from geo import layers
from geo.areas import border_distance_km
from geo.paths import DATA
from geo.reference import GEONAMES_COUNTRIES


def test_files_are_small():
    # Budget for the committed reference data: 4 MiB since the gazetteer covers the Middle East and
    # North Africa (its GeoNames part is 1.25 MB of it); a repository file may not pass 5 MB.
    files = [*(DATA / "reference").iterdir(), *(DATA / "gazetteer").iterdir()]
    total = sum(p.stat().st_size for p in files)
    assert total < 4 * 1024 * 1024, f"{total / 1e6:.1f} MB"
    assert max(p.stat().st_size for p in files) < 5e6


def test_countries_and_governorates():
    assert set(layers.countries()["iso"]) == {"SY", "IQ", "TR", "JO", "LB"}
    gov = layers.governorates()
    assert (gov["country"] == "SY").sum() == 14 and (gov["country"] == "IQ").sum() == 18
    assert {"Aleppo", "Idlib", "Deir ez-Zor", "Anbar", "Nineveh"} <= set(gov["name"])


def test_border_line_length():
    length_km = layers.border().to_crs("EPSG:32637").length.iloc[0] / 1000
    assert 580 < length_km < 640  # reported as 599-618 km


def test_crossings_lie_on_the_border_and_cite_a_source():
    crossings = layers.crossings()
    assert list(crossings["key"]) == ["qaim", "rabia", "waleed"]
    assert (border_distance_km(crossings["lon"], crossings["lat"]) < 1.5).all()
    assert crossings["source"].str.len().min() > 40


def test_geonames_subset_is_credited_in_data_readme():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    assert "GeoNames" in text and "CC BY 4.0" in text and "Natural Earth" in text
    countries = set(pd.read_csv(DATA / "gazetteer" / "geonames.csv", keep_default_na=False)["country"])
    assert countries == set(GEONAMES_COUNTRIES)  # built from the table the README and data/README.md name
    assert all(cc in text for cc in GEONAMES_COUNTRIES)
