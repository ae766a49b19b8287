"""The house rules, read from the import graph (docs/architecture.md, "Import rules").

Every ``import`` / ``from ... import`` in ``src/cyhttp`` counts — module level, inside
functions, and inside ``if TYPE_CHECKING:`` blocks.  The layer rules hold for all of them;
the no-cycle rule is about the imports that run (a ``TYPE_CHECKING`` import never executes,
so a type-only back-reference such as a connection naming its pool is not a cycle).
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "src")
PKG = "cyhttp"
LAYERS = ("_core", "_http", "_client", "_web")
# Leaf modules any layer may import (they import only what is below every layer).
LEAVES = {f"{PKG}.hdrs", f"{PKG}.abc", f"{PKG}._version"}
# The crawler toolkit (cyhttp.crawl, and the Scrapy download handler on it) sits on the
# public API: it imports the package root, the façades and hdrs — never a layer — and
# only the root (lazily), the CLI and the toolkit itself import it.
CRAWL = "crawl"
CRAWL_USERS = {PKG, f"{PKG}.__main__", f"{PKG}.scrapy"}
# Top-level modules that are not façades: the package root, the CLI, the leaves.
NOT_FACADES = {PKG, f"{PKG}.__main__", f"{PKG}.scrapy"} | LEAVES


@dataclass
class Module:
    name: str
    path: str
    is_package: bool
    runtime: set[str] = field(default_factory=set)  # imports that execute
    typing_only: set[str] = field(default_factory=set)  # under `if TYPE_CHECKING:`


def _module_name(path: str) -> str:
    rel = os.path.relpath(path, SRC)[:-3].replace(os.sep, ".")
    return rel[: -len(".__init__")] if rel.endswith(".__init__") else rel


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _collect(mod: Module, names: set[str]) -> None:
    tree = ast.parse(open(mod.path, encoding="utf-8").read(), mod.path)
    typing_nodes: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for inner in node.body:
                typing_nodes.update(id(n) for n in ast.walk(inner))
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod.name.split(".") if mod.is_package else mod.name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in names]
            targets = subs if len(subs) == len(node.names) else [target, *subs]
        for target in targets:
            if target == PKG or target.startswith(PKG + "."):
                while target not in names and "." in target:
                    target = target.rsplit(".", 1)[0]  # `import cyhttp.x.y` names module x.y
                if target != mod.name:
                    (mod.typing_only if id(node) in typing_nodes else mod.runtime).add(target)


def _graph() -> dict[str, Module]:
    mods: dict[str, Module] = {}
    for dirpath, _, files in os.walk(os.path.join(SRC, PKG)):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                name = _module_name(path)
                mods[name] = Module(name, path, f == "__init__.py")
    for mod in mods.values():
        _collect(mod, set(mods))
    for mod in mods.values():  # a type-only import that also runs is a runtime import
        mod.typing_only -= mod.runtime
    return mods


GRAPH = _graph()


def layer_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in (*LAYERS, CRAWL) else None


def _is_public(name: str) -> bool:
    """The package root, a façade module or hdrs: the names an outside user may import."""
    return name == PKG or name == f"{PKG}.hdrs" or (
        name.count(".") == 1 and layer_of(name) is None and name not in NOT_FACADES)


def _edges() -> list[tuple[str, str]]:
    return sorted((m.name, t) for m in GRAPH.values() for t in m.runtime | m.typing_only)


def _allowed(src: str, dst: str) -> bool:
    lsrc, ldst = layer_of(src), layer_of(dst)
    if ldst == CRAWL:
        return lsrc == CRAWL or src in CRAWL_USERS
    if lsrc == CRAWL or src == f"{PKG}.scrapy":
        return _is_public(dst) or dst == f"{PKG}._version"
    if dst in LEAVES:
        return lsrc != "_core"  # the engine depends on nothing outside itself
    if lsrc == "_core":
        return ldst == "_core"
    if lsrc == "_http":
        return ldst in ("_core", "_http")
    if lsrc == "_client":
        return ldst in ("_core", "_http", "_client")
    if lsrc == "_web":
        return ldst in ("_core", "_http", "_web")
    if src in LEAVES:
        return ldst in ("_core", "_http") or dst in LEAVES
    # The package root, façades and the CLI sit on top: they may import any layer, but
    # not the root itself (a façade reaching back into the root would be a cycle) —
    # except the CLI, which is the root's user.
    return dst != PKG or src == f"{PKG}.__main__"


def test_the_graph_sees_every_layer() -> None:
    # Guards the test itself: a broken walk would make every rule pass vacuously.
    assert {layer_of(n) for n in GRAPH} >= {"_core", "_http", "_client"}
    assert len(_edges()) > 150
    assert f"{PKG}._client.session" in GRAPH
    assert f"{PKG}._http.streams" in GRAPH[f"{PKG}._client.protocol"].runtime


@pytest.mark.parametrize(
    "rule",
    ["_core imports only _core", "_http never imports _client or _web",
     "_client and _web never import each other", "leaves import only what is below the layers",
     "nothing imports the package root", "crawl imports only the public API",
     "nothing below imports crawl"],
)
def test_layer_rules(rule: str) -> None:
    bad = [f"{s} -> {d}" for s, d in _edges() if not _allowed(s, d)]
    keyword = {
        "_core imports only _core": "._core",
        "_http never imports _client or _web": "._http",
        "_client and _web never import each other": ("._client", "._web"),
        "leaves import only what is below the layers": tuple(LEAVES),
        "nothing imports the package root": None,
        "crawl imports only the public API": (".crawl", ".scrapy"),
        "nothing below imports crawl": "->crawl",
    }[rule]
    if keyword is None:
        mine = [b for b in bad if b.endswith(f"-> {PKG}")]
    elif keyword == "->crawl":
        mine = [b for b in bad if b.split(" -> ")[1].startswith(f"{PKG}.crawl")]
    else:
        keys = keyword if isinstance(keyword, tuple) else (keyword,)
        mine = [b for b in bad if any(b.split(" -> ")[0].startswith(PKG + k) or b.split(" -> ")[0] == k
                                      for k in keys)]
    assert not mine, "\n".join(mine)


def test_every_edge_obeys_some_rule() -> None:
    bad = [f"{s} -> {d}" for s, d in _edges() if not _allowed(s, d)]
    assert not bad, "\n".join(bad)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_runtime_import_cycle() -> None:
    assert not _cycles({m.name: m.runtime for m in GRAPH.values()})


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _facades() -> list[Module]:
    return [m for m in GRAPH.values() if m.name.count(".") == 1 and layer_of(m.name) is None
            and m.name not in NOT_FACADES]


def test_facades_only_re_export() -> None:
    facades = _facades()
    assert {f"{PKG}.client", f"{PKG}.client_exceptions", f"{PKG}.connector"} <= {m.name for m in facades}
    bad = []
    for mod in facades:
        tree = ast.parse(open(mod.path, encoding="utf-8").read())
        for i, node in enumerate(tree.body):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # the docstring
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
                continue
            bad.append(f"{mod.name}:{node.lineno}: {type(node).__name__}")
    assert not bad, "façades hold code:\n" + "\n".join(bad)


def test_facades_export_what_they_import() -> None:
    import importlib

    for mod in _facades():
        module = importlib.import_module(mod.name)
        assert module.__all__, mod.name
        for name in module.__all__:
            assert hasattr(module, name), f"{mod.name}.{name}"


def test_crawl_rules_catch_a_reach_into_the_layers() -> None:
    # Guards the crawl rules themselves: what they forbid, and that the toolkit is walked.
    assert f"{PKG}.crawl.retry" in GRAPH and layer_of(f"{PKG}.crawl.retry") == CRAWL
    assert f"{PKG}.crawl" not in {m.name for m in _facades()}
    assert not _allowed(f"{PKG}.crawl.retry", f"{PKG}._client.request")
    assert not _allowed(f"{PKG}.crawl.retry", f"{PKG}._http.payload")
    assert not _allowed(f"{PKG}.crawl.retry", f"{PKG}._core.errors")
    assert not _allowed(f"{PKG}._client.session", f"{PKG}.crawl.retry")
    assert not _allowed(f"{PKG}.client", f"{PKG}.crawl.retry")
    assert not _allowed(f"{PKG}.hdrs", f"{PKG}.crawl")
    assert _allowed(f"{PKG}.crawl.retry", PKG)
    assert _allowed(f"{PKG}.crawl.retry", f"{PKG}.payload")
    assert _allowed(f"{PKG}.crawl.retry", f"{PKG}.hdrs")
    assert _allowed(f"{PKG}.crawl.robots", f"{PKG}.crawl.politeness")
    assert _allowed(PKG, f"{PKG}.crawl.retry") and _allowed(f"{PKG}.__main__", f"{PKG}.crawl.cli")
