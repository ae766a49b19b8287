"""A real Scrapy spider crawling a local site through ``cyhttp.scrapy.DownloadHandler``.

Scrapy runs in a subprocess (its reactor is process-wide); the site is served by this test.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from ._linked_site import LinkedSite
from ._site import web_server

pytest.importorskip("scrapy", reason="Scrapy (the bench extra) runs the spider")

SRC = str(Path(__file__).resolve().parents[2] / "src")

SPIDER = r'''
import sys
import scrapy
from scrapy.crawler import CrawlerProcess

class Site(scrapy.Spider):
    name = "site"

    def __init__(self, start, **kw):
        super().__init__(**kw)
        self.start_urls = [start]

    def parse(self, response):
        yield {"url": response.url, "status": response.status, "ip": str(response.ip_address),
               "title": response.css("h1::text").get(), "protocol": response.protocol}
        for href in response.css("a::attr(href)").getall():
            if href.startswith("/p/") and "#" not in href:  # "/p/0#top": the start URL again
                yield response.follow(href, self.parse)

process = CrawlerProcess(settings={
    "DOWNLOAD_HANDLERS": {"http": "cyhttp.scrapy.DownloadHandler", "https": "cyhttp.scrapy.DownloadHandler"},
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "FEEDS": {sys.argv[2]: {"format": "jsonlines"}},
    "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": 8,
    "TELNETCONSOLE_ENABLED": False,
})
process.crawl(Site, start=sys.argv[1])
process.start()
'''


async def test_a_scrapy_spider_crawls_through_cyhttp(tmp_path: Path) -> None:
    site = LinkedSite(40, robots="User-agent: *\nDisallow: /p/39\n")
    script = tmp_path / "spider.py"
    script.write_text(SPIDER)
    out = tmp_path / "items.jsonl"
    async with web_server(site.app) as base:
        env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(script), f"{base}/p/0", str(out), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()[-3000:]
    items = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(items) == 39 and {i["status"] for i in items} == {200}
    assert {i["title"] for i in items} == {f"page {n}" for n in range(39)}
    assert items[0]["ip"] == "127.0.0.1" and items[0]["protocol"] == "HTTP/1.1"
    assert site.hits["/p/39"] == 0 and max(site.hits.values()) == 1  # robots obeyed; each page once
