"""The `make compat` shim: aiohttp's namespace with cyhttp's public names, aiohttp.web kept,
and the import rewriter that points aiohttp's test files at it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import cyhttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "aiohttp_compat"))

import aiohttp  # noqa: E402
import aiohttp.web  # noqa: E402
import aiohttp_shim  # noqa: E402
from rewrite import rewrite_source  # noqa: E402


def test_public_names_are_cyhttps() -> None:
    for name in cyhttp.__all__:
        assert getattr(aiohttp_shim, name) is getattr(cyhttp, name), name
    assert aiohttp_shim.DataQueue is aiohttp.DataQueue  # a name cyhttp lacks stays aiohttp's


def test_submodules() -> None:
    from aiohttp_shim import client_exceptions, client_reqrep, web
    from aiohttp_shim._websocket import models
    from aiohttp_shim.http import WebSocketError

    assert web is aiohttp.web  # the peer server stays aiohttp's
    assert client_reqrep.ClientResponse is cyhttp.ClientResponse
    assert client_reqrep.ConnectionKey is cyhttp.client_reqrep.ConnectionKey  # the façade's names
    assert client_exceptions.ClientError is cyhttp.ClientError
    assert WebSocketError is cyhttp.WebSocketError
    assert models.WS_DEFLATE_TRAILING is aiohttp._websocket.models.WS_DEFLATE_TRAILING
    assert aiohttp_shim.client.hdrs is aiohttp_shim.hdrs


def test_test_client_builds_a_cyhttp_session() -> None:
    import aiohttp.pytest_plugin
    from aiohttp_shim.test_utils import TestClient, TestServer

    assert aiohttp.pytest_plugin.TestClient is TestClient
    assert TestServer is aiohttp.test_utils.TestServer


async def test_test_client_session() -> None:
    from aiohttp_shim.test_utils import TestClient, TestServer

    client = TestClient(TestServer(aiohttp.web.Application()))
    try:
        assert type(client.session) is cyhttp.ClientSession
        assert type(client.session.cookie_jar) is cyhttp.CookieJar
    finally:
        await client.close()


@pytest.mark.parametrize(("before", "after"), [
    ("import aiohttp\n", "import aiohttp_shim as aiohttp\n"),
    ("    import aiohttp\n", "    import aiohttp_shim as aiohttp\n"),
    ("import aiohttp.cookiejar as cj\n", "import aiohttp_shim.cookiejar as cj\n"),
    ("from aiohttp import web, hdrs\n", "from aiohttp_shim import web, hdrs\n"),
    ("from aiohttp.client_reqrep import (\n    X,\n)\n", "from aiohttp_shim.client_reqrep import (\n    X,\n)\n"),
    ('pytest_plugins = ["aiohttp.pytest_plugin", "pytester"]\n',
     'pytest_plugins = ["aiohttp_shim.pytest_plugin", "pytester"]\n'),
    ('mock.patch("aiohttp.connector.x")\n', 'mock.patch("aiohttp.connector.x")\n'),  # left alone
])
def test_rewrite(before: str, after: str) -> None:
    assert rewrite_source(before) == after


def test_rewrite_refuses_an_unknown_form() -> None:
    with pytest.raises(ValueError):
        rewrite_source("import aiohttp.web\n")
