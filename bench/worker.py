"""One client on one loop: run the chosen scenarios, print one JSON line each.

Run as a subprocess by ``bench.__main__`` so every client starts clean, pure mode is
just an environment variable, and the clients never share a process or a loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

from bench.clients import load
from bench.loops import run
from bench.scenarios import POST_BODY, SCENARIOS, WS_LARGE, WS_SMALL, Scenario


async def _drive(n: int, seconds: float, op) -> tuple[int, int, float]:
    """n tasks repeat ``op`` until the deadline; returns (operations, bytes, elapsed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    counts = [0, 0]

    async def one(i: int) -> None:
        while loop.time() < deadline:
            # Await first: ``counts[1] += await op(i)`` would read counts[1] before the
            # await and lose every other task's bytes that arrived meanwhile.
            size = await op(i)
            counts[1] += size
            counts[0] += 1

    start = time.perf_counter()
    cpu = time.process_time()
    await asyncio.gather(*(one(i) for i in range(n)))
    _last_cpu[0] = time.process_time() - cpu
    return counts[0], counts[1], time.perf_counter() - start


# CPU seconds the client process spent in the last _drive: the client's own cost per
# operation, which a server-bound scenario's throughput cannot show.
_last_cpu = [0.0]


async def run_scenario(adapter, sc: Scenario, base: list[str], seconds: float):
    first = base[0]
    if sc.kind == "get":
        url = first + sc.path
        await adapter.get(url)  # warm the pool and caches
        return await _drive(sc.concurrency, seconds, lambda i: adapter.get(url))
    if sc.kind == "post":
        url = first + sc.path
        await adapter.post(url, POST_BODY)
        return await _drive(sc.concurrency, seconds, lambda i: adapter.post(url, POST_BODY))
    if sc.kind == "multihost":
        urls = [b + sc.path for b in base]
        for u in urls:
            await adapter.get(u)
        return await _drive(len(urls) * sc.concurrency, seconds, lambda i: adapter.get(urls[i % len(urls)]))
    if adapter.ws_open is None:
        return None
    payload = WS_SMALL if sc.kind == "ws_small" else WS_LARGE
    sockets = [await adapter.ws_open(first.replace("http", "ws") + sc.path) for _ in range(sc.concurrency)]
    try:
        await adapter.ws_echo(sockets[0], payload)
        return await _drive(sc.concurrency, seconds, lambda i: adapter.ws_echo(sockets[i], payload))
    finally:
        for ws in sockets:
            await ws.close()


async def main_async(args) -> None:
    adapter_cls = load(args.client)
    adapter = adapter_cls()
    base = [f"http://127.0.0.1:{p}" for p in args.ports]
    try:
        for name in args.scenarios:
            sc = SCENARIOS[name]
            try:
                result = await asyncio.wait_for(
                    run_scenario(adapter, sc, base, args.duration), args.duration * 4 + 20
                )
            except Exception as exc:  # a client failing a scenario is reported, not fatal
                print(json.dumps({"scenario": name, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
                continue
            if result is None:
                continue
            ops, nbytes, elapsed = result
            print(json.dumps({"scenario": name, "ops": ops, "bytes": nbytes, "seconds": elapsed,
                              "cpu": _last_cpu[0]}), flush=True)
    finally:
        await adapter.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", required=True)
    parser.add_argument("--loop", default="asyncio")
    parser.add_argument("--ports", type=int, nargs="+", required=True)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    run(main_async(args), args.loop)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
