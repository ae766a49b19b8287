"""``run_app``: serve an app until SIGINT/SIGTERM, printing aiohttp's banner.

How this works: a fresh loop runs ``_run_app``: an ``AppRunner`` (signals handled, so
SIGINT/SIGTERM raise ``GracefulExit``), one site per host / path / socket given (TCP on
0.0.0.0:8080 when none is), the "======== Running on ... ========" banner, then a sleep
until interrupted; on the way out the runner cleans up (graceful shutdown), remaining
tasks are cancelled and the loop is closed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from typing import TYPE_CHECKING, Any, cast

from ..abc import AbstractAccessLogger
from .access_log import AccessLogger
from .app import Application
from .log import access_logger
from .runner import AppRunner, BaseSite, GracefulExit, SockSite, TCPSite, UnixSite

if TYPE_CHECKING:
    from ssl import SSLContext

__all__ = ("run_app",)


def _sites(runner: AppRunner, host: Any, port: int | None, path: Any, sock: Any,
           ssl_context: SSLContext | None, backlog: int, reuse_address: bool | None,
           reuse_port: bool | None) -> list[BaseSite]:
    sites: list[BaseSite] = []

    def tcp(h: str | None) -> TCPSite:
        return TCPSite(runner, h, port, ssl_context=ssl_context, backlog=backlog,
                       reuse_address=reuse_address, reuse_port=reuse_port)

    if host is not None:
        for h in [host] if isinstance(host, str) else host:
            sites.append(tcp(h))
    elif path is None and sock is None or port is not None:
        sites.append(tcp(None))
    if path is not None:
        for p in [path] if isinstance(path, (str, os.PathLike)) else path:
            sites.append(UnixSite(runner, p, ssl_context=ssl_context, backlog=backlog))
    if sock is not None:
        for s in [sock] if not isinstance(sock, Iterable) else sock:
            sites.append(SockSite(runner, s, ssl_context=ssl_context, backlog=backlog))
    return sites


async def _run_app(app: Application | Awaitable[Application], *, host: Any = None,
                   port: int | None = None, path: Any = None, sock: Any = None,
                   ssl_context: SSLContext | None = None,
                   print: Callable[..., None] | None = print, backlog: int = 128,
                   reuse_address: bool | None = None, reuse_port: bool | None = None,
                   **kwargs: Any) -> None:
    if asyncio.iscoroutine(app):
        app = await app
    app = cast(Application, app)
    runner = AppRunner(app, **kwargs)
    await runner.setup()
    try:
        for site in _sites(runner, host, port, path, sock, ssl_context, backlog, reuse_address,
                           reuse_port):
            await site.start()
        if print:
            names = sorted(str(s.name) for s in runner.sites)
            print("======== Running on {} ========\n(Press CTRL+C to quit)".format(", ".join(names)))
        while True:
            await asyncio.sleep(3600)
    finally:
        await runner.cleanup()


def _cancel_tasks(to_cancel: set[asyncio.Task[Any]], loop: asyncio.AbstractEventLoop) -> None:
    if not to_cancel:
        return
    for task in to_cancel:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*to_cancel, return_exceptions=True))
    for task in to_cancel:
        if task.cancelled():
            continue
        if task.exception() is not None:
            loop.call_exception_handler({
                "message": "unhandled exception during asyncio.run() shutdown",
                "exception": task.exception(), "task": task})


def run_app(app: Application | Awaitable[Application], *, host: Any = None,
            port: int | None = None, path: Any = None, sock: socket.socket | Any = None,
            shutdown_timeout: float = 60.0, keepalive_timeout: float = 75.0,
            ssl_context: SSLContext | None = None, print: Callable[..., None] | None = print,
            backlog: int = 128, access_log_class: type[AbstractAccessLogger] = AccessLogger,
            access_log_format: str = AccessLogger.LOG_FORMAT,
            access_log: logging.Logger | None = access_logger, handle_signals: bool = True,
            reuse_address: bool | None = None, reuse_port: bool | None = None,
            handler_cancellation: bool = False, loop: asyncio.AbstractEventLoop | None = None,
            **kwargs: Any) -> None:
    """Run an app locally until interrupted."""
    if loop is None:
        loop = asyncio.new_event_loop()
    # In debug mode, with the default logger, make the access log visible.
    if loop.get_debug() and access_log and access_log.name == "cyhttp.access":
        if access_log.level == logging.NOTSET:
            access_log.setLevel(logging.DEBUG)
        if not access_log.hasHandlers():
            access_log.addHandler(logging.StreamHandler())
    main_task = loop.create_task(_run_app(
        app, host=host, port=port, path=path, sock=sock, shutdown_timeout=shutdown_timeout,
        keepalive_timeout=keepalive_timeout, ssl_context=ssl_context, print=print,
        backlog=backlog, access_log_class=access_log_class, access_log_format=access_log_format,
        access_log=access_log, handle_signals=handle_signals, reuse_address=reuse_address,
        reuse_port=reuse_port, handler_cancellation=handler_cancellation, **kwargs))
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main_task)
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            if not main_task.done():
                main_task.cancel()
                with suppress(asyncio.CancelledError):
                    loop.run_until_complete(main_task)
        finally:
            _cancel_tasks(asyncio.all_tasks(loop), loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
