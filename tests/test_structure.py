"""The package's shape, read from its source (AST, nothing imported): rules a review would otherwise have to catch.

- ``geo/`` never imports Streamlit, not even inside a function (the dashboard is ``app.py`` and ``pages/``).
- ``geo.*`` modules import each other without a cycle, counting imports inside functions too: a cycle
  hidden in a function still couples the two modules, and breaks the day the import moves to the top.
- No module imports another's private (``_``-prefixed) name.
- Importing the storage modules does no work: no file read, Arrow's allocator untouched.

Each rule is a function of ``{module name: source}``, so each is also run on a small bad example
and shown to fail.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from geo.paths import ROOT

PACKAGE = "geo"


def module_name(path: Path, root: Path = ROOT) -> str:
    """``geo/io/sniff.py`` → ``geo.io.sniff``; ``geo/io/__init__.py`` → ``geo.io``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_sources(root: Path = ROOT, package: str = PACKAGE) -> dict[str, str]:
    """Every module of ``package`` under ``root`` with its source."""
    return {module_name(p, root): p.read_text(encoding="utf-8") for p in sorted((root / package).rglob("*.py"))}


def _is_package(module: str, sources: dict[str, str]) -> bool:
    return any(other.startswith(module + ".") for other in sources)


def _absolute(module: str, node: ast.ImportFrom, sources: dict[str, str]) -> str:
    """The module a ``from … import`` names, relative imports resolved against ``module``."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if _is_package(module, sources) else base[:-1]  # a package's ``.`` is itself
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imported_names(module: str, source: str, sources: dict[str, str]) -> list[tuple[str, str | None]]:
    """(module, name) for every import in ``source``, at any depth; ``name`` is ``None`` for ``import x``."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found += [(_absolute(module, node, sources), alias.name) for alias in node.names]
    return found


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Each module → the modules of ``sources`` it imports (``from geo import x`` is the module ``geo.x`` when one exists)."""
    graph: dict[str, set[str]] = {m: set() for m in sources}
    for module, source in sources.items():
        for target, name in imported_names(module, source, sources):
            submodule = f"{target}.{name}" if name else None
            if submodule in sources:
                graph[module].add(submodule)
            elif target in sources:
                graph[module].add(target)
        graph[module].discard(module)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, …, a]``, or ``None`` (depth-first search, iterative)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def streamlit_imports(sources: dict[str, str]) -> list[str]:
    """``module: imported`` for every import of Streamlit (or a ``streamlit_*`` component) in ``sources``."""
    hits = []
    for module, source in sources.items():
        for target, name in imported_names(module, source, sources):
            full = target if name is None else f"{target}.{name}"
            if target.split(".")[0] == "streamlit" or target.startswith("streamlit_"):
                hits.append(f"{module}: {full}")
    return hits


def private_imports(sources: dict[str, str], package: str = PACKAGE) -> list[str]:
    """``module: from X import _name`` wherever a module takes another ``package`` module's private name."""
    hits = []
    for module, source in sources.items():
        for target, name in imported_names(module, source, sources):
            inside = target == package or target.startswith(package + ".")
            if inside and name and name.startswith("_") and not name.startswith("__") and target != module:
                hits.append(f"{module}: from {target} import {name}")
    return hits


def _app_sources() -> dict[str, str]:
    """The modules that use ``geo`` from outside it: the app, its pages, the benchmark apps and the tests."""
    paths = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "bench").rglob("*.py")),
             *sorted((ROOT / "tests").rglob("*.py"))]  # fmt: skip
    return {module_name(p): p.read_text(encoding="utf-8") for p in paths}


# ---------------------------------------------------------------------- the rules on the real package


def test_geo_never_imports_streamlit():
    assert streamlit_imports(package_sources()) == []


def test_geo_modules_import_each_other_without_a_cycle():
    graph = import_graph(package_sources())
    assert graph.get("geo.storage.embedded"), "the scan found no geo modules"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_no_module_imports_a_private_name_of_another():
    assert private_imports({**package_sources(), **_app_sources()}) == []


def test_importing_the_storage_modules_reads_nothing_and_leaves_arrow_as_it_was():
    """In a fresh process (this one imported them long ago): the first use does the work, not the import."""
    script = """
import pyarrow as pa
before = pa.default_memory_pool().backend_name
import geo.storage.backends, geo.storage.bundled
assert pa.default_memory_pool().backend_name == before, "Arrow's allocator was changed at import"
assert not geo.storage.bundled.bundled_span.cache_info().currsize, "the bundled dataset was read at import"
geo.storage.backends.open_store()
assert pa.default_memory_pool().backend_name == "system", "open_store left Arrow's allocator as it was"
"""
    env = {k: v for k, v in os.environ.items() if k != "CONFLICT_MAP_DATABASE_URL"}  # the embedded store: no server
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------- each rule fails on a bad example


def test_a_streamlit_import_inside_a_function_is_found():
    sources = {"geo.ok": "import pandas\n", "geo.bad": "def draw():\n    from streamlit import caption\n",
               "geo.component": "import streamlit_folium\n"}  # fmt: skip
    assert streamlit_imports(sources) == ["geo.bad: streamlit.caption", "geo.component: streamlit_folium"]


def test_a_cycle_through_a_function_level_and_a_relative_import_is_found():
    sources = {
        "geo": "",
        "geo.store": "from geo.open_cache import held_table\n",
        "geo.open_cache": "def write():\n    from . import pg\n",
        "geo.pg": "import geo.store\n",
        "geo.leaf": "from geo import store\n",
    }
    assert find_cycle(import_graph(sources)) == ["geo.store", "geo.open_cache", "geo.pg", "geo.store"]
    del sources["geo.pg"]
    assert find_cycle(import_graph(sources)) is None


def test_imports_resolve_to_modules_packages_and_relative_parents():
    sources = {"geo": "", "geo.io": "from .sniff import sniff\nfrom geo import errors\n", "geo.io.sniff": "from .. import errors\n",
               "geo.errors": "import json\n", "geo.cli": "from geo.io import read_events\n"}  # fmt: skip
    assert import_graph(sources) == {"geo": set(), "geo.io": {"geo.io.sniff", "geo.errors"}, "geo.io.sniff": {"geo.errors"},
                                     "geo.errors": set(), "geo.cli": {"geo.io"}}  # fmt: skip


def test_a_private_name_taken_from_another_module_is_found():
    sources = {"geo.a": "def f():\n    from geo.b import _atomic_write\n", "geo.b": "from geo.b import _self\nfrom geo import __version__\n",
               "tests.test_a": "from geo.c import (\n    public,\n    _hidden,\n)\n"}  # fmt: skip
    assert private_imports(sources) == ["geo.a: from geo.b import _atomic_write", "tests.test_a: from geo.c import _hidden"]
