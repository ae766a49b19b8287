"""The one decision about which engine twin runs, made once at import time.

``CYHTTP_NO_EXTENSIONS`` (any non-empty value) or a non-CPython interpreter selects
the pure-Python twins.  Otherwise the compiled twins are used; if one cannot be
imported the package falls back to pure only when it was built pure on purpose
(no compiled module present at all), unless ``CYHTTP_REQUIRE_EXTENSIONS`` is set,
which turns any missing or broken compiled module into an ImportError.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import Any, Callable

NO_EXTENSIONS: bool = bool(os.environ.get("CYHTTP_NO_EXTENSIONS")) or (
    sys.implementation.name != "cpython"
)
REQUIRE_EXTENSIONS: bool = bool(os.environ.get("CYHTTP_REQUIRE_EXTENSIONS"))


def _built_pure() -> bool:
    """True when no compiled twin exists next to this file (a pure build)."""
    here = os.path.dirname(__file__)
    suffixes = (".so", ".pyd")
    return not any(
        name.startswith("_") and "_c." in name and name.endswith(suffixes)
        for name in os.listdir(here)
    )


def _decide() -> bool:
    if NO_EXTENSIONS:
        return False
    if REQUIRE_EXTENSIONS:
        return True
    return not _built_pure()


#: True when the compiled twins are the ones in use.
USE_EXTENSIONS: bool = _decide()


def load(pure_name: str, compiled_name: str) -> ModuleType:
    """Import the active twin of one engine piece (relative to ``cyhttp._core``)."""
    package = __name__.rpartition(".")[0]
    if not USE_EXTENSIONS:
        return importlib.import_module(f"{package}.{pure_name}")
    try:
        return importlib.import_module(f"{package}.{compiled_name}")
    except ImportError as exc:
        raise ImportError(
            f"cyhttp: compiled module {compiled_name} is missing or broken ({exc}); "
            "rebuild, or set CYHTTP_NO_EXTENSIONS=1 to run the pure-Python twins"
        ) from exc


def explicit_twins(stem: str, names: tuple[str, ...]) -> Callable[[str], Any]:
    """A module ``__getattr__`` giving ``<Name>Py`` / ``<Name>C`` for tests and benchmarks.

    The twins are imported only when asked for, so pure mode never loads compiled code.
    """
    package = __name__.rpartition(".")[0]

    def __getattr__(attr: str) -> Any:
        for name in names:
            for suffix, kind in (("Py", "py"), ("C", "c")):
                if attr == name + suffix:
                    module = importlib.import_module(f"{package}._{stem}_{kind}")
                    return getattr(module, name)
        raise AttributeError(attr)

    return __getattr__
