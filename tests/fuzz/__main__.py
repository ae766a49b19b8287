"""``make fuzz``: differential fuzzing of every engine twin pair, in subprocess batches.

    python -m tests.fuzz [--targets response,request,...] [--seconds N] [--inputs N]
                         [--jobs N] [--seed N] [--batch-seconds N] [--out DIR]

Environment (the Makefile's ``make fuzz`` reads these too): ``FUZZ_SECONDS`` (the whole
run's time budget, default 480: on an idle core every pair reaches its input count in
it), ``FUZZ_INPUTS`` (per pair, default 1,000,000: a pair stops there, and its unused
time goes to the pairs after it, which run dearest last), ``FUZZ_TARGETS``,
``FUZZ_JOBS`` (pairs run side by side, default 1), ``FUZZ_SEED`` (default: from the
clock, printed so a run can be repeated), ``FUZZ_HANG_SECONDS`` (10).

Each batch is a child process (``worker``) fuzzing one pair with its own seed; before
each input it writes the input's index (and the cuts being fed) to a small memory-mapped
state file.  A child that dies (a segfault in a compiled twin) or hangs leaves that
behind: the input is made again from the seed (``replay``) and minimised with one child
per candidate (``crashcheck``).  Disagreements and escapes are minimised in the child.
Every failure is printed with its smallest reproducer and written to ``OUT/findings.json``;
the exit status is 1 if there was any.  Pairs: the parsers (response, request), the
chunked decoder, the WebSocket reader, the head writer, and the call-driven buffer,
ws_writer and ws_mask (``targets.py``); multipart has no twins (it lives in ``_http``).
"""

from __future__ import annotations

import argparse
import base64
import json
import mmap
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import time
from array import array
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .engine import Failure, fuzz, replay
from .minimise import failing, minimise
from .targets import TARGETS

# Cheap first: a pair that reaches its input count early leaves its time to the dearer ones.
ORDER = ["ws_mask", "head_writer", "buffer", "ws_writer", "chunked", "request", "response",
         "ws_reader"]
STATE_SIZE = 1 << 16
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _dump(obj: Any) -> str:
    return base64.b64encode(pickle.dumps(obj)).decode()


def _load(text: str) -> Any:
    return pickle.loads(base64.b64decode(text))


def _failure_dict(f: Failure) -> dict[str, Any]:
    return {"target": f.target, "kind": f.kind, "sig": f.sig, "data": _dump(f.data),
            "opts_index": f.opts_index, "cuts": f.cuts, "detail": f.detail}


def _failure_from(d: dict[str, Any]) -> Failure:
    return Failure(d["target"], d["kind"], _load(d["data"]), d["opts_index"], d["cuts"],
                   d["detail"], d["sig"])


# -- the child ------------------------------------------------------------------------

