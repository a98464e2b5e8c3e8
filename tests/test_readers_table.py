"""The readers as a table (:mod:`geo.io.readers`): what derives from ``READERS``, the README's readers
table, and the recipe for a new reader walked with a made-up format (``.evt``, pipe-separated)."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import pandas as pd
import pytest

import geo.io
from geo.cli import build_parser, main
from geo.data_session import upload_widget, upload_widgets
from geo.io import read_events, readers
from geo.io.readers import Reader
from geo.io.source import Probe, Source
from tests.conftest import ROOT

README = ROOT / "README.md"


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _cli_format_choices() -> tuple[str, ...]:
    """``python -m geo ingest --format``'s choices (argparse keeps no public handle on a sub-command's arguments)."""
    ingest = build_parser()._subparsers._group_actions[0].choices["ingest"]
    return next(a.choices for a in ingest._actions if a.dest == "format")


def test_the_readme_lists_every_reader_and_no_other():
    assert readers.undocumented(_readme()) == [], "paste geo.io.readers.readers_table() into the README's 'Files we read'"


def test_the_docs_check_names_a_missing_and_an_unknown_reader():
    table = readers.readers_table()
    without_zip = "\n".join(line for line in table.splitlines() if not line.startswith("| `zip`"))
    assert readers.undocumented(without_zip) == ["reader 'zip' is not in the README's readers table"]
    extra = table + "\n| `dbase` (dBase) | `.dbf` | a dBase table | |"
    assert readers.undocumented(extra) == ["the README's readers table lists 'dbase', which is no reader"]
    stale = table.replace("zip archive", "ZIP archive")
    assert readers.undocumented(stale) == ["the README's readers table is stale: paste geo.io.readers.readers_table()"]


def test_format_choices_upload_types_and_table_formats_derive_from_the_table():
    rows = readers.READERS
    assert readers.formats() == ("auto", *(r.name for r in rows if r.forcible)) == geo.io.FORMATS
    assert set(readers.upload_types()) == {t for r in rows for t in r.upload_types} == set(geo.io.UPLOAD_TYPES)
    assert readers.table_formats() == tuple(r.name for r in rows if r.kind == readers.TABLE) == geo.io.TABLE_FORMATS
    assert upload_widgets()[0].options["options"] == readers.formats()
    assert upload_widget().options["type"] == list(readers.upload_types())
    assert _cli_format_choices() == readers.formats()


def test_each_reader_has_one_unique_name_and_sound_fields():
    names = [r.name for r in readers.READERS]
    assert len(names) == len(set(names))
    parameters = set(inspect.signature(read_events).parameters)
    for r in readers.READERS:
        assert r.label and r.recognises and r.extensions and all(e.startswith(".") for e in r.extensions), r.name
        assert set(r.options) <= parameters and set(readers.COMMON_OPTIONS) <= parameters, r.name
        assert (r.claims is None) == (r.kind == readers.TEXT), f"{r.name}: delimited text alone is recognised by its header"


def _io_sources() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "geo" / "io").glob("*.py"))}


def test_each_format_name_is_written_once_and_never_compared_as_a_bare_string():
    """A format's name is its module's ``NAME``; code compares names through the table or those constants."""
    names = {r.name for r in readers.READERS}
    defined: dict[str, list[str]] = {}
    compared = []
    for path, tree in _io_sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "NAME" for t in node.targets):
                defined.setdefault(ast.literal_eval(node.value), []).append(path.name)
            if isinstance(node, ast.Compare):
                literals = [c for n in [node.left, *node.comparators] for c in ast.walk(n) if isinstance(c, ast.Constant)]
                compared += [f"{path.name}:{c.lineno} {c.value!r}" for c in literals if c.value in names]
    assert {n: len(where) for n, where in defined.items()} == dict.fromkeys(names, 1), defined
    assert compared == []


def test_the_readme_says_a_new_reader_is_its_module_plus_one_row():
    assert "*A new reader* touches its module plus one `READERS` row, and tests/docs" in _readme()


# The recipe, walked: a made-up format in "its module" (the two functions below) plus one row.
EVT = "evt"


def evt_claims(probe: Probe) -> bool:
    """An ``.evt`` file: pipe-separated events under a ``#EVT`` first line."""
    return probe.raw.startswith(b"#EVT\n")


def evt_read(probe: Probe) -> Source:
    """The events of an ``.evt`` file as text columns."""
    lines = probe.raw.decode("utf-8").splitlines()[1:]
    frame = pd.DataFrame([line.split("|") for line in lines[1:]], columns=lines[0].split("|")).astype("string")
    return Source(probe.name, format=EVT, frame=frame, note=f"{len(frame)} events of {probe.name}")


EVT_ROW = Reader(EVT, "pipe events", "A #EVT line above pipe-separated events", (".evt",), ("evt",), readers.TABLE,
                 evt_read, claims=evt_claims, options=("mapping", "date_order"), forcible=True)  # fmt: skip
EVT_TEXT = "#EVT\ndate|lat|lon|who\n2024-11-30|36.2|37.16|HTS\n2024-12-01|33.51|36.29|SNA\n"


def _offered() -> dict[str, bool]:
    """Where the new format shows: --format, the CLI, the Data page's select and uploader, the package's names."""
    return {
        "formats": EVT in readers.formats(),
        "geo.io.FORMATS": EVT in geo.io.FORMATS,
        "cli --format": EVT in _cli_format_choices(),
        "data page select": EVT in upload_widgets()[0].options["options"],
        "upload types": EVT in upload_widget().options["type"] and EVT in geo.io.UPLOAD_TYPES,
        "table formats": EVT in readers.table_formats(),
    }


def test_a_new_reader_is_its_module_plus_one_row(tmp_path, monkeypatch, capsys):
    path = tmp_path / "events.evt"
    path.write_text(EVT_TEXT, encoding="utf-8")
    assert not any(_offered().values())
    monkeypatch.setattr(readers, "READERS", (*readers.READERS, EVT_ROW))
    assert _offered() == dict.fromkeys(_offered(), True)
    result = read_events(path, geocode=False)
    assert (result.report.format, result.report.rows_loaded) == (EVT, 2)
    assert sorted(result.events["who"]) == ["HTS", "SNA"] and result.report.mapped == {}
    assert main(["ingest", str(path), "--format", EVT, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == EVT
    assert readers.format_label(EVT) == "evt: pipe events"
    assert readers.undocumented(_readme()) == ["reader 'evt' is not in the README's readers table"]


def test_a_new_reader_documented_passes_the_docs_check(monkeypatch):
    monkeypatch.setattr(readers, "READERS", (*readers.READERS, EVT_ROW))
    assert readers.undocumented(readers.readers_table()) == []


@pytest.mark.parametrize("name", [r.name for r in readers.READERS if r.forcible])
def test_each_forcible_reader_is_a_format_the_reader_accepts(name):
    with pytest.raises(ValueError, match="date_order"):  # the format passed its check; the date order did not
        read_events(ROOT / "README.md", format=name, date_order="nope")


def test_the_data_page_accepts_every_extension_a_reader_reads():
    """A file a reader reads is never refused by the uploader (a Shapefile alone lacks its sidecars: zip it)."""
    accepted = set(readers.upload_types())
    for row in readers.readers():
        assert {e.lstrip(".") for e in row.extensions} - {"shp"} <= accepted, row.name
