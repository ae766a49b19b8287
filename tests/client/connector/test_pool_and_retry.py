"""Many concurrent requests through a bounded pool; retry on a stale keep-alive connection."""

from __future__ import annotations

import asyncio

import pytest

import cyhttp

from .._peers import raw_server, read_head


async def echo_path(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        try:
            head = await read_head(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        path = head.split(b" ", 2)[1]
        body = path * 10
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()


async def test_thousand_requests_through_limit_20() -> None:
    async with raw_server(echo_path) as srv:
        connector = cyhttp.TCPConnector(limit=20)
        async with cyhttp.ClientSession(connector=connector) as session:

            async def one(i: int) -> None:
                async with session.get(srv.url / f"p{i}") as resp:
                    assert await resp.read() == f"/p{i}".encode() * 10

            await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(1000))), 60)
        assert srv.max_open <= 20
        assert srv.accepted <= 20
    # nothing leaks: -W error::ResourceWarning in CI turns a leak into a failure


async def test_retry_once_when_server_closed_idle_connection() -> None:
    """The server answers once and closes without saying so: the next GET is retried."""

    async def one_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()

    async with raw_server(one_then_close) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url / "a") as resp:
                assert await resp.read() == b"ok"
            await asyncio.sleep(0.05)  # the close reaches us, or not: both must work
            async with session.get(srv.url / "b") as resp:
                assert await resp.read() == b"ok"
        assert srv.accepted == 2


async def test_stale_connection_race_is_retried_for_get_only() -> None:
    """The server reads the second request on a reused connection and closes without answering."""
    state = {"conns": 0}

    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state["conns"] += 1
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        head = await read_head(reader)
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await reader.readexactly(length)
        # close without a response

    async with raw_server(answer_once) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url / "a") as resp:
                await resp.read()
            async with session.get(srv.url / "b") as resp:  # retried on a new connection
                assert await resp.read() == b"ok"
            assert state["conns"] == 2
            async with session.get(srv.url / "c") as resp:
                await resp.read()
            with pytest.raises(cyhttp.ServerDisconnectedError):  # POST with a body: never resent
                await session.post(srv.url / "d", data=b"body")
