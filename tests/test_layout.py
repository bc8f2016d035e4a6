"""Module boundaries: nothing under ganlab/ imports streamlit, even indirectly; routing imports no torch."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.import_graph import cycles, edges, folded


def test_library_never_imports_streamlit():
    """Every module of the library, imported in a fresh interpreter, leaves streamlit unimported."""
    code = ("import importlib, pkgutil, sys, ganlab\n"
            "names = [m.name for m in pkgutil.walk_packages(ganlab.__path__, 'ganlab.') if m.name != 'ganlab.__main__']\n"
            "for name in names: importlib.import_module(name)\n"
            "print(len(names), 'streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    count, imported = out.stdout.split()
    assert int(count) > 30 and imported == "False"


def test_every_library_folder_says_what_it_holds():
    """A subpackage per layer, each with a one-line docstring (STYLE.md: a layout that shows the architecture)."""
    folders = [p for p in (REPO / "ganlab").iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert len(folders) >= 6
    for folder in folders + [REPO / "ui"]:
        init = folder / "__init__.py"
        assert init.is_file() and init.read_text().startswith('"""'), folder


def test_pages_holds_page_scripts_only():
    """The UI helpers live in ui/; every file in pages/ is a page that app.py routes to."""
    from ui.routes import PAGES

    routed = {path for path, _, _ in PAGES}
    assert {f"pages/{p.name}" for p in (REPO / "pages").glob("*.py")} == routed


def test_routing_imports_no_torch():
    """On a fresh server Streamlit first shows every module of pages/ as a sidebar link (its pages-folder
    mode) until app.py calls st.navigation; app.py gets there before any torch import, so the first
    visitor sees those links for a moment instead of the seconds torch takes to import (1.7 s measured)."""
    code = ("import sys, ui.routes; print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('ganlab')"
            " and m not in ('ganlab', 'ganlab.said')))")  # ganlab.said: the library's sentences, plain Python
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("level", ["modules", "subpackages"])
def test_dependencies_point_one_way(level):
    """No import cycle among the modules of ganlab/ and ui/, or among their subpackages, counting the imports
    inside functions too (docs/architecture.md has the layers)."""
    graph = edges(REPO, ["ganlab", "ui"])
    if level == "subpackages":
        graph = folded(graph, REPO)
    assert cycles(graph) == []


# docs/architecture.md's table of layers, from the bottom: a module imports from its own layer and those below.
LAYERS = [("said", "errors", "settings", "figures"), ("core",), ("data",), ("variants",), ("config",), ("persist",),
          ("explore",), ("evaluation",), ("detect",), ("training",), ("classroom",), ("views",),
          ("benchmark", "pool", "cluster", "cli", "__main__")]


def upward_imports(graph: dict[str, set[str]], layers: list[tuple[str, ...]], top: str) -> list[str]:
    """Every import of a subpackage (or top-level module) of ``top`` from a higher layer; the package itself
    (its ``__init__``) counts as the bottom, anything outside ``top`` (ui/) as above every layer."""
    rank = {f"{top}.{name}": i for i, names in enumerate(layers) for name in names} | {top: 0}
    above = len(layers)
    return sorted(f"{m} -> {t}" for m, targets in graph.items() for t in targets
                  if rank.get(t, above) > rank.get(m, above))


def test_every_import_points_down_the_layers():
    """Beyond no cycle: the table's order holds (an upward import that closes no loop fails too), and every
    folder and top-level module of ganlab/ has its place in the table."""
    graph = folded(edges(REPO, ["ganlab", "ui"]), REPO)
    placed = {name for names in LAYERS for name in names}
    present = {p.stem for p in (REPO / "ganlab").iterdir() if p.name != "__pycache__" and p.name != "__init__.py"
               and (p.is_dir() or p.suffix == ".py")}
    assert present <= placed, f"not in docs/architecture.md's layers: {sorted(present - placed)}"
    assert upward_imports(graph, LAYERS, "ganlab") == []


