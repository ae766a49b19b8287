"""Check cyhttp's release artifacts: say what each one is and prove it is what it claims.

Usage: python tools/check_wheels.py DIST...   (wheels ``*.whl`` and sdists ``*.tar.gz``)

For every wheel:
- its kind: accelerated (compiled twins inside) or pure;
- an accelerated wheel carries exactly one compiled module per ``_core/_*_c.pyx`` and a
  platform tag PyPI accepts (``manylinux_X_Y`` / ``musllinux_X_Y`` / macOS / Windows; a
  bare ``linux_*`` tag is refused there: run ``auditwheel repair``);
- a pure wheel is ``py3-none-any`` and has no compiled module at all;
- both carry ``LICENSE`` (byte for byte the repository's), ``py.typed``, metadata that
  says Apache-2.0, the supported Pythons, the project URLs and only known classifiers
  (checked against ``trove-classifiers`` when it is installed); no tests, no C sources,
  no byte code;
- it imports as its kind from a bare unpacked copy (``CYHTTP_REQUIRE_EXTENSIONS=1`` for an
  accelerated one, so a broken compiled module cannot pass as a pure fallback) when it
  was built for this interpreter.

For every sdist: everything a build from it needs (setup.py, pyproject.toml, every
``.pyx`` / ``.pxd`` / ``.pxi`` and ``csrc/`` file), what a reader needs (LICENSE, README,
CHANGELOG, docs/), the tests with the examples they run; nothing built (no ``.so``, no
generated ``.c``, no byte code).

Exit status 0 when every check passed.
"""

from __future__ import annotations

import email.parser
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "src" / "cyhttp" / "_core"
COMPILED = sorted(p.stem for p in CORE.glob("_*_c.pyx"))  # e.g. _buffer_c
LICENSE = (ROOT / "LICENSE").read_bytes()
URLS = ("Homepage", "Source", "Issues", "Changelog")
# Platform tags PyPI takes for binary wheels (a bare linux_* tag is rejected on upload).
PYPI_PLATFORM = re.compile(
    r"(manylinux_\d+_\d+|manylinux1|manylinux2010|manylinux2014|musllinux_\d+_\d+)_"
    r"(x86_64|i686|aarch64|armv7l|ppc64le|s390x|riscv64)"
    r"|macosx_\d+_\d+_(x86_64|arm64|universal2)"
    r"|win_amd64|win32|win_arm64"
)


def _version() -> str:
    text = (ROOT / "src" / "cyhttp" / "_version.py").read_text()
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    assert match is not None
    return match.group(1)


VERSION = _version()


def _built_minors() -> list[int]:
    """The CPython 3.x minors the wheels are built for (cibuildwheel's ``build`` list)."""
    text = (ROOT / "pyproject.toml").read_text()
    match = re.search(r'^\[tool\.cibuildwheel\][^\[]*?^build\s*=\s*"([^"]*)"', text, re.MULTILINE | re.DOTALL)
    assert match is not None, "no [tool.cibuildwheel] build list in pyproject.toml"
    return sorted({int(m) for m in re.findall(r"cp3(\d+)-", match.group(1))})


MINORS = _built_minors()  # the classifiers and Requires-Python must say the same


class Report:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            print(f"  ok      {what}")
        else:
            self.failed += 1
            print(f"  FAILED  {what}{': ' + detail if detail else ''}")
        return ok

    def note(self, what: str) -> None:
        print(f"  note    {what}")


def _classifier_check(report: Report, classifiers: list[str]) -> None:
    try:
        from trove_classifiers import classifiers as known
    except ImportError:
        report.note("classifiers not checked (pip install trove-classifiers)")
        return
    unknown = [c for c in classifiers if c not in known]
    report.check(not unknown, f"{len(classifiers)} classifiers, all known to PyPI", ", ".join(unknown))


