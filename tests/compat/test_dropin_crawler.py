"""The promise: ``import cyhttp as aiohttp`` keeps a crawler working, with the same results.

One crawler function, written against aiohttp's API, runs twice against the same local
site — once with aiohttp, once with cyhttp — and every observation must match.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from types import ModuleType

import aiohttp
import pytest
from aiohttp import web

import cyhttp

from ..client._peers import web_server

PAGES = 30


def _site() -> web.Application:
    app = web.Application()

    async def page(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        links = "".join(f'<a href="/page/{(n * 7 + k) % PAGES}">x</a>' for k in range(3))
        extra = '<a href="/moved">m</a><a href="/gz">g</a><a href="/missing">404</a><a href="/api">j</a>'
        body = f"<html><body>page {n} é {links}{extra}</body></html>"
        resp = web.Response(text=body, content_type="text/html", charset="utf-8")
        if n % 5 == 0:
            resp.set_cookie(f"seen{n}", str(n), path="/")
        return resp

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/page/1")

    async def gz(request: web.Request) -> web.Response:
        data = gzip.compress(("compressed " * 200).encode())
        return web.Response(body=data, headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"})

    async def api(request: web.Request) -> web.Response:
        cookies = sorted(request.cookies)
        return web.json_response({"cookies": cookies, "q": request.query.get("q")})

    app.router.add_get("/page/{n}", page)
    app.router.add_get("/moved", moved)
    app.router.add_get("/gz", gz)
    app.router.add_get("/api", api)
    return app


async def crawl(lib: ModuleType, start: str) -> dict:
    """A typical small crawler: BFS over links, bounded concurrency, shared session."""
    seen: set[str] = set()
    results: dict[str, tuple] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    queue.put_nowait(start)
    seen.add(start)
    timeout = lib.ClientTimeout(total=20)
    jar = lib.CookieJar(unsafe=True)  # the site is an IP host: cookies need unsafe=True
    async with lib.ClientSession(timeout=timeout, headers={"User-Agent": "crawler/1"}, cookie_jar=jar) as session:

        async def worker() -> None:
            while True:
                url = await queue.get()
                try:
                    async with session.get(url, params={"q": "1"} if url.endswith("/api") else None) as resp:
                        if resp.content_type == "application/json":
                            payload = await resp.json()
                            text = json.dumps(payload, sort_keys=True)
                        else:
                            text = await resp.text()
                        results[url] = (
                            resp.status, resp.reason, resp.content_type, resp.charset, len(text),
                            [h.status for h in resp.history], str(resp.url), resp.ok,
                        )
                        for href in re.findall(r'href="([^"]+)"', text):
                            target = str(resp.url.origin()) + href
                            if target not in seen:
                                seen.add(target)
                                queue.put_nowait(target)
                except lib.ClientError as exc:
                    results[url] = ("error", type(exc).__name__)
                finally:
                    queue.task_done()

        workers = [asyncio.create_task(worker()) for _ in range(8)]
        await asyncio.wait_for(queue.join(), 30)
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        jar = sorted((c.key, c.value) for c in session.cookie_jar)
    return {"results": results, "jar": jar}


async def test_same_crawl_results_with_aiohttp_and_cyhttp() -> None:
    async with web_server(_site()) as base:
        start = str(base / "page" / "0")
        reference = await crawl(aiohttp, start)
        ours = await crawl(cyhttp, start)
    assert len(reference["results"]) == PAGES + 4
    assert ours["results"] == reference["results"]
    assert ours["jar"] == reference["jar"]
    assert len(reference["jar"]) >= 5  # cookies were set along the way (a non-vacuous comparison)
    gz = [v for k, v in reference["results"].items() if k.endswith("/gz")][0]
    assert gz[0] == 200 and gz[4] == len("compressed " * 200)


@pytest.mark.parametrize("name", ["ClientSession", "ClientTimeout", "ClientError", "TCPConnector",
                                  "ClientResponseError", "request", "BasicAuth", "FormData", "CookieJar",
                                  "TraceConfig", "WSMsgType", "hdrs"])
def test_common_names_exist(name: str) -> None:
    assert hasattr(cyhttp, name), name
