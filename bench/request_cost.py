"""The Python-side cost of one small GET: the session over an in-memory transport.

``python -m bench.request_cost [--loop asyncio|uvloop] [--profile]`` prints µs per
request (process CPU time) with 64 concurrent tasks, the best of 7 short runs.  No sockets are involved:
the fake transport answers every write with a canned 13-byte response on the next
loop iteration, so what is measured is exactly the client's own work (session,
request, connector, protocol, parser, response, reader) plus the loop's scheduling.
That number is stable on a busy machine where the socket benchmark is not; use it to
compare two versions of the request path (PYTHONPATH=<other tree>/src selects one).
``--profile`` runs once under cProfile and prints the top functions by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import cyhttp
from cyhttp._client.connector.pool import BaseConnector

RESPONSE = (b"HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Sat, 21 Nov 2026 00:00:00 GMT\r\n"
            b"Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")


class _Transport(asyncio.Transport):
    def __init__(self, protocol: Any, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._protocol = protocol
        self._loop = loop
        self._closing = False

    def write(self, data: Any) -> None:
        self._loop.call_soon(self._protocol.data_received, RESPONSE)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._loop.call_soon(self._protocol.connection_lost, None)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class _MemoryConnector(BaseConnector):
    async def _create_connection(self, req: Any, traces: Any, timeout: Any) -> Any:
        proto = self._factory()
        proto.connection_made(_Transport(proto, self._loop))
        return proto


async def measure(tasks: int = 64, seconds: float = 0.4) -> float:
    """µs per request for ``tasks`` concurrent loops of ``async with get(): read()``."""
    loop = asyncio.get_running_loop()
    count = 0
    async with cyhttp.ClientSession(connector=_MemoryConnector(limit=0)) as session:
        async def one() -> None:
            nonlocal count
            end = loop.time() + seconds
            while loop.time() < end:
                async with session.get("http://127.0.0.1:1/small") as resp:
                    await resp.read()
                count += 1

        # CPU time, not wall time: on a shared machine it moves ~2 % between runs, wall time ~25 %.
        start = time.process_time()
        await asyncio.gather(*(one() for _ in range(tasks)))
        elapsed = time.process_time() - start
    return elapsed / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.request_cost", description=__doc__)
    parser.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    from bench.loops import run

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        run(measure(seconds=2.0), args.loop)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return
    best = min(run(measure(), args.loop) for _ in range(7))
    print(f"{best:.2f} us/request")


if __name__ == "__main__":
    main()
