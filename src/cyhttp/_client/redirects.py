"""Following a redirect: where the next hop goes and what the request keeps.

How this works: the session calls ``next_hop`` for a 3xx response it follows.  It
reads the Location, resolves it against the current URL, refuses what is not an
HTTP(S)/WS URL, downgrades the method and drops the body where RFC 9110 (and
aiohttp) say so, and strips credentials when the origin changes.  The loop itself
(history, the redirect limit, traces, cookies) stays in the session.
"""

from __future__ import annotations

from typing import Any

from multidict import CIMultiDict
from yarl import URL

from .. import hdrs
from .exceptions import InvalidUrlRedirectClientError, NonHttpUrlRedirectClientError

__all__ = ("REDIRECTS", "next_hop")

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HTTP_AND_EMPTY = frozenset({"http", "https", "ws", "wss", ""})
_EMPTY_BODY_REDIRECT = frozenset({301, 302})


def next_hop(
    resp: Any, url: URL, method: str, data: Any, headers: CIMultiDict[str], requote: bool
) -> tuple[URL, str, Any, bool] | None:
    """``(new_url, method, data, cross_origin)`` for a followed redirect; None without a Location.

    ``data`` is what the hop sent (the next one resends it unless the method becomes GET).
    ``headers`` (the request's own, reused for the next hop) is edited in place: body
    headers go with a dropped body, credentials with a change of origin.
    """
    if (resp.status == 303 and resp.method != hdrs.METH_HEAD) or (
        resp.status in _EMPTY_BODY_REDIRECT and resp.method == hdrs.METH_POST
    ):
        method = hdrs.METH_GET
        data = None
        headers.popall(hdrs.CONTENT_LENGTH, None)
        headers.popall(hdrs.CONTENT_TYPE, None)
    r_url = resp.headers.get(hdrs.LOCATION) or resp.headers.get(hdrs.URI)
    if r_url is None:
        return None
    resp.release()
    try:
        new_url = URL(r_url, encoded=not requote)
    except ValueError as exc:
        raise InvalidUrlRedirectClientError(
            r_url, "Server attempted redirecting to a location that does not look like a URL"
        ) from exc
    scheme = new_url.scheme
    if scheme not in _HTTP_AND_EMPTY:
        raise NonHttpUrlRedirectClientError(r_url)
    if not scheme or not new_url.absolute:
        new_url = url.join(new_url)
    try:
        new_origin = new_url.origin()
    except ValueError as exc:
        raise InvalidUrlRedirectClientError(new_url, "Invalid redirect URL origin") from exc
    cross_origin = url.origin() != new_origin
    if cross_origin:
        headers.popall(hdrs.AUTHORIZATION, None)
        headers.popall(hdrs.COOKIE, None)
        headers.popall(hdrs.PROXY_AUTHORIZATION, None)
    return new_url, method, data, cross_origin
