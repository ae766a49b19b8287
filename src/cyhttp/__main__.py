"""``python -m cyhttp`` (and the ``cyhttp`` command): ``--version``, ``fetch URL…``, ``crawl``.

``--version`` prints the version and which engine twin runs; ``fetch`` and ``crawl`` are
the crawler toolkit's commands (``cyhttp/crawl/cli.py``, docs/crawl.md).
"""

from __future__ import annotations

import argparse
import sys

from . import EXTENSIONS, __version__


def _version_line() -> str:
    kind = "compiled" if EXTENSIONS else "pure-python"
    return f"cyhttp {__version__} (engine: {kind}, python {sys.version.split()[0]})"


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in and args_in[0] in ("fetch", "crawl"):
        from .crawl.cli import main as cli_main

        return cli_main(args_in)
    parser = argparse.ArgumentParser(prog="python -m cyhttp",
                                     epilog="commands: fetch URL… | crawl [FILE|-] (see `cyhttp crawl -h`)")
    parser.add_argument("--version", action="store_true", help="print version and engine kind")
    parser.parse_args(args_in)
    print(_version_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
