"""Great-circle distance: the one haversine every module uses."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points given in degrees (scalars or arrays, broadcast).

    Returns a float for scalar inputs, else a numpy array.
    """
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out = EARTH_RADIUS_KM * 2 * np.arcsin(np.sqrt(a))
    return float(out) if np.ndim(out) == 0 else out
