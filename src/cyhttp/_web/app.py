"""Application: state, router, middlewares, signals, sub-applications, and ``_handle``.

How this works: until it is started an app is configuration: ``app[key] = value``
(an ``AppKey`` is recommended, as aiohttp warns), routes, middlewares, signals
(``aiosignal.Signal``: ``on_startup`` / ``on_shutdown`` / ``on_cleanup`` /
``on_response_prepare``) and ``cleanup_ctx`` generators.  ``freeze()`` (at start)
fixes all of it and computes once what the per-request path needs: whether any
middleware runs at all, and the synchronous resolver.  ``_handle(request)`` is the
per-request path: resolve, push the app on the match info, answer ``Expect``, wrap the
handler in the middlewares (innermost last, as aiohttp; sub-apps' inside the
parent's; chains cached per handler and app stack) and await it.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import lru_cache, partial, update_wrapper
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from aiosignal import Signal
from frozenlist import FrozenList

from .. import hdrs
from ..abc import AbstractAccessLogger, AbstractRouter
from .access_log import AccessLogger
from .dispatcher import UrlDispatcher
from .helpers import AppKey
from .log import web_logger
from .match_info import UrlMappingMatchInfo
from .middlewares import _fix_request_current_app
from .request import Request
from .routes import SystemRoute
from .server import Server
from .stream_response import NotAppKeyWarning
from .subapps import Domain, MaskDomain, MatchedSubAppResource, PrefixedSubAppResource

if TYPE_CHECKING:
    from .routedef import AbstractRouteDef
    from .routes import AbstractRoute
    from .stream_response import StreamResponse

__all__ = ("Application", "CleanupError", "CleanupContext")

_T = TypeVar("_T")
_U = TypeVar("_U")
Handler = Callable[[Request], Awaitable["StreamResponse"]]


def _build_middlewares(handler: Handler, apps: tuple[Application, ...]) -> Handler:
    """Wrap ``handler`` in the middlewares of ``apps`` (the outermost app's outermost)."""
    for app in apps[::-1]:
        for m, _ in app._middlewares_handlers:  # type: ignore[union-attr]
            handler = update_wrapper(partial(m, handler=handler), handler)
    return handler


_cached_build_middleware = lru_cache(maxsize=1024)(_build_middlewares)


class Application(MutableMapping["str | AppKey[Any]", Any]):
    """A web application (aiohttp.web.Application's API)."""

    def __init__(self, *, logger: logging.Logger = web_logger, router: UrlDispatcher | None = None,
                 middlewares: Iterable[Any] = (), handler_args: Mapping[str, Any] | None = None,
                 client_max_size: int = 1024**2, client_max_fields: int = 1000,
                 loop: asyncio.AbstractEventLoop | None = None, debug: Any = ...) -> None:
        if router is None:
            router = UrlDispatcher()
        else:
            warnings.warn("router argument is deprecated", DeprecationWarning, stacklevel=2)
        assert isinstance(router, AbstractRouter), router
        if loop is not None:
            warnings.warn("loop argument is deprecated", DeprecationWarning, stacklevel=2)
        if debug is not ...:
            warnings.warn("debug argument is deprecated", DeprecationWarning, stacklevel=2)
        self._debug = debug
        self._router: UrlDispatcher = router
        self._loop = loop
        self._handler_args = handler_args
        self.logger = logger
        self._middlewares: FrozenList[Any] = FrozenList(middlewares)
        self._middlewares_handlers: tuple[tuple[Any, bool], ...] | None = None
        self._run_middlewares: bool | None = None
        self._has_legacy_middlewares = True
        self._resolve_sync: Callable[[Request], UrlMappingMatchInfo | None] | None = None
        self._any_prepare_hooks = False
        self._any_legacy_middlewares = False
        self._state: dict[AppKey[Any] | str, object] = {}
        self._frozen = False
        self._pre_frozen = False
        self._subapps: list[Application] = []
        self._on_response_prepare: Signal[Request, StreamResponse] = Signal(self)
        self._on_startup: Signal[Application] = Signal(self)
        self._on_shutdown: Signal[Application] = Signal(self)
        self._on_cleanup: Signal[Application] = Signal(self)
        self._cleanup_ctx = CleanupContext()
        self._on_startup.append(self._cleanup_ctx._on_startup)
        self._on_cleanup.append(self._cleanup_ctx._on_cleanup)
        self._client_max_size = client_max_size
        self._client_max_fields = client_max_fields

    def __init_subclass__(cls: type[Application]) -> None:
        warnings.warn(f"Inheritance class {cls.__name__} from web.Application is discouraged",
                      DeprecationWarning, stacklevel=3)

    # -- the state mapping --------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: str | AppKey[_T]) -> Any:
        return self._state[key]

    def _check_frozen(self) -> None:
        if self._frozen:
            warnings.warn("Changing state of started or joined application is deprecated",
                          DeprecationWarning, stacklevel=3)

    @overload
    def __setitem__(self, key: AppKey[_T], value: _T) -> None: ...

    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...

    def __setitem__(self, key: str | AppKey[_T], value: Any) -> None:
        self._check_frozen()
        if not isinstance(key, AppKey):
            warnings.warn(
                "It is recommended to use web.AppKey instances for keys.\n"
                "https://docs.aiohttp.org/en/stable/web_advanced.html#application-s-config",
                category=NotAppKeyWarning, stacklevel=2)
        self._state[key] = value

    def __delitem__(self, key: str | AppKey[_T]) -> None:
        self._check_frozen()
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[str | AppKey[Any]]:
        return iter(self._state)

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: None = ...) -> _T | None: ...

    @overload
    def get(self, key: AppKey[_T], default: _U) -> _T | _U: ...

    @overload
    def get(self, key: str, default: Any = ...) -> Any: ...

    def get(self, key: str | AppKey[_T], default: Any = None) -> Any:  # pyright: ignore[reportIncompatibleMethodOverride]  # AppKey overloads, as aiohttp's
        return self._state.get(key, default)

    # -- loop, freezing ------------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        warnings.warn("loop property is deprecated", DeprecationWarning, stacklevel=2)
        return cast(asyncio.AbstractEventLoop, self._loop)

    def _set_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
        if loop is None:
            loop = asyncio.get_event_loop()
        if self._loop is not None and self._loop is not loop:
            raise RuntimeError("web.Application instance initialized with different loop")
        self._loop = loop
        if self._debug is ...:
            self._debug = loop.get_debug()
        for subapp in self._subapps:
            subapp._set_loop(loop)

    @property
    def pre_frozen(self) -> bool:
        return self._pre_frozen

    def pre_freeze(self) -> None:
        if self._pre_frozen:
            return
        self._pre_frozen = True
        self._middlewares.freeze()
        self._router.freeze()
        self._on_response_prepare.freeze()
        self._cleanup_ctx.freeze()
        self._on_startup.freeze()
        self._on_shutdown.freeze()
        self._on_cleanup.freeze()
        self._middlewares_handlers = tuple(self._prepare_middleware())
        self._has_legacy_middlewares = any(not new for _, new in self._middlewares_handlers)
        # No middleware anywhere: the handler runs bare (request.app is right without them).
        self._run_middlewares = bool(self.middlewares)
        self._any_prepare_hooks = bool(self._on_response_prepare)
        self._any_legacy_middlewares = self._has_legacy_middlewares
        for subapp in self._subapps:
            subapp.pre_freeze()
            self._run_middlewares = self._run_middlewares or bool(subapp._run_middlewares)
            self._any_prepare_hooks = self._any_prepare_hooks or subapp._any_prepare_hooks
            self._any_legacy_middlewares = (self._any_legacy_middlewares
                                            or subapp._any_legacy_middlewares)
        router = self._router
        if isinstance(router, UrlDispatcher) and type(router).resolve is UrlDispatcher.resolve:
            self._resolve_sync = router._resolve_sync

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        if self._frozen:
            return
        self.pre_freeze()
        self._frozen = True
        for subapp in self._subapps:
            subapp.freeze()

    @property
    def debug(self) -> bool:
        warnings.warn("debug property is deprecated", DeprecationWarning, stacklevel=2)
        return self._debug  # type: ignore[no-any-return]

    # -- sub-applications and routes ---------------------------------------------------------

    def _reg_subapp_signals(self, subapp: Application) -> None:
        def reg_handler(signame: str) -> None:
            subsig = getattr(subapp, signame)

            async def handler(app: Application) -> None:
                await subsig.send(subapp)

            getattr(self, signame).append(handler)

        reg_handler("on_startup")
        reg_handler("on_shutdown")
        reg_handler("on_cleanup")

    def add_subapp(self, prefix: str, subapp: Application) -> PrefixedSubAppResource:
        """Mount ``subapp`` under the path ``prefix``."""
        if not isinstance(prefix, str):
            raise TypeError("Prefix must be str")
        prefix = prefix.rstrip("/")
        if not prefix:
            raise ValueError("Prefix cannot be empty")
        resource: PrefixedSubAppResource = self._add_subapp(
            partial(PrefixedSubAppResource, prefix, subapp), subapp)
        return resource

    def _add_subapp(self, resource_factory: Callable[[], Any], subapp: Application) -> Any:
        if self.frozen:
            raise RuntimeError("Cannot add sub application to frozen application")
        if subapp.frozen:
            raise RuntimeError("Cannot add frozen application")
        resource = resource_factory()
        self.router.register_resource(resource)
        self._reg_subapp_signals(subapp)
        self._subapps.append(subapp)
        subapp.pre_freeze()
        if self._loop is not None:
            subapp._set_loop(self._loop)
        return resource

    def add_domain(self, domain: str, subapp: Application) -> MatchedSubAppResource:
        """Serve ``subapp`` for requests whose Host matches ``domain`` (``*`` wildcards)."""
        if not isinstance(domain, str):
            raise TypeError("Domain must be str")
        rule: Domain = MaskDomain(domain) if "*" in domain else Domain(domain)
        return self._add_subapp(partial(MatchedSubAppResource, rule, subapp), subapp)  # type: ignore[no-any-return]

    def add_routes(self, routes: Iterable[AbstractRouteDef]) -> list[AbstractRoute]:
        return self.router.add_routes(routes)

    @property
    def on_response_prepare(self) -> Signal[Request, StreamResponse]:
        return self._on_response_prepare

    @property
    def on_startup(self) -> Signal[Application]:
        return self._on_startup

    @property
    def on_shutdown(self) -> Signal[Application]:
        return self._on_shutdown

    @property
    def on_cleanup(self) -> Signal[Application]:
        return self._on_cleanup

    @property
    def cleanup_ctx(self) -> CleanupContext:
        return self._cleanup_ctx

    @property
    def router(self) -> UrlDispatcher:
        return self._router

    @property
    def middlewares(self) -> FrozenList[Any]:
        return self._middlewares

    # -- serving ---------------------------------------------------------------------------

    def _make_handler(self, *, loop: asyncio.AbstractEventLoop | None = None,
                      access_log_class: type[AbstractAccessLogger] | None = None,
                      **kwargs: Any) -> Server:
        if access_log_class is None:
            access_log_class = AccessLogger
        if not issubclass(access_log_class, AbstractAccessLogger):
            raise TypeError("access_log_class must be subclass of "
                            f"cyhttp.abc.AbstractAccessLogger, got {access_log_class}")
        self._set_loop(loop)
        self.freeze()
        kwargs["debug"] = self._debug
        kwargs["access_log_class"] = access_log_class
        if self._handler_args:
            kwargs.update(self._handler_args)
        server = Server(self._handle, request_factory=self._make_request,  # type: ignore[arg-type]
                        loop=self._loop, **kwargs)
        server.request_router = self._route  # type: ignore[assignment]
        return server

    def make_handler(self, *, loop: asyncio.AbstractEventLoop | None = None,
                     access_log_class: type[AbstractAccessLogger] | None = None,
                     **kwargs: Any) -> Server:
        warnings.warn("Application.make_handler(...) is deprecated, use AppRunner API instead",
                      DeprecationWarning, stacklevel=2)
        return self._make_handler(loop=loop, access_log_class=access_log_class, **kwargs)

    async def startup(self) -> None:
        """Send ``on_startup`` (cleanup contexts enter here)."""
        await self.on_startup.send(self)

    async def shutdown(self) -> None:
        """Send ``on_shutdown`` (before ``cleanup``)."""
        await self.on_shutdown.send(self)

    async def cleanup(self) -> None:
        """Send ``on_cleanup`` (cleanup contexts exit here, in reverse)."""
        if self.on_cleanup.frozen:
            await self.on_cleanup.send(self)
        else:  # startup failed before freezing: still exit the contexts entered
            await self._cleanup_ctx._on_cleanup(self)

    def _make_request(self, message: Any, payload: Any, protocol: Any, writer: Any,
                      task: Any, _cls: type[Request] = Request) -> Request:
        return _cls(message, payload, protocol, writer, task, self._loop,  # type: ignore[arg-type]
                    client_max_size=self._client_max_size,
                    client_max_fields=self._client_max_fields)

    def _prepare_middleware(self) -> Iterator[tuple[Any, bool]]:
        for m in reversed(self._middlewares):
            if getattr(m, "__middleware_version__", None) == 1:
                yield m, True
            else:
                warnings.warn(f'old-style middleware "{m!r}" deprecated, see #2252',
                              DeprecationWarning, stacklevel=2)
                yield m, False
        yield _fix_request_current_app(self), True

    def _route(self, request: Request) -> Handler | None:
        """The handler to await for ``request`` (middlewares applied), found without
        awaiting; None when something needs awaiting (a custom router or resource, an
        Expect header, an old-style middleware): then ``_handle`` does it all."""
        resolve = self._resolve_sync
        if resolve is None or self._any_legacy_middlewares or request._headers.get(hdrs.EXPECT):
            return None
        match_info = resolve(request)
        if match_info is None:
            return None
        return self._enter(request, match_info)

    def _enter(self, request: Request, match_info: UrlMappingMatchInfo) -> Handler:
        """Push this app on the match info, hand it to the request, wrap the handler."""
        if type(match_info) is UrlMappingMatchInfo:  # add_app + freeze, inlined
            if match_info._current_app is None:
                match_info._current_app = self
            match_info._apps.insert(0, self)
            match_info._frozen = True
            handler: Handler = match_info._route._handler
        else:
            match_info.add_app(self)
            match_info.freeze()
            handler = match_info.handler
        request._match_info = match_info
        if self._any_prepare_hooks:
            request._prepare_hooks = True
        if self._run_middlewares and not self._has_legacy_middlewares:
            if not isinstance(match_info.route, SystemRoute):
                handler = _cached_build_middleware(handler, match_info.apps)
            else:
                handler = _build_middlewares(handler, match_info.apps)
        return handler

    async def _handle(self, request: Request) -> StreamResponse:
        handler = self._route(request)
        if handler is None:
            resolve = self._resolve_sync
            match_info = resolve(request) if resolve is not None else None
            if match_info is None:
                match_info = await self._router.resolve(request)
            handler = self._enter(request, match_info)
            if request._headers.get(hdrs.EXPECT):
                resp = await match_info.expect_handler(request)
                await request.writer.drain()
                if resp is not None:
                    return resp  # type: ignore[no-any-return]
            if self._run_middlewares and self._has_legacy_middlewares:
                handler = match_info.handler
                for app in match_info.apps[::-1]:
                    for m, new_style in app._middlewares_handlers:  # type: ignore[union-attr]
                        if new_style:
                            handler = update_wrapper(partial(m, handler=handler), handler)
                        else:
                            handler = await m(app, handler)
        return await handler(request)

    def __call__(self) -> Application:
        """gunicorn compatibility"""
        return self

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"

    def __bool__(self) -> bool:
        return True


class CleanupError(RuntimeError):
    """Several cleanup contexts failed; ``exceptions`` lists the errors."""

    @property
    def exceptions(self) -> list[BaseException]:
        return cast(list[BaseException], self.args[1])


class CleanupContext(FrozenList[Any]):
    """``app.cleanup_ctx``: async generators (or context managers) run around the app's life."""

    def __init__(self) -> None:
        super().__init__()
        self._exits: list[AbstractAsyncContextManager[None]] = []

    async def _on_startup(self, app: Application) -> None:
        for cb in self:
            ctx = cb(app)
            if not isinstance(ctx, AbstractAsyncContextManager):
                ctx = asynccontextmanager(cb)(app)
            await ctx.__aenter__()
            self._exits.append(ctx)

    async def _on_cleanup(self, app: Application) -> None:
        errors = []
        for it in reversed(self._exits):
            try:
                await it.__aexit__(None, None, None)
            except (Exception, asyncio.CancelledError) as exc:
                errors.append(exc)
        if errors:
            if len(errors) == 1:
                raise errors[0]
            raise CleanupError("Multiple errors on cleanup stage", errors)

