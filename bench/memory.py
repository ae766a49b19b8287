"""Peak resident memory of a large upload and a large download, per client.

``python -m bench.memory [--upload-mib 1024] [--download-mib 100]``: each measurement runs in
its own process (so ru_maxrss is that client's alone), against bench.server in another.
Reports the peak RSS growth over the process's baseline, next to the body size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


async def _upload(client: str, url: str, path: str) -> int:
    if client == "aiohttp":
        import aiohttp as lib
    else:
        import cyhttp as lib
    async with lib.ClientSession() as session:
        with open(path, "rb") as f:
            async with session.post(url, data=f) as resp:
                await resp.read()
                return resp.status


async def _download(client: str, url: str) -> int:
    if client == "aiohttp":
        import aiohttp as lib
    else:
        import cyhttp as lib
    async with lib.ClientSession() as session:
        async with session.get(url) as resp:
            return len(await resp.read())


def child(args: argparse.Namespace) -> None:
    # Import everything first so the baseline includes the libraries, not just the interpreter.
    import cyhttp  # noqa: F401
    if args.client == "aiohttp":
        import aiohttp  # noqa: F401
    base = _rss_mib()
    if args.mode == "upload":
        result = asyncio.run(_upload(args.client, args.url, args.path))
    else:
        result = asyncio.run(_download(args.client, args.url))
    print(json.dumps({"result": result, "base_mib": base, "peak_mib": _rss_mib()}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--upload-mib", type=int, default=1024)
    parser.add_argument("--download-mib", type=int, default=100)
    parser.add_argument("--clients", nargs="+", default=["cyhttp", "cyhttp-pure", "aiohttp"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    print("\n".join(HEADER))
    for row in measure(args.upload_mib, args.download_mib, args.clients):
        print(_format(row), flush=True)


def _format(row: dict) -> str:
    if "error" in row:
        return f"| {row['mode']} | {row['client']} | {row['size_mib']} | failed: {row['error']} | |"
    return (f"| {row['mode']} | {row['client']} | {row['size_mib']} | {row['growth_mib']:.1f} | "
            f"{row['ratio']:.3f} |")


HEADER = ["| measurement | client | body MiB | peak RSS growth MiB | growth / body |",
          "|---|---|---:|---:|---:|"]


def measure(upload_mib: int, download_mib: int, clients: list[str]) -> list[dict]:
    """One subprocess per (measurement, client); the server serves /big of download_mib."""
    from bench.__main__ import start_server

    os.environ["BENCH_BIG_MIB"] = str(download_mib)
    server, ports = start_server(1, None, uvloop=False)
    rows: list[dict] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "upload.bin")
            with open(path, "wb") as f:
                f.truncate(upload_mib << 20)  # sparse: costs no disk, reads as zeros
            for mode, size in (("upload", upload_mib), ("download", download_mib)):
                url = f"http://127.0.0.1:{ports[0]}" + ("/post" if mode == "upload" else "/big")
                for client in clients:
                    env = {k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_")}
                    env["PYTHONPATH"] = str(ROOT)
                    if client == "cyhttp-pure":
                        env["CYHTTP_NO_EXTENSIONS"] = "1"
                    cmd = [sys.executable, "-m", "bench.memory", "--child", "--mode", mode,
                           "--client", client.replace("-pure", ""), "--url", url, "--path", path]
                    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
                    row: dict = {"mode": mode, "client": client, "size_mib": size}
                    if out.returncode != 0:
                        row["error"] = (out.stderr.strip().splitlines() or ["?"])[-1]
                    else:
                        data = json.loads(out.stdout.strip().splitlines()[-1])
                        row["growth_mib"] = data["peak_mib"] - data["base_mib"]
                        row["ratio"] = row["growth_mib"] / size
                    rows.append(row)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return rows


if __name__ == "__main__":
    main()
