"""cyhttp.web offers aiohttp.web's public names, with the same kind, and the server's
extension points in cyhttp.abc."""

from __future__ import annotations

import inspect
import logging

import pytest
from aiohttp import web as aioweb

from cyhttp import abc as cyabc
from cyhttp import web

# Part two of the server (the WebSocket endpoint) is not here yet.
NOT_YET = {"WebSocketResponse", "WebSocketReady", "WSMsgType"}


def kind(obj: object) -> str:
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "value"


@pytest.mark.parametrize("name", sorted(set(aioweb.__all__) - NOT_YET))
def test_name_exists_with_same_kind(name: str) -> None:
    assert kind(getattr(web, name)) == kind(getattr(aioweb, name)), name


def test_all_is_exact() -> None:
    assert set(aioweb.__all__) - set(web.__all__) == NOT_YET
    assert set(web.__all__) - set(aioweb.__all__) == set()
    for name in web.__all__:
        getattr(web, name)


@pytest.mark.parametrize("name", ["Application", "Response", "StreamResponse", "json_response",
                                  "run_app", "TCPSite", "UnixSite", "SockSite", "AppRunner",
                                  "FileResponse", "normalize_path_middleware"])
def test_keywords_match(name: str) -> None:
    ours = inspect.signature(getattr(web, name))
    theirs = inspect.signature(getattr(aioweb, name))
    assert list(ours.parameters) == list(theirs.parameters)
    for pname, p in theirs.parameters.items():
        default = p.default
        if default is inspect.Parameter.empty or callable(default):
            continue
        if isinstance(default, logging.Logger):  # ours are named cyhttp.*
            assert ours.parameters[pname].default.name == default.name.replace("aiohttp", "cyhttp")
        elif type(default).__name__ == "_SENTINEL":
            assert type(ours.parameters[pname].default).__name__ == "_SENTINEL"
        else:
            assert ours.parameters[pname].default == default, (name, pname)


def test_run_app_defaults() -> None:
    params = inspect.signature(web.run_app).parameters
    assert params["keepalive_timeout"].default == 75.0
    assert params["shutdown_timeout"].default == 60.0


def test_server_abcs() -> None:
    for name in ("AbstractRouter", "AbstractMatchInfo", "AbstractView", "AbstractAccessLogger"):
        assert inspect.isclass(getattr(cyabc, name))
    assert issubclass(web.View, cyabc.AbstractView)
    assert issubclass(web.UrlDispatcher, cyabc.AbstractRouter)
    assert issubclass(web.UrlMappingMatchInfo, cyabc.AbstractMatchInfo)


def test_loggers_are_named_as_aiohttps() -> None:
    from cyhttp._web import log

    assert (log.access_logger.name, log.server_logger.name, log.web_logger.name) == (
        "cyhttp.access", "cyhttp.server", "cyhttp.web")
