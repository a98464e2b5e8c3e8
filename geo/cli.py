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

import pandas as pd

from geo.access import LOCAL
from geo.actor_learning import learn as learn_actor_aliases
from geo.actors import LEARNED_ACTORS_CSV
from geo.areas import tag_events
from geo.articles import article_file_text
from geo.bench import as_json, format_table, run
from geo.bench.core import UCDP_EVAL
from geo.build_data import TIMELINE, build_dataset, extract_articles, write_dataset
from geo.countries import country_code
from geo.dates import DATE_ORDERS
from geo.errors import GeoError
from geo.extract_eval import ARTICLES_DIR, GOLD_DIR, LOCKED, SPLITS, evaluate, format_scores, split_paths
from geo.extract_silver import evaluate_coded, format_silver, read_coded
from geo.gazetteer import build_gazetteer, default_gazetteer, format_evaluation, learn, merge_learned, using
from geo.gazetteer import evaluate as evaluate_gazetteer
from geo.io import read_events
from geo.io.readers import format_label, formats
from geo.mapview import build_map, standalone_html
from geo.match_eval import naive_pairs, read_gold
from geo.match_eval import score as score_matching
from geo.matching import Windows, match
from geo.params import PARAMS
from geo.paths import DATA
from geo.query import Query, with_defaults
from geo.query import vocabulary as make_vocabulary
from geo.reference import build_reference
from geo.schema import schema_markdown
from geo.sentence_model import MODEL_DIR
from geo.storage.backends import open_store
from geo.storage.files import read_canonical, write_canonical
from geo.storage.upload import canonical_events
from geo.tiles import extract_mbtiles
from geo.train_sentences import train

