"""`make compat`: aiohttp's own client test files, run against cyhttp and against aiohttp.

1. ``pip download`` the hash-pinned aiohttp sdist (requirements.txt) into build/compat/dist;
2. extract its ``tests/`` twice: build/compat/aiohttp (as shipped) and build/compat/cyhttp
   (client-side imports rewritten to aiohttp_shim, rewrite.py);
3. run the same files on both sides with the same pytest.ini (compat_outcomes.py records
   every test's outcome);
4. print per-file counts side by side, and fail on any cyhttp failure that
   allowed_failures.txt does not list; listed tests that now pass are reported, so the list
   only shrinks.

Nothing of aiohttp's is committed: build/ is ignored and rebuilt on every run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from rewrite import rewrite_tree  # noqa: E402

FILES = [
    "test_client_functional",
    "test_client_ws_functional",
    "test_client_session",
    "test_client_request",
    "test_client_response",
    "test_connector",
    "test_cookiejar",
    "test_client_exceptions",
    "test_multipart",
    "test_formdata",
    "test_streams",
    "test_client_middleware",
    "test_client_middleware_digest_auth",
    "test_proxy_functional",
]
FAILED = ("failed", "error", "xpassed")


def download(work: Path) -> Path:
    dist = work / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
         "--require-hashes", "-r", str(HERE / "requirements.txt"), "-d", str(dist)],
        check=True,
    )
    (sdist,) = dist.glob("aiohttp-*.tar.gz")
    return sdist


def extract_tests(sdist: Path, dest: Path) -> None:
    """The sdist's tests/ (and nothing else) into ``dest``/tests."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with tarfile.open(sdist) as tar:
        top = tar.getmembers()[0].name.split("/", 1)[0]
        members = []
        for m in tar.getmembers():
            parts = m.name.split("/", 1)
            if len(parts) == 2 and parts[1].startswith("tests/"):
                m.name = parts[1]
                members.append(m)
        assert members, f"no tests/ in {sdist} ({top})"
        tar.extractall(dest, members=members, filter="data")
    shutil.copy(HERE / "pytest.ini", dest / "pytest.ini")


def run_side(side: str, where: Path, files: list[str], workers: int, extra: list[str],
             pure: bool) -> dict[str, dict]:
    outcomes = where / "outcomes.json"
    outcomes.unlink(missing_ok=True)
    env = dict(os.environ)
    paths = [str(HERE)]
    if side == "cyhttp":
        paths.insert(0, str(ROOT / "src"))
        if pure:
            env["CYHTTP_NO_EXTENSIONS"] = "1"
            env.pop("CYHTTP_REQUIRE_EXTENSIONS", None)
        else:
            env.setdefault("CYHTTP_REQUIRE_EXTENSIONS", "1")
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["COMPAT_OUTCOMES"] = str(outcomes)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    cmd = [sys.executable, "-m", "pytest", "-q", "-c", str(where / "pytest.ini"),
           "--rootdir", str(where)]
    if workers > 1:
        cmd += ["-n", str(workers)]
    cmd += [f"tests/{name}.py" for name in files] + extra
    log = where / "pytest.log"
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.run(cmd, cwd=where, env=env, stdout=out, stderr=subprocess.STDOUT)
    tail = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()][-1:]
    print(f"  {side}: {' '.join(tail)}  [{time.monotonic() - started:.0f} s, log {log}]", flush=True)
    if not outcomes.exists():
        sys.exit(f"{side}: pytest wrote no outcomes (exit {proc.returncode}); see {log}")
    return json.loads(outcomes.read_text())


def load_allowed(path: Path) -> list[tuple[re.Pattern[str], str, str]]:
    """``nodeid-pattern  # reason`` lines (two spaces before the ``#``: node ids may hold
    one); ``*`` in a pattern matches anything."""
    allowed = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, _, reason = line.partition("  # ")
        pattern = pattern.strip()
        if not reason.strip():
            sys.exit(f"{path.name}: {pattern} has no reason")
        regex = re.compile("^" + re.escape(pattern).replace(r"\*", ".*") + "$")
        allowed.append((regex, pattern, reason.strip()))
    return allowed


def counts(outcomes: dict[str, dict]) -> dict[str, Counter]:
    per_file: dict[str, Counter] = {}
    for nodeid, entry in outcomes.items():
        name = nodeid.split("::", 1)[0].removeprefix("tests/").removesuffix(".py")
        per_file.setdefault(name, Counter())[entry["outcome"]] += 1
    return per_file