def _metadata_checks(report: Report, text: str) -> None:
    meta = email.parser.Parser().parsestr(text)
    report.check(meta["Name"] == "cyhttp" and meta["Version"] == VERSION,
                 f"metadata names cyhttp {VERSION}", f"{meta['Name']} {meta['Version']}")
    report.check(meta["License-Expression"] == "Apache-2.0", "License-Expression: Apache-2.0",
                 str(meta["License-Expression"]))
    report.check("LICENSE" in (meta.get_all("License-File") or []), "License-File: LICENSE")
    wanted_rp = f">=3.{MINORS[0]}"
    report.check(meta["Requires-Python"] == wanted_rp, f"Requires-Python: {wanted_rp}", str(meta["Requires-Python"]))
    urls = {u.split(",", 1)[0].strip() for u in meta.get_all("Project-URL") or []}
    missing = [u for u in URLS if u not in urls]
    report.check(not missing, "project URLs: " + ", ".join(URLS), "missing " + ", ".join(missing))
    classifiers = meta.get_all("Classifier") or []
    _classifier_check(report, classifiers)
    versions = sorted(int(c.rsplit(".", 1)[1]) for c in classifiers
                      if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    report.check(versions == MINORS, f"Python classifiers 3.{MINORS[0]} to 3.{MINORS[-1]}, as the wheels built",
                 "classifiers say " + ", ".join(f"3.{v}" for v in versions))
    report.check("Typing :: Typed" in classifiers, "classifier Typing :: Typed")


def _import_check(report: Report, path: str, compiled: bool) -> None:
    with tempfile.TemporaryDirectory() as target:
        with zipfile.ZipFile(path) as wheel:
            wheel.extractall(target)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CYHTTP_") and k != "PYTHONPATH"}
        env["PYTHONPATH"] = target
        if compiled:
            env["CYHTTP_REQUIRE_EXTENSIONS"] = "1"
        choosers = ", ".join(f"cyhttp._core.{stem[1:-2]}" for stem in COMPILED)  # every engine piece
        code = (f"import cyhttp, cyhttp.client, {choosers}, os; "
                "print(cyhttp.EXTENSIONS, os.path.dirname(os.path.dirname(cyhttp.__file__)))")
        out = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True,
                             cwd=target, timeout=120)
        words = out.stdout.split()
        ok = out.returncode == 0 and len(words) == 2 and words[0] == str(compiled) \
            and os.path.samefile(words[1], target)
        report.check(ok, f"imports as {'compiled' if compiled else 'pure'} from the unpacked wheel",
                     out.stderr[-400:] or out.stdout)


def check_wheel(report: Report, path: str) -> None:
    name = os.path.basename(path)
    parts = name[:-4].split("-")
    if len(parts) != 5:
        report.check(False, name, "not a name-version-python-abi-platform wheel file name")
        return
    _, version, py_tag, abi_tag, plat_tag = parts
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        dist_info = f"cyhttp-{version}.dist-info"
        metadata = wheel.read(f"{dist_info}/METADATA").decode() if f"{dist_info}/METADATA" in names else ""
        license_name = f"{dist_info}/licenses/LICENSE"
        license_bytes = wheel.read(license_name) if license_name in names else None
        wheel_file = wheel.read(f"{dist_info}/WHEEL").decode() if f"{dist_info}/WHEEL" in names else ""
    binaries = sorted(n for n in names if n.endswith((".so", ".pyd")))
    compiled = bool(binaries)
    size = os.path.getsize(path)
    print(f"{name}: {'accelerated' if compiled else 'pure'}, {len(binaries)} compiled modules, "
          f"{size / 1024:.0f} KiB")
    report.check(version == VERSION, f"version {VERSION}", version)
    if compiled:
        stems = sorted(Path(n).name.split(".")[0] for n in binaries)
        report.check(stems == COMPILED, "one compiled module per _core/_*_c.pyx: " + ", ".join(COMPILED),
                     "has " + ", ".join(stems))
        report.check(all(n.startswith("cyhttp/_core/") for n in binaries), "compiled modules live in cyhttp/_core")
        report.check(py_tag.startswith("cp") and abi_tag.startswith("cp"), f"CPython tags {py_tag}-{abi_tag}")
        plats = plat_tag.split(".")
        report.check(all(PYPI_PLATFORM.fullmatch(p) for p in plats), f"platform tag {plat_tag} accepted by PyPI",
                     "a bare linux_* tag is refused on upload: run auditwheel repair")
        report.check("Root-Is-Purelib: false" in wheel_file, "Root-Is-Purelib: false")
    else:
        report.check((py_tag, abi_tag, plat_tag) == ("py3", "none", "any"), "tag py3-none-any",
                     f"{py_tag}-{abi_tag}-{plat_tag}")
        report.check("Root-Is-Purelib: true" in wheel_file, "Root-Is-Purelib: true")
    report.check(license_bytes == LICENSE, f"{license_name} is the repository's LICENSE",
                 "missing" if license_bytes is None else "differs")
    report.check("cyhttp/py.typed" in names, "cyhttp/py.typed (PEP 561)")
    pure_twins = [f"cyhttp/_core/{stem[:-2]}_py.py" for stem in COMPILED]
    report.check(all(n in names for n in pure_twins), "every pure twin present",
                 ", ".join(n for n in pure_twins if n not in names))
    stray = [n for n in names if n.startswith(("tests/", "examples/", "bench/", "csrc/"))
             or n.endswith((".c", ".pyc", ".html")) or "__pycache__" in n]
    report.check(not stray, "no tests, C sources, byte code or annotations", ", ".join(stray[:5]))
    if metadata:
        _metadata_checks(report, metadata)
    else:
        report.check(False, "METADATA present")
    here = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    if compiled and (py_tag != here or not sys.platform.startswith("linux") and "linux" in plat_tag):
        report.note(f"import not tried: built for {py_tag}, this is {here}")
    else:
        _import_check(report, path, compiled)