PROGRESS_MIN_ROWS = 50_000


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m geo`` parser with one sub-command per capability."""
    parser = argparse.ArgumentParser(prog="python -m geo", description="Conflict-event tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="load an event file into canonical GeoParquet")
    ingest.add_argument("path", type=Path)
    ingest.add_argument("--format", choices=formats(), default=formats()[0],
                        help="; ".join(format_label(f) for f in formats()))  # the readers' table (geo.io.readers)
    ingest.add_argument("--mapping", type=Path, help="JSON file: canonical column -> file column")
    ingest.add_argument("--out", type=Path, help="write the canonical, tagged GeoParquet here (as the dashboard stores it)")
    ingest.add_argument("--date-order", choices=tuple(DATE_ORDERS), default=None,
                        help="read numeric dates day-first (dmy), month-first (mdy) or year-first (ymd); "
                             "default: decided from the column, and the report says how")  # fmt: skip
    ingest.add_argument("--country", type=_country_arg, default=None, metavar="CC",
                        help="the file's country (name or ISO code): place names are looked up only among its places")
    ingest.add_argument("--rejects", type=Path, help="write rejected rows (with reasons) here as CSV")
    ingest.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    ingest.add_argument("--max-mb", type=float, help="refuse larger files (default: setting CONFLICT_MAP_MAX_FILE_MB, 200)")
    ingest.add_argument("--max-rows", type=int, help="refuse files with more rows (default: setting CONFLICT_MAP_MAX_ROWS)")
    ingest.set_defaults(func=cmd_ingest)
    schema = sub.add_parser("schema", help="print the canonical schema as a Markdown table")
    schema.add_argument("--update-readme", action="store_true", help="rewrite the table in data/README.md")
    schema.set_defaults(func=cmd_schema)
    _geography_commands(sub)
    _match_command(sub)
    ext = sub.add_parser("extract", help="news articles -> events (one JSON object per event with --json)")
    ext.add_argument("paths", nargs="+", type=Path)
    ext.add_argument("--json", action="store_true")
    ext.add_argument("--rejected", action="store_true", help="also print the rejected candidate sentences")
    ext.add_argument("--review", action="store_true", help="instead, store each article (.txt, .md, .html) and its events as "
                     "candidates for review in the configured store, as this machine's user; print how many")  # fmt: skip
    ext.set_defaults(func=cmd_extract)
    data = sub.add_parser("build-data", help="rebuild data/events.parquet and data/events.csv (deterministic)")
    data.add_argument("--timeline", type=Path, default=None, help="default: ../shared/reference/timeline-2024.tsv")
    data.set_defaults(func=cmd_build_data)
    mp = sub.add_parser("map", help="standalone offline map HTML of a query (same filters as the URL)")
    mp.add_argument("input", nargs="?", type=Path, help="event file (default: the bundled dataset)")
    mp.add_argument("--out", type=Path, required=True)
    for p in PARAMS:  # the link's parameters, one flag each (repeatable where the link's are)
        mp.add_argument(f"--{p.key}", dest=f"p_{p.key}", action="append" if p.multi else None, help=p.help.replace("%", "%%"))
    mp.set_defaults(func=cmd_map)
    bench = sub.add_parser("bench", help="benchmarks against the naive approach (prints a table)")
    bench.add_argument("--cases", default="ingest,tag,map", help="comma-separated: ingest, tag, map, extract, match, store, browser, review")
    bench.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated event counts")
    bench.add_argument("--json", action="store_true", help="emit the table as a JSON list")
    bench.set_defaults(func=cmd_bench)
    return parser


EXTRACT_FIELDS = ("event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "latitude",
                  "longitude", "geo_precision", "confidence", "article_id", "sentence", "span_start", "span_end")  # fmt: skip


def cmd_extract(args: argparse.Namespace) -> int:
    """Extract events from article files (``--review``: propose them as candidates in the store)."""
    if args.review:
        return _propose(list(args.paths))
    with using(open_store().gazetteer()):  # the shared layer's places too
        events, rejected = extract_articles(list(args.paths))
    for row in events.itertuples():
        record = {f: _jsonable(getattr(row, f)) for f in EXTRACT_FIELDS}
        record["article"] = record.pop("article_id")
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(f"{record['event_date']}  {record['sub_event_type']:<36} {record['location']:<24} {record['actor1'] or ''}")
    if args.rejected:
        for row in rejected.itertuples():
            print(json.dumps({"rejected": True, "reason": row.reason, "sentence": row.sentence}, ensure_ascii=False))
    return 0


def _propose(paths: list[Path]) -> int:
    store = open_store()
    for path in paths:
        done = store.propose_article(article_file_text(path), LOCAL, name=path.name)
        new = len(done.candidates)
        print(f"{path.name}: {new} candidate{'' if new == 1 else 's'} proposed for review, {done.events - new} proposed "
              f"before (article {done.article_id}, {store.backend} store)")  # fmt: skip
    return 0


def _jsonable(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value.item() if hasattr(value, "item") else value


def cmd_build_data(args: argparse.Namespace) -> int:
    """Rebuild the bundled dataset from seeds/ and the reference timeline."""

    events, rejected = build_dataset(timeline=args.timeline or TIMELINE)
    for path in write_dataset(events, rejected):
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    print(f"{len(events)} events; by source: {events['dataset'].value_counts().to_dict()}")
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    """Write one self-contained HTML map (Leaflet inlined) for the query given as URL-style options."""

    if args.input:
        events = read_events(args.input).events
        if events["areas"].isna().all():
            events = tag_events(events)
    else:
        events = read_canonical(DATA / "events.parquet")
    params = {k[2:]: v for k, v in vars(args).items() if k.startswith("p_") and v is not None}
    query = Query.from_params(params)
    for ignored in query.ignored:
        print(f"ignored: {ignored}", file=sys.stderr)
    query = with_defaults(query, make_vocabulary(events, areas=[], datasets=[]))
    m, mode = build_map(query.apply(events), query)
    args.out.write_text(standalone_html(m), encoding="utf-8")
    print(f"{query.describe()} · {len(query.apply(events)):,} events · mode {mode} -> {args.out}")
    return 0


def _match_command(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser("match", help="pair the events of two sources that report one incident (time, distance, type, actors; one to one)")
    m.add_argument("a", type=Path, help="first event file (any format the readers take)")
    m.add_argument("b", type=Path, help="second event file")
    m.add_argument("--days", type=int, default=Windows.days, help="days between the two events' spans at most (default %(default)s)")
    m.add_argument("--km", type=float, default=Windows.km, help="kilometres between their points at most (default %(default)s)")
    m.add_argument("--out", type=Path, help="write the pairs here as CSV")
    m.add_argument("--gold", type=Path, help="hand-matched pairs (pair_id a~b, same yes/no/unsure): print precision and recall, ours and the naive rule's")
    m.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    m.set_defaults(func=cmd_match)


def cmd_match(args: argparse.Namespace) -> int:
    try:
        windows = Windows(days=args.days, km=args.km)
    except ValueError as exc:  # a window out of range: one line, not a traceback
        raise GeoError(f"--{exc}") from exc
    a, b = read_events(args.a).events, read_events(args.b).events
    pairs = match(a, b, windows=windows)
    if args.out:
        pairs.to_csv(args.out, index=False)
    said: dict[str, object] = {"a": len(a), "b": len(b), "pairs": len(pairs), "days": windows.days, "km": windows.km}
    if args.gold:
        gold = read_gold(args.gold)
        said["scores"] = [score_matching(pairs, gold, method="ours").as_dict(), score_matching(naive_pairs(a, b), gold, method="naive").as_dict()]
    if args.json:
        print(json.dumps(said))
        return 0
    print(f"{said['pairs']:,} pairs of {len(a):,} and {len(b):,} events (within {windows.days} days and {windows.km:g} km)")
    for s in said.get("scores", []):
        p, r = (f"{v:.1%}" if v is not None else "n/a" for v in (s["precision"], s["recall"]))
        print(f"{s['method']}: precision {p} ({s['right']}/{s['matched_gold']}), recall {r} ({s['right']}/{s['gold_yes']}); "
              f"{s['judged']} gold pairs judged, {s['unsure']} unsure left out")  # fmt: skip
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Run benchmarks and print a Markdown table (or JSON)."""

    sizes = tuple(int(s) for s in args.sizes.split(","))
    rows = run(tuple(args.cases.split(",")), sizes=sizes)
    print(json.dumps(as_json(rows)) if args.json else format_table(rows))
    return 0


