"""Plans compose exactly the request ``ClientRequest`` builds, for every request shape.

A request composed from its plan (head in parts + the jar's cookies + the body) must
be the request ``ClientRequest`` itself builds from the same inputs: the same head bytes,
the same headers in the same order, the same body, URL and connection key.  Checked
two ways: on random request shapes (hypothesis) against ``ClientRequest`` directly, and
on the wire, against a session whose request class builds every request itself.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict
from yarl import URL

import cyhttp
from cyhttp._client.options import NO_OPTIONS, resolve, storable
from cyhttp._client.request import ClientRequest

from ._peers import raw_server, read_head

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class BuiltRequest(ClientRequest):
    """Builds its headers itself (so no plan composes it): ClientRequest's own bytes."""

    def _build_headers(self, *args: Any) -> Any:
        return super()._build_headers(*args)


# -- options ------------------------------------------------------------------------------


def test_default_values_resolve_to_no_options() -> None:
    defaults = dict(ssl=True, max_redirects=10, allow_redirects=True, compress=None, chunked=None,
                    expect100=False, read_until_eof=True, proxy=None, timeout=None, headers={}, params={},
                    cookies={}, data=None, json=None, raise_for_status=None, middlewares=None,
                    verify_ssl=None, fingerprint=None, ssl_context=None, trace_request_ctx=None)
    assert resolve(defaults, json.dumps) is NO_OPTIONS
    assert resolve({}, json.dumps) is NO_OPTIONS


def test_options_that_shape_the_plan_are_its_key() -> None:
    o = resolve({"headers": {"X-A": "1"}, "params": [("k", 1)], "timeout": 5, "allow_redirects": False}, json.dumps)
    assert o.plan_key == (("headers", (("X-A", "1"),)), ("params", (("k", 1),)))
    assert o.timeout == cyhttp.ClientTimeout(total=5) and o.allow_redirects is False
    assert not storable(o.plan_key)  # an int in the query: 1, True and 1.0 would share a plan
    assert storable(resolve({"headers": [("X-A", "1")], "params": "q=1"}, json.dumps).plan_key)
    assert not storable(resolve({"params": {"k": ["1", "2"]}}, json.dumps).plan_key)
    assert not storable(resolve({"headers": {"X-A": True}}, json.dumps).plan_key)
    assert resolve({"json": {"a": 1}}, json.dumps).plan_key == (("json", True),)
    assert resolve({"data": b"x"}, json.dumps).plan_key is None  # a body is not part of the plan


async def test_equal_but_different_values_never_share_a_plan() -> None:
    seen: list[bytes] = []
    async with raw_server(_recorder(seen)) as srv, cyhttp.ClientSession() as session:
        for params in ({"n": "1"}, {"n": 1}, {"n": 1.0}, {"n": "1"}):
            await (await session.get(srv.url / "q", params=params)).read()
        for value in ("1", 1, True):
            await (await session.get(srv.url / "h", headers={"X-N": value})).read()  # type: ignore[dict-item]
        assert len(session._path.plans.for_method("GET")) == 2  # only the str-valued ones
    assert [h.split(b" ")[1] for h in seen[:4]] == [b"/q?n=1", b"/q?n=1", b"/q?n=1.0", b"/q?n=1"]
    assert [next(x for x in h.split(b"\r\n") if x.startswith(b"X-N")) for h in seen[4:]] == [
        b"X-N: 1", b"X-N: 1", b"X-N: True"]


async def test_unknown_keyword_is_refused_at_the_call() -> None:
    async with cyhttp.ClientSession() as session:
        with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
            session.get("http://127.0.0.1:1/", bogus=1)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
            session.request("GET", "http://127.0.0.1:1/", nope=1)  # type: ignore[call-arg]


def test_request_signature_lists_aiohttps_keywords() -> None:
    import aiohttp

    ours = inspect.signature(cyhttp.ClientSession._request).parameters
    theirs = inspect.signature(aiohttp.ClientSession._request).parameters
    for name, param in theirs.items():
        if name in ("upload_tracker",):  # aiohttp 3.14's upload progress: not implemented yet
            continue
        assert name in ours, name
        assert ours[name].kind == param.kind, name
        if param.default is not inspect.Parameter.empty and name != "timeout":
            assert ours[name].default == param.default, name


# -- composed == built, on random shapes --------------------------------------------------

