"""Which twin runs is decided once, by the environment; the compiled one by default."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ENGINE = ("http_parser", "chunked", "ws_mask", "ws_reader", "ws_writer", "buffer", "head_writer")


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_")}
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=base, timeout=60
    )


def _present(stem: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"cyhttp._core.{stem}") is not None


@pytest.mark.parametrize("stem", [s for s in ENGINE])
def test_compiled_twin_loaded_by_default(stem: str) -> None:
    if not _present(stem):
        pytest.fail(f"engine piece {stem} has no chooser module")
    code = (
        "import cyhttp, importlib\n"
        f"m = importlib.import_module('cyhttp._core.{stem}')\n"
        "print(cyhttp.EXTENSIONS, m.__file__ if hasattr(m,'__file__') else '')\n"
        f"impl = importlib.import_module('cyhttp._core._{stem}_c')\n"
        "print(impl.__file__)\n"
    )
    out = _run(code)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()
    assert first.startswith("True")
    assert second.endswith((".so", ".pyd"))


@pytest.mark.parametrize("stem", ENGINE)
def test_no_extensions_forces_pure(stem: str) -> None:
    code = (
        "import cyhttp, importlib, sys\n"
        f"importlib.import_module('cyhttp._core.{stem}')\n"
        "print(cyhttp.EXTENSIONS)\n"
        f"print('cyhttp._core._{stem}_c' in sys.modules)\n"
    )
    out = _run(code, CYHTTP_NO_EXTENSIONS="1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_version_command_reports_engine() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cyhttp", "--version"], capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_")}, timeout=60,
    )
    assert out.returncode == 0
    assert "engine: compiled" in out.stdout
    pure = _run("import runpy, sys; sys.argv=['x','--version']; runpy.run_module('cyhttp', run_name='__main__')",
                CYHTTP_NO_EXTENSIONS="1")
    assert "engine: pure-python" in pure.stdout


def test_require_extensions_turns_missing_module_into_import_error(tmp_path) -> None:
    # A copy of the package without its compiled modules, imported with REQUIRE set.
    import shutil

    import cyhttp

    src = os.path.dirname(cyhttp.__file__)
    dst = tmp_path / "cyhttp"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"))
    code = "import cyhttp._core.http_parser"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_")}
    env["PYTHONPATH"] = str(tmp_path)
    env["CYHTTP_REQUIRE_EXTENSIONS"] = "1"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode != 0
    assert "ImportError" in out.stderr or "ModuleNotFoundError" in out.stderr
    # Without REQUIRE, a pure build (no compiled modules at all) falls back to pure quietly.
    env.pop("CYHTTP_REQUIRE_EXTENSIONS")
    out = subprocess.run(
        [sys.executable, "-c", code + "; import cyhttp; print(cyhttp.EXTENSIONS)"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
