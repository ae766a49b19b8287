"""FileResponse and static routes: content types, conditional requests, ranges, compressed
siblings, directory listing, and staying inside the directory — side by side with
aiohttp.web where the answers must match."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web as aioweb

from cyhttp import web

from ._serve import Raw, normalise_date, serve


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "hello.txt").write_bytes(b"hello static world\n")
    (tmp_path / "data.bin").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "page.html").write_text("<p>hi</p>")
    (tmp_path / "zipped.js").write_text("console.log(1)" * 10)
    (tmp_path / "zipped.js.gz").write_bytes(gzip.compress(b"console.log(1)" * 10))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_text("inner")
    os.utime(tmp_path / "hello.txt", (1_600_000_000, 1_600_000_000))
    return tmp_path


def static_app(lib: Any, root: Path, **kw: Any) -> Any:
    app = lib.Application()
    app.router.add_static("/static", root, **kw)

    async def file(request: Any) -> Any:
        return lib.FileResponse(root / request.match_info["name"])

    app.router.add_get("/file/{name}", file)
    return app


async def exchange(lib: Any, root: Path, request: bytes, **kw: Any) -> bytes:
    async with serve(static_app(lib, root, **kw), lib=lib) as url, await Raw.connect(url) as raw:
        await raw.send(request)
        return await raw.read_all()


CASES = [
    b"GET /static/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"HEAD /static/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /static/page.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /static/data.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\nConnection: close\r\n\r\n",
    b"GET /static/data.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=-5\r\nConnection: close\r\n\r\n",
    b"GET /static/data.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=99999-\r\nConnection: close\r\n\r\n",
    b"GET /static/data.bin HTTP/1.1\r\nHost: x\r\nRange: chars=1-2\r\nConnection: close\r\n\r\n",
    b"GET /static/hello.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Sun, 13 Sep 2020 12:26:40 GMT\r\n"
    b"Connection: close\r\n\r\n",
    b"GET /static/hello.txt HTTP/1.1\r\nHost: x\r\nIf-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n"
    b"Connection: close\r\n\r\n",
    b"GET /static/hello.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\nConnection: close\r\n\r\n",
    b"GET /static/hello.txt HTTP/1.1\r\nHost: x\r\nIf-Match: \"nope\"\r\nConnection: close\r\n\r\n",
    b"GET /static/zipped.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
    b"GET /static/missing.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /static/sub HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"POST /static/hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    b"GET /file/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /file/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
]


@pytest.mark.parametrize("request_bytes", CASES, ids=range(len(CASES)))
async def test_same_answers_as_aiohttp(root: Path, request_bytes: bytes) -> None:
    theirs = normalise_date(await exchange(aioweb, root, request_bytes))
    ours = normalise_date(await exchange(web, root, request_bytes))
    assert ours == theirs


async def test_directory_index(root: Path) -> None:
    request = b"GET /static/sub HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    theirs = normalise_date(await exchange(aioweb, root, request, show_index=True))
    ours = normalise_date(await exchange(web, root, request, show_index=True))
    assert ours == theirs and b"inner.txt" in ours


async def test_sendfile_of_a_large_file_and_its_fallback(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = os.urandom(3 * 1024 * 1024)
    (root / "big.bin").write_bytes(big)
    async with serve(static_app(web, root)) as url, aiohttp.ClientSession() as s:
        async with s.get(str(url / "static" / "big.bin")) as r:
            assert await r.read() == big
        monkeypatch.setattr("cyhttp._web.file_response.NOSENDFILE", True)
        async with s.get(str(url / "static" / "big.bin"), headers={"Range": "bytes=1000-"}) as r:
            assert r.status == 206 and await r.read() == big[1000:]


def test_url_for_with_version(root: Path) -> None:
    app = web.Application()
    resource = app.router.add_static("/static", root, name="static", append_version=True)
    url = resource.url_for(filename="hello.txt")
    theirs = aioweb.Application().router.add_static("/static", root, append_version=True)
    assert str(url) == str(theirs.url_for(filename="hello.txt"))
    assert str(resource.url_for(filename="nope.txt")) == "/static/nope.txt"
    with pytest.raises(ValueError):
        app.router.add_static("/x", root / "missing")
