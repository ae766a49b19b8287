"""Build the compiled twins of cyhttp's engine.

Every ``src/cyhttp/_core/_*_c.pyx`` becomes an extension module.  With
``CYHTTP_NO_EXTENSIONS=1`` (or without Cython) a pure-Python package is built
on purpose; the build says which kind it made.
"""

import os
import sys
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent
CORE = HERE / "src" / "cyhttp" / "_core"
ONLY = {s for s in os.environ.get("CYHTTP_ONLY", "").split(",") if s}
NO_EXTENSIONS = bool(os.environ.get("CYHTTP_NO_EXTENSIONS")) or sys.implementation.name != "cpython"


def extensions():
    if NO_EXTENSIONS:
        return []
    from Cython.Build import cythonize
    from setuptools import Extension

    debug = bool(os.environ.get("CYHTTP_DEBUG_BUILD"))
    if sys.platform == "win32":
        cflags = ["/O2"]
    else:
        cflags = ["-O3", "-g0"] if not debug else ["-O0", "-g"]
    include_dirs = [str(HERE / "csrc")]
    try:  # multidict >= 7 ships a C API header; the parser uses it when present (csrc/md_capi.h)
        import multidict

        include_dirs.append(multidict.get_include())
    except (ImportError, AttributeError):
        pass
    modules = [
        Extension(
            f"cyhttp._core.{pyx.stem}",
            [str(pyx.relative_to(HERE))],
            include_dirs=include_dirs,
            extra_compile_args=cflags,
        )
        for pyx in sorted(CORE.glob("_*_c.pyx"))
        # CYHTTP_ONLY=stem[,stem] builds just those modules (handy while one is being written).
        if not ONLY or pyx.stem[1:-2] in ONLY
    ]
    return cythonize(
        modules,
        language_level=3,
        compiler_directives={
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "embedsignature": True,
            "freethreading_compatible": True,
        },
        annotate=bool(os.environ.get("CYHTTP_ANNOTATE")),
    )


ext_modules = extensions()
print(
    f"cyhttp build: {'accelerated' if ext_modules else 'pure'}"
    f" ({len(ext_modules)} extension modules)",
    file=sys.stderr,
)
setup(ext_modules=ext_modules)
