"""timeouts.py: ClientTimeout values, deadline() rounding and the timeout_at block."""

from __future__ import annotations

import asyncio
import dataclasses
import math

import pytest

from cyhttp._client.timeouts import (
    DEFAULT_TIMEOUT,
    DEFAULT_WS_CLIENT_TIMEOUT,
    ClientTimeout,
    ClientWSTimeout,
    counts_cancels,
    deadline,
    earliest,
    timeout_at,
)


class MyTimeout(Exception):
    pass


def test_defaults_match_aiohttp() -> None:
    import aiohttp

    assert DEFAULT_TIMEOUT == ClientTimeout(total=300, sock_connect=30)
    ref = aiohttp.client.DEFAULT_TIMEOUT
    for f in ("total", "connect", "sock_read", "sock_connect", "ceil_threshold"):
        assert getattr(DEFAULT_TIMEOUT, f) == getattr(ref, f)
    assert ClientTimeout() == ClientTimeout(None, None, None, None, 5)
    assert DEFAULT_WS_CLIENT_TIMEOUT == ClientWSTimeout(ws_receive=None, ws_close=10.0)


def test_frozen_and_replace() -> None:
    t = ClientTimeout(total=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.total = 2  # type: ignore[misc]
    assert dataclasses.replace(t, connect=3) == ClientTimeout(total=1, connect=3)
    assert hash(t) == hash(ClientTimeout(total=1))


async def test_deadline_rounding() -> None:
    loop = asyncio.get_running_loop()
    assert deadline(loop, None, 5) is None
    assert deadline(loop, 0, 5) is None
    assert deadline(loop, -1, 5) is None
    now = loop.time()
    short = deadline(loop, 5, 5)  # at the threshold: exact
    assert short is not None and now + 5 <= short < now + 6
    long = deadline(loop, 5.01, 5)  # above: whole second, never earlier
    assert long is not None and long == math.ceil(long) and long >= now + 5.01
    assert earliest(None, None) is None
    assert earliest(1.0, None) == 1.0 and earliest(None, 2.0) == 2.0
    assert earliest(3.0, 2.0) == 2.0


async def test_none_arms_no_timer() -> None:
    loop = asyncio.get_running_loop()
    before = len(loop._scheduled)  # type: ignore[attr-defined]
    async with timeout_at(loop, None) as cm:
        assert len(loop._scheduled) == before  # type: ignore[attr-defined]
        await asyncio.sleep(0)
    assert not cm.expired


async def test_expiry_raises_factory_error() -> None:
    loop = asyncio.get_running_loop()
    with pytest.raises(MyTimeout) as info:
        async with timeout_at(loop, loop.time() + 0.01, MyTimeout) as cm:
            await asyncio.sleep(10)
    assert cm.expired
    assert isinstance(info.value.__cause__, asyncio.CancelledError)
    task = asyncio.current_task()
    assert task is not None
    if counts_cancels(task):
        assert task.cancelling() == 0


async def test_default_factory_is_timeout_error() -> None:
    loop = asyncio.get_running_loop()
    with pytest.raises(asyncio.TimeoutError):
        async with timeout_at(loop, loop.time()):  # already past: fires on next tick
            await asyncio.sleep(10)


async def test_no_expiry_cancels_timer() -> None:
    loop = asyncio.get_running_loop()
    async with timeout_at(loop, loop.time() + 10) as cm:
        await asyncio.sleep(0)
    assert not cm.expired
    await asyncio.sleep(0)  # timer handle was cancelled: nothing fires later
    assert not cm.expired


async def test_outer_cancel_propagates() -> None:
    loop = asyncio.get_running_loop()
    started = asyncio.Event()

    async def body() -> None:
        async with timeout_at(loop, loop.time() + 10, MyTimeout):
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(body())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_outer_cancel_racing_expiry_stays_cancel() -> None:
    loop = asyncio.get_running_loop()
    started = asyncio.Event()
    cm_box: list[timeout_at] = []

    async def body() -> None:
        async with timeout_at(loop, loop.time() + 10, MyTimeout) as cm:
            cm_box.append(cm)
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(body())
    await started.wait()
    cm_box[0]._on_timeout()  # the timer fires ...
    task.cancel()  # ... and the owner cancels in the same tick
    # Telling the two apart needs a task that counts cancellations (3.11+); a 3.10 task
    # cannot, and the expiry wins (as with aiohttp and async-timeout there).
    with pytest.raises(asyncio.CancelledError if counts_cancels(task) else MyTimeout):
        await task


async def test_reschedule() -> None:
    loop = asyncio.get_running_loop()
    with pytest.raises(MyTimeout):
        async with timeout_at(loop, None, MyTimeout) as cm:
            cm.reschedule(loop.time() + 0.01)
            await asyncio.sleep(10)
    async with timeout_at(loop, loop.time() + 0.01, MyTimeout) as cm:
        cm.reschedule(None)
        await asyncio.sleep(0.03)
    assert not cm.expired
    with pytest.raises(RuntimeError):
        cm.reschedule(1.0)


async def test_not_reusable() -> None:
    loop = asyncio.get_running_loop()
    cm = timeout_at(loop, None)
    async with cm:
        pass
    with pytest.raises(RuntimeError):
        async with cm:
            pass


async def test_exception_inside_passes_through() -> None:
    loop = asyncio.get_running_loop()
    with pytest.raises(KeyError):
        async with timeout_at(loop, loop.time() + 10, MyTimeout):
            raise KeyError("x")
