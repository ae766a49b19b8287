"""Resources: a path (plain, ``{name}``, ``{name:regex}``, or a prefix) and its routes by method.

How this works: a resource matches a path and then picks the route for the method
(``*`` answers every method).  ``_match_route(method, path)`` is the synchronous core the
router calls directly for the resource kinds defined here; ``resolve(request)`` is the
aiohttp-style coroutine around it, for custom resources and sub-applications.
``index_key`` tells the router which table bucket the resource lives in: a plain path
is its own key; a dynamic path is keyed by its literal part before the first ``{``,
cut back to a ``/``; ``segments`` (a fixed number of ``/``-separated parts, or None when
a variable's regex may match ``/``) splits a bucket further.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Iterator, Sized
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from .. import hdrs
from .match_info import UrlMappingMatchInfo
from .routes import AbstractRoute, ExpectHandler, Handler, ResourceRoute

if TYPE_CHECKING:
    from ..abc import AbstractView
    from .request import Request

__all__ = ("AbstractResource", "Resource", "PlainResource", "DynamicResource", "PrefixResource",
           "ROUTE_RE", "quote_path", "unquote_path_safe", "requote_path")

ROUTE_RE: Final = re.compile(r"(\{[_a-zA-Z][^{}]*(?:\{[^{}]*\}[^{}]*)*\})")
Resolve = tuple["UrlMappingMatchInfo | None", set[str]]
_NO_METHODS: Final[frozenset[str]] = frozenset()


def quote_path(value: str) -> str:
    return URL.build(path=value, encoded=False).raw_path


def unquote_path_safe(value: str) -> str:
    if "%" not in value:
        return value
    return value.replace("%2F", "/").replace("%25", "%")


def requote_path(value: str) -> str:
    """Quote what must be quoted, keeping existing %-sequences."""
    result = quote_path(value)
    if "%" in value:
        result = result.replace("%25", "%")
    return result


class AbstractResource(Sized, Iterable[AbstractRoute]):
    """Something the router can match a request to."""

    def __init__(self, *, name: str | None = None) -> None:
        self._name = name

    @property
    def name(self) -> str | None:
        return self._name

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The resource's canonical path, e.g. ``/foo/bar/{name}``."""

    @abc.abstractmethod
    def url_for(self, **kwargs: str) -> URL:
        """The URL of the resource for these parts."""

    @abc.abstractmethod
    async def resolve(self, request: Request) -> Resolve:
        """(match info or None, the methods the resource allows)."""

    @abc.abstractmethod
    def add_prefix(self, prefix: str) -> None:
        """Prepend a sub-application's prefix."""

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Introspection data."""

    def freeze(self) -> None:
        pass

    @abc.abstractmethod
    def raw_match(self, path: str) -> bool:
        """True when ``path`` is the path this resource was registered with."""

    # -- what the router's table needs ------------------------------------------------------

    def index_key(self) -> str:
        key = self.canonical
        if "{" in key:
            key = key.partition("{")[0].rpartition("/")[0]
        return key.rstrip("/") or "/"

    segments: int | None = None  # see the module docstring; None: any number


class Resource(AbstractResource):
    """A resource with routes by method."""

    def __init__(self, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self._routes: dict[str, ResourceRoute] = {}
        self._any_route: ResourceRoute | None = None
        self._allowed_methods: set[str] = set()

    def add_route(self, method: str, handler: type[AbstractView] | Handler, *,
                  expect_handler: ExpectHandler | None = None) -> ResourceRoute:
        route = self._routes.get(method, self._any_route)
        if route is not None:
            raise RuntimeError("Added route will never be executed, "
                               f"method {route.method} is already registered")
        route_obj = ResourceRoute(method, handler, self, expect_handler=expect_handler)
        self.register_route(route_obj)
        return route_obj

    def register_route(self, route: ResourceRoute) -> None:
        assert isinstance(route, ResourceRoute), f"Instance of Route class is required, got {route!r}"
        if route.method == hdrs.METH_ANY:
            self._any_route = route
        self._allowed_methods.add(route.method)
        self._routes[route.method] = route

    def _match_route(self, method: str, path: str) -> Resolve:
        match_dict = self._match(path)
        if match_dict is None:
            return None, _NO_METHODS  # type: ignore[return-value]
        route = self._routes.get(method, self._any_route)
        if route is not None:
            return UrlMappingMatchInfo(match_dict, route), self._allowed_methods
        return None, self._allowed_methods

    async def resolve(self, request: Request) -> Resolve:
        return self._match_route(request.method, request._match_path())

    @abc.abstractmethod
    def _match(self, path: str) -> dict[str, str] | None:
        """The URL variables when ``path`` matches, else None."""

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[ResourceRoute]:
        return iter(self._routes.values())


class PlainResource(Resource):
    """A literal path."""

    def __init__(self, path: str, *, name: str | None = None) -> None:
        super().__init__(name=name)
        assert not path or path.startswith("/")
        self._path = path

    @property
    def canonical(self) -> str:
        return self._path

    def freeze(self) -> None:
        if not self._path:
            self._path = "/"

    def add_prefix(self, prefix: str) -> None:
        assert prefix.startswith("/")
        assert not prefix.endswith("/")
        assert len(prefix) > 1
        self._path = prefix + self._path

    def _match(self, path: str) -> dict[str, str] | None:
        return {} if self._path == path else None

    def _match_route(self, method: str, path: str) -> Resolve:
        if self._path != path:
            return None, _NO_METHODS  # type: ignore[return-value]
        route = self._routes.get(method, self._any_route)
        if route is not None:
            return UrlMappingMatchInfo({}, route), self._allowed_methods
        return None, self._allowed_methods

    def raw_match(self, path: str) -> bool:
        return self._path == path

    def get_info(self) -> dict[str, Any]:
        return {"path": self._path}

    def url_for(self) -> URL:  # type: ignore[override]
        return URL.build(path=self._path, encoded=True)

    @property
    def segments(self) -> int | None:  # type: ignore[override]
        return self._path.count("/")

    def __repr__(self) -> str:
        name = "'" + self.name + "' " if self.name is not None else ""
        return f"<PlainResource {name} {self._path}>"


class DynamicResource(Resource):
    """A path with ``{name}`` (one segment) and ``{name:regex}`` variables."""

    DYN = re.compile(r"\{(?P<var>[_a-zA-Z][_a-zA-Z0-9]*)\}")
    DYN_WITH_RE = re.compile(r"\{(?P<var>[_a-zA-Z][_a-zA-Z0-9]*):(?P<re>.+)\}")
    GOOD = r"[^{}/]+"

    def __init__(self, path: str, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self._orig_path = path
        pattern = ""
        formatter = ""
        fixed = True  # every variable stays inside one segment
        for part in ROUTE_RE.split(path):
            match = self.DYN.fullmatch(part)
            if match:
                pattern += "(?P<{}>{})".format(match.group("var"), self.GOOD)
                formatter += "{" + match.group("var") + "}"
                continue
            match = self.DYN_WITH_RE.fullmatch(part)
            if match:
                pattern += "(?P<{var}>{re})".format(**match.groupdict())
                formatter += "{" + match.group("var") + "}"
                fixed = False
                continue
            if "{" in part or "}" in part:
                raise ValueError(f"Invalid path '{path}'['{part}']")
            part = requote_path(part)
            formatter += part
            pattern += re.escape(part)
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"Bad pattern '{pattern}': {exc}") from None
        assert compiled.pattern.startswith(re.escape("/"))
        assert formatter.startswith("/")
        self._pattern = compiled
        self._formatter = formatter
        self._fixed = fixed

    @property
    def canonical(self) -> str:
        return self._formatter

    @property
    def segments(self) -> int | None:  # type: ignore[override]
        return self._formatter.count("/") if self._fixed else None

    def add_prefix(self, prefix: str) -> None:
        assert prefix.startswith("/")
        assert not prefix.endswith("/")
        assert len(prefix) > 1
        self._pattern = re.compile(re.escape(prefix) + self._pattern.pattern)
        self._formatter = prefix + self._formatter

    def _match(self, path: str) -> dict[str, str] | None:
        match = self._pattern.fullmatch(path)
        if match is None:
            return None
        return {key: unquote_path_safe(value) for key, value in match.groupdict().items()}

    def raw_match(self, path: str) -> bool:
        return self._orig_path == path

    def get_info(self) -> dict[str, Any]:
        return {"formatter": self._formatter, "pattern": self._pattern}

    def url_for(self, **parts: str) -> URL:
        url = self._formatter.format_map({k: quote_path(v) for k, v in parts.items()})
        return URL.build(path=url, encoded=True)

    def __repr__(self) -> str:
        name = "'" + self.name + "' " if self.name is not None else ""
        return f"<DynamicResource {name} {self._formatter}>"


class PrefixResource(AbstractResource):
    """Everything under a path prefix (static files, sub-applications)."""

    def __init__(self, prefix: str, *, name: str | None = None) -> None:
        assert not prefix or prefix.startswith("/"), prefix
        assert prefix in ("", "/") or not prefix.endswith("/"), prefix
        super().__init__(name=name)
        self._prefix = requote_path(prefix)
        self._prefix2 = self._prefix + "/"

    @property
    def canonical(self) -> str:
        return self._prefix

    def add_prefix(self, prefix: str) -> None:
        assert prefix.startswith("/")
        assert not prefix.endswith("/")
        assert len(prefix) > 1
        self._prefix = prefix + self._prefix
        self._prefix2 = self._prefix + "/"

    def raw_match(self, path: str) -> bool:
        return False
