"""Gaps aiohttp's own test suite shows (issue 12) whose fix lives in the request path
(session.py, request.py, send.py, redirects.py, config.py, connector/pool.py ...).

Each test states aiohttp's behaviour against a real peer and is a strict xfail naming its gap:
when the request path is fixed the test passes, pytest reports XPASS as a failure, and the
mark comes off.  The aiohttp test that shows the same gap is named in each reason; every test
here passes when run against aiohttp itself (``import aiohttp as cyhttp``).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import pytest
import trustme
from aiohttp import web

import cyhttp

from ._peers import web_server
from ._proxy_peers import client_context, serve, server_context


def gap(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


def _echo_app(seen: list[web.Request] | None = None, bodies: list[bytes] | None = None) -> web.Application:
    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        if seen is not None:
            seen.append(request)
        if bodies is not None:
            bodies.append(body)
        return web.Response(body=body)

    async def redirect(request: web.Request) -> web.Response:
        await request.read()
        code = int(request.match_info["code"])
        raise {301: web.HTTPMovedPermanently, 302: web.HTTPFound, 307: web.HTTPTemporaryRedirect,
               308: web.HTTPPermanentRedirect}[code](location="/echo")

    async def loop_(request: web.Request) -> web.Response:
        await request.read()
        raise web.HTTPTemporaryRedirect(location="/loop")

    async def bad_location(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=307, headers={"Location": "http://example.com:999999/path"})

    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/redirect/{code}", redirect)
    app.router.add_route("*", "/loop", loop_)
    app.router.add_route("*", "/bad", bad_location)
    return app


# -- 1. TLS connections and server_hostname ---------------------------------------------------

@gap("gap 1 (request.py connection_key): a pooled TLS connection is reused for a request with "
     "another server_hostname, so that name's certificate is never checked "
     "(aiohttp: test_server_hostname_override_not_reused)")
async def test_tls_connection_not_reused_across_server_hostname() -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("good.example")
    async with serve(_echo_app(), server_context(cert)) as url:
        async with cyhttp.ClientSession() as session:
            ctx = client_context(ca)
            async with session.get(url / "echo", ssl=ctx, server_hostname="good.example") as resp:
                assert resp.status == 200
            with pytest.raises(cyhttp.ClientConnectorCertificateError):
                await session.get(url / "echo", ssl=ctx, server_hostname="bad.example")


# -- 2. Content-Length given by the user ------------------------------------------------------

@gap("gap 2 (send.py): a user Content-Length shorter than the body sends the whole body; "
     "aiohttp sends Content-Length bytes (test_content_length_limit_enforced)")
async def test_user_content_length_limits_the_body() -> None:
    bodies: list[bytes] = []
    async with web_server(_echo_app(bodies=bodies)) as url:
        async with cyhttp.ClientSession() as session:
            async with session.post(url / "echo", data=b"x" * 1000, headers={"Content-Length": "500"}) as resp:
                assert resp.status == 200
    assert len(bodies[0]) == 500


# -- 3. hangs -----------------------------------------------------------------------------------

@gap("gap 3 (send/protocol handshake in the request path): sock_read runs while a slow body is "
     "still being uploaded and fires before the server could answer (test_read_timeout_on_write)")
async def test_sock_read_does_not_run_during_a_slow_upload() -> None:
    async def slow_body() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.5)
        yield b"foo"

    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession() as session:
            timeout = cyhttp.ClientTimeout(total=None, sock_read=0.1)
            async with session.put(url / "echo", data=slow_body(), timeout=timeout) as resp:
                assert await resp.read() == b"foo"


# -- 4. request bodies on redirects, Payload.close() -------------------------------------------

@gap("gap 4 (redirects.py/session.py): a file body cannot be resent on a 307/308 redirect "
     "('read of closed file'); aiohttp rewinds and resends it (test_file_upload_307_308_redirect)")
@pytest.mark.parametrize("code", [307, 308])
async def test_file_body_resent_on_307_308(code: int, tmp_path) -> None:
    path = tmp_path / "body.txt"
    path.write_bytes(b"file contents")
    bodies: list[bytes] = []
    async with web_server(_echo_app(bodies=bodies)) as url:
        async with cyhttp.ClientSession() as session:
            with path.open("rb") as f:
                async with session.post(url / f"redirect/{code}", data=f) as resp:
                    assert resp.status == 200
                    assert await resp.read() == b"file contents"


@gap("gap 4 (redirects.py/session.py): a BytesIO body cannot be resent on a 307 redirect "
     "(test_bytes_io_payload_redirect)")
async def test_bytesio_body_resent_on_307() -> None:
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession() as session:
            async with session.post(url / "redirect/307", data=io.BytesIO(b"bytesio")) as resp:
                assert await resp.read() == b"bytesio"


@gap("gap 4 (redirects.py/session.py): a consumed async-iterable body is silently resent empty "
     "on a 307; aiohttp raises ClientPayloadError (test_async_iterable_payload_redirect)")
async def test_consumed_async_iterable_body_on_307_is_an_error() -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"once"

    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(cyhttp.ClientPayloadError):
                await session.post(url / "redirect/307", data=gen())


class _Tracked(cyhttp.BytesPayload):
    closed_count = 0

    async def close(self) -> None:
        type(self).closed_count += 1
        await super().close()


@gap("gap 4 (session.py): Payload.close() is not called after TooManyRedirects "
     "(test_too_many_redirects_closes_payload)")
async def test_payload_closed_after_too_many_redirects() -> None:
    _Tracked.closed_count = 0
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(cyhttp.TooManyRedirects):
                await session.post(url / "loop", data=_Tracked(b"data"), max_redirects=2)
    assert _Tracked.closed_count >= 1


@gap("gap 4 (session.py): Payload.close() is not called after an invalid redirect URL "
     "(test_invalid_url_redirect_closes_payload)")
async def test_payload_closed_after_invalid_redirect_url() -> None:
    _Tracked.closed_count = 0
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(cyhttp.InvalidUrlRedirectClientError):
                await session.post(url / "bad", data=_Tracked(b"data"))
    assert _Tracked.closed_count >= 1


# -- 6. headers -----------------------------------------------------------------------------------

# gap 6, fixed: skip_auto_headers matches names in any case (test_skip_auto_headers_user_agent)
async def test_skip_auto_headers_is_case_insensitive() -> None:
    seen: list[web.Request] = []
    async with web_server(_echo_app(seen)) as url:
        async with cyhttp.ClientSession() as session:
            async with session.get(url / "echo", skip_auto_headers=["user-agent"]):
                pass
        async with cyhttp.ClientSession(skip_auto_headers=["user-agent"]) as session:
            async with session.get(url / "echo"):
                pass
    assert all("User-Agent" not in r.headers for r in seen)


async def test_own_header_in_another_case_is_not_doubled_when_skipping() -> None:
    # With skip_auto_headers given, the user's own "accept" still stops the auto Accept.
    seen: list[web.Request] = []
    async with web_server(_echo_app(seen)) as url:
        async with cyhttp.ClientSession() as session:
            async with session.get(url / "echo", headers={"accept": "x/y"},
                                   skip_auto_headers=["USER-AGENT"]):
                pass
    assert seen[0].headers.getall("Accept") == ["x/y"]
    assert "User-Agent" not in seen[0].headers


@gap("gap 6 (request.py): TCPConnector(force_close=True) does not send 'Connection: close' "
     "(aiohttp: test_connection_header in test_client_request)")
async def test_force_close_sends_connection_close() -> None:
    seen: list[web.Request] = []
    async with web_server(_echo_app(seen)) as url:
        async with cyhttp.ClientSession(connector=cyhttp.TCPConnector(force_close=True)) as session:
            async with session.get(url / "echo"):
                pass
    assert seen[0].headers.get("Connection", "").lower() == "close"


@gap("gap 10 (request.py body headers): a raw file body gets a Content-Disposition request "
     "header; aiohttp builds request payloads with disposition=None (test_POST_FILES_SINGLE)")
async def test_raw_file_body_has_no_content_disposition(tmp_path) -> None:
    path = tmp_path / "sample.txt"
    path.write_bytes(b"hello")
    seen: list[web.Request] = []
    async with web_server(_echo_app(seen)) as url:
        async with cyhttp.ClientSession() as session:
            with path.open("rb") as f:
                async with session.post(url / "echo", data=f):
                    pass
    assert "Content-Disposition" not in seen[0].headers


# -- 7. tracing -----------------------------------------------------------------------------------

@gap("gap 7 (session.py): on_request_end's URL drops the params= query "
     "(test_request_tracing_url_params)")
async def test_trace_request_end_url_has_params() -> None:
    urls = []

    async def on_end(session, ctx, params) -> None:
        urls.append(params.url)

    trace = cyhttp.TraceConfig()
    trace.on_request_end.append(on_end)
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession(trace_configs=[trace]) as session:
            async with session.get(url / "echo", params={"x": "0"}):
                pass
    assert urls[0].query == {"x": "0"}


@gap("gap 7 (send.py): on_request_chunk_sent never fires (test_request_tracing)")
async def test_trace_request_chunk_sent_fires() -> None:
    chunks: list[bytes] = []

    async def on_chunk(session, ctx, params) -> None:
        chunks.append(params.chunk)

    trace = cyhttp.TraceConfig()
    trace.on_request_chunk_sent.append(on_chunk)
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession(trace_configs=[trace]) as session:
            async with session.post(url / "echo", data=b"This is request body"):
                pass
    assert b"".join(chunks) == b"This is request body"


@gap("gap 7 (session.py): traces already started get no on_request_exception when a later "
     "trace's on_request_start fails (test_trace_start_failure_notifies_started_traces)")
async def test_started_traces_hear_of_a_failing_start() -> None:
    exceptions = []

    async def on_exception(session, ctx, params) -> None:
        exceptions.append(params.exception)

    async def failing_start(session, ctx, params) -> None:
        raise RuntimeError("start failed")

    first = cyhttp.TraceConfig()
    first.on_request_exception.append(on_exception)
    second = cyhttp.TraceConfig()
    second.on_request_start.append(failing_start)
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession(trace_configs=[first, second]) as session:
            with pytest.raises(RuntimeError):
                await session.get(url / "echo")
    assert len(exceptions) == 1


# -- 12. missing API -----------------------------------------------------------------------------

@gap("gap 12 (session.py/config.py): ClientSession(json_serialize_bytes=) is missing "
     "(test_json_serialize_bytes)")
async def test_json_serialize_bytes() -> None:
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession(json_serialize_bytes=lambda obj: b'{"a": 1}') as session:
            async with session.post(url / "echo", json={"ignored": True}) as resp:
                assert await resp.read() == b'{"a": 1}'


@gap("gap 12 (session.py/verbs.py): the upload_tracker= request option of aiohttp 3.14 is "
     "missing (test_upload_tracker_*)")
async def test_upload_tracker_option_exists() -> None:
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession() as session:
            tracker = cyhttp.UploadTracker()  # type: ignore[attr-defined]
            async with session.post(url / "echo", data=b"abc", upload_tracker=tracker):
                pass


@gap("gap 12 (session.py): `await cyhttp.request(...)` is accepted; aiohttp's module-level "
     "request() is an async context manager only and raises TypeError (test_aiohttp_request_coroutine)")
async def test_module_request_is_not_awaitable() -> None:
    async with web_server(_echo_app()) as url:
        with pytest.raises(TypeError):
            await cyhttp.request("GET", url / "echo")  # type: ignore[misc]


@gap("gap 12 (session.py): session.loop gives no DeprecationWarning (test_session_loop)")
async def test_session_loop_is_deprecated() -> None:
    async with cyhttp.ClientSession() as session:
        with pytest.warns(DeprecationWarning):
            session.loop  # noqa: B018


@gap("gap 12 (request.py/session.py): chunked= gives no DeprecationWarning "
     "(test_chunked_deprecated)")
async def test_chunked_argument_is_deprecated() -> None:
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession() as session:
            with pytest.warns(DeprecationWarning):
                await session.post(url / "echo", data=b"x", chunked=1024)


@gap("gap 12 (request.py): a large raw bytes body gives no ResourceWarning about memory "
     "(test_POST_bytes_too_large)")
async def test_large_bytes_body_warns() -> None:
    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession() as session:
            with pytest.warns(ResourceWarning):
                async with session.post(url / "echo", data=b"x" * (2**20 + 1)):
                    pass


@gap("gap 12 (request.py): ClientRequest.update_body(), the middleware API of aiohttp 3.12+, "
     "is missing (test_client_middleware_update_*_body)")
async def test_middleware_update_body() -> None:
    async def middleware(req, handler):
        await req.update_body(b"replaced")
        return await handler(req)

    async with web_server(_echo_app()) as url:
        async with cyhttp.ClientSession(middlewares=(middleware,)) as session:
            async with session.post(url / "echo", data=b"original") as resp:
                assert await resp.read() == b"replaced"



@gap("gap 5 (context.py): the request context manager does not enter the response "
     "(resp.__aenter__), so raise_for_status() cannot tell inside from outside `async with`; "
     "aiohttp releases outside it and a later read() raises (test_read_after_raise_outside_context). "
     "With context.py entering the response, raise_for_status may call release() when not "
     "_in_context (response.py)")
async def test_read_after_raise_for_status_outside_async_with() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"data", status=404)

    app = web.Application()
    app.router.add_get("/", handler)
    async with web_server(app) as url:
        async with cyhttp.ClientSession() as session:
            resp = await session.get(url)
            with pytest.raises(cyhttp.ClientResponseError):
                resp.raise_for_status()
            with pytest.raises(cyhttp.ClientConnectionError):
                await resp.read()
