"""Request bodies through a real session to an aiohttp.web peer that reports what it got."""

from __future__ import annotations

import asyncio
import gzip
import io
import json

import pytest
from aiohttp import web

import cyhttp
from cyhttp import FormData, MultipartWriter

from ._peers import RawServer, web_server


async def _report(request: web.Request) -> web.Response:
    """Echo what arrived: headers that matter, the body's length and digest, form fields."""
    info: dict = {
        "method": request.method,
        "content_type": request.headers.get("Content-Type"),
        "content_length": request.headers.get("Content-Length"),
        "transfer_encoding": request.headers.get("Transfer-Encoding"),
        "content_encoding": request.headers.get("Content-Encoding"),
    }
    ctype = request.content_type
    if ctype == "application/x-www-form-urlencoded":
        form = await request.post()
        info["form"] = [[k, v] for k, v in form.items()]
    elif ctype.startswith("multipart/"):
        parts = []
        reader = await request.multipart()
        async for part in reader:
            data = await part.read(decode=False)
            parts.append({"name": part.name, "filename": part.filename,
                          "content_type": part.headers.get("Content-Type"), "body": data.decode("latin1")})
        info["parts"] = parts
    else:
        body = await request.read()
        info["body"] = body.decode("latin1")
        info["size"] = len(body)
    return web.json_response(info)


@pytest.fixture
async def server():
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/report", _report)
    async with web_server(app) as url:
        yield url / "report"


async def _post(url, **kwargs) -> dict:
    async with cyhttp.ClientSession() as session:
        async with session.post(url, **kwargs) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()


async def test_dict_and_pairs_are_urlencoded(server) -> None:
    got = await _post(server, data={"a": "1", "b": "x y&z"})
    assert got["content_type"] == "application/x-www-form-urlencoded"
    assert got["form"] == [["a", "1"], ["b", "x y&z"]]
    got = await _post(server, data=[("k", "1"), ("k", "2")])
    assert got["form"] == [["k", "1"], ["k", "2"]]


async def test_bytes_and_str_bodies(server) -> None:
    got = await _post(server, data=b"\x00\x01binary")
    assert got["content_type"] == "application/octet-stream"
    assert got["content_length"] == "8" and got["body"] == "\x00\x01binary"
    got = await _post(server, data="héllo")
    assert got["content_type"] == "text/plain; charset=utf-8"
    assert got["content_length"] == str(len("héllo".encode()))


async def test_json_uses_the_session_serializer(server) -> None:
    calls = []

    def dumps(obj) -> str:
        calls.append(obj)
        return json.dumps(obj, separators=(",", ":"))

    async with cyhttp.ClientSession(json_serialize=dumps) as session:
        async with session.post(server, json={"a": [1, 2]}) as resp:
            got = await resp.json()
    assert calls == [{"a": [1, 2]}]
    assert got["content_type"] == "application/json" and got["body"] == '{"a":[1,2]}'


async def test_file_object_streams_with_content_length(server, tmp_path) -> None:
    path = tmp_path / "blob.bin"
    data = bytes(range(256)) * 1000
    path.write_bytes(data)
    with open(path, "rb") as f:
        got = await _post(server, data=f)
    assert got["content_length"] == str(len(data))
    assert got["size"] == len(data) and got["body"] == data.decode("latin1")


async def test_async_generator_is_sent_chunked(server) -> None:
    async def gen():
        for i in range(5):
            yield b"part%d;" % i
            await asyncio.sleep(0)

    got = await _post(server, data=gen())
    assert got["transfer_encoding"] == "chunked" and got["content_length"] is None
    assert got["body"] == "part0;part1;part2;part3;part4;"


async def test_response_content_piped_into_another_request(server) -> None:
    source = web.Application()
    payload = b"streamed-" * 5000

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=payload)

    source.router.add_get("/big", big)
    async with web_server(source) as src, cyhttp.ClientSession() as session:
        async with session.get(src / "big") as upstream:
            async with session.post(server, data=upstream.content) as resp:
                got = await resp.json()
    assert got["size"] == len(payload) and got["transfer_encoding"] == "chunked"


async def test_formdata_with_file_becomes_multipart(server, tmp_path) -> None:
    form = FormData()
    form.add_field("field", "value")
    form.add_field("upload", b"\x00file-bytes", filename="a.bin", content_type="application/x-thing")
    got = await _post(server, data=form)
    assert got["content_type"].startswith("multipart/form-data; boundary=")
    assert got["content_length"] is not None  # every part's size is known
    assert got["parts"] == [
        {"name": "field", "filename": None, "content_type": None, "body": "value"},
        {"name": "upload", "filename": "a.bin", "content_type": "application/x-thing", "body": "\x00file-bytes"},
    ]


