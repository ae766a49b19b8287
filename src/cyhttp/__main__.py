"""``python -m cyhttp --version``: the version and which engine twin runs."""

from __future__ import annotations

import argparse
import sys

from . import EXTENSIONS, __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cyhttp")
    parser.add_argument("--version", action="store_true", help="print version and engine kind")
    parser.parse_args(argv)
    kind = "compiled" if EXTENSIONS else "pure-python"
    print(f"cyhttp {__version__} (engine: {kind}, python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
