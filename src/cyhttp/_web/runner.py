"""Runners and sites: start an app (or a bare Server) listening, stop it gracefully.

How this works: ``runner.setup()`` starts the app (``on_startup``, cleanup contexts),
freezes it and makes its ``Server``; each site binds a listening socket to it (TCP with
the bound port readable after start, Unix socket, an existing socket, a Windows pipe).
``runner.cleanup()`` stops the sites, lets in-flight requests finish for up to
``shutdown_timeout`` seconds (idle keep-alive connections close at once), runs
``on_shutdown`` then ``on_cleanup``.  ``handle_signals=True`` turns SIGINT/SIGTERM into
``GracefulExit``.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import warnings
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from yarl import URL

from ..abc import AbstractAccessLogger
from .access_log import AccessLogger
from .app import Application
from .server import Server

if TYPE_CHECKING:
    from ssl import SSLContext

__all__ = ("BaseSite", "TCPSite", "UnixSite", "NamedPipeSite", "SockSite", "BaseRunner",
           "AppRunner", "ServerRunner", "GracefulExit")


class GracefulExit(SystemExit):
    code = 1


def _raise_graceful_exit() -> None:
    raise GracefulExit()


class BaseSite(ABC):
    __slots__ = ("_runner", "_ssl_context", "_backlog", "_server")

    def __init__(self, runner: BaseRunner, *, shutdown_timeout: float = 60.0,
                 ssl_context: SSLContext | None = None, backlog: int = 128) -> None:
        if runner.server is None:
            raise RuntimeError("Call runner.setup() before making a site")
        if shutdown_timeout != 60.0:
            warnings.warn("shutdown_timeout should be set on BaseRunner", DeprecationWarning,
                          stacklevel=2)
            runner._shutdown_timeout = shutdown_timeout
        self._runner = runner
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._server: asyncio.AbstractServer | None = None

    @property
    @abstractmethod
    def name(self) -> str:
        """The site's URL, as the run_app banner prints it."""

    @abstractmethod
    async def start(self) -> None:
        self._runner._reg_site(self)

    async def stop(self) -> None:
        self._runner._check_site(self)
        if self._server is not None:
            self._server.close()
        self._runner._unreg_site(self)


