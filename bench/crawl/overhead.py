"""CPU per request of the crawler toolkit's middlewares when they have nothing to do.

``python -m bench.crawl.overhead [--peer memory|aiohttp] [--requests N]`` runs the same
small GETs through sessions with more and more of the toolkit enabled and prints the
client's CPU time per request (``time.process_time``, best of several runs):

- ``plain``: no middleware;
- ``noop-mw``: one pass-through middleware (what a middleware itself costs on the one request path);
- ``retry+polite``: RetryMiddleware(attempts=3) + PolitenessMiddleware with a rate far
  above what is sent (both run their checks; neither waits nor retries);
- ``+stats``, ``+robots``: HostStats and a RobotsMiddleware with the rules cached;
- ``adaptive``: the politeness in adaptive mode — not "nothing to do": its delay follows
  the latency, so with 16 tasks on one host it really throttles (shown for scale).

``--peer memory`` answers from an in-memory transport (the client's own work only, most
stable); ``--peer aiohttp`` talks to an aiohttp.web server in another process over
loopback (only this process's CPU is counted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import cyhttp
from cyhttp import HostPolicy, HostStats, PolitenessMiddleware, RetryMiddleware, RobotsMiddleware

_SERVER = """
import sys
from aiohttp import web
async def ok(request):
    return web.Response(text="Hello, World!")
async def robots(request):
    return web.Response(text="User-agent: *\\nDisallow: /private\\n")
app = web.Application()
app.router.add_get("/small", ok)
app.router.add_get("/robots.txt", robots)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


async def _noop(req: Any, handler: Any) -> Any:
    return await handler(req)


def configs() -> dict[str, Callable[[], list[Any]]]:
    fast = HostPolicy(rate=1e9, burst=1_000_000)
    return {
        "plain": lambda: [],
        "noop-mw": lambda: [_noop],
        "retry+polite": lambda: [RetryMiddleware(attempts=3), PolitenessMiddleware(fast)],
        "retry+polite+stats": lambda: [RetryMiddleware(attempts=3), PolitenessMiddleware(fast), HostStats()],
        "retry+polite+stats+robots": lambda: [RetryMiddleware(attempts=3), RobotsMiddleware("bench"),
                                              PolitenessMiddleware(fast), HostStats()],
        "adaptive": lambda: [RetryMiddleware(attempts=3), PolitenessMiddleware(adaptive=True)],
    }


async def measure(url: str, middlewares: list[Any], requests: int, tasks: int,
                  connector: Callable[[], cyhttp.BaseConnector]) -> float:
    async with cyhttp.ClientSession(connector=connector(), middlewares=middlewares) as session:
        for _ in range(50):  # warm up: connections, robots.txt, caches
            async with session.get(url) as resp:
                await resp.read()
        per_task = requests // tasks

        async def one() -> None:
            for _ in range(per_task):
                async with session.get(url) as resp:
                    await resp.read()

        start = time.process_time()
        await asyncio.gather(*(one() for _ in range(tasks)))
        return (time.process_time() - start) / (per_task * tasks) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.overhead", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", choices=["memory", "aiohttp"], default="memory")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    proc = None
    if args.peer == "memory":
        from bench.request_cost import _MemoryConnector

        url = "http://127.0.0.1:1/small"
        make: Callable[[], cyhttp.BaseConnector] = lambda: _MemoryConnector(limit=0)  # noqa: E731
    else:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen([sys.executable, "-c", _SERVER, str(port)], env=dict(os.environ))
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/small"
        make = lambda: cyhttp.TCPConnector(limit=args.tasks)  # noqa: E731
    try:
        results: dict[str, float] = {}
        for _ in range(args.repeat):  # interleaved, so drift on a shared machine hits all alike
            for name, build in configs().items():
                cost = asyncio.run(measure(url, build(), args.requests, args.tasks, make))
                results[name] = min(results.get(name, float("inf")), cost)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()
    base, noop = results["plain"], results["noop-mw"]
    print(f"peer={args.peer} engine={'compiled' if cyhttp.EXTENSIONS else 'pure'} "
          f"requests={args.requests} tasks={args.tasks} (best of {args.repeat})")
    print(f"{'configuration':28} {'us/req':>8} {'vs plain':>9} {'vs noop-mw':>11}")
    for name, cost in results.items():
        print(f"{name:28} {cost:8.2f} {100 * (cost / base - 1):+8.1f}% {100 * (cost / noop - 1):+10.1f}%")


if __name__ == "__main__":
    main()