def _repo_files(*patterns: str) -> list[str]:
    out = []
    for pattern in patterns:
        out += [str(p.relative_to(ROOT)) for p in ROOT.glob(pattern) if p.is_file() and "__pycache__" not in p.parts]
    return sorted(out)


def check_sdist(report: Report, path: str) -> None:
    name = os.path.basename(path)
    with tarfile.open(path) as sdist:
        members = sdist.getnames()
        top = members[0].split("/")[0]
        files = {m[len(top) + 1:] for m in members if m.startswith(top + "/")}
        pkg_info = sdist.extractfile(f"{top}/PKG-INFO")
        meta = pkg_info.read().decode() if pkg_info is not None else ""
        license_member = sdist.extractfile(f"{top}/LICENSE") if "LICENSE" in files else None
        license_bytes = license_member.read() if license_member is not None else None
    print(f"{name}: sdist, {len(files)} entries, {os.path.getsize(path) / 1024:.0f} KiB")
    report.check(top == f"cyhttp-{VERSION}", f"unpacks to cyhttp-{VERSION}/", top)
    report.check(license_bytes == LICENSE, "LICENSE is the repository's", "missing or differs")
    needed = ["setup.py", "pyproject.toml", "README.md", "CHANGELOG.md", "MANIFEST.in", "docs/architecture.md",
              "tests/compat/test_accel.py", "tests/compat/test_examples.py"]
    needed += _repo_files("csrc/**/*", "src/cyhttp/_core/*.pyx", "src/cyhttp/_core/*.pxd", "src/cyhttp/_core/*.pxi",
                          "src/cyhttp/**/*.py", "examples/*.py")
    missing = [f for f in needed if f not in files]
    report.check(not missing, f"build inputs, docs, tests and examples ({len(needed)} files)",
                 "missing " + ", ".join(missing[:8]))
    built = [f for f in files if f.endswith((".so", ".pyd", ".pyc")) or "__pycache__" in f
             or (f.startswith("src/") and f.endswith((".c", ".html")))]
    report.check(not built, "nothing built (no .so, generated .c, byte code)", ", ".join(built[:5]))
    if meta:
        _metadata_checks(report, meta)


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    report = Report()
    for path in paths:
        if path.endswith(".whl"):
            check_wheel(report, path)
        elif path.endswith((".tar.gz", ".zip")):
            check_sdist(report, path)
        else:
            report.check(False, path, "neither a wheel nor an sdist")
    print(f"{'all checks passed' if not report.failed else f'{report.failed} checks FAILED'}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
