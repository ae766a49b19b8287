"""The request verbs of ``ClientSession`` (aiohttp's signatures) and their dispatch.

How this works: a verb whose options are all ones the plain lane handles (``headers``,
``params``, ``timeout``, ``allow_redirects``) goes to the session's ``PlainLane``;
anything else, and every request with a body, to the general ``_request``.
"""

from __future__ import annotations

from typing import Any

from yarl import URL

from .. import hdrs
from .._http.helpers import sentinel
from .context import _RequestContextManager
from .lane import LANE_KWARGS, LANE_METHODS, LANE_OPTIONS

__all__ = ("RequestVerbs",)


class RequestVerbs:
    """Mixed into ClientSession, which provides ``_lane`` and ``_request``."""

    __slots__ = ()
    _lane: Any
    _request: Any

    def request(self, method: str, url: str | URL, **kwargs: Any) -> _RequestContextManager:
        upper = method.upper()
        if self._lane is not None and kwargs.keys() <= LANE_KWARGS and upper in LANE_METHODS:
            return self._verb(upper, url, kwargs.pop("allow_redirects", True), kwargs)
        return _RequestContextManager(self._request(method, url, **kwargs))

    def _verb(self, method: str, url: str | URL, allow_redirects: bool, kwargs: dict[str, Any]) -> _RequestContextManager:
        lane = self._lane
        if lane is not None:
            if not kwargs:
                return _RequestContextManager(lane.request(method, url, allow_redirects))
            if kwargs.keys() <= LANE_OPTIONS:
                return _RequestContextManager(lane.request(
                    method, url, allow_redirects, kwargs.get("timeout", sentinel), kwargs.get("headers"),
                    kwargs.get("params"),
                ))
        return _RequestContextManager(self._request(method, url, allow_redirects=allow_redirects, **kwargs))

    def get(self, url: str | URL, *, allow_redirects: bool = True, **kwargs: Any) -> _RequestContextManager:
        return self._verb(hdrs.METH_GET, url, allow_redirects, kwargs)

    def options(self, url: str | URL, *, allow_redirects: bool = True, **kwargs: Any) -> _RequestContextManager:
        return self._verb(hdrs.METH_OPTIONS, url, allow_redirects, kwargs)

    def head(self, url: str | URL, *, allow_redirects: bool = False, **kwargs: Any) -> _RequestContextManager:
        return self._verb(hdrs.METH_HEAD, url, allow_redirects, kwargs)

    def post(self, url: str | URL, *, data: Any = None, **kwargs: Any) -> _RequestContextManager:
        return _RequestContextManager(self._request(hdrs.METH_POST, url, data=data, **kwargs))

    def put(self, url: str | URL, *, data: Any = None, **kwargs: Any) -> _RequestContextManager:
        return _RequestContextManager(self._request(hdrs.METH_PUT, url, data=data, **kwargs))

    def patch(self, url: str | URL, *, data: Any = None, **kwargs: Any) -> _RequestContextManager:
        return _RequestContextManager(self._request(hdrs.METH_PATCH, url, data=data, **kwargs))

    def delete(self, url: str | URL, *, allow_redirects: bool = True, **kwargs: Any) -> _RequestContextManager:
        return self._verb(hdrs.METH_DELETE, url, allow_redirects, kwargs)