_TOKEN = st.text("abcdefghXYZ-_0123", min_size=1, max_size=8)
_VALUE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x17F), max_size=10)
_HEADER_NAMES = st.one_of(_TOKEN, st.sampled_from(
    ["Accept", "User-Agent", "Host", "Content-Type", "Cookie", "Content-Length", "Authorization", "X-Dup"]))
_HEADERS = st.one_of(st.none(), st.dictionaries(_HEADER_NAMES, _VALUE, max_size=4),
                     st.lists(st.tuples(_HEADER_NAMES, _VALUE), max_size=4))
_PARAMS = st.one_of(st.none(), st.dictionaries(_TOKEN, st.one_of(_VALUE, st.integers(0, 99)), max_size=3),
                    st.just("raw=1&x"))
_BODY = st.one_of(
    st.none(), st.binary(max_size=40), st.text(max_size=20),
    st.dictionaries(_TOKEN, st.text(max_size=6), max_size=3).map(lambda d: ("form", d)),
    st.dictionaries(_TOKEN, st.integers(), max_size=3).map(lambda d: ("json", d)),
)


async def _compare(method: str, path: str, session_headers: Any, headers: Any, params: Any, skip: Any,
                   auth: Any, body: Any, jar_cookies: dict[str, str]) -> None:
    jar = cyhttp.CookieJar(unsafe=True)
    base = URL("http://127.0.0.1:8080/")
    if jar_cookies:
        jar.update_cookies(jar_cookies, base)
    options: dict[str, Any] = {}
    if headers is not None:
        options["headers"] = headers
    if params is not None:
        options["params"] = params
    if skip:
        options["skip_auto_headers"] = skip
    if auth is not None:
        options["auth"] = auth
    if isinstance(body, tuple):
        options["json" if body[0] == "json" else "data"] = body[1]
    elif body is not None:
        options["data"] = body
    async with cyhttp.ClientSession(headers=session_headers, cookie_jar=jar) as session:
        path_ = session._path
        try:
            with pytest.warns(DeprecationWarning) if auth is not None else _nothing():
                o = resolve(options, json.dumps)
            url = path_._url(base.join(URL(path)), session._connector)  # type: ignore[arg-type]
            plan = await path_._plan(method, url, o, None, o.auth, None, None, None)
        except ValueError:
            return  # refused before any request exists (e.g. Authorization header beside auth)
        cookies = jar.filter_cookies(plan.url) if len(jar) else None
        timeout = session.timeout
        params_ = (True, True, 2**16, None, None, (8190, 8190, 128))
        built = path_._build(plan, o.data, cookies, o, (), params_, timeout)
        parts = path_._parts(plan, cookies, o.data, o)
        try:
            built_head = built._head()
        except ValueError:
            if parts is not None:  # the composed request must refuse it too
                with pytest.raises(ValueError):
                    ClientRequest._planned(plan, *parts, (), params_, timeout)._head()
            return
        if parts is None:
            return  # ClientRequest builds this shape itself
        planned = ClientRequest._planned(plan, *parts, (), params_, timeout)
        assert planned._head() == built_head
        assert list(planned.headers.items()) == list(built.headers.items())
        built_body = built.body if built.body is None or isinstance(built.body, bytes) else built.body._value
        assert planned.body == built_body
        for attr in ("url", "original_url", "method", "version", "ssl", "proxy", "proxy_auth", "auth",
                     "chunked", "compress", "expect100", "connection_key", "server_hostname",
                     "proxy_headers", "_skip_auto_headers", "response_params"):
            assert getattr(planned, attr) == getattr(built, attr), attr
        assert planned.request_info == built.request_info


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


@settings(max_examples=250, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    path=st.sampled_from(["/", "/a", "/a/b?q=1", "/x#frag", "/%7Euser/p?a=1&a=2"]),
    session_headers=st.one_of(st.none(), st.dictionaries(_HEADER_NAMES, _VALUE, max_size=2)),
    headers=_HEADERS,
    params=_PARAMS,
    skip=st.one_of(st.none(), st.lists(st.sampled_from(["Accept", "User-Agent", "Content-Type", "Host"]),
                                       max_size=2)),
    auth=st.one_of(st.none(), st.tuples(_TOKEN, _TOKEN).map(lambda t: cyhttp.BasicAuth(*t))),
    body=_BODY,
    jar_cookies=st.dictionaries(st.text("abcxyz", min_size=1, max_size=4), st.text("abc 12;=", max_size=5),
                                max_size=2),
)
def test_composed_request_is_the_built_one(method: str, path: str, session_headers: Any, headers: Any,
                                           params: Any, skip: Any, auth: Any, body: Any,
                                           jar_cookies: dict[str, str]) -> None:
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_compare(method, path, session_headers, headers, params, skip, auth, body,
                                         jar_cookies))
    finally:
        loop.close()


