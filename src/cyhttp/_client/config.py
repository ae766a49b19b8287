"""SessionConfig: every ClientSession keyword, validated once, in one frozen object.

The session reads its settings from here instead of keeping thirty attributes;
``ClientSession`` exposes the aiohttp-named read-only properties on top of it.
Per-request overrides never mutate it: the request path picks the override or the
config value.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict, MultiDict, MultiDictProxy, istr
from yarl import URL

from .._http.helpers import HttpVersion, HttpVersion11
from .timeouts import DEFAULT_TIMEOUT, ClientTimeout

if TYPE_CHECKING:
    from .._http.auth import BasicAuth

__all__ = ("SessionConfig", "SessionProperties", "make_config", "merge_headers")


def merge_headers(defaults: Any, headers: Any) -> CIMultiDict[str]:
    """The session's default headers merged with a request's own (the request wins)."""
    if not headers:
        return CIMultiDict(defaults) if defaults else CIMultiDict()
    if not isinstance(headers, (MultiDictProxy, MultiDict)):
        headers = CIMultiDict(headers)
    result: CIMultiDict[str] = CIMultiDict(defaults)
    added: set[str] = set()
    for key, value in headers.items():
        if key in added:
            result.add(key, value)
        else:
            result[key] = value
            added.add(key)
    return result


def _utf8(resp: Any, body: bytes) -> str:
    return "utf-8"


@dataclasses.dataclass(frozen=True, slots=True)
class SessionConfig:
    base_url: URL | None = None
    base_origin: URL | None = None
    # Mutable, as aiohttp's ``session.headers``: edits apply to later requests.
    headers: CIMultiDict[str] = dataclasses.field(default_factory=CIMultiDict)
    skip_auto_headers: frozenset[istr] = frozenset()
    auth: BasicAuth | None = None
    json_serialize: Callable[[Any], str] = json.dumps
    version: HttpVersion = HttpVersion11
    connector_owner: bool = True
    raise_for_status: bool | Callable[[Any], Awaitable[None]] = False
    timeout: ClientTimeout = DEFAULT_TIMEOUT
    auto_decompress: bool = True
    trust_env: bool = False
    requote_redirect_url: bool = True
    trace_configs: tuple[Any, ...] = ()
    read_bufsize: int = 2**16
    max_line_size: int = 8190
    max_field_size: int = 8190
    max_headers: int = 128
    fallback_charset_resolver: Callable[[Any, bytes], str] = _utf8
    middlewares: tuple[Any, ...] = ()
    proxy: URL | None = None
    proxy_auth: Any = None
    request_class: type | None = None
    response_class: type | None = None

    @property
    def limits(self) -> tuple[int, int, int]:
        return (self.max_line_size, self.max_field_size, self.max_headers)


def make_config(
    base_url: Any,
    *,
    headers: Any,
    skip_auto_headers: Iterable[str] | None,
    timeout: Any,
    version: Any,
    trace_configs: Iterable[Any] | None,
    middlewares: Iterable[Any],
    proxy: Any,
    **rest: Any,
) -> SessionConfig:
    """Validate and normalise the keywords aiohttp accepts into a SessionConfig."""
    base: URL | None = None
    origin: URL | None = None
    if base_url is not None:
        base = base_url if isinstance(base_url, URL) else URL(base_url)
        if not base.absolute:
            raise ValueError("Only absolute URLs are supported")
        if not base.path.endswith("/"):
            raise ValueError("base_url must have a trailing '/'")
        origin = base.origin()
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    elif not isinstance(timeout, ClientTimeout):
        raise ValueError(
            f"timeout parameter cannot be of {type(timeout)} type, "
            "please use 'timeout=ClientTimeout(...)'"
        )
    if isinstance(version, str):
        major, _, minor = version.partition(".")
        version = HttpVersion(int(major), int(minor))
    hdrs_: CIMultiDict[str] = CIMultiDict(headers) if headers else CIMultiDict()
    for config in trace_configs or ():
        if hasattr(config, "freeze"):
            config.freeze()
    return SessionConfig(
        base_url=base,
        base_origin=origin,
        headers=hdrs_,
        skip_auto_headers=frozenset(istr(h) for h in skip_auto_headers or ()),
        timeout=timeout,
        version=version,
        trace_configs=tuple(trace_configs or ()),
        middlewares=tuple(middlewares),
        proxy=None if proxy is None else URL(proxy),
        **rest,
    )


class SessionProperties:
    """aiohttp's read-only ClientSession properties, read from the one config object."""

    _config: SessionConfig
    _connector: Any
    _cookie_jar: Any
    _loop: Any

    @property
    def connector(self) -> Any:
        return self._connector

    @property
    def cookie_jar(self) -> Any:
        return self._cookie_jar

    @property
    def version(self) -> Any:
        return self._config.version

    @property
    def requote_redirect_url(self) -> bool:
        return self._config.requote_redirect_url

    @property
    def timeout(self) -> ClientTimeout:
        return self._config.timeout

    @property
    def headers(self) -> Any:
        return self._config.headers

    @property
    def skip_auto_headers(self) -> frozenset[str]:
        return self._config.skip_auto_headers

    @property
    def auth(self) -> BasicAuth | None:
        return self._config.auth

    @property
    def json_serialize(self) -> Callable[[Any], str]:
        return self._config.json_serialize

    @property
    def connector_owner(self) -> bool:
        return self._config.connector_owner

    @property
    def raise_for_status(self) -> Any:
        return self._config.raise_for_status

    @property
    def auto_decompress(self) -> bool:
        return self._config.auto_decompress

    @property
    def trust_env(self) -> bool:
        return self._config.trust_env

    @property
    def trace_configs(self) -> list[Any]:
        return list(self._config.trace_configs)

    @property
    def loop(self) -> Any:
        return self._loop

    @property
    def config(self) -> SessionConfig:
        return self._config
