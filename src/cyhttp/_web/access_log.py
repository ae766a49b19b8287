"""AccessLogger: one line per response in aiohttp's (Apache-like) format.

How this works: the format string is compiled once per distinct format into a ``%``
template and a list of (key, function) pairs; logging a response calls each function
and formats the line, passing the values as ``extra`` too (keys as aiohttp names them).
Nothing is formatted when the logger would drop INFO records (``enabled``).

Format atoms: ``%%`` ``%a`` remote address, ``%t`` start time, ``%P`` pid, ``%r`` request
line, ``%s`` status, ``%b`` response size (head included), ``%T`` seconds, ``%Tf``
seconds with a fraction, ``%D`` microseconds, ``%{H}i`` request header, ``%{H}o``
response header.
"""

from __future__ import annotations

import datetime
import functools
import logging
import os
import re
import time as time_mod
from typing import TYPE_CHECKING, Any, Callable, ClassVar, NamedTuple

from ..abc import AbstractAccessLogger

if TYPE_CHECKING:
    from .request import BaseRequest
    from .stream_response import StreamResponse

__all__ = ("AccessLogger",)


class KeyMethod(NamedTuple):
    key: str | tuple[str, str]
    method: Callable[[Any, Any, float], Any]


class AccessLogger(AbstractAccessLogger):
    """The default access logger (``access_log_format``)."""

    LOG_FORMAT_MAP = {
        "a": "remote_address", "t": "request_start_time", "P": "process_id",
        "r": "first_request_line", "s": "response_status", "b": "response_size",
        "T": "request_time", "Tf": "request_time_frac", "D": "request_time_micro",
        "i": "request_header", "o": "response_header",
    }
    LOG_FORMAT = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
    FORMAT_RE = re.compile(r"%(\{([A-Za-z0-9\-_]+)\}([ioe])|[atPrsbOD]|Tf?)")
    CLEANUP_RE = re.compile(r"(%[^s])")
    _FORMAT_CACHE: ClassVar[dict[str, tuple[str, list[KeyMethod]]]] = {}
    _cached_tz: ClassVar[datetime.timezone | None] = None
    _cached_tz_expires: ClassVar[float] = 0.0

    def __init__(self, logger: logging.Logger, log_format: str = LOG_FORMAT) -> None:
        super().__init__(logger, log_format=log_format)
        compiled = AccessLogger._FORMAT_CACHE.get(log_format)
        if not compiled:
            compiled = AccessLogger._FORMAT_CACHE[log_format] = self.compile_format(log_format)
        self._log_format, self._methods = compiled

    def compile_format(self, log_format: str) -> tuple[str, list[KeyMethod]]:
        """``log_format`` → (a ``%s`` template, the value functions in order)."""
        methods: list[KeyMethod] = []
        for atom in self.FORMAT_RE.findall(log_format):
            if atom[1] == "":
                method = getattr(AccessLogger, f"_format_{atom[0]}")
                methods.append(KeyMethod(self.LOG_FORMAT_MAP[atom[0]], method))
            else:
                method = getattr(AccessLogger, f"_format_{atom[2]}")
                methods.append(KeyMethod((self.LOG_FORMAT_MAP[atom[2]], atom[1]),
                                         functools.partial(method, atom[1])))
        log_format = self.FORMAT_RE.sub(r"%s", log_format)
        log_format = self.CLEANUP_RE.sub(r"%\1", log_format)
        return log_format, methods

    @staticmethod
    def _format_i(key: str, request: BaseRequest | None, response: StreamResponse,
                  time: float) -> str:
        if request is None:
            return "(no headers)"
        return request.headers.get(key, "-")

    @staticmethod
    def _format_o(key: str, request: BaseRequest, response: StreamResponse, time: float) -> str:
        return response.headers.get(key, "-")

    @staticmethod
    def _format_e(key: str, request: BaseRequest, response: StreamResponse, time: float) -> str:
        return os.environ.get(key, "-")

    @staticmethod
    def _format_a(request: BaseRequest | None, response: StreamResponse, time: float) -> str:
        if request is None:
            return "-"
        ip = request.remote
        return ip if ip is not None else "-"

    @classmethod
    def _get_local_time(cls) -> datetime.datetime:
        if cls._cached_tz is None or time_mod.time() >= cls._cached_tz_expires:
            gmtoff = time_mod.localtime().tm_gmtoff
            cls._cached_tz = tz = datetime.timezone(datetime.timedelta(seconds=gmtoff))
            now = datetime.datetime.now(tz)
            # Renewed every half hour: DST changes happen on the hour or the half hour.
            d = now + datetime.timedelta(minutes=30)
            d = d.replace(minute=30 if d.minute >= 30 else 0, second=0, microsecond=0)
            cls._cached_tz_expires = d.timestamp()
            return now
        return datetime.datetime.now(cls._cached_tz)

    @staticmethod
    def _format_t(request: BaseRequest, response: StreamResponse, time: float) -> str:
        start = AccessLogger._get_local_time() - datetime.timedelta(seconds=time)
        return start.strftime("[%d/%b/%Y:%H:%M:%S %z]")

    @staticmethod
    def _format_P(request: BaseRequest, response: StreamResponse, time: float) -> str:
        return f"<{os.getpid()}>"

    @staticmethod
    def _format_r(request: BaseRequest | None, response: StreamResponse, time: float) -> str:
        if request is None:
            return "-"
        version = request.version
        return f"{request.method} {request.path_qs} HTTP/{version.major}.{version.minor}"

    @staticmethod
    def _format_s(request: BaseRequest, response: StreamResponse, time: float) -> int:
        return response.status

    @staticmethod
    def _format_b(request: BaseRequest, response: StreamResponse, time: float) -> int:
        return response.body_length

    @staticmethod
    def _format_T(request: BaseRequest, response: StreamResponse, time: float) -> str:
        return str(round(time))

    @staticmethod
    def _format_Tf(request: BaseRequest, response: StreamResponse, time: float) -> str:
        return f"{time:06f}"

    @staticmethod
    def _format_D(request: BaseRequest, response: StreamResponse, time: float) -> str:
        return str(round(time * 1000000))

    def _format_line(self, request: BaseRequest, response: StreamResponse,
                     time: float) -> list[tuple[str | tuple[str, str], Any]]:
        return [(key, method(request, response, time)) for key, method in self._methods]

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        try:
            values = []
            extra: dict[str, Any] = {}
            for key, value in self._format_line(request, response, time):
                values.append(value)
                if isinstance(key, str):
                    extra[key] = value
                else:
                    k1, k2 = key
                    extra.setdefault(k1, {})[k2] = value
            self.logger.info(self._log_format % tuple(values), extra=extra)
        except Exception:
            self.logger.exception("Error in logging")