def worker(args: argparse.Namespace) -> int:
    target = TARGETS[args.target](seed=args.seed)  # seeds (pools) differ from batch to batch
    fd = os.open(args.state, os.O_RDWR)
    state = mmap.mmap(fd, STATE_SIZE)
    pack = struct.pack_into

    def on_input(i: int) -> None:
        pack("q", state, 0, i)

    def note(phase: int, cuts: list[int] | None) -> None:
        pack("q", state, 8, phase)
        if phase == 2 and cuts is not None:
            raw = array("q", cuts[:STATE_SIZE // 8 - 4]).tobytes()
            pack("q", state, 16, len(raw) // 8)
            state[24:24 + len(raw)] = raw

    stats = fuzz(target, args.seed, args.seconds, max_inputs=args.max_inputs,
                 on_input=on_input, note=note)
    pack("q", state, 8, 0)  # done fuzzing: a crash from here on is the minimiser's
    found = [minimise(target, f, args.minimise_seconds) for f in stats.failures]
    json.dump({"target": args.target, "inputs": stats.inputs, "seconds": stats.seconds,
               "cpu": stats.cpu, "failures": [_failure_dict(f) for f in found]}, sys.stdout)
    return 0


def replay_main(args: argparse.Namespace) -> int:
    target = TARGETS[args.target](seed=args.seed)  # the worker's target, pools and all
    data, opts_index = replay(target, args.seed, args.index)
    json.dump({"data": _dump(data), "opts_index": opts_index}, sys.stdout)
    return 0


def crashcheck_main(args: argparse.Namespace) -> int:
    """Run one candidate exhaustively; exit 0 whatever the outcome (a crash kills us)."""
    target = TARGETS[args.target](pool=1)
    with open(args.candidate, "rb") as f:
        data, opts_index, cuts = pickle.load(f)
    failing(target, data, opts_index, cuts)
    return 0


# -- the parent -----------------------------------------------------------------------

def _py() -> list[str]:
    return [sys.executable, "-m", "tests.fuzz"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = os.path.join(ROOT, "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, src, env.get("PYTHONPATH")) if p)
    return env


def _read_state(path: str) -> tuple[int, int, list[int] | None]:
    with open(path, "rb") as f:
        raw = f.read()
    index, phase, ncuts = struct.unpack_from("qqq", raw, 0)
    cuts = list(array("q", raw[24:24 + 8 * ncuts])) if phase == 2 else None
    return index, phase, cuts


def _crash_probe(name: str, timeout: float) -> Any:
    """A predicate for the minimiser: does a child die (or hang) on this input?"""
    def probe(data: Any, opts_index: int, cuts: list[int] | None = None) -> Failure | None:
        with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as f:
            pickle.dump((data, opts_index, cuts), f)
        try:
            proc = subprocess.run(_py() + ["crashcheck", "--target", name, "--candidate", f.name],
                                  env=_env(), cwd=ROOT, capture_output=True, timeout=timeout)
            kind = "crash" if proc.returncode < 0 else None
            detail = f"killed by signal {-proc.returncode}" if kind else ""
        except subprocess.TimeoutExpired:
            kind, detail = "hang", f"no answer within {timeout:.0f} s"
        finally:
            os.unlink(f.name)
        if kind is None:
            return None
        return Failure(name, kind, data, opts_index, cuts, detail, kind)
    return probe


def _handle_death(name: str, seed: int, state: str, returncode: int | None,
                  minimise_seconds: float, hang_seconds: float) -> Failure:
    index, phase, cuts = _read_state(state)
    kind = "hang" if returncode is None else "crash"
    proc = subprocess.run(_py() + ["replay", "--target", name, "--seed", str(seed),
                                   "--index", str(index)],
                          env=_env(), cwd=ROOT, capture_output=True, text=True, check=True)
    got = json.loads(proc.stdout)
    data, opts_index = _load(got["data"]), got["opts_index"]
    how = {1: "whole", 2: "at the cuts", 3: "byte by byte", 0: "while minimising"}.get(phase, "?")
    detail = (f"child {'hung' if kind == 'hang' else f'died (signal {-(returncode or 0)})'} "
              f"on input {index} of seed {seed}, fed {how}")
    failure = Failure(name, kind, data, opts_index, cuts, detail, kind)
    probe = _crash_probe(name, hang_seconds)
    target = TARGETS[name](pool=1)
    small = minimise(target, failure, minimise_seconds,
                     predicate=lambda d, k: probe(d, k, cuts))
    small.detail = detail + ("" if small is failure else "; minimised")
    return small


def _supervise(cmd: list[str], state: str, hang_seconds: float,
               limit: float) -> tuple[int | None, str, str]:
    """Run a worker; (returncode, stdout, stderr), returncode None when it hung: the
    input index in its state file stood still for ``hang_seconds`` while it fuzzed, or
    the whole batch went past ``limit``."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, env=_env(), cwd=ROOT, stdout=out, stderr=err, text=True)
        start = last_change = time.monotonic()
        last = None
        while True:
            try:
                proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            index, phase, _ = _read_state(state)
            if (index, phase) != last:
                last, last_change = (index, phase), now
            if (phase and now - last_change > hang_seconds) or now - start > limit:
                proc.kill()
                proc.wait()
                out.seek(0)
                err.seek(0)
                return None, out.read(), err.read()
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read()


def run_target(name: str, budget: float, inputs: int, seed: int, batch_seconds: float,
               minimise_seconds: float, log: Any, hang_seconds: float = 10.0) -> dict[str, Any]:
    total = {"target": name, "inputs": 0, "seconds": 0.0, "cpu": 0.0, "failures": [],
             "batches": 0}
    start = time.monotonic()
    batch = 0
    while total["inputs"] < inputs:
        left = budget - (time.monotonic() - start)
        if left <= 1 and batch:
            break
        seconds = max(1.0, min(batch_seconds, left))
        batch_seed = seed * 1000 + batch
        batch += 1
        with tempfile.NamedTemporaryFile(prefix="cyhttp-fuzz-", delete=False) as f:
            f.write(b"\0" * STATE_SIZE)
            state = f.name
        cmd = _py() + ["worker", "--target", name, "--seed", str(batch_seed), "--seconds",
                       f"{seconds:.2f}", "--max-inputs", str(inputs - total["inputs"]),
                       "--state", state, "--minimise-seconds", str(minimise_seconds)]
        try:
            returncode, stdout, stderr = _supervise(cmd, state, hang_seconds,
                                                    seconds + 5 * minimise_seconds + 60)
            if returncode == 0:
                got = json.loads(stdout)
                for key in ("inputs", "seconds", "cpu"):
                    total[key] += got[key]
                total["failures"] += got["failures"]
            else:
                err = stderr[-2000:]
                print(f"  {name}: batch seed {batch_seed} "
                      f"{'hung' if returncode is None else f'exited {returncode}'}; "
                      f"reproducing ... {err}", file=log, flush=True)
                total["failures"].append(_failure_dict(
                    _handle_death(name, batch_seed, state, returncode, minimise_seconds,
                                  hang_seconds)))
        finally:
            os.unlink(state)
        total["batches"] = batch
        if total["failures"]:
            break  # fix first: more of the same would only repeat it
    total["wall"] = time.monotonic() - start
    return total


def show(failure: dict[str, Any], out: Any) -> None:
    target = TARGETS[failure["target"]]
    data = _load(failure["data"])
    opts = target.options[failure["opts_index"]]
    cuts = failure["cuts"]
    if cuts is not None and len(cuts) > 12 and cuts == list(range(1, len(cuts) + 1)):
        cuts_text = "byte by byte"
    else:
        cuts_text = "whole" if cuts is None else repr(cuts)
    print(f"\nFAIL {failure['target']}: {failure['kind']} ({failure['sig']})", file=out)
    print(f"  options: {opts!r}", file=out)
    print(f"  fed:     {cuts_text}", file=out)
    print(f"  input:   {data!r}", file=out)
    print("  " + failure["detail"].replace("\n", "\n  "), file=out)


def main_run(args: argparse.Namespace) -> int:
    names = [n for n in ORDER if n in args.targets] + [n for n in args.targets if n not in ORDER]
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    print(f"fuzz: {', '.join(names)}; {args.seconds:.0f} s budget, up to {args.inputs:,} inputs "
          f"per pair, seed {seed} (FUZZ_SEED={seed} repeats it), {args.jobs} job(s)", flush=True)
    results: list[dict[str, Any]] = []
    start = time.monotonic()
    if args.jobs <= 1:
        for i, name in enumerate(names):
            left = args.seconds - (time.monotonic() - start)
            budget = max(1.0, left / (len(names) - i))
            results.append(run_target(name, budget, args.inputs, seed, args.batch_seconds,
                                      args.minimise_seconds, sys.stdout, args.hang_seconds))
            _line(results[-1])
    else:
        budget = args.seconds * args.jobs / len(names)
        with ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_target, name, budget, args.inputs, seed,
                                   args.batch_seconds, args.minimise_seconds, sys.stdout,
                                   args.hang_seconds)
                       for name in names]
            for fut in futures:
                results.append(fut.result())
                _line(results[-1])
    failures = [f for r in results for f in r["failures"]]
    for failure in failures:
        show(failure, sys.stdout)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "findings.json")
    with open(path, "w") as f:
        json.dump({"seed": seed, "results": results}, f, indent=1)
    print(f"\nfuzz: {sum(r['inputs'] for r in results):,} inputs, {len(failures)} failure(s) "
          f"in {time.monotonic() - start:.0f} s; details in {path}")
    return 1 if failures else 0


def _line(r: dict[str, Any]) -> None:
    rate = r["inputs"] / r["cpu"] if r["cpu"] else 0.0
    print(f"  {r['target']:<12} {r['inputs']:>10,} inputs  {rate:>8,.0f}/CPU-s  "
          f"{r['cpu']:>6.0f} CPU-s  {r.get('wall', 0):>6.0f} s  {len(r['failures'])} failure(s)",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    parser.add_argument("--targets", default=env.get("FUZZ_TARGETS") or ",".join(ORDER))
    parser.add_argument("--seconds", type=float, default=float(env.get("FUZZ_SECONDS") or 480))
    parser.add_argument("--inputs", type=int, default=int(env.get("FUZZ_INPUTS") or 1_000_000))
    parser.add_argument("--jobs", type=int, default=int(env.get("FUZZ_JOBS") or 1))
    parser.add_argument("--seed", type=int, default=int(env["FUZZ_SEED"]) if env.get("FUZZ_SEED") else None)
    parser.add_argument("--batch-seconds", type=float, default=30.0)
    parser.add_argument("--minimise-seconds", type=float, default=60.0)
    parser.add_argument("--hang-seconds", type=float, default=float(env.get("FUZZ_HANG_SECONDS") or 10))
    parser.add_argument("--out", default=env.get("FUZZ_OUT") or os.path.join(ROOT, "build", "fuzz"))
    w = sub.add_parser("worker")
    w.add_argument("--target", required=True)
    w.add_argument("--seed", type=int, required=True)
    w.add_argument("--seconds", type=float, required=True)
    w.add_argument("--max-inputs", type=int, default=None)
    w.add_argument("--state", required=True)
    w.add_argument("--minimise-seconds", type=float, default=60.0)
    r = sub.add_parser("replay")
    r.add_argument("--target", required=True)
    r.add_argument("--seed", type=int, required=True)
    r.add_argument("--index", type=int, required=True)
    c = sub.add_parser("crashcheck")
    c.add_argument("--target", required=True)
    c.add_argument("--candidate", required=True)
    args = parser.parse_args(argv)
    if args.command == "worker":
        return worker(args)
    if args.command == "replay":
        return replay_main(args)
    if args.command == "crashcheck":
        return crashcheck_main(args)
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; known: {', '.join(ORDER)}")
    return main_run(args)


if __name__ == "__main__":
    sys.exit(main())