def test_the_layer_check_finds_an_upward_import():
    graph = {"lib.low": {"lib.high"}, "lib.high": {"lib.low"}, "lib.mid": {"lib.low"}, "app": {"lib.high"}}
    assert upward_imports(graph, [("low",), ("mid",), ("high",)], "lib") == ["lib.low -> lib.high"]
    assert upward_imports({"lib.high": {"app"}}, [("high",)], "lib") == ["lib.high -> app"]


def test_the_cycle_check_finds_a_planted_cycle(tmp_path):
    """A late import that closes a loop is a cycle, between modules and between the subpackages they are in."""
    for path, text in {"lib/__init__.py": "", "lib/low/__init__.py": "", "lib/high/__init__.py": "",
                       "lib/low/base.py": "def f():\n    from lib.high import top  # hidden in a function\n",
                       "lib/high/top.py": "from lib.low.base import f\n",
                       "lib/high/other.py": "import lib.high.top\n"}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    graph = edges(tmp_path, ["lib"])
    assert cycles(graph) == [["lib.high.top", "lib.low.base"]]
    assert cycles(folded(graph, tmp_path)) == [["lib.high", "lib.low"]]
    (tmp_path / "lib/low/base.py").write_text("def f():\n    return 1\n")  # the loop undone
    assert cycles(edges(tmp_path, ["lib"])) == cycles(folded(edges(tmp_path, ["lib"]), tmp_path)) == []


def test_no_page_or_ui_helper_reaches_into_a_trainer():
    """Pages and ui/ talk to a run through ganlab.training.run.Run (look() and its commands), never to the
    trainer behind it: then a run in a worker process or on a cluster needs no page changed."""
    offenders = []
    for path in [*(REPO / "pages").glob("*.py"), *(REPO / "ui").glob("*.py"), REPO / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("trainer", "parts", "store"):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} .{node.attr}")
    assert offenders == []


def test_benchmarks_stand_on_the_harness_not_on_the_tests():
    """The benchmarks run as ``python -m benchmarks.NAME`` from the root: none edits sys.path, none imports from
    tests/ (what both need is in harness/), and the harness imports nothing of the tests either."""
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for path in sorted((root / "benchmarks").glob("*.py")) + sorted((root / "harness").glob("*.py")):
        text = path.read_text()
        if "sys.path" in text or re.search(r"^\s*(from tests[. ]|import tests\b)", text, re.M):
            offenders.append(path.relative_to(root).as_posix())
    assert offenders == []


def test_both_pools_implement_the_one_pool_protocol():
    """The server's own pool and the Ray cluster's offer what ganlab.pool.protocol asks of a pool, a worker and
    a connection, with the same signatures; both answer a request through the one dispatch."""
    import inspect

    from ganlab.cluster import workers as ray_side
    from ganlab.pool import local, protocol, worker

    pairs = [(protocol.Pool, local.LocalPool, ray_side.RayPool),
             (protocol.Worker, local.WorkerProcess, ray_side.RayWorker),
             (protocol.Connection, local.Connection, ray_side.RayConnection)]
    for proto, *impls in pairs:
        wanted = {n for n in dir(proto) if not n.startswith("_")} | set(getattr(proto, "__annotations__", {}))
        for impl in impls:
            source = inspect.getsource(impl)
            for name in wanted:  # a method, or an attribute the class or its __init__ sets
                assert hasattr(impl, name) or f"self.{name} " in source or f"self.{name}," in source, \
                    f"{impl.__name__} lacks {proto.__name__}.{name}"
                member = getattr(proto, name, None)
                if callable(member):
                    assert list(inspect.signature(getattr(impl, name)).parameters) == \
                        list(inspect.signature(member).parameters), f"{impl.__name__}.{name}"
    assert "answer(" in inspect.getsource(worker.serve_connection)
    assert "answer(" in inspect.getsource(ray_side.WorkerActor.handle)
