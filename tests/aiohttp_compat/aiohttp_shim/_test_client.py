"""aiohttp.test_utils.TestClient, building a cyhttp.ClientSession with cyhttp's CookieJar."""

from __future__ import annotations

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
