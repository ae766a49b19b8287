"""cyhttp is typed like a library people check: mypy --strict and pyright (standard mode).

- the whole package passes ``mypy --strict`` (the pure engine twins are the typed reference);
- the whole package passes pyright in standard mode (``[tool.pyright]`` in pyproject.toml);
- a user's program (``typing_user_script.py``, ``import cyhttp as aiohttp``) gets exactly
  the errors planted in it, marked ``# expect-error``, from both checkers: the public names,
  lazy ones included, carry their real types, and nothing a user touches is ``Any``;
- the lazily loaded public names and the engine's twin choosers stay visible to checkers.

Each checker runs once per session over the package and the script together (their reports
are shared by the tests below); a test needing a checker that is not installed is skipped.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "cyhttp"
SCRIPT = Path(__file__).resolve().parent / "typing_user_script.py"

# (path relative to ROOT, 1-based line, message)
Report = list[tuple[str, int, str]]


def _rel(path: str) -> str:
    resolved = Path(path).resolve()
    return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(resolved)


@pytest.fixture(scope="session")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    cache = tmp_path_factory.mktemp("mypy-cache")
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(cache), "--no-error-summary", "--show-absolute-path",
         "--no-pretty", str(SRC), str(SCRIPT)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    report: Report = []
    for line in out.stdout.splitlines():
        m = re.match(r"(.+?):(\d+): error: (.*)", line)
        if m:
            report.append((_rel(m[1]), int(m[2]), m[3]))
    if out.returncode not in (0, 1) or (out.returncode == 1 and not report):
        pytest.fail(f"mypy did not run: {out.returncode}\n{out.stdout}\n{out.stderr}")
    return report


@pytest.fixture(scope="session")
def pyright_report() -> Report:
    pytest.importorskip("pyright", reason="pyright is in the test extra")
    env = dict(os.environ, PYRIGHT_PYTHON_IGNORE_WARNINGS="1")  # no PyPI version check
    out = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable,
         str(SRC), str(SCRIPT)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env=env,
    )
    try:
        data = json.loads(out.stdout)
    except json.JSONDecodeError:
        pytest.skip(f"pyright could not run here (it needs node): {out.stdout[-500:]} {out.stderr[-500:]}")
    return [
        (_rel(d["file"]), d["range"]["start"]["line"] + 1, f"{d['severity']}: {d['message']}")
        for d in data["generalDiagnostics"]
        if d["severity"] in ("error", "warning")
    ]


def _format(report: Report) -> str:
    return "\n".join(f"{path}:{line}: {msg}" for path, line, msg in report)


def _in_package(report: Report, under: str = "src/cyhttp/") -> Report:
    return [item for item in report if item[0].startswith(under)]


# -- the package ------------------------------------------------------------------------


def test_engine_pure_twins_type_check_strict(mypy_report: Report) -> None:
    errors = _in_package(mypy_report, "src/cyhttp/_core/")
    assert not errors, _format(errors)


def test_package_type_checks_with_mypy_strict(mypy_report: Report) -> None:
    errors = _in_package(mypy_report)
    assert not errors, f"{len(errors)} mypy --strict errors:\n{_format(errors)}"


def test_package_type_checks_with_pyright(pyright_report: Report) -> None:
    errors = _in_package(pyright_report)
    assert not errors, f"{len(errors)} pyright (standard mode) reports:\n{_format(errors)}"


# -- a user's program -------------------------------------------------------------------


def _marked_lines() -> tuple[set[int], dict[int, str]]:
    expected: set[int] = set()
    gaps: dict[int, str] = {}
    for number, line in enumerate(SCRIPT.read_text().splitlines(), 1):
        if line.rstrip().endswith("# expect-error"):
            expected.add(number)
        elif "# gap:" in line:
            gaps[number] = line.split("# gap:", 1)[1].strip()
    return expected, gaps


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_user_script_gets_exactly_the_planted_errors(
    checker: str, request: pytest.FixtureRequest
) -> None:
    report: Report = request.getfixturevalue(f"{checker}_report")
    script = SCRIPT.relative_to(ROOT).as_posix()
    found: dict[int, list[str]] = {}
    for path, line, msg in report:
        if path == script:
            found.setdefault(line, []).append(msg)
    expected, gaps = _marked_lines()
    assert len(expected) >= 10
    missed = sorted(expected - found.keys())
    extra = sorted(found.keys() - expected)
    problems = [f"line {n}: planted mistake not reported" for n in missed]
    for n in extra:
        why = f" (was a gap: {gaps[n]}; mark it # expect-error now)" if n in gaps else ""
        problems.append(f"line {n}: unexpected report{why}: {found[n]}")
    assert not problems, f"{checker} on {script}:\n" + "\n".join(problems)


# -- what keeps the public names typed --------------------------------------------------


def _type_checking_imports(tree: ast.Module) -> dict[str, str]:
    """Names imported inside module-level ``if TYPE_CHECKING:`` blocks → their module."""
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    for alias in stmt.names:
                        names[alias.asname or alias.name] = f"{'.' * stmt.level}{stmt.module}"
    return names


def test_lazy_public_names_are_imported_for_type_checkers() -> None:
    import cyhttp

    tree = ast.parse((SRC / "__init__.py").read_text())
    typed = _type_checking_imports(tree)
    lazy = {name: f".{module}" for name, module in cyhttp._LAZY.items()}
    lazy["WebSocketError"] = "._core.errors"  # served by __getattr__ under aiohttp's name
    assert typed == lazy


def test_twin_choosers_show_checkers_the_pure_twin() -> None:
    choosers = [p for p in sorted((SRC / "_core").glob("*.py")) if "load(" in p.read_text()]
    choosers = [p for p in choosers if p.name != "_accel.py"]
    assert len(choosers) >= 6
    for path in choosers:
        tree = ast.parse(path.read_text())
        exported = next(
            ast.literal_eval(node.value) for node in tree.body
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        )
        typed = _type_checking_imports(tree)
        pure = f"._{path.stem}_py"
        assert {name: typed.get(name) for name in exported} == dict.fromkeys(exported, pure), path.name
