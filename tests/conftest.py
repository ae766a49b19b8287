"""Shared test helpers: the twin fixture factory and loopback server helpers."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


def twin_modules(stem: str) -> list[ModuleType]:
    """Both twins of ``cyhttp._core.<stem>``: ``_<stem>_py`` and ``_<stem>_c``.

    The compiled twin must import: a missing build is an error, never a skip.
    """
    return [
        importlib.import_module(f"cyhttp._core._{stem}_py"),
        importlib.import_module(f"cyhttp._core._{stem}_c"),
    ]


def twin_fixture(stem: str):
    """A fixture parametrised over both twins of one engine piece (ids ``py`` / ``c``)."""

    @pytest.fixture(params=twin_modules(stem), ids=["py", "c"])
    def _fixture(request: pytest.FixtureRequest) -> ModuleType:
        return request.param

    return _fixture
