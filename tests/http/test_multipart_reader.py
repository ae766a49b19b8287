"""MultipartReader / BodyPartReader: real peers, side by side with aiohttp's reader.

Bodies are built by aiohttp's own MultipartWriter (served by aiohttp.web) or by hand
(served raw); each is read by our reader through a real ``cyhttp.ClientSession`` and by
aiohttp's reader, and the results must match.  In-memory table cases are fed to our
StreamReader whole and byte by byte.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import warnings
import zlib
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

import cyhttp
from cyhttp._core.errors import (
    BadHttpMessage,
    InvalidHeader,
    LineTooLong,
    TooManyHeaders,
)
from cyhttp._http.multipart_writer import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    BodyPartReader,
    MultipartReader,
    content_disposition_filename,
    parse_content_disposition,
)
from cyhttp._http.streams import StreamReader

from ..client._peers import raw_server, read_head, web_server

B = "Bnd-x7"  # boundary of the hand-made bodies
CT = {"Content-Type": f"multipart/mixed; boundary={B}"}
WAIT = 20  # seconds: every network read is bounded


# -- helpers ---------------------------------------------------------------------

async def collect(reader: Any) -> list[Any]:
    """Every part, recursively: (headers, name, filename, decoded bytes) or ("nested", [...])."""
    out: list[Any] = []
    for _ in range(1000):
        part = await reader.next()
        if part is None:
            return out
        if isinstance(part, (MultipartReader, aiohttp.MultipartReader)):
            out.append(("nested", part.headers.get("Content-Type"), await collect(part)))
        else:
            out.append((sorted(part.headers.items()), part.name, part.filename,
                        bytes(await part.read(decode=True))))
    raise AssertionError("too many parts")


def our_stream(data: bytes, step: int | None = None) -> StreamReader:
    stream = StreamReader(None, 2**16)
    step = step or max(len(data), 1)
    for i in range(0, len(data), step):
        stream.feed_data(data[i:i + step])
    stream.feed_eof()
    return stream


class _Proto:
    _reading_paused = False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self, **kw: Any) -> None:
        pass


def their_stream(data: bytes) -> aiohttp.StreamReader:
    stream = aiohttp.StreamReader(_Proto(), 2**16, loop=asyncio.get_running_loop())  # type: ignore[arg-type]
    stream.feed_data(data)
    stream.feed_eof()
    return stream


async def ours(data: bytes, step: int | None = None, headers: dict[str, str] = CT) -> list[Any]:
    return await asyncio.wait_for(collect(MultipartReader(headers, our_stream(data, step))), WAIT)


async def theirs(data: bytes, headers: dict[str, str] = CT) -> list[Any]:
    return await asyncio.wait_for(collect(aiohttp.MultipartReader(headers, their_stream(data))), WAIT)


def body(*parts: bytes, close: bytes = b"\r\n--" + B.encode() + b"--\r\n", preamble: bytes = b"") -> bytes:
    """``--B CRLF part CRLF --B CRLF part ... close``: each part is its header block + body."""
    sep = b"--" + B.encode() + b"\r\n"
    return preamble + sep + (b"\r\n" + sep).join(parts) + close


# -- a real aiohttp.web peer answering with aiohttp's MultipartWriter ----------------

def mixed_writer() -> aiohttp.MultipartWriter:
    writer = aiohttp.MultipartWriter("mixed", boundary="outer-boundary-1")
    writer.append("hello text \u00e9")
    writer.append_json({"a": [1, 2], "b": "\u00fc"})
    file_part = writer.append(bytes(range(256)) * 40, {"Content-Type": "application/octet-stream"})
    file_part.set_content_disposition("attachment", filename="data.bin", name="upload")
    inner = aiohttp.MultipartWriter("related", boundary="inner-boundary-2")
    inner.append("inner one")
    inner.append_json({"inner": True})
    writer.append(inner)
    writer.append("base64 body " * 30, {"Content-Transfer-Encoding": "base64"})
    writer.append("quoted = printable \u00e9", {"Content-Transfer-Encoding": "quoted-printable"})
    writer.append("gzip me " * 200, {"Content-Encoding": "gzip"})
    writer.append("deflate me " * 200, {"Content-Encoding": "deflate"})
    writer.append_form({"x": "1", "y": "two words"})
    return writer


def form_writer() -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("field", "value")
    form.add_field("file", b"file-bytes\r\n--not-a-boundary\r\n" * 100, filename="f.txt",
                   content_type="text/plain")
    return form


async def _mixed(request: web.Request) -> web.Response:
    return web.Response(body=mixed_writer())


async def _form(request: web.Request) -> web.Response:
    form = form_writer()
    payload = form()
    return web.Response(body=payload)


async def _echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read(), headers={"X-CT": request.content_type})


@pytest.fixture
async def peer():
    app = web.Application()
    app.router.add_get("/mixed", _mixed)
    app.router.add_get("/form", _form)
    app.router.add_post("/echo", _echo)
    async with web_server(app) as url:
        yield url


async def read_with_aiohttp(url: Any) -> list[Any]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            return await collect(aiohttp.MultipartReader.from_response(resp))


@pytest.mark.parametrize("path", ["/mixed", "/form"])
async def test_session_reads_like_aiohttp(peer: Any, path: str) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(peer / path.lstrip("/")) as resp:
            got = await asyncio.wait_for(collect(MultipartReader.from_response(resp)), WAIT)
            assert resp.content.at_eof()
    assert got == await read_with_aiohttp(peer / path.lstrip("/"))
    assert got  # something was read


async def test_mixed_values(peer: Any) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(peer / "mixed") as resp:
            reader = MultipartReader.from_response(resp)
            text = await reader.next()
            assert isinstance(text, BodyPartReader)
            assert await text.text() == "hello text \u00e9"
            assert await (await reader.next()).json() == {"a": [1, 2], "b": "\u00fc"}
            file_part = await reader.next()
            assert (file_part.name, file_part.filename) == ("upload", "data.bin")
            chunks = []
            for _ in range(1000):
                chunk = await file_part.read_chunk(1000)
                if not chunk:
                    break
                assert len(chunk) <= 1000
                chunks.append(chunk)
            assert b"".join(chunks) == bytes(range(256)) * 40 and file_part.at_eof()
            nested = await reader.next()
            assert isinstance(nested, MultipartReader)
            assert await (await nested.next()).text() == "inner one"
            # the nested reader's second part is skipped by the outer reader's next()
            b64 = await reader.next()
            assert await b64.text() == "base64 body " * 30
            assert await (await reader.next()).text() == "quoted = printable \u00e9"
            assert await (await reader.next()).text() == "gzip me " * 200
            assert await (await reader.next()).text() == "deflate me " * 200
            assert await (await reader.next()).form() == [("x", "1"), ("y", "two words")]
            assert await reader.next() is None
            assert reader.at_eof()


async def test_form_fields(peer: Any) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(peer / "form") as resp:
            reader = MultipartReader(resp.headers, resp.content)
            field = await reader.next()
            assert (field.name, await field.text()) == ("field", "value")
            upload = await reader.next()
            assert upload.filename == "f.txt"
            assert await upload.read() == b"file-bytes\r\n--not-a-boundary\r\n" * 100
            assert await reader.next() is None and reader.at_eof()


async def test_part_proxied_as_request_body(peer: Any) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(peer / "mixed") as resp:
            reader = MultipartReader.from_response(resp)
            for _ in range(2):
                await reader.next()
            file_part = await reader.next()
            async with session.post(peer / "echo", data=file_part) as echo:
                assert await echo.read() == bytes(range(256)) * 40
            await reader.release()


# -- in-memory table: valid bodies, whole and byte by byte, against aiohttp -------------

P = B.encode()
VALID = {
    "plain": body(b"\r\nfirst", b"Content-Type: text/plain\r\n\r\nsecond\r\nline"),
    "preamble-epilogue": body(b"\r\nx", preamble=b"preamble line\r\n--Bnd-x7X not it\r\n",
                              close=b"\r\n--" + P + b"--\r\nepilogue\r\n"),
    "empty-parts": body(b"\r\n", b"A: b\r\n\r\n", b"\r\n\r\n"),
    "empty-part-quirk": body(b"A: b\r\n\r\n--" + P + b"\r\n\r\nafter"),
    "near-misses": body(b"\r\n--Bnd-x\r\n-Bnd-x7\r\n\r\n--Bnd"),
    "close-without-crlf": body(b"\r\nabc", close=b"\r\n--" + P + b"--"),
    "padding": body(b"\r\nabc", b"\r\ndef").replace(P + b"\r\n", P + b" \t\r\n"),
    "lf-lines": body(b"\nabc"),
    "content-length": body(b"Content-Length: 5\r\n\r\n\r\n--x", b"\r\nz"),
    "headers": body(b"Content-Type: text/plain; charset=latin-1\r\nX-A: 1\r\nX-A: 2\r\n"
                    b"Content-Disposition: form-data; name=\"f\"; filename*=utf-8''%C3%A9.txt\r\n\r\n\xe9"),
    "nested": body(b"Content-Type: multipart/related; boundary=inner\r\n\r\n"
                   b"--inner\r\n\r\ninner1\r\n--inner\r\n\r\ninner2\r\n--inner--\r\n", b"\r\nlast"),
    "base64": body(b"Content-Transfer-Encoding: base64\r\n\r\n"
                   + base64.encodebytes(b"binary \x00\xff" * 50)),
    "gzip": body(b"Content-Encoding: gzip\r\n\r\n" + gzip.compress(b"zz" * 1000)),
    "only-close": b"--" + P + b"--\r\n",
}


@pytest.mark.parametrize("step", [None, 1, 5])
@pytest.mark.parametrize("name", sorted(VALID))
async def test_valid_table_like_aiohttp(name: str, step: int | None) -> None:
    data = VALID[name]
    assert await ours(data, step) == await theirs(data)


async def test_nested_epilogue_is_skipped() -> None:
    """An epilogue after a nested body's close (aiohttp's reader raises here; RFC 2046 allows it)."""
    data = body(b"Content-Type: multipart/related; boundary=inner\r\n\r\n"
                b"--inner\r\n\r\ninner1\r\n--inner--\r\ninner epilogue\r\n\r\n", b"\r\nlast")
    for step in (None, 1, 4):
        got = await ours(data, step)
        assert [got[0][0], got[0][2][0][3], got[1][3]] == ["nested", b"inner1", b"last"]


async def test_form_charset_field_sets_default() -> None:
    ct = {"Content-Type": f"multipart/form-data; boundary={B}"}
    data = body(b'Content-Disposition: form-data; name="_charset_"\r\n\r\nlatin-1',
                b'Content-Disposition: form-data; name="f"\r\n\r\n\xe9t\xe9')
    for step in (None, 1):
        reader = MultipartReader(ct, our_stream(data, step))
        field = await reader.next()
        assert field.name == "f" and field.get_charset("x") == "latin-1"
        assert await field.text() == "\u00e9t\u00e9"
        assert await reader.next() is None
    too_long = body(b'Content-Disposition: form-data; name="_charset_"\r\n\r\n' + b"x" * 32)
    with pytest.raises(RuntimeError):
        await MultipartReader(ct, our_stream(too_long)).next()


async def test_readline() -> None:
    data = body(b"\r\nline1\r\nline2\nlast", b"Content-Length: 4\r\n\r\nab\ncd")
    for step in (None, 1, 3):
        reader = MultipartReader(CT, our_stream(data, step))
        part = await reader.next()
        lines = [await part.readline() for _ in range(4)]
        assert lines == [b"line1\r\n", b"line2\n", b"last", b""] and part.at_eof()
        part = await reader.next()
        assert [await part.readline() for _ in range(3)] == [b"ab\n", b"cd", b""]
        assert await reader.next() is None


async def test_base64_chunks_decode_on_their_own() -> None:
    payload = bytes(range(256)) * 20
    data = body(b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(payload))
    for size in (5, 7, 64, 1000):
        part = await MultipartReader(CT, our_stream(data, 13)).next()
        decoded = bytearray()
        for _ in range(10_000):
            chunk = await part.read_chunk(size)
            if not chunk:
                break
            decoded += part.decode(chunk)
        assert decoded == payload


async def test_deflate_and_unknown_codings() -> None:
    raw = zlib.compressobj(wbits=-15)
    deflated = raw.compress(b"d" * 5000) + raw.flush()
    part = await MultipartReader(CT, our_stream(body(b"Content-Encoding: deflate\r\n\r\n" + deflated))).next()
    assert await part.read(decode=True) == b"d" * 5000
    for header in (b"Content-Encoding: br", b"Content-Transfer-Encoding: uue"):
        part = await MultipartReader(CT, our_stream(body(header + b"\r\n\r\nxx"))).next()
        with pytest.raises(RuntimeError):
            await part.read(decode=True)


async def test_client_max_size() -> None:
    data = body(b"\r\n" + b"a" * 1000)
    part = await MultipartReader(CT, our_stream(data), client_max_size=1000).next()
    assert len(await part.read()) == 1000
    part = await MultipartReader(CT, our_stream(data), client_max_size=999,
                                 max_size_error_cls=OverflowError).next()
    with pytest.raises(OverflowError):
        await part.read()
    bomb = body(b"Content-Encoding: gzip\r\n\r\n" + gzip.compress(b"\0" * 10**6))
    part = await MultipartReader(CT, our_stream(bomb), client_max_size=10**5).next()
    with pytest.raises(ValueError):
        await part.read(decode=True)


# -- malformed bodies: a clear error, never a hang ---------------------------------

BAD = {
    "no-start-boundary": (b"just text\r\n", ValueError),
    "eof-inside-part": (b"--" + P + b"\r\n\r\nabc", ValueError),
    "eof-after-boundary-line": (b"--" + P + b"\r\n", ValueError),
    "eof-inside-headers": (b"--" + P + b"\r\nA: b\r\n", ValueError),
    "eof-on-boundary": (b"--" + P, ValueError),
    "boundary-garbage": (body(b"\r\nabc", close=b"\r\n--" + P + b"X\r\n"), ValueError),
    "length-overrun": (body(b"Content-Length: 2\r\n\r\nabc"), ValueError),
    "length-short": (body(b"Content-Length: 9\r\n\r\nabc"), ValueError),
    "length-bad": (body(b"Content-Length: +3\r\n\r\nabc"), ValueError),
    "header-no-colon": (body(b"no colon\r\n\r\nx"), InvalidHeader),
    "header-space-in-name": (body(b"Bad Name: v\r\n\r\nx"), InvalidHeader),
    "header-obs-fold": (body(b"A: b\r\n  folded\r\n\r\nx"), InvalidHeader),
    "header-duplicate-type": (body(b"Content-Type: a/b\r\ncontent-type: a/b\r\n\r\nx"), InvalidHeader),
    "header-nul": (body(b"A: b\x00c\r\n\r\nx"), InvalidHeader),
    "header-line-too-long": (body(b"A: " + b"v" * 9000 + b"\r\n\r\nx"), LineTooLong),
    "too-many-headers": (body(b"A: b\r\n" * 129 + b"\r\nx"), TooManyHeaders),
    "nested-unclosed": (body(b"Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\r\nx"), ValueError),
}


@pytest.mark.parametrize("step", [None, 1])
@pytest.mark.parametrize("name", sorted(BAD))
async def test_malformed_table(name: str, step: int | None) -> None:
    data, exc = BAD[name]
    with pytest.raises(exc):
        await ours(data, step)


@pytest.mark.parametrize("count,ok", [(128, True), (129, False)])
async def test_max_headers_limit(count: int, ok: bool) -> None:
    data = body(b"".join(b"H%d: v\r\n" % i for i in range(count)) + b"\r\nx")
    if ok:
        assert len((await ours(data))[0][0]) == count
    else:
        with pytest.raises(TooManyHeaders):
            await ours(data)


@pytest.mark.parametrize("size,ok", [(8190, True), (8191, False)])
async def test_max_field_size_limit(size: int, ok: bool) -> None:
    line = b"A: " + b"v" * (size - 3)
    assert len(line) == size
    data = body(line + b"\r\n\r\nx")
    if ok:
        assert (await ours(data, 1000))[0][3] == b"x"
    else:
        with pytest.raises(LineTooLong):
            await ours(data, 1000)


@pytest.mark.parametrize("length,ok", [(70, True), (71, False)])
async def test_boundary_length_limit(length: int, ok: bool) -> None:
    headers = {"Content-Type": "multipart/mixed; boundary=" + "b" * length}
    if ok:
        MultipartReader(headers, our_stream(b""))
    else:
        with pytest.raises(ValueError):
            MultipartReader(headers, our_stream(b""))


@pytest.mark.parametrize("ctype", ["multipart/mixed", "text/plain; boundary=x", "multipart/mixed; boundary=\"\""])
async def test_bad_content_type(ctype: str) -> None:
    with pytest.raises(ValueError):
        MultipartReader({"Content-Type": ctype}, our_stream(b""))


def raw_multipart(payload: bytes, declared: int | None = None) -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        length = len(payload) if declared is None else declared
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: multipart/mixed; boundary=" + P
                     + b"\r\nContent-Length: %d\r\n\r\n" % length)
        for i in range(0, len(payload), 7):
            writer.write(payload[i:i + 7])
            await writer.drain()
        if declared is None:
            await reader.read()
    return handler


@pytest.mark.parametrize("name,payload,declared,exc", [
    ("missing-closing-boundary", body(b"\r\nabc", close=b""), None, ValueError),
    ("bad-headers", body(b"bad header\r\n\r\nabc"), None, InvalidHeader),
    ("truncated-part", body(b"\r\nabc" * 100)[:200], 1000, cyhttp.ClientPayloadError),
])
async def test_malformed_from_raw_server(name: str, payload: bytes, declared: int | None, exc: type) -> None:
    async with raw_server(raw_multipart(payload, declared)) as server:
        async with cyhttp.ClientSession() as session:
            async with session.get(server.url) as resp:
                with pytest.raises(exc):
                    await asyncio.wait_for(collect(MultipartReader.from_response(resp)), WAIT)


async def test_large_part_streams_in_bounded_memory() -> None:
    """A 16 MiB part read with read_chunk never holds more than a chunk or two."""
    size, piece = 16 * 2**20, 2**16
    stream = StreamReader(None, 2**16)
    reader = MultipartReader(CT, stream)

    async def produce() -> None:
        stream.feed_data(b"--" + P + b"\r\n\r\n")
        block = b"x" * (piece - 1) + b"\r"  # ends in a delimiter's first byte, every time
        for _ in range(size // piece):
            while len(stream._buffer) > 4 * piece:  # a producer obeying back-pressure
                await asyncio.sleep(0)
            stream.feed_data(block)
        stream.feed_data(b"\r\n--" + P + b"--\r\n")
        stream.feed_eof()

    task = asyncio.create_task(produce())
    part = await asyncio.wait_for(reader.next(), WAIT)
    total = peak = 0
    for _ in range(10**6):
        chunk = await asyncio.wait_for(part.read_chunk(8192), WAIT)
        if not chunk:
            break
        total += len(chunk)
        peak = max(peak, len(reader._input.buf))
    await task
    assert total == size and peak <= 6 * piece
    assert await reader.next() is None


# -- hypothesis: random bodies split at random points, against aiohttp ------------------

_fragments = st.sampled_from([b"a", b"\r\n", b"\r", b"\n", b"--", b"-", b"Bnd-x", b"Bnd-x7", b"\x00", b" "])
_text = st.one_of(st.binary(max_size=60), st.lists(_fragments, max_size=20).map(b"".join)).filter(
    lambda b: b"\r\n--" + P not in b)
_header = st.one_of(
    st.tuples(st.sampled_from(["X-A", "Content-Type", "X-Long-Name"]),
              st.text("abcxyz =;/", min_size=1, max_size=20).map(str.strip).filter(bool)),
    st.tuples(st.just("Content-Length"), st.integers(0, 70).map(str)),
)


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(st.tuples(st.lists(_header, max_size=3), _text), max_size=5),
       preamble=st.sampled_from([b"", b"preamble\r\n"]), step=st.integers(1, 40))
def test_random_bodies_like_aiohttp(parts: list[Any], preamble: bytes, step: int) -> None:
    encoded = [b"".join(f"{k}: {v}\r\n".encode() for k, v in hdrs) + b"\r\n" + text for hdrs, text in parts]
    data = body(*encoded, preamble=preamble) if encoded else b"--" + P + b"--\r\n"

    async def outcome(read: Any, *args: Any) -> Any:
        try:
            return await read(data, *args)
        except (ValueError, BadHttpMessage, aiohttp.http_exceptions.BadHttpMessage) as exc:
            return "bad-header" if isinstance(exc, (BadHttpMessage, aiohttp.http_exceptions.BadHttpMessage)) \
                else "bad-body"

    async def both() -> tuple[Any, Any]:
        return await outcome(ours, step), await outcome(theirs)

    mine, ref = asyncio.run(both())
    assert mine == ref


# -- Content-Disposition: table and differential against aiohttp ----------------------

CD_CASES = [
    None, "", "attachment", "inline; filename=foo.html", 'attachment; filename="foo;bar.html"',
    'attachment; filename="esc\\"aped"', "attachment; filename*=UTF-8''%e2%82%ac%20rates",
    "attachment; filename*=bogus''x", "attachment; filename*0=\"a\"; filename*1=\"b\"",
    "attachment; filename*0*=UTF-8''%c3%a9; filename*1=x", "attachment; filename=a; filename=b",
    "attachment; filename", "attachment;", "attach ment; a=b", "form-data; name=\"x\"; filename=\"\"",
    "attachment; bad key=v", "attachment; filename=\"unterminated", 'attachment; filename="\\\\/path"',
]


@pytest.mark.parametrize("header", CD_CASES)
def test_content_disposition_like_aiohttp(header: str | None) -> None:
    check_disposition(header)


def check_disposition(header: str | None) -> None:
    with warnings.catch_warnings(record=True) as mine_w:
        warnings.simplefilter("always")
        mine = parse_content_disposition(header)
    with warnings.catch_warnings(record=True) as ref_w:
        warnings.simplefilter("always")
        ref = aiohttp.parse_content_disposition(header)
    assert mine == ref
    kinds = {BadContentDispositionHeader: "header", BadContentDispositionParam: "param",
             aiohttp.BadContentDispositionHeader: "header", aiohttp.BadContentDispositionParam: "param"}
    assert [kinds[w.category] for w in mine_w] == [kinds[w.category] for w in ref_w]
    for name in ("filename", "name"):
        assert content_disposition_filename(mine[1], name) == aiohttp.content_disposition_filename(ref[1], name)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abf*=;'\"\\ %0129Ué\t-", max_size=40).map(lambda s: "attachment;" + s))
def test_content_disposition_random_like_aiohttp(header: str) -> None:
    check_disposition(header)


def test_names_exported() -> None:
    assert cyhttp.MultipartReader is MultipartReader and cyhttp.BodyPartReader is BodyPartReader
    assert cyhttp.parse_content_disposition is parse_content_disposition
    assert json.loads("1") == 1
