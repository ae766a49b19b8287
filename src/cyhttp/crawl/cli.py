"""``cyhttp fetch`` and ``cyhttp crawl``: the command line (``python -m cyhttp …``).

``fetch URL…`` is a small curl: status and headers (``-i``), the body to stdout or
``-o FILE``, retries and a proxy.  ``crawl [FILE|-]`` reads start URLs one per line and
runs a ``Crawler``: a live progress line on stderr (plain lines when it is not a
terminal), a summary table at the end, one JSON object per URL in ``--out``.  Ctrl-C
stops cleanly and writes ``--state`` (the queue and the seen-set); ``--resume`` goes on
from it without fetching anything twice.  ``--frontier redis://…`` shares the queue
among processes (``RedisFrontier``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import IO, Any

from yarl import URL

import cyhttp

from .crawler import DEFAULT_USER_AGENT, CrawlConfig, Crawler
from .frontier import Frontier, MemoryFrontier
from .stats import HostStats

__all__ = ("crawl_main", "fetch_main", "add_subcommands")


# -- fetch ---------------------------------------------------------------------------------


def _fetch_parser(sub: Any) -> None:
    p = sub.add_parser("fetch", help="fetch URLs, like a small curl")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("-X", "--request", dest="method", default="GET", help="method (default GET)")
    p.add_argument("-H", "--header", action="append", default=[], help="'Name: value' request header")
    p.add_argument("-d", "--data", help="request body ('@file' reads a file)")
    p.add_argument("-i", "--include", action="store_true", help="print the status line and headers")
    p.add_argument("-I", "--head", action="store_true", help="HEAD request; print the head only")
    p.add_argument("-o", "--output", help="write the body to this file (several URLs: appended)")
    p.add_argument("-s", "--silent", action="store_true", help="no status summary on stderr")
    p.add_argument("-f", "--fail", action="store_true", help="exit 22 on a status >= 400 (as curl -f)")
    p.add_argument("--no-redirects", action="store_true", help="do not follow redirects")
    p.add_argument("--retries", type=int, default=0, help="retry 429/5xx and connection errors N times")
    p.add_argument("--proxy", help="http://, socks4://, socks4a://, socks5:// or socks5h:// proxy")
    p.add_argument("--timeout", type=float, default=30.0, help="total seconds per request (default 30)")
    p.add_argument("--user-agent", "-A", default=None)
    p.add_argument("--robots", action="store_true", help="obey robots.txt")
    p.set_defaults(func=fetch_main)


async def _fetch(args: argparse.Namespace) -> int:
    from .retry import RetryMiddleware

    mws: list[Any] = []
    if args.retries:
        mws.append(RetryMiddleware(attempts=args.retries + 1))
    ua = args.user_agent or DEFAULT_USER_AGENT
    if args.robots:
        from .robots import RobotsMiddleware

        mws.append(RobotsMiddleware(ua.split("/")[0]))
    headers: list[tuple[str, str]] = [("User-Agent", ua)]
    for line in args.header:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    data: bytes | None = None
    if args.data is not None:
        if args.data.startswith("@"):
            with open(args.data[1:], "rb") as f:
                data = f.read()
        else:
            data = args.data.encode()
    method = "HEAD" if args.head else args.method.upper()
    connector, proxy = _connector_for(args.proxy)
    out: IO[bytes] = open(args.output, "ab" if len(args.urls) > 1 else "wb") if args.output else sys.stdout.buffer
    code = 0
    try:
        async with cyhttp.ClientSession(connector=connector, middlewares=mws, proxy=proxy,
                                        timeout=cyhttp.ClientTimeout(total=args.timeout)) as session:
            for url in args.urls:
                t0 = time.monotonic()
                try:
                    async with session.request(method, url, headers=headers, data=data,
                                               allow_redirects=not args.no_redirects) as resp:
                        if args.include or args.head:
                            v = resp.version
                            version = f"{v.major}.{v.minor}" if v is not None else "1.1"
                            head = f"HTTP/{version} {resp.status} {resp.reason}\r\n"
                            head += "".join(f"{k}: {v}\r\n" for k, v in resp.headers.items()) + "\r\n"
                            out.write(head.encode("utf-8", "replace"))
                        size = 0
                        if not args.head:
                            async for chunk in resp.content.iter_chunked(65536):
                                out.write(chunk)
                                size += len(chunk)
                        out.flush()
                        if not args.silent:
                            print(f"{resp.status} {resp.reason} {url} {size} bytes "
                                  f"{time.monotonic() - t0:.3f}s", file=sys.stderr)
                        if args.fail and resp.status >= 400:
                            code = 22
                except (cyhttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                    print(f"error: {url}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    code = code or 1
    finally:
        if args.output:
            out.close()
    return code


def _connector_for(proxy: str | None) -> tuple[cyhttp.TCPConnector | None, str | None]:
    if proxy and proxy.split(":", 1)[0].lower().startswith("socks"):
        from .socks import SocksConnector

        return SocksConnector(proxy), None
    return None, proxy


def fetch_main(args: argparse.Namespace) -> int:
    return asyncio.run(_fetch(args))


# -- crawl ---------------------------------------------------------------------------------


def _crawl_parser(sub: Any) -> None:
    p = sub.add_parser("crawl", help="crawl start URLs (one per line from FILE or stdin)")
    p.add_argument("file", nargs="?", default="-", help="start URLs, one per line ('-': stdin)")
    p.add_argument("--concurrency", "-c", type=int, default=16, help="requests in flight (default 16)")
    p.add_argument("--per-host", type=int, default=2, help="requests in flight per host (default 2)")
    p.add_argument("--rate", type=float, default=None, help="requests per second per host")
    p.add_argument("--delay", type=float, default=0.0, help="seconds between requests to one host")
    p.add_argument("--jitter", type=float, default=0.0, help="randomise the delay by this fraction")
    p.add_argument("--adaptive", action="store_true", help="back off on 429/503 and rising latency")
    p.add_argument("--retries", type=int, default=2, help="retries on 429/5xx/connection errors (default 2)")
    p.add_argument("--robots", action="store_true", help="obey robots.txt (and its Crawl-delay)")
    p.add_argument("--user-agent", "-A", default=DEFAULT_USER_AGENT)
    p.add_argument("--proxy", help="http://, socks4://, socks4a://, socks5:// or socks5h:// proxy")
    p.add_argument("--follow", action="store_true", help="follow same-site links")
    p.add_argument("--depth", type=int, default=1, help="link depth with --follow (default 1)")
    p.add_argument("--allow", action="append", default=[], help="follow only links matching this regex")
    p.add_argument("--deny", action="append", default=[], help="never follow links matching this regex")
    p.add_argument("--any-site", action="store_true", help="with --follow, leave the start sites too")
    p.add_argument("--max-pages", type=int, default=None, help="stop after this many fetches")
    p.add_argument("--timeout", type=float, default=30.0, help="total seconds per request (default 30)")
    p.add_argument("--out", "-o", default=None, help="results as JSON lines (default: none)")
    p.add_argument("--bodies", default=None, help="write each body to a file in this directory")
    p.add_argument("--no-headers", action="store_true", help="leave response headers out of the results")
    p.add_argument("--state", default="cyhttp-crawl.state.json", help="state file written on Ctrl-C")
    p.add_argument("--resume", action="store_true", help="continue from --state without refetching")
    p.add_argument("--frontier", default=None, help="redis://host:port/db: share the frontier")
    p.add_argument("--frontier-name", default="cyhttp", help="key prefix in Redis (default 'cyhttp')")
    p.add_argument("--lease", type=float, default=60.0, help="seconds a taken URL stays leased (Redis)")
    p.add_argument("--progress", choices=("auto", "tty", "plain", "none"), default="auto")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary")
    p.set_defaults(func=crawl_main)


class Progress:
    """done / queued / req/s / errors / bytes / ETA, on one refreshed line or as plain lines."""

    def __init__(self, crawler: Crawler, mode: str, stream: IO[str] = sys.stderr) -> None:
        if mode == "auto":
            mode = "tty" if stream.isatty() else "plain"
        self.crawler = crawler
        self.mode = mode
        self.stream = stream
        self.interval = 0.5 if mode == "tty" else 5.0
        self._task: asyncio.Task[None] | None = None
        self._last = (time.monotonic(), 0)

    async def line(self) -> str:
        c = self.crawler
        done, queued, inflight = await c.frontier.counts()
        now = time.monotonic()
        elapsed = max(now - c.started, 1e-9)
        t, n = self._last
        rate = (c.fetched - n) / max(now - t, 1e-9) if now - t > 0.2 else c.fetched / elapsed
        self._last = (now, c.fetched)
        remaining = queued + inflight
        eta = f"{remaining / rate:.0f}s" if rate > 0 and remaining else "-"
        return (f"done {done}  queued {queued}  in flight {inflight}  {rate:.1f} req/s  "
                f"errors {c.errors}  {_size(c.bytes)}  ETA {eta}")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.show()

    async def show(self, final: bool = False) -> None:
        if self.mode == "none":
            return
        text = await self.line()
        if self.mode == "tty":
            self.stream.write("\r\x1b[K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def start(self) -> None:
        if self.mode != "none":
            self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await self.show(final=True)


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


def summary(stats: HostStats, elapsed: float, limit: int = 10) -> str:
    """The final table: per host (the busiest ``limit``), then the totals."""
    rows: list[tuple[str, ...]] = [("host", "requests", "2xx", "3xx", "4xx", "5xx", "errors", "retries", "bytes", "p50 ms", "p99 ms")]

    def row(name: str, c: Any) -> tuple[str, ...]:
        by = {k: sum(n for s, n in c.statuses.items() if s // 100 == k) for k in (2, 3, 4, 5)}
        p50, p99 = c.percentile(50), c.percentile(99)
        return (name, str(c.requests), str(by[2]), str(by[3]), str(by[4]), str(by[5]),
                str(sum(c.errors.values())), str(c.retries), _size(c.bytes),
                f"{p50 * 1000:.1f}" if p50 else "-", f"{p99 * 1000:.1f}" if p99 else "-")

    hosts = sorted(stats, key=lambda k: -stats[k].requests)
    rows.extend(row(h, stats[h]) for h in hosts[:limit])
    if len(hosts) > limit:
        rows.append((f"… {len(hosts) - limit} more hosts",) + ("",) * 10)
    total = stats.totals()
    rows.append(row("total", total))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    rate = total.requests / elapsed if elapsed > 0 else 0.0
    lines.append(f"{total.requests} requests in {elapsed:.1f}s ({rate:.1f} req/s)")
    return "\n".join(lines)


def _read_urls(path: str) -> list[str]:
    if path == "-":
        return sys.stdin.read().splitlines()
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


async def _crawl(args: argparse.Namespace) -> int:
    config = CrawlConfig(
        concurrency=args.concurrency, per_host=args.per_host, rate=args.rate, delay=args.delay,
        jitter=args.jitter, adaptive=args.adaptive, retries=args.retries, robots=args.robots,
        user_agent=args.user_agent, proxy=args.proxy, follow=args.follow, depth=args.depth,
        allow=args.allow, deny=args.deny, same_site=not args.any_site, max_pages=args.max_pages,
        timeout=args.timeout, headers_out=not args.no_headers, bodies_dir=args.bodies,
    )
    if args.bodies:
        os.makedirs(args.bodies, exist_ok=True)
    frontier: Frontier
    politeness: Any = None
    if args.frontier:
        from .redis_frontier import RedisFrontier, SharedPoliteness

        redis_frontier = await RedisFrontier.connect(args.frontier, name=args.frontier_name, lease=args.lease,
                                                     per_host=args.per_host)
        frontier = redis_frontier
        politeness = SharedPoliteness(redis_frontier, delay=args.delay, rate=args.rate)
    else:
        frontier = MemoryFrontier(args.per_host)
    out = open(args.out, "a" if (args.resume or args.frontier) else "w", encoding="utf-8") if args.out else None
    crawler = Crawler(config, frontier, out, politeness=politeness)
    resumed = False
    state: dict[str, Any] = {}
    if args.resume and not args.frontier:
        if not os.path.exists(args.state):
            print(f"error: no state file {args.state}", file=sys.stderr)
            return 2
        with open(args.state, encoding="utf-8") as f:
            state = json.load(f)
        assert isinstance(frontier, MemoryFrontier)
        frontier.restore(state)
        for site in state.get("sites", ()):
            crawler.links.sites.add(site)
        resumed = True
    if not resumed:
        await crawler.add_start_urls(_read_urls(args.file))
    mode = "none" if args.quiet else args.progress
    progress = Progress(crawler, mode)
    loop = asyncio.get_running_loop()
    interrupted = 0

    def on_signal() -> None:
        # Ctrl-C: finish what is in flight, then stop; again: stop now; a third time: exit.
        nonlocal interrupted
        interrupted += 1
        if interrupted >= 3:
            os._exit(130)
        if interrupted == 1 and not args.quiet:
            print("\nstopping: finishing the requests in flight (Ctrl-C again to stop now)", file=sys.stderr)
        crawler.stop()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            pass
    progress.start()
    try:
        await crawler.run()
    finally:
        await progress.stop()
        if out is not None:
            out.close()
    if isinstance(frontier, MemoryFrontier):
        done, queued, inflight = await frontier.counts()
        if interrupted or queued:
            state = frontier.snapshot()
            state["sites"] = sorted(crawler.links.sites)
            tmp = args.state + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(state, f)
            os.replace(tmp, args.state)
            if not args.quiet:
                print(f"stopped: {len(state['pending'])} URLs left; state written to {args.state} "
                      f"(continue with --resume)", file=sys.stderr)
        elif args.resume and os.path.exists(args.state):
            os.remove(args.state)
    await frontier.close()
    if not args.quiet:
        print(summary(crawler.stats, time.monotonic() - crawler.started), file=sys.stderr)
    return 130 if interrupted else 0


def crawl_main(args: argparse.Namespace) -> int:
    return asyncio.run(_crawl(args))


def add_subcommands(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="command")
    _fetch_parser(sub)
    _crawl_parser(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cyhttp")
    add_subcommands(parser)
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
