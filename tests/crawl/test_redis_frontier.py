"""RedisFrontier against a real redis-server started by the test, and two crawl processes
sharing it over a local site of 20 hosts (127.0.0.1–20) — one killed halfway and restarted."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from yarl import URL

from ._linked_site import LinkedSite
from ._socks_peers import free_port

redis_asyncio = pytest.importorskip("redis.asyncio", reason="redis (the client) is in the crawl extra")

from cyhttp.crawl.redis_frontier import RedisFrontier  # noqa: E402

SRC = str(Path(__file__).resolve().parents[2] / "src")
HOSTS = 20
DELAY = 0.05  # seconds between two requests to one host, across all the processes
PAGES = 50  # per host: 1,000 pages in all (the 20 × 500, scaled to keep the test near 10 s)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server (Debian package, installed by .ci/run) is not installed")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
async def frontier(redis_url: str, request: pytest.FixtureRequest) -> AsyncIterator[RedisFrontier]:
    f = await RedisFrontier.connect(redis_url, name=f"t-{request.node.name}", lease=0.3, poll=0.01)
    await f.clear()
    yield f
    await f.clear()
    await f.close()


async def test_add_take_done_dedupe(frontier: RedisFrontier) -> None:
    assert await frontier.add([("http://a/1", 0), ("http://a/2", 0), ("http://a/1", 0)]) == 2
    one = await frontier.take()
    assert one is not None and one.url == "http://a/1"
    assert await frontier.counts() == (0, 1, 1)
    assert await frontier.done(one, {"url": one.url}, [("http://a/2", 1), ("http://a/3", 1)])
    assert await frontier.counts() == (1, 2, 0)  # a/2 was seen already; a/3 is new
    urls = []
    while (item := await frontier.take()) is not None:
        urls.append(item.url)
        await frontier.done(item, {"url": item.url}, [])
    assert urls == ["http://a/2", "http://a/3"]
    assert [r["url"] for r in await frontier.results()] == ["http://a/1", "http://a/2", "http://a/3"]


async def test_an_expired_lease_returns_and_the_late_result_is_refused(frontier: RedisFrontier) -> None:
    await frontier.add([("http://a/1", 0)])
    first = await frontier.take()
    assert first is not None
    other = RedisFrontier(frontier.redis, name=frontier.name, lease=10, poll=0.01)
    t0 = time.monotonic()
    again = await other.take()  # waits for the lease to expire, then takes it over
    assert again is not None and again.url == "http://a/1" and time.monotonic() - t0 >= 0.25
    assert not await frontier.done(first, {"url": "late"}, [])  # the dead owner's answer: dropped
    assert await other.done(again, {"url": "http://a/1"}, [])
    assert [r["url"] for r in await frontier.results()] == ["http://a/1"]


async def test_give_back_and_shared_reservations(frontier: RedisFrontier) -> None:
    await frontier.add([("http://a/1", 0)])
    item = await frontier.take()
    assert item is not None
    await frontier.give_back(item)
    assert await frontier.counts() == (0, 1, 0)
    assert await frontier.acquire("h", 0.1) == 0
    wait = await frontier.acquire("h", 0.1)
    assert 0.05 <= wait <= 0.1
    t0 = time.monotonic()
    await frontier.wait_turn("h", 0.1)
    assert time.monotonic() - t0 >= wait - 0.01


def _loopback_hosts(n: int) -> list[str]:
    """127.0.0.1..n when this machine lets us bind them (Linux does), else 127.0.0.1 n times."""
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.2", 0))
    except OSError:
        return ["127.0.0.1"] * n
    return [f"127.0.0.{i}" for i in range(1, n + 1)]


def _crawl_cmd(redis_url: str, name: str) -> list[str]:
    return [sys.executable, "-m", "cyhttp", "crawl", "-", "--follow", "--depth", "100", "--frontier", redis_url,
            "--frontier-name", name, "--lease", "2", "--delay", str(DELAY), "--concurrency", "8", "--per-host", "1",
            "--retries", "0", "-q"]


async def _spawn(cmd: list[str], starts: bytes) -> asyncio.subprocess.Process:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = await asyncio.create_subprocess_exec(*cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.PIPE, env=env)
    assert proc.stdin is not None
    proc.stdin.write(starts)
    proc.stdin.close()
    return proc


async def test_two_processes_one_killed_and_restarted(redis_url: str) -> None:
    sites = [LinkedSite(PAGES) for _ in range(HOSTS)]
    runners: list[web.AppRunner] = []
    bases: list[URL] = []
    for site, host in zip(sites, _loopback_hosts(HOSTS)):
        runner = web.AppRunner(site.app, handle_signals=False)
        await runner.setup()
        tcp = web.TCPSite(runner, host, 0)
        await tcp.start()
        runners.append(runner)
        bases.append(URL(f"http://{host}:{tcp._server.sockets[0].getsockname()[1]}"))  # type: ignore[union-attr]
    name = f"two-{os.getpid()}"
    watcher = await RedisFrontier.connect(redis_url, name=name)
    await watcher.clear()
    starts = "".join(f"{b}/p/0\n" for b in bases).encode()
    cmd = _crawl_cmd(redis_url, name)
    procs: list[asyncio.subprocess.Process] = []
    try:
        a = await _spawn(cmd, starts)
        b = await _spawn(cmd, starts)
        procs += [a, b]
        deadline = time.monotonic() + 60
        while (await watcher.counts())[0] < HOSTS * PAGES // 2:
            assert time.monotonic() < deadline, "the crawl did not get halfway"
            assert a.returncode is None and b.returncode is None
            await asyncio.sleep(0.02)
        leased_at_kill = (await watcher.counts())[2]
        a.send_signal(signal.SIGKILL)
        await a.wait()
        again = await _spawn(cmd, starts)  # restarted: it joins the same frontier
        procs.append(again)
        for proc in (b, again):
            _, err = await asyncio.wait_for(proc.communicate(), 90)
            assert proc.returncode == 0, err.decode()
        results = await watcher.results()
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        await watcher.clear()
        await watcher.close()
        for runner in runners:
            await runner.cleanup()
    expected = {f"{base}/p/{n}" for base in bases for n in range(PAGES)}
    urls = [str(r["url"]) for r in results]
    assert len(urls) == len(set(urls)) == HOSTS * PAGES  # one result per page: no duplicates
    assert set(urls) == expected  # nothing lost, the killed process's leases included
    assert all(r["status"] == 200 for r in results)
    hits = [n for site in sites for n in site.hits.values()]
    assert len(hits) == HOSTS * PAGES and min(hits) == 1
    # Only what the killed process had in flight can have reached a server twice.
    assert sum(n - 1 for n in hits) <= max(leased_at_kill, 8)
    # Politeness held per host across the processes: starts are granted DELAY apart by Redis's
    # clock.  What a server sees also carries each request's way there and the test process's
    # own loop (twenty servers on a busy 2-core machine), which can bunch two arrivals; so the
    # check is on spans: any 10 consecutive requests to a host span at least 9 delays, less
    # that lag.  Two processes each keeping the delay on its own would span half of it.
    for site in sites:
        times = sorted(site.times)
        spans = [times[i + 9] - times[i] for i in range(len(times) - 9)]
        assert min(spans) >= 9 * DELAY - 0.1, min(spans)
