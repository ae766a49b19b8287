"""Timeouts on the request path: sock_read per read, total over the whole request."""

from __future__ import annotations

import asyncio

import pytest

import cyhttp

from ._peers import raw_server, read_head


def stall_after(data: bytes):
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(data)
        await writer.drain()
        await asyncio.sleep(30)

    return handler


async def test_sock_read_before_head() -> None:
    async with raw_server(stall_after(b"")) as srv:
        async with cyhttp.ClientSession(timeout=cyhttp.ClientTimeout(sock_read=0.1)) as session:
            with pytest.raises(cyhttp.SocketTimeoutError):
                await session.get(srv.url / "x")


async def test_sock_read_mid_body() -> None:
    async with raw_server(stall_after(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url / "x", timeout=cyhttp.ClientTimeout(sock_read=0.1)) as resp:
                assert resp.status == 200
                with pytest.raises(cyhttp.ServerTimeoutError):
                    await resp.read()


async def test_sock_read_is_per_read_not_total() -> None:
    """A slow drip that never pauses longer than sock_read completes."""

    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n")
        for _ in range(8):
            await asyncio.sleep(0.05)
            writer.write(b"x")
            await writer.drain()
        await reader.read()

    async with raw_server(drip) as srv:
        async with cyhttp.ClientSession(timeout=cyhttp.ClientTimeout(sock_read=0.3)) as session:
            async with session.get(srv.url / "x") as resp:
                assert await resp.read() == b"x" * 8


async def test_total_before_head() -> None:
    async with raw_server(stall_after(b"")) as srv:
        async with cyhttp.ClientSession(timeout=cyhttp.ClientTimeout(total=0.1)) as session:
            with pytest.raises(asyncio.TimeoutError):
                await session.get(srv.url / "x")


async def test_total_covers_body_read() -> None:
    async with raw_server(stall_after(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url / "x", timeout=0.2) as resp:
                with pytest.raises(asyncio.TimeoutError):
                    await resp.read()


async def test_total_covers_redirects() -> None:
    async def slow_redirects(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(20):
            await read_head(reader)
            await asyncio.sleep(0.05)
            writer.write(b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    async with raw_server(slow_redirects) as srv:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(asyncio.TimeoutError):
                await session.get(srv.url / "x", timeout=cyhttp.ClientTimeout(total=0.3), max_redirects=50)


async def test_no_timeout_means_no_timer() -> None:
    async def ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await reader.read()

    async with raw_server(ok) as srv:
        async with cyhttp.ClientSession(timeout=cyhttp.ClientTimeout()) as session:
            loop = asyncio.get_running_loop()

            def timers() -> list[asyncio.TimerHandle]:
                # the pool's one keep-alive cleanup timer is not per request
                return [h for h in loop._scheduled  # type: ignore[attr-defined]
                        if "_cleanup" not in (getattr(h, "_args", None) or ())]

            before = len(timers())
            async with session.get(srv.url / "x") as resp:
                assert len(timers()) == before
                assert await resp.read() == b"ok"
