"""The request verbs of ``ClientSession``: aiohttp 3.14's names and typed keywords.

How this works: every verb hands its keywords, as the one dict Python already built
for them, to the session's request path (``path.RequestPath.run``), which resolves only
the keywords that were passed (``options.resolve``).  An unknown keyword is refused at
the call, as any Python function refuses one.  ``head()`` alone does not follow
redirects unless told to, as in aiohttp.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import hdrs
from .context import _PathRequestContextManager, _RequestContextManager
from .options import OPTION_NAMES, RequestOptions, StrOrURL

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from 3.11; only checkers read it here

    from .path import RequestPath

__all__ = ("RequestVerbs",)


def _unknown(verb: str, kwargs: Mapping[str, Any]) -> TypeError:
    name = next(name for name in kwargs if name not in OPTION_NAMES)
    return TypeError(f"{verb}() got an unexpected keyword argument {name!r}")


class RequestVerbs:
    """Mixed into ClientSession, which provides ``_path``."""

    __slots__ = ()
    _path: RequestPath

    def request(self, method: str, url: StrOrURL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        """Any method: ``async with session.request("GET", url) as resp``."""
        if kwargs and not kwargs.keys() <= OPTION_NAMES:
            raise _unknown("request", kwargs)  # at the call, as any Python function does
        return _PathRequestContextManager.start(self._path, method.upper(), url, kwargs)

    def get(self, url: StrOrURL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        if kwargs and not kwargs.keys() <= OPTION_NAMES:
            raise _unknown("get", kwargs)
        return _PathRequestContextManager.start(self._path, hdrs.METH_GET, url, kwargs)

    def options(self, url: StrOrURL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        if kwargs and not kwargs.keys() <= OPTION_NAMES:
            raise _unknown("options", kwargs)
        return _PathRequestContextManager.start(self._path, hdrs.METH_OPTIONS, url, kwargs)

    def head(self, url: StrOrURL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        if kwargs and not kwargs.keys() <= OPTION_NAMES:
            raise _unknown("head", kwargs)
        options: dict[str, Any] = {"allow_redirects": False, **kwargs}
        return _PathRequestContextManager.start(self._path, hdrs.METH_HEAD, url, options)

    def post(self, url: StrOrURL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        if kwargs and not kwargs.keys() <= OPTION_NAMES:
            raise _unknown("post", kwargs)
        return _PathRequestContextManager.start(self._path, hdrs.METH_POST, url, kwargs)

    def put(self, url: StrOrURL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        if kwargs and not kwargs.keys() <= OPTION_NAMES:
            raise _unknown("put", kwargs)
        return _PathRequestContextManager.start(self._path, hdrs.METH_PUT, url, kwargs)

    def patch(self, url: StrOrURL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        if kwargs and not kwargs.keys() <= OPTION_NAMES:
            raise _unknown("patch", kwargs)
        return _PathRequestContextManager.start(self._path, hdrs.METH_PATCH, url, kwargs)

    def delete(self, url: StrOrURL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        if kwargs and not kwargs.keys() <= OPTION_NAMES:
            raise _unknown("delete", kwargs)
        return _PathRequestContextManager.start(self._path, hdrs.METH_DELETE, url, kwargs)