def _geography_commands(sub: argparse._SubParsersAction) -> None:
    tiles = sub.add_parser("tiles", help="extract a raster MBTiles file into static/tiles for the offline map")
    tiles.add_argument("mbtiles", type=Path, help="the .mbtiles file (raster: png, jpg or webp tiles)")
    tiles.set_defaults(func=cmd_tiles)
    ref = sub.add_parser("build-reference", help="rebuild data/reference and data/gazetteer/geonames.csv")
    ref.add_argument("--qgis-gpkg", type=Path, required=True, help="world_map.gpkg from Debian qgis-common")
    ref.set_defaults(func=cmd_build_reference)
    geocode = sub.add_parser("geocode", help="place names -> coordinates (one JSON object per line)")
    geocode.add_argument("names", nargs="*")
    geocode.add_argument("--input", type=Path, help="a text file with one name per line")
    geocode.add_argument("--country", help="country context (name or ISO2)")
    geocode.add_argument("--admin1", help="governorate context")
    geocode.add_argument("--json", action="store_true", help="JSON lines (the default output is also JSON)")
    geocode.set_defaults(func=cmd_geocode)
    gaz = sub.add_parser("gazetteer", help="gazetteer maintenance")
    gaz_sub = gaz.add_subparsers(dest="action", required=True)
    learn = gaz_sub.add_parser("learn", help="learn names from a coded event file into data/gazetteer/learned.csv")
    learn.add_argument("file", type=Path)
    learn.add_argument("--out", type=Path, default=None, help="default: data/gazetteer/learned.csv (merged)")
    learn.set_defaults(func=cmd_gazetteer_learn)
    ev = sub.add_parser("evaluate-geocoder", help="geocode a coded file's place names and score against its coordinates")
    ev.add_argument("file", type=Path)
    ev.add_argument("--learn-from", type=Path, help="learn names from this file first (never the tested rows)")
    ev.add_argument("--test-year", type=int, help="score only rows of this year")
    ev.add_argument("--learn-year", type=int, help="learn only from rows of this year")
    ev.add_argument("--no-context", action="store_true", help="geocode with the country only, not the file's admin1 (as free text is)")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_evaluate_geocoder)
    ex = sub.add_parser("evaluate-extractor", help="score the extractor against hand-coded gold events, or against a coded record's headlines")
    ex.add_argument("articles", type=Path, nargs="?", help="folder of article files (*.md with front matter, or the seed layout); default var/articles/SPLIT")
    ex.add_argument("--gold", type=Path, help="JSON Lines: one hand-coded event per line; default data/extract_gold/SPLIT.jsonl")
    ex.add_argument("--split", choices=SPLITS, help="a split of the project's gold: dev (read while changing the code), test or test2 (locked: figures only)")
    ex.add_argument("--coded", type=Path, help="silver evaluation: a UCDP GED file, each source headline read as a one-sentence article")
    ex.add_argument("--years", help="with --coded: only events of these years (comma-separated)")
    ex.add_argument("--limit", type=int, help="with --coded: only the first N headlines")
    ex.add_argument("--json", action="store_true", help="print one JSON object")
    ex.add_argument("--detail", action="store_true", help="also list pairs, missed gold events and spurious extractions (not for the locked test split)")
    ex.set_defaults(func=cmd_evaluate_extractor)
    tr = sub.add_parser("train-sentence-model", help="train the sentence classifiers (event or not, ACLED sub-type) shipped in geo/models")
    tr.add_argument("--coded", type=Path, default=UCDP_EVAL,
                    help="a UCDP GED file whose source headlines are event examples (default ../shared/eval's)")
    tr.add_argument("--train-years", default="2016", help="years of headlines to train on (comma-separated)")
    tr.add_argument("--test-years", default="2017", help="years of headlines to measure on (comma-separated)")
    tr.add_argument("--headlines", type=int, default=1000, help="how many training headlines to sample")
    tr.add_argument("--out", type=Path, default=MODEL_DIR, help="where to write the pipeline (default: the package's)")
    tr.set_defaults(func=cmd_train_sentence_model)
    la = sub.add_parser("learn-actors", help="learn actor aliases from a coded record's headlines into data/actors_learned.csv")
    la.add_argument("--coded", type=Path, default=UCDP_EVAL,
                    help="a UCDP GED file (default ../shared/eval's)")
    la.add_argument("--years", default="2016", help="years to learn from (comma-separated)")
    la.add_argument("--test-years", default="2017", help="years to measure the learned aliases on (comma-separated)")
    la.add_argument("--out", type=Path, default=LEARNED_ACTORS_CSV, help="where to write the aliases")
    la.set_defaults(func=cmd_learn_actors)


