"""The server benchmark: ``python -m bench.web_bench`` (``make bench-web``).

How it works: for every round, loop and server kind (``bench/web_server.py``) it starts the
server in its own process pinned to one core, waits for its port, warms it up, then runs
``wrk`` (Debian's ``wrk``, installed with apt when missing) pinned to the other core:
64 keep-alive connections, one thread, for ``--duration`` seconds, per scenario:

* ``get``  — ``GET /``, a 13-byte text/plain answer
* ``post`` — ``POST /json`` with a 1 KiB JSON object, echoed back

Measured: requests/s and p50/p99 latency (wrk's ``--latency`` table) and the server's CPU
time per request (user + system of the server's whole process tree, read from /proc
before and after the wrk run, divided by the requests wrk counted).  Rounds alternate
the order of the kinds; the report gives the median of the rounds and, per loop, the
ratios the budget is stated in (cyhttp compiled vs aiohttp.web req/s; cyhttp CPU per GET
vs the raw floor's).  Other work on the machine makes single figures noisy: compare
within one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
KINDS = ("floor", "cyhttp", "cyhttp-pure", "aiohttp", "uvicorn", "granian")
SCENARIOS = ("get", "post")
CLK_TCK = os.sysconf("SC_CLK_TCK")

# A 1 KiB JSON object (exactly 1024 bytes serialised).
POST_BODY = json.dumps({f"k{i:02d}": "v" * 13 for i in range(40)})
POST_BODY = POST_BODY[:-2] + "v" * (1024 - len(POST_BODY)) + POST_BODY[-2:]


def _lua(path: Path) -> Path:
    script = path / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(POST_BODY)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return script


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return pids
    for child in out.split():
        pids.extend(_tree(int(child)))
    return pids


def _cpu_seconds(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (after the comm field)
    return total / CLK_TCK


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port}")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert m, text
    return float(m.group(1)) * _UNITS[m.group(2)]


def _parse_wrk(out: str) -> dict[str, float]:
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock_err = re.search(r"Socket errors: (.*)", out)
    return {"requests": requests, "rps": rps, "p50_ms": p50, "p99_ms": p99,
            "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": sock_err.group(1) if sock_err else ""}  # type: ignore[dict-item]


def run_one(kind: str, loop: str, scenarios: list[str], args: argparse.Namespace,
            wrk: str, lua: Path) -> dict[str, dict[str, float]]:
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}")
    env.pop("CYHTTP_NO_EXTENSIONS", None)
    server_kind = kind
    if kind == "cyhttp-pure":
        env["CYHTTP_NO_EXTENSIONS"] = "1"
        server_kind = "cyhttp"
    cmd = ["taskset", "-c", str(args.server_cpu), sys.executable, "-m", "bench.web_server",
           server_kind, "--loop", loop, "--port", str(port)]
    if args.nice:
        cmd = ["nice", "-n", str(args.nice)] + cmd
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    results: dict[str, dict[str, float]] = {}
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("READY"):
            raise RuntimeError(f"{kind} did not start: {line!r}")
        _wait_port(port)
        url = f"http://127.0.0.1:{port}"
        base = ["taskset", "-c", str(args.wrk_cpu), wrk, "-t1", f"-c{args.connections}", "--latency"]
        for scenario in scenarios:
            target = url + ("/" if scenario == "get" else "/json")
            extra = ["-s", str(lua)] if scenario == "post" else []
            subprocess.run(base + ["-d1s"] + extra + [target], capture_output=True, check=True)
            cpu0 = _cpu_seconds(proc.pid)
            out = subprocess.run(base + [f"-d{args.duration}s"] + extra + [target],
                                 capture_output=True, text=True, check=True).stdout
            cpu1 = _cpu_seconds(proc.pid)
            res = _parse_wrk(out)
            res["cpu_us"] = (cpu1 - cpu0) / max(res["requests"], 1) * 1e6
            results[scenario] = res
    finally:
        for pid in reversed(_tree(proc.pid)):
            try:
                os.kill(pid, 15)
            except OSError:
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return results


def _median(rounds: list[dict[str, dict[str, float]]], scenario: str, key: str) -> float | None:
    values = [r[scenario][key] for r in rounds if scenario in r]
    return statistics.median(values) if values else None


def report(all_results: dict[str, dict[str, list[dict[str, dict[str, float]]]]],
           scenarios: list[str]) -> str:
    lines = ["# Server benchmark (wrk, 64 keep-alive connections; medians of the rounds)", ""]
    for loop, kinds in all_results.items():
        lines += [f"## {loop}", "",
                  "| server | scenario | req/s | p50 ms | p99 ms | CPU µs/req |",
                  "|---|---|---:|---:|---:|---:|"]
        for kind, rounds in kinds.items():
            for scenario in scenarios:
                rps = _median(rounds, scenario, "rps")
                if rps is None:
                    continue
                lines.append(
                    f"| {kind} | {scenario} | {rps:,.0f} | {_median(rounds, scenario, 'p50_ms'):.2f} | "
                    f"{_median(rounds, scenario, 'p99_ms'):.2f} | {_median(rounds, scenario, 'cpu_us'):.1f} |")
        lines.append("")
        for scenario in scenarios:
            ours = kinds.get("cyhttp")
            pure = kinds.get("cyhttp-pure")
            ref = kinds.get("aiohttp")
            floor = kinds.get("floor")
            if ours and ref:
                lines.append(f"- {scenario}: cyhttp compiled / aiohttp.web req/s = "
                             f"{_median(ours, scenario, 'rps') / _median(ref, scenario, 'rps'):.2f}; "  # type: ignore[operator]
                             f"aiohttp.web / cyhttp compiled CPU per request = "
                             f"{_median(ref, scenario, 'cpu_us') / _median(ours, scenario, 'cpu_us'):.2f}")  # type: ignore[operator]
            if pure and ref:
                lines.append(f"- {scenario}: cyhttp pure / aiohttp.web req/s = "
                             f"{_median(pure, scenario, 'rps') / _median(ref, scenario, 'rps'):.2f}")  # type: ignore[operator]
            if ours and floor:
                lines.append(f"- {scenario}: cyhttp compiled CPU per request / floor = "
                             f"{_median(ours, scenario, 'cpu_us') / _median(floor, scenario, 'cpu_us'):.2f}")  # type: ignore[operator]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.web_bench")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--loops", nargs="+", default=["asyncio", "uvloop"], choices=("asyncio", "uvloop"))
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--wrk-cpu", type=int, default=1)
    parser.add_argument("--nice", type=int, default=0, help="niceness for the server (negative raises priority)")
    parser.add_argument("--out", type=Path, default=None, help="write results.md / results.json here")
    args = parser.parse_args()

    wrk = _ensure_wrk()
    all_results: dict[str, dict[str, list[dict[str, dict[str, float]]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        lua = _lua(Path(tmp))
        for rnd in range(args.rounds):
            kinds = args.kinds if rnd % 2 == 0 else list(reversed(args.kinds))
            for loop in args.loops:
                for kind in kinds:
                    res = run_one(kind, loop, args.scenarios, args, wrk, lua)
                    all_results.setdefault(loop, {k: [] for k in args.kinds})[kind].append(res)
                    summary = ", ".join(f"{s} {r['rps']:,.0f}/s {r['cpu_us']:.1f}us" for s, r in res.items())
                    print(f"round {rnd + 1} {loop:7} {kind:12} {summary}", flush=True)
    text = report(all_results, args.scenarios)
    print()
    print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.md").write_text(text + "\n")
        (args.out / "results.json").write_text(json.dumps(all_results, indent=1))


if __name__ == "__main__":
    main()
