"""Zip archives as containers: a zipped CSV, GeoJSON, Stata file or Shapefile (with its sidecars), and the
workbooks that are zips (.xlsx, .ods) — each checked before anything is unpacked (:mod:`geo.io.archives`)."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from geo.errors import ReadError
from geo.io import delimited, geojson, records, stata, vector, workbook
from geo.io.archives import ArchiveLimits, Unpacker, check_archive, open_zip
from geo.io.source import Probe, Source

#: The reader's name (a zip's member is reported under its own reader's name).
NAME = "zip"
EXTENSIONS: tuple[str, ...] = (".zip",)
#: The first bytes of a zip (and of an .xlsx, .ods, and a .gpkg or .kml that is really a zip).
MAGIC = b"PK\x03\x04"
#: Members of a zip that are never data: macOS resource forks, hidden files, folders.
IGNORED_MEMBER_PREFIXES = ("__MACOSX/", ".")
#: Extensions of members read as text (decoded and recognised like any text file).
TEXT_MEMBERS: tuple[str, ...] = (*delimited.EXTENSIONS, *geojson.EXTENSIONS, *records.EXTENSIONS)
#: Extensions of the members a zip may hold.
DATA_MEMBERS: tuple[str, ...] = (*TEXT_MEMBERS, *vector.EXTENSIONS, *stata.EXTENSIONS)


def claims(probe: Probe) -> bool:
    """Whether the bytes are a zip, whatever the file's name: GDAL would unpack a .gpkg or .kml that is one, unchecked."""
    return probe.raw[:4] == MAGIC


def read(probe: Probe) -> Source:
    """A workbook (.xlsx, .ods) or the one event file of an archive, checked before anything is unpacked.

    Raises
    ------
    ReadError
        For a damaged archive, one without exactly one data member, or one that would unpack past
        ``probe.limits`` (default: the settings'; a zip bomb: refused from its directory before a member is unpacked).
    """
    limits = probe.limits or ArchiveLimits.from_settings()
    archive = open_zip(probe.raw, name=probe.path.name)
    names = archive.namelist()
    is_workbook = "xl/workbook.xml" in names or "mimetype" in names
    # A workbook may embed other documents (xl/embeddings/*.xlsx); calamine never opens them.
    check_archive(archive, name=probe.path.name, limits=limits, nested=is_workbook)
    unpacker = Unpacker(archive, name=probe.path.name, limits=limits)
    if "xl/workbook.xml" in names or ("mimetype" in names and b"opendocument.spreadsheet" in unpacker.read("mimetype", head=200)):
        # calamine unpacks the workbook itself, trusting its sizes: unpack it once here first, counted.
        unpacker.verify()
        return workbook.read_workbook(probe.path, probe.raw)  # xlsx, or an OpenDocument spreadsheet (.ods)
    return _member(probe.path, unpacker, head=probe.head)


def _member(path: Path, unpacker: Unpacker, *, head: int | None) -> Source:
    """The archive's one event file: a Shapefile, a vector or Stata file read, or a text file's bytes."""
    members = [n for n in unpacker.archive.namelist() if not n.endswith("/") and not _ignored(n)]
    shapefiles = [n for n in members if n.lower().endswith(".shp")]
    if shapefiles:
        if len(shapefiles) > 1:
            msg = f"{path.name}: expected one Shapefile in the archive, got {len(shapefiles)}: {shapefiles[:5]!r}"
            raise ReadError(msg)
        return _zipped_vector(path, unpacker, shapefiles[0], note=f"Shapefile {shapefiles[0]} in {path.name}")
    data = [n for n in members if PurePosixPath(n).suffix.lower() in DATA_MEMBERS]
    if len(data) != 1:
        got = f"{len(data)}: {data[:5]!r}" if data else f"none (members: {members[:5]!r})"
        msg = f"{path.name}: expected one event file (CSV, GeoJSON, GeoPackage…) in the archive, got {got}"
        raise ReadError(msg)
    member = data[0]
    suffix = PurePosixPath(member).suffix.lower()
    if suffix in stata.EXTENSIONS:
        return stata.read_stata(unpacker.read(member), name=path.name, note=f"Stata member {member} of {path.name}")
    if suffix in vector.EXTENSIONS:
        return _zipped_vector(path, unpacker, member, note=f"{member} in {path.name}")
    text = unpacker.read(member, head=head)
    if head is not None and len(text) >= head:  # cut on a line end: the header is whole, no half record
        text = text[: text.rfind(b"\n") + 1] or text
    return Source(PurePosixPath(member).name, data=text, note=f"member {member} of {path.name}")


def _zipped_vector(path: Path, unpacker: Unpacker, member: str, *, note: str) -> Source:
    """A vector file in a zip, unpacked (counted) beside its sidecars (.shx, .dbf, .prj…) for GDAL to read.

    GDAL's ``/vsizip/`` would unpack it trusting the archive's sizes; here it reads plain files.
    """
    stem = PurePosixPath(member).with_suffix("").as_posix().lower()
    siblings = [n for n in unpacker.archive.namelist()
                if not n.endswith("/") and PurePosixPath(n).with_suffix("").as_posix().lower() == stem]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="geo-unzip-") as tmp:
        for name in siblings:
            unpacker.extract(name, Path(tmp))
        return vector.read_vector(str(Path(tmp) / PurePosixPath(member).name), name=path.name, note=note)


def _ignored(member: str) -> bool:
    return any(part.startswith(p.rstrip("/")) for part in PurePosixPath(member).parts for p in IGNORED_MEMBER_PREFIXES)
