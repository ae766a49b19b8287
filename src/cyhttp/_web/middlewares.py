"""New-style middlewares: ``@middleware`` and ``normalize_path_middleware``.

How this works: a middleware is ``async def mw(request, handler)``; ``@middleware`` only
marks it (``__middleware_version__ = 1``).  The application chains them around the
handler (``app.handler_chain``).  ``normalize_path_middleware`` acts only when routing
failed (a SystemRoute): it tries the path with merged slashes and/or a slash added or
removed, and redirects to the first variant the router resolves.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TypeVar

from .exceptions import HTTPMove, HTTPPermanentRedirect
from .routes import SystemRoute

if TYPE_CHECKING:
    from .request import Request
    from .stream_response import StreamResponse

__all__ = ("middleware", "normalize_path_middleware")

_Func = TypeVar("_Func")
Handler = Callable[["Request"], Awaitable["StreamResponse"]]
Middleware = Callable[["Request", Handler], Awaitable["StreamResponse"]]


def middleware(f: _Func) -> _Func:
    """Mark ``f`` as a new-style middleware."""
    f.__middleware_version__ = 1  # type: ignore[attr-defined]
    return f


async def _check_request_resolves(request: Request, path: str) -> tuple[bool, Request]:
    alt_request = request.clone(rel_url=path)
    match_info = await request.app.router.resolve(alt_request)
    alt_request._match_info = match_info
    if match_info.http_exception is None:
        return True, alt_request
    return False, request


def normalize_path_middleware(*, append_slash: bool = True, remove_slash: bool = False,
                              merge_slashes: bool = True,
                              redirect_class: type[HTTPMove] = HTTPPermanentRedirect) -> Middleware:
    """Redirect a path that does not resolve to its normalised form when that one does.

    Tried in order: merged slashes; slash appended (or removed); both.  Only one of
    ``append_slash`` and ``remove_slash`` may be set.
    """
    assert not (append_slash and remove_slash), "Cannot both remove and append slash"

    @middleware
    async def impl(request: Request, handler: Handler) -> StreamResponse:
        if isinstance(request.match_info.route, SystemRoute):
            paths_to_check = []
            raw = request.raw_path
            if "?" in raw:
                path, query = raw.split("?", 1)
                query = "?" + query
            else:
                query = ""
                path = raw
            if merge_slashes:
                paths_to_check.append(re.sub("//+", "/", path))
            if append_slash and not request.path.endswith("/"):
                paths_to_check.append(path + "/")
            if remove_slash and request.path.endswith("/"):
                paths_to_check.append(path[:-1])
            if merge_slashes and append_slash:
                paths_to_check.append(re.sub("//+", "/", path + "/"))
            if merge_slashes and remove_slash:
                paths_to_check.append(re.sub("//+", "/", path)[:-1])
            for candidate in paths_to_check:
                # Never redirect to a scheme-relative "//host" URL (an open redirect).
                candidate = re.sub("^//+", "/", candidate)
                resolves, request = await _check_request_resolves(request, candidate)
                if resolves:
                    raise redirect_class(request.raw_path + query)
        return await handler(request)

    return impl


def _fix_request_current_app(app: Any) -> Middleware:
    """The middleware each app adds last: ``request.app`` is this app inside it."""

    @middleware
    async def impl(request: Request, handler: Handler) -> StreamResponse:
        match_info = request.match_info
        prev = match_info.current_app
        match_info.current_app = app
        try:
            return await handler(request)
        finally:
            match_info.current_app = prev

    return impl
