"""FormData field names, file names and content types as aiohttp takes them (issue 12: gap 10):
CR, LF or NUL is a ValueError, and parameters are quoted the way aiohttp quotes them, so an
aiohttp.web server reads back what was sent."""

from __future__ import annotations

import aiohttp
import aiohttp.helpers
import pytest
from aiohttp import web

import cyhttp
from cyhttp._http.payload import content_disposition_header

from ..client._peers import web_server

BAD = ["\r", "\n", "a\ra\n", "a\na\r", "a\x00b"]


@pytest.mark.parametrize("bad", BAD)
def test_bad_name_filename_content_type_are_value_errors(bad: str) -> None:
    form = cyhttp.FormData()
    with pytest.raises(ValueError):
        form.add_field(bad, "x")
    with pytest.raises(ValueError):
        form.add_field("f", "x", filename=bad)
    with pytest.raises(ValueError):
        form.add_field("f", "x", content_type=bad)


@pytest.mark.parametrize("params", [
    {"name": "email 1"}, {"name": 'a"b\\c'}, {"name": "héllo"}, {"filename": "a b.txt"},
    {"name": "x", "filename": "répertoire/ß.txt"},
])
@pytest.mark.parametrize("quote_fields", [True, False])
def test_quoting_matches_aiohttp(params: dict[str, str], quote_fields: bool) -> None:
    assert content_disposition_header("form-data", quote_fields, **params) == (
        aiohttp.helpers.content_disposition_header("form-data", quote_fields, **params)
    )


@pytest.mark.parametrize("client", [cyhttp, aiohttp], ids=["cyhttp", "aiohttp"])
async def test_quoted_names_round_trip_through_aiohttp_web(client) -> None:
    seen: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        seen.update({k: v if isinstance(v, str) else v.filename for k, v in form.items()})
        return web.Response()

    app = web.Application()
    app.router.add_post("/", handler)
    form = client.FormData()
    form.add_field("email 1", "a@b.c", content_type="text/plain")
    form.add_field('quote"d', "v", content_type="text/plain")
    form.add_field("file", b"data", filename="my file.txt")
    async with web_server(app) as url:
        async with client.ClientSession() as session:
            async with session.post(url, data=form) as resp:
                assert resp.status == 200
    # (aiohttp %-quotes a file name and its server does not unquote it: the same here)
    assert seen == {"email 1": "a@b.c", 'quote"d': "v", "file": "my%20file.txt"}
