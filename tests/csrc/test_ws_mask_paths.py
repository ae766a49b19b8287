"""Every C masking path in csrc/ws_mask.h, including the ones this CPU's dispatch never picks.

The extension only ever runs one wide path per machine (AVX2 here, NEON on ARM), so the
others would first run on a user's machine.  csrc/check/mask_check.c calls each path
directly against a byte-by-byte reference (lengths 0..1100, every start offset 0..31,
four keys): built natively (words, SSE2, AVX2, the public entry), built with -mavx2 (the
no-dispatch variant), and for aarch64 (NEON) under qemu-user when a cross compiler is
installed (.ci/run installs one where apt-get exists).
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

CHECK = Path(__file__).resolve().parents[2] / "csrc" / "check" / "mask_check.c"
CC = (sysconfig.get_config_var("CC") or "cc").split()[0]


def _build_and_run(tmp_path: Path, compiler: str, *flags: str, runner: tuple[str, ...] = ()) -> str:
    exe = tmp_path / "mask_check"
    subprocess.run([compiler, "-O2", "-Wall", "-Wextra", "-Werror", *flags, "-o", str(exe), str(CHECK)],
                   check=True, capture_output=True, timeout=120)
    out = subprocess.run([*runner, str(exe)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("ok")
    return out.stdout


def _has_avx2() -> bool:
    try:
        return "avx2" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


@pytest.mark.skipif(shutil.which(CC) is None, reason="no C compiler")
def test_native_paths(tmp_path: Path) -> None:
    out = _build_and_run(tmp_path, CC)
    assert "public" in out and "words" in out
    if platform.machine() in ("x86_64", "AMD64"):
        assert "sse2" in out
        assert ("avx2" in out) == _has_avx2()


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64") or not _has_avx2(), reason="x86-64 with AVX2 only")
def test_avx2_baseline_build(tmp_path: Path) -> None:
    assert "avx2" in _build_and_run(tmp_path, CC, "-mavx2")


CROSS = shutil.which("aarch64-linux-gnu-gcc")
QEMU = shutil.which("qemu-aarch64") or shutil.which("qemu-aarch64-static")


@pytest.mark.skipif(CROSS is None or QEMU is None, reason="needs aarch64-linux-gnu-gcc and qemu-user")
def test_neon_path_under_qemu(tmp_path: Path) -> None:
    assert CROSS is not None and QEMU is not None
    out = _build_and_run(tmp_path, CROSS, runner=(QEMU, "-L", "/usr/aarch64-linux-gnu"))
    assert "neon" in out
