"""Resolvers: same answers and error types as aiohttp's, on names the host resolves locally."""

from __future__ import annotations

import socket

import pytest

from cyhttp._client.connector import resolver as ours
from cyhttp.abc import AbstractResolver


@pytest.fixture(params=["ThreadedResolver", "AsyncResolver"])
def pair(request: pytest.FixtureRequest) -> tuple[type, type]:
    import aiohttp.resolver as ref

    return getattr(ours, request.param), getattr(ref, request.param)


def test_default_resolver_matches_aiohttp() -> None:
    import aiohttp.resolver as ref

    assert ours.DefaultResolver.__name__ == ref.DefaultResolver.__name__
    assert issubclass(ours.ThreadedResolver, AbstractResolver)
    assert issubclass(ours.AsyncResolver, AbstractResolver)


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_UNSPEC])
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
async def test_same_results_as_aiohttp(pair: tuple[type, type], host: str, family: int) -> None:
    mine, theirs = pair[0](), pair[1]()
    try:
        got = await mine.resolve(host, 8080, family)
        want = await theirs.resolve(host, 8080, family)
    finally:
        await mine.close()
        await theirs.close()
    assert got == want
    assert all(r["port"] == 8080 and r["hostname"] == host for r in got)
    assert all(r["flags"] == socket.AI_NUMERICHOST | socket.AI_NUMERICSERV for r in got)


async def test_unknown_name_raises_oserror(pair: tuple[type, type]) -> None:
    mine, theirs = pair[0](), pair[1]()
    try:
        with pytest.raises(OSError) as got:
            await mine.resolve("no-such-host.invalid", 80)
        with pytest.raises(OSError) as want:
            await theirs.resolve("no-such-host.invalid", 80)
    finally:
        await mine.close()
        await theirs.close()
    assert type(got.value) is type(want.value)


async def test_async_resolver_shares_one_channel_per_loop() -> None:
    a, b = ours.AsyncResolver(), ours.AsyncResolver()
    assert a._resolver is b._resolver
    channel = a._resolver
    await a.close()
    assert (await b.resolve("localhost", 1))  # still usable by b
    await b.close()
    await b.close()  # idempotent
    c = ours.AsyncResolver()
    assert c._resolver is not channel  # the last close released the shared channel
    await c.close()
    with pytest.raises(RuntimeError):
        await c.resolve("localhost")


async def test_async_resolver_custom_args_get_a_dedicated_channel() -> None:
    shared, own = ours.AsyncResolver(), ours.AsyncResolver(nameservers=["127.0.0.1"])
    assert shared._resolver is not own._resolver
    await own.close()
    await shared.close()
