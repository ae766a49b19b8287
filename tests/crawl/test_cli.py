"""``python -m cyhttp fetch`` / ``crawl`` as a user runs them: subprocesses against a real site."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from yarl import URL

from ._linked_site import LinkedSite
from ._site import web_server

SRC = str(Path(__file__).resolve().parents[2] / "src")


async def run_cli(*args: str, stdin: bytes | None = None, timeout: float = 60,
                  interrupt_after: float | None = None) -> tuple[int, bytes, bytes]:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cyhttp", *args, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
    if interrupt_after is not None:
        async def interrupt() -> None:
            await asyncio.sleep(interrupt_after)
            if proc.returncode is None:
                proc.send_signal(signal.SIGINT)

        killer = asyncio.ensure_future(interrupt())
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    if interrupt_after is not None:
        killer.cancel()
    assert proc.returncode is not None
    return proc.returncode, out, err


@pytest.fixture
async def two_sites() -> AsyncIterator[tuple[LinkedSite, URL, LinkedSite, URL]]:
    a, b = LinkedSite(60), LinkedSite(40)
    async with web_server(a.app) as base_a, web_server(b.app) as base_b:
        yield a, base_a, b, base_b


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_version_still_prints() -> None:
    code, out, _ = await run_cli("--version")
    assert code == 0 and out.startswith(b"cyhttp ") and b"engine:" in out


async def test_fetch_prints_head_and_body_and_fails_on_request(two_sites: tuple[LinkedSite, URL, LinkedSite, URL],
                                                               tmp_path: Path) -> None:
    _, base, _, _ = two_sites
    code, out, err = await run_cli("fetch", "-i", str(base / "p" / "1"))
    assert code == 0 and out.startswith(b"HTTP/1.1 200 OK\r\n") and b"<h1>page 1</h1>" in out
    assert b"200 OK" in err
    target = tmp_path / "page.html"
    code, out, _ = await run_cli("fetch", "-s", "-o", str(target), str(base / "p" / "2"))
    assert code == 0 and out == b"" and b"page 2" in target.read_bytes()
    code, _, _ = await run_cli("fetch", "-s", "--fail", str(base / "p" / "999"))
    assert code == 22
    code, _, err = await run_cli("fetch", "-s", "http://127.0.0.1:9/")
    assert code == 1 and b"error:" in err


async def test_crawl_follows_same_site_links_once_each(two_sites: tuple[LinkedSite, URL, LinkedSite, URL],
                                                       tmp_path: Path) -> None:
    a, base_a, b, base_b = two_sites
    out = tmp_path / "results.jsonl"
    starts = f"{base_a}/p/0\n{base_b}/p/0\n# a comment\n\n".encode()
    code, _, err = await run_cli("crawl", "-", "--follow", "--depth", "10", "--out", str(out),
                                 "--concurrency", "8", "--progress", "plain", stdin=starts)
    assert code == 0, err
    results = lines(out)
    urls = [r["url"] for r in results]
    assert len(urls) == len(set(urls)) == 100
    assert all(r["status"] == 200 and r["error"] is None and r["size"] for r in results)
    assert all("headers" in r and "timings" in r for r in results)
    assert set(a.hits.values()) == {1} and len(a.hits) == 60 and len(b.hits) == 40
    assert b"requests in" in err and b"total" in err  # the summary table
    assert b"done 100" in err  # the final progress line


async def test_crawl_depth_allow_deny(two_sites: tuple[LinkedSite, URL, LinkedSite, URL], tmp_path: Path) -> None:
    a, base_a, _, _ = two_sites
    out = tmp_path / "r.jsonl"
    code, _, err = await run_cli("crawl", "-", "--follow", "--depth", "2", "--deny", r"/p/4$", "--out", str(out),
                                 "-q", stdin=f"{base_a}/p/0\n".encode())
    assert code == 0, err
    got = {URL(str(r["url"])).path for r in lines(out)}
    assert got == {"/p/0", "/p/1", "/p/2", "/p/3", "/p/5", "/p/6"}


async def test_ctrl_c_writes_state_and_resume_finishes_without_refetching(tmp_path: Path) -> None:
    site = LinkedSite(120, delay=0.02)
    out = tmp_path / "r.jsonl"
    state = tmp_path / "state.json"
    async with web_server(site.app) as base:
        args = ("crawl", "-", "--follow", "--depth", "20", "--out", str(out), "--state", str(state),
                "--concurrency", "2", "--per-host", "2", "--progress", "none")
        code, _, err = await run_cli(*args, stdin=f"{base}/p/0\n".encode(), interrupt_after=1.0)
        assert code == 130, err
        assert state.exists() and b"--resume" in err
        first = lines(out)
        assert 0 < len(first) < 120
        saved = json.loads(state.read_text())
        assert saved["pending"] and saved["done"] == len(first)
        code, _, err = await run_cli(*args, "--resume")
        assert code == 0, err
    results = lines(out)
    urls = [r["url"] for r in results]
    assert len(urls) == len(set(urls)) == 120
    assert set(site.hits.values()) == {1}  # nothing fetched twice, nothing lost
    assert not state.exists()  # finished: the state is gone


async def test_crawl_with_robots_and_retries(tmp_path: Path) -> None:
    site = LinkedSite(20, robots="User-agent: *\nDisallow: /p/3\n")
    flaky = {"n": 0}

    async def sometimes(request: web.Request) -> web.Response:
        flaky["n"] += 1
        return web.Response(status=503 if flaky["n"] == 1 else 200, text="ok", headers={"Retry-After": "0"})

    site.app.router.add_get("/flaky", sometimes)
    out = tmp_path / "r.jsonl"
    async with web_server(site.app) as base:
        code, _, err = await run_cli("crawl", "-", "--robots", "--follow", "--depth", "1", "--retries", "2",
                                     "--out", str(out), "-q",
                                     stdin=f"{base}/p/1\n{base}/flaky\n{base}/p/3\n".encode())
    assert code == 0, err
    by = {URL(str(r["url"])).path: r for r in lines(out)}
    assert by["/flaky"]["status"] == 200 and flaky["n"] == 2
    assert str(by["/p/3"]["error"]).startswith("RobotsDisallowed")
    assert site.hits["/p/3"] == 0 and site.hits["/p/4"] == 1
