"""The server's loggers, named as aiohttp's with ``cyhttp`` in place of ``aiohttp``."""

from __future__ import annotations

import logging

__all__ = ("access_logger", "server_logger", "web_logger")

access_logger = logging.getLogger("cyhttp.access")
server_logger = logging.getLogger("cyhttp.server")
web_logger = logging.getLogger("cyhttp.web")
