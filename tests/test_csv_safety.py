"""CSV exports open as data: no formula and no extra row, in Python's ``csv`` module and in LibreOffice.

The issue: pandas quotes only fields with the separator, the quote or ``\\n``, so a cell with a bare
``\\r`` went out unquoted; a spreadsheet started a new row inside it and ``@SUM(…)`` after the CR
became a live formula. Every CSV the app hands out (events, rejected rows, audit log) goes through
:func:`geo.export.safe_csv`; these tests read its output back as a spreadsheet would.

LibreOffice (Debian ``libreoffice-calc-nogui``; ``.ci/run`` installs it) converts the CSV to .xlsx,
read back with openpyxl. Outside CI a missing ``soffice`` skips, with the reason; in CI (``CI``
set) it fails, as ``tests/postgres.py`` does for PostGIS.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.access import LOCAL, User
from geo.export import safe_csv
from geo.io import read_events
from geo.report import LoadReport
from geo.storage.embedded import EmbeddedStore
from tests.conftest import FIXTURES, skip_or_fail

#: (cell as stored, cell as exported): the documented change is a ' at the start of the cell and
#: of every line in it that a spreadsheet could read as a formula; everything else is kept.
HOSTILE_CELLS = [
    ("abc\r@SUM(1+1)", "abc\r'@SUM(1+1)"),  # the issue: bare CR, then a formula
    ("abc\r=1+1", "abc\r'=1+1"),
    ("lf\n=1+1", "lf\n'=1+1"),
    ("crlf\r\n+1+1", "crlf\r\n'+1+1"),
    ("one\rtwo\nthree\r\nfour", "one\rtwo\nthree\r\nfour"),  # line breaks alone are kept as they are
    ("paragraph\n\nparagraph", "paragraph\n\nparagraph"),  # blank lines are not touched
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("ok\r=cmd|' /C calc'!A0", "ok\r'=cmd|' /C calc'!A0"),
    ("+1+1", "'+1+1"),
    ("-2", "'-2"),  # a number in a text column is text
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\tcell", "'\tcell"),
    ("\r=3+3", "'\r'=3+3"),  # a leading CR (OWASP) and the formula after it
    ("\nlead", "'\nlead"),
    (" =2+2", "' =2+2"),  # LibreOffice's "Trim spaces" would make it a formula
    ("\u3000=1+1", "'\u3000=1+1"),  # ideographic space
    ("＝1+1", "'＝1+1"),  # full-width equals sign
    ("a,b;c|d", "a,b;c|d"),  # separators
    ('say "hi", then \'bye\'', 'say "hi", then \'bye\''),  # quotes
    ('"=1+1"', '"=1+1"'),  # a quote first: the cell is text
    ("a-b = c + d @ e", "a-b = c + d @ e"),  # formula characters inside a line are harmless
    ("Ḥalab — حلب ✓ 🙂 \u2028 end", "Ḥalab — حلب ✓ 🙂 \u2028 end"),  # NUL-free Unicode
    ("trailing\r", "trailing\r"),
    ("plain", "plain"),
]
#: A line a spreadsheet could run: optional blanks, then = + - @ (or their full-width forms), or a tab.
FORMULA_LINE = re.compile(r"[\s\u200b\ufeff]*[=+\-@＝＋－＠]|\t")
#: The import options of LibreOffice's CSV filter: comma, '"', UTF-8 (76), from line 1, US English,
#: quoted fields not forced to text, special numbers detected, trim spaces (11th) as given, and
#: formulas evaluated (13th) — the settings under which a formula would come alive.
LIBREOFFICE_CSV = "CSV:44,34,76,1,,1033,false,true,false,false,{trim},-1,true"
SOFFICE_TIMEOUT = 120


def formula_lines(cell: str) -> list[str]:
    """The lines of ``cell`` (split at CR, LF or CRLF) that start like a formula, and a leading line break."""
    lines = [line for line in re.split(r"\r\n|\r|\n", cell) if FORMULA_LINE.match(line)]
    return lines + ([cell[:1]] if cell[:1] in ("\r", "\n") else [])


def csv_records(data: bytes) -> list[list[str]]:
    """The records of a CSV as Python's ``csv`` module reads a file opened with ``newline=''``."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def text_columns(frame: pd.DataFrame) -> list[int]:
    return [i for i, col in enumerate(frame.columns) if not pd.api.types.is_numeric_dtype(frame[col])]


def assert_no_formula_in_csv(data: bytes, frame: pd.DataFrame) -> list[list[str]]:
    """Records and fields as in ``frame``; no line of a text cell or column name starts a formula."""
    records = csv_records(data)
    assert len(records) == len(frame) + 1, "one record per row, and the header"
    assert {len(r) for r in records} == {frame.shape[1]}, "every record has the frame's fields"
    cells = records[0] + [r[i] for r in records[1:] for i in text_columns(frame)]
    assert [c for c in cells if formula_lines(c)] == []
    return records