async def test_dict_with_open_file_becomes_multipart(server, tmp_path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"line one\nline two\n")
    with open(path, "rb") as f:
        got = await _post(server, data={"file": f, "note": "hi"})
    names = {p["name"]: p for p in got["parts"]}
    assert names["file"]["filename"] == "notes.txt"
    assert names["file"]["body"] == "line one\nline two\n"
    assert names["note"]["body"] == "hi"


async def test_hand_built_multipart_writer(server) -> None:
    with MultipartWriter("mixed") as mpwriter:
        mpwriter.append("text part")
        mpwriter.append_json({"k": "v"})
        mpwriter.append(b"raw", {"Content-Type": "application/octet-stream"})
    got = await _post(server, data=mpwriter)
    assert got["content_type"].startswith("multipart/mixed; boundary=")
    bodies = [(p["content_type"], p["body"]) for p in got["parts"]]
    assert bodies == [("text/plain; charset=utf-8", "text part"), ("application/json", '{"k": "v"}'),
                      ("application/octet-stream", "raw")]


async def test_chunked_true_and_compress(server) -> None:
    got = await _post(server, data=b"abc" * 1000, chunked=True)
    assert got["transfer_encoding"] == "chunked" and got["size"] == 3000
    got = await _post(server, data=b"compress me " * 1000, compress="gzip")
    # aiohttp.web decodes the request's Content-Encoding for us.
    assert got["content_encoding"] == "gzip" and got["transfer_encoding"] == "chunked"
    assert got["body"] == "compress me " * 1000
    got = await _post(server, data=b"deflate me " * 100, compress=True)
    assert got["content_encoding"] == "deflate" and got["body"] == "deflate me " * 100


async def test_precompressed_body_with_user_content_encoding_is_untouched(server) -> None:
    raw = gzip.compress(b"already gzipped")
    got = await _post(server, data=raw, headers={"Content-Encoding": "gzip"})
    assert got["content_encoding"] == "gzip" and got["body"] == "already gzipped"
    assert got["content_length"] == str(len(raw))


async def test_compress_with_user_content_encoding_is_refused(server) -> None:
    with pytest.raises(ValueError):
        await _post(server, data=b"x", compress="gzip", headers={"Content-Encoding": "gzip"})


async def test_expect100_sends_body_after_continue(server) -> None:
    got = await _post(server, data=b"after continue", expect100=True)
    assert got["body"] == "after continue"


async def test_expect100_final_status_sends_no_body() -> None:
    received = bytearray()

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"expect: 100-continue" in head.lower()
        writer.write(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        try:
            received.extend(await asyncio.wait_for(reader.read(65536), 0.3))
        except asyncio.TimeoutError:
            pass

    srv = await RawServer(refuse).start()
    try:
        async with cyhttp.ClientSession() as session:
            async with session.post(srv.url / "x", data=b"BODY-NOT-SENT" * 10, expect100=True) as resp:
                assert resp.status == 417
        await asyncio.sleep(0.35)
    finally:
        await srv.close()
    assert b"BODY-NOT-SENT" not in received


async def test_large_file_upload_memory_is_bounded(tmp_path) -> None:
    """64 MiB sparse file streamed to a server that discards: Python-level peak stays small."""
    import tracemalloc

    size = 64 * 1024 * 1024
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(size)
    seen = 0

    async def sink(request: web.Request) -> web.Response:
        nonlocal seen
        async for chunk in request.content.iter_chunked(1 << 16):
            seen += len(chunk)
        return web.Response(text="ok")

    app = web.Application(client_max_size=size * 2)
    app.router.add_post("/sink", sink)
    async with web_server(app) as url, cyhttp.ClientSession() as session:
        tracemalloc.start()
        try:
            with open(path, "rb") as f:
                async with session.post(url / "sink", data=f) as resp:
                    assert resp.status == 200
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert seen == size
    assert peak < 16 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte upload"


def test_formdata_and_payload_units() -> None:
    form = FormData({"a": "1"}, charset="latin-1")
    body = form()
    assert body.content_type == "application/x-www-form-urlencoded; charset=latin-1"
    with pytest.raises(TypeError):
        FormData().add_field("x", "y", filename=b"bad")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        MultipartWriter(boundary="x" * 71)
    assert MultipartWriter(boundary="needs quoting?").headers["Content-Type"].endswith('boundary="needs quoting?"')
    stream = io.BytesIO(b"12345")
    stream.read(2)
    assert cyhttp._http.payload.get_payload(stream).size == 3
