"""The crawl scenario: ``cyhttp crawl`` vs Scrapy (its own downloader) vs Scrapy on cyhttp.

``python -m bench.crawl.scenario [--hosts 20] [--pages 1000] [--concurrency 64] [--quick]``
starts ``bench.crawl.site`` pinned to one core, then crawls the whole site from the
20 start URLs (``/p/0`` on each host) with each crawler in turn, pinned to the other core,
with the same concurrency (total and per host), following links, no delay, robots.txt
off, no retries.  Reported per crawler: pages, wall seconds, pages/s, CPU ms per page (the
crawler process's user + system time from ``wait4``), and the ratio to Scrapy's default.
Budget (issue 16): ``cyhttp crawl`` ≥ 3 × Scrapy's pages/s; Scrapy on cyhttp faster than
Scrapy on its own downloader.  A benchmark, not a test: numbers vary with the machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = str(ROOT / "src")

SPIDER = r'''
import sys
import scrapy
from scrapy.crawler import CrawlerProcess

class Site(scrapy.Spider):
    name = "site"
    custom_settings = {}

    def __init__(self, starts, **kw):
        super().__init__(**kw)
        self.start_urls = starts.split(",")

    def parse(self, response):
        yield {"url": response.url, "status": response.status}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse)

handler = sys.argv[3]
settings = {
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "FEEDS": {sys.argv[2]: {"format": "jsonlines"}},
    "LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False, "RETRY_ENABLED": False,
    "CONCURRENT_REQUESTS": int(sys.argv[4]), "CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[5]),
    "DOWNLOAD_DELAY": 0, "TELNETCONSOLE_ENABLED": False, "COOKIES_ENABLED": False,
    "AUTOTHROTTLE_ENABLED": False,
}
if handler == "cyhttp":
    settings["DOWNLOAD_HANDLERS"] = {"http": "cyhttp.scrapy.DownloadHandler",
                                     "https": "cyhttp.scrapy.DownloadHandler"}
process = CrawlerProcess(settings=settings)
process.crawl(Site, starts=sys.argv[1])
process.start()
'''


def _run(cmd: list[str], cpu: int | None, stdin: bytes | None = None) -> tuple[float, float]:
    """Run ``cmd`` pinned to ``cpu``; (wall seconds, CPU seconds of the child)."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))

    def pin() -> None:
        if cpu is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {cpu})

    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, preexec_fn=pin)
    assert proc.stdin is not None
    if stdin:
        proc.stdin.write(stdin)
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise RuntimeError(f"{cmd[:4]} failed ({proc.returncode}): {err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.scenario", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--quick", action="store_true", help="200 pages per host")
    parser.add_argument("--only", choices=["cyhttp", "scrapy", "scrapy-cyhttp"], action="append")
    args = parser.parse_args()
    pages = 200 if args.quick else args.pages
    ncpu = os.cpu_count() or 1
    server_cpu, client_cpu = (1, 0) if ncpu >= 2 else (None, None)
    server = subprocess.Popen([sys.executable, "-m", "bench.crawl.site", "--hosts", str(args.hosts), "--pages",
                               str(pages), "--port", str(args.port)] + (["--cpu", str(server_cpu)] if server_cpu else []),
                              stdout=subprocess.PIPE, cwd=str(ROOT), env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert server.stdout is not None
    if server.stdout.readline().strip() != b"ready":
        raise RuntimeError("the bench site did not start")
    starts = [f"http://127.0.0.{k}:{args.port}/p/0" for k in range(1, args.hosts + 1)]
    total = args.hosts * pages
    rows: list[tuple[str, int, float, float]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            spider = Path(tmp) / "spider.py"
            spider.write_text(SPIDER)
            crawlers = {
                "cyhttp": [sys.executable, "-m", "cyhttp", "crawl", "-", "--follow", "--depth", "1000",
                           "--concurrency", str(args.concurrency), "--per-host", str(args.per_host),
                           "--retries", "0", "--no-headers", "--out", str(Path(tmp) / "cyhttp.jsonl"), "-q"],
                "scrapy": [sys.executable, str(spider), ",".join(starts), str(Path(tmp) / "scrapy.jsonl"),
                           "default", str(args.concurrency), str(args.per_host)],
                "scrapy-cyhttp": [sys.executable, str(spider), ",".join(starts),
                                  str(Path(tmp) / "scrapy-cyhttp.jsonl"), "cyhttp", str(args.concurrency),
                                  str(args.per_host)],
            }
            for name, cmd in crawlers.items():
                if args.only and name not in args.only:
                    continue
                wall, cpu = _run(cmd, client_cpu, ("\n".join(starts) + "\n").encode() if name == "cyhttp" else None)
                out = Path(tmp) / f"{name}.jsonl"
                got = sum(1 for _ in out.open()) if out.exists() else 0
                rows.append((name, got, wall, cpu))
    finally:
        server.terminate()
        server.wait()
    print(f"crawl: {args.hosts} hosts x {pages} pages = {total}, concurrency {args.concurrency} "
          f"({args.per_host} per host), server and crawler pinned to separate cores")
    print(f"{'crawler':15} {'pages':>7} {'seconds':>8} {'pages/s':>9} {'CPU ms/page':>12} {'vs scrapy':>10}")
    base = next((got / wall for name, got, wall, _ in rows if name == "scrapy"), None)
    for name, got, wall, cpu in rows:
        rate = got / wall
        ratio = f"{rate / base:.2f}x" if base else "-"
        print(f"{name:15} {got:7d} {wall:8.2f} {rate:9.1f} {cpu / max(got, 1) * 1000:12.3f} {ratio:>10}")


if __name__ == "__main__":
    main()
