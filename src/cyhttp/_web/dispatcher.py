"""UrlDispatcher: the router — resources in registration order, found through a table.

How this works: resources are kept in registration order and indexed in a table built
on first use after a change: ``{index key: (by segment count, any count)}`` (see
``resources.AbstractResource.index_key``).  Resolving walks the request path from the
full path up to ``/`` (``/a/b/c``, ``/a/b``, ``/a``, ``/``); at each step one dict
lookup gives the candidates registered under that prefix whose shape fits the path's
number of segments, tried in registration order.  So a plain path is one lookup, and
thousands of routes cost what the few under one prefix cost.  The resources defined
in this package are matched synchronously (``_match_route``); others (custom ones,
sub-applications) through their ``resolve`` coroutine.  Domain sub-applications are
tried first, in order, as aiohttp does.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Container, Iterable, Iterator, Mapping, Sized
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable

from .. import hdrs
from ..abc import AbstractRouter
from .exceptions import HTTPMethodNotAllowed, HTTPNotFound
from .match_info import MatchInfoError, UrlMappingMatchInfo
from .resources import ROUTE_RE, AbstractResource, DynamicResource, PlainResource, Resource
from .static import StaticResource
from .subapps import MatchedSubAppResource

if TYPE_CHECKING:
    from ..abc import AbstractView
    from .request import Request
    from .routedef import AbstractRouteDef
    from .routes import AbstractRoute, ExpectHandler, Handler

__all__ = ("UrlDispatcher", "ResourcesView", "RoutesView")

_Candidate = tuple[AbstractResource, "Callable[[str, str], Any] | None"]
_Bucket = tuple[dict[int, tuple[_Candidate, ...]], tuple[_Candidate, ...]]


class ResourcesView(Sized, Iterable[AbstractResource], Container[AbstractResource]):
    def __init__(self, resources: list[AbstractResource]) -> None:
        self._resources = resources

    def __len__(self) -> int:
        return len(self._resources)

    def __iter__(self) -> Iterator[AbstractResource]:
        yield from self._resources

    def __contains__(self, resource: object) -> bool:
        return resource in self._resources


class RoutesView(Sized, Iterable["AbstractRoute"], Container["AbstractRoute"]):
    def __init__(self, resources: list[AbstractResource]) -> None:
        self._routes: list[AbstractRoute] = [route for resource in resources for route in resource]

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        yield from self._routes

    def __contains__(self, route: object) -> bool:
        return route in self._routes


def _sync_matcher(resource: AbstractResource) -> Callable[[str, str], Any] | None:
    """The synchronous matcher of a resource kind defined here, None for any other."""
    if isinstance(resource, Resource) and type(resource).resolve is Resource.resolve:
        return resource._match_route
    return None


class UrlDispatcher(AbstractRouter, Mapping[str, AbstractResource]):
    """aiohttp's router: ``add_get`` / ``add_route`` / ``add_static`` ... and ``resolve``."""

    NAME_SPLIT_RE = re.compile(r"[.:-]")

    def __init__(self) -> None:
        super().__init__()
        self._resources: list[AbstractResource] = []
        self._named_resources: dict[str, AbstractResource] = {}
        self._matched_sub_app_resources: list[AbstractResource] = []
        self._table: dict[str, _Bucket] | None = None
        self._exact: dict[str, PlainResource] = {}

    # -- resolving -----------------------------------------------------------------------------

    def _build_table(self) -> dict[str, _Bucket]:
        grouped: dict[str, list[AbstractResource]] = {}
        for resource in self._resources:
            if resource not in self._matched_sub_app_resources:
                grouped.setdefault(resource.index_key(), []).append(resource)
        table: dict[str, _Bucket] = {}
        for key, resources in grouped.items():
            counts = {r.segments for r in resources if r.segments is not None}
            by_count = {
                n: tuple((r, _sync_matcher(r)) for r in resources if r.segments in (n, None))
                for n in counts
            }
            anywhere = tuple((r, _sync_matcher(r)) for r in resources if r.segments is None)
            table[key] = (by_count, anywhere)
        # A plain path whose resource is the first candidate the walk tries for it is
        # found with one lookup (it wins whenever it has a route for the method).
        exact: dict[str, PlainResource] = {}
        for by_count, _ in table.values():
            for candidates in by_count.values():
                first = candidates[0][0]
                if type(first) is PlainResource and candidates[0][1] is not None:
                    exact.setdefault(first._path or "/", first)
        self._exact = exact
        self._table = table
        return table

    def _invalidate(self) -> None:
        self._table = None

    def _candidates(self, path: str) -> Iterator[_Candidate]:
        """The resources that may match ``path``, most specific prefix first (see above)."""
        table = self._table
        if table is None:
            table = self._build_table()
        segments = path.count("/")
        part = path
        while True:
            bucket = table.get(part)
            if bucket is not None:
                yield from bucket[0].get(segments, bucket[1])
            if part == "/":
                return
            part = part.rpartition("/")[0] or "/"

    def _resolve_sync(self, request: Request) -> UrlMappingMatchInfo | None:
        """``resolve`` without awaiting, or None when a candidate needs its coroutine."""
        if self._matched_sub_app_resources:
            return None
        table = self._table
        if table is None:
            table = self._build_table()
        method = request._method
        path = request._match_path() or "/"
        plain = self._exact.get(path)
        if plain is not None:
            route = plain._routes.get(method, plain._any_route)
            if route is not None:
                return UrlMappingMatchInfo({}, route)
        segments = path.count("/")
        allowed: set[str] = set()
        part = path
        while True:  # _candidates, inlined: this is every request's routing
            bucket = table.get(part)
            if bucket is not None:
                for _resource, match in bucket[0].get(segments, bucket[1]):
                    if match is None:
                        return None
                    match_info, methods = match(method, path)
                    if match_info is not None:
                        return match_info  # type: ignore[no-any-return]
                    allowed |= methods
            if part == "/":
                return self._no_match(method, allowed)
            part = part.rpartition("/")[0] or "/"

    async def resolve(self, request: Request) -> UrlMappingMatchInfo:
        """The match info of ``request`` (a MatchInfoError for 404 / 405)."""
        found = self._resolve_sync(request)
        if found is not None:
            return found
        allowed: set[str] = set()
        for sub in self._matched_sub_app_resources:
            match_info, methods = await sub.resolve(request)
            if match_info is not None:
                return match_info
            allowed |= methods
        method = request.method
        path = request._match_path() or "/"
        for resource, match in self._candidates(path):
            if match is not None:
                match_info, methods = match(method, path)
            else:
                match_info, methods = await resource.resolve(request)
            if match_info is not None:
                return match_info
            allowed |= methods
        return self._no_match(method, allowed)

    @staticmethod
    def _no_match(method: str, allowed: set[str]) -> MatchInfoError:
        if allowed:
            return MatchInfoError(HTTPMethodNotAllowed(method, allowed))
        return MatchInfoError(HTTPNotFound())

    # -- the mapping of named resources ----------------------------------------------------------

    def __iter__(self) -> Iterator[str]:
        return iter(self._named_resources)

    def __len__(self) -> int:
        return len(self._named_resources)

    def __contains__(self, resource: object) -> bool:
        return resource in self._named_resources

    def __getitem__(self, name: str) -> AbstractResource:
        return self._named_resources[name]

    def resources(self) -> ResourcesView:
        return ResourcesView(self._resources)

    def routes(self) -> RoutesView:
        return RoutesView(self._resources)

    def named_resources(self) -> Mapping[str, AbstractResource]:
        return MappingProxyType(self._named_resources)

    # -- registering ----------------------------------------------------------------------------

    def register_resource(self, resource: AbstractResource) -> None:
        assert isinstance(resource, AbstractResource), (
            f"Instance of AbstractResource class is required, got {resource!r}")
        if self.frozen:
            raise RuntimeError("Cannot register a resource into frozen router.")
        name = resource.name
        if name is not None:
            for part in self.NAME_SPLIT_RE.split(name):
                if keyword.iskeyword(part):
                    raise ValueError(f"Incorrect route name {name!r}, "
                                     "python keywords cannot be used for route name")
                if not part.isidentifier():
                    raise ValueError(f"Incorrect route name {name!r}, the name should be a "
                                     "sequence of python identifiers separated by dash, dot or column")
            if name in self._named_resources:
                raise ValueError(f"Duplicate {name!r}, already handled by "
                                 f"{self._named_resources[name]!r}")
            self._named_resources[name] = resource
        self._resources.append(resource)
        if isinstance(resource, MatchedSubAppResource):
            self._matched_sub_app_resources.append(resource)
        self._invalidate()

    def index_resource(self, resource: AbstractResource) -> None:
        """aiohttp's hook after a resource's path changed: the table is rebuilt."""
        self._invalidate()

    def unindex_resource(self, resource: AbstractResource) -> None:
        self._invalidate()

    def add_resource(self, path: str, *, name: str | None = None) -> Resource:
        if path and not path.startswith("/"):
            raise ValueError("path should be started with / or be empty")
        if self._resources:  # the same path and name again: reuse the last resource
            last = self._resources[-1]
            if last.name == name and last.raw_match(path):
                return last  # type: ignore[return-value]
        resource: Resource
        if not ("{" in path or "}" in path or ROUTE_RE.search(path)):
            resource = PlainResource(path, name=name)
        else:
            resource = DynamicResource(path, name=name)
        self.register_resource(resource)
        return resource

    def add_route(self, method: str, path: str, handler: Handler | type[AbstractView], *,
                  name: str | None = None,
                  expect_handler: ExpectHandler | None = None) -> AbstractRoute:
        resource = self.add_resource(path, name=name)
        return resource.add_route(method, handler, expect_handler=expect_handler)

    def add_static(self, prefix: str, path: Any, *, name: str | None = None,
                   expect_handler: ExpectHandler | None = None, chunk_size: int = 256 * 1024,
                   show_index: bool = False, follow_symlinks: bool = False,
                   append_version: bool = False) -> AbstractResource:
        """Serve the files under directory ``path`` at URL ``prefix``."""
        assert prefix.startswith("/")
        if prefix.endswith("/"):
            prefix = prefix[:-1]
        resource = StaticResource(prefix, path, name=name, expect_handler=expect_handler,
                                  chunk_size=chunk_size, show_index=show_index,
                                  follow_symlinks=follow_symlinks, append_version=append_version)
        self.register_resource(resource)
        return resource

    def add_head(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        return self.add_route(hdrs.METH_HEAD, path, handler, **kwargs)

    def add_options(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        return self.add_route(hdrs.METH_OPTIONS, path, handler, **kwargs)

    def add_get(self, path: str, handler: Handler, *, name: str | None = None,
                allow_head: bool = True, **kwargs: Any) -> AbstractRoute:
        """GET (and HEAD, unless ``allow_head=False``) on ``path``."""
        resource = self.add_resource(path, name=name)
        if allow_head:
            resource.add_route(hdrs.METH_HEAD, handler, **kwargs)
        return resource.add_route(hdrs.METH_GET, handler, **kwargs)

    def add_post(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        return self.add_route(hdrs.METH_POST, path, handler, **kwargs)

    def add_put(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        return self.add_route(hdrs.METH_PUT, path, handler, **kwargs)

    def add_patch(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        return self.add_route(hdrs.METH_PATCH, path, handler, **kwargs)

    def add_delete(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        return self.add_route(hdrs.METH_DELETE, path, handler, **kwargs)

    def add_view(self, path: str, handler: type[AbstractView], **kwargs: Any) -> AbstractRoute:
        """A class-based view answering every method (``*``)."""
        return self.add_route(hdrs.METH_ANY, path, handler, **kwargs)

    def freeze(self) -> None:
        super().freeze()
        for resource in self._resources:
            resource.freeze()
        self._invalidate()

    def add_routes(self, routes: Iterable[AbstractRouteDef]) -> list[AbstractRoute]:
        """Register route definitions (a RouteTableDef or ``web.get(...)`` items)."""
        registered: list[AbstractRoute] = []
        for route_def in routes:
            registered.extend(route_def.register(self))
        return registered
