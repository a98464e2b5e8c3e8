"""Command-line interface: ``python -m geo <command>``.

Each command is a small function; argument parsing lives in :func:`build_parser`.
Exit codes: 0 success, 2 when the input could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.errors import GeoError
from geo.io import FORMATS, read_events

PROGRESS_MIN_ROWS = 50_000


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m geo`` parser with one sub-command per capability."""
    parser = argparse.ArgumentParser(prog="python -m geo", description="Conflict-event tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="load an event file into canonical GeoParquet")
    ingest.add_argument("path", type=Path)
    ingest.add_argument("--format", choices=FORMATS, default="auto")
    ingest.add_argument("--mapping", type=Path, help="JSON file: canonical column -> file column")
    ingest.add_argument("--out", type=Path, help="write the canonical GeoParquet here")
    ingest.add_argument("--rejects", type=Path, help="write rejected rows (with reasons) here as CSV")
    ingest.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    ingest.set_defaults(func=cmd_ingest)
    schema = sub.add_parser("schema", help="print the canonical schema as a Markdown table")
    schema.set_defaults(func=cmd_schema)
    return parser


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the schema table (the source of data/README.md's field list)."""
    from geo.schema import schema_markdown

    print(schema_markdown())
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Load, validate and optionally write events and rejects."""
    mapping = json.loads(args.mapping.read_text(encoding="utf-8")) if args.mapping else None
    result = read_events(args.path, format=args.format, mapping=mapping, progress=_progress_bar())
    _end_progress()
    if args.out:
        result.events.to_parquet(args.out)
    if args.rejects:
        result.report.write_rejects(args.rejects)
    if args.json:
        print(json.dumps(result.report.to_dict()))
    else:
        print(result.report.summary())
    return 0


_progress_state = {"shown": False}


def _progress_bar():
    """A stderr progress line for files over ~50 k rows (silent for small ones)."""

    def show(rows: int, message: str) -> None:
        if rows < PROGRESS_MIN_ROWS:
            return
        _progress_state["shown"] = True
        sys.stderr.write(f"\r{message}: {rows:,} rows")
        sys.stderr.flush()

    return show


def _end_progress() -> None:
    if _progress_state["shown"]:
        sys.stderr.write("\n")
        _progress_state["shown"] = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; domain errors become one line on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (GeoError, json.JSONDecodeError, OSError) as exc:
        _end_progress()
        print(f"error: {exc}", file=sys.stderr)
        return 2