# -- composed == built, on the wire ---------------------------------------------------------


def _recorder(seen: list[bytes], answers: dict[bytes, bytes] | None = None) -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await read_head(reader)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            seen.append(head + (await reader.readexactly(length) if length else b""))
            target = head.split(b" ", 2)[1]
            writer.write((answers or {}).get(target, OK))
            await writer.drain()

    return handler


SHAPES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "a", {}),
    ("GET", "a?q=1", {"headers": {"X-Token": "t", "Accept": "text/html"}}),
    ("GET", "a", {"params": {"q": "a b", "n": 1}}),
    ("GET", "a", {"skip_auto_headers": ["User-Agent"]}),
    ("POST", "p", {"data": b"\x00binary"}),
    ("POST", "p", {"data": "text é"}),
    ("POST", "p", {"data": {"k": "v", "w": "x y"}}),
    ("POST", "p", {"json": {"a": [1, 2], "b": "c"}}),
    ("POST", "p", {"json": {"a": 1}, "headers": {"Content-Type": "application/vnd+json"}}),
    ("PUT", "p", {"data": b"", "headers": {"X-Empty": "1"}}),
    ("POST", "p", {}),
    ("DELETE", "d", {}),
    ("PATCH", "p", {"data": b"x" * 3000}),
    ("GET", "c", {"cookies": {"per": "request"}}),
    ("GET", "c", {"headers": {"Cookie": "own=1"}}),
    ("POST", "c", {"data": b"x", "headers": {"Content-Type": "text/x-mine"}}),
    ("GET", "r302", {}),
    ("POST", "r307", {"data": b"resend me"}),
    ("POST", "r303", {"json": {"gone": True}}),
]


async def test_composed_requests_on_the_wire_are_built_ones() -> None:
    answers = {
        b"/r302": b"HTTP/1.1 302 Found\r\nLocation: /a?after=302\r\nContent-Length: 0\r\n\r\n",
        b"/r307": b"HTTP/1.1 307 Temporary\r\nLocation: /p?after=307\r\nContent-Length: 0\r\n\r\n",
        b"/r303": b"HTTP/1.1 303 See Other\r\nLocation: /a?after=303\r\nContent-Length: 0\r\n\r\n",
        b"/c": b"HTTP/1.1 200 OK\r\nSet-Cookie: sid=7; Path=/\r\nContent-Length: 2\r\n\r\nok",
    }
    seen: list[bytes] = []
    runs: list[list[bytes]] = []
    async with raw_server(_recorder(seen, answers)) as srv:
        for request_class in (ClientRequest, BuiltRequest):
            jar = cyhttp.CookieJar(unsafe=True)
            jar.update_cookies({"jar": "one", "two": "2"}, srv.url)
            async with cyhttp.ClientSession(srv.url, cookie_jar=jar, request_class=request_class,
                                            headers={"X-Session": "s"}) as session:
                for _ in range(2):  # the second time round, every plan is cached
                    for method, path, options in SHAPES:
                        async with session.request(method, path, **options) as resp:
                            assert resp.status == 200, (method, path)
                            assert await resp.read() == b"ok"
                            assert resp.request_info.headers["Host"] == srv.url.raw_authority
            runs.append(seen[:])
            seen.clear()
    assert runs[0] == runs[1]
    assert any(h.startswith(b"POST /p?after=307 ") and h.endswith(b"resend me") for h in runs[0])
    assert any(h.startswith(b"GET /a?after=303 ") for h in runs[0])


async def test_request_info_of_a_composed_request() -> None:
    seen: list[bytes] = []
    async with raw_server(_recorder(seen)) as srv, cyhttp.ClientSession() as session:
        for _ in range(2):
            async with session.post(srv.url.with_fragment("f"), json={"a": 1}, headers={"X-A": "1"}) as resp:
                info = resp.request_info
                assert info is resp.request_info
                assert (info.url, info.method, info.real_url) == (srv.url, "POST", srv.url.with_fragment("f"))
                assert list(info.headers.items()) == [
                    ("Host", srv.url.raw_authority), ("X-A", "1"), ("Content-Type", "application/json"),
                    ("Accept", "*/*"), ("Accept-Encoding", info.headers["Accept-Encoding"]),
                    ("User-Agent", info.headers["User-Agent"]), ("Content-Length", "8")]
    assert seen[0] == seen[1] and seen[0].endswith(b'\r\n\r\n{"a": 1}')


