"""A malformed proxy URL is InvalidURL (a ValueError too), as in aiohttp (issue 12: gap 14)."""

from __future__ import annotations

import pytest
from aiohttp import web

import cyhttp

from ._peers import web_server


@pytest.mark.parametrize("proxy", ["InvalidUrl", "/relative", "ftp://proxy.example:21"])
async def test_malformed_proxy_url_is_invalid_url(proxy: str) -> None:
    async with web_server(web.Application()) as url:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(cyhttp.InvalidURL) as info:
                await session.get(url, proxy=proxy)
            assert isinstance(info.value, ValueError)


async def test_proxy_of_wrong_type_is_type_error() -> None:
    async with cyhttp.ClientSession() as session:
        with pytest.raises(TypeError):
            await session.get("http://127.0.0.1:1/", proxy=42)  # type: ignore[arg-type]
