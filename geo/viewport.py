"""The map's viewport in numbers: Web Mercator pixels, the view's bounding box, what one pixel spans.

Shared by the event layer (which events are in view), the place labels (which names fit) and the
map page (whether a reported view is a move).
"""

from __future__ import annotations

import math

import numpy as np

DEFAULT_VIEW = (35.6, 39.3, 6)  # Aleppo, Idlib and the whole Iraq–Syria border in one frame
MAP_PX = (900, 560)  # the map's size on the page, for the view's bounding box
TILE_PX = 256


def degrees_per_pixel(zoom: int) -> float:
    """Degrees of longitude one screen pixel spans at ``zoom`` (Web Mercator, 256-pixel tiles)."""
    return 360.0 / (TILE_PX * 2**zoom)


def view_bounds(view: tuple[float, float, int], *, size_px: tuple[int, int] = MAP_PX, margin: float = 0.5) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` the map shows at ``view``, plus a margin (Web Mercator)."""
    lat, lon, zoom = view
    deg_per_px = degrees_per_pixel(zoom)
    half_w = size_px[0] / 2 * deg_per_px * (1 + margin)
    half_h = size_px[1] / 2 * deg_per_px * math.cos(math.radians(lat)) * (1 + margin)
    return lon - half_w, max(lat - half_h, -85), lon + half_w, min(lat + half_h, 85)


def to_pixels(lat: np.ndarray, lon: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """World pixel coordinates of points at ``zoom`` (x east, y south), as Leaflet computes them."""
    scale = TILE_PX * 2**zoom
    x = (np.asarray(lon, float) + 180.0) / 360.0 * scale
    sin = np.sin(np.radians(np.clip(np.asarray(lat, float), -85.0511, 85.0511)))
    y = (0.5 - np.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale
    return x, y


def same_view(a: tuple[float, float, int], b: tuple[float, float, int]) -> bool:
    """Whether two map views differ by less than a screen pixel at their zoom.

    A map reports its centre recomputed from pixels, a few 1e-5 degrees away from the one it was
    given; such a change is not a move, and writing it to the URL would add a history entry.
    """
    pixel = degrees_per_pixel(a[2])
    return a[2] == b[2] and abs(a[0] - b[0]) < pixel and abs(a[1] - b[1]) < pixel
