"""The benchmark's real-shaped datasets: real rows repeated with bounded jitter, nothing else changed."""

from __future__ import annotations

import numpy as np

from geo.bench.realshape import JITTER_DAYS, JITTER_DEG, real_shaped
from geo.io import read_events
from geo.paths import DATA


def test_copies_keep_their_text_and_move_a_little():
    real = read_events(DATA / "events.parquet").events
    n = 2 * len(real) + 5
    made = real_shaped(real, n)
    assert len(made) == n and made["event_id"].is_unique
    copies = made[made["event_id"].str.contains("-c")].copy()
    copies["original"] = copies["event_id"].str.replace(r"-c\d+$", "", regex=True)
    joined = copies.merge(real, left_on="original", right_on="event_id", suffixes=("", "_real"))
    assert len(joined) == len(copies) == n - len(real)
    assert (joined["notes"].astype(str) == joined["notes_real"].astype(str)).all()
    assert (joined["source"].astype(str) == joined["source_real"].astype(str)).all()
    assert np.abs(joined["latitude"] - joined["latitude_real"]).max() <= JITTER_DEG + 1e-5
    assert (joined["event_date"] - joined["event_date_real"]).abs().max().days <= JITTER_DAYS
    assert made["event_date"].is_monotonic_increasing and made["border_distance_km"].notna().all()


def test_a_smaller_set_is_the_first_real_rows():
    real = read_events(DATA / "events.parquet").events
    assert real_shaped(real, 10)["event_id"].tolist() == real["event_id"].head(10).tolist()
