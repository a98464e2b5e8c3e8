"""The view's parameter table: every parameter round-trips through the link, the CLI and the widgets,
and the README documents each one."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest

from geo.cli import build_parser
from geo.params import PARAMS, field_values, params_table, state_values, widget_key
from geo.query import Query
from tests.conftest import ROOT

#: A value other than the default for every parameter (a new row without one fails here).
NON_DEFAULT = {
    "date_from": date(2024, 11, 28), "date_to": date(2024, 12, 5), "day": date(2024, 12, 1), "step": "week",
    "slice_mode": "cumulative", "actors": ("HTS", "SNA"), "role": "actor1", "types": ("Battles",),
    "subs": ("Air/drone strike",), "areas": ("aleppo", "border"), "min_fatalities": 3, "text": "airport",
    "dataset": "0123456789abcdef", "mode": "grid", "view": (36.2, 37.15, 10), "event": "E060", "border_km": 100,
}  # fmt: skip
CHANGED = replace(Query(), **NON_DEFAULT)


def test_every_query_field_is_a_parameter_and_every_parameter_a_field():
    names = {f.name for f in fields(Query) if not f.name.startswith("_")}
    assert {p.field for p in PARAMS} == names == set(NON_DEFAULT)


@pytest.mark.parametrize("param", PARAMS, ids=[p.key for p in PARAMS])
def test_a_parameter_round_trips_through_the_link(param):
    query = replace(Query(), **{param.field: NON_DEFAULT[param.field]})
    if param.key == "day":  # a slice needs its range
        query = replace(query, date_from=NON_DEFAULT["date_from"], date_to=NON_DEFAULT["date_to"])
    back = Query.from_params(query.to_params())
    assert getattr(back, param.field) == NON_DEFAULT[param.field] and not back.ignored


def test_every_parameter_round_trips_through_the_cli():
    argv = ["map", "--out", "x.html"]
    for key, value in CHANGED.to_params().items():
        argv += [arg for v in ([value] if isinstance(value, str) else value) for arg in (f"--{key}", v)]
    args = build_parser().parse_args(argv)
    params = {k[2:]: v for k, v in vars(args).items() if k.startswith("p_") and v is not None}
    assert Query.from_params(params) == CHANGED


def test_every_parameter_round_trips_through_the_session_state():
    state = state_values(vars(CHANGED))
    assert set(state) == {p.name for p in PARAMS}
    assert Query(**field_values(state)) == CHANGED


def test_a_parameter_has_one_name_its_widget_and_mirror_keys_derive_from():
    """The URL key is the session name (the date range's two ends share one widget); nothing is kept by hand."""
    assert {p.key: p.name for p in PARAMS if p.name != p.key} == {"from": "range", "to": "range"}
    assert widget_key("km") == "w_km" and widget_key("range") == "w_range"
    with pytest.raises(KeyError):
        widget_key("dataset")  # no widget sets it: a link, or the Data page's Open button, does


def test_the_readme_lists_every_parameter():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert params_table() in readme, "README's link-parameter table is stale: paste geo.params.params_table()"
