"""Waiting for the pool: a plain future per queued request, FIFO, handed what it waits for.

A released reusable connection goes straight to the next request queued for its key (no
parking in the idle pool, no re-check by the woken request); a slot freed any other way
is reserved for the next waiter; a waiter cancelled after it was handed something
passes it on.  Checked on the connector itself and through the session's request path
(which queues on the pool's future without a connect() coroutine).
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

import cyhttp
from cyhttp.connector import TCPConnector

from .._connector_peer import NO_TIMEOUT, CountingServer, FakeRequest
from .._peers import raw_server, read_head

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@pytest.fixture
async def server() -> Any:
    srv = await CountingServer().start()
    yield srv
    await srv.stop()


async def test_released_connection_is_handed_to_the_next_waiter(server: CountingServer) -> None:
    connector = TCPConnector(limit=1)
    req = FakeRequest(server.url())
    held = await connector.connect(req, [], NO_TIMEOUT)
    proto = held.protocol
    waiters = [asyncio.create_task(connector.connect(req, [], NO_TIMEOUT)) for _ in range(3)]
    await asyncio.sleep(0.01)
    held.release()
    assert not connector._conns  # handed over, never parked
    assert connector._available_connections(req.connection_key) == 0  # still acquired: the waiter's
    assert connector._take_idle(req.connection_key) is None  # a newcomer cannot take it first
    first = await waiters[0]
    assert first.protocol is proto and first.reused
    first.release()
    second = await waiters[1]
    assert second.protocol is proto
    second.close()  # not reusable: the third waiter gets the slot and opens a new connection
    third = await asyncio.wait_for(waiters[2], 5)
    assert third.protocol is not proto and not third.reused
    third.release()
    assert not connector._waiters and len(connector._acquired) == 0
    await connector.close()


async def test_waiter_cancelled_after_the_handover_passes_it_on(server: CountingServer) -> None:
    connector = TCPConnector(limit=1)
    req = FakeRequest(server.url())
    held = await connector.connect(req, [], NO_TIMEOUT)
    proto = held.protocol
    w1 = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await asyncio.sleep(0)
    w2 = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await asyncio.sleep(0.01)
    held.release()  # w1's future now holds the connection ...
    w1.cancel()  # ... and w1 is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await w1
    got = await asyncio.wait_for(w2, 5)
    assert got.protocol is proto
    got.release()
    assert not connector._acquired and not connector._waiters
    await connector.close()


async def test_per_host_queues_are_served_by_their_own_releases(server: CountingServer) -> None:
    other = await CountingServer().start()
    connector = TCPConnector(limit_per_host=1)
    try:
        a, b = FakeRequest(server.url()), FakeRequest(other.url())
        ha = await connector.connect(a, [], NO_TIMEOUT)
        hb = await connector.connect(b, [], NO_TIMEOUT)
        wa = asyncio.create_task(connector.connect(a, [], NO_TIMEOUT))
        wb = asyncio.create_task(connector.connect(b, [], NO_TIMEOUT))
        await asyncio.sleep(0.01)
        pb = hb.protocol
        hb.release()
        got_b = await asyncio.wait_for(wb, 5)
        assert got_b.protocol is pb and not wa.done()
        ha.release()
        got_a = await asyncio.wait_for(wa, 5)
        got_a.release()
        got_b.release()
        assert not connector._waiters and not connector._acquired
    finally:
        await connector.close()
        await other.stop()


async def test_total_limit_slot_goes_to_another_hosts_waiter(server: CountingServer) -> None:
    other = await CountingServer().start()
    connector = TCPConnector(limit=1)
    try:
        a, b = FakeRequest(server.url()), FakeRequest(other.url())
        ha = await connector.connect(a, [], NO_TIMEOUT)
        wb = asyncio.create_task(connector.connect(b, [], NO_TIMEOUT))
        await asyncio.sleep(0.01)
        ha.release()  # parked (nobody queued for a); its slot is reserved for b's waiter
        got = await asyncio.wait_for(wb, 5)
        assert not got.reused and len(connector._acquired) == 1
        got.release()
    finally:
        await connector.close()
        await other.stop()


def _answering(delay: float = 0.0) -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_head(reader)
            if delay:
                await asyncio.sleep(delay)
            writer.write(OK)
            await writer.drain()

    return handler


async def test_session_requests_queued_by_limit_run_fifo_on_few_connections() -> None:
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await read_head(reader)
            seen.append(head.split(b" ")[1])
            await asyncio.sleep(0.001)
            writer.write(OK)
            await writer.drain()

    async with raw_server(handler) as srv:
        connector = cyhttp.TCPConnector(limit=2)
        async with cyhttp.ClientSession(connector=connector) as session:
            async def one(i: int) -> None:
                async with session.get(srv.url / f"p{i}") as resp:
                    assert await resp.read() == b"ok"

            await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(40))), 20)
            assert not connector._waiters and not connector._acquired
        assert srv.accepted == 2 and srv.max_open == 2
    order = [int(target[2:]) for target in seen]
    assert sorted(order) == list(range(40))
    # Two connections take turns: each request starts no later than two places after its turn.
    assert all(abs(pos - i) <= 2 for pos, i in enumerate(order))


@pytest.mark.parametrize("limit,per_host", [(3, 0), (0, 2)])
async def test_session_queue_cancellation_never_leaks_a_slot(limit: int, per_host: int) -> None:
    async with raw_server(_answering(0.002)) as srv:
        connector = cyhttp.TCPConnector(limit=limit, limit_per_host=per_host)
        peak = 0
        acquire = connector._acquire

        def counting(key: Any, proto: Any) -> None:
            nonlocal peak
            acquire(key, proto)
            peak = max(peak, len(connector._acquired))

        connector._acquire = counting  # type: ignore[method-assign]
        async with cyhttp.ClientSession(connector=connector) as session:
            async def one() -> bytes:
                async with session.get(srv.url / "x") as resp:
                    return await resp.read()

            rng = random.Random(7)
            tasks = [asyncio.create_task(one()) for _ in range(120)]
            for _ in range(12):
                await asyncio.sleep(0.002)
                for task in rng.sample(tasks, 6):
                    task.cancel()
            results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
            assert any(isinstance(r, asyncio.CancelledError) for r in results)
            assert all(r == b"ok" for r in results if not isinstance(r, BaseException))
            assert not connector._waiters and not connector._acquired
            bound = limit or per_host
            done = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(bound * 4))), 10)
            assert done == [b"ok"] * (bound * 4)
            assert not connector._acquired
        assert peak == bound  # (the server may see a closed one linger: it counts the client's)


async def test_session_total_timeout_while_queued() -> None:
    async with raw_server(_answering(0.3)) as srv:
        connector = cyhttp.TCPConnector(limit=1)
        timeout = cyhttp.ClientTimeout(total=0.1)
        async with cyhttp.ClientSession(connector=connector) as session:
            first = asyncio.create_task(session.get(srv.url / "slow"))
            await asyncio.sleep(0.01)
            with pytest.raises(asyncio.TimeoutError):
                await session.get(srv.url / "queued", timeout=timeout)
            assert not any(connector._waiters.values())
            resp = await first
            assert await resp.read() == b"ok"
            async with session.get(srv.url / "after") as resp:  # the slot is still there
                assert await resp.read() == b"ok"
        assert srv.accepted == 1