def table(files: list[str], ref: dict[str, Counter] | None, cy: dict[str, Counter],
          allowed_by_file: Counter) -> None:
    def cell(c: Counter | None) -> str:
        if c is None:
            return f"{'-':>22}"
        bad = sum(c[k] for k in FAILED)
        return f"{c['passed']:>6} {bad:>6} {c['skipped'] + c['xfailed']:>6}"

    print(f"\n{'file':<36} {'aiohttp':^20}   {'cyhttp':^20}  {'allowed':>7}")
    print(f"{'':<36} {'pass':>6} {'fail':>6} {'skip':>6}   {'pass':>6} {'fail':>6} {'skip':>6}")
    tot_ref: Counter = Counter()
    tot_cy: Counter = Counter()
    for name in files:
        r = None if ref is None else ref.get(name, Counter())
        c = cy.get(name, Counter())
        tot_ref.update(r or {})
        tot_cy.update(c)
        print(f"{name:<36} {cell(r)}   {cell(c)}  {allowed_by_file[name]:>7}")
    print(f"{'total':<36} {cell(None if ref is None else tot_ref)}   {cell(tot_cy)}  "
          f"{sum(allowed_by_file.values()):>7}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", choices=["both", "cyhttp", "aiohttp"], default="both")
    parser.add_argument("--files", help="comma-separated test file stems (default: the contract set)")
    parser.add_argument("-n", "--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
    parser.add_argument("--pure", action="store_true", help="cyhttp side in pure-Python mode")
    parser.add_argument("--work", default=str(ROOT / "build" / "compat"))
    parser.add_argument("--reuse", action="store_true",
                        help="judge the outcomes of the last run again (after editing allowed_failures.txt)")
    parser.add_argument("pytest_args", nargs="*", help="passed on to pytest (after --)")
    args = parser.parse_args()
    files = args.files.split(",") if args.files else FILES
    work = Path(args.work)

    if args.reuse:
        ref_path = work / "aiohttp" / "outcomes.json"
        ref_outcomes = json.loads(ref_path.read_text()) if ref_path.exists() and args.side != "cyhttp" else None
        cy_outcomes = json.loads((work / "cyhttp" / "outcomes.json").read_text())
        return judge(files, ref_outcomes, cy_outcomes)
    sdist = download(work)
    print(f"aiohttp's tests from {sdist.name}: {len(files)} files", flush=True)
    ref_outcomes = None
    if args.side in ("both", "aiohttp"):
        extract_tests(sdist, work / "aiohttp")
        ref_outcomes = run_side("aiohttp", work / "aiohttp", files, args.workers, args.pytest_args, False)
    cy_outcomes: dict[str, dict] = {}
    if args.side in ("both", "cyhttp"):
        extract_tests(sdist, work / "cyhttp")
        rewrite_tree(work / "cyhttp" / "tests")
        cy_outcomes = run_side("cyhttp", work / "cyhttp", files, args.workers, args.pytest_args, args.pure)
    if args.side == "aiohttp":
        table(files, counts(ref_outcomes or {}), {}, Counter())
        return 0
    return judge(files, ref_outcomes, cy_outcomes)


def judge(files: list[str], ref_outcomes: dict[str, dict] | None, cy_outcomes: dict[str, dict]) -> int:
    """The table, then every cyhttp failure not allowed; 1 if there is one."""
    allowed = load_allowed(HERE / "allowed_failures.txt")
    used: set[str] = set()
    allowed_by_file: Counter = Counter()
    unexpected, also_aiohttp, now_pass = [], [], []
    for nodeid, entry in sorted(cy_outcomes.items()):
        match = next((a for a in allowed if a[0].match(nodeid)), None)
        if match is not None:
            used.add(match[1])
        failed = entry["outcome"] in FAILED
        if failed and match is not None:
            allowed_by_file[nodeid.split("::", 1)[0].removeprefix("tests/").removesuffix(".py")] += 1
        elif failed:
            ref = (ref_outcomes or {}).get(nodeid, {}).get("outcome")
            (also_aiohttp if ref in FAILED else unexpected).append((nodeid, entry))
        elif match is not None and entry["outcome"] == "passed":
            now_pass.append((nodeid, match[2]))

    table(files, None if ref_outcomes is None else counts(ref_outcomes), counts(cy_outcomes), allowed_by_file)
    if now_pass:
        print(f"\nListed in allowed_failures.txt but passing now ({len(now_pass)}): remove them")
        for nodeid, reason in now_pass:
            print(f"  {nodeid}  # {reason}")
    ran = {n.split("::", 1)[0] for n in cy_outcomes}
    stale = [p for _, p, _ in allowed if p not in used and p.split("::", 1)[0] in ran]
    if stale:
        print(f"\nallowed_failures.txt patterns that match no test that ran ({len(stale)}):")
        for p in stale:
            print(f"  {p}")
    if also_aiohttp:
        print(f"\nFailing on aiohttp too, so not counted ({len(also_aiohttp)}):")
        for nodeid, entry in also_aiohttp:
            print(f"  {nodeid}: {entry.get('message', '')}")
    if unexpected:
        print(f"\nFailures not in allowed_failures.txt ({len(unexpected)}):")
        for nodeid, entry in unexpected:
            print(f"  {nodeid}: {entry.get('message', '')}")
    passed = sum(1 for e in cy_outcomes.values() if e["outcome"] == "passed")
    print(f"\n{sum(allowed_by_file.values())} failures allowed (aiohttp internals, allowed_failures.txt)")
    print(f"compat: {passed} passed, {len(unexpected)} failed")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