async def test_redirect_hops_are_planned_too() -> None:
    answers = {b"/from": b"HTTP/1.1 301 Moved\r\nLocation: /to\r\nContent-Length: 0\r\n\r\n"}
    seen: list[bytes] = []
    async with raw_server(_recorder(seen, answers)) as srv, cyhttp.ClientSession() as session:
        for _ in range(3):
            async with session.get(srv.url / "from") as resp:
                assert resp.url == srv.url / "to" and [h.status for h in resp.history] == [301]
        plans = session._path.plans.for_method("GET")
        assert len(plans) == 2  # the first hop's, and the hop to /to (its key: URL, headers, auth)
        assert srv.url / "from" in plans
    assert seen[1] == seen[3] == seen[5] and seen[1].startswith(b"GET /to HTTP/1.1\r\n")


async def test_session_headers_and_middlewares_share_the_plans() -> None:
    seen: list[bytes] = []

    async def passthrough(req: Any, handler: Any) -> Any:
        return await handler(req)

    async def edits(req: Any, handler: Any) -> Any:
        req.headers["X-Edited"] = "1"  # a middleware editing a composed request: a fresh head
        return await handler(req)

    async with raw_server(_recorder(seen)) as srv, cyhttp.ClientSession(middlewares=(passthrough,)) as session:
        for mws in (None, (edits,), None):
            async with session.get(srv.url / "m", **({} if mws is None else {"middlewares": mws})) as resp:
                await resp.read()
        assert len(session._path.plans.for_method("GET")) == 1
    assert seen[0] == seen[2] and b"X-Edited: 1\r\n" in seen[1] and b"X-Edited" not in seen[0]
    assert seen[1].replace(b"X-Edited: 1\r\n", b"") == seen[0]


async def test_plans_forgotten_when_session_headers_change() -> None:
    seen: list[bytes] = []
    headers = CIMultiDict({"X-V": "1"})
    async with raw_server(_recorder(seen)) as srv, cyhttp.ClientSession(headers=headers) as session:
        await (await session.get(srv.url)).read()
        session.headers["X-V"] = "2"
        await (await session.get(srv.url)).read()
    assert b"X-V: 1\r\n" in seen[0] and b"X-V: 2\r\n" in seen[1]


async def test_remembered_cookie_header_follows_the_jar() -> None:
    seen: list[bytes] = []
    answers = {b"/set": b"HTTP/1.1 200 OK\r\nSet-Cookie: a=2; Path=/\r\nContent-Length: 2\r\n\r\nok"}
    jar = cyhttp.CookieJar(unsafe=True)
    async with raw_server(_recorder(seen, answers)) as srv, cyhttp.ClientSession(cookie_jar=jar) as session:
        jar.update_cookies({"a": "1", "b": "x"}, srv.url)
        for path in ("p", "p", "set", "p", "p"):
            await (await session.get(srv.url / path)).read()
        jar.clear_domain("127.0.0.1")
        await (await session.get(srv.url / "p")).read()
        jar.update_cookies({"c": "3"}, srv.url)
        await (await session.get(srv.url / "p")).read()
    cookies = [next((line for line in h.split(b"\r\n") if line.startswith(b"Cookie:")), None) for h in seen]
    assert cookies == [b"Cookie: a=1; b=x"] * 3 + [b"Cookie: a=2; b=x"] * 2 + [None, b"Cookie: c=3"]


async def test_a_middleware_may_send_a_request_of_its_own() -> None:
    seen: list[bytes] = []

    async def replace(req: Any, handler: Any) -> Any:
        own = ClientRequest("GET", req.url / "own", headers={"X-Own": "1"})  # no session, no timeout
        return await handler(own)

    async with raw_server(_recorder(seen)) as srv, cyhttp.ClientSession(middlewares=(replace,)) as session:
        for _ in range(2):
            async with session.get(srv.url / "a") as resp:
                assert await resp.read() == b"ok"
    assert all(h.startswith(b"GET /a/own HTTP/1.1\r\n") and b"X-Own: 1\r\n" in h for h in seen)
