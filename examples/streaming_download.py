"""Download a URL to a file in bounded memory, with progress.

    python examples/streaming_download.py https://example.com/big.iso big.iso

Written against aiohttp's API; ``import cyhttp as aiohttp`` is the only change.  The body
is read with ``resp.content.iter_chunked(n)``, so at most a few chunks are in memory
whatever the file's size (the connection's flow control pauses the socket while the
disk catches up).  The file is written to ``OUTPUT.part`` and renamed when complete, so
an interrupted download never looks finished (and a failed one is removed).  ``total`` is only a bound on the whole
download; ``sock_read`` fails a stalled one.

Progress goes to stderr; the last line on stdout is ``saved N bytes to OUTPUT``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

import cyhttp as aiohttp


def progress(done: int, total: int | None, started: float) -> str:
    rate = done / max(time.monotonic() - started, 1e-6) / 1e6
    if total:
        return f"\r{done / total:6.1%}  {done:,} / {total:,} bytes  {rate:.1f} MB/s"
    return f"\r{done:,} bytes  {rate:.1f} MB/s"


async def download(url: str, output: str, chunk_size: int, timeout: aiohttp.ClientTimeout,
                   quiet: bool) -> int:
    partial = output + ".part"
    try:
        async with aiohttp.ClientSession(timeout=timeout, raise_for_status=True) as session:
            async with session.get(url) as resp:
                # Content-Length counts the bytes on the wire: unknown for chunked bodies,
                # and not the file's size when the body is compressed (it is decoded here).
                compressed = aiohttp.hdrs.CONTENT_ENCODING in resp.headers
                total = None if compressed else resp.content_length
                done = 0
                started = last = time.monotonic()
                with open(partial, "wb") as out:
                    async for chunk in resp.content.iter_chunked(chunk_size):
                        out.write(chunk)  # a small blocking write; large files may want a thread
                        done += len(chunk)
                        now = time.monotonic()
                        if not quiet and now - last >= 0.2:
                            last = now
                            print(progress(done, total, started), end="", file=sys.stderr, flush=True)
                if not quiet:
                    print(progress(done, total, started), file=sys.stderr, flush=True)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)  # no resume support here: do not leave half a file behind
        raise
    os.replace(partial, output)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stream a URL's body to a file, with progress.")
    parser.add_argument("url", help="what to download (http:// or https://)")
    parser.add_argument("output", help="where to save it (written as OUTPUT.part first)")
    parser.add_argument("--chunk-size", type=int, default=64 * 1024, help="bytes per read (default 65536)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds for the whole download (default: no limit)")
    parser.add_argument("--read-timeout", type=float, default=60.0,
                        help="seconds without a byte before giving up (default 60)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    timeout = aiohttp.ClientTimeout(total=args.timeout, sock_connect=30, sock_read=args.read_timeout)
    try:
        size = asyncio.run(download(args.url, args.output, args.chunk_size, timeout, args.quiet))
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        print(f"download failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"saved {size} bytes to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