@pytest.fixture
def formulas_and_line_breaks() -> pd.DataFrame:
    """Hostile text cells beside numbers (a negative count), a category and a formula as a column name."""
    originals = [original for original, _ in HOSTILE_CELLS]
    n = len(originals)
    return pd.DataFrame({
        "notes": pd.array(originals, dtype="string"),
        "fatalities": [-3, *range(1, n)],
        "latitude": [36.2 + i / 100 for i in range(n)],
        "event_type": pd.Categorical(["-Battles\r=1+1", *["Battles"] * (n - 1)]),
        "@SUM(1+1)": ["x"] * n,
        "comment": pd.array([pd.NA, *originals[1:]], dtype="string"),
    })  # fmt: skip


@pytest.fixture
def rejected_rows_with_formulas(tmp_path: Path) -> LoadReport:
    """The load report of an upload whose rejected rows hold a CR before a formula, and a formula as a column name."""
    path = tmp_path / "bad.csv"
    path.write_bytes(b'event_id,event_date,latitude,longitude,notes,=HYPERLINK("http://evil")\n'
                     b'=cmd,not a date,1,2,"ok\r@SUM(1+1)",x\n'
                     b'E2,2024-11-30,0,0," =1+1","-2"\n'
                     b"E3,2024-11-30,36.2,37.1,fine,y\n")  # fmt: skip
    report = read_events(path).report
    assert report.rows_rejected == 2
    return report


@pytest.fixture
def audit_log_with_formulas(tmp_path: Path) -> pd.DataFrame:
    """The audit log after a user whose name holds a CR and a formula uploaded, exported and shared."""
    store = EmbeddedStore(tmp_path)
    mallory = User(sub="m", name="Mallory\r=cmd|' /C calc'!A0", role="admin")
    dataset_id, _ = store.save((FIXTURES / "generic_lat_lon.csv").read_bytes(), name="events\r@SUM(1+1).csv", user=mallory)
    store.record_export(dataset_id, mallory, what="CSV\r\n+1+1")
    store.share(dataset_id, mallory, visibility="team", teams=("ops\r-team",))
    return store.audit_log(LOCAL)


def test_csv_round_trip_keeps_records_and_neutralises_every_line(formulas_and_line_breaks):
    frame = formulas_and_line_breaks
    records = assert_no_formula_in_csv(safe_csv(frame), frame)
    assert records[0] == ["notes", "fatalities", "latitude", "event_type", "'@SUM(1+1)", "comment"]
    rows = records[1:]
    expected = [exported for _, exported in HOSTILE_CELLS]
    assert [r[0] for r in rows] == expected
    assert [r[5] for r in rows] == ["", *expected[1:]]  # a missing cell is empty
    assert [r[3] for r in rows][:2] == ["'-Battles\r'=1+1", "Battles"]
    assert [r[1] for r in rows] == [str(v) for v in frame["fatalities"]]  # numbers untouched: -3 stays -3
    assert [float(r[2]) for r in rows] == frame["latitude"].tolist()


def test_csv_quotes_every_text_field(formulas_and_line_breaks):
    text = safe_csv(formulas_and_line_breaks).decode("utf-8")
    assert text.startswith('"notes","fatalities","latitude","event_type","\'@SUM(1+1)","comment"\n')
    assert '\n"abc\r\'@SUM(1+1)",-3,36.2,' in text  # the cell is quoted; the numbers are not


def only_quotes_added(original: str, exported: str) -> bool:
    """Whether ``exported`` is ``original`` with at most a ' put at the start of the cell or of a line."""
    parts = lambda cell: re.split(r"(\r\n|\r|\n)", cell)  # noqa: E731 — the lines and the breaks between them
    before, after = parts(original), parts(exported)
    return len(before) == len(after) and all(a in (b, "'" + b) for b, a in zip(before, after, strict=True))


