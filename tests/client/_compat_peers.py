"""Small aiohttp.web peers shared by the aiohttp-compatibility tests."""

from __future__ import annotations

from aiohttp import web


def hello_ws_app(seen: list[str | None] | None = None) -> web.Application:
    """``/ws``: notes the request's ``X-Mw`` header in ``seen``, sends "hi", closes."""

    async def ws_handler(request: web.Request) -> web.WebSocketResponse:
        if seen is not None:
            seen.append(request.headers.get("X-Mw"))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("hi")
        await ws.close()
        return ws

    app = web.Application()
    app.router.add_get("/ws", ws_handler)
    return app
