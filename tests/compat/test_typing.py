"""The pure-Python twins are the typed reference: they must pass ``mypy --strict``."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_engine_pure_twins_type_check_strict(tmp_path) -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    files = sorted(glob.glob(os.path.join(ROOT, "src", "cyhttp", "_core", "*.py")))
    assert files
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports", "--no-incremental",
         "--cache-dir", str(tmp_path), *files],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