def cmd_evaluate_extractor(args: argparse.Namespace) -> int:
    """Score extraction against gold events (recall, precision, per-field accuracy) or a coded record's headlines."""
    if args.coded:
        return _evaluate_silver(args)
    if args.detail and _is_locked(args):
        print("error: --detail: the test splits are locked; only their figures are shown (use --split dev to read pairs)", file=sys.stderr)
        return 2
    articles, gold = split_paths(args.split, articles=args.articles, gold=args.gold)
    if articles is None or gold is None:
        print("error: give ARTICLES and --gold, or --split dev|test|test2, or --coded FILE", file=sys.stderr)
        return 2
    scores = evaluate(articles, gold)
    if args.json:
        print(json.dumps(scores.to_dict()))
        return 0
    print(format_scores(scores))
    if args.detail:
        cols = ["article", "event_date", "location", "sub_event_type"]
        print("\npairs:\n" + scores.pairs.to_string(index=False))
        print("\nmissed:\n" + scores.missed[cols].to_string(index=False))
        print("\nspurious:\n" + scores.spurious[["article_id", "event_date", "location", "sub_event_type"]].to_string(index=False))
    return 0


def _is_locked(args: argparse.Namespace) -> bool:
    """The locked test split, named by --split or by its folder or gold file."""
    given = [p.resolve() for p in (args.articles, args.gold) if p is not None]
    locked = {path.resolve() for split in LOCKED for path in (ARTICLES_DIR / split, GOLD_DIR / f"{split}.jsonl")}
    return args.split in LOCKED or any(p in locked for p in given)


def _evaluate_silver(args: argparse.Namespace) -> int:
    try:
        years = tuple(int(y) for y in args.years.split(",")) if args.years else None
        coded = read_coded(args.coded, years=years)
    except (OSError, ValueError) as exc:
        print(f"error: --coded/--years: {exc}", file=sys.stderr)
        return 2
    scores, _ = evaluate_coded(coded, limit=args.limit)
    dropped = coded.attrs.get("source_before_event", 0)
    if args.json:
        print(json.dumps({**scores.to_dict(), "left_out_source_before_event": dropped}))
    else:
        print(format_silver(scores) + f"\nLeft out: {dropped} coded events whose source is dated before the event.")
    return 0


def cmd_train_sentence_model(args: argparse.Namespace) -> int:
    """Train the sentence classifiers and print their figures on what they were not trained on."""
    try:
        years = {name: tuple(int(y) for y in getattr(args, name).split(",")) for name in ("train_years", "test_years")}
        figures = train(args.coded, out=args.out, headlines=args.headlines, **years)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(figures, indent=1))
    return 0


