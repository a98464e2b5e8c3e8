"""The shared gazetteer layer is used wherever place names are looked up: the ``ingest`` and ``extract``
commands, the Articles page, and the Review page's gazetteer search (#34).

Every text here is SYNTHETIC: a made-up village ("Tell Zaytunat al-Wahm", which no source has), made-up
events and a made-up article written in this module.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest

from geo.access import LOCAL
from geo.cli import main
from geo.gazetteer import Match, using
from geo.review_edit import search_match
from geo.storage.embedded import EmbeddedStore
from geo.ui_state import dataset_key
from tests.conftest import app_page
from tests.test_places_worklist import CITATION, POINT, UNKNOWN, VILLAGE
from tests.test_review_session import candidate

ARTICLE = f"""---
title: Shelling near the front (synthetic)
date: 2024-03-05
outlet: Synthetic Wire
---
Artillery shelled {VILLAGE} on Monday, killing two civilians.
"""


@pytest.fixture
def layered(tmp_path, monkeypatch) -> EmbeddedStore:
    """The store the app and the CLI open, with the village in its shared layer."""
    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path / "store"))
    store = EmbeddedStore(tmp_path / "store")
    store.add_place(VILLAGE, LOCAL, **POINT, citation=CITATION)
    return store


def _ingest(tmp_path, capsys) -> tuple[dict, gpd.GeoDataFrame]:
    (tmp_path / "events.csv").write_text(UNKNOWN, encoding="utf-8")
    assert main(["ingest", str(tmp_path / "events.csv"), "--json", "--out", str(tmp_path / "out.parquet")]) == 0
    return json.loads(capsys.readouterr().out), gpd.read_parquet(tmp_path / "out.parquet")


def test_ingest_places_a_village_of_the_shared_layer(layered, tmp_path, capsys):
    report, events = _ingest(tmp_path, capsys)
    village = events[events["location"] == VILLAGE]
    assert len(village) == 2 and report["rows_rejected"] == 1  # only the other unknown name is still rejected
    assert village["latitude"].tolist() == [POINT["lat"]] * 2
    assert village["geocoded_by"].str.contains(f"shared: {CITATION}", regex=False).all()


def test_ingest_without_the_layer_rejects_the_village(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path / "empty"))
    report, events = _ingest(tmp_path, capsys)
    assert report["rows_rejected"] == 3 and VILLAGE not in set(events["location"])


def test_extract_places_the_article_at_the_shared_point(layered, tmp_path, capsys):
    (tmp_path / "article.md").write_text(ARTICLE, encoding="utf-8")
    assert main(["extract", str(tmp_path / "article.md"), "--json"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["location"], e["latitude"], e["longitude"]) for e in found] == [(VILLAGE, POINT["lat"], POINT["lon"])]


def test_the_review_search_finds_a_place_of_the_shared_layer(layered):
    state = {dataset_key("rv_search", "c1"): VILLAGE}
    assert isinstance(search_match(candidate(), state), str)  # the shipped gazetteer alone lacks it
    with using(layered.gazetteer()):
        found = search_match(candidate(), state)
    assert isinstance(found, Match) and (found.lat, found.lon) == (POINT["lat"], POINT["lon"])


def test_the_articles_page_extracts_with_the_shared_layer(layered):
    layered.save_article(ARTICLE, LOCAL)
    at = app_page("pages/articles.py")
    assert not at.exception
    tables = [t.value for t in at.dataframe if "location" in t.value.columns]
    assert any(VILLAGE in set(t["location"]) for t in tables)
