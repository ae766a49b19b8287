"""aiohttp's namespace with every public name cyhttp provides replaced by cyhttp's.

``make compat`` rewrites the client-side imports of aiohttp's own test files to this package
(``import aiohttp`` -> ``import aiohttp_shim as aiohttp``, ``from aiohttp.X import`` ->
``from aiohttp_shim.X import``), so those files drive cyhttp's client against aiohttp.web.

How a module ``aiohttp_shim.X`` is made (``_Finder`` below, one rule for every module):

- server side (``web``, ``web_*``, ``worker``): aiohttp's own module object — the peer server;
- everything else: a fresh module holding a copy of ``aiohttp.X``'s namespace in which
  (1) each object that aiohttp exports at the top level under a name cyhttp also exports is
  replaced by cyhttp's object of that name, (2) the public names of cyhttp's façade of the same
  name (``cyhttp.X``), when there is one, are laid over it, and (3) submodules point at their
  shim twins.  Names cyhttp does not provide stay aiohttp's (its internals: client_proto,
  http_parser, ...); tests that need them are what ``allowed_failures.txt`` lists.
- ``test_utils.TestClient`` builds a ``cyhttp.ClientSession`` with a ``cyhttp.CookieJar``, and the
  pytest plugin's ``aiohttp_client`` fixture uses it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any

import aiohttp
import cyhttp

_PREFIX = __name__ + "."
_AIOHTTP_PREFIX = "aiohttp."


def is_server_side(rest: str) -> bool:
    """``rest`` (the module path under aiohttp) names a server-side module: stays aiohttp's."""
    head = rest.split(".", 1)[0]
    return head == "web" or head.startswith("web_") or head == "worker"


def _cyhttp_by_aiohttp_object() -> dict[int, Any]:
    """id(aiohttp's top-level public object) -> cyhttp's object of the same name."""
    table: dict[int, Any] = {}
    for name in aiohttp.__all__:
        if name in cyhttp.__all__:
            table[id(getattr(aiohttp, name))] = getattr(cyhttp, name)
    return table


_REPLACE = _cyhttp_by_aiohttp_object()


def _facade_names(module: types.ModuleType) -> dict[str, Any]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return {n: getattr(module, n) for n in names if not isinstance(getattr(module, n), types.ModuleType)}


def shim_name(value: types.ModuleType) -> str | None:
    name = value.__name__
    if name == "aiohttp":
        return __name__
    if name.startswith(_AIOHTTP_PREFIX):
        return _PREFIX + name[len(_AIOHTTP_PREFIX):]
    return None


def overlay(namespace: dict[str, Any], rest: str | None) -> dict[str, Any]:
    """aiohttp's ``namespace`` (of ``aiohttp.<rest>``, or the package for None) with cyhttp's names."""
    out: dict[str, Any] = {}
    submodules: list[tuple[str, str]] = []
    for key, value in namespace.items():
        if key.startswith("__") and key.endswith("__"):
            continue
        if isinstance(value, types.ModuleType):
            target = shim_name(value)
            if target is not None:
                submodules.append((key, target))
                continue
        out[key] = _REPLACE.get(id(value), value)
    if rest is None:
        out.update({n: getattr(cyhttp, n) for n in cyhttp.__all__})
    else:
        try:
            facade = importlib.import_module("cyhttp." + rest)
        except ImportError:
            facade = None
        if facade is not None:
            out.update(_facade_names(facade))
    out["_shim_submodules"] = dict(submodules)
    return out


def _module_getattr(module_name: str, submodules: dict[str, str]):
    def __getattr__(name: str) -> Any:
        target = submodules.get(name)
        if target is None and not name.startswith("__"):
            # A submodule aiohttp has not imported yet (aiohttp.web): its shim twin.
            rest = module_name[len(__name__):].lstrip(".")
            candidate = ".".join(filter(None, ["aiohttp", rest, name]))
            if importlib.util.find_spec(candidate) is not None:
                target = ".".join([module_name, name])
        if target is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = importlib.import_module(target)
        setattr(sys.modules[module_name], name, value)
        return value

    return __getattr__


def _special(rest: str, module: types.ModuleType) -> None:
    if rest == "test_utils":
        from ._test_client import TestClient

        module.TestClient = TestClient
        import aiohttp.pytest_plugin

        from ._test_client import passthrough_loop_context

        # The plugin's aiohttp_client fixture builds its clients from this global.
        aiohttp.pytest_plugin.TestClient = TestClient  # type: ignore[misc]
        # Its loop context leaks a failed test's loop into the next test's gc (an "unclosed
        # event loop" ResourceWarning that fails an innocent test): tear it down either way.
        aiohttp.pytest_plugin._passthrough_loop_context = passthrough_loop_context


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        rest = spec.name[len(_PREFIX):]
        original = importlib.import_module(_AIOHTTP_PREFIX + rest)
        if is_server_side(rest) or rest == "pytest_plugin":
            if rest == "pytest_plugin":
                importlib.import_module(_PREFIX + "test_utils")  # patches the plugin's TestClient
            return original
        module = types.ModuleType(spec.name, original.__doc__)
        if hasattr(original, "__path__"):
            module.__path__ = []  # a package: its submodules come through the finder too
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        if not module.__name__.startswith(_PREFIX):
            return  # aiohttp's own module (server side, the pytest plugin)
        rest = module.__name__[len(_PREFIX):]
        original = importlib.import_module(_AIOHTTP_PREFIX + rest)
        namespace = overlay(vars(original), rest)
        submodules = namespace.pop("_shim_submodules")
        vars(module).update(namespace)
        module.__getattr__ = _module_getattr(module.__name__, submodules)  # type: ignore[method-assign]
        _special(rest, module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(_PREFIX) or fullname == _PREFIX + "_test_client":
            return None
        rest = fullname[len(_PREFIX):]
        if importlib.util.find_spec(_AIOHTTP_PREFIX + rest) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)


if not any(isinstance(f, _Finder) for f in sys.meta_path):
    sys.meta_path.insert(0, _Finder())

_ns = overlay(vars(aiohttp), None)
__getattr__ = _module_getattr(__name__, _ns.pop("_shim_submodules"))
globals().update(_ns)
del _ns
