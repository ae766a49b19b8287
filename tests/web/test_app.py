"""Application: state with AppKey, freezing, signals, cleanup contexts, sub-applications,
domains, client_max_size — driven through a real client (httpx)."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from cyhttp import web

from ._serve import serve

COUNTER = web.AppKey("counter", int)
NAME = web.AppKey("name", str)


async def test_state_with_app_keys_and_config_dict() -> None:
    app = web.Application()
    app[COUNTER] = 1
    sub = web.Application()
    sub[NAME] = "sub"

    async def read(request: web.Request) -> web.Response:
        cfg = request.config_dict
        return web.json_response({"counter": cfg[COUNTER], "name": cfg.get(NAME),
                                  "app_is_sub": request.app is sub})

    sub.router.add_get("/x", read)
    app.add_subapp("/sub", sub)
    async with serve(app) as url, httpx.AsyncClient() as client:
        r = await client.get(str(url / "sub" / "x"))
        assert r.json() == {"counter": 1, "name": "sub", "app_is_sub": True}
    assert app[COUNTER] == 1 and len(app) == 1 and list(app) == [COUNTER]
    assert "counter" in repr(COUNTER) and "int" in repr(COUNTER)


def test_str_keys_warn_and_frozen_app_warns() -> None:
    app = web.Application()
    with pytest.warns(web.NotAppKeyWarning):
        app["plain"] = 1
    app.freeze()
    assert app.frozen
    with pytest.warns(DeprecationWarning, match="Changing state of started"):
        app[COUNTER] = 2
    with pytest.raises(RuntimeError):
        app.router.add_get("/", lambda r: None)  # type: ignore[arg-type,return-value]


async def test_signals_and_cleanup_ctx_order() -> None:
    events: list[str] = []
    app = web.Application()

    async def startup(a: web.Application) -> None:
        events.append("startup")

    async def shutdown(a: web.Application) -> None:
        events.append("shutdown")

    async def cleanup(a: web.Application) -> None:
        events.append("cleanup")

    async def ctx(a: web.Application) -> AsyncIterator[None]:
        events.append("ctx enter")
        yield
        events.append("ctx exit")

    async def prepare(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["X-Prepared"] = "yes"

    app.on_startup.append(startup)
    app.on_shutdown.append(shutdown)
    app.on_cleanup.append(cleanup)
    app.cleanup_ctx.append(ctx)
    app.on_response_prepare.append(prepare)

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hi")

    app.router.add_get("/", hello)
    async with serve(app) as url, httpx.AsyncClient() as client:
        assert events == ["ctx enter", "startup"]
        r = await client.get(str(url))
        assert r.headers["x-prepared"] == "yes"
    # cleanup_ctx exits from on_cleanup, where it was registered first (as aiohttp).
    assert events == ["ctx enter", "startup", "shutdown", "ctx exit", "cleanup"]


async def test_cleanup_errors_are_collected() -> None:
    app = web.Application()

    async def bad1(a: web.Application) -> AsyncIterator[None]:
        yield
        raise ValueError("one")

    async def bad2(a: web.Application) -> AsyncIterator[None]:
        yield
        raise KeyError("two")

    app.cleanup_ctx.extend([bad1, bad2])
    runner = web.AppRunner(app)
    await runner.setup()
    with pytest.raises(web.CleanupError) as info:
        await runner.cleanup()
    assert [type(e) for e in info.value.exceptions] == [KeyError, ValueError]


async def test_subapp_routes_middlewares_and_url_for() -> None:
    order: list[str] = []

    @web.middleware
    async def outer(request: web.Request, handler: Any) -> web.StreamResponse:
        order.append("outer")
        return await handler(request)

    @web.middleware
    async def inner(request: web.Request, handler: Any) -> web.StreamResponse:
        order.append("inner")
        return await handler(request)

    app = web.Application(middlewares=[outer])
    sub = web.Application(middlewares=[inner])

    async def item(request: web.Request) -> web.Response:
        url = request.app.router["item"].url_for(id="7")
        return web.Response(text=str(url))

    sub.router.add_get("/item/{id}", item, name="item")
    resource = app.add_subapp("/api/", sub)
    assert resource.canonical == "/api"
    async with serve(app) as url, httpx.AsyncClient() as client:
        r = await client.get(str(url / "api" / "item" / "1"))
        assert r.text == "/api/item/7"
        assert order == ["outer", "inner"]
        assert (await client.get(str(url / "item" / "1"))).status_code == 404


def test_subapp_rules() -> None:
    app = web.Application()
    with pytest.raises(ValueError):
        app.add_subapp("/", web.Application())
    with pytest.raises(TypeError):
        app.add_subapp(1, web.Application())  # type: ignore[arg-type]
    frozen = web.Application()
    frozen.freeze()
    with pytest.raises(RuntimeError):
        app.add_subapp("/x", frozen)


async def test_add_domain() -> None:
    app = web.Application()
    sub = web.Application()
    wild = web.Application()

    async def which(request: web.Request) -> web.Response:
        return web.Response(text="sub" if request.app is sub else "wild")

    sub.router.add_get("/", which)
    wild.router.add_get("/", which)
    app.add_domain("example.com", sub)
    app.add_domain("*.example.org", wild)
    async with serve(app) as url, httpx.AsyncClient() as client:
        assert (await client.get(str(url), headers={"Host": "example.com"})).text == "sub"
        assert (await client.get(str(url), headers={"Host": "a.example.org"})).text == "wild"
        assert (await client.get(str(url), headers={"Host": "other"})).status_code == 404


async def test_client_max_size_and_app_repr() -> None:
    app = web.Application(client_max_size=5)

    async def read(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    app.router.add_post("/", read)
    assert repr(app).startswith("<Application 0x")
    async with serve(app) as url, httpx.AsyncClient() as client:
        assert (await client.post(str(url), content=b"12345")).content == b"12345"
        r = await client.post(str(url), content=b"123456")
        assert (r.status_code, r.text) == (413, "Maximum request body size 5 exceeded.")


def test_deprecated_arguments_warn() -> None:
    with pytest.warns(DeprecationWarning):
        web.Application(debug=True)
    with pytest.warns(DeprecationWarning):
        web.Application(router=web.UrlDispatcher())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        web.Application()


async def test_startup_failure_still_exits_cleanup_contexts() -> None:
    events: list[str] = []
    app = web.Application()

    async def ctx(a: web.Application) -> AsyncIterator[None]:
        events.append("enter")
        yield
        events.append("exit")

    async def failing(a: web.Application) -> None:
        raise RuntimeError("no")

    app.cleanup_ctx.append(ctx)
    app.on_startup.append(failing)
    runner = web.AppRunner(app)
    with pytest.raises(RuntimeError):
        await runner.setup()
    await app.cleanup()
    assert events == ["enter", "exit"]


async def test_old_style_middleware_warns_and_works() -> None:
    async def old(app: web.Application, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            resp = await handler(request)
            resp.headers["X-Old"] = "1"
            return resp  # type: ignore[no-any-return]
        return wrapped

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="x")

    app = web.Application(middlewares=[old])
    app.router.add_get("/", hello)
    with pytest.warns(DeprecationWarning, match="old-style middleware"):
        app.freeze()
    async with serve(app) as url, httpx.AsyncClient() as client:
        assert (await client.get(str(url))).headers["x-old"] == "1"
    await asyncio.sleep(0)
