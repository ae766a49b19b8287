"""Cookies a user hands to a session or a request (``cookies=``), as aiohttp treats them.

How this works: user-given cookies are checked once — a name or value with a
control character (CR/LF could split the Cookie header) raises ``CookieError``,
as aiohttp does on a current CPython — then per-request cookies are put in a
throw-away jar with the session jar's settings (``unsafe``, ``quote_cookie``,
secure origins) and no size limits, built once per request.  For each hop that
jar is filtered against the hop's URL (a ``Morsel`` may carry Domain/Path/Secure)
and the result is laid over the session jar's cookies: the request's win.
"""

from __future__ import annotations

from collections.abc import Mapping
from http.cookies import BaseCookie, CookieError, Morsel
from typing import Any

from yarl import URL

from .._http.cookie_parse import has_control_chars
from .cookiejar import CookieJar

__all__ = ("check_user_cookies", "request_cookie_jar", "cookies_for")


def check_user_cookies(cookies: Any) -> Any:
    """``cookies`` as a re-iterable collection; ``CookieError`` for a control character."""
    if not isinstance(cookies, Mapping):
        cookies = list(cookies)  # a one-shot iterator would be empty on the next hop
    items = cookies.items() if isinstance(cookies, Mapping) else cookies
    for name, value in items:
        if isinstance(value, Morsel):
            texts: tuple[str, ...] = (str(name), value.key, value.value, value.coded_value)
        else:
            texts = (str(name), str(value))
        if any(has_control_chars(text) for text in texts):
            raise CookieError(f"Control characters are not allowed in cookie {name!r}")
    return cookies


class _RequestJar(CookieJar):
    """The per-request jar: the session jar's storage limits do not apply to it."""

    def _make_room(self, domain: str) -> None:
        pass


def request_cookie_jar(session_jar: Any, cookies: Any) -> CookieJar:
    """A jar holding the (checked) per-request ``cookies`` with ``session_jar``'s settings."""
    jar = _RequestJar(
        unsafe=session_jar.unsafe,
        quote_cookie=session_jar.quote_cookie,
        treat_as_secure_origin=session_jar.treat_as_secure_origin or None,
    )
    jar.update_cookies(cookies)
    return jar


def cookies_for(session_jar: Any, request_jar: CookieJar | None, url: URL) -> BaseCookie[str] | None:
    """What to send to ``url``: the session jar's cookies, the request's laid over them."""
    result = session_jar.filter_cookies(url) if len(session_jar) else None
    if request_jar is not None:
        extra = request_jar.filter_cookies(url)
        if extra:
            if result:
                for name, morsel in extra.items():
                    dict.__setitem__(result, name, morsel)
            else:
                result = extra
    return result
