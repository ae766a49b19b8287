"""The server's place in the house: ``_web`` imports only ``_web``, ``_http``, ``_core`` and
the leaves (``hdrs``, ``abc``, ``_version``) — never ``_client``, never aiohttp — the
façade ``cyhttp.web`` only re-exports, no module of ``_web`` is past ~500 lines, each
starts with a docstring, and the imports (function-level ones included) form no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "cyhttp"
WEB = SRC / "_web"
LEAVES = {"cyhttp.hdrs", "cyhttp.abc", "cyhttp._version"}
ALLOWED_PREFIXES = ("cyhttp._web", "cyhttp._http", "cyhttp._core")
THIRD_PARTY = {"multidict", "yarl", "aiosignal", "frozenlist", "propcache"}


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def imports_of(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Every module ``path`` imports, anywhere in it (function-level imports included;
    ``runtime_only`` leaves out ``if TYPE_CHECKING:`` blocks)."""
    tree = ast.parse(path.read_text())
    skip = _type_checking_nodes(tree) if runtime_only else set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            submodules = [f"{mod}.{alias.name}" for alias in node.names
                          if (SRC.parent / Path(*f"{mod}.{alias.name}".split("."))).with_suffix(".py").exists()]
            if len(submodules) == len(node.names):  # "from .. import hdrs": the submodule only
                found.update(submodules)
            else:
                found.add(mod)
                found.update(submodules)
    return found


WEB_MODULES = sorted(WEB.glob("*.py"))


@pytest.mark.parametrize("path", WEB_MODULES, ids=lambda p: p.name)
def test_web_imports_only_what_it_may(path: Path) -> None:
    for mod in imports_of(path):
        top = mod.split(".")[0]
        if top == "cyhttp":
            assert mod in LEAVES or mod.startswith(ALLOWED_PREFIXES), f"{path.name} imports {mod}"
            assert not mod.startswith("cyhttp._client"), f"{path.name} imports {mod}"
        else:
            assert top != "aiohttp", f"{path.name} imports aiohttp"


@pytest.mark.parametrize("path", WEB_MODULES, ids=lambda p: p.name)
def test_module_size_and_docstring(path: Path) -> None:
    text = path.read_text()
    assert ast.get_docstring(ast.parse(text)), f"{path.name} has no docstring"
    assert len(text.splitlines()) <= 500, f"{path.name} is past ~500 lines"


def test_facade_only_reexports() -> None:
    facade = SRC / "web" / "__init__.py"
    tree = ast.parse(facade.read_text())
    for node in tree.body[1:]:  # after the docstring: imports and __all__ only
        assert isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign)), ast.dump(node)[:80]
        if isinstance(node, ast.Assign):
            assert [getattr(t, "id", None) for t in node.targets] == ["__all__"]
    for path in (facade, SRC / "web" / "__main__.py"):
        for mod in imports_of(path):
            assert not mod.startswith("cyhttp._client") and not mod.startswith("aiohttp")


def test_no_runtime_import_cycle_in_web() -> None:
    graph = {module_name(p): {m for m in imports_of(p, runtime_only=True) if m.startswith("cyhttp._web")}
             for p in WEB_MODULES}
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if nxt == "cyhttp._web":
                continue
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(stack + [node, nxt]))
            if nxt not in state:
                visit(nxt, stack + [node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def test_leaves_and_http_never_import_the_server() -> None:
    for path in [SRC / "abc.py", SRC / "hdrs.py", *sorted((SRC / "_http").glob("*.py")),
                 *sorted((SRC / "_core").glob("*.py"))]:
        for mod in imports_of(path):
            assert not mod.startswith("cyhttp._web"), f"{path.name} imports {mod}"
