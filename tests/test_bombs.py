"""Memory bombs: a zip, workbook or lying archive is refused before it is unpacked — on peek
(the Data page's select) and on load — and nothing memory-heavy starts over the memory budget.

The bombs are real: 200 MB of event rows compressed into a few hundred kB, written in chunks
so that building them does not itself raise the test process's peak memory.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.errors import ReadError, ServerBusyError
from geo.io import read_events
from geo.io.archives import ArchiveLimits, Unpacker, check_archive
from geo.io.limits import check_memory, resident_mb
from geo.io.sniff import peek_columns
from geo.settings import settings
from geo.storage.embedded import EmbeddedStore

HEADER = b"event_id,event_date,latitude,longitude,fatalities,actor1,notes\n"
ROW = b"e1,2024-11-30,36.2,37.16,3,HTS,ok\n"
BOMB_MB = 200


def _stream_member(zf: zipfile.ZipFile, name: str, head: bytes, unit: bytes, total: int) -> None:
    """A member of ``total`` bytes: ``head`` then ``unit`` repeated, written 1 MB at a time."""
    block = unit * ((1 << 20) // len(unit))
    with zf.open(name, "w", force_zip64=True) as out:
        out.write(head)
        written = len(head)
        while written < total:
            out.write(block[: total - written])
            written += len(block)


@pytest.fixture(scope="module")
def csv_zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """events.zip: an ACLED-like header then 200 MB of one repeated event row, compressed about 1000:1."""
    path = tmp_path_factory.mktemp("bombs") / "events.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _stream_member(zf, "events.csv", HEADER, ROW, BOMB_MB * 1_000_000)
    return path


@pytest.fixture(scope="module")
def xlsx_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """events.xlsx: a valid workbook whose one sheet is an event header then 200 MB of identical rows."""
    path = tmp_path_factory.mktemp("bombs") / "events.xlsx"
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADER.decode().strip().split(","))
    row = '<row><c t="inlineStr"><is><t>e1</t></is></c><c t="inlineStr"><is><t>2024-11-30</t></is></c></row>'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"))  # fmt: skip
        zf.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))  # fmt: skip
        zf.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Events" sheetId="1" r:id="rId1"/></sheets></workbook>'))  # fmt: skip
        zf.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'))  # fmt: skip
        head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"<sheetData><row>{cells}</row>").encode()  # fmt: skip
        tail = b"</sheetData></worksheet>"
        total = BOMB_MB * 1_000_000
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(head)
            block = row.encode() * ((1 << 20) // len(row))
            written = len(head)
            while written + len(block) < total:
                out.write(block)
                written += len(block)
            out.write(tail)
    return path


def _varied_csv(rows: int) -> bytes:
    """An event CSV whose rows differ (real files compress about 5:1, far from a bomb's ratio)."""
    lines = [f"e{i},2024-11-{1 + i % 28:02d},{36 + i % 997 / 1000:.3f},{37 + i % 991 / 1000:.3f},{i % 7},actor {i % 113},note {i * 7919 % 100003}\n"
             for i in range(rows)]  # fmt: skip
    return HEADER + "".join(lines).encode()


@pytest.fixture
def zipped_csv_of_2mb() -> bytes:
    """events.zip holding a 2 MB CSV of varied rows: an honest archive."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("events.csv", _varied_csv(40_000))
    assert zipfile.ZipFile(buf).infolist()[0].file_size > 2_000_000
    return buf.getvalue()


@pytest.fixture
def zip_declaring_1kb_holding_5mb() -> bytes:
    """events.zip whose directory (and local header) says its CSV is 1 kB; it unpacks to 5 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("events.csv", _varied_csv(70_000)[:5_000_000])
    raw = bytearray(buf.getvalue())
    local = raw.index(b"PK\x03\x04")
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, local + 22, 1000)  # the local header's uncompressed size
    struct.pack_into("<I", raw, central + 24, 1000)  # the central directory's
    return bytes(raw)


@pytest.fixture
def zip_holding_a_zip() -> bytes:
    """outer.zip holding inner.zip (which holds a CSV) and a CSV."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("events.csv", HEADER + ROW)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("inner.zip", inner.getvalue())
        zf.writestr("events.csv", HEADER + ROW)
    return outer.getvalue()


def _peak_mb() -> float:
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) / 1e3


@contextlib.contextmanager
def _peak_growth() -> Iterator[dict[str, float]]:
    """How far the process's peak resident memory rose inside the block (the peak is reset on entry)."""
    Path("/proc/self/clear_refs").write_text("5", encoding="ascii")  # resets VmHWM to the current RSS
    before, start = resident_mb(), time.perf_counter()
    out: dict[str, float] = {}
    try:
        yield out
    finally:
        out["mb"] = _peak_mb() - before
        out["s"] = time.perf_counter() - start


BOMB_CASES = ["csv_zip_bomb", "xlsx_bomb"]


@pytest.mark.parametrize("bomb", BOMB_CASES)
def test_a_bomb_is_refused_on_peek_quickly_and_without_unpacking(bomb, request):
    path: Path = request.getfixturevalue(bomb)
    content = path.read_bytes()
    assert len(content) < 1_000_000  # a few hundred kB that unpack to 200 MB
    with _peak_growth() as grew, pytest.raises(ReadError) as refused:
        peek_columns(content, name=path.name)
    message = str(refused.value)
    assert message.startswith(f"{path.name}: expected ")
    assert re.search(r"compressed at most 100:1, .*declares (19\d|200)\.\d MB from \d+\.\d kB .*this looks like a zip bomb$", message)
    assert grew["s"] < 2 and grew["mb"] < 100, grew


