"""Point the client-side imports of aiohttp's test files at aiohttp_shim.

``import aiohttp`` -> ``import aiohttp_shim as aiohttp``; ``import aiohttp.X as Y`` and
``from aiohttp[.X] import ...`` -> the same from ``aiohttp_shim``; the conftest's
``pytest_plugins`` entry -> ``aiohttp_shim.pytest_plugin``.  Which modules stay aiohttp's
(``aiohttp.web`` and the rest of the server side) is the shim's decision, not this file's, so
there is one rule here.  Strings such as ``mock.patch("aiohttp.connector....")`` are left alone:
they patch aiohttp's internals, and the tests that need them are listed in allowed_failures.txt.
"""

from __future__ import annotations

import re
from pathlib import Path

SHIM = "aiohttp_shim"

_RULES = [
    (re.compile(r"^(\s*)import aiohttp[ \t]*$", re.M), rf"\1import {SHIM} as aiohttp"),
    (re.compile(r"^(\s*)import aiohttp\.([\w.]+) as (\w+)[ \t]*$", re.M), rf"\1import {SHIM}.\2 as \3"),
    (re.compile(r"^(\s*)from aiohttp((?:\.[\w.]+)?) import\b", re.M), rf"\1from {SHIM}\2 import"),
    (re.compile(r"""^(pytest_plugins\s*=.*)(["'])aiohttp\.pytest_plugin\2""", re.M),
     rf"\1\2{SHIM}.pytest_plugin\2"),
]
_LEFT = re.compile(r"^\s*(?:import aiohttp\b|from aiohttp\b)", re.M)


def rewrite_source(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    left = _LEFT.search(text)
    if left is not None:
        raise ValueError(f"an aiohttp import form the rewriter does not know: {left.group(0)!r}")
    return text


def rewrite_tree(root: Path) -> int:
    """Rewrite every .py file under ``root`` in place; returns how many changed."""
    changed = 0
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        new = rewrite_source(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed
