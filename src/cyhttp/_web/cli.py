"""``python -m cyhttp.web [-H HOST] [-P PORT] [-U PATH] package.module:init_func [args...]``.

How this works: the entry function is imported from ``module:function`` and called
with the arguments the parser did not take; it returns an Application (or a coroutine
of one), which ``run_app`` serves.  A malformed or unimportable target is a usage error
(exit status 2, as argparse's), never a traceback.
"""

from __future__ import annotations

import logging
import socket
from argparse import ArgumentParser
from importlib import import_module

from .run_app import run_app

__all__ = ("main",)


def main(argv: list[str]) -> None:
    arg_parser = ArgumentParser(description="cyhttp.web Application server", prog="cyhttp.web")
    arg_parser.add_argument(
        "entry_func", metavar="entry-func",
        help="Callable returning the `cyhttp.web.Application` instance to run. "
             "Should be specified in the 'module:function' syntax.")
    arg_parser.add_argument("-H", "--hostname", default=None,
                            help="TCP/IP hostname to serve on (default: localhost)")
    arg_parser.add_argument("-P", "--port", type=int, default=8080,
                            help="TCP/IP port to serve on (default: %(default)r)")
    arg_parser.add_argument("-U", "--path",
                            help="Unix file system path to serve on. Can be combined with "
                                 "hostname to serve on both Unix and TCP.")
    args, extra_argv = arg_parser.parse_known_args(argv)

    mod_str, _, func_str = args.entry_func.partition(":")
    if not func_str or not mod_str:
        arg_parser.error("'entry-func' not in 'module:function' syntax")
    if mod_str.startswith("."):
        arg_parser.error("relative module names not supported")
    try:
        module = import_module(mod_str)
    except ImportError as ex:
        arg_parser.error(f"unable to import {mod_str}: {ex}")
    try:
        func = getattr(module, func_str)
    except AttributeError:
        arg_parser.error(f"module {mod_str!r} has no attribute {func_str!r}")
    if args.path is not None and not hasattr(socket, "AF_UNIX"):
        arg_parser.error("file system paths not supported by your operating environment")

    logging.basicConfig(level=logging.DEBUG)
    if args.path and args.hostname is None:
        host = port = None
    else:
        host = args.hostname or "localhost"
        port = args.port
    app = func(extra_argv)
    run_app(app, host=host, port=port, path=args.path)
    arg_parser.exit(message="Stopped\n")
