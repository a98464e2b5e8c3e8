"""Synthetic events for benchmarks and load tests — clearly labelled, never bundled.

Events cluster on real towns (GeoNames coordinates), follow a realistic ACLED
type mix, a heavy-tailed actor distribution and a date range. Every row says
``SYNTHETIC`` in ``source`` and ``notes``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.taxonomy import DISORDER_TYPES, EVENT_TYPES

#: (name, admin1, country, lat, lon) — GeoNames coordinates listed in shared/reference/geodata-sources.md.
TOWNS: tuple[tuple[str, str, str, float, float], ...] = (
    ("Aleppo", "Aleppo", "Syria", 36.20124, 37.16117),
    ("Idlib", "Idlib", "Syria", 35.93062, 36.63393),
    ("Saraqib", "Idlib", "Syria", 35.86447, 36.80591),
    ("Maarat al-Numan", "Idlib", "Syria", 35.6483, 36.67693),
    ("Al-Bukamal", "Deir ez-Zor", "Syria", 34.45226, 40.91854),
    ("Al-Qaim", "Anbar", "Iraq", 34.39251, 40.98945),
    ("Al-Yarubiyah", "Al-Hasakah", "Syria", 36.81138, 42.06206),
    ("Deir ez-Zor", "Deir ez-Zor", "Syria", 35.33588, 40.14084),
    ("Manbij", "Aleppo", "Syria", 36.52815, 37.95495),
    ("Tal Rifaat", "Aleppo", "Syria", 36.47229, 37.09471),
    ("Khan Shaykhun", "Idlib", "Syria", 35.44208, 36.65095),
    ("Hama", "Hama", "Syria", 35.13179, 36.75783),
)

#: Share of each event type in ACLED's Syria data (rounded; remote violence dominates).
TYPE_MIX: dict[str, float] = {
    "Explosions/Remote violence": 0.55,
    "Battles": 0.25,
    "Violence against civilians": 0.08,
    "Strategic developments": 0.08,
    "Protests": 0.03,
    "Riots": 0.01,
}

ACTORS: tuple[str, ...] = (
    "Military Forces of Syria (2000-2024)", "Hayat Tahrir al-Sham", "Syrian National Army",
    "Military Forces of Russia (2000-)", "Syrian Democratic Forces", "Military Forces of Turkey (2016-)",
    "Islamic State (Syria)", "Military Forces of Iraq (2022-)", "Popular Mobilization Forces",
    "Hezbollah", "Civilians (Syria)", "Unidentified Armed Group (Syria)",
) + tuple(f"Local militia {i}" for i in range(1, 189))  # fmt: skip


def synthetic_events(n: int, *, seed: int = 0, start: str = "2024-01-01", days: int = 365) -> pd.DataFrame:
    """Return ``n`` synthetic events in ACLED export layout (strings, as a CSV would hold them).

    Parameters
    ----------
    n
        Number of events.
    seed
        Random seed: the same seed gives the same rows.
    start, days
        The date range the events spread over.
    """
    rng = np.random.default_rng(seed)
    town = rng.integers(0, len(TOWNS), n)
    towns = np.array(TOWNS, dtype=object)
    lat = towns[town, 3].astype(float) + rng.normal(0, 0.08, n)
    lon = towns[town, 4].astype(float) + rng.normal(0, 0.08, n)
    types = np.array(list(TYPE_MIX))
    etype = types[rng.choice(len(types), n, p=list(TYPE_MIX.values()))]
    sub = np.array([EVENT_TYPES[t][0] for t in types])[np.searchsorted(types, etype, sorter=np.argsort(types))]
    ranks = np.minimum(rng.zipf(1.6, n) - 1, len(ACTORS) - 1)
    dates = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    return pd.DataFrame(
        {
            "event_id_cnty": [f"SYN{i}" for i in range(n)],
            "event_date": dates.strftime("%Y-%m-%d"),
            "year": dates.year.astype(str),
            "time_precision": "1",
            "disorder_type": pd.Series(etype).map(DISORDER_TYPES),
            "event_type": etype,
            "sub_event_type": sub,
            "actor1": np.array(ACTORS)[ranks],
            "assoc_actor_1": "",
            "inter1": "Rebel group",
            "actor2": np.array(ACTORS)[(ranks + 1) % len(ACTORS)],
            "assoc_actor_2": "",
            "inter2": "State forces",
            "interaction": "State forces-Rebel group",
            "civilian_targeting": "",
            "iso": "760",
            "region": "Middle East",
            "country": towns[town, 2],
            "admin1": towns[town, 1],
            "admin2": "",
            "admin3": "",
            "location": towns[town, 0],
            "latitude": np.round(lat, 5).astype(str),
            "longitude": np.round(lon, 5).astype(str),
            "geo_precision": "1",
            "source": "SYNTHETIC",
            "source_scale": "",
            "notes": "SYNTHETIC benchmark event",
            "fatalities": np.minimum(rng.zipf(2.2, n) - 1, 500).astype(str),
            "tags": "synthetic",
            "timestamp": "0",
        }
    )


def write_synthetic_acled(path: str | Path, n: int, *, seed: int = 0) -> Path:
    """Write :func:`synthetic_events` as an ACLED-layout CSV and return its path."""
    path = Path(path)
    synthetic_events(n, seed=seed).to_csv(path, index=False)
    return path