#: Text rich in what breaks records and starts formulas (NUL-free: spreadsheets drop it).
hostile_text = st.text(alphabet=st.sampled_from([*"=+-@\t\r\n ,;\"'ab1", "\u3000", "＝", "\u2028", "ح"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(hostile_text, min_size=1, max_size=8))
def test_any_text_round_trips_with_only_quotes_added(cells):
    frame = pd.DataFrame({"text": pd.array(cells, dtype="string"), "count": range(-1, len(cells) - 1)})
    records = assert_no_formula_in_csv(safe_csv(frame), frame)
    assert all(only_quotes_added(c, r[0]) for c, r in zip(cells, records[1:], strict=True))
    assert [int(r[1]) for r in records[1:]] == frame["count"].tolist()


def _missing_soffice() -> str | None:
    if shutil.which("soffice") is None:
        return "LibreOffice not installed (no soffice on PATH; .ci/run installs libreoffice-calc-nogui)"
    return None


def require_soffice() -> str:
    """The ``soffice`` path; skip outside CI when LibreOffice is absent; in CI, fail."""
    skip_or_fail(_missing_soffice())
    return shutil.which("soffice") or "soffice"


def libreoffice_rows(data: bytes, *, trim_spaces: bool) -> list[list[tuple[str, object]]]:
    """``data`` imported by LibreOffice Calc, saved as .xlsx and read back: each cell's (type, value)."""
    soffice = require_soffice()
    with tempfile.TemporaryDirectory(prefix="conflict-map-soffice-") as tmp:
        folder = Path(tmp)
        (folder / "export.csv").write_bytes(data)
        # Its own profile, so parallel runs (and a desktop LibreOffice) do not share a lock.
        cmd = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
               f"--infilter={LIBREOFFICE_CSV.format(trim=str(trim_spaces).lower())}",
               "--convert-to", "xlsx", "--outdir", str(folder / "out"), str(folder / "export.csv")]  # fmt: skip
        # A session of its own: on a timeout the whole group goes (the soffice script starts soffice.bin).
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            output, _ = proc.communicate(timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"soffice did not convert the CSV within {SOFFICE_TIMEOUT} s")
        xlsx = folder / "out" / "export.xlsx"
        assert xlsx.exists(), f"soffice did not convert (exit {proc.returncode}): {output}"
        sheet = openpyxl.load_workbook(xlsx).active
        return [[(c.data_type, c.value) for c in row] for row in sheet.iter_rows()]


def assert_no_formula_in_libreoffice(data: bytes, frame: pd.DataFrame, *, trim_spaces: bool) -> list[list[object]]:
    """LibreOffice finds the frame's rows and columns, no formula cell, and no text line starting one."""
    rows = libreoffice_rows(data, trim_spaces=trim_spaces)
    assert len(rows) == len(frame) + 1, "one spreadsheet row per row, and the header"
    assert {len(r) for r in rows} == {frame.shape[1]}
    cells = [cell for row in rows for cell in row]
    assert [v for t, v in cells if t == "f" or (isinstance(v, str) and v.startswith("="))] == []
    assert [v for t, v in cells if t == "s" and formula_lines(v)] == []
    return [[v for _, v in row] for row in rows]


@pytest.mark.parametrize("trim_spaces", [False, True], ids=["default-import", "trim-spaces"])
def test_libreoffice_opens_csv_as_data(formulas_and_line_breaks, trim_spaces):
    frame = formulas_and_line_breaks
    values = assert_no_formula_in_libreoffice(safe_csv(frame), frame, trim_spaces=trim_spaces)
    as_lines = lambda cell: re.sub(r"\r\n?", "\n", cell)  # noqa: E731 — Calc keeps a line break in a cell as LF
    assert [row[0] for row in values[1:]] == [as_lines(exported) for _, exported in HOSTILE_CELLS]
    assert [row[1] for row in values[1:]] == frame["fatalities"].tolist()  # numbers stay numbers
    assert values[0][4] == "'@SUM(1+1)" and values[1][5] is None


def test_rejected_rows_csv_is_safe_on_the_page_and_from_the_cli(rejected_rows_with_formulas, tmp_path):
    rejected = rejected_rows_with_formulas.rejected
    data = safe_csv(rejected)
    records = assert_no_formula_in_csv(data, rejected)
    assert records[0][-1] == "'=hyperlink(\"http://evil\")"
    assert [r[0] for r in records[1:]] == ["2", "3"]  # the file's line numbers stay numbers
    assert [records[1][3], records[1][7], records[2][7], records[2][8]] == ["'=cmd", "ok\r'@SUM(1+1)", "' =1+1", "'-2"]
    # `ingest --rejects` writes the same bytes as the Data page's download.
    assert rejected_rows_with_formulas.write_rejects(tmp_path / "rejects.csv").read_bytes() == data


def test_audit_log_csv_is_safe(audit_log_with_formulas):
    log = audit_log_with_formulas
    records = assert_no_formula_in_csv(safe_csv(log), log)
    assert [r[2] for r in records[1:]] == ["share", "export", "upload"]
    assert {r[1] for r in records[1:]} == {"Mallory\r'=cmd|' /C calc'!A0"}


def test_libreoffice_opens_rejected_rows_and_audit_log_as_data(rejected_rows_with_formulas, audit_log_with_formulas):
    rejected = rejected_rows_with_formulas.rejected
    values = assert_no_formula_in_libreoffice(safe_csv(rejected), rejected, trim_spaces=True)
    assert values[1][7] == "ok\n'@SUM(1+1)"
    log = audit_log_with_formulas
    values = assert_no_formula_in_libreoffice(safe_csv(log), log, trim_spaces=True)
    assert values[1][1] == "Mallory\n'=cmd|' /C calc'!A0"
