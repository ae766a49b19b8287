"""A small polite crawler: same-host links only, bounded concurrency, a page budget.

    python examples/crawler.py https://example.com/ --max-pages 50 --concurrency 8

Written against aiohttp's API; ``import cyhttp as aiohttp`` is the only change.  It shows
the pieces a crawler needs: one ``ClientSession`` for every request (connections are
reused), a semaphore bounding the requests in flight, a ``ClientTimeout`` per request,
errors caught per page (a crawl goes on when one page fails), links taken from ``href``
attributes and from ``Link`` headers (``resp.links``), and a visited set so no page is
fetched twice.

Prints one line per page (``status url``) and a last line ``crawled N pages (M failed)``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from html import unescape

from yarl import URL

import cyhttp as aiohttp

HREF = re.compile(rb"""<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
MAX_BODY = 2 * 1024 * 1024  # larger pages are skipped: their links are not worth the memory


def page_links(base: URL, body: bytes, links: object) -> list[URL]:
    """Absolute http(s) URLs, without fragments, found in ``body`` and the Link header."""
    found = []
    for match in HREF.finditer(body):
        raw = next(group for group in match.groups() if group is not None)
        found.append(unescape(raw.decode("utf-8", "replace")).strip())
    out = []
    for href in found:
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:", "data:")):
            continue
        try:
            out.append(base.join(URL(href)).with_fragment(None))
        except ValueError:
            continue  # not a URL yarl accepts: skip it, as a browser would
    for link in links.values():  # type: ignore[attr-defined]
        out.append(link["url"].with_fragment(None))
    return [url for url in out if url.scheme in ("http", "https")]


async def read_bounded(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body, or b"" when it is over ``limit`` bytes (never more than that is held)."""
    length = resp.content_length
    if length is not None:
        return await resp.read() if length <= limit else b""
    parts, size = [], 0
    async for chunk in resp.content.iter_any():  # chunked or until-close: count as it comes
        size += len(chunk)
        if size > limit:
            return b""
        parts.append(chunk)
    return b"".join(parts)


class Crawler:
    def __init__(self, start: URL, max_pages: int, concurrency: int, timeout: float) -> None:
        self.start = start
        self.host = start.host
        self.max_pages = max_pages
        self.timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 10))
        self.concurrency = concurrency
        self.semaphore = asyncio.Semaphore(concurrency)
        self.seen: set[URL] = {start}
        self.queue: asyncio.Queue[URL] = asyncio.Queue()
        self.queue.put_nowait(start)
        self.crawled = 0
        self.failed = 0

    def enqueue(self, url: URL) -> None:
        # Same host only, and never more pages queued than the budget allows.
        if url.host == self.host and url not in self.seen and len(self.seen) < self.max_pages:
            self.seen.add(url)
            self.queue.put_nowait(url)

    async def fetch(self, session: aiohttp.ClientSession, url: URL) -> None:
        async with self.semaphore:
            try:
                async with session.get(url, timeout=self.timeout) as resp:
                    status = resp.status
                    body = b""
                    if resp.content_type in ("text/html", "application/xhtml+xml"):
                        body = await read_bounded(resp, MAX_BODY)
                    links = page_links(resp.url, body, resp.links)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                self.failed += 1
                print(f"ERR {url} {type(exc).__name__}: {exc}", flush=True)
                return
        self.crawled += 1
        print(f"{status} {url}", flush=True)
        for link in links:
            self.enqueue(link)

    async def worker(self, session: aiohttp.ClientSession) -> None:
        while True:
            url = await self.queue.get()
            try:
                await self.fetch(session, url)
            finally:
                self.queue.task_done()

    async def run(self) -> None:
        headers = {"User-Agent": "cyhttp-example-crawler/1.0"}
        async with aiohttp.ClientSession(headers=headers) as session:
            # One worker per allowed request in flight; the semaphore is the hard bound
            # (anything else you add that fetches shares it too).
            workers = [asyncio.create_task(self.worker(session)) for _ in range(self.concurrency)]
            try:
                await self.queue.join()
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
        print(f"crawled {self.crawled} pages ({self.failed} failed)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Crawl one site: same-host links, bounded concurrency.")
    parser.add_argument("url", help="the start page (http:// or https://)")
    parser.add_argument("--max-pages", type=int, default=100, help="stop after this many pages (default 100)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at most (default 8)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request, in all (default 30)")
    args = parser.parse_args(argv)
    start = URL(args.url).with_fragment(None)
    if start.scheme not in ("http", "https") or not start.host:
        parser.error("the start URL must be an absolute http:// or https:// URL")
    if args.max_pages < 1 or args.concurrency < 1:
        parser.error("--max-pages and --concurrency must be at least 1")
    asyncio.run(Crawler(start, args.max_pages, args.concurrency, args.timeout).run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
