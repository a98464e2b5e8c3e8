"""Zip archives opened without trusting them (zipped CSVs and Shapefiles, ``.xlsx``, ``.ods``).

A zip's central directory says how large each member unpacks to. :func:`check_archive`
refuses from it alone — before any member is unpacked — an archive that declares more than
the limit, compresses harder than 100:1, has too many members or holds another archive.
The declared sizes may lie, so :class:`Unpacker` then reads every member through a counter
that stops as soon as more bytes come out than the member declared or the limit allows.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geo.errors import ReadError, unreadable
from geo.settings import Settings, settings

#: Apache POI's default (ZipSecureFile: a minimum inflate ratio of 0.01); real CSV and XML stay under 30:1.
MAX_RATIO = 100.0
#: Output below which the ratio is not judged: a few kB of empty cells may compress 500:1 and harm no one.
RATIO_GRACE_BYTES = 1 << 20
MAX_MEMBERS = 10_000
#: Members that are archives themselves: never unpacked, and a plain zip holding one is refused.
NESTED_SUFFIXES = (".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".zst", ".kmz", ".xlsx", ".ods")
CHUNK = 1 << 16


@dataclass(frozen=True)
class ArchiveLimits:
    """How far an archive may unpack: total bytes, compression ratio, member count."""

    max_unpacked_mb: float = 500.0
    max_ratio: float = MAX_RATIO
    max_members: int = MAX_MEMBERS

    @classmethod
    def from_settings(cls, config: Settings | None = None) -> ArchiveLimits:
        """The limits of the deployment (``CONFLICT_MAP_MAX_UNPACKED_MB``)."""
        return cls(max_unpacked_mb=(config or settings()).max_unpacked_mb)

    @property
    def max_bytes(self) -> int:
        return int(self.max_unpacked_mb * 1e6)


def open_zip(raw: bytes, *, name: str) -> zipfile.ZipFile:
    """The archive in ``raw`` (its central directory only is read), or a :class:`ReadError` when damaged."""
    try:
        return zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        msg = f"{name}: expected a readable ZIP archive or workbook, got a damaged one"
        raise ReadError(msg) from None


def check_archive(archive: zipfile.ZipFile, *, name: str, limits: ArchiveLimits, nested: bool = False) -> None:
    """Refuse, from the central directory alone, an archive that would unpack too far.

    Parameters
    ----------
    archive
        The opened archive (no member read yet).
    name
        The file's name, for the message.
    limits
        Total unpacked size, compression ratio and member count allowed.
    nested
        Whether members that are archives themselves may be present (a workbook's embedded
        objects); they are never unpacked either way.

    Raises
    ------
    ReadError
        Naming the file, what was expected and what the archive declares.
    """
    members = archive.infolist()
    if len(members) > limits.max_members:
        msg = f"{name}: expected at most {limits.max_members:,} members in the archive, it declares {len(members):,}"
        raise ReadError(msg)
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > limits.max_bytes:
        msg = (f"{name}: expected at most {limits.max_unpacked_mb:,g} MB uncompressed (setting CONFLICT_MAP_MAX_UNPACKED_MB), "
               f"the archive declares {total / 1e6:,.1f} MB in {len(members):,} member(s); unzip it and upload the event file, "
               "or raise the limit")  # fmt: skip
        raise ReadError(msg)
    for m in members:
        if m.file_size > RATIO_GRACE_BYTES and m.file_size > limits.max_ratio * max(m.compress_size, 1):
            msg = (f"{name}: expected members compressed at most {limits.max_ratio:,g}:1, member {m.filename!r} declares "
                   f"{m.file_size / 1e6:,.1f} MB from {m.compress_size / 1e3:,.1f} kB ({m.file_size / max(m.compress_size, 1):,.0f}:1); "
                   "this looks like a zip bomb")  # fmt: skip
            raise ReadError(msg)
    if total > RATIO_GRACE_BYTES and total > limits.max_ratio * max(packed, 1):
        msg = (f"{name}: expected an archive compressed at most {limits.max_ratio:,g}:1, it declares {total / 1e6:,.1f} MB "
               f"from {packed / 1e3:,.1f} kB; this looks like a zip bomb")  # fmt: skip
        raise ReadError(msg)
    if not nested:
        inner = [m.filename for m in members if PurePosixPath(m.filename).suffix.lower() in NESTED_SUFFIXES]
        if inner:
            msg = f"{name}: expected event files in the archive, got another archive inside ({inner[0]!r}); unpack it and upload the event file"
            raise ReadError(msg)


class Unpacker:
    """Reads members of a checked archive, counting every byte that comes out.

    One unpacker's total covers every member it reads, so the limit holds for the archive
    whatever its directory declares.
    """

    def __init__(self, archive: zipfile.ZipFile, *, name: str, limits: ArchiveLimits) -> None:
        self.archive = archive
        self.name = name
        self.limits = limits
        self.unpacked = 0

    def read(self, member: str, *, head: int | None = None) -> bytes:
        """The member's bytes (its first ``head`` bytes when given)."""
        out = io.BytesIO()
        self._copy(member, out, head=head)
        return out.getvalue()

    def extract(self, member: str, directory: Path) -> Path:
        """Write the member into ``directory`` (flat, under its own base name) and return its path."""
        base = PurePosixPath(member).name
        if base in ("", ".", "..") or "\x00" in base:
            msg = f"{self.name}: expected a member with a file name, got {member!r}"
            raise ReadError(msg)
        target = directory / base
        with target.open("wb") as out:
            self._copy(member, out)
        return target

    def verify(self) -> None:
        """Unpack every member without keeping it: proof that each holds what it declares (before a library unpacks it)."""
        sink = _Sink()
        for info in self.archive.infolist():
            if not info.is_dir():
                self._copy(info.filename, sink)

    def _copy(self, member: str, out: io.RawIOBase | io.BufferedIOBase | _Sink, *, head: int | None = None) -> None:
        info = self.archive.getinfo(member)
        room = self.limits.max_bytes - self.unpacked
        # Never trust the declared size: ask for one byte more than the member or the limit allows.
        allowed = min(info.file_size, room) if head is None else min(info.file_size, head)
        got = 0
        try:
            with self.archive.open(info) as stream:
                while got < allowed or head is None:
                    chunk = stream.read(min(CHUNK, allowed - got + (head is None)))
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > allowed or got > room:
                        self.unpacked += got
                        self._refuse(info, got)
                    out.write(chunk)
        except zipfile.BadZipFile as exc:  # a CRC or length mismatch: the member is not what it declares
            msg = f"{self.name}: expected member {member!r} to hold what the archive declares, got a damaged one ({exc})"
            raise ReadError(msg) from None
        except (NotImplementedError, RuntimeError, OSError, EOFError) as exc:  # encrypted, unknown method, truncated
            raise unreadable(self.name, f"a readable member {member!r}", exc, limit=120) from None
        self.unpacked += got

    def _refuse(self, info: zipfile.ZipInfo, got: int) -> None:
        if got > info.file_size:
            msg = (f"{self.name}: expected member {info.filename!r} to unpack to the {info.file_size:,} bytes it declares, "
                   f"got more; the archive lies about its sizes (a zip bomb)")  # fmt: skip
        else:
            msg = (f"{self.name}: expected at most {self.limits.max_unpacked_mb:,g} MB uncompressed (setting "
                   f"CONFLICT_MAP_MAX_UNPACKED_MB), unpacking passed it at member {info.filename!r}")  # fmt: skip
        raise ReadError(msg)


class _Sink:
    """Bytes written and forgotten (:meth:`Unpacker.verify` keeps nothing)."""

    def write(self, data: bytes) -> int:
        return len(data)

