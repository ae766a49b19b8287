"""Buffer: peak memory of read_all() on a 64 MiB body fed in 64 KiB pieces.

Measured in a fresh subprocess, two ways: tracemalloc's peak (counts every bytes
object's full allocation, over-allocation included) and the growth of ru_maxrss (pages
really touched).  Bounds: compiled twin <= 1.1x the data (it hands out its own storage);
pure twin <= 2.1x (a bytearray must be copied into a bytes: ~2x, measured 2.0-2.04x).
"""

from __future__ import annotations

import os
import subprocess
import sys
from types import ModuleType

import pytest

from tests.conftest import twin_fixture

twin = twin_fixture("buffer")

PROBE = r"""
import importlib, resource, sys, tracemalloc
module, mode, reserve = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
Buffer = importlib.import_module(module).Buffer
size = 64 << 20
piece = b"x" * 65536
buf = Buffer()
if mode == "tracemalloc":
    tracemalloc.start()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if reserve:
    buf.reserve(size)
for _ in range(size // len(piece)):
    buf.feed(piece)
out = buf.read_all()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert len(out) == size and out[-1:] == b"x" and len(buf) == 0
if mode == "tracemalloc":
    print(tracemalloc.get_traced_memory()[1] / size)
else:
    print((after - before) * 1024 / size)
"""

BOUND = {"_buffer_c": 1.1, "_buffer_py": 2.1}


# ru_maxrss is POSIX-only; tracemalloc measures everywhere.
MODES = ["tracemalloc"] + (["rss"] if sys.platform != "win32" else [])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reserve", [False, True], ids=["grow", "reserve"])
def test_read_all_peak_memory(twin: ModuleType, mode: str, reserve: bool) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, twin.__name__, mode, "1" if reserve else "0"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert result.returncode == 0, result.stderr
    ratio = float(result.stdout)
    bound = BOUND[twin.__name__.rpartition(".")[2]]
    assert ratio <= bound, f"{twin.__name__} {mode}: peak {ratio:.3f}x the data (bound {bound}x)"