@pytest.mark.parametrize("bomb", BOMB_CASES)
def test_a_bomb_is_refused_on_load_and_store(bomb, request, tmp_path):
    path: Path = request.getfixturevalue(bomb)
    content = path.read_bytes()
    store = EmbeddedStore(tmp_path)
    with _peak_growth() as grew, pytest.raises(ReadError, match=rf"^{path.name}: expected .* this looks like a zip bomb"):
        store.save(content, name=path.name)
    assert grew["s"] < 2 and grew["mb"] < 100, grew
    assert not list(tmp_path.glob("*.parquet"))
    with pytest.raises(ReadError, match="zip bomb"):
        read_events(path)  # the CLI's path: the same refusal


def test_an_archive_declaring_more_than_the_limit_is_refused_by_its_directory(zipped_csv_of_2mb, monkeypatch, tmp_path):
    assert peek_columns(zipped_csv_of_2mb, name="events.zip")[:2] == ["event_id", "event_date"]
    monkeypatch.setenv("CONFLICT_MAP_MAX_UNPACKED_MB", "1")
    expected = r"^events\.zip: expected at most 1 MB uncompressed \(setting CONFLICT_MAP_MAX_UNPACKED_MB\), the archive declares 2\.\d MB"
    with pytest.raises(ReadError, match=expected):
        peek_columns(zipped_csv_of_2mb, name="events.zip")
    with pytest.raises(ReadError, match=expected):
        EmbeddedStore(tmp_path).save(zipped_csv_of_2mb, name="events.zip")


def test_an_honest_zipped_csv_still_loads(zipped_csv_of_2mb, tmp_path):
    _, result = EmbeddedStore(tmp_path).save(zipped_csv_of_2mb, name="events.zip")
    assert result.report.rows_loaded == 40_000


def test_a_member_that_unpacks_past_its_declared_size_is_refused_not_a_traceback(zip_declaring_1kb_holding_5mb, tmp_path):
    with pytest.raises(ReadError, match=r"^events\.zip: expected member 'events\.csv' to hold what the archive declares"):
        peek_columns(zip_declaring_1kb_holding_5mb, name="events.zip")
    with pytest.raises(ReadError, match=r"^events\.zip: expected member 'events\.csv' to hold what the archive declares"):
        EmbeddedStore(tmp_path).save(zip_declaring_1kb_holding_5mb, name="events.zip")


def test_the_counter_stops_at_the_limit_whatever_the_directory_says(zipped_csv_of_2mb):
    archive = zipfile.ZipFile(io.BytesIO(zipped_csv_of_2mb))
    unpacker = Unpacker(archive, name="events.zip", limits=ArchiveLimits(max_unpacked_mb=0.5))  # no check_archive first
    with pytest.raises(ReadError, match=r"expected at most 0\.5 MB uncompressed .* passed it at member 'events\.csv'"):
        unpacker.read("events.csv")
    assert unpacker.unpacked <= 500_000 + (1 << 16) + 1  # stopped within a chunk of the limit
    head = Unpacker(archive, name="events.zip", limits=ArchiveLimits(max_unpacked_mb=0.5)).read("events.csv", head=1000)
    assert head.startswith(HEADER) and len(head) == 1000


def test_a_nested_archive_is_refused(zip_holding_a_zip):
    with pytest.raises(ReadError, match=r"^outer\.zip: expected event files in the archive, got another archive inside \('inner\.zip'\)"):
        peek_columns(zip_holding_a_zip, name="outer.zip")


def test_too_many_members_are_refused_from_the_directory():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(5):
            zf.writestr(f"part{i}.txt", b"x")
    with pytest.raises(ReadError, match=r"^many\.zip: expected at most 4 members in the archive, it declares 5"):
        check_archive(zipfile.ZipFile(buf), name="many.zip", limits=ArchiveLimits(max_members=4))


def test_memory_budget_refuses_peek_and_load_before_reading(zipped_csv_of_2mb, monkeypatch, tmp_path):
    monkeypatch.setenv("CONFLICT_MAP_MEMORY_BUDGET_MB", "1")  # every process holds more than 1 MB
    busy = r"^the server is busy: [\d,]+ MB in use, budget 1 MB \(setting CONFLICT_MAP_MEMORY_BUDGET_MB\); try again later$"
    with pytest.raises(ServerBusyError, match=busy):
        peek_columns(zipped_csv_of_2mb, name="events.zip")
    with pytest.raises(ServerBusyError, match=busy):
        EmbeddedStore(tmp_path).save(zipped_csv_of_2mb, name="events.zip")
    assert not list(tmp_path.glob("*.parquet"))
    assert issubclass(ServerBusyError, ReadError)  # every page that reports an unreadable upload reports this too


def test_check_memory_reads_the_budget_and_what_is_in_use():
    check_memory(settings({}), in_use_mb=lambda: 4095.0)
    with pytest.raises(ServerBusyError, match="4,097 MB in use, budget 4,096 MB"):
        check_memory(settings({}), in_use_mb=lambda: 4097.0)
    with pytest.raises(ServerBusyError, match="budget 10 MB"):
        check_memory(budget_mb=10, in_use_mb=lambda: 11.0)
    assert 5 < resident_mb() < 24_000  # this process, read from /proc/self/statm
