"""HostStats: per-host counts, retries, bytes and latency percentiles, read back after real requests."""

from __future__ import annotations

import asyncio

from aiohttp import web

import cyhttp
from cyhttp import HostStats, RetryMiddleware
from cyhttp.crawl import ExponentialBackoff, host_key

from ._site import Recorder, serve


async def test_counts_statuses_retries_bytes_and_latency() -> None:
    rec = Recorder()

    async def flaky(request: web.Request, n: int) -> web.Response:
        return web.Response(status=503) if n == 1 else web.Response(body=b"x" * 100)

    async def slow(request: web.Request, n: int) -> web.Response:
        await asyncio.sleep(0.05)
        return web.Response(body=b"y" * 10)

    rec.routes.update({"/flaky": flaky, "/slow": slow})
    stats = HostStats()
    retry = RetryMiddleware(backoff=ExponentialBackoff(0.01, jitter=0), on_retry=stats.on_retry)
    async with serve(rec) as base:
        async with cyhttp.ClientSession(middlewares=[retry, stats]) as s:
            async with s.get(base / "flaky") as r:
                await r.read()
            for _ in range(5):
                async with s.get(base / "slow") as r:
                    await r.read()
            async with s.get(base / "missing") as r:
                await r.read()
        key = host_key(base)
        c = stats[key]
        assert c.requests == 8 and c.retries == 1
        assert c.statuses == {503: 1, 200: 7}
        assert c.bytes == 100 + 5 * 10 + len("ok /missing")
        p50, p99 = c.percentile(50), c.percentile(99)
        assert p50 is not None and p99 is not None and 0.04 < p50 < 0.1 and p99 >= p50
        assert stats.totals().requests == 8
        d = stats.as_dict()[key]
        assert d["retries"] == 1 and d["latency"]["p90"] is not None
        assert list(stats) == [key] and key in stats and len(stats) == 1


async def test_errors_are_counted_by_type() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    stats = HostStats()
    async with cyhttp.ClientSession(middlewares=[stats]) as s:
        try:
            await s.get(f"http://127.0.0.1:{port}/")
        except cyhttp.ClientConnectorError:
            pass
    assert stats[f"127.0.0.1:{port}"].errors == {"ClientConnectorError": 1}
