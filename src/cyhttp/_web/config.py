"""ServerConfig: a server's connection settings, resolved once and shared by its connections.

How this works: the keywords aiohttp's ``RequestHandler`` takes (passed through
``AppRunner`` / ``run_app`` / ``Server``) become one frozen object; an unknown keyword
is a TypeError.  The access logger is built here, once.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from ..abc import AbstractAccessLogger
from .access_log import AccessLogger
from .log import access_logger as default_access_logger
from .log import server_logger

__all__ = ("ServerConfig",)

_SETTINGS = frozenset({
    "keepalive_timeout", "tcp_keepalive", "logger", "access_log_class", "access_log",
    "access_log_format", "debug", "max_line_size", "max_headers", "max_field_size",
    "lingering_time", "read_bufsize", "auto_decompress", "timeout_ceil_threshold",
    "header_timeout",
})


@dataclasses.dataclass(frozen=True)
class ServerConfig:
    """Connection settings, resolved once per server (aiohttp's RequestHandler keywords)."""

    keepalive_timeout: float = 3630.0  # aiohttp's RequestHandler default; runners pass 75
    tcp_keepalive: bool = True
    logger: logging.Logger = server_logger
    access_logger: AbstractAccessLogger | None = None
    debug: bool = False
    max_line_size: int = 8190
    max_headers: int = 128
    max_field_size: int = 8190
    lingering_time: float = 10.0
    read_bufsize: int = 2**16
    auto_decompress: bool = True
    timeout_ceil_threshold: float = 5.0
    # How long a request head may take from its first byte (nginx's client_header_timeout).
    header_timeout: float = 60.0

    @classmethod
    def from_kwargs(cls, *, access_log_class: type[AbstractAccessLogger] = AccessLogger,
                    access_log: logging.Logger | None = default_access_logger,
                    access_log_format: str = AccessLogger.LOG_FORMAT,
                    **kwargs: Any) -> ServerConfig:
        unknown = set(kwargs) - _SETTINGS
        if unknown:
            raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(unknown))}")
        logger = access_log_class(access_log, access_log_format) if access_log else None
        if "debug" in kwargs:
            kwargs["debug"] = bool(kwargs["debug"]) if kwargs["debug"] is not ... else False
        try:
            kwargs["timeout_ceil_threshold"] = float(kwargs.get("timeout_ceil_threshold", 5))
        except (TypeError, ValueError):
            kwargs["timeout_ceil_threshold"] = 5.0
        return cls(access_logger=logger, **kwargs)
