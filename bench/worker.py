"""One client on one loop: run the chosen scenarios, print one JSON line each.

Run as a subprocess by ``bench.__main__`` so every client starts clean, pure mode is
just an environment variable, and the clients never share a process or a loop.  Each
scenario gets a fresh client built for its ``Setup``; a client that cannot do a setup
reports the scenario as ``n/a``.
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
from bench.scenarios import (
    GATHERED,
    HOSTS,
    JSON_DOC,
    OWN_HEADERS,
    POST_BODY,
    SCENARIOS,
    WS_LARGE,
    WS_SMALL,
    Scenario,
)

# CPU seconds the client process spent in the last drive: the client's own cost per
# operation, which a server-bound scenario's throughput cannot show; and whether a time box
# cut the last gathered pattern short.
_last_cpu = [0.0]
_last_cut = [False]


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


async def _gathered(total: int, op, bound: int | None, time_box: float | None) -> tuple[int, int, float]:
    """``total`` tasks gathered at once (behind ``asyncio.Semaphore(bound)`` when given).

    ``time_box`` (--quick): what completed within it counts, the rest is cancelled unmeasured."""
    sizes = [0, 0]

    if bound is None:
        async def one(i: int) -> None:
            size = await op(i)  # awaited first: ``sizes[0] += await …`` would lose the others' bytes
            sizes[0] += size
            sizes[1] += 1
    else:
        sem = asyncio.Semaphore(bound)

        async def one(i: int) -> None:
            async with sem:
                size = await op(i)
            sizes[0] += size
            sizes[1] += 1

    start = time.perf_counter()
    cpu = time.process_time()
    everything = asyncio.gather(*(one(i) for i in range(total)))
    if time_box is None:
        await everything
    else:
        done, _ = await asyncio.wait([everything], timeout=time_box)
        if not done:
            elapsed, spent, count = time.perf_counter() - start, time.process_time() - cpu, sizes[1]
            everything.cancel()
            await asyncio.gather(everything, return_exceptions=True)
            _last_cpu[0] = spent
            _last_cut[0] = True
            return count, sizes[0], elapsed
    _last_cpu[0] = time.process_time() - cpu
    return sizes[1], sizes[0], time.perf_counter() - start


def _op(adapter, sc: Scenario, base: list[str]):
    first = base[0]
    if sc.kind == "get":
        url = first + sc.path
        return lambda i: adapter.get(url)
    if sc.kind == "get_headers":
        url = first + sc.path
        return lambda i: adapter.get_headers(url, OWN_HEADERS)
    if sc.kind == "post":
        url = first + sc.path
        return lambda i: adapter.post(url, POST_BODY)
    if sc.kind == "post_json":
        url = first + sc.path
        return lambda i: adapter.post_json(url, JSON_DOC)
    if sc.kind == "multihost":
        urls = [b + sc.path for b in base]
        return lambda i: adapter.get(urls[i % len(urls)])
    if sc.kind == "hosts":
        port = first.rsplit(":", 1)[1]
        urls = [f"http://127.0.0.{h}:{port}{sc.path}" for h in range(1, HOSTS + 1)]
        return lambda i: adapter.get(urls[i % len(urls)])
    raise ValueError(sc.kind)


async def run_scenario(adapter_cls, sc: Scenario, base: list[str], seconds: float, gathered: int,
                       time_box: float | None = None):
    try:
        adapter = adapter_cls(sc.setup)
    except NotImplementedError as exc:
        return f"n/a: {exc}"
    try:
        if sc.kind in ("ws_small", "ws_large"):
            return await _ws(adapter, sc, base[0], seconds)
        op = _op(adapter, sc, base)
        warm = HOSTS if sc.kind == "hosts" else len(base) if sc.kind == "multihost" else 1
        for i in range(warm):  # the pool and the caches (every host of a many-hosts pattern)
            await op(i)
        if sc.drive == "workers":
            n = len(base) * sc.concurrency if sc.kind == "multihost" else sc.concurrency
            return await _drive(n, seconds, op)
        return await _gathered(gathered, op, sc.concurrency if sc.drive == "semaphore" else None, time_box)
    finally:
        await adapter.close()


async def _ws(adapter, sc: Scenario, first: str, seconds: float):
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
    base = [f"http://127.0.0.1:{p}" for p in args.ports]
    for name in args.scenarios:
        sc = SCENARIOS[name]
        limit = args.duration * 4 + 20 + (
            (args.time_box or args.gathered / 500) * 1.5 if sc.drive != "workers" else 0)
        try:
            result = await asyncio.wait_for(
                run_scenario(adapter_cls, sc, base, args.duration, args.gathered, args.time_box), limit)
        except Exception as exc:  # a client failing a scenario is reported, not fatal
            print(json.dumps({"scenario": name, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
            continue
        if result is None:
            continue
        if isinstance(result, str):
            print(json.dumps({"scenario": name, "na": result}), flush=True)
            continue
        ops, nbytes, elapsed = result
        row = {"scenario": name, "ops": ops, "bytes": nbytes, "seconds": elapsed, "cpu": _last_cpu[0]}
        if _last_cut[0]:
            row["cut"] = True
            _last_cut[0] = False
        print(json.dumps(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", required=True)
    parser.add_argument("--loop", default="asyncio")
    parser.add_argument("--ports", type=int, nargs="+", required=True)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--gathered", type=int, default=GATHERED, help="tasks of a gathered pattern")
    parser.add_argument("--time-box", type=float, default=None,
                        help="a gathered pattern counts what completed within this many seconds (--quick)")
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    run(main_async(args), args.loop)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
