"""``python -m cyhttp.web [-H HOST] [-P PORT] [-U PATH] package.module:init_func``."""

import sys

from .._web.cli import main

main(sys.argv[1:])
