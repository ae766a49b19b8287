"""Say which kind each wheel is, and prove it imports as that kind.

Usage: python tools/check_wheels.py WHEEL...  (an accelerated wheel must carry every
compiled twin and import with CYHTTP_REQUIRE_EXTENSIONS=1; a pure wheel none.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = [n for n in os.listdir(os.path.join(ROOT, "src", "cyhttp", "_core")) if n.endswith("_c.pyx")]


def main(paths: list[str]) -> int:
    status = 0
    for path in paths:
        with zipfile.ZipFile(path) as wheel:
            compiled = sorted(n for n in wheel.namelist() if n.endswith((".so", ".pyd")))
        kind = "accelerated" if compiled else "pure"
        print(f"{os.path.basename(path)}: {kind} ({len(compiled)} compiled modules)")
        with tempfile.TemporaryDirectory() as target:
            with zipfile.ZipFile(path) as wheel:
                wheel.extractall(target)
            env = {k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_")}
            env["PYTHONPATH"] = target
            if compiled:
                env["CYHTTP_REQUIRE_EXTENSIONS"] = "1"
            code = "import cyhttp, cyhttp._core.http_parser, cyhttp.client; print(cyhttp.EXTENSIONS)"
            out = subprocess.run([sys.executable, "-c", code], env=env,
                                 capture_output=True, text=True, cwd=target)
            ok = out.returncode == 0 and out.stdout.strip() == str(bool(compiled))
            if compiled and len(compiled) != len(SOURCES):
                ok = False
            print(f"  imports as {'compiled' if compiled else 'pure'}: {'ok' if ok else 'FAILED ' + out.stderr[-300:]}")
            status |= not ok
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
