"""The server's Python-side cost per request, without sockets: ``python -m bench.web_request_cost``.

How it works: one connection's protocol gets a fake transport (``write`` only counts
bytes); the same request bytes are handed to ``data_received`` over and over, on a
running loop, and the time per answered request is reported (best of ``--repeat``).
Handlers that finish without waiting are answered inside ``data_received``, so this
measures parsing, routing, the handler, the response head and the bookkeeping — what
the server adds above the raw floor.  ``--profile`` prints a cProfile of the loop;
``--bytecodes`` counts the Python bytecodes and calls per request instead (sys.settrace:
a measure that other work on the machine cannot blur); ``--kind aiohttp`` runs
aiohttp.web's protocol the same way, for comparison (its loop machinery included, as
its answers run in tasks).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import time
from typing import Any

from bench.web_bench import POST_BODY

CONNECTIONS = 64
GET = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
POST = (b"POST /json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(POST_BODY)).encode() + b"\r\n\r\n" + POST_BODY.encode())


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = 0
        self.closing = False

    def write(self, data: Any) -> None:
        self.written += len(data)

    def writelines(self, data: Any) -> None:
        for d in data:
            self.write(d)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5555), "sockname": ("127.0.0.1", 8080)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


def make_app(web: Any) -> Any:
    from bench.web_server import make_app as mk

    return mk(web)


async def run(kind: str, scenario: str, n: int, repeat: int, profile: bool,
              bytecodes: bool = False) -> float:
    if kind == "aiohttp":
        from aiohttp import web
    else:
        from cyhttp import web  # type: ignore[no-redef]
    app = make_app(web)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    server = runner.server
    assert server is not None
    transport = FakeTransport()
    feeds = []
    for _ in range(CONNECTIONS):
        proto = server()
        proto.connection_made(transport)
        feeds.append(proto.data_received)
    data = GET if scenario == "get" else POST
    loop = asyncio.get_running_loop()

    async def batch(count: int) -> float:
        # Fed from loop callbacks, as a transport does (not from inside a task): each loop
        # iteration brings one request on each of CONNECTIONS connections, as the socket
        # benchmark's 64 keep-alive connections do; task-based servers answer in between.
        done = loop.create_future()
        left = count
        t0 = time.process_time()

        def tick() -> None:
            nonlocal left
            if left <= 0:
                done.set_result(time.process_time() - t0)
                return
            left -= CONNECTIONS
            for feed in feeds:
                feed(data)
            loop.call_soon(tick)

        loop.call_soon(tick)
        return await done

    await batch(CONNECTIONS * 4)
    if bytecodes:
        ops = calls = 0

        def tracer(frame: Any, event: str, arg: Any) -> Any:
            nonlocal ops, calls
            frame.f_trace_opcodes = True
            if event == "opcode":
                ops += 1
            elif event == "call":
                calls += 1
            return tracer

        sys.settrace(tracer)
        await batch(CONNECTIONS * 8)
        await asyncio.sleep(0)
        sys.settrace(None)
        await runner.cleanup()
        return float(ops * 100000 + calls) / (CONNECTIONS * 8)
    best = float("inf")
    prof = cProfile.Profile() if profile else None
    for _ in range(repeat):
        written = transport.written
        if prof:
            prof.enable()
        dt = await batch(n)
        if prof:
            prof.disable()
        await asyncio.sleep(0)
        assert transport.written > written, "no responses written"
        best = min(best, dt / (-(-n // CONNECTIONS) * CONNECTIONS) * 1e6)
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    await runner.cleanup()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.web_request_cost")
    parser.add_argument("--kind", choices=("cyhttp", "aiohttp"), default="cyhttp")
    parser.add_argument("--scenario", choices=("get", "post"), default="get")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("-n", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--bytecodes", action="store_true")
    args = parser.parse_args()
    coro = run(args.kind, args.scenario, args.n, args.repeat, args.profile, args.bytecodes)
    if args.loop == "uvloop":
        import uvloop

        us = uvloop.run(coro)
    else:
        us = asyncio.run(coro)
    if args.bytecodes:
        both = us * CONNECTIONS * 8
        ops, calls = divmod(round(both), 100000)
        n = CONNECTIONS * 8
        print(json.dumps({"kind": args.kind, "scenario": args.scenario, "loop": args.loop,
                          "bytecodes_per_request": round(ops / n), "calls_per_request": round(calls / n, 1)}))
        return
    print(json.dumps({"kind": args.kind, "scenario": args.scenario, "loop": args.loop,
                      "us_per_request": round(us, 3)}))


if __name__ == "__main__":
    main()
