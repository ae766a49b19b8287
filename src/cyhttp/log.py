"""aiohttp's ``log`` import path: cyhttp's loggers under the same attribute names."""

from __future__ import annotations

from ._http.log import access_logger, client_logger, internal_logger, server_logger, web_logger, ws_logger

__all__ = ("access_logger", "client_logger", "internal_logger", "server_logger", "web_logger", "ws_logger")