def cmd_learn_actors(args: argparse.Namespace) -> int:
    """Learn actor aliases from a coded record and print how often their side is right on the test years."""
    try:
        years, test_years = (tuple(int(y) for y in v.split(",")) for v in (args.years, args.test_years))
        figures = learn_actor_aliases(args.coded, years=years, test_years=test_years, out=args.out)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(figures))
    return 0


def cmd_build_reference(args: argparse.Namespace) -> int:
    """Regenerate the reference layers from registry packages."""

    for name, size in build_reference(qgis_gpkg=args.qgis_gpkg).items():
        print(f"{name}: {size / 1024:.0f} KiB")
    return 0


def cmd_tiles(args: argparse.Namespace) -> int:
    """Extract the tiles once (the app reuses the folder) and say how to point the app at them."""

    try:
        source = extract_mbtiles(args.mbtiles)
    except ValueError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    print(json.dumps({"url": source.url, "attribution": source.attribution, "min_zoom": source.min_zoom,
                      "max_zoom": source.max_zoom}, ensure_ascii=False))  # fmt: skip
    print(f"set CONFLICT_MAP_MBTILES={args.mbtiles.resolve()} to draw it under the events", file=sys.stderr)
    return 0


def cmd_geocode(args: argparse.Namespace) -> int:
    """Geocode names; unresolved names print their best candidates, never a guess."""

    names = list(args.names)
    if args.input:
        names += [line.strip() for line in args.input.read_text(encoding="utf-8").splitlines() if line.strip()]
    gaz = default_gazetteer()
    for name in names:
        result = gaz.lookup(name, country=args.country, admin1=args.admin1)
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    return 0


def cmd_gazetteer_learn(args: argparse.Namespace) -> int:
    """Learn name -> median coordinate (with count and spread) from a coded file."""

    events = read_events(args.file).events
    learned = learn(events, dataset=args.file.stem)
    out = merge_learned(learned, path=args.out)
    print(f"learned {len(learned):,} names ({int(learned['ambiguous'].sum())} ambiguous) -> {out}")
    return 0


def cmd_evaluate_geocoder(args: argparse.Namespace) -> int:
    """Score the geocoder on a coded file (learning only from rows it does not test)."""

    events = read_events(args.file).events
    test = events if args.test_year is None else events[events["event_date"].dt.year == args.test_year]
    learned = None
    if args.learn_from:
        train = read_events(args.learn_from).events
        if args.learn_year is not None:
            train = train[train["event_date"].dt.year == args.learn_year]
        overlap = set(train["event_id"]) & set(test["event_id"])
        if overlap:
            msg = f"--learn-from: expected rows disjoint from the tested rows, got {len(overlap):,} shared event ids"
            raise GeoError(msg)
        learned = learn(train, dataset=args.learn_from.stem)
    summary, _ = evaluate_gazetteer(test, build_gazetteer(learned=learned, include_shipped_learned=False), use_context=not args.no_context)
    print(json.dumps(summary, ensure_ascii=False) if args.json else format_evaluation(summary))
    return 0

def cmd_schema(args: argparse.Namespace) -> int:
    """Print the schema table (the source of data/README.md's field list)."""

    if not args.update_readme:
        print(schema_markdown())
        return 0
    readme = DATA / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split("<!-- schema:start -->\n", 1)
    _, tail = rest.split("\n<!-- schema:end -->", 1)
    readme.write_text(f"{head}<!-- schema:start -->\n{schema_markdown()}\n<!-- schema:end -->{tail}", encoding="utf-8")
    print(f"updated {readme}")
    return 0


def _country_arg(text: str) -> str:
    """``--country``: an alpha-2 code, or argparse's usage error (never a traceback) for a text naming no country."""

    code = country_code(text)
    if code is None:
        msg = f"expected a country name or ISO code (e.g. SY, YEM, Iraq), got {text[:60]!r}"
        raise argparse.ArgumentTypeError(msg)
    return code


def cmd_ingest(args: argparse.Namespace) -> int:
    """Load, validate and optionally write events and rejects."""
    mapping = json.loads(args.mapping.read_text(encoding="utf-8")) if args.mapping else None
    result = read_events(args.path, format=args.format, mapping=mapping, progress=_progress_bar(),
                         max_file_mb=args.max_mb, max_rows=args.max_rows, date_order=args.date_order,
                         country=args.country, gazetteer=open_store().gazetteer)  # fmt: skip
    _end_progress()
    if args.out:
        write_canonical(canonical_events(result.events), args.out)
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
