"""A generated site of linked pages (aiohttp.web), served on several ports ("hosts").

Page ``/p/{n}`` links to ``/p/{2n+1}`` and ``/p/{2n+2}`` (a binary tree: every page is
reachable from ``/p/0``, each exactly once by depth), plus a link back to ``/p/0``, an
off-site link and a fragment link the crawler must drop.  Hits are counted per path.
"""

from __future__ import annotations

import asyncio
import collections
import time

from aiohttp import web


class LinkedSite:
    def __init__(self, pages: int, delay: float = 0.0, robots: str | None = None) -> None:
        self.pages = pages
        self.delay = delay
        self.robots = robots
        self.hits: collections.Counter[str] = collections.Counter()
        self.times: list[float] = []
        self.app = web.Application()
        self.app.router.add_get("/p/{n}", self.page)
        self.app.router.add_get("/robots.txt", self.robots_txt)

    async def robots_txt(self, request: web.Request) -> web.Response:
        if self.robots is None:
            return web.Response(status=404)
        return web.Response(text=self.robots)

    async def page(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        self.hits[request.path] += 1
        self.times.append(time.monotonic())
        if self.delay:
            await asyncio.sleep(self.delay)
        if n >= self.pages:
            return web.Response(status=404, text="no such page")
        links = [f"/p/{c}" for c in (2 * n + 1, 2 * n + 2) if c < self.pages]
        body = "".join(f'<a href="{href}">{href}</a>\n' for href in links)
        body += '<a href="/p/0#top">home</a> <a href="http://elsewhere.invalid/x">away</a>'
        return web.Response(text=f"<html><body><h1>page {n}</h1>{body}</body></html>", content_type="text/html")