class TCPSite(BaseSite):
    __slots__ = ("_host", "_port", "_bound_port", "_reuse_address", "_reuse_port")

    def __init__(self, runner: BaseRunner, host: str | None = None, port: int | None = None, *,
                 shutdown_timeout: float = 60.0, ssl_context: SSLContext | None = None,
                 backlog: int = 128, reuse_address: bool | None = None,
                 reuse_port: bool | None = None) -> None:
        super().__init__(runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context,
                         backlog=backlog)
        self._host = host
        if port is None:
            port = 8443 if self._ssl_context else 8080
        self._port = port
        self._bound_port: int | None = None
        self._reuse_address = reuse_address
        self._reuse_port = reuse_port

    @property
    def port(self) -> int:
        """The port listened on: the bound one once started (port 0 → the OS's choice)."""
        return self._bound_port if self._bound_port is not None else self._port

    @property
    def name(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        host = "0.0.0.0" if not self._host else self._host
        return str(URL.build(scheme=scheme, host=host, port=self.port))

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_event_loop()
        server = self._runner.server
        assert server is not None
        self._server = await loop.create_server(
            server, self._host, self._port, ssl=self._ssl_context, backlog=self._backlog,
            reuse_address=self._reuse_address, reuse_port=self._reuse_port)
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port


class UnixSite(BaseSite):
    __slots__ = ("_path",)

    def __init__(self, runner: BaseRunner, path: Any, *, shutdown_timeout: float = 60.0,
                 ssl_context: SSLContext | None = None, backlog: int = 128) -> None:
        super().__init__(runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context,
                         backlog=backlog)
        self._path = path

    @property
    def name(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        return f"{scheme}://unix:{self._path}:"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_event_loop()
        server = self._runner.server
        assert server is not None
        self._server = await loop.create_unix_server(server, self._path, ssl=self._ssl_context,
                                                     backlog=self._backlog)


class NamedPipeSite(BaseSite):
    __slots__ = ("_path",)

    def __init__(self, runner: BaseRunner, path: str, *, shutdown_timeout: float = 60.0) -> None:
        loop = asyncio.get_event_loop()
        if not isinstance(loop, getattr(asyncio, "ProactorEventLoop", ())):
            raise RuntimeError("Named Pipes only available in proactor loop under windows")
        super().__init__(runner, shutdown_timeout=shutdown_timeout)
        self._path = path

    @property
    def name(self) -> str:
        return self._path

    async def start(self) -> None:
        await super().start()
        loop: Any = asyncio.get_event_loop()
        server = self._runner.server
        assert server is not None
        self._server = (await loop.start_serving_pipe(server, self._path))[0]


class SockSite(BaseSite):
    __slots__ = ("_sock", "_name")

    def __init__(self, runner: BaseRunner, sock: socket.socket, *,
                 shutdown_timeout: float = 60.0, ssl_context: SSLContext | None = None,
                 backlog: int = 128) -> None:
        super().__init__(runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context,
                         backlog=backlog)
        self._sock = sock
        scheme = "https" if self._ssl_context else "http"
        if hasattr(socket, "AF_UNIX") and sock.family == socket.AF_UNIX:
            self._name = f"{scheme}://unix:{sock.getsockname()}:"
        else:
            host, port = sock.getsockname()[:2]
            self._name = str(URL.build(scheme=scheme, host=host, port=port))

    @property
    def name(self) -> str:
        return self._name

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_event_loop()
        server = self._runner.server
        assert server is not None
        self._server = await loop.create_server(server, sock=self._sock, ssl=self._ssl_context,
                                                backlog=self._backlog)


class BaseRunner(ABC):
    __slots__ = ("_handle_signals", "_kwargs", "_server", "_sites", "_shutdown_timeout")

    def __init__(self, *, handle_signals: bool = False, shutdown_timeout: float = 60.0,
                 **kwargs: Any) -> None:
        self._handle_signals = handle_signals
        self._kwargs = kwargs
        self._server: Server | None = None
        self._sites: list[BaseSite] = []
        self._shutdown_timeout = shutdown_timeout

    @property
    def server(self) -> Server | None:
        return self._server

    @property
    def addresses(self) -> list[Any]:
        """The addresses every started site listens on."""
        ret: list[Any] = []
        for site in self._sites:
            server = site._server
            if server is not None:
                for sock in getattr(server, "sockets", None) or ():
                    ret.append(sock.getsockname())
        return ret

    @property
    def sites(self) -> set[BaseSite]:
        return set(self._sites)

    async def setup(self) -> None:
        loop = asyncio.get_event_loop()
        if self._handle_signals:
            try:
                loop.add_signal_handler(signal.SIGINT, _raise_graceful_exit)
                loop.add_signal_handler(signal.SIGTERM, _raise_graceful_exit)
            except NotImplementedError:  # pragma: no cover - Windows
                pass
        self._server = await self._make_server()

    @abstractmethod
    async def shutdown(self) -> None:
        """Call the app's shutdown hooks."""

    async def cleanup(self) -> None:
        """Stop the sites, finish in-flight requests, run shutdown and cleanup hooks."""
        for site in list(self._sites):
            await site.stop()
        if self._server:
            # Let requests accepted just before the sites stopped begin to be handled.
            await asyncio.sleep(0)
            self._server.pre_shutdown()
            await self.shutdown()
            await self._server.shutdown(self._shutdown_timeout)
        await self._cleanup_server()
        self._server = None
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            try:
                loop.remove_signal_handler(signal.SIGINT)
                loop.remove_signal_handler(signal.SIGTERM)
            except NotImplementedError:  # pragma: no cover - Windows
                pass

    @abstractmethod
    async def _make_server(self) -> Server:
        """The server the sites will serve."""

    @abstractmethod
    async def _cleanup_server(self) -> None:
        """Release what ``_make_server`` set up."""

    def _reg_site(self, site: BaseSite) -> None:
        if site in self._sites:
            raise RuntimeError(f"Site {site} is already registered in runner {self}")
        self._sites.append(site)

    def _check_site(self, site: BaseSite) -> None:
        if site not in self._sites:
            raise RuntimeError(f"Site {site} is not registered in runner {self}")

    def _unreg_site(self, site: BaseSite) -> None:
        if site not in self._sites:
            raise RuntimeError(f"Site {site} is not registered in runner {self}")
        self._sites.remove(site)


class ServerRunner(BaseRunner):
    """Runs a low-level ``Server``."""

    __slots__ = ("_web_server",)

    def __init__(self, web_server: Server, *, handle_signals: bool = False, **kwargs: Any) -> None:
        super().__init__(handle_signals=handle_signals, **kwargs)
        self._web_server = web_server

    async def shutdown(self) -> None:
        pass

    async def _make_server(self) -> Server:
        return self._web_server

    async def _cleanup_server(self) -> None:
        pass


class AppRunner(BaseRunner):
    """Runs an ``Application``; extra keywords configure its connections."""

    __slots__ = ("_app",)

    def __init__(self, app: Application, *, handle_signals: bool = False,
                 access_log_class: type[AbstractAccessLogger] = AccessLogger, **kwargs: Any) -> None:
        super().__init__(handle_signals=handle_signals, **kwargs)
        if not isinstance(app, Application):
            raise TypeError(f"The first argument should be web.Application instance, got {app!r}")
        self._kwargs["access_log_class"] = access_log_class
        self._app = app

    @property
    def app(self) -> Application:
        return self._app

    async def shutdown(self) -> None:
        await self._app.shutdown()

    async def _make_server(self) -> Server:
        loop = asyncio.get_event_loop()
        self._app._set_loop(loop)
        self._app.on_startup.freeze()
        await self._app.startup()
        self._app.freeze()
        return self._app._make_handler(loop=loop, **self._kwargs)

    async def _cleanup_server(self) -> None:
        await self._app.cleanup()
