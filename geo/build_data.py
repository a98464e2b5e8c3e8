"""``python -m geo build-data``: the bundled dataset the dashboard opens on.

Deterministic: the same inputs give the same bytes. Inputs are every article in
``seeds/`` (extracted) and the sourced reference timeline; the output is tagged with
areas and border distance and written as GeoParquet plus a CSV twin that diffs well.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.areas import tag_events
from geo.articles import read_article
from geo.extract import extract, rejections_frame
from geo.paths import DATA, ROOT, SEEDS
from geo.reference_timeline import timeline_events
from geo.schema import COLUMNS, CRS

TIMELINE = ROOT.parent / "shared" / "reference" / "timeline-2024.tsv"
EVENTS_PARQUET = DATA / "events.parquet"
EVENTS_CSV = DATA / "events.csv"
REJECTED_CSV = DATA / "articles_rejected.csv"


def article_paths(seeds: Path = SEEDS) -> list[Path]:
    """Every article file in ``seeds/``, in name order."""
    return sorted(p for p in seeds.iterdir() if p.suffix in (".txt", ".md") and not p.name.startswith("README"))


def extract_articles(paths: list[Path]) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Events and rejections from a list of article files."""
    events, rejected = [], []
    for path in paths:
        ev, rej = extract(read_article(path))
        events.append(ev)
        rejected.append(rejections_frame(rej))
    frame = pd.concat(events, ignore_index=True) if events else pd.DataFrame(columns=list(COLUMNS))
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS), pd.concat(rejected, ignore_index=True)


def build_dataset(*, timeline: Path = TIMELINE, seeds: Path = SEEDS) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Articles + timeline → one tagged, date-sorted canonical GeoDataFrame (and article rejections)."""
    articles, rejected = extract_articles(article_paths(seeds))
    parts = [articles, timeline_events(timeline)]
    events = pd.concat([p[list(COLUMNS)] for p in parts], ignore_index=True)
    events = gpd.GeoDataFrame(events, geometry="geometry", crs=CRS)
    events = tag_events(events)
    events = events.sort_values(["event_date", "event_id"], kind="stable").reset_index(drop=True)
    return events, rejected


def write_dataset(events: gpd.GeoDataFrame, rejected: pd.DataFrame, *, out: Path = DATA) -> list[Path]:
    """Write GeoParquet (no timestamps in metadata), the CSV twin, and the article rejections."""
    parquet, csv, rej = out / EVENTS_PARQUET.name, out / EVENTS_CSV.name, out / REJECTED_CSV.name
    events.to_parquet(parquet, index=False, compression="zstd", write_covering_bbox=False)
    twin = events.drop(columns="geometry").assign(event_date=events["event_date"].dt.strftime("%Y-%m-%d"),
                                                  event_date_end=events["event_date_end"].dt.strftime("%Y-%m-%d"))  # fmt: skip
    twin.to_csv(csv, index=False, lineterminator="\n", float_format="%.5f")
    rejected.to_csv(rej, index=False, lineterminator="\n")
    return [parquet, csv, rej]
