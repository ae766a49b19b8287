"""Every aiohttp client name we support exists in cyhttp with the same kind and bases."""

from __future__ import annotations

import inspect

import aiohttp
import pytest

import cyhttp

# aiohttp's public names cyhttp does not provide; the comment above cyhttp.__all__ says why.
NOT_SUPPORTED = {
    # server side or server helpers
    "GunicornUVLoopWebWorker", "GunicornWebWorker", "ChainMapProxy", "ETag",
    # aiohttp's internal queues
    "DataQueue", "FlowControlDataQueue",
    # not implemented yet
    "UploadTracker", "set_zlib_backend",
}
EXPECTED = sorted(set(aiohttp.__all__) - NOT_SUPPORTED)


def kind(obj: object) -> str:
    if inspect.isclass(obj):
        return "class"
    if inspect.ismodule(obj):
        return "module"
    if callable(obj):
        return "function"
    return "value"


@pytest.mark.parametrize("name", EXPECTED)
def test_name_exists_with_same_kind(name: str) -> None:
    ours = getattr(cyhttp, name)
    theirs = getattr(aiohttp, name)
    if name in ("AddrInfoType", "SocketFactoryType", "ClientHandlerType", "ClientMiddlewareType"):
        return  # typing aliases
    assert kind(ours) == kind(theirs), name


def test_all_lists_only_real_names() -> None:
    for name in cyhttp.__all__:
        getattr(cyhttp, name)


def test_skip_list_is_exact() -> None:
    """Every aiohttp name is either provided or listed as skipped, and nothing skipped exists."""
    missing = set(aiohttp.__all__) - set(cyhttp.__all__)
    assert missing == NOT_SUPPORTED
    for name in NOT_SUPPORTED:
        assert not hasattr(cyhttp, name), name


def test_only_our_own_extras() -> None:
    crawl = {"RetryMiddleware", "ExponentialBackoff", "HostPolicy", "PolitenessMiddleware", "RobotsMiddleware",
             "RobotsDisallowed", "HostStats", "charset_resolver"}  # the crawler toolkit (cyhttp.crawl)
    assert set(cyhttp.__all__) - set(aiohttp.__all__) == {"EXTENSIONS", "__version__"} | crawl


def test_websocket_error_is_what_error_messages_carry() -> None:
    from cyhttp._core.errors import WSInvalidUTF8, WSMessageTooBig, WSProtocolError

    assert cyhttp.WebSocketError is WSProtocolError
    assert issubclass(WSMessageTooBig, cyhttp.WebSocketError) and issubclass(WSInvalidUTF8, cyhttp.WebSocketError)
    ours, theirs = cyhttp.WebSocketError(1002, "bad frame"), aiohttp.WebSocketError(1002, "bad frame")
    assert (ours.code, str(ours), ours.args) == (theirs.code, str(theirs), theirs.args)


def test_middleware_aliases_have_aiohttps_shape() -> None:
    import typing

    for name in ("ClientHandlerType", "ClientMiddlewareType"):
        ours, theirs = getattr(cyhttp, name), getattr(aiohttp, name)
        assert typing.get_origin(ours) is typing.get_origin(theirs)
        assert len(typing.get_args(ours)) == len(typing.get_args(theirs))


EXCEPTIONS = [n for n in EXPECTED if inspect.isclass(getattr(aiohttp, n))
              and issubclass(getattr(aiohttp, n), BaseException)]


@pytest.mark.parametrize("name", EXCEPTIONS)
def test_exception_bases_match(name: str) -> None:
    ours = getattr(cyhttp, name)
    theirs = getattr(aiohttp, name)
    for base in inspect.getmro(theirs):
        if base.__module__.startswith("aiohttp"):
            assert issubclass(ours, getattr(cyhttp, base.__name__)), (name, base.__name__)
        elif base is not object:
            assert issubclass(ours, base), (name, base)


def test_session_methods_and_keywords() -> None:
    for meth in ("request", "get", "post", "put", "patch", "delete", "head", "options", "close"):
        assert callable(getattr(cyhttp.ClientSession, meth))
    ours = set(inspect.signature(cyhttp.ClientSession.__init__).parameters)
    for kw in ("base_url", "connector", "cookies", "headers", "skip_auto_headers", "auth",
               "json_serialize", "version", "cookie_jar", "connector_owner", "raise_for_status",
               "timeout", "auto_decompress", "trust_env", "requote_redirect_url", "trace_configs",
               "read_bufsize", "max_line_size", "max_field_size", "max_headers",
               "fallback_charset_resolver", "middlewares"):
        assert kw in ours, kw
    req = set(inspect.signature(cyhttp.ClientSession._request).parameters)
    for kw in ("params", "data", "json", "headers", "skip_auto_headers", "auth", "allow_redirects",
               "max_redirects", "raise_for_status", "read_until_eof", "timeout", "ssl",
               "server_hostname", "read_bufsize", "auto_decompress", "max_line_size",
               "max_field_size", "max_headers", "trace_request_ctx"):
        assert kw in req, kw


def test_response_api() -> None:
    for attr in ("status", "reason", "ok", "version", "url", "real_url", "host", "headers",
                 "raw_headers", "history", "request_info", "content_type", "charset",
                 "content_length", "links", "cookies", "read", "text", "json", "release", "close",
                 "raise_for_status", "__aenter__", "__aexit__", "content"):
        assert hasattr(cyhttp.ClientResponse, attr), attr
    for attr in ("read", "readany", "readline", "readexactly", "readchunk", "iter_chunked", "iter_any",
                 "iter_chunks", "at_eof", "total_bytes", "exception", "readuntil"):
        assert hasattr(cyhttp.StreamReader, attr), attr
