"""cyhttp's loggers, one per aiohttp logger name (``aiohttp.client`` → ``cyhttp.client`` ...),
so a program that configures aiohttp's names finds the same split here."""

from __future__ import annotations

import logging

__all__ = ("access_logger", "client_logger", "internal_logger", "server_logger", "web_logger", "ws_logger")

access_logger = logging.getLogger("cyhttp.access")
client_logger = logging.getLogger("cyhttp.client")
internal_logger = logging.getLogger("cyhttp.internal")
server_logger = logging.getLogger("cyhttp.server")
web_logger = logging.getLogger("cyhttp.web")
ws_logger = logging.getLogger("cyhttp.websocket")
