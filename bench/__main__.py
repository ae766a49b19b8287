"""``python -m bench``: every client, every scenario, both loops, alternating, in one run.

The server runs in its own process pinned to the last core; each (client, loop, round,
scenario) runs in a fresh worker process pinned to core 0, so no scenario inherits
another's process state (a large download raises glibc's mmap threshold, which makes a
client that allocates per read up to 2x faster on small messages afterwards); ``--quick``
runs one process per (client, loop) instead.  The verdict (every budget bar: measured,
needed, met?) is printed; medians, spread over rounds, CPU per request and the headroom
table go to bench/results/ (Markdown + JSON) with a PNG chart.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.loops import available
from bench.report import Results, write_reports
from bench.scenarios import GATHERED, HOSTS, QUICK_GATHERED, SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ("cyhttp", "cyhttp-pure", "aiohttp", "aiosonic", "httpx", "raw-floor")
# A gathered pattern counts what completed within this many seconds (the rest is cancelled):
# 20,000 requests take a slow client (httpx: ~350 req/s here) a minute per run.
TIME_BOX = 10.0
QUICK_TIME_BOX = 0.6


def _client_env(client: str) -> tuple[str, dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if client == "cyhttp-pure":
        env["CYHTTP_NO_EXTENSIONS"] = "1"
        return "cyhttp", env
    if client == "cyhttp":
        env["CYHTTP_REQUIRE_EXTENSIONS"] = "1"
    return client.replace("-", "_"), env


def start_server(ports: int, cpu: int | None, uvloop: bool) -> tuple[subprocess.Popen[bytes], list[int]]:
    read_fd, write_fd = os.pipe()
    cmd = [sys.executable, "-m", "bench.server", "--ports", str(ports), "--hosts", str(HOSTS),
           "--ready-fd", str(write_fd)]
    if cpu is not None:
        cmd += ["--cpu", str(cpu)]
    if not uvloop:
        cmd.append("--no-uvloop")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(cmd, pass_fds=(write_fd,), env=env, cwd=ROOT)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as ready:
        line = ready.readline()
    if not line:
        proc.kill()
        raise RuntimeError("benchmark server failed to start")
    return proc, [int(p) for p in line.split()]


def run_worker(client: str, loop: str, ports: list[int], scenarios: list[str], duration: float,
               cpu: int | None, gathered: int = GATHERED, time_box: float | None = None) -> list[dict]:
    module_client, env = _client_env(client)
    cmd = [sys.executable, "-m", "bench.worker", "--client", module_client, "--loop", loop,
           "--duration", str(duration), "--gathered", str(gathered), "--ports", *map(str, ports),
           "--scenarios", *scenarios]
    if time_box is not None:
        cmd += ["--time-box", str(time_box)]
    if cpu is not None:
        cmd += ["--cpu", str(cpu)]
    timeout = len(scenarios) * (duration * 4 + 25 + min(gathered / 400, (time_box or 1e9) * 1.5)) + 30
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [{"scenario": s, "error": "worker timed out"} for s in scenarios]
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 and not rows:
        tail = out.stderr.strip().splitlines()[-1:] or ["no output"]
        rows = [{"scenario": s, "error": tail[0]} for s in scenarios]
    return rows


def run_micro(results_dir: Path, quick: bool) -> Path | None:
    micro = ROOT / "bench" / "micro"
    if not any(micro.glob("test_bench_*.py")):
        return None
    out = results_dir / "micro.json"
    cmd = [sys.executable, "-m", "pytest", str(micro), "-q", "-p", "no:cacheprovider", "--benchmark-enable",
           f"--benchmark-json={out}", "--benchmark-min-rounds=3",
           f"--benchmark-max-time={0.05 if quick else 0.3}", "-o", "addopts="]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_")}
    print("micro-benchmarks (pytest-benchmark) ...", flush=True)
    subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    return out if out.exists() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="one short round, one worker process per client and loop, no micro-benchmarks "
                             "(under a minute; flagged as too short to trust)")
    parser.add_argument("--clients", nargs="+", default=list(CLIENTS), choices=CLIENTS)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--loops", nargs="+", default=["asyncio", "uvloop"], choices=["asyncio", "uvloop"])
    parser.add_argument("--duration", type=float, default=None, help="seconds per scenario per run")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--gathered", type=int, default=None,
                        help=f"tasks of a gathered pattern ({GATHERED:,}; --quick {QUICK_GATHERED:,})")
    parser.add_argument("--no-micro", action="store_true", help="skip the engine micro-benchmarks")
    parser.add_argument("--no-memory", action="store_true", help="skip the upload/download memory check")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args(argv)
    duration = args.duration or (0.15 if args.quick else 0.5)
    rounds = args.rounds or (1 if args.quick else 3)
    gathered = args.gathered or (QUICK_GATHERED if args.quick else GATHERED)
    loops = [name for name in args.loops if available(name)]
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpu, client_cpu = (cpus[-1], cpus[0]) if len(cpus) >= 2 else (None, None)

    results = Results(duration=duration, rounds=rounds, loops=loops, clients=list(args.clients),
                      scenarios=list(args.scenarios), pinned=server_cpu is not None, gathered=gathered,
                      time_box=QUICK_TIME_BOX if args.quick else TIME_BOX)
    server, ports = start_server(20, server_cpu, uvloop=available("uvloop"))
    started = time.perf_counter()
    try:
        total = rounds * len(loops) * len(args.clients) * len(args.scenarios)
        done = 0
        for rnd in range(rounds):
            # Alternate the order each round so no client always runs first (or last).
            order = args.clients[rnd % len(args.clients):] + args.clients[:rnd % len(args.clients)]
            if rnd % 2:
                order.reverse()
            for loop in loops:
                for client in order:
                    # Quick: every scenario in one worker process per client and loop (a process
                    # per scenario keeps heap state apart, see the module doc, but costs startups).
                    batches = [list(args.scenarios)] if args.quick else [[s] for s in args.scenarios]
                    for batch in batches:
                        done += len(batch)
                        elapsed = time.perf_counter() - started
                        label = batch[0] if len(batch) == 1 else f"{len(batch)} scenarios"
                        print(f"\r[{done}/{total}] round {rnd + 1}/{rounds} {loop:7} {client:12} "
                              f"{label:16} ({elapsed:4.0f}s)", end="", flush=True)
                        for row in run_worker(client, loop, ports, batch, duration, client_cpu, gathered,
                                              QUICK_TIME_BOX if args.quick else TIME_BOX):
                            results.add(client, loop, row)
        print()
    finally:
        server.terminate()
        server.wait(timeout=10)
    results_dir = Path(args.out)
    results_dir.mkdir(parents=True, exist_ok=True)
    micro = None if args.no_micro or args.quick else run_micro(results_dir, args.quick)
    memory = None
    if not args.no_memory:
        from bench.memory import measure

        print("memory: large upload and read() peak RSS ...", flush=True)
        sizes = (64, 32) if args.quick else (256, 100)
        clients = [c for c in ("cyhttp", "cyhttp-pure", "aiohttp") if c in args.clients]
        memory = measure(sizes[0], sizes[1], clients)
    write_reports(results, results_dir, micro, memory)
    print(f"total {time.perf_counter() - started:.0f}s; reports in {results_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
