"""`python -m geo ingest`: one JSON object, outputs written, exit 2 with one line when unreadable."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from geo.cli import main
from tests.conftest import ROOT


def test_json_summary_and_outputs(tmp_path, capsys, fixtures_dir):
    bad = tmp_path / "bad.csv"
    text = (fixtures_dir / "acled_new_text_inter.csv").read_text()
    bad.write_text(text + text.splitlines()[1] + "\n")  # a duplicate row
    out, rejects = tmp_path / "out.parquet", tmp_path / "rejects.csv"
    assert main(["ingest", str(bad), "--json", "--out", str(out), "--rejects", str(rejects)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"format", "rows_read", "rows_loaded", "rows_rejected", "reasons", "date_min", "date_max", "crs"}
    assert (report["format"], report["rows_read"], report["rows_loaded"]) == ("acled", 4, 3)
    assert report["reasons"] == {"duplicate event_id": 1} and report["crs"] == "EPSG:4326"
    assert len(pd.read_parquet(out)) == 3
    assert "duplicate event_id" in rejects.read_text()


def test_mapping_file(tmp_path, capsys, fixtures_dir):
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"event_date": "when", "latitude": "northing", "longitude": "easting"}))
    assert main(["ingest", str(fixtures_dir / "generic_custom_columns.csv"), "--mapping", str(mapping), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_loaded"] == 2


def test_unreadable_file_exits_2_with_one_line(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"\x00\x01\x02\x03")
    proc = subprocess.run([sys.executable, "-m", "geo", "ingest", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "expected a text file" in proc.stderr
    assert "Traceback" not in proc.stderr
