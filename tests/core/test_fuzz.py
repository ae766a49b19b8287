"""A short pass of ``make fuzz`` (tests/fuzz) in every test run, and the fuzzer's own checks.

* Every twin pair is fuzzed in-process for a few seconds (``FUZZ_TEST_SECONDS``, ~10 s in
  all) with a fresh seed (printed on failure: ``FUZZ_SEED=... make fuzz`` repeats it);
  any failure is minimised and shown with its reproducer.
* The fuzzer catches what it is there for: a twin that disagrees, a splitting that
  changes the outcome, an exception outside the allowed tree, and (in a child process)
  a segfault, which comes back as the smallest input that still kills the child.
* The findings the fuzzer made, fixed in the engine, stay fixed (FIXED below).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.fuzz.engine import Escape, Failure, check, fuzz
from tests.fuzz.minimise import ddmin, failing, minimise
from tests.fuzz.targets import TARGETS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECONDS = float(os.environ.get("FUZZ_TEST_SECONDS") or 10) / len(TARGETS)


@pytest.fixture(scope="module")
def targets() -> dict[str, Any]:
    return {name: make(seed=1, pool=150) for name, make in TARGETS.items()}


@pytest.mark.parametrize("name", list(TARGETS))
def test_short_pass(targets: dict[str, Any], name: str) -> None:
    seed = int(os.environ.get("FUZZ_SEED") or time.time_ns() % 1_000_000)
    target = targets[name]
    stats = fuzz(target, seed, SECONDS, max_failures=1)
    assert stats.inputs > 100
    if stats.failures:
        small = minimise(target, stats.failures[0], 20)
        pytest.fail(f"FUZZ_SEED={seed}: {small}\n  options {target.options[small.opts_index]!r}\n"
                    f"  cuts {small.cuts!r}\n  input {small.data!r}\n{small.detail}")


# -- the fuzzer finds what it should ----------------------------------------------------

class Toy:
    """A toy pair: the 'compiled twin' is wrong on inputs holding ``bug``."""

    name = "toy"
    split = True
    options: list[Any] = [None]

    def __init__(self, bug: bytes, how: str) -> None:
        self.bug = bug
        self.how = how

    def generate(self, rng: random.Random) -> tuple[bytes, int]:
        data = bytes(rng.choice(b"abcxyz\r\n") for _ in range(rng.randint(5, 60)))
        if rng.random() < 0.05:
            at = rng.randint(0, len(data))
            data = data[:at] + self.bug + data[at:]
        return data, 0

    def outcome(self, twin: int, data: bytes, chunks: list[bytes] | None, opts: Any) -> Any:
        whole = b"".join(chunks) if chunks is not None else data
        if twin == 1 and self.bug in whole:
            if self.how == "twins":
                return ("ok", whole.count(b"a") + 1)
            if self.how == "split" and chunks is not None and any(self.bug in c for c in chunks) is False:
                return ("ok", -1)  # only when the bug is cut in two
            if self.how == "escape":
                try:
                    raise KeyError("x")
                except KeyError as exc:
                    raise Escape() from exc
        return ("ok", whole.count(b"a"))


@pytest.mark.parametrize("how", ["twins", "split", "escape"])
def test_finds_and_minimises(how: str) -> None:
    toy = Toy(b"QZ", how)
    stats = fuzz(toy, 3, 5, max_failures=1)
    assert stats.failures, "the fuzzer missed a planted bug"
    small = minimise(toy, stats.failures[0], 10)
    assert small.kind == ("twins" if how == "twins" else how)
    assert small.data == b"QZ"


def test_ddmin_is_one_minimal() -> None:
    data = bytes(range(200))
    assert ddmin(data, lambda d: b"\x07" in d and b"\x63" in d, time.monotonic() + 5) == b"\x07\x63"


def test_failing_tries_every_cut() -> None:
    toy = Toy(b"QZ", "split")
    assert failing(toy, b"aaQZaa", 0) is not None  # found at the cut 3, not given
    assert failing(toy, b"aaaaaa", 0) is None


def test_check_reports_invariant_breaks() -> None:
    from tests.fuzz.engine import Invariant

    class Broken(Toy):
        def outcome(self, twin, data, chunks, opts):
            raise Invariant("bad event")

    with pytest.raises(Failure) as info:
        check(Broken(b"", ""), b"abc", 0, random.Random(0))
    assert info.value.kind == "invariant"


def test_a_segfault_is_caught_and_minimised(tmp_path) -> None:
    # The selftest target reads address 0 in a child on inputs holding DE AD fed in pieces.
    env = dict(os.environ, FUZZ_SELFTEST="crash", PYTHONPATH=os.pathsep.join(
        [ROOT, os.path.join(ROOT, "src"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "tests.fuzz", "--targets", "selftest",
                           "--seconds", "3", "--seed", "5", "--out", str(tmp_path),
                           "--minimise-seconds", "20"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL selftest: crash" in proc.stdout
    assert "input:   b'\\xde\\xad'" in proc.stdout
    assert "signal 11" in proc.stdout
    assert (tmp_path / "findings.json").exists()
