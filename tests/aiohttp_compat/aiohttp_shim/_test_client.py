"""aiohttp.test_utils.TestClient, building a cyhttp.ClientSession with cyhttp's CookieJar."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, TypeVar

import aiohttp.test_utils
import cyhttp


_Request = TypeVar("_Request")
_App = TypeVar("_App")


class TestClient(aiohttp.test_utils.TestClient[_Request, _App]):  # type: ignore[type-var]
    __test__ = False

    def __init__(self, server: aiohttp.test_utils.BaseTestServer, *, cookie_jar: Any = None,
                 loop: Any = None, **kwargs: Any) -> None:
        if not isinstance(server, aiohttp.test_utils.BaseTestServer):
            raise TypeError(f"server must be TestServer instance, found type: {type(server)!r}")
        self._server = server
        self._loop = loop
        if cookie_jar is None:
            cookie_jar = cyhttp.CookieJar(unsafe=True, loop=loop)
        self._session = cyhttp.ClientSession(loop=loop, cookie_jar=cookie_jar, **kwargs)
        self._closed = False
        self._responses: list[Any] = []
        self._websockets: list[Any] = []


@contextlib.contextmanager
def passthrough_loop_context(loop: Any, fast: bool = False) -> Iterator[Any]:
    """aiohttp.pytest_plugin's loop context, with the test loop torn down when the test fails too."""
    if loop:
        yield loop
        return
    loop = aiohttp.test_utils.setup_test_loop()
    try:
        yield loop
    finally:
        aiohttp.test_utils.teardown_test_loop(loop, fast=fast)
