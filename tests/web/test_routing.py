"""UrlDispatcher: plain / {name} / {name:regex} resources, named routes and url_for,
views, RouteTableDef, 404/405 with Allow, registration order, and the route table at
thousands of routes (aiohttp's client as the peer)."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest

from cyhttp import web
from cyhttp._web.message import RawRequestMessage
from cyhttp._web.request import Request

from ._serve import serve


async def text(request: web.Request) -> web.Response:
    return web.Response(text=f"{request.match_info.route.resource.canonical} {dict(request.match_info)}")  # type: ignore[union-attr]


def fake_request(method: str, target: str) -> Request:
    from multidict import CIMultiDict, CIMultiDictProxy

    message = RawRequestMessage.of(RawRequestMessage(
        method, target, (1, 1), CIMultiDictProxy(CIMultiDict({"Host": "x"})), (), False, None,  # type: ignore[arg-type]
        False, False, None))  # type: ignore[arg-type]
    return Request(message, None, None, None, None, None)  # type: ignore[arg-type]


async def test_plain_dynamic_and_regex_resources() -> None:
    app = web.Application()
    router = app.router
    router.add_get("/", text)
    router.add_get("/users", text)
    router.add_get("/users/", text)
    router.add_get("/users/{name}", text)
    router.add_get(r"/users/{name}/posts/{id:\d+}", text)
    router.add_get("/files/{path:.*}", text)
    router.add_get("/a{x}b", text)
    async with serve(app) as url, aiohttp.ClientSession() as s:
        async def get(path: str) -> tuple[int, str]:
            async with s.get(str(url) + path) as r:
                return r.status, await r.text()

        assert await get("/") == (200, "/ {}")
        assert await get("/users") == (200, "/users {}")
        assert await get("/users/") == (200, "/users/ {}")
        assert await get("/users/bob") == (200, "/users/{name} {'name': 'bob'}")
        assert await get("/users/b%20b") == (200, "/users/{name} {'name': 'b b'}")
        assert await get("/users/a%2Fb") == (200, "/users/{name} {'name': 'a/b'}")
        assert await get("/users/bob/posts/12") == (200, "/users/{name}/posts/{id} {'name': 'bob', 'id': '12'}")
        assert (await get("/users/bob/posts/x"))[0] == 404
        assert await get("/files/a/b/c.txt") == (200, "/files/{path} {'path': 'a/b/c.txt'}")
        assert await get("/aXYb") == (200, "/a{x}b {'x': 'XY'}")
        assert await get("/nothing/here") == (404, "404: Not Found")


async def test_405_lists_allowed_methods() -> None:
    app = web.Application()
    app.router.add_get("/x", text)
    app.router.add_post("/x", text)
    async with serve(app) as url, aiohttp.ClientSession() as s:
        async with s.delete(str(url / "x")) as r:
            assert r.status == 405
            assert r.headers["Allow"] == "GET,HEAD,POST"
            assert await r.text() == "405: Method Not Allowed"
        async with s.head(str(url / "x")) as r:
            assert r.status == 200


def test_named_resources_and_url_for() -> None:
    router = web.Application().router
    router.add_get("/", text, name="index")
    router.add_get("/users/{name}", text, name="user")
    router.add_get(r"/n/{num:\d+}/x", text, name="num")
    assert str(router["index"].url_for()) == "/"
    assert str(router["user"].url_for(name="a b/c")) == "/users/a%20b/c"  # as aiohttp: "/" kept
    assert str(router["num"].url_for(num="3").with_query(q="1")) == "/n/3/x?q=1"
    assert set(router.named_resources()) == {"index", "user", "num"}
    assert "user" in router and len(router) == 3
    assert len(router.resources()) == 3 and len(router.routes()) == 6  # GET + HEAD each
    with pytest.raises(ValueError, match="Duplicate"):
        router.add_get("/other", text, name="user")
    with pytest.raises(ValueError, match="python keywords"):
        router.add_get("/k", text, name="class")
    with pytest.raises(ValueError, match="identifiers"):
        router.add_get("/k", text, name="a b")


def test_route_rules() -> None:
    router = web.Application().router
    router.add_route("*", "/any", text)
    with pytest.raises(RuntimeError, match="will never be executed"):
        router.add_route("GET", "/any", text)
    with pytest.raises(ValueError, match="not allowed HTTP method"):
        router.add_route("BAD METHOD", "/m", text)
    with pytest.raises(ValueError, match="started with /"):
        router.add_get("nope", text)
    with pytest.warns(DeprecationWarning, match="Bare functions"):
        router.add_get("/sync", lambda request: web.Response())


async def test_route_star_answers_every_method() -> None:
    app = web.Application()
    app.router.add_route("*", "/any", text)
    async with serve(app) as url, aiohttp.ClientSession() as s:
        for method in ("GET", "POST", "PATCH", "PROPFIND"):
            async with s.request(method, str(url / "any")) as r:
                assert r.status == 200, method


async def test_class_based_view() -> None:
    class Thing(web.View):
        async def get(self) -> web.Response:
            return web.Response(text="get " + self.request.match_info["id"])

        async def post(self) -> web.Response:
            return web.Response(text="post")

    app = web.Application()
    app.router.add_view("/thing/{id}", Thing)
    async with serve(app) as url, aiohttp.ClientSession() as s:
        async with s.get(str(url / "thing" / "5")) as r:
            assert await r.text() == "get 5"
        async with s.post(str(url / "thing" / "5")) as r:
            assert await r.text() == "post"
        async with s.put(str(url / "thing" / "5")) as r:
            assert r.status == 405 and r.headers["Allow"] == "GET,POST"


async def test_route_table_def_and_module_functions() -> None:
    routes = web.RouteTableDef()

    @routes.get("/a", name="a")
    async def a(request: web.Request) -> web.Response:
        return web.Response(text="a")

    @routes.post("/b")
    async def b(request: web.Request) -> web.Response:
        return web.Response(text="b")

    @routes.view("/v")
    class V(web.View):
        async def get(self) -> web.Response:
            return web.Response(text="v")

    assert len(routes) == 3 and routes[0].method == "GET"  # type: ignore[attr-defined]
    assert repr(routes) == "<RouteTableDef count=3>"
    app = web.Application()
    registered = app.add_routes(routes)
    registered += app.add_routes([web.get("/c", a, allow_head=False), web.put("/d", b),
                                  web.route("PROPFIND", "/e", a)])
    assert len(registered) == 6
    assert "<RouteDef GET /a -> 'a', name='a'>" == repr(routes[0])
    async with serve(app) as url, aiohttp.ClientSession() as s:
        async with s.get(str(url / "a")) as r:
            assert await r.text() == "a"
        async with s.head(str(url / "c")) as r:
            assert r.status == 405
        async with s.request("PROPFIND", str(url / "e")) as r:
            assert await r.text() == "a"
        async with s.get(str(url / "v")) as r:
            assert await r.text() == "v"


async def test_registration_order_wins_under_one_prefix() -> None:
    router = web.Application().router

    async def first(request: web.Request) -> web.Response:
        return web.Response(text="first")

    async def second(request: web.Request) -> web.Response:
        return web.Response(text="second")

    router.add_get("/x/{a}", first)
    router.add_get("/x/{b:.*}", second)
    router.freeze()
    match = await router.resolve(fake_request("GET", "/x/y"))
    assert match.handler is first
    match = await router.resolve(fake_request("GET", "/x/y/z"))
    assert match.handler is second


async def test_thousands_of_routes_resolve_by_table() -> None:
    router = web.Application().router
    for i in range(5000):
        router.add_get(f"/plain/{i}", text)
        router.add_get(f"/dyn{i}/{{x}}", text)
    router.freeze()
    requests = [fake_request("GET", f"/plain/{i}") for i in (0, 2500, 4999)]
    requests += [fake_request("GET", f"/dyn{i}/v") for i in (0, 2500, 4999)]
    for req in requests:
        assert (await router.resolve(req)).http_exception is None
    start = time.perf_counter()
    for _ in range(200):
        for req in requests:
            req._cache.pop("rel_url", None)
            router._resolve_sync(req)
    per_lookup = (time.perf_counter() - start) / 1200
    assert per_lookup < 200e-6  # a linear scan over 10000 resources would be far slower


async def test_match_info_and_route_introspection() -> None:
    app = web.Application()
    resource = app.router.add_resource("/r/{x}", name="r")
    route = resource.add_route("GET", text)
    assert route.name == "r" and route.resource is resource and route.method == "GET"
    assert resource.get_info()["formatter"] == "/r/{x}"
    assert str(route.url_for(x="1")) == "/r/1"
    app.freeze()
    match = await app.router.resolve(fake_request("GET", "/r/5"))
    assert dict(match) == {"x": "5"} and match.route is route
    assert match.get_info()["formatter"] == "/r/{x}"
    missing = await app.router.resolve(fake_request("GET", "/nope"))
    assert isinstance(missing.http_exception, web.HTTPNotFound)
    assert repr(missing) == "<MatchInfoError 404: Not Found>"


async def test_normalize_path_middleware() -> None:
    app = web.Application(middlewares=[web.normalize_path_middleware()])
    app.router.add_get("/a/", text)
    app.router.add_get("/b", text)
    async with serve(app) as url, aiohttp.ClientSession() as s:
        async with s.get(str(url) + "/a?q=1", allow_redirects=False) as r:
            assert (r.status, r.headers["Location"]) == (308, "/a/?q=1")
        async with s.get(str(url) + "//b", allow_redirects=False) as r:
            assert (r.status, r.headers["Location"]) == (308, "/b")
        async with s.get(str(url) + "/b/", allow_redirects=False) as r:
            assert r.status == 404  # append_slash only; remove_slash is off
        async with s.get(str(url) + "/c", allow_redirects=False) as r:
            assert r.status == 404


async def test_normalize_path_remove_slash_and_no_open_redirect() -> None:
    mw = web.normalize_path_middleware(append_slash=False, remove_slash=True)
    app = web.Application(middlewares=[mw])
    app.router.add_get("/b", text)
    app.router.add_get("/evil.com", text)
    async with serve(app) as url, aiohttp.ClientSession() as s:
        async with s.get(str(url) + "/b/", allow_redirects=False) as r:
            assert (r.status, r.headers["Location"]) == (308, "/b")
        async with s.get(str(url) + "//evil.com/", allow_redirects=False) as r:
            assert r.headers["Location"] == "/evil.com"


def test_fake_request_helper_is_what_routing_reads() -> None:
    req: Any = fake_request("get", "/p%2Fq?x=1")
    assert req.method == "GET" and req._match_path() == "/p%2Fq" and req.query["x"] == "1"
